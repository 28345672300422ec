"""Reference for the benchmark: the organic-spread step written the naive Mesa way.

One Mesa agent per user; each active agent loops over its followees in Python, collects what
they shared in the previous step (counting social proof), drops what it has seen, scores each
candidate as the engagement ranking does (affinity, appeal, social proof, recency, prediction
noise), keeps the top ``k``, and reacts to each item as the model does (engage or reshare,
maybe follow, bounded-confidence opinion step, turnout nudge, attribution count); the model
then records the day's metrics with a DataCollector (expected vote share, mean opinion and
turnout over all agents). This is the work of the vectorised model's feed, reactions and
metrics, done the way a straightforward Mesa model would. It is kept only to measure against;
nothing in ``sim`` uses it.
"""

from __future__ import annotations

import math

import mesa
import numpy as np


class NaiveUser(mesa.Agent):
    def __init__(self, model, activity: float, reshare: float, ideology: float):
        super().__init__(model)
        self.activity = activity
        self.reshare = reshare
        self.ideology = ideology
        self.opinion = ideology
        self.turnout = 0.6
        self.followees: list[NaiveUser] = []
        self.shared_prev: list[int] = []
        self.shared_now: list[int] = []
        self.seen: set[int] = set()
        self.following_authors: set[int] = set()

    def step(self):
        rnd, m = self.random, self.model
        if rnd.random() >= self.activity:
            return
        proof: dict[int, int] = {}
        for followee in self.followees:
            for item in followee.shared_prev:
                if item not in self.seen:
                    proof[item] = proof.get(item, 0) + 1
        scores = {}
        for item, count in proof.items():
            position, created = m.items[item]
            weight = math.exp(-abs(self.ideology - position) / 0.5)
            noise = math.exp(rnd.gauss(0.0, 0.5))
            scores[item] = weight * noise * (1 + 0.5 * math.log(count)) * 0.5 ** (m.day - created)
        for item in sorted(scores, key=scores.get, reverse=True)[: m.k]:
            self.seen.add(item)
            position, _ = m.items[item]
            weight = math.exp(-abs(self.ideology - position) / 0.5)
            draw = rnd.random()
            m.impressions += 1
            if draw < min(self.reshare * weight, 1.0):
                self.shared_now.append(item)
            if draw < max(0.08 * weight, self.reshare * weight):
                if item % 7 not in self.following_authors and rnd.random() < 0.05:
                    self.following_authors.add(item % 7)
            if abs(position - self.opinion) < 0.3:
                self.opinion += 0.005 * (position - self.opinion)
            if item % 2:
                self.turnout += 0.004 * (1 - self.turnout)


class NaiveModel(mesa.Model):
    """The naive model on a given follower graph (CSR: row = follower, columns = followees)."""

    def __init__(self, follows, activity, reshare, ideology, seeds_per_step=20, k=3, rng=0):
        super().__init__(rng=rng)
        self.k = k
        self.day = 0
        self.impressions = 0
        self.items: list[tuple[float, int]] = []  # (position, day created)
        self.seeds_per_step = seeds_per_step
        self.users = [
            NaiveUser(self, float(a), float(r), float(i)) for a, r, i in zip(activity, reshare, ideology)
        ]
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "vote_share_A": NaiveModel.vote_share,
                "impressions": "impressions",
                "mean_opinion": lambda m: sum(u.opinion for u in m.users) / len(m.users),
                "mean_turnout": lambda m: sum(u.turnout for u in m.users) / len(m.users),
            }
        )
        for i, user in enumerate(self.users):  # set-up, not timed per step
            user.followees = [
                self.users[j] for j in follows.indices[follows.indptr[i] : follows.indptr[i + 1]]
            ]

    def step(self):
        for user in self.random.sample(self.users, self.seeds_per_step):  # fresh posts
            user.shared_now.append(len(self.items))
            self.items.append((self.random.uniform(-1, 1), self.day))
        self.agents.shuffle_do("step")
        for user in self.users:
            user.shared_prev, user.shared_now = user.shared_now, []
        self.datacollector.collect(self)
        self.day += 1

    @staticmethod
    def vote_share(model) -> float:
        """Expected share of candidate A (-0.5) against B (+0.5): softmax of -distance / 0.2."""
        votes_a = votes = 0.0
        for u in model.users:
            a, b = math.exp(-abs(u.opinion + 0.5) / 0.2), math.exp(-abs(u.opinion - 0.5) / 0.2)
            votes_a += u.turnout * a / (a + b)
            votes += u.turnout
        return votes_a / votes


def time_per_step(follows, steps: int, seed: int = 0) -> float:
    """Seconds per step of the naive model on ``follows`` (mean over ``steps``)."""
    import time

    n = follows.shape[0]
    rng = np.random.default_rng(seed)
    model = NaiveModel(
        follows, rng.beta(0.5, 1.5, n), np.where(rng.random(n) < 0.3, 0.1, 0.0), rng.uniform(-1, 1, n)
    )
    model.step()  # warm-up: the first step has nothing to spread yet
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - start) / steps
