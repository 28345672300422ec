"""Policy levers: what a platform's rules change, each a declared object that does nothing by
default.

A regime (``conf/policy/*.yaml``) sets a few levers; presets compose in order
(``policy=[transparency,cap]``), and every lever a preset does not mention keeps its do-nothing
default. A lever is a :class:`Lever` dataclass: its fields are its parameters (typed, with
ranges, validated and hashed like any config field) and its methods are the *hooks* the model
asks at fixed points of the day. :class:`Policy` asks every lever and combines the answers
(ads allowed only if every lever allows them, the lowest spend limit, the coarsest targeting,
the lowest frequency cap...). A new lever is one class here, or anywhere on the Python path,
named by ``_target_`` in a policy YAML; the model does not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

import numpy as np

from ..config import NONNEG, PROB, CampaignConfig, Plugin, f, rng_
from ..vocabulary import TARGETING_LEVELS


@dataclass
class Posts:
    """The day's queued posts, as the levers filter them: ``keep`` marks those that go out and
    ``suspended`` is the population's flag (enforcement sets it); ``caught`` lists accounts
    suspended today."""

    posters: np.ndarray
    contents: np.ndarray
    is_copy: np.ndarray  # copy-paste content (a text handed out for identical posting)
    keep: np.ndarray
    suspended: np.ndarray
    caught: list = field(default_factory=list)


class Lever(Plugin):
    """Base of every lever: each hook returns what no rule would."""

    key: ClassVar[str] = ""  # the lever's name in a policy config

    def ads_allowed(self, campaign: CampaignConfig) -> bool:
        return True

    def budget_limit(self, campaign: CampaignConfig, per_1000_users: float) -> float:
        """The most the campaign may spend, US$ per 1,000 users."""
        return per_1000_users

    def targeting_level(self, campaign: CampaignConfig, level: str) -> str:
        return level

    def smallest_audience(self) -> float:
        """Smallest share of users a targeted audience may have."""
        return 0.0

    def frequency_cap(self) -> Optional[int]:
        """Most ads of one campaign a user may see per day (None: no cap)."""
        return None

    def filter_posts(self, posts: Posts, rng: np.random.Generator) -> None:
        """Clear ``posts.keep`` for posts that may not go out."""

    def labels(self) -> bool:
        """Paid content carries a "paid for by" label."""
        return False

    def ad_library(self) -> bool:
        """The platform keeps a public library of the ads it ran."""
        return False

    # Ranking hooks (sim/model/feed/feed.py)
    def chronological_share(self) -> float:
        """Share of users on a non-profiling reverse-chronological feed."""
        return 0.0

    def political_score_factor(self) -> float:
        """Factor on the ranking score of campaign content in personalised feeds."""
        return 1.0

    def shows_reshares(self) -> bool:
        """Reshared posts enter followers' feeds."""
        return True


@dataclass
class PoliticalAds(Lever):
    """Whether political campaigns may advertise (civic, non-partisan ads always may)."""

    key: ClassVar[str] = "political_ads"
    allowed: bool = True

    def ads_allowed(self, campaign: CampaignConfig) -> bool:
        return self.allowed or not campaign.political


@dataclass
class SpendCap(Lever):
    """A ceiling on each campaign's spend, US$ per 1,000 users like budgets."""

    key: ClassVar[str] = "spend_cap"
    per_1000_users: Optional[float] = f(None, NONNEG)

    def budget_limit(self, campaign: CampaignConfig, per_1000_users: float) -> float:
        return per_1000_users if self.per_1000_users is None else min(per_1000_users,
                                                                      self.per_1000_users)


@dataclass
class TargetingRule(Lever):
    """The finest targeting allowed (broad < segments < ideology < micro) and the smallest
    audience; a campaign asking for more is served broadly."""

    key: ClassVar[str] = "targeting"
    allowed: str = f("micro", rng_(choices=TARGETING_LEVELS))
    min_audience: float = f(0.0, PROB)

    def targeting_level(self, campaign: CampaignConfig, level: str) -> str:
        allowed = TARGETING_LEVELS.index(self.allowed)
        return level if TARGETING_LEVELS.index(level) <= allowed else "broad"

    def smallest_audience(self) -> float:
        return self.min_audience


@dataclass
class FrequencyCap(Lever):
    """At most ``per_day`` ads of one campaign per user per day."""

    key: ClassVar[str] = "frequency_cap"
    per_day: Optional[int] = f(None, rng_(0, 1000))

    def frequency_cap(self) -> Optional[int]:
        return self.per_day


@dataclass
class IdenticalCap(Lever):
    """At most ``per_day`` posts of copy-paste content per account per day (kept in the order
    queued)."""

    key: ClassVar[str] = "identical_cap"
    per_day: Optional[int] = f(None, rng_(0, 1000))

    def filter_posts(self, posts: Posts, rng) -> None:
        if self.per_day is None or len(posts.posters) == 0:
            return
        copies = np.flatnonzero(posts.is_copy)
        order = copies[np.argsort(posts.posters[copies], kind="stable")]
        ordered = posts.posters[order]
        rank = np.arange(len(order)) - np.searchsorted(ordered, ordered, side="left")
        posts.keep[order[rank >= self.per_day]] = False


