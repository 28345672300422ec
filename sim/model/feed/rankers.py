"""Feed rankers: how the platform orders the organic candidates of each reader.

A ranker is a plug-in (:class:`Ranker`): a dataclass whose fields are its parameters, chosen in
the config by ``_target_`` (``conf/ranking/*.yaml``). It scores a whole batch of (reader,
content) candidates at once; the feed then keeps each reader's best (:func:`top_k_per_group`).
A new ranker is one class, anywhere on the Python path, plus one YAML file naming it; nothing
else changes. Its scores need only order the candidates of one reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...config import NONNEG, Plugin, f, rng_


@dataclass
class Candidates:
    """One day's organic candidates, one entry per (reader, content), sorted by reader.

    ``predicted`` is the platform's model of engagement without its noise (appeal x affinity
    x source x label discount); ``proof`` is how many of the reader's followees shared the
    content; ``age`` is days since it was created. ``prediction_noise`` is the lognormal sigma
    of the platform's predictions (``feed.prediction_noise``). ``population`` and ``registry``
    give rankers that need more (ideology of readers, attributes of contents) the full state.
    """

    users: np.ndarray
    items: np.ndarray
    age: np.ndarray
    proof: np.ndarray
    predicted: np.ndarray
    prediction_noise: float
    population: object
    registry: object

    def __len__(self) -> int:
        return len(self.users)


class Ranker(Plugin):
    """Base of every ranker."""

    def score(self, batch: Candidates, rng: np.random.Generator) -> np.ndarray:
        """One score per candidate; higher is shown first."""
        raise NotImplementedError


@dataclass
class Engagement(Ranker):
    """Predicted engagement, boosted by social proof and discounted by age:
    predicted x noise x (1 + social_proof_weight x log(proof)) x recency_decay^age."""

    social_proof_weight: float = f(0.5, NONNEG)
    recency_decay: float = f(0.5, rng_(0.0, 1.0, lo_open=True))  # score x decay^age in days

    def score(self, batch: Candidates, rng) -> np.ndarray:
        noise = rng.lognormal(0.0, batch.prediction_noise, len(batch))
        return (batch.predicted * noise * (1 + self.social_proof_weight * np.log(batch.proof))
                * self.recency_decay ** batch.age)


@dataclass
class Chronological(Ranker):
    """Newest first, ties in random order; no personalisation."""

    def score(self, batch: Candidates, rng) -> np.ndarray:
        return -batch.age + 0.5 * rng.random(len(batch))


def top_k_per_group(groups: np.ndarray, scores: np.ndarray, k: int | None) -> np.ndarray:
    """Mask of the ``k`` highest-scoring entries of each group (``groups`` sorted; ties:
    earlier entry first).

    Only groups with more than ``k`` entries are sorted: one stable argsort of
    group rank + normalised score, so the cost follows the crowded feeds, not all candidates.
    """
    keep = np.ones(len(scores), dtype=bool)
    if k is None or len(groups) == 0:
        return keep
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
    if not (counts > k).any():
        return keep
    rows = np.repeat(np.arange(len(counts)), counts)
    crowded = np.flatnonzero(counts[rows] > k)
    s = scores[crowded]
    span = s.max() - s.min()
    norm = (s - s.min()) / span if span > 0 else np.zeros_like(s)
    order = crowded[np.argsort(rows[crowded] + 0.999 * (1.0 - norm), kind="stable")]
    ordered_rows = rows[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered_rows, ordered_rows, side="left")
    keep[order[rank >= k]] = False
    return keep
