"""User state as arrays (structure of arrays): one entry per user, no object per user.

Regular users occupy indices [0, n); campaign-controlled accounts (official accounts,
sockpuppets) are appended after them. Paid amplifiers are regular users a campaign recruits,
so their own followers are part of the ordinary network.
"""

from __future__ import annotations

import numpy as np

from ..config import PopulationConfig
from ..vocabulary import ideology_band

REGULAR, OFFICIAL, AMPLIFIER, SOCKPUPPET = 0, 1, 2, 3
KIND_NAMES = ("regular", "official", "amplifier", "sockpuppet")


def segments(ideology, count: int, signal: float, rng) -> np.ndarray:
    """Equal-sized demographic cells whose order says ``signal`` (a correlation) about ideology:
    the cells are quantiles of signal x standardised ideology + sqrt(1 - signal^2) x noise."""
    spread = ideology.std() or 1.0
    noise = rng.standard_normal(len(ideology))
    z = signal * (ideology - ideology.mean()) / spread + np.sqrt(1 - signal**2) * noise
    edges = np.quantile(z, np.linspace(0, 1, count + 1)[1:-1]) if count > 1 else np.empty(0)
    return np.searchsorted(edges, z, side="right").astype(np.int16)


class Population:
    """Arrays of per-user state; index i is user i."""

    def __init__(self, cfg: PopulationConfig, rng: np.random.Generator, given: dict | None = None):
        """``given``: state a network file sets for its first users (sim.model.network
        ``attributes``): ``ideology`` centres (each user's ideology is drawn around its centre
        with the configured spread, instead of around a side drawn at random) and ``segment``
        ids. The random draws are the same with or without it, so every other array is too."""
        n = cfg.n
        given = given or {}
        self.n = n  # regular users
        left = rng.random(n) < cfg.left_share
        centre = np.where(left, -cfg.ideology_peaks, cfg.ideology_peaks)
        if given.get("ideology") is not None:
            centre[: len(given["ideology"])] = given["ideology"]
        self.ideology = np.clip(rng.normal(centre, cfg.ideology_sd), -1, 1)
        # what the metrics read per impression, kept per user: a gather of int8 is ~15x faster
        # than gathering ideology and finding its band again (searchsorted) for every impression
        self.band = ideology_band(self.ideology).astype(np.int8)  # IDEOLOGY_BANDS' index
        self.side = np.sign(self.ideology).astype(np.int8)
        self.opinion = np.clip(self.ideology + rng.normal(0, cfg.opinion_noise, n), -1, 1)
        self.turnout = rng.beta(cfg.turnout_a, cfg.turnout_b, n)
        self.activity = rng.beta(cfg.activity_a, cfg.activity_b, n)
        if cfg.reshare_dist == "fixed":
            self.reshare = np.full(n, cfg.reshare_fixed)
        else:
            sharer = rng.random(n) < cfg.sharer_fraction
            self.reshare = np.where(sharer, rng.beta(cfg.reshare_a, cfg.reshare_b, n), 0.0)
        self.skepticism = rng.beta(cfg.skepticism_a, cfg.skepticism_b, n)
        self.segment = segments(self.ideology, cfg.segments, cfg.segment_signal, rng)
        if given.get("segment") is not None:
            self.segment[: len(given["segment"])] = given["segment"]
        self.kind = np.zeros(n, dtype=np.int8)
        self.owner = np.full(n, -1, dtype=np.int16)  # campaign controlling the account
        self.suspended = np.zeros(n, dtype=bool)
        # Calibrated effects (sim/model/behavior.py): regular users only, so campaign accounts
        # appended later need no entry. Persuasion decays toward the opinion a user started
        # with; the social voting message acts on a user once per election.
        self.baseline_opinion = self.opinion.copy()
        self.faded_day = None  # the last day persuasion faded
        self.social_nudged = np.zeros(n, dtype=bool)

    @property
    def size(self) -> int:
        return len(self.ideology)

    def add_accounts(self, count: int, kind: int, owner: int, position: float) -> np.ndarray:
        """Append campaign-controlled accounts; they never read feeds or vote."""
        start = self.size
        grow = {
            "ideology": position,
            "band": ideology_band(np.array([position]))[0],
            "side": np.sign(position),
            "opinion": position,
            "turnout": 0.0,
            "activity": 0.0,
            "reshare": 0.0,
            "skepticism": 0.0,
            "segment": 0,
            "kind": kind,
            "owner": owner,
            "suspended": False,
        }
        for name, value in grow.items():
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, np.full(count, value, dtype=arr.dtype)]))
        return np.arange(start, start + count)
