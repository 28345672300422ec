"""Feed rankers: how the platform orders what each reader could see.

A ranker is a plug-in (:class:`Ranker`): a dataclass whose fields are its parameters, chosen in
the config by ``_target_`` (``conf/ranking/*.yaml``). It scores a whole batch of (reader,
content) candidates at once, and says what score it would give the reader's non-political
candidates (``competitor_score``), against which campaign content competes for the organic
slots (attention.py). A new ranker is one class, anywhere on the Python path, plus one YAML
file naming it; nothing else changes.

Built in: ``Engagement`` (the platforms' default; with ``out_of_network`` > 0 it fills that
share of the slots with recommendations, the "for you" feed), ``Chronological`` (no
personalisation) and ``Bridging`` (engagement times how evenly both sides engaged with the
item; Ovadya & Thorburn 2023).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import special

from ...config import NONNEG, POSITIVE, PROB, Plugin, f, rng_
from .. import threads
from .attention import selection_lift


@dataclass
class Candidates:
    """One day's campaign-content candidates, one entry per (reader, content), sorted by reader.

    ``predicted`` is the platform's model of engagement without its noise (appeal x affinity
    x source x label discount x out-group boost); ``proof`` is how many of the reader's
    followees shared the content (0 for a recommendation); ``age`` is days since it was
    created. ``prediction_noise``, ``political_engagement``, ``nonpolitical_sigma`` and
    ``political_factor`` come from the feed config and the policy (attention.py).
    ``population``, ``registry`` and ``history`` (engagements per content and side,
    recommendations.py) give rankers that need more the full state.
    """

    users: np.ndarray
    items: np.ndarray
    age: np.ndarray
    proof: np.ndarray
    predicted: np.ndarray
    prediction_noise: float
    population: object
    registry: object
    political_engagement: float = 1.0
    nonpolitical_sigma: float = 0.0
    political_factor: float = 1.0
    history: object = None

    def __len__(self) -> int:
        return len(self.users)


class Ranker(Plugin):
    """Base of every ranker."""

    out_of_network: ClassVar[float] = 0.0  # share of organic slots filled by recommendations

    def score(self, batch: Candidates, rng: np.random.Generator) -> np.ndarray:
        """One score per candidate; higher is shown first."""
        raise NotImplementedError

    def competitor_score(self, u: np.ndarray, batch: Candidates, scores: np.ndarray) -> np.ndarray:
        """The score of the non-political candidate at quantile ``u`` (uniform in (0, 1)) of a
        reader's non-political candidates. Default, for a ranker that knows nothing of
        non-political content: they score like today's campaign candidates (the empirical
        quantile of ``scores``), so the ranker favours neither."""
        ordered = np.sort(scores)
        return ordered[np.minimum((u * len(ordered)).astype(np.int64), len(ordered) - 1)]

    def nonpolitical_lift(self, share: np.ndarray, batch: Candidates) -> np.ndarray:
        """Mean engagement of the non-political items shown over that of all of them, when a
        share ``share`` is shown (1: the ranker does not select for engagement)."""
        return np.ones(np.shape(share))


@dataclass
class Engagement(Ranker):
    """Predicted engagement, boosted by social proof and discounted by age:
    predicted x noise x (1 + social_proof_weight x log(proof)) x recency_decay^age, times the
    policy's factor on political content. A non-political candidate scores its own predicted
    engagement: lognormal with median 1 / political_engagement and log-sd
    sqrt(nonpolitical_sigma^2 + prediction_noise^2), fresh and from a followee."""

    social_proof_weight: float = f(0.5, NONNEG)
    recency_decay: float = f(0.5, rng_(0.0, 1.0, lo_open=True))  # score x decay^age in days
    out_of_network: float = f(0.0, PROB)  # share of organic slots given to recommendations

    def score(self, batch: Candidates, rng) -> np.ndarray:
        noise = threads.lognormal(rng, batch.prediction_noise, len(batch))
        proof = 1 + self.social_proof_weight * np.log(np.maximum(batch.proof, 1))
        return batch.predicted * noise * proof * self.recency_decay**batch.age * batch.political_factor

    def competitor_score(self, u, batch, scores):
        spread = np.hypot(batch.nonpolitical_sigma, batch.prediction_noise)
        return np.exp(spread * special.ndtri(u)) / batch.political_engagement

    def nonpolitical_lift(self, share, batch):
        return selection_lift(share, batch.nonpolitical_sigma, batch.prediction_noise)


@dataclass
class Chronological(Ranker):
    """Newest first, no personalisation: every candidate (political or not) was shared in the
    last day, so its place in the reverse-chronological order is uniform, and each candidate
    is shown with the probability its share of the candidates implies."""

    def score(self, batch: Candidates, rng) -> np.ndarray:
        return rng.random(len(batch))

    def competitor_score(self, u, batch, scores):
        return u


@dataclass
class Bridging(Engagement):
    """Engagement ranking times a bridging factor: how evenly readers on both sides (ideology
    < 0, >= 0) have engaged with the item's source so far (its campaign: most candidates are
    new posts with no engagement of their own), (4 (L + a)(R + a) / (L + R + 2a)^2)^weight
    with a prior of ``prior`` engagements on each side (1 when both sides engage alike, towards
    0 when one side only). Non-political content is not divisive and keeps factor 1. A simple
    form of "ranked highly if valued by people who usually disagree" (Ovadya & Thorburn 2023;
    Community Notes scores notes and raters this way from their history, with a matrix
    factorisation)."""

    bridging_weight: float = f(1.0, NONNEG)
    prior: float = f(10.0, POSITIVE)  # pseudo-engagements per side

    def score(self, batch: Candidates, rng) -> np.ndarray:
        left, right = batch.history.source_sides(batch.items)
        a = self.prior
        bridge = 4 * (left + a) * (right + a) / (left + right + 2 * a) ** 2
        return super().score(batch, rng) * bridge**self.bridging_weight
