"""The day's records: what one actor hands the next, each a small table of arrays, defined once.

A day flows one way (docs/model.md §1.3): campaigns decide (:class:`Posts`, bids read from the
campaigns) → each platform filters, ranks and sells (:class:`Impressions`, :class:`AdReceipt`)
→ users react (:class:`Reactions`) → observers measure (:class:`Day`, all of the above). No
actor writes into another's state: a campaign learns what it spent from its receipts, the
metrics learn everything from the day's record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

EMPTY = np.empty(0, np.int64)


@dataclass
class Posts:
    """Posts queued for the day, one row each: who posts which content; ``paid``: an amplifier's
    paid post (paid for only if it goes out)."""

    posters: np.ndarray
    contents: np.ndarray
    paid: np.ndarray

    @classmethod
    def empty(cls) -> Posts:
        return cls(EMPTY, EMPTY, np.empty(0, bool))

    @classmethod
    def concat(cls, parts: list[Posts]) -> Posts:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def take(self, mask: np.ndarray) -> Posts:
        return Posts(self.posters[mask], self.contents[mask], self.paid[mask])


@dataclass
class Impressions:
    """Impressions served, one row each: the reader, the content, how it came (``origin``, a
    :class:`sim.vocabulary.Origin`), its true engagement weight, whether it filled an ad slot,
    whether it was a recommendation and through which account (``via``: -1 for none) and on
    which platform (index in the model's list)."""

    users: np.ndarray
    contents: np.ndarray
    origin: np.ndarray
    weight: np.ndarray
    from_ad: np.ndarray
    recommended: np.ndarray
    via: np.ndarray
    platform: np.ndarray

    DTYPES = {
        "users": np.int64,
        "contents": np.int64,
        "origin": np.int8,
        "weight": float,
        "from_ad": bool,
        "recommended": bool,
        "via": np.int64,
        "platform": np.int8,
    }

    def __len__(self) -> int:
        return len(self.users)

    @classmethod
    def of(
        cls, users, contents, origin, weight, *, from_ad=False, recommended=False, via=-1, platform=0
    ) -> Impressions:
        """Impressions of ``users``; scalars in the keyword columns apply to every row."""
        n = len(users)
        cols = {
            "users": users,
            "contents": contents,
            "origin": origin,
            "weight": weight,
            "from_ad": from_ad,
            "recommended": recommended,
            "via": via,
            "platform": platform,
        }
        return cls(
            **{
                k: (
                    np.full(n, v, cls.DTYPES[k])
                    if np.ndim(v) == 0
                    else np.asarray(v).astype(cls.DTYPES[k], copy=False)
                )
                for k, v in cols.items()
            }
        )

    @classmethod
    def empty(cls) -> Impressions:
        return cls.of(EMPTY, EMPTY, np.empty(0, np.int8), np.empty(0))

    @classmethod
    def concat(cls, parts: list[Impressions]) -> Impressions:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def take(self, mask: np.ndarray) -> Impressions:
        return Impressions(*(getattr(self, f.name)[mask] for f in fields(self)))

    def columns(self) -> dict[str, np.ndarray]:
        """The columns by name (the model's log keeps these)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class AdReceipt:
    """One campaign's day at one platform's ad market: its budget there, what it spent, and what
    it would have spent with no budget stop (``demand``: the pacing controller's input).
    ``creatives`` and ``prices`` are the sold impressions' content ids and prices (US$), in the
    market's batches (one per slot), so that totals add up in the market's order."""

    campaign: int
    platform: int
    budget: float
    remaining: float
    demand: float
    submitted: int = 0  # undeclared creatives submitted to the review
    approved: int = 0  # of which it let through
    creatives: list = field(default_factory=list)
    prices: list = field(default_factory=list)

    @property
    def spent(self) -> float:
        return self.budget - self.remaining


@dataclass
class Reactions:
    """What users did with the day's impressions (masks over them), the campaign accounts they
    followed (one entry per new follow) and how many follows between users were made."""

    engaged: np.ndarray
    reshared: np.ndarray
    followed: np.ndarray
    followers: np.ndarray
    user_follows: int


@dataclass
class FeedStats:
    """A platform's organic feed of the day in totals (readers, candidate and shown items)."""

    readers: int = 0
    candidates: float = 0.0
    shown: float = 0.0
    recommended: float = 0.0


@dataclass
class CampaignState:
    """What a campaign shows of itself to the observers: its set-up and, after each day, where
    its money and bidding stand (``pacing``, ``bid_scale``: one per platform)."""

    cfg: Any  # its CampaignConfig
    budget: float
    spent_ads: float
    spent_amplifiers: float
    spent_staff: float  # money's other channels (sim/model/allocation.py)
    spent_volunteers: float
    spent_platforms: np.ndarray  # ad spend at each platform
    recruited: int  # volunteers its money recruited
    pacing: np.ndarray
    bid_scale: np.ndarray
    audience: np.ndarray  # mask over users: who its ads may reach
    expansions: int
    targeting_used: str
    help: str
    declared: bool
    undeclared: bool
    suspect: bool
    amplifiers: np.ndarray
    amplifier_discloses: np.ndarray
    volunteers: np.ndarray
    detected_day: int | None
    takedown_day: int | None
    status: str  # why it spent what it spent (Campaign.spend_status)

    @property
    def spent(self) -> float:
        return self.spent_ads + self.spent_amplifiers + self.spent_staff + self.spent_volunteers


@dataclass
class Day:
    """Everything that happened on one day, for the observers."""

    day: int
    posts: Posts  # the posts that went out
    impressions: Impressions
    receipts: list[AdReceipt]
    reactions: Reactions
    feeds: list[FeedStats]
    amplifier_pay: np.ndarray  # US$ paid to each campaign's amplifiers today
    readers: int  # users who opened a session
    campaigns: list[CampaignState]  # after the day
