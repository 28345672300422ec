"""The Mesa model: wires population, network, campaigns, ranking, policy and behaviour.

One ``step()`` is one day (DESIGN section 3): campaigns post; enforcement; feeds; the ad
auction; reactions; metrics. User state lives in arrays and every per-user operation is
array code; the only Python loops run over campaigns and ad slots.
"""

from __future__ import annotations

import mesa
import numpy as np
import scipy.sparse as sp

from . import behavior, network, ranking
from .arrays import runs
from . import policy as pol
from .campaigns import Campaign
from .config import Config, validate
from .content import AD, EARNED_ORGANIC, EARNED_PAID, PAID_ROOTS, ContentRegistry, SeenSet
from .metrics import Metrics
from .population import Population, UserAgent

STREAMS = ("network", "population", "accounts", "dynamics")


def _transpose(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The transposed graph as CSR (followee -> followers), sorted indices."""
    transposed = matrix.T.tocsr()
    transposed.sort_indices()
    return transposed


def make_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent random streams, so one seed gives one network and population whatever
    the policy (paired comparisons with common random numbers)."""
    return dict(zip(STREAMS, np.random.SeedSequence(seed).spawn(len(STREAMS))))


class SimModel(mesa.Model):
    """Paid versus organic political reach on a follower network."""

    def __init__(self, cfg: Config, *, follows: sp.csr_matrix | None = None, log: bool = False):
        """``follows``: a ready follower matrix (skips building one); ``log``: keep every post
        and impression in ``self.log`` (tests, the classroom app; costs memory at scale)."""
        validate(cfg)
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        streams = make_streams(cfg.seed)
        self.population = Population(cfg.population, np.random.default_rng(streams["population"]))
        n = cfg.population.n
        self.n = n
        self.follows_users = follows if follows is not None else network.build(
            cfg.network, n, self.population.ideology, streams["network"])

        # Followers of each user (the transposed graph), for the push engine.
        self.followers_users = _transpose(self.follows_users)
        follower_counts = np.diff(self.followers_users.indptr)
        account_rngs = [np.random.default_rng(s)
                        for s in streams["accounts"].spawn(len(cfg.scenario.campaigns))]
        self.campaigns: list[Campaign] = [
            Campaign(self, i, c, cfg.policy, self.population, cfg.steps, follower_counts,
                     account_rngs[i])
            for i, c in enumerate(cfg.scenario.campaigns)
        ]
        for camp in self.campaigns:
            camp.set_audience(self.population, account_rngs[camp.index])
        self.rng_dyn = np.random.default_rng(streams["dynamics"])

        # Follows of campaign-controlled accounts (indices >= n), kept as a growing key set.
        self.n_accounts = self.population.size - n
        src = [c.official_followers for c in self.campaigns] + [c.sockpuppet_edges[0] for c in self.campaigns]
        dst = [np.full(len(c.official_followers), c.official) for c in self.campaigns] + [
            c.sockpuppet_edges[1] for c in self.campaigns]
        src, dst = np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64)
        # keys account * n + user: sorted keys are the followers CSR of the accounts directly
        self.account_follows = SeenSet(shift=n)
        self.account_follows.add(*self._unique_pairs(self.account_follows, dst - n, src))
        self._rebuild_account_follows()

        positions = np.array([c.position for c in cfg.scenario.campaigns], dtype=float)
        appeals = np.array([c.appeal for c in cfg.scenario.campaigns], dtype=float)
        self.political = np.array([c.political for c in cfg.scenario.campaigns])
        self.candidates = np.flatnonzero([c.candidate and c.political for c in cfg.scenario.campaigns])
        self.registry = ContentRegistry(positions, appeals)
        self.seen = SeenSet()
        self.ad_slots = int(round(cfg.feed.size * cfg.feed.ad_load))
        self.creatives = np.full((len(self.campaigns), cfg.steps, max(self.ad_slots, 1)), -1)
        empty = np.empty(0, dtype=np.int64)
        self.pending = (empty, empty)  # yesterday's reshares: (sharers, contents)

        self.log = {"posts": [], "impressions": []} if log else None
        self.metrics = Metrics(self)
        self.datacollector = mesa.DataCollector(tables={"steps": Metrics.STEP_COLUMNS})
        self.metrics.record_start()
        if cfg.population.agents:
            self.users = [UserAgent(self, i) for i in range(n)]

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _unique_pairs(pairs: SeenSet, first: np.ndarray, second: np.ndarray):
        """Distinct (first, second) pairs, in the key order of ``pairs``."""
        return pairs.split(runs(np.sort(pairs.key(first, second)))[0])

    def _rebuild_account_follows(self) -> None:
        """Followers of each campaign account as CSR (they change when users follow).

        The follow keys (account * n + user) are sorted, so they give indices and row pointers
        as they are: no conversion, no sort."""
        accounts, users = self.account_follows.split(self.account_follows.keys)
        n_rows = max(self.n_accounts, 1)
        indptr = np.searchsorted(accounts, np.arange(n_rows + 1))
        self.followers_accounts = sp.csr_matrix(
            (np.ones(len(users), np.float32), users.astype(np.int32), indptr), shape=(n_rows, self.n))

    @property
    def follows_accounts(self) -> sp.csr_matrix:
        """Who follows which campaign account, users as rows (the pull engine's view)."""
        return self.followers_accounts.T.tocsr()

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
        readers = np.flatnonzero((rng.random(self.n) < self.population.activity[: self.n])
                                 & ~self.population.suspended[: self.n])
        organic = self._organic_feed(readers, posters, contents, day)
        ads = self._ad_auction(readers, day)
        impressions = {k: np.concatenate([organic[k], ads[k]]) for k in organic}
        self.seen.add(impressions["users"], impressions["contents"])
        if self.log is not None:
            self.log["impressions"].append({"day": day, **impressions})
        self._react(impressions, day)
        self.metrics.record_step(day, impressions)
        self.running = day + 1 < self.cfg.steps  # Mesa's signal that the run is over

    def _campaigns_post(self, day: int):
        """Campaigns act, then enforcement decides which posts go out."""
        queued = [c.post(day, self.registry, self.population, self.rng_dyn) for c in self.campaigns]
        posters = np.concatenate([q[0] for q in queued])
        contents = np.concatenate([q[1] for q in queued])
        paid = np.concatenate([q[2] for q in queued])
        keep, caught = pol.enforce(self.cfg.policy, posters, contents, self.registry.copy[contents],
                                   self.population.suspended, self.rng_dyn)
        owners = self.registry.campaign[contents]
        for camp in self.campaigns:
            camp.pay_amplifiers(int(np.count_nonzero(keep & paid & (owners == camp.index))))
        self.metrics.record_posts(contents[keep])
        if self.log is not None:
            self.log["posts"].append({"day": day, "posters": posters[keep], "contents": contents[keep],
                                      "suspended": caught})
        return posters[keep], contents[keep]

    def _organic_feed(self, readers, posters, contents, day):
        """Rank what followees posted today or reshared yesterday; keep the top few."""
        n, reg, pop = self.n, self.registry, self.population
        sharers = np.concatenate([posters, self.pending[0]])
        shared = np.concatenate([contents, self.pending[1]])
        direct = np.concatenate([np.ones(len(posters), bool), np.zeros(len(self.pending[0]), bool)])
        local_ids, local = np.unique(shared, return_inverse=True)
        is_user = sharers < n
        shares = [ranking.share_triplets(sharers[m] - off, local[m], direct[m])
                  for m, off in ((is_user, 0), (~is_user, n))]
        if self.cfg.engine == "push":
            is_reader = np.zeros(n, bool)
            is_reader[readers] = True
            users, cols, values = ranking.candidates_push(
                is_reader, [self.followers_users, self.followers_accounts], shares, len(local_ids))
        else:
            users, cols, values = ranking.candidates_pull(
                readers, [self.follows_users, self.follows_accounts], shares, len(local_ids))
        items = local_ids[cols]
        fresh = ~self.seen.contains(users, items)
        users, items, values = users[fresh], items[fresh], values[fresh]
        is_direct, proof = ranking.unpack(values)

        weight = behavior.engagement_weight(
            self.cfg.behavior, pop.ideology[users], reg.position(items), reg.appeal(items), False,
            pop.skepticism[users], reg.labeled[items])
        age = day - reg.created[items]
        rcfg = self.cfg.ranking
        if rcfg.algorithm == "engagement":
            noise = self.rng_dyn.lognormal(0.0, rcfg.prediction_noise, len(items))
            score = (weight * noise * (1 + rcfg.social_proof_weight * np.log(proof))
                     * rcfg.recency_decay ** age)
        else:  # chronological: newest first, ties in random order
            score = -age + 0.5 * self.rng_dyn.random(len(items))
        keep = ranking.top_k_per_group(users, score, self.cfg.feed.political_slots)

        root = reg.origin[items]
        origin = np.where(is_direct, root, np.where(PAID_ROOTS[root], EARNED_PAID, EARNED_ORGANIC))
        return {"users": users[keep], "contents": items[keep], "origin": origin[keep].astype(np.int8),
                "weight": weight[keep], "from_ad": np.zeros(keep.sum(), bool)}

    def _ad_auction(self, readers, day):
        """Fill each reader's ad slots by second-price auction against commercial demand.

        Arrays are kept one per campaign (column by column), and each slot is auctioned only
        where some campaign is eligible: elsewhere the commercial market wins anyway.
        """
        cfg, pop = self.cfg, self.population
        fields = {"users": np.int64, "contents": np.int64, "origin": np.int8, "weight": float,
                  "from_ad": bool}
        out = {k: [np.empty(0, t)] for k, t in fields.items()}
        self.metrics.ad_budget[:] = 0.0
        today = [(c, c.ad_budget_today(day)) for c in self.campaigns]
        bidders = [c for c, b in today if b > 0]
        if not bidders or self.ad_slots == 0 or len(readers) == 0:
            return {k: v[0] for k, v in out.items()}
        rng, bcfg, n_r = self.rng_dyn, cfg.behavior, len(readers)
        budget = np.array([b for _, b in today if b > 0])
        remaining = budget.copy()
        demand = np.zeros(len(bidders))
        ideology, skepticism = pop.ideology[readers], pop.skepticism[readers]
        audience = [c.audience[readers] for c in bidders]
        # True engagement weight of each campaign's ad, and the platform's noisy prediction of
        # it relative to a perfectly aligned ad: the auction's quality factor.
        weight = [behavior.engagement_weight(bcfg, ideology, c.cfg.position, c.cfg.appeal, True,
                                             skepticism, cfg.policy.labels) for c in bidders]
        quality = [w / max(bcfg.source_ad, 1e-12) * rng.lognormal(0.0, cfg.ranking.prediction_noise, n_r)
                   for w in weight]
        effective = [c.cfg.bid * q for c, q in zip(bidders, quality)]
        shown = [np.zeros(n_r, np.int64) for _ in bidders]
        cap = cfg.policy.frequency_cap if cfg.policy.frequency_cap is not None else self.ad_slots
        priority = rng.random(n_r)  # random order of auctions, for the budget stop
        for slot in range(self.ad_slots):
            eligible = []
            for j, camp in enumerate(bidders):
                ok = audience[j] & (shown[j] < cap) if remaining[j] > 0 else np.zeros(n_r, bool)
                if camp.pacing < 1.0:  # pacing: a throttled campaign joins with prob p
                    ok &= rng.random(n_r) < camp.pacing
                eligible.append(ok)
            rows = np.flatnonzero(np.logical_or.reduce(eligible))
            commercial = cfg.market.commercial_cpm * rng.lognormal(0, cfg.market.commercial_sigma,
                                                                   len(rows))
            bids = [commercial] + [np.where(e[rows], b[rows], -np.inf)
                                   for e, b in zip(eligible, effective)]
            winner, runner_up = ranking.second_price(bids)
            for j, camp in enumerate(bidders):
                won = np.flatnonzero(winner == j + 1)
                if len(won) == 0:
                    continue
                who = rows[won]
                price = runner_up[won] / quality[j][who] / 1000.0  # $ per impression
                demand[j] += price.sum()
                ok = ranking.within_budget(price, remaining[j], np.argsort(priority[who]))
                who, price = who[ok], price[ok]
                remaining[j] -= price.sum()
                creative = self._creative(camp.index, day, shown[j][who])
                shown[j][who] += 1
                self.metrics.record_ad_spend(creative, price)
                out["users"].append(readers[who]); out["contents"].append(creative)
                out["origin"].append(np.full(len(who), AD, np.int8))
                out["weight"].append(weight[j][who]); out["from_ad"].append(np.ones(len(who), bool))
        for j, camp in enumerate(bidders):
            self.metrics.ad_budget[camp.index] = budget[j]
            camp.spent_ads += budget[j] - remaining[j]
            camp.update_pacing(demand[j], camp.ad_budget_today(day + 1))
        return {k: np.concatenate(v) for k, v in out.items()}

    def _creative(self, campaign: int, day: int, k: np.ndarray) -> np.ndarray:
        """Content ids of a campaign's k-th ad of the day (created on first use): a user never
        gets one ad twice, and the frequency cap bounds how many they get."""
        ids = self.creatives[campaign, day]
        missing = np.unique(k[ids[k] < 0])
        if len(missing):
            camp = self.campaigns[campaign]
            ids[missing] = self.registry.add(
                len(missing), campaign=campaign, origin=AD, author=camp.official,
                labeled=self.cfg.policy.labels, cta=self.rng_dyn.random(len(missing)) < camp.cfg.cta_share,
                created=day, variant=missing)
        return ids[k]

    def _react(self, imp, day) -> None:
        """Engage, reshare, follow; opinions and turnout move."""
        bcfg, pop, reg, rng = self.cfg.behavior, self.population, self.registry, self.rng_dyn
        users, items, origin = imp["users"], imp["contents"], imp["origin"]
        engaged, reshared = behavior.react(bcfg, imp["weight"], pop.reshare[users], rng)
        # Follows: an engaged user may follow the content's author (a campaign account).
        author = reg.author[items]
        wants = engaged & (rng.random(len(users)) < bcfg.follow_prob) & (author >= self.n)
        f_accounts, f_users = self._unique_pairs(self.account_follows, author[wants] - self.n,
                                                 users[wants])
        new = ~self.account_follows.contains(f_accounts, f_users)
        f_users, f_accounts = f_users[new], f_accounts[new]
        if len(f_users):
            self.account_follows.add(f_accounts, f_users)
            self._rebuild_account_follows()
        # Opinion: political content within epsilon pulls; a label discounts persuasion.
        political = self.political[reg.campaign[items]]
        factor = behavior.label_factor(bcfg, pop.skepticism[users], reg.labeled[items])
        moved = behavior.update_opinions(bcfg, pop.opinion, users[political],
                                         reg.position(items[political]), factor[political])
        # Turnout: calls to action nudge; via a followee's reshare (social) more strongly.
        cta = reg.cta[items]
        social = (origin == EARNED_PAID) | (origin == EARNED_ORGANIC)
        nudge = np.where(social, bcfg.turnout_nudge_social, bcfg.turnout_nudge)[cta]
        nudged = behavior.update_turnout(pop.turnout, users[cta], nudge)
        self.metrics.refresh_votes(runs(np.sort(np.concatenate([moved, nudged])))[0])
        self.pending = (users[reshared], items[reshared])
        self.metrics.record_reactions(imp, engaged, reshared, f_accounts + self.n)

    # ---------------------------------------------------------------- running

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    def summary(self) -> dict:
        return self.metrics.summary()