@dataclass
class Enforcement(Lever):
    """Against coordinated posting: each account that posted a content which at least
    ``coordination_threshold`` accounts posted is caught with ``detection_rate`` per day and
    suspended; its queued posts are dropped."""

    key: ClassVar[str] = "enforcement"
    enabled: bool = False
    detection_rate: float = f(0.005, PROB)
    coordination_threshold: int = f(10, rng_(2, None))

    def filter_posts(self, posts: Posts, rng) -> None:
        if not self.enabled:
            return
        out = posts.keep
        suspects = coordinated_accounts(posts.posters[out], posts.contents[out],
                                        self.coordination_threshold)
        caught = suspects[rng.random(len(suspects)) < self.detection_rate]
        posts.suspended[caught] = True
        posts.caught.append(caught)
        posts.keep &= ~posts.suspended[posts.posters]


@dataclass
class Labels(Lever):
    """"Paid for by" labels on ads."""

    key: ClassVar[str] = "labels"
    enabled: bool = False

    def labels(self) -> bool:
        return self.enabled


@dataclass
class AdLibrary(Lever):
    """A public library of every ad shown (sponsor, spend, impressions, audience)."""

    key: ClassVar[str] = "ad_library"
    enabled: bool = False

    def ad_library(self) -> bool:
        return self.enabled


# ---------------------------------------------------------------- ranking levers


@dataclass
class ChronologicalOption(Lever):
    """A share of users (drawn once per seed) on a non-profiling reverse-chronological feed
    with no recommendations: the EU Digital Services Act's opt-out (Art. 38); share 1 is a
    mandate."""

    key: ClassVar[str] = "chronological_option"
    share: float = f(0.0, PROB)

    def chronological_share(self) -> float:
        return self.share


@dataclass
class DemotePolitical(Lever):
    """Personalised feeds multiply the ranking score of campaign content by ``factor`` (Meta's
    2021 reduction of political content in News Feed)."""

    key: ClassVar[str] = "demote_political"
    factor: float = f(1.0, PROB)

    def political_score_factor(self) -> float:
        return self.factor


@dataclass
class RemoveReshares(Lever):
    """Reshared posts are removed from feeds (the ablation of Guess et al. 2023b)."""

    key: ClassVar[str] = "remove_reshares"
    enabled: bool = False

    def shows_reshares(self) -> bool:
        return not self.enabled


RANKING_LEVERS: tuple[type[Lever], ...] = (ChronologicalOption, DemotePolitical, RemoveReshares)

BUILTIN: tuple[type[Lever], ...] = (PoliticalAds, SpendCap, TargetingRule, FrequencyCap,
                                    IdenticalCap, Enforcement, Labels, AdLibrary) + RANKING_LEVERS


def coordinated_accounts(posters: np.ndarray, contents: np.ndarray, threshold: int):
    """Accounts that posted a content which at least ``threshold`` distinct accounts posted."""
    if len(posters) == 0:
        return np.empty(0, dtype=np.int64)
    pairs = np.unique(np.stack([contents, posters]), axis=1)
    ids, inverse, counts = np.unique(pairs[0], return_inverse=True, return_counts=True)
    return np.unique(pairs[1][counts[inverse] >= threshold])


@dataclass
class Policy:
    """A regime: its name, how reports show it, and its levers (in the order they act)."""

    name: str = "none"
    label: str = "no rules"
    color: Optional[str] = None  # fixed colour in figures; None: a spare colour
    phrase: str = ""  # "under the ad ban": how the brief's sentences name it
    levers: dict[str, Lever] = field(default_factory=dict, metadata={"flat": True})

    def as_config(self) -> dict:
        """The policy as its config node (levers at the top, as overrides name them)."""
        from ..config import to_dict

        return {"name": self.name, "label": self.label, "color": self.color,
                "phrase": self.phrase, **{k: to_dict(v) for k, v in self.levers.items()}}

    def _all(self):
        return self.levers.values()

    def ads_allowed(self, campaign: CampaignConfig) -> bool:
        return all(lever.ads_allowed(campaign) for lever in self._all())

    def budget_limit(self, campaign: CampaignConfig, n_users: int) -> float:
        """The most a campaign may spend in the run, US$: its budget per 1,000 users, capped
        by the levers, times the population in thousands (a scenario means the same at any
        size)."""
        per_1k = campaign.budget
        for lever in self._all():
            per_1k = lever.budget_limit(campaign, per_1k)
        return per_1k * n_users / 1000.0

    def targeting_level(self, campaign: CampaignConfig) -> str:
        level = campaign.targeting
        for lever in self._all():
            level = lever.targeting_level(campaign, level)
        return level

    def smallest_audience(self) -> float:
        return max([lever.smallest_audience() for lever in self._all()], default=0.0)

    def frequency_cap(self) -> Optional[int]:
        caps = [c for c in (lever.frequency_cap() for lever in self._all()) if c is not None]
        return min(caps) if caps else None

    def filter_posts(self, posts: Posts, rng) -> Posts:
        """Suspended accounts post nothing; then each lever filters in turn."""
        posts.keep &= ~posts.suspended[posts.posters]
        for lever in self._all():
            lever.filter_posts(posts, rng)
        return posts

    @property
    def labels(self) -> bool:
        return any(lever.labels() for lever in self._all())

    @property
    def ad_library(self) -> bool:
        return any(lever.ad_library() for lever in self._all())

    # ranking hooks
    def chronological_share(self) -> float:
        return max([lever.chronological_share() for lever in self._all()], default=0.0)

    def political_score_factor(self) -> float:
        return float(np.prod([lever.political_score_factor() for lever in self._all()]))

    def shows_reshares(self) -> bool:
        return all(lever.shows_reshares() for lever in self._all())
