"""Out-of-network recommendations and the engagement history rankers read.

:class:`EngagementLog` counts, per content, the engagements of readers on each side (ideology
< 0, >= 0) over the run (the bridging ranker reads them) and yesterday's engagements (the
pool). A ranker with an ``out_of_network`` share fills that share of each reader's organic
slots from a platform-wide pool: yesterday's ``feed.pool_size`` most-engaged campaign posts
(not ad creatives: those run in ad slots), each shown as shared by one of yesterday's
resharers (the account an engaged reader may follow). Each reader gets
``feed.recommended_candidates`` draws from the pool, in proportion to engagements, scored by the
same ranker, and they compete with non-political recommendations for the out-of-network slots
(attention.py). A recommended impression keeps its content's root origin (it was not
reshared to the reader); that it was recommended is recorded beside it.
"""

from __future__ import annotations

import numpy as np

from ...vocabulary import Origin
from ..arrays import runs, sort_ints
from ..content import KEY_SHIFT


class EngagementLog:
    """Engagements per content: by the reader's side over the run, and yesterday's; and by
    side per source (the content's campaign), which also covers posts too new to have any."""

    def __init__(self, registry):
        self.registry = registry
        self.by_side = np.zeros((1024, 2), np.int64)
        self.by_source = np.zeros((len(registry.positions), 2), np.int64)
        self.yesterday = (np.empty(0, np.int64), np.empty(0, np.int64))  # (contents, counts)

    def record(self, items: np.ndarray, right: np.ndarray) -> None:
        """Today's engagements: ``items`` engaged with by readers on the right (``right``) or
        left."""
        size = self.registry.size
        if len(self.by_side) < size:
            grown = np.zeros((max(size, 2 * len(self.by_side)), 2), np.int64)
            grown[: len(self.by_side)] = self.by_side
            self.by_side = grown
        side = np.asarray(right, np.int64)
        self.by_side += np.bincount(items * 2 + side, minlength=2 * len(self.by_side)).reshape(-1, 2)
        source = self.registry.campaign[items].astype(np.int64)
        self.by_source += np.bincount(source * 2 + side, minlength=self.by_source.size).reshape(-1, 2)
        self.yesterday = runs(np.sort(items))

    def sides(self, items: np.ndarray):
        """(left, right) engagements of each content so far."""
        return self.by_side[items, 0], self.by_side[items, 1]

    def source_sides(self, items: np.ndarray):
        """(left, right) engagements so far with all contents of each content's source."""
        source = self.registry.campaign[items]
        return self.by_source[source, 0], self.by_source[source, 1]

    def pool(self, registry, size: int, pending):
        """Yesterday's ``size`` most-engaged campaign posts (not ad creatives): (contents,
        weights, via). ``via`` is the account each is shown as shared by: the first of
        yesterday's resharers (``pending``: (sharers, contents)), else its author."""
        items, counts = self.yesterday
        organic = registry.origin[items] != Origin.AD
        items, counts = items[organic], counts[organic]
        if len(items) > size:  # most engaged first; ties: lower id
            top = np.sort(np.lexsort((items, -counts))[:size])
            items, counts = items[top], counts[top]
        via = registry.author[items].astype(np.int64)
        sharers, shared = pending
        if len(shared):
            order = np.lexsort((np.arange(len(shared)), shared))  # per content, first resharer
            first = order[np.r_[True, shared[order][1:] != shared[order][:-1]]]
            pos = np.searchsorted(shared[first], items)
            hit = pos < len(first)
            hit[hit] = shared[first][pos[hit]] == items[hit]
            via[hit] = sharers[first][pos[hit]]
        return items, counts.astype(float), via


def draw_recommendations(readers, pool, per_reader: int, exclude_keys, seen, rng):
    """Each reader's recommendation candidates: ``per_reader`` draws from the pool in
    proportion to its weights, distinct, unseen and not among the reader's in-network
    candidates (``exclude_keys``: sorted reader * KEY_SHIFT + content keys). Returns (users,
    contents, via) sorted by user."""
    items, weights, via = pool
    empty = np.empty(0, np.int64)
    if len(items) == 0 or len(readers) == 0 or per_reader == 0:
        return empty, empty, empty
    cdf = np.cumsum(weights)
    picks = np.searchsorted(cdf, rng.random(len(readers) * per_reader) * cdf[-1], side="right")
    picks = np.minimum(picks, len(items) - 1)
    keys, _ = runs(sort_ints(np.repeat(readers, per_reader).astype(np.int64) * KEY_SHIFT + items[picks]))
    if len(exclude_keys):
        pos = np.minimum(np.searchsorted(exclude_keys, keys), len(exclude_keys) - 1)
        keys = keys[exclude_keys[pos] != keys]
    users, contents = np.divmod(keys, KEY_SHIFT)
    fresh = ~seen.contains(users, contents)
    users, contents = users[fresh], contents[fresh]
    return users, contents, via[np.searchsorted(items, contents)]
