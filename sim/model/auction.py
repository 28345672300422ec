"""The ad auction: each reader's ad slots sold, second price, against commercial demand.

For each of a reader-day's ad slots (attribution.ad_slots), the campaigns eligible for a reader
(ads allowed by the policy, reader in the audience, frequency cap not reached, budget left
today, and a pacing draw) bid ``bid`` x bid multiplier x quality, where quality is the
platform's noisy prediction of engagement relative to a perfectly aligned ad; they compete with
a commercial bid drawn from LogNormal(log ``commercial_cpm``, ``commercial_sigma``). The winner
pays the runner-up's effective bid divided by its own quality. Winners are served in a random
order until the day's budget is spent. Each bidder gets a receipt (budget, spend, and what it
would have spent with no budget stop); the campaign settles from it (``Campaign.settle``) and
the pacing controller here adapts to what it would have spent: a campaign that would overspend
joins fewer auctions (participation < 1); one that underspends at full participation raises
its bid, up to ``bid_ceiling`` x ``bid``, and at the ceiling widens its audience
(``Campaign.expand``). So spend tracks the budget wherever the market has room.

Undeclared political ads (a campaign with ``declares_political: false`` where declaring would
stop or label them) pass the ban unless the platform's review catches them: each of the day's
creatives of such a campaign is caught with probability ``ad_review.recall`` and the users get
the approved ones only.

Each slot is auctioned only where some campaign is eligible (elsewhere the commercial market
wins anyway), by compiled kernels that do all campaigns in one pass over the readers: who may
bid (kernels.ad_eligibility) and each reader's auction (kernels.ad_slot_bids), on both cores for
a large day (sim/model/threads.py), then the budget stops in one pass (kernels.ad_slot_settle).
A campaign on the bid-cap strategy wins only where its effective bid beats every other bid; one
on lowest cost (``bid_strategy: lowest_cost``) has the platform bid for it without a cap (Meta's
LOWEST_COST_WITHOUT_CAP: "automatically increase your effective bid as needed"): where it is the
best campaign it wins against the commercial market and pays the runner-up, the commercial bid
or the next campaign's, whichever is higher. The only Python loops run over ad slots and
campaigns.
"""

from __future__ import annotations

import numpy as np

from ..vocabulary import Origin
from . import behavior, kernels, threads
from .attribution import ad_origin, ad_slots
from .records import AdReceipt, Impressions

UNDERSPENT = 0.95  # spend below this share of the day's budget, at full participation: bid up


def update_pacing(
    pacing: float, bid_scale: float, demand: float, next_budget: float, gain: float, ceiling: float
) -> tuple[float, float, float]:
    """The participation probability and bid multiplier that make spend track the budget.

    ``demand`` is what the campaign would have spent today at its current participation and
    bid with no budget stop. Overspending: the bid comes down towards its base first, then
    participation scales by budget / demand (bounded in (0, 1]). Underspending at full
    participation: the bid rises by (budget / demand)^(gain / 2) (a damped step: a higher bid
    both wins more and pays more), up to ``ceiling``. Returns (pacing, bid multiplier,
    starved): starved is budget / demand when the campaign underspent with its bid already at
    the ceiling (it then widens its audience), else 0."""
    if next_budget <= 0:
        return pacing, bid_scale, 0.0
    ratio = next_budget / demand if demand > 0 else np.inf
    if ratio < 1 and bid_scale > 1:
        return 1.0, float(max(1.0, bid_scale * ratio ** (gain / 2))), 0.0
    if ratio < 1 or pacing < 1:
        target = pacing * ratio
        return float(np.clip(pacing + gain * (target - pacing), 1e-4, 1.0)), 1.0, 0.0
    starved = ratio if ratio * UNDERSPENT > 1 and bid_scale >= ceiling else 0.0
    return 1.0, float(min(ceiling, bid_scale * min(ratio, 4.0) ** (gain / 2))), starved


# ---------------------------------------------------------------- delivery relevance (issue 13)
# The platform predicts how relevant a creative is for a reader and spends a limited budget where
# it predicts the most response (Ali et al. 2021): with one audience and one budget, a left
# creative reaches mostly left readers and a right one right readers, most of all at small
# budgets, and reaching the other side costs more.


def relevance(cfg, weight, ideology, position):
    """The platform's relevance of a creative for each reader, relative to a perfectly aligned ad:
    the engagement weight (appeal x affinity x label) with the creative-reader affinity raised to
    ``market.delivery_relevance`` (1: the users' own affinity; 0: alignment ignored)."""
    k, bcfg = cfg.market.delivery_relevance, cfg.behavior
    if k == 1.0 or not bcfg.affinity:
        return weight / max(bcfg.source_ad, 1e-12)
    # affinity^(k - 1) = exp((1 - k) |ideology - position| / scale), in place (runs every day)
    rel = np.abs(ideology - position)
    rel *= (1.0 - k) / bcfg.affinity_scale
    np.exp(rel, out=rel)
    rel *= weight
    rel *= 1.0 / max(bcfg.source_ad, 1e-12)
    return rel


