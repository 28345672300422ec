"""Targeting: who a campaign's ads may reach, and how that audience widens.

An audience is the first part of a ranking of users by the platform's noisy prediction of their
response (micro-targeting), or of the allowed cells (segments, ideology bands) by the mean
predicted response of their members when the rules allow nothing finer. When its budget goes
unspent at its bid ceiling, a campaign widens the audience to the next-ranked users or cells
(lookalikes).
"""

from __future__ import annotations

import numpy as np

from ..vocabulary import BAND_EDGES


def _band_overlaps(band) -> np.ndarray:
    """Which ideology bands overlap the interval ``band`` = [lo, hi]."""
    lo, hi = band
    lows, highs = np.r_[-np.inf, BAND_EDGES], np.r_[BAND_EDGES, np.inf]
    return (highs > lo) & (lows < hi)


def response_score(objective: str, opinion, turnout, ideology, position, epsilon):
    """What a platform would predict of a user's response to a campaign's ads.

    persuade: users within reach of the message (within epsilon) but not already there;
    mobilize: supporters unlikely to vote; mix: the average of both.
    """
    gap = np.abs(opinion - position)
    persuade = np.where(gap < epsilon, gap, 0.0)
    supporter = np.sign(ideology) == np.sign(position) if position != 0 else np.ones_like(gap, bool)
    mobilize = supporter * (1.0 - turnout) * (1.0 - gap / 2)
    if objective == "persuade":
        return persuade
    if objective == "mobilize":
        return mobilize
    return 0.5 * (persuade / max(epsilon, 1e-9) + mobilize)


class Targeting:
    """A campaign's ranking of users (or cells) and how far down it its audience reaches."""

    def __init__(
        self,
        cfg,
        policy,
        population,
        rng: np.random.Generator,
        micro_noise: float,
        epsilon: float,
        segments: int,
    ):
        """At the finest level ``policy`` allows ``cfg`` (a CampaignConfig); ``rng``: the
        campaign's own stream (the prediction noise)."""
        n = population.n
        level = policy.targeting_level(cfg)
        # The platform's noisy prediction of each user's response (drawn whatever the level,
        # so the accounts stream is used alike under every policy).
        score = response_score(
            cfg.objective,
            population.opinion[:n],
            population.turnout[:n],
            population.ideology[:n],
            cfg.position,
            epsilon,
        )
        noisy = (
            score + rng.normal(0, micro_noise * (score.std() + 1e-12), n)
            if cfg.targeting != "broad"
            else score
        )
        want = max(cfg.micro_fraction, policy.smallest_audience())
        if level == "micro":
            rank = np.empty(n, np.int64)
            rank[np.argsort(-noisy, kind="stable")] = np.arange(n)
            self._rank, self._units, self._step = rank, n, max(1, int(round(cfg.micro_fraction * n)))
            self._limit = max(self._step, int(np.ceil(want * n)))
        elif level in ("segments", "ideology"):
            if level == "segments":
                cell, cells = population.segment[:n].astype(np.int64), segments
            else:
                cell, cells = population.band[:n].astype(np.int64), len(BAND_EDGES) + 1
            counts = np.bincount(cell, minlength=cells)
            mean = np.bincount(cell, noisy, cells) / np.maximum(counts, 1)
            # its own cells first when it asked for this level; forced down to it, the best
            own = (
                []
                if level != cfg.targeting
                else (
                    list(cfg.target_segments)
                    if level == "segments"
                    else np.flatnonzero(_band_overlaps(cfg.ideology_band)).tolist()
                )
            )
            order = np.array(own + [c for c in np.argsort(-mean, kind="stable") if c not in own])
            cell_rank = np.empty(cells, np.int64)
            cell_rank[order] = np.arange(cells)
            covered = np.cumsum(counts[order]) / n
            first = len(own) or int(np.searchsorted(covered, cfg.micro_fraction - 1e-12)) + 1
            least = int(np.searchsorted(covered, policy.smallest_audience() - 1e-12)) + 1
            self._rank, self._units, self._step = cell_rank[cell], cells, 1
            self._limit = max(first, least)
        else:
            self._rank, self._units, self._step, self._limit = np.zeros(n, np.int64), 1, 1, 1
        self._limit = min(self._limit, self._units)
        self.level = level

    def audience(self) -> np.ndarray:
        """Mask over users: the audience as it stands."""
        return self._rank < self._limit

    @property
    def full(self) -> bool:
        """As wide as the allowed level goes."""
        return self._limit >= self._units

    def widen(self, shortfall: float = 1.0) -> None:
        """To the next-ranked users or cells: by one step (an initial audience more, or one
        cell), or in proportion to the ``shortfall`` (budget / what it could spend), at most
        doubling it in a day."""
        grown = int(np.ceil(self._limit * min(max(shortfall, 1.0), 2.0)))
        self._limit = min(self._units, max(self._limit + self._step, grown))
