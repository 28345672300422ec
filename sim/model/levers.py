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

import math
from dataclasses import dataclass, field
from typing import ClassVar, Optional

import numpy as np

from ..config import NONNEG, POSITIVE, PROB, CampaignConfig, Plugin, f, rng_
from ..vocabulary import TARGETING_LEVELS


@dataclass
class PostFilter:
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

    def ads_on(self, campaign: CampaignConfig, days: np.ndarray, steps: int) -> np.ndarray:
        """Mask over ``days`` (0-based, of a run of ``steps``): may the campaign buy ads on each?
        The hook of rules in time and by advertiser (a blackout before election day, an
        authorisation); ``ads_allowed`` is the same question for every day."""
        return np.ones(len(days), bool)

    def budget_limit(self, campaign: CampaignConfig, per_1000_users: float) -> float:
        """The most the campaign may spend, US$ per 1,000 users."""
        return per_1000_users

    def ad_spend_cap(self, campaign: CampaignConfig) -> Optional[float]:
        """The most the campaign may spend on ads on the platform in the run, US$ per 1,000
        users (None: no cap); reached, its ads there stop."""
        return None

    def advertiser_review(self) -> Optional[tuple[float, int]]:
        """(probability an undeclared political advertiser is caught, days before it is); None:
        no review of advertisers."""
        return None

    def targeting_level(self, campaign: CampaignConfig, level: str) -> str:
        return level

    def smallest_audience(self) -> float:
        """Smallest share of users a targeted audience may have."""
        return 0.0

    def frequency_cap(self) -> Optional[int]:
        """Most ads of one campaign a user may see per day (None: no cap)."""
        return None

    def filter_posts(self, posts: PostFilter, rng: np.random.Generator) -> None:
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

    # -- accountability, disclosure and platform help (sim/model/watchdogs.py reads these)

    def label_recall(self) -> Optional[float]:
        """Share of viewers who notice and recall a label (None: this lever sets no labels)."""
        return None

    def review_recall(self) -> float:
        """Probability the platform's ad review catches an undeclared political ad."""
        return 0.0

    def poster_disclosure(self, voluntary: float) -> float:
        """Share of paid posters who disclose the payment, given the share who would unasked."""
        return voluntary

    def watchdogs(self) -> Optional[Watchdogs]:
        """The watchdogs reading the ad library (None: nobody reads it)."""
        return None

    def platform_help(self, requested: str) -> str:
        """The help a campaign gets from the platform (embedded, self_service, none)."""
        return requested

    def help_effects(self, level: str) -> Optional[tuple[float, float, float]]:
        """What a help level does (PlatformHelp; None: this lever does not say)."""
        return None

    def disclosure_recall(self) -> Optional[float]:
        """Share of viewers who recall a paid poster's disclosure (None: this lever does not
        say)."""
        return None


@dataclass
class PoliticalAds(Lever):
    """Whether political campaigns may advertise (civic, non-partisan ads always may)."""

    key: ClassVar[str] = "political_ads"
    allowed: bool = True

    def ads_allowed(self, campaign: CampaignConfig) -> bool:
        """Ads the platform sees as political (declared) are stopped; undeclared ones pass
        unless the ad review catches them (:class:`AdReview`)."""
        return self.allowed or not (campaign.political and campaign.declares_political)


@dataclass
class SpendCap(Lever):
    """A ceiling on each campaign's spend, US$ per 1,000 users like budgets. ``scope``:
    ``total``, a legal limit on all its spending in the run (its budget is lowered at set-up);
    ``ads``, the platform's limit on each advertiser's ad spend there: its ads there stop when
    it is reached during the run, and what is left moves to its other channels as the
    allocation rule says (sim/model/allocation.py)."""

    key: ClassVar[str] = "spend_cap"
    per_1000_users: Optional[float] = f(None, NONNEG)
    scope: str = f("total", rng_(choices=("total", "ads")))

    def budget_limit(self, campaign: CampaignConfig, per_1000_users: float) -> float:
        if self.per_1000_users is None or self.scope != "total":
            return per_1000_users
        return min(per_1000_users, self.per_1000_users)

    def ad_spend_cap(self, campaign: CampaignConfig) -> Optional[float]:
        return self.per_1000_users if self.scope == "ads" else None


