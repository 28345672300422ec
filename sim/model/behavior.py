"""How users react to what they see: engagement, reshares, follows, opinion and turnout.

All functions take arrays of impressions (one entry per user-content pair seen this step) and
work on them at once. The same engagement function serves the platform's predictions (ranking,
auction) and the users' actual reactions, so the two cannot drift apart.
"""

from __future__ import annotations

import functools

import numpy as np

from ..config import BehaviorConfig
from . import kernels
from .arrays import group_sums
from .kernels import fade


def affinity(cfg: BehaviorConfig, ideology: np.ndarray, position: np.ndarray) -> np.ndarray:
    """How much a user's ideology attracts them to a message position (1 = same position)."""
    if not cfg.affinity:
        return np.ones(np.broadcast(ideology, position).shape)
    return np.exp(-np.abs(ideology - position) / cfg.affinity_scale)


def label_factor(cfg: BehaviorConfig, skepticism: np.ndarray, labeled: np.ndarray) -> np.ndarray:
    """A "paid for by" label discounts engagement and persuasion by effect x skepticism."""
    return 1.0 - cfg.label_effect * skepticism * labeled


def engagement_weight(cfg, ideology, position, appeal, from_ad, skepticism, labeled):
    """Everything in the engagement probability except the user's base rate."""
    source = np.where(from_ad, cfg.source_ad, cfg.source_followed)
    return appeal * affinity(cfg, ideology, position) * source * label_factor(cfg, skepticism, labeled)


def outgroup_factor(cfg: BehaviorConfig, ideology, position, hostile) -> np.ndarray:
    """Out-group language multiplies engagement of readers on the author's side by
    ``outgroup_boost`` (Rathje et al. 2021: posts about the out-group are shared about twice
    as often); other readers are unmoved."""
    same_side = np.sign(ideology) == np.sign(position)
    return np.where(hostile & same_side & (position != 0), cfg.outgroup_boost, 1.0)


def react(cfg: BehaviorConfig, weight: np.ndarray, reshare_rate: np.ndarray, rng):
    """Draw reactions: returns (engaged, reshared). One uniform per impression.

    A reshare is an engagement, so ``reshared`` implies ``engaged``: the user reshares when the
    draw falls below the reshare probability and engages (likes, clicks) below the larger of the
    two probabilities.
    """
    u = rng.random(len(weight))
    return kernels.reactions(
        u, np.asarray(weight, np.float64), np.asarray(reshare_rate, np.float64), float(cfg.engage_base)
    )


def update_opinions(cfg, opinion, users, position, persuasion_factor) -> np.ndarray:
    """Bounded confidence: a message within epsilon of a user's opinion pulls it a small step.

    All of a step's exposures act on the opinion held at the start of the step (synchronous).
    Only the users who moved are written; returns them (sorted).
    """
    touched, delta = group_sums(
        *kernels.pulls(
            opinion,
            np.asarray(users, np.int64),
            np.asarray(position, np.float64),
            np.asarray(persuasion_factor, np.float64),
            float(cfg.epsilon),
            float(cfg.persuasion),
        )
    )
    opinion[touched] = np.clip(opinion[touched] + delta, -1.0, 1.0)
    return touched


def vote_weights(cfg: BehaviorConfig, opinion: np.ndarray, positions: np.ndarray):
    """Softmax of -distance / temperature, one array per candidate.

    Column by column and in place (this runs every step over all users): relative to the
    nearest candidate, so the exponent never overflows.
    """
    dist = [np.abs(opinion - p) for p in positions]
    if not dist:
        return []
    nearest = functools.reduce(np.minimum, dist)
    for d in dist:
        np.subtract(nearest, d, out=d)
        d *= 1.0 / cfg.vote_temperature
        np.exp(d, out=d)
    total = functools.reduce(np.add, dist)
    for d in dist:
        d /= total
    return dist


def vote_probabilities(cfg: BehaviorConfig, opinion: np.ndarray, positions: np.ndarray):
    """Probability each user picks each candidate (users x candidates)."""
    if len(positions) == 0:
        return np.zeros((len(opinion), 0))
    return np.stack(vote_weights(cfg, opinion, positions), axis=1)


def expected_votes(cfg, opinion, turnout, positions) -> np.ndarray:
    """Expected votes per candidate: turnout-weighted choice probabilities, summed."""
    # multiply-and-sum, not a BLAS dot: threaded BLAS on short work is slower on few cores
    return np.array([np.add.reduce(turnout * p) for p in vote_weights(cfg, opinion, positions)])


# ---------------------------------------------------------------- calibrated effects (issue 13)
# Sized by field experiments (docs/model.md "Behaviour", docs/validation.md): a call to action
# moves turnout little on average, up among the message's own leaners and down among the other
# side's (Aggarwal et al. 2023); the social voting message acts once per user and election
# (Bond et al. 2012); persuasion fades back toward the user's own baseline (Hill et al. 2013).


def alignment(ideology, position):
    """How far a reader leans toward a message's side, in [-1, 1]: sign(position) x ideology;
    0 for a non-partisan message (position 0)."""
    return np.sign(position) * ideology


def shift_turnout(turnout, users, delta) -> np.ndarray:
    """Add each ``delta`` to its user's turnout on the logit scale (summed per user): a push moves
    users near 50% most and near-certain voters and non-voters hardly (Arceneaux & Nickerson
    2009). Returns the users touched (sorted)."""
    touched, total = group_sums(users, delta)
    p = np.clip(turnout[touched], 1e-12, 1.0 - 1e-12)
    turnout[touched] = p / (p + (1.0 - p) * np.exp(-total))
    return touched


def mobilize(cfg: BehaviorConfig, population, users, position, social) -> np.ndarray:
    """Turnout after the day's call-to-action exposures (``users``, the message ``position`` of
    each, ``social``: it came through a followee's reshare). Each exposure shifts turnout by
    ``turnout_nudge`` + ``turnout_nudge_alignment`` x alignment; a user's first social exposure
    of the election adds ``turnout_nudge_social`` once. Returns the users touched (sorted)."""
    delta = cfg.turnout_nudge + cfg.turnout_nudge_alignment * alignment(population.ideology[users], position)
    first = np.unique(users[social])
    first = first[~population.social_nudged[first]]
    population.social_nudged[first] = True
    return shift_turnout(
        population.turnout,
        np.concatenate([users, first]),
        np.concatenate([delta, np.full(len(first), cfg.turnout_nudge_social)]),
    )


def decay_persuasion(cfg: BehaviorConfig, population, n: int, day: int) -> np.ndarray:
    """One day of fading: every opinion moves back toward the user's baseline, halving its
    distance every ``persuasion_half_life`` days; once per ``day``, however often called.
    Returns the users moved (sorted)."""
    if cfg.persuasion_half_life is None or population.faded_day == day:
        return np.empty(0, np.int64)
    population.faded_day = day
    keep = 0.5 ** (1.0 / cfg.persuasion_half_life)
    return fade(population.opinion, population.baseline_opinion[:n], keep)
