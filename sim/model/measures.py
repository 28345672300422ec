"""Observers of the day's records that the metrics compose: what the feeds showed, the ad
library, and the outcomes per platform. Each sees the same records as the metrics (records.Day,
and the reactions to impressions) and the same :class:`sim.model.metrics.World`, and keeps its
own totals; its columns are declared in sim/outcomes.py.
"""

from __future__ import annotations

import math

import numpy as np

from .. import outcomes
from ..vocabulary import IDEOLOGY_BANDS, ORIGINS, PAID_ORIGINS, Origin
from . import kernels
from .arrays import runs, sort_ints
from .records import AdReceipt, Day, Impressions, Reactions

N_ORIGINS = len(ORIGINS)


def tally(out: np.ndarray, *index: np.ndarray) -> None:
    """Add the counts of index pairs or triples to ``out`` in place (kernels.tally2 / tally3:
    one pass, no temporaries; an index out of range raises IndexError)."""
    if len(index) != out.ndim or out.ndim not in (2, 3):
        raise ValueError(f"tally: {len(index)} index arrays for a {out.ndim}-D count")
    (kernels.tally2 if out.ndim == 2 else kernels.tally3)(out, *index)


def ratio(num: float, den: float) -> float:
    return float(num / den) if den else math.nan


class FeedMeasures:
    """What the feeds showed (docs/model.md §3.3, feed and ranking): recommendations, organic
    slots, posts attacking the out-group, daily organic reach on ranked and chronological
    feeds, sessions, follows between users."""

    def __init__(self, world):
        self.world, c = world, len(world.campaigns)
        self.recommended = np.zeros((c, N_ORIGINS), np.int64)  # recommended impressions
        self.organic = np.zeros(c, np.int64)  # impressions in organic slots
        self.hostile = np.zeros(c, np.int64)  # of which posts attacking the out-group
        self.daily_reach = np.zeros((c, 2))  # organic-rooted daily reach: ranked, chronological
        self.totals = {"readers": 0, "candidates": 0.0, "shown": 0.0, "recommended": 0.0}
        self.user_follows = 0
        self.days = 0
        self._step_rec = np.zeros((c, N_ORIGINS), np.int64)
        self._step_sessions = math.nan

    def observe_day(self, day: Day) -> None:
        self.days += 1
        for key in self.totals:
            self.totals[key] += sum(getattr(f, key) for f in day.feeds)
        self._step_sessions = day.readers / self.world.n

    def observe(self, imp: Impressions, camp: np.ndarray, reactions: Reactions) -> None:
        """Impressions (``camp``: each one's campaign) and the reactions to them."""
        reg, c = self.world.registry, len(self.world.campaigns)
        users, items, origin = imp.users, imp.contents, imp.origin
        rec = imp.recommended
        self._step_rec = np.bincount(camp[rec] * N_ORIGINS + origin[rec], minlength=c * N_ORIGINS).reshape(
            c, N_ORIGINS
        )
        self.recommended += self._step_rec
        organic = ~imp.from_ad
        self.organic += np.bincount(camp[organic], minlength=c)
        self.hostile += np.bincount(camp[organic & reg.hostile[items]], minlength=c)
        # Huszar et al.'s measure: users who saw the campaign's own (organic-rooted) posts that
        # day, on ranked and on chronological feeds
        own = (origin == Origin.OWNED) | (origin == Origin.EARNED_FROM_ORGANIC)
        keys, _ = runs(sort_ints(users[own].astype(np.int64) * c + camp[own]))
        who, which = np.divmod(keys, c)
        group = self.world.chronological[who].astype(np.int64)
        self.daily_reach += np.bincount(which * 2 + group, minlength=2 * c).reshape(c, 2)
        self.user_follows += reactions.user_follows

    def step(self, c: int) -> dict:
        """Campaign ``c``'s columns of today's row."""
        return {"impressions_recommended": int(self._step_rec[c].sum()), "sessions": self._step_sessions}

    def campaign(self, c: int) -> dict:
        chrono = self.world.chronological
        n_chrono = int(chrono.sum())
        ranked, chronological = self.daily_reach[c]
        both = 0 < n_chrono < len(chrono)
        return {
            **{f"impressions_recommended_{o}": int(self.recommended[c, i]) for i, o in enumerate(ORIGINS)},
            "amplification_ratio": ratio(ranked / (len(chrono) - n_chrono), chronological / n_chrono)
            if both
            else math.nan,
            "hostile_share": ratio(self.hostile[c], self.organic[c]),
            "daily_organic_reach": float(self.daily_reach[c].sum() / (len(chrono) * max(self.days, 1))),
        }

    def run(self) -> dict:
        t = self.totals
        political = float(self.organic.sum())
        return {
            "sessions": t["readers"] / (self.world.n * max(self.days, 1)),
            "political_share": ratio(political, t["shown"]),
            "shown_share": ratio(t["shown"], t["candidates"]),
            "out_of_network_share": ratio(t["recommended"], t["shown"]),
            "political_out_of_network_share": ratio(float(self.recommended.sum()), political),
            "user_follows": int(self.user_follows),
        }


