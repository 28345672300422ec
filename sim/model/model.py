"""The Mesa model: wires population, network, campaigns, platforms and behaviour, and runs the day.

One ``step()`` is one day (docs/model.md §1.3), flowing one way through typed records
(records.py): campaigns decide (posts; bids) → each platform filters, ranks and sells
(impressions, ad receipts) → users react (reactions) → observers measure (the day's record).
Each of these has its own module; this one only puts them in order. User state lives in arrays
and every per-user operation is array code; the only Python loops run over platforms,
campaigns and ad slots.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..config import Config, validate
from ..network_file import attributes
from ..vocabulary import Origin
from . import behavior, kernels, network
from .arrays import union_sorted
from .campaigns import Campaign
from .content import ContentRegistry, Seen
from .feed.rankers import Engagement
from .follows import Follows, transpose
from .levers import Policy
from .metrics import Metrics, World
from .platform import Platform, membership
from .population import Population
from .records import Day, Impressions, Posts, Reactions
from .sessions import Sessions

# Streams added later go last: spawn(n) extends spawn(n - 1), so the earlier streams, and every
# draw from them, are unchanged. "ranking": who is on a chronological option; "enforcement":
# ad review and watchdogs; "membership": who is on which platform (platforms with a reach).
STREAMS = ("network", "population", "accounts", "dynamics", "ranking", "enforcement", "membership")


def make_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent random streams, so one seed gives one network and population whatever
    the policy (paired comparisons with common random numbers)."""
    return dict(zip(STREAMS, np.random.SeedSequence(seed).spawn(len(STREAMS))))


