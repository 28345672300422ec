"""The organic feed of one day: candidates, ranking, selection, attribution.

Candidates are what the accounts a reader follows posted today or reshared yesterday, one per
content, with the number of followees who shared it (social proof); contents the reader has
seen are dropped. The configured ranker scores them and the feed keeps each reader's best
``feed.political_slots``. Every kept impression gets its origin (attribution.py).
"""

from __future__ import annotations

import numpy as np

from .. import behavior
from ..content import ContentRegistry, SeenSet
from ..follows import Follows
from .attribution import organic_origin
from .candidates import candidates_pull, candidates_push, share_triplets, unpack
from .rankers import Candidates, Ranker, top_k_per_group


class OrganicFeed:
    """Builds each day's organic impressions; holds yesterday's reshares until they are read."""

    def __init__(self, cfg, ranker: Ranker, follows: Follows, population, registry: ContentRegistry,
                 seen: SeenSet):
        self.cfg, self.ranker = cfg, ranker  # cfg: the run's Config
        self.follows, self.population, self.registry, self.seen = follows, population, registry, seen
        empty = np.empty(0, dtype=np.int64)
        self.pending = (empty, empty)  # yesterday's reshares: (sharers, contents)

    def queue_reshares(self, sharers: np.ndarray, contents: np.ndarray) -> None:
        """Today's reshares become tomorrow's candidates for the resharers' followers."""
        self.pending = (sharers, contents)

    def candidates(self, readers: np.ndarray, posters: np.ndarray, contents: np.ndarray, day: int):
        """Unseen (reader, content) candidates with the ranker's inputs, and whether a followee
        posted (rather than reshared) each."""
        n, reg, pop, fol = self.follows.n, self.registry, self.population, self.follows
        sharers = np.concatenate([posters, self.pending[0]])
        shared = np.concatenate([contents, self.pending[1]])
        direct = np.concatenate([np.ones(len(posters), bool), np.zeros(len(self.pending[0]), bool)])
        local_ids, local = np.unique(shared, return_inverse=True)
        is_user = sharers < n
        shares = [share_triplets(sharers[m] - off, local[m], direct[m])
                  for m, off in ((is_user, 0), (~is_user, n))]
        if self.cfg.feed.engine == "push":
            is_reader = np.zeros(n, bool)
            is_reader[readers] = True
            users, cols, values = candidates_push(
                is_reader, [fol.followers_users, fol.followers_accounts], shares, len(local_ids))
        else:
            users, cols, values = candidates_pull(
                readers, [fol.users, fol.follows_accounts], shares, len(local_ids))
        items = local_ids[cols]
        fresh = ~self.seen.contains(users, items)
        users, items, values = users[fresh], items[fresh], values[fresh]
        is_direct, proof = unpack(values)
        predicted = behavior.engagement_weight(
            self.cfg.behavior, pop.ideology[users], reg.position(items), reg.appeal(items), False,
            pop.skepticism[users], reg.labeled[items])
        batch = Candidates(users=users, items=items, age=day - reg.created[items], proof=proof,
                           predicted=predicted, prediction_noise=self.cfg.feed.prediction_noise,
                           population=pop, registry=reg)
        return batch, is_direct

    def impressions(self, readers, posters, contents, day: int, rng) -> dict:
        """Today's organic impressions: ranked, the best few per reader kept, attributed."""
        batch, is_direct = self.candidates(readers, posters, contents, day)
        score = self.ranker.score(batch, rng)
        keep = top_k_per_group(batch.users, score, self.cfg.feed.political_slots)
        origin = organic_origin(self.registry.origin[batch.items], is_direct)
        return {"users": batch.users[keep], "contents": batch.items[keep], "origin": origin[keep],
                "weight": batch.predicted[keep], "from_ad": np.zeros(int(keep.sum()), bool)}