@dataclass
class Blackout(Lever):
    """No political ads in the last ``days`` days of the run (Facebook accepted no new political
    ads in the week before 3 Nov 2020; ads already running could continue: the model stops
    them all, an upper bound). Campaigns whose political ads are undeclared are not seen."""

    key: ClassVar[str] = "blackout"
    days: int = f(0, rng_(0, 100_000))

    def ads_on(self, campaign: CampaignConfig, days: np.ndarray, steps: int) -> np.ndarray:
        if not self.days or not (campaign.political and campaign.declares_political):
            return np.ones(len(days), bool)
        return days < steps - self.days


@dataclass
class AdvertiserReview(Lever):
    """Review per advertiser: an advertiser that runs political ads without declaring them
    (where declaring would stop or label them) is caught with probability ``recall`` (one draw
    per advertiser and platform), and all its ads on the platform stop from day ``delay`` of
    the run on (not only some creatives: :class:`AdReview`)."""

    key: ClassVar[str] = "advertiser_review"
    recall: float = f(0.0, PROB)
    delay: int = f(0, rng_(0, 100_000))

    def advertiser_review(self) -> Optional[tuple[float, int]]:
        return (self.recall, self.delay) if self.recall > 0 else None


@dataclass
class TargetingRule(Lever):
    """The finest targeting allowed (broad < segments < ideology < micro) and the smallest
    audience; a campaign asking for more targets as finely as allowed (it picks the best
    allowed cells: sim/model/campaigns.py)."""

    key: ClassVar[str] = "targeting"
    allowed: str = f("micro", rng_(choices=TARGETING_LEVELS))
    min_audience: float = f(0.0, PROB)

    def targeting_level(self, campaign: CampaignConfig, level: str) -> str:
        return TARGETING_LEVELS[min(TARGETING_LEVELS.index(level), TARGETING_LEVELS.index(self.allowed))]

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

    def filter_posts(self, posts: PostFilter, rng) -> None:
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

    def filter_posts(self, posts: PostFilter, rng) -> None:
        if not self.enabled:
            return
        out = posts.keep
        suspects = coordinated_accounts(posts.posters[out], posts.contents[out], self.coordination_threshold)
        caught = suspects[rng.random(len(suspects)) < self.detection_rate]
        posts.suspended[caught] = True
        posts.caught.append(caught)
        posts.keep &= ~posts.suspended[posts.posters]


@dataclass
class Labels(Lever):
    """ "Paid for by" labels on declared ads; they act only on the viewers who notice and
    recall them (``recall``)."""

    key: ClassVar[str] = "labels"
    enabled: bool = False
    recall: float = f(0.4, PROB)

    def labels(self) -> bool:
        return self.enabled

    def label_recall(self) -> Optional[float]:
        return self.recall if self.enabled else None

    def disclosure_recall(self) -> Optional[float]:
        return self.recall  # a disclosure is recalled as a label is, labels on or off


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


@dataclass
class AdReview(Lever):
    """The platform's review of ads that were not declared political: each undeclared political
    ad is caught (and not run) with probability ``recall``. It matters only where declaring
    would stop or label the ad (a ban, labels, a library)."""

    key: ClassVar[str] = "ad_review"
    recall: float = f(0.0, PROB)

    def review_recall(self) -> float:
        return self.recall


@dataclass
class Watchdogs(Lever):
    """Journalists and researchers reading the ad library (sim/model/watchdogs.py): each day
    they read the ads shown ``lag`` days before, a share ``coverage`` of them; a foreign,
    inauthentic or undeclared sponsor whose ads that day had x impressions per 1,000 users is
    flagged with probability coverage x (1 - exp(-x / visibility)), and the platform takes it
    down a geometric number of days later with mean ``takedown_days`` (lag + takedown_days
    ~ the 210 days of Edelson et al. 2020); its later content loses a share
    ``credibility_cost`` of its appeal."""

    key: ClassVar[str] = "watchdogs"
    enabled: bool = False
    coverage: float = f(0.5, PROB)
    lag: int = f(7, rng_(0, 100_000))
    takedown_days: float = f(203.0, rng_(0.0, 100_000.0))
    visibility: float = f(20.0, POSITIVE)
    credibility_cost: float = f(0.3, PROB)

    def watchdogs(self) -> Optional[Watchdogs]:
        return self if self.enabled else None