class SimModel(mesa.Model):
    """Paid versus organic political reach on a follower network, on one or more platforms."""

    def __init__(self, cfg: Config, *, follows=None, log: bool = False):
        """``cfg``: a typed config (``sim.configure.compose`` makes one); ``follows``: a ready
        follower matrix of the regular users (skips building one); ``log``: keep every post and
        impression in ``self.log`` (tests, the classroom app; costs memory at scale)."""
        validate(cfg)
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        policy: Policy = cfg.policy if cfg.policy is not None else Policy()
        ranker = cfg.ranking if cfg.ranking is not None else Engagement()
        # (name, attention share, policy, ranker) of each platform; none listed: one, with the
        # run's policy and ranking
        specs = [(p.name, p.share, p.rules or policy, p.ranker or ranker) for p in cfg.platforms] or [
            ("platform", 1.0, policy, ranker)
        ]
        self.policy = specs[0][2]  # campaigns set up under the first platform's rules
        streams = make_streams(cfg.seed)
        # who is on which platform (users x platforms; None: everyone on every one)
        self.members = membership(
            [p.reach for p in cfg.platforms],
            [p.overlap for p in cfg.platforms],
            cfg.population.n,
            np.random.default_rng(streams["membership"]),
        )
        self.population = Population(
            cfg.population, np.random.default_rng(streams["population"]), attributes(cfg.network)
        )  # a file's node attributes
        n = self.n = cfg.population.n
        follows_users = (
            follows
            if follows is not None
            else network.build(cfg.network, n, self.population.ideology, streams["network"])
        )
        followers_users = transpose(follows_users)  # followee -> followers, for the push engine
        follower_counts = np.diff(followers_users.indptr)
        account_rngs = [
            np.random.default_rng(s) for s in streams["accounts"].spawn(len(cfg.scenario.campaigns))
        ]
        self.campaigns: list[Campaign] = [
            Campaign(
                self,
                i,
                c,
                self.policy,
                self.population,
                cfg.steps,
                follower_counts,
                account_rngs[i],
                platforms=len(specs),
            )
            for i, c in enumerate(cfg.scenario.campaigns)
        ]
        for camp in self.campaigns:
            camp.set_audience(self.population, account_rngs[camp.index])
            for k, (_, _, rules, _) in enumerate(specs[1:], start=1):  # each platform's own rules
                camp.join(rules, self.population, np.random.default_rng([cfg.seed, 2000 + k, camp.index]))
        self.rng_dyn = np.random.default_rng(streams["dynamics"])

        accounts = np.concatenate(
            [np.full(len(c.official_followers), c.official) for c in self.campaigns]
            + [c.sockpuppet_edges[1] for c in self.campaigns]
        )
        users = np.concatenate(
            [c.official_followers for c in self.campaigns] + [c.sockpuppet_edges[0] for c in self.campaigns]
        )
        self.follows = Follows(
            follows_users,
            followers_users,
            self.population.size - n,
            (accounts.astype(np.int64), users.astype(np.int64)),
        )
        positions = np.array([c.position for c in cfg.scenario.campaigns], dtype=float)
        # appeal as the campaign's creative testing left it (platform help: levers.PlatformHelp)
        appeals = np.array([c.cfg.appeal * c.testing_gain for c in self.campaigns], dtype=float)
        self.political = np.array([c.political for c in cfg.scenario.campaigns])
        self.candidates = np.flatnonzero([c.candidate and c.political for c in cfg.scenario.campaigns])
        self.registry = ContentRegistry(positions, appeals)
        self.seen = Seen()
        self.platforms = [
            Platform(
                k,
                name,
                share,
                cfg,
                pol,
                rank,
                follows=self.follows,
                population=self.population,
                registry=self.registry,
                seen=self.seen,
                campaigns=self.campaigns,
                rng_ranking=np.random.default_rng(streams["ranking"] if k == 0 else [cfg.seed, 1000 + k, 0]),
                rng_enforcement=np.random.default_rng(
                    streams["enforcement"] if k == 0 else [cfg.seed, 1000 + k, 1]
                ),
                members=None if self.members is None else self.members[:, k],
            )
            for k, (name, share, pol, rank) in enumerate(specs)
        ]
        self._plan_ads()
        self.sessions = Sessions(cfg.behavior, n)
        self.log = {"posts": [], "impressions": [], "reactions": []} if log else None
        self.datacollector = mesa.DataCollector(tables={"steps": Metrics.step_columns()})
        self.metrics = Metrics(
            World(
                cfg=cfg,
                n=n,
                population=self.population,
                registry=self.registry,
                campaigns=[c.cfg for c in self.campaigns],
                candidates=self.candidates,
                chronological=self.platforms[0].feed.chronological,
                platforms=[p.name for p in self.platforms],
                table=self.datacollector,
            )
        )
        self.metrics.observe_start([c.state() for c in self.campaigns])

    @property
    def feed(self):
        """The first platform's feed (the only one in a one-platform model)."""
        return self.platforms[0].feed

    @property
    def day(self) -> int:
        return self.steps - 1  # Mesa counts steps from 1 inside step()

    def _plan_ads(self) -> None:
        """Each campaign's channels (sim/model/allocation.py): the days it may buy ads at each
        platform (the platforms' rules in time and on advertisers), its ad spend cap there and
        the platforms' ``ad_weight`` (by default their attention shares: how its ad budget is
        split when all are open)."""
        steps = self.cfg.steps
        shares = np.array(
            [
                p.share if c is None or c.ad_weight is None else c.ad_weight
                for p, c in zip(self.platforms, self.cfg.platforms or [None])
            ]
        )
        for camp in self.campaigns:
            allowed = np.array([p.ad_days(camp.cfg, steps) for p in self.platforms])  # platform x day
            for p, platform in enumerate(self.platforms):
                allowed[p, platform.blocked_from(camp) :] = False
            caps = np.array([p.policy.ad_spend_cap(camp.cfg, self.n) for p in self.platforms])
            camp.plan_channels(allowed, shares, caps, self.cfg.allocation)

    def ad_budgets(self, day: int) -> np.ndarray:
        """Every campaign's ad budget of ``day`` at each platform (platform x campaign, US$); the
        campaigns spend today's money on their other channels (Campaign.spend_today)."""
        budgets = np.zeros((len(self.platforms), len(self.campaigns)))
        for camp in self.campaigns:
            budgets[:, camp.index] = camp.spend_today(day)
        return budgets

    def _official_reach(self, impressions: Impressions, posts: Posts) -> tuple[np.ndarray, np.ndarray]:
        """Per campaign: the day's impressions of its official account's own posts, and how many
        it posted (what a campaign learns of its organic reach per post)."""
        reg, c = self.registry, len(self.campaigns)
        officials = np.array([camp.official for camp in self.campaigns])
        items = impressions.contents[impressions.origin == Origin.OWNED]
        own = reg.author[items] == officials[reg.campaign[items]]
        seen = np.bincount(reg.campaign[items[own]].astype(np.int64), minlength=c)
        mine = posts.posters == officials[reg.campaign[posts.contents]]
        posted = np.bincount(reg.campaign[posts.contents[mine]].astype(np.int64), minlength=c)
        return seen, posted

    # ---------------------------------------------------------------- the day

    def step(self) -> None:
        day, rng, pop = self.day, self.rng_dyn, self.population
        if day >= self.cfg.steps:  # budgets, pacing and ad tables are planned over cfg.steps
            raise RuntimeError(
                f"the model has run all of its steps ({self.cfg.steps}); set steps higher to simulate longer"
            )
        # Campaigns decide: posts (in config order); the platforms' rules decide which go out.
        queued = Posts.concat([c.post(day, self.registry, pop, rng) for c in self.campaigns])
        out, sent = self._filter_posts(queued, day)
        pay = np.array(
            [
                c.pay_amplifiers(
                    queued.posters[sent & queued.paid & (self.registry.campaign[queued.contents] == c.index)]
                )
                for c in self.campaigns
            ]
        )
        # Platforms rank and sell, each to the readers it has today.
        readers = self.sessions.open(pop.activity[: self.n], pop.suspended[: self.n], rng)
        if self.members is not None:  # a user on no platform opens none
            readers = readers[self.members[readers].any(axis=1)]
        budgets = self.ad_budgets(day)
        served, receipts = [], []
        for p, (platform, here) in enumerate(zip(self.platforms, self._split_readers(readers))):
            imp, sold = platform.serve(here, out[p], budgets[p], day, rng)
            self.sessions.update(here, platform.feed.log_quality)
            served.append(imp)
            receipts += sold
        impressions = Impressions.concat(served) if len(served) > 1 else served[0]
        self.seen.add(impressions)
        if self.log is not None:
            self.log["impressions"].append({"day": day, **impressions.columns()})
        # Campaigns learn what they spent from their receipts, and pace.
        seen, posted = self._official_reach(impressions, queued.take(sent))
        for camp in self.campaigns:
            camp.settle(
                [r for r in receipts if r.campaign == camp.index],
                day,
                self.cfg.market.pacing_gain,
                int(seen[camp.index]),
                int(posted[camp.index]),
            )
        # Users react; observers measure; the ad library's readers act (from tomorrow).
        reactions, changed = self.react(impressions)
        self.metrics.observe(
            Day(
                day=day,
                posts=queued.take(sent),
                impressions=impressions,
                receipts=receipts,
                reactions=reactions,
                feeds=[p.feed.today for p in self.platforms],
                amplifier_pay=pay,
                readers=len(readers),
                campaigns=[c.state() for c in self.campaigns],
            ),
            changed,
        )
        for p, platform in enumerate(self.platforms):
            platform.enforce(day, self._on(impressions, p))
        self.running = day + 1 < self.cfg.steps  # Mesa's signal that the run is over

    def _on(self, impressions: Impressions, p: int) -> Impressions:
        """The impressions served on platform ``p``."""
        if len(self.platforms) == 1:
            return impressions
        return impressions.take(impressions.platform == p)

    def _split_readers(self, readers: np.ndarray) -> list[np.ndarray]:
        """Today's readers of each platform: each reader reads one of the platforms they are on,
        drawn by attention share (renormalised over theirs); a reader on none reads nothing."""
        shares = np.array([p.share for p in self.platforms])
        if self.members is not None:
            on = self.members[readers] * shares  # readers x platforms: attention where a member
            total = on.sum(axis=1)
            cum = np.cumsum(on, axis=1) / np.maximum(total, 1e-300)[:, None]
            pick = (cum <= self.rng_dyn.random(len(readers))[:, None]).sum(axis=1)
            pick = np.where(total > 0, np.minimum(pick, len(shares) - 1), -1)
            return [readers[pick == p] for p in range(len(self.platforms))]
        if len(self.platforms) == 1:
            return [readers]
        pick = np.searchsorted(
            np.cumsum(shares / shares.sum()), self.rng_dyn.random(len(readers)), side="right"
        ).clip(0, len(shares) - 1)
        return [readers[pick == p] for p in range(len(self.platforms))]

    def _filter_posts(self, queued: Posts, day: int) -> tuple[list[Posts], np.ndarray]:
        """Each platform's rules on the day's posts: what goes out on each, and the mask of
        posts that went out anywhere (amplifiers are paid for those)."""
        out, sent, caught = [], np.zeros(len(queued.posters), bool), []
        for platform in self.platforms:
            posts = platform.filter_posts(queued, self.rng_dyn)
            out.append(queued.take(posts.keep))
            sent |= posts.keep
            caught += posts.caught
        if self.log is not None:
            caught = np.concatenate(caught) if caught else np.empty(0, np.int64)
            self.log["posts"].append(
                {
                    "day": day,
                    "posters": queued.posters[sent],
                    "contents": queued.contents[sent],
                    "suspended": caught,
                }
            )
        return out, sent

    def react(self, imp: Impressions, *, rng=None) -> tuple[Reactions, np.ndarray]:
        """Users react to ``imp``: engage, reshare, follow; opinions and turnout move. Returns the
        reactions and the users whose opinion or turnout changed. ``rng``: the stream of the
        draws (default: the model's dynamics stream)."""
        bcfg, pop, reg = self.cfg.behavior, self.population, self.registry
        rng = self.rng_dyn if rng is None else rng
        users, items, origin = imp.users, imp.contents, imp.origin
        engaged, reshared = behavior.react(bcfg, imp.weight, pop.reshare[users], rng)
        # Follows: an engaged user may follow the content's author (a campaign account) or,
        # for a recommendation, the account it came through (a user: the graph grows).
        target = np.where(imp.recommended, imp.via, reg.author[items])
        wants = engaged & (rng.random(len(users)) < bcfg.follow_prob)
        to_account, to_user = wants & (target >= self.n), wants & (target >= 0) & (target < self.n)
        followed, followers = self.follows.follow(target[to_account], users[to_account])
        user_follows = self.follows.follow_users(target[to_user], users[to_user])
        # Opinion: political content within epsilon pulls; a label discounts persuasion.
        readers, position, factor = kernels.political_exposures(
            users,
            items,
            reg.campaign,
            self.political,
            reg.positions,
            pop.skepticism,
            reg.labeled,
            float(bcfg.label_effect),
        )  # the readers of political items, each item's position, the label's discount
        faded = behavior.decay_persuasion(bcfg, pop, self.n, self.day)  # persuasion fades daily
        moved = behavior.update_opinions(bcfg, pop.opinion, readers, position, factor)
        # Turnout: calls to action nudge (by leaning); the social message acts once per user.
        cta = reg.cta[items]
        social = (origin == Origin.EARNED_FROM_PAID) | (origin == Origin.EARNED_FROM_ORGANIC)
        nudged = behavior.mobilize(bcfg, pop, users[cta], reg.position(items[cta]), social[cta])
        for p, platform in enumerate(self.platforms):
            if len(self.platforms) == 1:
                platform.learn(imp, engaged, reshared)
            else:
                mine = imp.platform == p
                platform.learn(self._on(imp, p), engaged[mine], reshared[mine])
        if self.log is not None:
            self.log["reactions"].append({"reshared": reshared, "followed": followed, "followers": followers})
        changed = union_sorted(faded, moved, nudged)  # each sorted
        return Reactions(engaged, reshared, followed, followers, len(user_follows[0])), changed

    def show(self, impressions: Impressions, rng) -> Reactions:
        """Users see ``impressions`` outside the day's feeds (an experimenter's message): they
        react as to any impression, with draws from ``rng``, and the metrics count it."""
        reactions, changed = self.react(impressions, rng=rng)
        self.metrics.observe_reactions(impressions, reactions, changed)
        return reactions

    # ---------------------------------------------------------------- running

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    def summary(self) -> dict:
        return self.metrics.summary()
