"""The Mesa model: wires population, network, campaigns, feed, auction, levers and behaviour.

One ``step()`` is one day (docs/model.md §1.3): campaigns post; the policy's levers filter the
posts; feeds; the ad auction; reactions; metrics. Each of these has its own module; this one
only puts them in order. User state lives in arrays and every per-user operation is array
code; the only Python loops run over campaigns and ad slots.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..config import Config, validate
from ..vocabulary import Origin
from . import behavior, network
from .arrays import runs
from .auction import AdAuction
from .campaigns import Campaign
from .content import ContentRegistry, SeenSet
from .feed.feed import OrganicFeed
from .feed.rankers import Engagement
from .follows import Follows, transpose
from .levers import Policy, Posts
from .metrics import Metrics
from .population import Population
from .sessions import Sessions
from .watchdogs import Accountability

# Streams added later go last: spawn(n) extends spawn(n - 1), so the earlier streams, and every
# draw from them, are unchanged. "ranking": who is on a chronological option; "enforcement":
# ad review and watchdogs.
STREAMS = ("network", "population", "accounts", "dynamics", "ranking", "enforcement")


def make_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent random streams, so one seed gives one network and population whatever
    the policy (paired comparisons with common random numbers)."""
    return dict(zip(STREAMS, np.random.SeedSequence(seed).spawn(len(STREAMS))))