@dataclass
class PosterDisclosure(Lever):
    """Disclosure rules for paid posters: when ``required``, a share ``compliance`` of them
    disclose (or more, if more would unasked)."""

    key: ClassVar[str] = "poster_disclosure"
    required: bool = False
    compliance: float = f(0.5, PROB)

    def poster_disclosure(self, voluntary: float) -> float:
        return max(voluntary, self.compliance) if self.required else voluntary


@dataclass
class PlatformHelp(Lever):
    """What the platform's help does for a campaign's optimisation, by level (embedded staff,
    self-service portal, none), and whether embedded help is offered at all (Facebook stopped
    embedding staff in campaigns in 2018). Self-service is the reference: a campaign's own
    ``micro_noise`` and testing; embedded help multiplies its targeting noise by
    ``noise_embedded`` and tests ``variants_embedded`` creatives a day, no help
    ``noise_none`` and ``variants_none``. Testing k variants whose appeal is lognormal with
    sd ``creative_sd`` and keeping the best multiplies appeal by exp(sd x E[max of k normals]),
    relative to self-service. A campaign whose ``cta_share`` is null takes its level's."""

    key: ClassVar[str] = "platform_help"
    embedded_offered: bool = True
    noise_embedded: float = f(0.5, NONNEG)
    noise_none: float = f(1.5, NONNEG)
    variants_embedded: int = f(360, rng_(1, 100_000))
    variants_self_service: int = f(4, rng_(1, 100_000))
    variants_none: int = f(1, rng_(1, 100_000))
    creative_sd: float = f(0.1, rng_(0.0, 2.0))
    cta_embedded: float = f(0.84, PROB)
    cta_self_service: float = f(0.56, PROB)
    cta_none: float = f(0.5, PROB)

    def platform_help(self, requested: str) -> str:
        return "self_service" if requested == "embedded" and not self.embedded_offered else requested

    def help_effects(self, level: str) -> tuple[float, float, float]:
        """(targeting-noise multiplier, appeal multiplier from testing, call-to-action share)."""
        noise = {"embedded": self.noise_embedded, "self_service": 1.0, "none": self.noise_none}
        variants = {
            "embedded": self.variants_embedded,
            "self_service": self.variants_self_service,
            "none": self.variants_none,
        }
        cta = {"embedded": self.cta_embedded, "self_service": self.cta_self_service, "none": self.cta_none}
        gain = math.exp(
            self.creative_sd
            * (expected_max_normal(variants[level]) - expected_max_normal(self.variants_self_service))
        )
        return noise[level], gain, cta[level]


def expected_max_normal(k: int) -> float:
    """E[max of k independent standard normals] (numerical integral; 0 for k = 1)."""
    x = np.linspace(-9.0, 9.0, 6001)
    pdf = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = np.cumsum(pdf) * (x[1] - x[0])
    return float(np.trapezoid(x * k * pdf * np.clip(cdf, 0, 1) ** (k - 1), x)) if k > 1 else 0.0


