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
from .allocation import POSTERS, STAFF, VOLUNTEERS, Channels, allocate, staff_money, staff_posts
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
        # the recruits not hired yet, in order (the posters channel hires the next ones)
        self._next = (recruit_order[hired:], cost[hired:], discloses[hired:])
        self.population, self.follower_counts = population, follower_counts
        # Unpaid volunteers: supporters posting about the race from their own accounts.
        vol = cfg.volunteers
        n_vol = int(round(vol.per_1000_users * n / 1000))
        self.volunteers = np.sort(rng.permutation(supporters)[:n_vol]) if n_vol else np.empty(0, np.int64)
        self.audience = None  # set by set_audience (needs the policy and the population)
        self.content_rng = rng  # its own stream: the same posts under every ranker and policy
        # Money's other channels (sim/model/allocation.py): staff posts and recruited volunteers.
        # Recruits come from the supporters not yet posting for it, in an order drawn from a
        # child stream (spawning draws nothing: every other draw of the seed is unchanged).
        self.n_users = n
        self.supporters = supporters
        self.supporter_followers = float(follower_counts[supporters].mean()) if len(supporters) else 0.0
        self.official_reach = float(len(self.official_followers))
        self.recruit_pool: np.ndarray | None = None
        self.recruited = np.empty(0, np.int64)  # volunteers its money recruited (sorted)
        self.staff_extra = 0  # extra official posts its staff money buys today
        self.spent_staff = 0.0
        self.spent_volunteers = 0.0
        self.withheld = 0.0  # money of closed channels it does not move (1 - substitution)
        self.volunteer_fund = 0.0  # the volunteers' money not yet enough for a recruit
        self.posters_fund = 0.0  # the posters' money not yet enough for a hire's pay to the end
        self.extra_daily = 0.0  # daily pay of the posters its money hired during the run
        self.channels: Channels | None = None  # set by plan_channels (needs the platforms)

    # ---------------------------------------------------------------- set-up helpers

    def _reallocated_amplifiers(self, costs: np.ndarray, committed: float) -> int:
        """Extra amplifiers hired with the ad budget when ads are banned and the campaign
        chose to reallocate (the loophole of the 2020 paid-organizer case): the next recruits,
        in order, while the budget left after the ``committed`` daily pay of the first ones
        covers their pay for the whole run."""
        amp = self.cfg.amplifiers
        if self.policy.ads_allowed(self.cfg) or self.cfg.reallocate_ad_budget is not True:
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
        return self.spent_ads + self.spent_amplifiers + self.spent_staff + self.spent_volunteers

    def state(self) -> CampaignState:
        """What the observers may know of the campaign now."""
        return CampaignState(
            cfg=self.cfg,
            budget=self.budget,
            spent_ads=self.spent_ads,
            spent_amplifiers=self.spent_amplifiers,
            spent_staff=self.spent_staff,
            spent_volunteers=self.spent_volunteers,
            spent_platforms=self.channels.spent[: self.platforms].copy() if self.channels else np.zeros(0),
            recruited=len(self.recruited),
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
        if self.withheld > 0.05 * self.budget:
            return "channels closed"
        if self.bid_scale.max() >= self.cfg.bid_ceiling and self.audience_full:
            return "market full at its bid ceiling"
        return "pacing"

    def plan_ad_days(self, ad_days: np.ndarray) -> None:
        """The days the campaign may spend (its rules in time): even pacing spreads what is left
        over those of them still ahead."""
        self.ad_days = ad_days
        self._ad_days_left = np.cumsum(ad_days[::-1])[::-1]

    def days_left(self, day: int) -> int:
        """Days from ``day`` on that the campaign may spend (at least 1)."""
        return max(1, int(self._ad_days_left[day])) if day < self.steps else 1

    # ---------------------------------------------------------------- money's channels

    def plan_channels(self, ad_open: np.ndarray, attention: np.ndarray, ad_caps: np.ndarray, alloc) -> None:
        """Its channels (sim/model/allocation.py): ads on each platform (``ad_open``: platform x
        day, may it buy ads there; ``ad_caps``: the most it may spend there in the run, US$),
        organic staff and volunteers; ``alloc``: the run's AllocationConfig."""
        self.platforms, self.alloc = len(attention), alloc
        self.ad_open, self.ad_caps = ad_open, ad_caps
        realloc = self.cfg.reallocate_ad_budget
        self.substitution = alloc.substitution if realloc is None else 0.0  # true: posters at set-up
        self.staff_dollars = alloc.staff_cost * self.n_users / 1000.0  # US$ of the first extra post
        names = [f"ads:{p}" for p in range(self.platforms)] + [POSTERS, STAFF, VOLUNTEERS]
        base = np.concatenate([attention / attention.sum(), [0.0, 0.0, 0.0]])
        self.rho = 0.1  # impressions per follower per official post (judgement; then observed)
        prior = np.concatenate([np.full(self.platforms, 1000.0 / max(self.cfg.bid, 1e-9)), [0.0, 0.0, 0.0]])
        self.channels = Channels(names, base, prior, alloc.smoothing)
        # The days it spends: those with ads open somewhere, a window known in advance (a
        # blackout) moving the money to earlier days; with no ad day at all (a ban) and money
        # that moves, every day (the organic channels).
        money_days = ad_open.any(axis=0) & self.ads_allowed
        if not money_days.any() and self.substitution > 0:
            money_days[:] = True
        self.plan_ad_days(money_days)

    def _organic_returns(self, day: int) -> None:
        """Impressions per dollar of the next paid poster, staff posts and recruited volunteers,
        from the observed reach of its official posts per follower (``rho``)."""
        ch, alloc = self.channels, self.alloc
        who, cost, _ = self._next
        if len(who):
            ch.returns[-3] = self.rho * self.follower_counts[who[0]] / max(cost[0], 1e-9)
        per_post = self.rho * max(self.official_reach, 1.0)
        ch.returns[-2] = per_post / self.staff_dollars if self.staff_dollars > 0 else 1e12
        days = max(1, self.steps - day - 1)  # a recruit posts from tomorrow on
        posts = self.cfg.volunteers.posts_per_day * days
        ch.returns[-1] = self.rho * self.supporter_followers * posts / alloc.volunteer_cost

    def _allocation(self, day: int) -> tuple[np.ndarray, float, float]:
        """(US$ per channel on ``day``, the day's pot, the base share of closed channels): what
        is left spread over the days left, split by :func:`allocate`; nothing is spent."""
        ch, alloc, n_ch = self.channels, self.alloc, self.platforms + 3
        if ch is None or self.budget <= 0 or (day < self.steps and not self.ad_days[day]):
            return np.zeros(n_ch if ch else 0), 0.0, 0.0
        d = min(day, self.steps - 1)
        committed = self.volunteer_fund + self.posters_fund + self.extra_daily * max(0, self.steps - day - 1)
        pot = max(0.0, self.budget - self.spent - self.withheld - committed) / self.days_left(day)
        self._organic_returns(d)
        spent_here = ch.spent[: self.platforms]
        ads_open = self.ad_open[:, d] & self.ads_allowed & (spent_here < self.ad_caps - 1e-9)
        pool = self.recruit_pool
        pool_left = (len(pool) if pool is not None else len(self.supporters)) - len(self.recruited)
        amp = self.cfg.amplifiers
        posters = amp.per_1000_users > 0 and amp.posts_per_day > 0 and len(self._next[0]) > 0
        organic = [
            posters,
            alloc.staff_max_posts > 0,
            pool_left > 0 and self.cfg.volunteers.posts_per_day > 0,
        ]
        open_ = np.concatenate([ads_open, np.array(organic) & (self.substitution > 0)])
        capacity = np.concatenate(
            [
                self.ad_caps - spent_here,
                [
                    np.inf,
                    staff_money(alloc.staff_max_posts, self.staff_dollars, alloc.staff_max_posts),
                    max(pool_left, 0) * alloc.volunteer_cost,
                ],
            ]
        )
        money = allocate(pot, ch.base, open_, ch.returns, capacity, self.substitution, alloc.elasticity)
        return money, pot, float(ch.base[~open_].sum())

    def plan(self, day: int) -> np.ndarray:
        """US$ per channel on ``day`` (ads on each platform, posters, staff, volunteers); nothing is
        spent."""
        return self._allocation(day)[0]

    def spend_today(self, day: int) -> np.ndarray:
        """Plan the day and spend on the organic channels (staff money buys tomorrow's extra
        posts; volunteers recruited today post from tomorrow); the share of closed channels that
        does not move (1 - substitution) is withheld for good. Returns the ad budget at each
        platform (the markets spend it)."""
        money, pot, closed = self._allocation(day)
        if self.channels is None or len(money) == 0:
            return np.zeros(self.platforms if self.channels else 0)
        ch, alloc = self.channels, self.alloc
        self.withheld += (1.0 - self.substitution) * closed * pot
        self.staff_extra = staff_posts(money[-2], self.staff_dollars, alloc.staff_max_posts)
        cost = staff_money(self.staff_extra, self.staff_dollars, alloc.staff_max_posts)
        self.spent_staff += cost
        ch.spent[-2] += cost
        # the posters' money accrues until it pays the next hire to the end of the run
        self.posters_fund += money[-3]
        self._hire_posters(day)
        # the volunteers' money accrues until it pays for a recruit (committed: out of the pot)
        self.volunteer_fund += money[-1]
        hires = int((self.volunteer_fund + 1e-9) // alloc.volunteer_cost)
        if hires > 0:
            hires = self._recruit(hires)
            self.volunteer_fund = max(0.0, self.volunteer_fund - hires * alloc.volunteer_cost)
            ch.spent[-1] += hires * alloc.volunteer_cost
            self.spent_volunteers += hires * alloc.volunteer_cost
        return money[: self.platforms]

    def _hire_posters(self, day: int) -> None:
        """Hire the next recruits as paid posters while the posters' fund pays each one's posts
        from tomorrow to the end of the run (the pay is then committed: out of the pot)."""
        who, cost, discloses = self._next
        posts, days = self.cfg.amplifiers.posts_per_day, max(0, self.steps - day - 1)
        # the next recruit alone first: most days the fund pays no one (pricing every candidate
        # recruit, ~n of them, per campaign and day was ~5% of an organic step)
        if not len(who) or not 0 < cost[0] * posts * days <= self.posters_fund + 1e-9:
            return
        per_run = cost * posts * days
        n = int(np.searchsorted(np.cumsum(per_run), self.posters_fund + 1e-9, side="right"))
        if n == 0:
            return
        taken = np.isin(who[:n], np.concatenate([self.volunteers, self.recruited]))  # post once
        hire = who[:n][~taken]
        self.posters_fund -= float(per_run[:n][~taken].sum())
        self.extra_daily += float(cost[:n][~taken].sum()) * self.cfg.amplifiers.posts_per_day
        order = np.argsort(np.concatenate([self.amplifiers, hire]), kind="stable")
        self.amplifiers = np.concatenate([self.amplifiers, hire])[order]
        self.amplifier_cost = np.concatenate([self.amplifier_cost, cost[:n][~taken]])[order]
        self.amplifier_discloses = np.concatenate([self.amplifier_discloses, discloses[:n][~taken]])[order]
        self.population.kind[hire] = AMPLIFIER
        self.population.owner[hire] = self.index
        self._next = (who[n:], cost[n:], discloses[n:])

    def _recruit(self, count: int) -> int:
        """Recruit the next ``count`` supporters not yet posting for it as volunteers (fewer if
        the pool runs out); returns how many."""
        if self.recruit_pool is None:
            taken = np.concatenate([self.volunteers, self.amplifiers])
            pool = self.supporters[~np.isin(self.supporters, taken)]
            self.recruit_pool = self.content_rng.spawn(1)[0].permutation(pool)
        start = len(self.recruited)
        new = self.recruit_pool[start : start + count]
        self.recruited = np.sort(np.concatenate([self.recruited, new]))
        return len(new)

    def ad_budget_today(self, day: int) -> float:
        """Its ad budget of ``day`` over all platforms (nothing is spent)."""
        return float(self.plan(day)[: self.platforms].sum())

    def post(self, day: int, registry, population: Population, rng: np.random.Generator) -> Posts:
        """Today's posts: official account, amplifiers, sockpuppets, volunteers (the platforms'
        levers filter them next); amplifier posts are paid for only if they go out."""
        cfg, idx = self.cfg, self.index
        posters, contents, paid = [], [], []
        if cfg.posting_days is not None and day >= cfg.posting_days:
            return Posts.empty()

        def new(count, origin, author, labeled, copy=False, funded=False):
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
                funded=funded,
            )

        # the official account's own posts, then the extra ones its staff money pays for
        for count, funded in ((cfg.posts_per_day, False), (self.staff_extra, True)):
            if not population.suspended[self.official] and count:
                ids = new(count, OWNED, self.official, 0.0, funded=funded)
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

        # volunteers, then those its money recruited (their posts are money-funded)
        for group, funded in ((self.volunteers, False), (self.recruited, True)):
            vol = group[~population.suspended[group]]
            if len(vol) and cfg.volunteers.posts_per_day:
                p, c = self._copies(vol, cfg.volunteers.posts_per_day, False, OWNED, 0.0, new, funded)
                posters.append(p)
                contents.append(c)
                paid.append(np.zeros(len(p), bool))

        if not posters:
            return Posts.empty()
        return Posts(np.concatenate(posters), np.concatenate(contents), np.concatenate(paid))

    def _copies(self, accounts, per_account, identical, origin, labeled, new, funded=False):
        """Posts of ``accounts``: identical copies of the day's messages, or one content each.

        Identical copies name the official account as author (the campaign wrote the text);
        distinct posts are authored by the account itself.
        """
        if identical:
            ids = new(per_account, origin, self.official, labeled, copy=True)
            return np.repeat(accounts, per_account), np.tile(ids, len(accounts))
        posters = np.repeat(accounts, per_account)
        authors = posters if origin == OWNED else self.official
        return posters, new(len(posters), origin, authors, labeled, funded=funded)

    def pay_amplifiers(self, posters: np.ndarray) -> float:
        """Pay for the amplifier posts that went out (``posters``: one entry per post)."""
        cost = float(self.amplifier_cost[np.searchsorted(self.amplifiers, posters)].sum())
        self.spent_amplifiers += cost
        return cost

    def settle(
        self, receipts: list[AdReceipt], day: int, gain: float, official_impressions: int, official_posts: int
    ) -> None:
        """Learn the day's spend and returns from the platforms' receipts (impressions per dollar
        of its ads at each) and from the reach of its official posts (impressions per follower
        and post), then pace: participation and bid at each platform from what it would have
        spent there against its budget there tomorrow; an underspend at the bid ceiling widens
        the audience."""
        for r in receipts:
            self.spent_ads += r.spent
            self.channels.spent[r.platform] += r.spent
            self.channels.observe(r.platform, sum(len(c) for c in r.creatives), r.spent)
        if official_posts > 0 and self.official_reach > 0:
            seen = official_impressions / (official_posts * self.official_reach)
            self.rho += self.channels.smoothing * (seen - self.rho)
        tomorrow = self.plan(day + 1)
        for r in receipts:
            p = r.platform
            self.pacing[p], self.bid_scale[p], starved = update_pacing(
                self.pacing[p], self.bid_scale[p], r.demand, tomorrow[p], gain, self.cfg.bid_ceiling
            )
            if starved:
                self.expand(starved, p)
