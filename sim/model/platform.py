"""A platform: one feed, one ad market and one set of rules, and its share of users' attention.

A model has one or more platforms (``platforms`` in the config; none listed: one platform with
the run's ``policy`` and ``ranking``, today's model). Each owns what is its own: its feed
(rankers, attention, recommendations: feed/), its ad market (auction, ad review and the ad
library's readers: auction.py, watchdogs.py) and its policy levers (levers.py). Users, their
follows, the contents and what each user has seen are shared: the same people, reading the
same posts, on every platform they are on. Who is on which platform: every user on every one,
unless a platform gives its ``reach`` (the share of users on it; :func:`membership`). A user's
reading of a day happens on one of their platforms, drawn with those platforms' attention
shares; users on no platform read nothing and their posts go nowhere.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .auction import AdAuction
from .feed.feed import OrganicFeed
from .levers import Policy, PostFilter
from .records import AdReceipt, Impressions, Posts
from .watchdogs import Accountability


def membership(reach: list, overlap: list, n: int, rng: np.random.Generator) -> np.ndarray | None:
    """Who is on which platform: a mask users x platforms, or None when no platform gives a
    ``reach`` (everyone on every platform: no draw, so a seed's other draws are unchanged).

    A one-factor Gaussian copula: user i is on platform k when
    sqrt(o_k) g_i + sqrt(1 - o_k) e_ik < Phi^-1(reach_k), with g_i (a user's use of social media
    at all) and e_ik standard normal: each platform's share of users is its ``reach`` (a
    platform without one has every user), and two platforms' memberships overlap more than
    independence would give as their ``overlap`` loadings o grow (latent correlation
    sqrt(o_j o_k)). Drawn once per seed, from its own stream."""
    if all(r is None for r in reach):
        return None
    common = rng.standard_normal(n)
    own = rng.standard_normal((n, len(reach)))
    o = np.asarray(overlap, float)
    latent = np.sqrt(o) * common[:, None] + np.sqrt(1.0 - o) * own
    cut = np.array([np.inf if r is None or r >= 1.0 else ndtri(r) for r in reach])
    return latent < cut


class Platform:
    """One platform's feed, ad market and rules; ``share``: its share of users' attention."""

    def __init__(
        self,
        index: int,
        name: str,
        share: float,
        cfg,
        policy: Policy,
        ranker,
        *,
        follows,
        population,
        registry,
        seen,
        campaigns,
        rng_ranking,
        rng_enforcement,
        members: np.ndarray | None = None,
    ):
        """``members``: mask over regular users, who is on it (None: everyone)."""
        self.index, self.name, self.share, self.policy = index, name, share, policy
        self.members = members
        self.feed = OrganicFeed(
            cfg, ranker, follows, population, registry, seen, policy, rng_ranking, platform=index
        )
        # Enforcement (ad review, watchdogs) draws from its own stream, so switching it on
        # leaves every other draw of a seed as it was (paired comparisons).
        self.market = AdAuction(
            cfg, campaigns, population, registry, policy, rng_enforcement, platform=index, views=seen.ads
        )
        self.accountability = Accountability(
            policy.watchdogs, campaigns, population, registry, population.n, cfg.steps, rng_enforcement
        )
        self.registry, self.population = registry, population
        # Review per advertiser: the day from which each campaign's ads here stop (the run's
        # length: never); drawn only when the lever is on (other draws of a seed unchanged).
        self._blocked = {}
        review = policy.advertiser_review()
        if review is not None:
            recall, delay = review
            for camp in campaigns:
                caught = rng_enforcement.random() < recall
                if camp.undeclared and caught:
                    self._blocked[camp.index] = delay

    # ---------------------------------------------------------------- the day, in order

    def filter_posts(self, posts: Posts, rng) -> PostFilter:
        """The platform's rules on the day's posts: which go out here (``keep``). A regular
        user posts only where they are a member (campaign accounts are on every platform)."""
        return self.policy.filter_posts(
            PostFilter(
                posts.posters,
                posts.contents,
                self.registry.copy[posts.contents],
                np.ones(len(posts.posters), bool) if self.members is None else self.is_member(posts.posters),
                self.population.suspended,
            ),
            rng,
        )

    def is_member(self, accounts: np.ndarray) -> np.ndarray:
        """Mask over ``accounts``: on this platform (accounts past the regular users are
        campaign accounts, on every platform)."""
        if self.members is None:
            return np.ones(len(accounts), bool)
        n = len(self.members)
        return np.where(accounts < n, self.members[np.minimum(accounts, n - 1)], True)

    def blocked_from(self, campaign) -> int:
        """The day from which a campaign's ads here stop (its advertiser was caught undeclared);
        a day past the run: never."""
        return self._blocked.get(campaign.index, 1 << 30)

    def ad_days(self, campaign, steps: int) -> np.ndarray:
        """Mask over the run's days: may ``campaign`` (a CampaignConfig) buy ads here that day?"""
        return self.policy.ad_days(campaign, steps)

    def serve(
        self, readers, posts: Posts, budgets: np.ndarray, day: int, rng
    ) -> tuple[Impressions, list[AdReceipt]]:
        """The readers' feeds: organic slots ranked from ``posts`` (those that went out here)
        and yesterday's reshares, then ad slots sold with the campaigns' ``budgets`` here.
        Returns the impressions (organic first) and the ad market's receipts."""
        organic = self.feed.impressions(readers, posts.posters, posts.contents, day, rng)
        ads, receipts = self.market.sell(readers, budgets, day, rng)
        return Impressions.concat([organic, ads]), receipts

    def learn(self, impressions: Impressions, engaged: np.ndarray, reshared: np.ndarray) -> None:
        """What its readers did (masks over its ``impressions``): engagements feed the ranker's
        history and tomorrow's recommendation pool; reshares become tomorrow's candidates."""
        items, users = impressions.contents, impressions.users
        self.feed.record_engagements(items[engaged], self.population.ideology[users[engaged]] >= 0)
        self.feed.queue_reshares(users[reshared], items[reshared])

    def enforce(self, day: int, ads: Impressions) -> None:
        """The ad library's readers read today's ads and act on what they read ``lag`` days ago
        (takedowns act from tomorrow)."""
        self.accountability.record(day, ads.contents[ads.from_ad])
        self.accountability.act(day)
