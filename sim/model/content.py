"""Content items and the record of who has seen what.

A content id stands for one message; identical copies (the same text posted by many accounts)
share it and are flagged ``copy``, so "a user does not see the same content twice" is a rule
about ids. Every content has a root origin (ad, owned or amplified) that its reshares inherit for attribution.
"""

from __future__ import annotations

import numpy as np

from .arrays import sort_ints
from .kernels import member, merge_sorted

KEY_SHIFT = 2**28  # seen-set key = user * KEY_SHIFT + content (int64): 268M content ids


class ContentRegistry:
    """Growable arrays of content attributes, one entry per content id."""

    FIELDS = {
        "campaign": np.int16,
        "origin": np.int8,
        "author": np.int64,
        "labeled": np.float32,
        "cta": bool,
        "created": np.int32,
        "variant": np.int16,
        "copy": bool,
        "hostile": bool,  # attacks the out-group (behavior.outgroup_factor)
        "funded": bool,  # an organic post that money paid for (staff, recruited volunteers)
    }

    def __init__(self, positions: np.ndarray, appeals: np.ndarray):
        self.positions = positions  # per campaign
        self.appeals = appeals
        self.size = 0
        self._cap = 1024
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(self._cap, dtype=dtype))

    def add(
        self,
        count,
        *,
        campaign,
        origin,
        author,
        labeled,
        cta,
        created,
        variant=0,
        copy=False,
        hostile=False,
        funded=False,
    ):
        """Append ``count`` contents; scalar or array attributes; return their ids."""
        if self.size + count > KEY_SHIFT:
            raise OverflowError("more than 2**28 contents in one run")
        while self.size + count > self._cap:
            self._cap *= 2
            for name in self.FIELDS:
                old = getattr(self, name)
                new = np.zeros(self._cap, dtype=old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        ids = np.arange(self.size, self.size + count)
        values = dict(
            campaign=campaign,
            origin=origin,
            author=author,
            labeled=labeled,
            cta=cta,
            created=created,
            variant=variant,
            copy=copy,
            hostile=hostile,
            funded=funded,
        )
        for name, value in values.items():
            getattr(self, name)[ids] = value
        self.size += count
        return ids

    def position(self, ids: np.ndarray) -> np.ndarray:
        return self.positions[self.campaign[ids]]

    def appeal(self, ids: np.ndarray) -> np.ndarray:
        return self.appeals[self.campaign[ids]]


class SeenSet:
    """A set of (user, content) keys (or any int pairs) as a few sorted runs (a log-structured
    merge).

    New keys form a run; a run is merged into the one before it while that one is no more
    than twice its size, so there are O(log n) runs, each key is copied O(log n) times over a
    run, and lookups are one ``searchsorted`` per run. Rebuilding one sorted array every step
    would copy all keys every step instead.
    """

    def __init__(self, shift: int = KEY_SHIFT):
        self.runs: list[np.ndarray] = []
        self.shift = shift  # key = first * shift + second; second < shift

    def key(self, first, second) -> np.ndarray:
        return np.asarray(first, dtype=np.int64) * self.shift + np.asarray(second, np.int64)

    def split(self, keys: np.ndarray):
        """(first, second) of keys."""
        return np.divmod(keys, self.shift)

    @property
    def keys(self) -> np.ndarray:
        """All keys, sorted (merges the runs; for inspection, not the hot path)."""
        self._merge(force=True)
        return self.runs[0] if self.runs else np.empty(0, np.int64)

    def contains(self, users, contents) -> np.ndarray:
        keys = self.key(users, contents)
        hit = np.zeros(len(keys), dtype=bool)
        for run in self.runs:
            member(run, keys, hit)
        return hit

    def add(self, users, contents) -> None:
        """Record pairs; pairs must be new (the feed filters them first)."""
        keys = sort_ints(self.key(users, contents))
        if len(keys):
            self.runs.append(keys)
            self._merge()

    def _merge(self, force: bool = False) -> None:
        while len(self.runs) > 1 and (force or len(self.runs[-2]) <= 2 * len(self.runs[-1])):
            last = self.runs.pop()
            self.runs[-1] = merge_sorted(self.runs[-1], last)  # one linear pass, no index array

    def __len__(self) -> int:
        return sum(len(run) for run in self.runs)


class AdViews:
    """Which ads each user has seen, from the auction's counts instead of a pair per impression.

    A reader shown m ads of a campaign on a day at one platform saw that campaign's first m
    creatives of the day there, in the order the auction hands them out
    (``AdAuction.creative``), and never one twice. So one count per reader per (campaign, day,
    platform) table says which: (user, ad) was seen iff the user's count in the ad's table
    exceeds the ad's place in that order. Ads are ~95% of impressions; as pairs they were most
    of the memory of a run (8 bytes each, 2 GB over 30 days at 1M users) and of the work of
    keeping them sorted; a table takes one byte per user.
    """

    def __init__(self):
        self.counts = np.zeros(0, np.uint8)  # the tables one after another, one count per user
        self.used = 0
        self.offset: list[int] = []  # where each table starts in ``counts``
        self.width: list[int] = []  # users it covers (later users: count 0)
        self.table_of = np.full(0, -1, np.int64)  # per content id: its table (-1: not an ad)
        self.place_of = np.zeros(0, np.int64)  # per content id: its place in the day's order

    def record(self, ads: np.ndarray, readers: np.ndarray, shown: np.ndarray) -> None:
        """One (campaign, day, platform): ``ads`` the content ids in the order readers get them
        (-1 where never created), ``shown`` how many of them each of ``readers`` got."""
        if not shown.any():
            return
        if shown.max() > np.iinfo(self.counts.dtype).max:
            self.counts = self.counts.astype(np.uint16)
        width = int(readers.max()) + 1
        if self.used + width > len(self.counts):
            grown = np.zeros(max(self.used + width, 2 * len(self.counts)), self.counts.dtype)
            grown[: self.used] = self.counts[: self.used]
            self.counts = grown
        self.counts[self.used + readers] = shown
        table = len(self.offset)
        self.offset.append(self.used)
        self.width.append(width)
        self.used += width
        created = np.flatnonzero(ads >= 0)
        ids = ads[created]
        top = int(ids.max()) + 1 if len(ids) else 0
        if top > len(self.table_of):
            size = max(top, 2 * len(self.table_of))
            self.table_of = np.r_[self.table_of, np.full(size - len(self.table_of), -1, np.int64)]
            self.place_of = np.r_[self.place_of, np.zeros(size - len(self.place_of), np.int64)]
        self.table_of[ids] = table
        self.place_of[ids] = created

    def mark(self, users: np.ndarray, contents: np.ndarray, hit: np.ndarray) -> None:
        """Set ``hit`` where the user has seen the content as an ad."""
        if len(self.offset) == 0 or len(contents) == 0:
            return
        known = contents < len(self.table_of)
        table = np.full(len(contents), -1, np.int64)
        table[known] = self.table_of[contents[known]]
        ad = np.flatnonzero(table >= 0)
        if len(ad) == 0:
            return
        t, u = table[ad], np.asarray(users, np.int64)[ad]
        inside = u < np.asarray(self.width)[t]
        ad, t, u = ad[inside], t[inside], u[inside]
        count = self.counts[np.asarray(self.offset)[t] + u]
        hit[ad] |= count > self.place_of[contents[ad]]


class Seen:
    """What each user has seen: its organic impressions as (user, content) pairs (SeenSet) and
    its ads by the auction's counts (AdViews, which the ad markets fill)."""

    def __init__(self):
        self.pairs = SeenSet()
        self.ads = AdViews()

    def contains(self, users, contents) -> np.ndarray:
        """Mask: has each user seen each content, organically or as an ad?"""
        hit = self.pairs.contains(users, contents)
        self.ads.mark(np.asarray(users), np.asarray(contents, np.int64), hit)
        return hit

    def add(self, impressions) -> None:
        """Record a day's organic impressions (its ads are in ``ads`` already)."""
        organic = ~impressions.from_ad
        self.pairs.add(impressions.users[organic], impressions.contents[organic])
