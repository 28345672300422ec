"""Campaign agents: accounts, audiences, budgets and pacing, and the day's posts.

A campaign owns an official account (appended to the population), optional sockpuppets
(appended, foreign operations), optional paid amplifiers and unpaid volunteers (regular users
it recruits from its supporters). Everything a campaign draws at set-up comes from its own
random stream, so the same seed gives the same accounts, followers and recruits under every
policy.

Campaigns are strategic buyers: they target an audience (targeting.py), split their budget over
the days and the platforms that take their ads, and pace their bids from the receipts of each
platform's ad market (:meth:`Campaign.settle`, with the controller in sim/model/auction.py).
"""

from __future__ import annotations

import mesa
import numpy as np

from ..config import CampaignConfig
from ..vocabulary import Origin
from .auction import update_pacing
from .levers import Policy
from .population import AMPLIFIER, OFFICIAL, SOCKPUPPET, Population
from .records import AdReceipt, CampaignState, Posts
from .targeting import Targeting

OWNED, AMPLIFIED = Origin.OWNED, Origin.AMPLIFIED


def _homophilous_followers(rng, ideology, position, count, scale=0.5):
    """Draw ``count`` distinct followers, more likely the closer their ideology (no user loop)."""
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    weights = np.exp(-np.abs(ideology - position) / scale)
    cdf = np.cumsum(weights)
    picks = np.searchsorted(cdf, rng.random(int(count)) * cdf[-1], side="right")
    return np.unique(np.minimum(picks, len(ideology) - 1))