class AdLibrary:
    """Every ad creative shown: its content id, spend and audience by segment and ideology band
    (the public ad archives' fields). A creative is a campaign's k-th ad of a day (a row)."""

    def __init__(self, world, slots: int):
        self.world, self.slots = world, slots
        cfg = world.cfg
        rows = len(world.campaigns) * cfg.steps * slots
        self.spend = np.zeros(rows)
        self.ids = np.full(rows, -1, np.int64)  # content id of each creative
        self.segments = np.zeros((rows, cfg.population.segments), np.int64)
        self.bands = np.zeros((rows, len(IDEOLOGY_BANDS)), np.int64)

    def _row(self, contents):
        reg, slots = self.world.registry, self.slots
        return (
            reg.campaign[contents].astype(np.int64) * self.world.cfg.steps + reg.created[contents]
        ) * slots + reg.variant[contents]

    def observe_receipt(self, receipt: AdReceipt) -> None:
        for creatives, price in zip(receipt.creatives, receipt.prices):  # in the market's order
            rows = self._row(creatives)
            self.spend += np.bincount(rows, weights=price, minlength=len(self.spend))
            self.ids[rows] = creatives

    def observe(self, imp: Impressions, band: np.ndarray) -> None:
        """Impressions (``band``: each user's ideology band)."""
        pop = self.world.population
        ads = imp.origin == Origin.AD
        rows, viewers = self._row(imp.contents[ads]), imp.users[ads]
        tally(self.segments, rows, pop.segment[viewers])
        tally(self.bands, rows, band[viewers])

    def table(self, states) -> dict[str, np.ndarray]:
        """One row per ad that was shown (``states``: the campaigns as they are now)."""
        w = self.world
        rows = np.flatnonzero(self.segments.sum(axis=1) > 0)
        campaign, rest = np.divmod(rows, w.cfg.steps * self.slots)
        day, variant = np.divmod(rest, self.slots)
        ids = self.ids[rows]
        names = np.array([c.name for c in w.campaigns])
        sponsors = np.array([c.sponsor or c.name for c in w.campaigns])
        table = {
            "ad_id": ids,
            "campaign": names[campaign],
            "sponsor": sponsors[campaign],
            "political": np.array([c.declared for c in states])[campaign],
            "undeclared": np.array([c.undeclared for c in states])[campaign],
            "day": day + 1,
            "spend": self.spend[rows],
            "impressions": self.segments[rows].sum(axis=1),
            "labeled": w.registry.labeled[ids] > 0,
            "targeting": np.array([c.targeting_used for c in states])[campaign],
        }
        for s in range(self.segments.shape[1]):
            table[f"reach_segment_{s}"] = self.segments[rows, s]
        for b, band in enumerate(IDEOLOGY_BANDS):
            table[f"reach_ideology_{band}"] = self.bands[rows, b]
        return outcomes.ordered("ad", table, w.cfg.population.segments)


class PlatformBreakdown:
    """Each campaign's impressions and ad spend on each platform (a run with several)."""

    def __init__(self, world):
        self.world = world
        p, c = len(world.platforms), len(world.campaigns)
        self.impressions = np.zeros((p, c, N_ORIGINS), np.int64)
        self.funded = np.zeros((p, c), np.int64)  # organic-rooted impressions of funded posts
        self.spend = np.zeros((p, c))

    def observe_receipt(self, receipt: AdReceipt) -> None:
        self.spend[receipt.platform, receipt.campaign] += receipt.spent

    def observe(self, imp: Impressions, camp: np.ndarray, funded: np.ndarray) -> None:
        """Impressions (``camp``: each one's campaign; ``funded``: of a money-funded organic post)."""
        if len(self.world.platforms) > 1:
            tally(self.impressions, imp.platform, camp, imp.origin)
            tally(self.funded, imp.platform[funded], camp[funded])

    def rows(self) -> list[dict]:
        w = self.world
        shares = np.array([p.share for p in w.cfg.platforms])
        out = []
        for k, p in enumerate(w.cfg.platforms):
            for c, camp in enumerate(w.campaigns):
                imp = {o: int(self.impressions[k, c, i]) for i, o in enumerate(ORIGINS)}
                total = sum(imp.values())
                out.append(
                    outcomes.ordered(
                        "platform",
                        {
                            "platform": p.name,
                            "platform_policy": (p.rules or w.cfg.policy).name,
                            "platform_ranking": type(p.ranker or w.cfg.ranking).__name__,
                            "attention_share": float(shares[k] / shares.sum()),
                            "campaign": camp.name,
                            **{f"impressions_{o}": v for o, v in imp.items()},
                            "impressions": total,
                            "money_share": ratio(sum(imp[o] for o in PAID_ORIGINS), total),
                            "impressions_funded": int(self.funded[k, c]),
                            "money_reach_share": ratio(
                                sum(imp[o] for o in PAID_ORIGINS) + int(self.funded[k, c]), total
                            ),
                            "spend_ads": float(self.spend[k, c]),
                        },
                        w.cfg.population.segments,
                    )
                )
        return out