def participation(pacing: float, quality: np.ndarray, audience: np.ndarray) -> np.ndarray:
    """Probability that a paced campaign joins each reader's auctions: 1 - (1 - pacing)^(q / q_mean),
    q the predicted relevance, q_mean its mean over the audience. Equal relevance gives ``pacing``
    everywhere; a small budget goes mostly to the most relevant readers (~ pacing x q / q_mean)
    and a budget near the audience's size reaches everyone."""
    if pacing >= 1.0:
        return np.ones(len(quality))
    mean = quality[audience].mean() if audience.any() else 1.0
    join = quality * (np.log1p(-pacing) / max(mean, 1e-300))  # in place: runs every day
    np.exp(join, out=join)
    np.subtract(1.0, join, out=join)
    return join


class AdAuction:
    """Sells one platform's ad slots day by day; keeps the creatives. It reads the campaigns'
    bids (bid, pacing, audience) and writes nothing into them: each bidder gets a receipt."""

    def __init__(
        self, cfg, campaigns, population, registry, policy, review_rng, platform: int = 0, views=None
    ):
        self.cfg, self.campaigns, self.population = cfg, campaigns, population
        self.registry, self.policy, self.platform = registry, policy, platform
        self.views = views  # content.AdViews: which ads each reader got (for the seen record)
        self.slots = ad_slots(cfg)
        # content id of each campaign's k-th ad of each day (-1: not yet shown)
        self.creatives = np.full((len(campaigns), cfg.steps, max(self.slots, 1)), -1)
        # The platform's review of undeclared political ads: which of each day's creatives it
        # lets through (drawn once, from the enforcement stream, for every campaign alike).
        self.approved = review_rng.random(self.creatives.shape) >= policy.review_recall
        # Each creative's predicted quality (market.creative_sigma; drawn after the review, so
        # the review's draws do not depend on it; none at 0, so the streams stay as they were).
        sigma = cfg.market.creative_sigma
        self.creative_quality = review_rng.lognormal(0.0, sigma, self.creatives.shape) if sigma > 0 else None

    def sell(
        self, readers: np.ndarray, budgets: np.ndarray, day: int, rng
    ) -> tuple[Impressions, list[AdReceipt]]:
        """Fill every reader's ad slots with the campaigns' ``budgets`` for today (US$, one per
        campaign); returns the ad impressions and one receipt per campaign that bid."""
        cfg, pop, p = self.cfg, self.population, self.platform
        bidders = [c for c in self.campaigns if budgets[c.index] > 0]
        if not bidders or self.slots == 0 or len(readers) == 0:
            return Impressions.empty(), []
        bcfg, n_r = cfg.behavior, len(readers)
        budget = np.array([budgets[c.index] for c in bidders])
        receipts = [AdReceipt(c.index, p, float(b), float(b), 0.0) for c, b in zip(bidders, budget)]
        remaining = budget.copy()
        demand = np.zeros(len(bidders))
        ideology, skepticism = pop.ideology[readers], pop.skepticism[readers]
        audience = [c.audience_on(p)[readers] for c in bidders]
        # True engagement weight of each campaign's ad, and the platform's noisy prediction of
        # it relative to a perfectly aligned ad, weighted by creative-reader relevance: the
        # auction's quality factor.
        labels = [self.label(c) for c in bidders]
        weight = [
            behavior.engagement_weight(
                bcfg, ideology, c.cfg.position, self.registry.appeals[c.index], True, skepticism, label
            )
            for c, label in zip(bidders, labels)
        ]
        # one row per campaign (the kernels read them as matrices)
        n_b = len(bidders)
        quality, effective, joins = (np.empty((n_b, n_r)) for _ in range(3))
        for j, (c, w) in enumerate(zip(bidders, weight)):
            quality[j] = relevance(cfg, w, ideology, c.cfg.position) * threads.lognormal(
                rng, cfg.feed.prediction_noise, n_r
            )
            effective[j] = c.cfg.bid * c.bid_scale[p] * quality[j]
            joins[j] = participation(c.pacing[p], quality[j], audience[j])
        audience = np.array(audience, dtype=bool).reshape(n_b, n_r)
        shown = np.zeros((n_b, n_r), np.int16)  # ads shown per reader today: at most the slots
        cap = self.policy.frequency_cap()
        cap = self.slots if cap is None else cap
        # the creatives each campaign may show today (undeclared ones: those the review let by)
        variants = [
            np.flatnonzero(self.approved[c.index, day]) if c.undeclared else np.arange(self.slots)
            for c in bidders
        ]
        caps = np.array([min(cap, len(v)) for v in variants], dtype=np.int64)
        # pacing: a throttled campaign joins some auctions, by a draw per reader and slot (one
        # block per slot, the throttled campaigns' rows in order: the same stream as one draw each)
        throttled = np.array([c.pacing[p] < 1.0 for c in bidders])
        draw_row = np.where(throttled, np.cumsum(throttled) - 1, -1).astype(np.int64)
        priority = rng.random(n_r)  # random order of auctions, for the budget stop
        by_priority = np.argsort(priority, kind="stable")
        next_quality = self.qualities_today(bidders, day, variants)
        # lowest-cost bidding (Meta's default, LOWEST_COST_WITHOUT_CAP): no bid cap against
        # the commercial market; bid_cap: the campaign's bid caps what it pays
        uncapped = np.array([c.cfg.bid_strategy == "lowest_cost" for c in bidders])
        eligible, some = np.empty((n_b, n_r), dtype=bool), np.empty(n_r, dtype=bool)
        winner_of, price_of = np.zeros(n_r, np.int64), np.zeros(n_r)
        won_by, creatives, weights = [], [], []  # the day's ad impressions, slot by slot
        for _slot in range(self.slots):
            active = remaining > 0
            if not active.any():  # every budget spent: the commercial market has the rest
                break
            draws = threads.uniform(rng, (int(throttled.sum()), n_r))
            threads.run(
                kernels.ad_eligibility,
                n_r,
                audience,
                shown,
                caps,
                active,
                draw_row,
                draws,
                joins,
                eligible,
                some,
            )
            rows = np.flatnonzero(some)
            commercial = threads.lognormal(
                rng, cfg.market.commercial_sigma, len(rows), cfg.market.commercial_cpm
            )
            wins = threads.run(
                kernels.ad_slot_bids,
                len(rows),
                rows,
                eligible,
                effective,
                quality,
                next_quality,
                shown,
                commercial,
                uncapped,
                winner_of,
                price_of,
            )
            offsets, won, prices, paid = kernels.ad_slot_settle(
                rows, sum(wins), remaining + 1e-9, by_priority, winner_of, price_of
            )
            for j, camp in enumerate(bidders):
                lo, hi = offsets[j], offsets[j + 1]
                if hi == lo:
                    continue
                price = prices[lo:hi]  # $ per impression, in reader order
                demand[j] += price.sum()
                ok = paid[lo:hi]  # within the budget, paid in the random priority order
                who, price = won[lo:hi][ok], price[ok]
                remaining[j] -= price.sum()
                creative = self.creative(camp, day, variants[j][shown[j][who]], rng, labels[j])
                shown[j][who] += 1
                receipts[j].creatives.append(creative)
                receipts[j].prices.append(price)
                won_by.append(who)
                creatives.append(creative)
                weights.append(weight[j][who])
        for j, camp in enumerate(bidders):
            receipts[j].remaining, receipts[j].demand = remaining[j], demand[j]
            if self.views is not None:  # a reader shown m of its ads today got its first m
                self.views.record(self.creatives[camp.index, day][variants[j]], readers, shown[j])
            if camp.undeclared:  # it submitted the day's creatives; the review let some through
                receipts[j].submitted, receipts[j].approved = self.slots, len(variants[j])
        if not won_by:
            return Impressions.empty(), receipts
        who = np.concatenate(won_by)
        served = Impressions.of(
            readers[who],
            np.concatenate(creatives),
            ad_origin(len(who)),
            np.concatenate(weights),
            from_ad=True,
            platform=p,
        )
        return served, receipts

    def qualities_today(self, bidders, day: int, variants: list[np.ndarray]) -> np.ndarray:
        """Each bidder's creatives' predicted quality in the order it shows them today (row j,
        column m: its m-th ad of the day to a reader; a reader past the last gets the last one
        again: the frequency cap stops it before). No columns when creatives are alike
        (``market.creative_sigma`` 0). ``kernels.ad_slot_bids`` looks a reader's next one
        up by the ads it was shown."""
        if self.creative_quality is None:
            return np.empty((len(bidders), 0))
        table = np.empty((len(bidders), max(self.slots, 1)))
        for j, (camp, v) in enumerate(zip(bidders, variants)):
            own = self.creative_quality[camp.index, day, v if len(v) else np.zeros(1, np.int64)]
            table[j, : len(own)] = own
            table[j, len(own) :] = own[-1]
        return table

    def label(self, camp) -> float:
        """The label an ad of ``camp`` carries: the share of viewers who recall it (0: none).
        Only ads the platform knows are political-or-civic ads get one: undeclared ones do not."""
        return self.policy.label_recall if self.policy.labels and not camp.undeclared else 0.0

    def creative(self, camp, day: int, k: np.ndarray, rng, label: float) -> np.ndarray:
        """Content ids of a campaign's k-th ad of the day (created on first use; ``label``: what
        it carries, AdAuction.label): a user never gets one ad twice, and the frequency cap
        bounds how many they get."""
        ids = self.creatives[camp.index, day]
        got = ids[k]
        new = got < 0
        if not new.any():
            return got
        first_use = np.zeros(len(ids), bool)
        first_use[k[new]] = True
        missing = np.flatnonzero(first_use)  # sorted, as np.unique would give
        if len(missing):
            ids[missing] = self.registry.add(
                len(missing),
                campaign=camp.index,
                origin=Origin.AD,
                author=camp.official,
                labeled=label,
                cta=rng.random(len(missing)) < camp.cta_share,
                created=day,
                variant=missing,
            )
        return ids[k]