class Campaign(mesa.Agent):
    """One campaign: its accounts, audience, budget and the posts it makes each day."""

    def __init__(
        self,
        model,
        index: int,
        cfg: CampaignConfig,
        policy: Policy,
        population: Population,
        steps: int,
        follower_counts: np.ndarray,
        rng: np.random.Generator,
        platforms: int = 1,
    ):
        super().__init__(model)
        self.index = index
        self.cfg = cfg
        self.policy = policy
        self.steps = steps
        self.budget = policy.budget_limit(cfg, population.n)
        self.spent_ads = 0.0
        self.spent_amplifiers = 0.0
        # per platform: participation in its auctions, and the pacing controller's multiplier of
        # the bid (up to bid_ceiling)
        self.pacing = np.ones(platforms)
        self.bid_scale = np.ones(platforms)
        self.declared = cfg.political and cfg.declares_political
        # Hiding political ads is evasion only where declaring them would stop or label them.
        self.undeclared = cfg.political and not cfg.declares_political and policy.declaration_matters(cfg)
        self.ads_allowed = policy.ads_allowed(cfg) and cfg.budget > 0 and cfg.bid > 0
        self.suspect = cfg.foreign or cfg.inauthentic or self.undeclared  # what watchdogs seek
        self.plan_ad_days(np.ones(steps, bool))  # the model plans them with its platforms' rules
        self.detected_day: int | None = None
        self.takedown_day: int | None = None
        self.help = policy.platform_help(cfg.platform_help)
        noise_factor, self.testing_gain, help_cta = policy.help_effects(self.help)
        self.micro_noise = cfg.micro_noise * noise_factor
        self.cta_share = help_cta if cfg.cta_share is None else cfg.cta_share
        n = population.n

        # Official account and its initial followers (homophilous; civic: everyone alike).
        self.official = int(population.add_accounts(1, OFFICIAL, index, cfg.position)[0])
        self.official_followers = _homophilous_followers(
            rng, population.ideology[:n], cfg.position, cfg.official_followers * n
        )
        # Sockpuppets: each gets a Poisson number of like-minded followers.
        sp = cfg.sockpuppets
        self.sockpuppets = population.add_accounts(sp.count, SOCKPUPPET, index, cfg.position)
        counts = rng.poisson(sp.followers, sp.count)
        followers = (
            _homophilous_followers(rng, population.ideology[:n], cfg.position, counts.sum())
            if sp.count
            else np.empty(0, np.int64)
        )
        # Pair each drawn follower with a sockpuppet; the draws come back sorted by user id,
        # so shuffle them first or each sockpuppet would get a block of neighbouring ids.
        followers = rng.permutation(followers)
        owners = np.repeat(self.sockpuppets, counts)[: len(followers)]
        self.sockpuppet_edges = (followers, owners)
        # Paid amplifiers: recruited supporters, in an order fixed by the seed, so that extra
        # recruits under budget reallocation extend the same list.
        supporters = np.flatnonzero(
            (np.sign(population.ideology[:n]) == np.sign(cfg.position)) | (cfg.position == 0)
        )
        recruit_order = rng.permutation(supporters)
        if cfg.amplifiers.recruit == "influencers":  # most-followed supporters first
            recruit_order = recruit_order[np.argsort(-follower_counts[recruit_order], kind="stable")]
        amp = cfg.amplifiers
        # US$ per post of each potential recruit: a flat wage plus a rate per 1,000 followers
        cost = amp.pay_per_post + amp.pay_per_1000_followers * follower_counts[recruit_order] / 1000
        hired = int(round(amp.per_1000_users * n / 1000))
        hired = max(hired, 1) if amp.per_1000_users > 0 else 0  # a tiny population hires one
        hired += self._reallocated_amplifiers(cost[hired:], hired and cost[:hired].sum())
        order = np.argsort(recruit_order[:hired], kind="stable")
        self.amplifiers = recruit_order[:hired][order]  # sorted by user id
        self.amplifier_cost = cost[:hired][order]
        population.kind[self.amplifiers] = AMPLIFIER
        population.owner[self.amplifiers] = index
        # Who of them discloses the payment: one draw per potential recruit (so the same
        # people disclose under every policy), against the share the rules bring about.
        discloses = rng.random(len(recruit_order)) < policy.poster_disclosure(amp.disclosure)
        self.amplifier_discloses = discloses[:hired][order]
        # Unpaid volunteers: supporters posting about the race from their own accounts.
        vol = cfg.volunteers
        n_vol = int(round(vol.per_1000_users * n / 1000))
        self.volunteers = np.sort(rng.permutation(supporters)[:n_vol]) if n_vol else np.empty(0, np.int64)
        self.audience = None  # set by set_audience (needs the policy and the population)
        self.content_rng = rng  # its own stream: the same posts under every ranker and policy

    # ---------------------------------------------------------------- set-up helpers

    def _reallocated_amplifiers(self, costs: np.ndarray, committed: float) -> int:
        """Extra amplifiers hired with the ad budget when ads are banned and the campaign
        chose to reallocate (the loophole of the 2020 paid-organizer case): the next recruits,
        in order, while the budget left after the ``committed`` daily pay of the first ones
        covers their pay for the whole run."""
        amp = self.cfg.amplifiers
        if self.policy.ads_allowed(self.cfg) or not self.cfg.reallocate_ad_budget:
            return 0
        per_run = amp.posts_per_day * self.steps
        left = self.budget - committed * per_run
        if per_run <= 0 or left <= 0:
            return 0
        return int(np.searchsorted(np.cumsum(costs * per_run), left + 1e-9, side="right"))

    def set_audience(self, population: Population, rng: np.random.Generator) -> None:
        """Who the campaign's ads may be shown to (targeting.py): at the finest targeting level
        the policy allows; it can widen later (:meth:`expand`). This is its audience on the first
        platform (and on every platform with the same targeting rules: :meth:`join`)."""
        self.targeting = self._targeting(self.policy, population, rng)
        self.targeting_used = self.targeting.level
        self.audience = self.targeting.audience()
        self.targetings, self.audiences = [self.targeting], [self.audience]
        self.expansions = 0

    def _targeting(self, policy: Policy, population: Population, rng) -> Targeting:
        cfg = self.model.cfg
        return Targeting(
            self.cfg, policy, population, rng, self.micro_noise, cfg.behavior.epsilon, cfg.population.segments
        )

    def join(self, policy: Policy, population: Population, rng: np.random.Generator) -> None:
        """Set up on one more platform, under its rules ``policy``: its audience there (the
        finest targeting those rules allow; the same audience as on the first platform when the
        rules target alike, else its own, drawn from ``rng``), and whether it may advertise or
        hides political ads anywhere. Platforms join in order, after :meth:`set_audience`."""
        first = self.policy
        same = policy.targeting_level(self.cfg) == first.targeting_level(self.cfg) and (
            policy.smallest_audience() == first.smallest_audience()
        )
        targeting = self.targeting if same else self._targeting(policy, population, rng)
        self.targetings.append(targeting)
        self.audiences.append(targeting.audience())
        cfg = self.cfg
        self.ads_allowed = self.ads_allowed or (policy.ads_allowed(cfg) and cfg.budget > 0 and cfg.bid > 0)
        hides = cfg.political and not cfg.declares_political and policy.declaration_matters(cfg)
        self.undeclared = self.undeclared or hides
        self.suspect = self.suspect or hides

    def audience_on(self, platform: int) -> np.ndarray:
        """Mask over users: who the campaign's ads may reach on ``platform`` (its rules)."""
        return self.audiences[platform]

    @property
    def audience_full(self) -> bool:
        """The audience is as wide as the allowed level goes on every platform (or the campaign
        will not widen)."""
        return all(t.full for t in self.targetings) or not self.cfg.expand_audience

    def expand(self, shortfall: float = 1.0, platform: int = 0) -> None:
        """Widen the audience on ``platform`` to the next-ranked users or cells (Targeting.widen;
        on every platform that shares its targeting)."""
        targeting = self.targetings[platform]
        if targeting.full or not self.cfg.expand_audience:
            return
        targeting.widen(shortfall)
        self.audiences = [
            t.audience() if t is targeting else a for t, a in zip(self.targetings, self.audiences)
        ]
        self.audience = self.audiences[0]
        self.expansions += 1

    def take_down(self, day: int, credibility_cost: float, population: Population, registry) -> None:
        """Watchdogs flagged it: its ads stop; a foreign or inauthentic sponsor's accounts are
        suspended; what it posts from now on is discounted by ``credibility_cost``."""
        self.takedown_day = day
        self.ads_allowed = False
        if self.cfg.foreign or self.cfg.inauthentic:
            population.suspended[self.official] = True
            population.suspended[self.sockpuppets] = True
        registry.appeals[self.index] *= 1.0 - credibility_cost

    # ---------------------------------------------------------------- each day

    @property
    def spent(self) -> float:
        return self.spent_ads + self.spent_amplifiers

    def state(self) -> CampaignState:
        """What the observers may know of the campaign now."""
        return CampaignState(
            cfg=self.cfg,
            budget=self.budget,
            spent_ads=self.spent_ads,
            spent_amplifiers=self.spent_amplifiers,
            pacing=self.pacing.copy(),
            bid_scale=self.bid_scale.copy(),
            audience=self.audience,
            expansions=self.expansions,
            targeting_used=self.targeting_used,
            help=self.help,
            declared=self.declared,
            undeclared=self.undeclared,
            suspect=self.suspect,
            amplifiers=self.amplifiers,
            amplifier_discloses=self.amplifier_discloses,
            volunteers=self.volunteers,
            detected_day=self.detected_day,
            takedown_day=self.takedown_day,
            status=self.spend_status(),
        )

    def spend_status(self) -> str:
        """Why the campaign spent what it spent: ``spent`` (at least 95% of its budget), else
        the first reason that applies."""
        if self.budget <= 0:
            return "no budget"
        if self.spent >= 0.95 * self.budget:
            return "spent"
        if self.takedown_day is not None:
            return "taken down"
        if not self.ads_allowed:
            return "ads not allowed"
        if self.bid_scale.max() >= self.cfg.bid_ceiling and self.audience_full:
            return "market full at its bid ceiling"
        return "pacing"

    def plan_ad_days(self, ad_days: np.ndarray) -> None:
        """The days the campaign may buy ads on some platform (its rules in time): even pacing
        spreads what is left over those of them still ahead."""
        self.ad_days = ad_days
        self._ad_days_left = np.cumsum(ad_days[::-1])[::-1]

    def days_left(self, day: int) -> int:
        """Days from ``day`` on that the campaign may buy ads (at least 1)."""
        return max(1, int(self._ad_days_left[day])) if day < self.steps else 1

    def post(self, day: int, registry, population: Population, rng: np.random.Generator) -> Posts:
        """Today's posts: official account, amplifiers, sockpuppets, volunteers (the platforms'
        levers filter them next); amplifier posts are paid for only if they go out."""
        cfg, idx = self.cfg, self.index
        posters, contents, paid = [], [], []
        if cfg.posting_days is not None and day >= cfg.posting_days:
            return Posts.empty()

        def new(count, origin, author, labeled, copy=False):
            share = cfg.outgroup_share
            hostile = self.content_rng.random(count) < share if share else False
            return registry.add(
                count,
                campaign=idx,
                origin=origin,
                author=author,
                labeled=labeled,
                cta=rng.random(count) < self.cta_share,
                created=day,
                copy=copy,
                hostile=hostile,
            )

        if not population.suspended[self.official] and cfg.posts_per_day:
            ids = new(cfg.posts_per_day, OWNED, self.official, 0.0)
            posters.append(np.full(len(ids), self.official))
            contents.append(ids)
            paid.append(np.zeros(len(ids), bool))

        amp = cfg.amplifiers
        live = ~population.suspended[self.amplifiers]
        if live.any() and amp.posts_per_day:
            # in recruitment order (by id), as many as what is left pays for today
            daily = self.amplifier_cost[live] * amp.posts_per_day
            n_ok = int(np.searchsorted(np.cumsum(daily), self.budget - self.spent + 1e-9, side="right"))
            active, label = self.amplifiers[live][:n_ok], self.amplifier_discloses[live][:n_ok]
            recall = self.policy.disclosure_recall
            for disclosed in (False, True):
                group = active[label == disclosed]
                if len(group):
                    p, c = self._copies(
                        group, amp.posts_per_day, amp.identical, AMPLIFIED, recall if disclosed else 0.0, new
                    )
                    posters.append(p)
                    contents.append(c)
                    paid.append(np.ones(len(p), bool))

        sp = cfg.sockpuppets
        puppets = self.sockpuppets[~population.suspended[self.sockpuppets]]
        if len(puppets) and sp.posts_per_day:
            p, c = self._copies(puppets, sp.posts_per_day, sp.identical, OWNED, 0.0, new)
            posters.append(p)
            contents.append(c)
            paid.append(np.zeros(len(p), bool))

        vol = self.volunteers[~population.suspended[self.volunteers]]
        if len(vol) and cfg.volunteers.posts_per_day:
            p, c = self._copies(vol, cfg.volunteers.posts_per_day, False, OWNED, 0.0, new)
            posters.append(p)
            contents.append(c)
            paid.append(np.zeros(len(p), bool))

        if not posters:
            return Posts.empty()
        return Posts(np.concatenate(posters), np.concatenate(contents), np.concatenate(paid))

    def _copies(self, accounts, per_account, identical, origin, labeled, new):
        """Posts of ``accounts``: identical copies of the day's messages, or one content each.

        Identical copies name the official account as author (the campaign wrote the text);
        distinct posts are authored by the account itself.
        """
        if identical:
            ids = new(per_account, origin, self.official, labeled, copy=True)
            return np.repeat(accounts, per_account), np.tile(ids, len(accounts))
        posters = np.repeat(accounts, per_account)
        authors = posters if origin == OWNED else self.official
        return posters, new(len(posters), origin, authors, labeled)

    def pay_amplifiers(self, posters: np.ndarray) -> float:
        """Pay for the amplifier posts that went out (``posters``: one entry per post)."""
        cost = float(self.amplifier_cost[np.searchsorted(self.amplifiers, posters)].sum())
        self.spent_amplifiers += cost
        return cost

    def settle(self, receipts: list[AdReceipt], day: int, shares: np.ndarray, gain: float) -> None:
        """Learn the day's ad spend from the platforms' receipts, then pace: participation and
        bid at each platform from what it would have spent there against its budget there
        tomorrow (``shares``: the share of tomorrow's ad budget each platform gets); an
        underspend at the bid ceiling widens the audience."""
        for r in receipts:
            self.spent_ads += r.spent
        tomorrow = self.ad_budget_today(day + 1)
        for r in receipts:
            p = r.platform
            self.pacing[p], self.bid_scale[p], starved = update_pacing(
                self.pacing[p], self.bid_scale[p], r.demand, tomorrow * shares[p], gain, self.cfg.bid_ceiling
            )
            if starved:
                self.expand(starved, p)

    def ad_budget_today(self, day: int) -> float:
        """Even pacing: what is left, spread over the days left, for ads."""
        if not self.ads_allowed or (day < self.steps and not self.ad_days[day]):
            return 0.0
        return max(0.0, (self.budget - self.spent) / self.days_left(day))