BUILTIN: tuple[type[Lever], ...] = (
    PoliticalAds,
    SpendCap,
    Blackout,
    AdvertiserReview,
    TargetingRule,
    FrequencyCap,
    IdenticalCap,
    Enforcement,
    Labels,
    AdLibrary,
    AdReview,
    Watchdogs,
    PosterDisclosure,
    PlatformHelp,
) + RANKING_LEVERS


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
    # levers set otherwise than the preset sets them ("frequency cap 1/day"): reports add it
    # to the label; not part of the config (as_config), so not of its hash
    changed: str = ""

    @property
    def shown_label(self) -> str:
        """The label with the changed levers: "no rules, frequency cap 1/day"."""
        return f"{self.label}, {self.changed}" if self.changed else self.label

    @property
    def shown_phrase(self) -> str:
        return f"{self.phrase} ({self.changed})" if self.changed else self.phrase

    def as_config(self) -> dict:
        """The policy as its config node (levers at the top, as overrides name them)."""
        from ..config import to_dict

        return {
            "name": self.name,
            "label": self.label,
            "color": self.color,
            "phrase": self.phrase,
            **{k: to_dict(v) for k, v in self.levers.items()},
        }

    # Each question is asked of every lever and the answers combined: ``_answers`` lists them
    # (None: the lever has no say), ``_chain`` passes a value through the levers in order.
    def _answers(self, hook: str, *args) -> list:
        return [a for a in (getattr(lever, hook)(*args) for lever in self.levers.values()) if a is not None]

    def _chain(self, hook: str, value, *args):
        for lever in self.levers.values():
            value = getattr(lever, hook)(*args, value)
        return value

    def ads_allowed(self, campaign: CampaignConfig) -> bool:
        return all(self._answers("ads_allowed", campaign))

    def ad_days(self, campaign: CampaignConfig, steps: int) -> np.ndarray:
        """Mask over the run's days: may ``campaign`` buy ads that day (every lever agrees)?"""
        days = np.arange(steps)
        return np.logical_and.reduce(
            [np.full(steps, self.ads_allowed(campaign))] + self._answers("ads_on", campaign, days, steps)
        )

    def budget_limit(self, campaign: CampaignConfig, n_users: int) -> float:
        """The most a campaign may spend in the run, US$: its budget per 1,000 users, capped
        by the levers, times the population in thousands (a scenario means the same at any
        size)."""
        return self._chain("budget_limit", campaign.budget, campaign) * n_users / 1000.0

    def ad_spend_cap(self, campaign: CampaignConfig, n_users: int) -> float:
        """The most a campaign may spend on ads on this platform in the run, US$ (inf: no cap)."""
        caps = self._answers("ad_spend_cap", campaign)
        return min(caps) * n_users / 1000.0 if caps else math.inf

    def advertiser_review(self) -> Optional[tuple[float, int]]:
        found = self._answers("advertiser_review")
        return max(found) if found else None

    def targeting_level(self, campaign: CampaignConfig) -> str:
        return self._chain("targeting_level", campaign.targeting, campaign)

    def smallest_audience(self) -> float:
        return max(self._answers("smallest_audience"), default=0.0)

    def frequency_cap(self) -> Optional[int]:
        return min(self._answers("frequency_cap"), default=None)

    def filter_posts(self, posts: PostFilter, rng) -> PostFilter:
        """Suspended accounts post nothing; then each lever filters in turn."""
        posts.keep &= ~posts.suspended[posts.posters]
        for lever in self.levers.values():
            lever.filter_posts(posts, rng)
        return posts

    @property
    def labels(self) -> bool:
        return any(self._answers("labels"))

    @property
    def ad_library(self) -> bool:
        return any(self._answers("ad_library"))

    # ranking hooks
    def chronological_share(self) -> float:
        return max(self._answers("chronological_share"), default=0.0)

    def political_score_factor(self) -> float:
        return float(np.prod(self._answers("political_score_factor")))

    def shows_reshares(self) -> bool:
        return all(self._answers("shows_reshares"))

    # -- accountability, disclosure and platform help
    @property
    def label_recall(self) -> float:
        """Share of viewers who recall a label (0 when nothing is labeled)."""
        return max(self._answers("label_recall"), default=0.0) if self.labels else 0.0

    @property
    def disclosure_recall(self) -> float:
        """Share of viewers who recall a paid poster's disclosure: as for labels."""
        return (self._answers("disclosure_recall") or [Labels().recall])[0]

    @property
    def review_recall(self) -> float:
        return max(self._answers("review_recall"), default=0.0)

    def poster_disclosure(self, voluntary: float) -> float:
        return self._chain("poster_disclosure", voluntary)

    @property
    def watchdogs(self) -> Optional[Watchdogs]:
        """The watchdogs, if any lever sets them and there is a library for them to read."""
        found = self._answers("watchdogs")
        return found[0] if found and self.ad_library else None

    def declaration_matters(self, campaign: CampaignConfig) -> bool:
        """Would declaring its ads political stop or label them? Only then does a campaign that
        hides its political ads gain anything, and only then does the review look for them."""
        import dataclasses

        declared = dataclasses.replace(campaign, political=True, declares_political=True)
        return not self.ads_allowed(declared) or self.labels or self.ad_library

    def platform_help(self, requested: str) -> str:
        return self._chain("platform_help", requested)

    def help_effects(self, level: str) -> tuple[float, float, float]:
        """(noise multiplier, appeal multiplier, call-to-action share) of a help level."""
        return (self._answers("help_effects", level) or [PlatformHelp().help_effects(level)])[0]