class SimModel(mesa.Model):
    """Paid versus organic political reach on a follower network."""

    def __init__(self, cfg: Config, *, follows=None, log: bool = False):
        """``cfg``: a typed config (``sim.configure.compose`` makes one); ``follows``: a ready
        follower matrix of the regular users (skips building one); ``log``: keep every post and
        impression in ``self.log`` (tests, the classroom app; costs memory at scale)."""
        validate(cfg)
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.policy: Policy = cfg.policy if cfg.policy is not None else Policy()
        ranker = cfg.ranking if cfg.ranking is not None else Engagement()
        streams = make_streams(cfg.seed)
        self.population = Population(cfg.population, np.random.default_rng(streams["population"]),
                                     network.attributes(cfg.network))  # a file's node attributes
        n = self.n = cfg.population.n
        follows_users = follows if follows is not None else network.build(
            cfg.network, n, self.population.ideology, streams["network"])
        followers_users = transpose(follows_users)  # followee -> followers, for the push engine
        follower_counts = np.diff(followers_users.indptr)
        account_rngs = [np.random.default_rng(s)
                        for s in streams["accounts"].spawn(len(cfg.scenario.campaigns))]
        self.campaigns: list[Campaign] = [
            Campaign(self, i, c, self.policy, self.population, cfg.steps, follower_counts,
                     account_rngs[i])
            for i, c in enumerate(cfg.scenario.campaigns)
        ]
        for camp in self.campaigns:
            camp.set_audience(self.population, account_rngs[camp.index])
        self.rng_dyn = np.random.default_rng(streams["dynamics"])

        accounts = np.concatenate([np.full(len(c.official_followers), c.official)
                                   for c in self.campaigns]
                                  + [c.sockpuppet_edges[1] for c in self.campaigns])
        users = np.concatenate([c.official_followers for c in self.campaigns]
                               + [c.sockpuppet_edges[0] for c in self.campaigns])
        self.follows = Follows(follows_users, followers_users, self.population.size - n,
                               (accounts.astype(np.int64), users.astype(np.int64)))
        positions = np.array([c.position for c in cfg.scenario.campaigns], dtype=float)
        # appeal as the campaign's creative testing left it (platform help: levers.PlatformHelp)
        appeals = np.array([c.cfg.appeal * c.testing_gain for c in self.campaigns], dtype=float)
        self.political = np.array([c.political for c in cfg.scenario.campaigns])
        self.candidates = np.flatnonzero([c.candidate and c.political for c in cfg.scenario.campaigns])
        self.registry = ContentRegistry(positions, appeals)
        self.seen = SeenSet()
        self.feed = OrganicFeed(cfg, ranker, self.follows, self.population, self.registry,
                                self.seen, self.policy, np.random.default_rng(streams["ranking"]))
        self.sessions = Sessions(cfg.behavior, n)
        self.log = {"posts": [], "impressions": [], "reactions": []} if log else None
        self.metrics = Metrics(self)
        # Enforcement (ad review, watchdogs) draws from its own stream, so switching it on
        # leaves every other draw of a seed as it was (paired comparisons).
        rng_enforcement = np.random.default_rng(streams["enforcement"])
        self.auction = AdAuction(cfg, self.campaigns, self.population, self.registry,
                                 self.policy, self.metrics, rng_enforcement)
        self.accountability = Accountability(self.policy.watchdogs, self.campaigns,
                                             self.population, self.registry, n, cfg.steps,
                                             rng_enforcement)
        self.datacollector = mesa.DataCollector(tables={"steps": Metrics.step_columns()})
        self.metrics.record_start()
        self._outbox: list = []

    @property
    def day(self) -> int:
        return self.steps - 1  # Mesa counts steps from 1 inside step()

    # ---------------------------------------------------------------- the day

    def step(self) -> None:
        day, rng = self.day, self.rng_dyn
        if day >= self.cfg.steps:  # budgets, pacing and ad tables are planned over cfg.steps
            raise RuntimeError(f"the model has run all of its steps ({self.cfg.steps}); "
                               "set steps higher to simulate longer")
        posters, contents = self._campaigns_post(day)
        readers = self.sessions.open(self.population.activity[: self.n],
                                     self.population.suspended[: self.n], rng)
        organic = self.feed.impressions(readers, posters, contents, day, rng)
        self.sessions.update(readers, self.feed.log_quality)
        ads = self.auction.impressions(readers, day, rng)
        ads.update(recommended=np.zeros(len(ads["users"]), bool),  # ads come through ad slots
                   via=np.full(len(ads["users"]), -1, np.int64))
        impressions = {k: np.concatenate([organic[k], ads[k]]) for k in organic}
        self.metrics.record_feed(self.feed.today)
        self.seen.add(impressions["users"], impressions["contents"])
        if self.log is not None:
            self.log["impressions"].append({"day": day, **impressions})
        self._react(impressions)
        self.metrics.record_step(day, impressions)
        self.accountability.record(day, ads["contents"])
        self.accountability.act(day)  # takedowns act from tomorrow
        self.running = day + 1 < self.cfg.steps  # Mesa's signal that the run is over

    def queue_posts(self, posters, contents, paid) -> None:
        """A campaign's posts for today (Campaign.step calls this)."""
        self._outbox.append((posters, contents, paid))

    def _campaigns_post(self, day: int):
        """Campaigns act (in config order), then the policy's levers decide which posts go out."""
        self._outbox = []
        self.agents_by_type[Campaign].do("step")
        posters, contents, paid = (np.concatenate(x) for x in zip(*self._outbox))
        posts = self.policy.filter_posts(
            Posts(posters, contents, self.registry.copy[contents], np.ones(len(posters), bool),
                  self.population.suspended), self.rng_dyn)
        keep = posts.keep
        owners = self.registry.campaign[contents]
        for camp in self.campaigns:
            camp.pay_amplifiers(posters[keep & paid & (owners == camp.index)])
        self.metrics.record_posts(contents[keep])
        if self.log is not None:
            caught = np.concatenate(posts.caught) if posts.caught else np.empty(0, np.int64)
            self.log["posts"].append({"day": day, "posters": posters[keep],
                                      "contents": contents[keep], "suspended": caught})
        return posters[keep], contents[keep]

    def _react(self, imp) -> None:
        """Engage, reshare, follow; opinions and turnout move."""
        bcfg, pop, reg, rng = self.cfg.behavior, self.population, self.registry, self.rng_dyn
        users, items, origin = imp["users"], imp["contents"], imp["origin"]
        engaged, reshared = behavior.react(bcfg, imp["weight"], pop.reshare[users], rng)
        self.feed.record_engagements(items[engaged], pop.ideology[users[engaged]] >= 0)
        # Follows: an engaged user may follow the content's author (a campaign account) or,
        # for a recommendation, the account it came through (a user: the graph grows).
        target = np.where(imp["recommended"], imp["via"], reg.author[items])
        wants = engaged & (rng.random(len(users)) < bcfg.follow_prob)
        to_account, to_user = wants & (target >= self.n), wants & (target >= 0) & (target < self.n)
        followed, followers = self.follows.follow(target[to_account], users[to_account])
        user_follows = self.follows.follow_users(target[to_user], users[to_user])
        # Opinion: political content within epsilon pulls; a label discounts persuasion.
        political = self.political[reg.campaign[items]]
        factor = behavior.label_factor(bcfg, pop.skepticism[users], reg.labeled[items])
        faded = behavior.decay_persuasion(bcfg, pop, self.n, self.day)  # persuasion fades daily
        moved = behavior.update_opinions(bcfg, pop.opinion, users[political],
                                         reg.position(items[political]), factor[political])
        # Turnout: calls to action nudge (by leaning); the social message acts once per user.
        cta = reg.cta[items]
        social = (origin == Origin.EARNED_FROM_PAID) | (origin == Origin.EARNED_FROM_ORGANIC)
        nudged = behavior.mobilize(bcfg, pop, users[cta], reg.position(items[cta]), social[cta])
        self.metrics.refresh_votes(runs(np.sort(np.concatenate([faded, moved, nudged])))[0])
        self.feed.queue_reshares(users[reshared], items[reshared])
        self.metrics.record_reactions(imp, engaged, reshared, followed)
        self.metrics.record_user_follows(len(user_follows[0]))
        if self.log is not None:
            self.log["reactions"].append({"reshared": reshared, "followed": followed,
                                          "followers": followers})

    # ---------------------------------------------------------------- running

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    def summary(self) -> dict:
        return self.metrics.summary()
