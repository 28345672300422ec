"""Campaign agents: accounts, audiences, budgets and pacing, and the day's posts.

A campaign owns an official account (appended to the population), optional sockpuppets
(appended, foreign operations) and optional paid amplifiers (regular users it recruits from
its supporters). Everything a campaign draws at set-up comes from its own random stream, so
the same seed gives the same accounts, followers and recruits under every policy.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..config import CampaignConfig
from ..vocabulary import Origin
from .levers import Policy
from .population import AMPLIFIER, OFFICIAL, SOCKPUPPET, Population

OWNED, AMPLIFIED = Origin.OWNED, Origin.AMPLIFIED


def _homophilous_followers(rng, ideology, position, count, scale=0.5):
    """Draw ``count`` distinct followers, more likely the closer their ideology (no user loop)."""
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    weights = np.exp(-np.abs(ideology - position) / scale)
    cdf = np.cumsum(weights)
    picks = np.searchsorted(cdf, rng.random(int(count)) * cdf[-1], side="right")
    return np.unique(np.minimum(picks, len(ideology) - 1))


def response_score(objective: str, opinion, turnout, ideology, position, epsilon):
    """What a platform would predict of a user's response to a campaign's ads.

    persuade: users within reach of the message (within epsilon) but not already there;
    mobilize: supporters unlikely to vote; mix: the average of both.
    """
    gap = np.abs(opinion - position)
    persuade = np.where(gap < epsilon, gap, 0.0)
    supporter = np.sign(ideology) == np.sign(position) if position != 0 else np.ones_like(gap, bool)
    mobilize = supporter * (1.0 - turnout) * (1.0 - gap / 2)
    if objective == "persuade":
        return persuade
    if objective == "mobilize":
        return mobilize
    return 0.5 * (persuade / max(epsilon, 1e-9) + mobilize)


class Campaign(mesa.Agent):
    """One campaign: its accounts, audience, budget and the posts it makes each day."""

    def __init__(self, model, index: int, cfg: CampaignConfig, policy: Policy,
                 population: Population, steps: int, follower_counts: np.ndarray,
                 rng: np.random.Generator):
        super().__init__(model)
        self.index = index
        self.cfg = cfg
        self.policy = policy
        self.steps = steps
        self.budget = policy.budget_limit(cfg, population.n)
        self.spent_ads = 0.0
        self.spent_amplifiers = 0.0
        self.pacing = 1.0
        self.ads_allowed = policy.ads_allowed(cfg) and cfg.budget > 0 and cfg.bid > 0
        n = population.n

        # Official account and its initial followers (homophilous; civic: everyone alike).
        self.official = int(population.add_accounts(1, OFFICIAL, index, cfg.position)[0])
        self.official_followers = _homophilous_followers(
            rng, population.ideology[:n], cfg.position, cfg.official_followers * n)
        # Sockpuppets: each gets a Poisson number of like-minded followers.
        sp = cfg.sockpuppets
        self.sockpuppets = population.add_accounts(sp.count, SOCKPUPPET, index, cfg.position)
        counts = rng.poisson(sp.followers, sp.count)
        followers = _homophilous_followers(rng, population.ideology[:n], cfg.position,
                                           counts.sum()) if sp.count else np.empty(0, np.int64)
        # Pair each drawn follower with a sockpuppet; the draws come back sorted by user id,
        # so shuffle them first or each sockpuppet would get a block of neighbouring ids.
        followers = rng.permutation(followers)
        owners = np.repeat(self.sockpuppets, counts)[: len(followers)]
        self.sockpuppet_edges = (followers, owners)
        # Paid amplifiers: recruited supporters, in an order fixed by the seed, so that extra
        # recruits under budget reallocation extend the same list.
        supporters = np.flatnonzero((np.sign(population.ideology[:n]) == np.sign(cfg.position))
                                    | (cfg.position == 0))
        recruit_order = rng.permutation(supporters)
        if cfg.amplifiers.recruit == "influencers":  # most-followed supporters first
            recruit_order = recruit_order[np.argsort(-follower_counts[recruit_order], kind="stable")]
        n_amp = cfg.amplifiers.count + self._reallocated_amplifiers()
        self.amplifiers = np.sort(recruit_order[: min(n_amp, len(recruit_order))])
        population.kind[self.amplifiers] = AMPLIFIER
        population.owner[self.amplifiers] = index
        self.audience = None  # set by set_audience (needs the policy and the population)
        self.content_rng = rng  # its own stream: the same posts under every ranker and policy

    # ---------------------------------------------------------------- set-up helpers

    def _reallocated_amplifiers(self) -> int:
        """Extra amplifiers hired with the ad budget when ads are banned and the campaign
        chose to reallocate: the loophole of the 2020 paid-organizer case."""
        amp = self.cfg.amplifiers
        cost_each = amp.pay_per_post * amp.posts_per_day * self.steps
        if self.policy.ads_allowed(self.cfg) or not self.cfg.reallocate_ad_budget:
            return 0
        if cost_each <= 0:
            return 0
        ad_budget = max(0.0, self.budget - amp.count * cost_each)
        return int(ad_budget // cost_each)

    def set_audience(self, population: Population, rng: np.random.Generator) -> None:
        """Who the campaign's ads may be shown to, at the targeting level the policy allows."""
        n, cfg = population.n, self.cfg
        level = self.policy.targeting_level(cfg)
        if level == "segments":
            audience = np.isin(population.segment[:n], cfg.target_segments)
        elif level == "ideology":
            lo, hi = cfg.ideology_band
            audience = (population.ideology[:n] >= lo) & (population.ideology[:n] <= hi)
        elif level == "micro":
            score = response_score(cfg.objective, population.opinion[:n], population.turnout[:n],
                                   population.ideology[:n], cfg.position, self.model.cfg.behavior.epsilon)
            noisy = score + rng.normal(0, cfg.micro_noise * (score.std() + 1e-12), n)
            k = max(1, int(round(cfg.micro_fraction * n)))
            audience = np.zeros(n, dtype=bool)
            audience[np.argpartition(-noisy, k - 1)[:k]] = True
        else:
            audience = np.ones(n, dtype=bool)
        if level != "broad" and audience.mean() < self.policy.smallest_audience():
            audience = np.ones(n, dtype=bool)  # the platform refuses too narrow an audience
        self.targeting_used = level if audience.mean() < 1 or level == "broad" else "broad"
        self.audience = audience

    # ---------------------------------------------------------------- each day

    def step(self) -> None:
        """The campaign acts: its accounts queue today's posts (policy filters them next)."""
        m = self.model
        m.queue_posts(*self.post(m.day, m.registry, m.population, m.rng_dyn))

    @property
    def spent(self) -> float:
        return self.spent_ads + self.spent_amplifiers

    def days_left(self, day: int) -> int:
        return max(1, self.steps - day)

    def post(self, day: int, registry, population: Population, rng: np.random.Generator):
        """Queue today's posts: official account, amplifiers, sockpuppets.

        Returns (posters, contents, paid) arrays; ``paid`` marks amplifier posts, paid for
        only if they go out after enforcement.
        """
        cfg, idx = self.cfg, self.index
        posters, contents, paid = [], [], []
        if cfg.posting_days is not None and day >= cfg.posting_days:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, bool)

        def new(count, origin, author, labeled, copy=False):
            share = cfg.outgroup_share
            hostile = self.content_rng.random(count) < share if share else False
            return registry.add(count, campaign=idx, origin=origin, author=author,
                                labeled=labeled, cta=rng.random(count) < cfg.cta_share,
                                created=day, copy=copy, hostile=hostile)

        if not population.suspended[self.official] and cfg.posts_per_day:
            ids = new(cfg.posts_per_day, OWNED, self.official, False)
            posters.append(np.full(len(ids), self.official)); contents.append(ids)
            paid.append(np.zeros(len(ids), bool))

        amp = cfg.amplifiers
        active = self.amplifiers[~population.suspended[self.amplifiers]]
        if len(active) and amp.posts_per_day and amp.pay_per_post >= 0:
            affordable = (self.budget - self.spent) // amp.pay_per_post if amp.pay_per_post else np.inf
            n_each = amp.posts_per_day
            max_accounts = int(min(len(active), affordable // n_each)) if n_each else 0
            active = active[:max_accounts]
            p, c = self._copies(active, n_each, amp.identical, AMPLIFIED, amp.disclosed, new)
            posters.append(p); contents.append(c); paid.append(np.ones(len(p), bool))

        sp = cfg.sockpuppets
        puppets = self.sockpuppets[~population.suspended[self.sockpuppets]]
        if len(puppets) and sp.posts_per_day:
            p, c = self._copies(puppets, sp.posts_per_day, sp.identical, OWNED, False, new)
            posters.append(p); contents.append(c); paid.append(np.zeros(len(p), bool))

        if not posters:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, bool)
        return np.concatenate(posters), np.concatenate(contents), np.concatenate(paid)

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

    def pay_amplifiers(self, posts_out: int) -> float:
        cost = posts_out * self.cfg.amplifiers.pay_per_post
        self.spent_amplifiers += cost
        return cost

    def ad_budget_today(self, day: int) -> float:
        """Even pacing: what is left, spread over the days left, for ads."""
        if not self.ads_allowed:
            return 0.0
        return max(0.0, (self.budget - self.spent) / self.days_left(day))
