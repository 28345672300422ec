"""Metrics: an observer of the day's records, and the run's outcomes computed from them.

The metrics know the world they watch (users, contents, the campaigns' set-up: :class:`World`)
and learn everything else from each day's record (records.Day: posts, impressions, ad receipts,
reactions, the campaigns' states); nothing of the model's inner workings. They keep per-step
rows (a Mesa DataCollector table), the run summary, cascades and the ad library. Their columns
are declared, with units and meanings, in sim/outcomes.py; every table built here is checked
against those declarations. Every impression is counted once, under exactly one origin, so
impressions by origin sum to the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import outcomes
from ..vocabulary import IDEOLOGY_BANDS, IS_PAID, ORIGINS, PAID_ORIGINS, ROOT_ORIGINS, Origin
from . import behavior
from .attribution import ad_slots
from .kernels import impression_counts, mark_reached
from .measures import AdLibrary, FeedMeasures, PlatformBreakdown, ratio
from .records import CampaignState, Day, Impressions, Reactions

N_ORIGINS = len(ORIGINS)
ROOT_NAMES = np.array(ROOT_ORIGINS)


@dataclass
class World:
    """What the metrics watch: the run's config, the users (``population``: read as the day
    leaves them), the contents, the campaigns' configs, which are candidates, who is on a
    chronological feed (the first platform's option), the platforms' names, and the table the
    per-step rows go to (a Mesa DataCollector)."""

    cfg: Any
    n: int
    population: Any
    registry: Any
    campaigns: list
    candidates: np.ndarray
    chronological: np.ndarray
    platforms: list[str]
    table: Any


class Metrics:
    """Running totals over the run, kept as arrays and updated from each day's record."""

    @staticmethod
    def step_columns() -> list[str]:
        return outcomes.names("step", 0)

    def __init__(self, world: World):
        self.world = world
        cfg = world.cfg
        c, n = len(world.campaigns), world.n
        self.n_campaigns = c
        self.segments = cfg.population.segments
        self.slots = max(ad_slots(cfg), 1)
        self.impressions = np.zeros((c, N_ORIGINS), dtype=np.int64)
        self.reached = np.zeros((n, c, N_ORIGINS), dtype=bool)
        self.reached_any = np.zeros((n, c), dtype=bool)
        self.reach = np.zeros(c, np.int64)  # unique users reached, kept incrementally
        self.engagements = np.zeros(c, np.int64)
        self.funded = np.zeros(c, np.int64)  # organic-rooted impressions of money-funded posts
        self.reshares = np.zeros(c, np.int64)
        self.new_followers = np.zeros(c, np.int64)
        self.cross = np.zeros(c, np.int64)
        segments = cfg.population.segments
        # who sees what: impressions by (campaign, paid-rooted?, ideology band / segment)
        self.exposure_band = np.zeros((c, 2, len(IDEOLOGY_BANDS)), np.int64)
        self.exposure_segment = np.zeros((c, 2, segments), np.int64)
        self.content_stats = np.zeros((0, 3), dtype=np.int64)  # posters, impressions, reshares
        self._step_spend = np.zeros((c, 2))
        self.spent = np.zeros((c, 2))  # US$ so far: ads, amplifiers
        self.undeclared_run = np.zeros(c, np.int64)  # undeclared creatives the review let through
        self.undeclared_caught = np.zeros(c, np.int64)  # and those it stopped
        self._budget_today = np.zeros(c)  # today's ad budgets, all platforms
        self.states: list[CampaignState] = []
        # the observers it composes
        self.feeds, self.library = FeedMeasures(world), AdLibrary(world, self.slots)
        self.platforms = PlatformBreakdown(world)

    # ---------------------------------------------------------------- recording

    def _grow_content(self):
        size = self.world.registry.size
        if len(self.content_stats) < size:
            grown = np.zeros((max(size, 2 * len(self.content_stats)), 3), np.int64)
            grown[: len(self.content_stats)] = self.content_stats
            self.content_stats = grown

    # ---------------------------------------------------------------- observing

    def observe_start(self, states: list[CampaignState]) -> None:
        """The world before the first day."""
        pop, w = self.world.population, self.world
        n = w.n
        self.states = states
        self._positions = np.array([w.campaigns[i].position for i in w.candidates])
        self.start = {
            "votes": self._votes(),
            "turnout": float(pop.turnout[:n].mean()),
            "opinion_mean": float(pop.opinion[:n].mean()),
            "polarization": float(pop.opinion[:n].var()),
        }
        # Running totals for the per-step rows, updated only where users changed: each user's
        # expected votes per candidate, and opinion and turnout as last counted.
        self._user_votes = self._user_vote_contributions(np.arange(n))  # one array per candidate
        self._vote_totals = np.array([v.sum() for v in self._user_votes])
        self._counted = [pop.opinion[:n].copy(), pop.turnout[:n].copy()]
        self._sums = np.array([a.sum() for a in self._counted])

    def observe(self, day: Day, changed: np.ndarray) -> None:
        """One day's record (``changed``: the users whose opinion or turnout moved)."""
        self.states = day.campaigns
        self._observe_posts(day.posts.contents)
        for receipt in day.receipts:
            self._observe_receipt(receipt)
        self.spent[:, 1] += day.amplifier_pay
        self.feeds.observe_day(day)
        self.observe_reactions(day.impressions, day.reactions, changed)
        self._record_step(day)

    def observe_reactions(self, imp: Impressions, reactions: Reactions, changed: np.ndarray) -> None:
        """Impressions and what users did with them (also outside a day: an experimenter's
        message, sim/validation/replicate.py)."""
        self._refresh_votes(changed)
        self._record_reactions(imp, reactions)

    def _observe_receipt(self, receipt) -> None:
        c = receipt.campaign
        self.spent[c, 0] += receipt.spent
        self._budget_today[c] += receipt.budget
        self.library.observe_receipt(receipt)
        self.platforms.observe_receipt(receipt)
        self.undeclared_run[c] += receipt.approved
        self.undeclared_caught[c] += receipt.submitted - receipt.approved

    def _user_vote_contributions(self, users) -> list[np.ndarray]:
        pop, w = self.world.population, self.world
        turnout = pop.turnout[users]
        return [
            turnout * p for p in behavior.vote_weights(w.cfg.behavior, pop.opinion[users], self._positions)
        ]

    def _refresh_votes(self, users: np.ndarray) -> None:
        """Move the running totals by (new - counted) for the users whose opinion or turnout
        changed this step: work proportional to them, not to the population."""
        pop = self.world.population
        for k, new in enumerate(self._user_vote_contributions(users)):
            self._vote_totals[k] += (new - self._user_votes[k][users]).sum()
            self._user_votes[k][users] = new
        for k, now in enumerate((pop.opinion[users], pop.turnout[users])):
            self._sums[k] += (now - self._counted[k][users]).sum()
            self._counted[k][users] = now

    def _votes(self) -> np.ndarray:
        """Expected votes per campaign (0 for non-candidates), recounted over all users."""
        w, pop = self.world, self.world.population
        votes = np.zeros(self.n_campaigns)
        votes[w.candidates] = behavior.expected_votes(
            w.cfg.behavior, pop.opinion[: w.n], pop.turnout[: w.n], self._positions
        )
        return votes

    def _observe_posts(self, contents) -> None:
        self._grow_content()
        self.content_stats[:, 0] += np.bincount(contents, minlength=len(self.content_stats))

    def _record_reactions(self, imp: Impressions, reactions: Reactions) -> None:
        reg, pop, c = self.world.registry, self.world.population, self.n_campaigns
        self._grow_content()
        # per impression, one pass (kernels.impression_counts): contents' impressions and
        # reshares, campaigns' impressions by origin, engagements, reshares, money-funded
        # organic impressions, readers across the campaign's side, exposure by band and segment
        self._step_imp = np.zeros((c, N_ORIGINS), np.int64)
        self._step_eng, self._step_res = np.zeros(c, np.int64), np.zeros(c, np.int64)
        camp, funded = impression_counts(
            imp.contents,
            imp.users,
            imp.origin,
            reactions.engaged,
            reactions.reshared,
            reg.campaign,
            reg.funded,
            IS_PAID,
            pop.side,
            np.sign(reg.positions).astype(np.int8),  # each campaign's side of the centre
            pop.band,
            pop.segment,
            self.content_stats,
            self._step_imp,
            self.funded,
            self._step_eng,
            self._step_res,
            self.cross,
            self.exposure_band,
            self.exposure_segment,
        )
        self.impressions += self._step_imp
        self.platforms.observe(imp, camp, funded)
        # reach: unique users, counted once even when a pair occurs twice in one step
        mark_reached(self.reached, self.reached_any, self.reach, imp.users, camp, imp.origin)
        self._step_fol = np.bincount(
            pop.owner[reactions.followed].astype(np.int64), minlength=self.n_campaigns
        )
        self.feeds.observe(imp, camp, reactions)
        self.engagements += self._step_eng
        self.reshares += self._step_res
        self.new_followers += self._step_fol
        self.library.observe(imp, pop.band)

    def _record_step(self, today: Day) -> None:
        w, pop, day = self.world, self.world.population, today.day
        votes = np.zeros(self.n_campaigns)
        votes[w.candidates] = self._vote_totals
        mean_opinion, mean_turnout = self._sums / w.n
        total_votes = self._sums[1]
        reach = self.reach
        owned = pop.owner[pop.suspended].astype(np.int64)  # one pass over accounts, not one per campaign
        suspended = np.bincount(owned[owned >= 0], minlength=self.n_campaigns)
        for c, camp in enumerate(today.campaigns):
            spend = self.spent[c].copy()
            step_spend = spend - self._step_spend[c]
            self._step_spend[c] = spend
            row = {"step": day + 1, "campaign": camp.cfg.name}
            row.update({f"impressions_{o}": int(self._step_imp[c, i]) for i, o in enumerate(ORIGINS)})
            row.update(
                impressions=int(self._step_imp[c].sum()),
                reach=int(reach[c]),
                engagements=int(self._step_eng[c]),
                reshares=int(self._step_res[c]),
                new_followers=int(self._step_fol[c]),
                ad_budget=float(self._budget_today[c]),
                spend_ads=float(step_spend[0]),
                spend_amplifiers=float(step_spend[1]),
                spend=float(step_spend.sum()),
                pacing=float(camp.pacing.mean()),
                mean_opinion=mean_opinion,
                vote_share=float(votes[c] / total_votes) if c in w.candidates else math.nan,
                mean_turnout=mean_turnout,
                suspended=int(suspended[c]),
                **self.feeds.step(c),
            )
            w.table.add_table_row("steps", outcomes.ordered("step", row, 0))
        self._budget_today[:] = 0.0

    # ---------------------------------------------------------------- outputs

    def steps_table(self) -> dict[str, np.ndarray]:
        rows = self.world.table.tables["steps"]
        return {k: np.asarray(v) for k, v in rows.items()}

    def cascades_table(self) -> dict[str, np.ndarray]:
        reg = self.world.registry
        n = reg.size
        stats = self.content_stats[:n] if len(self.content_stats) >= n else np.zeros((n, 3), np.int64)
        ids = np.flatnonzero(stats.sum(axis=1) > 0)
        origin = reg.origin[ids]
        posters, imps, res = stats[ids, 0], stats[ids, 1], stats[ids, 2]
        roots = np.where(origin == Origin.AD, 1, posters)
        names = np.array([c.name for c in self.world.campaigns])
        return outcomes.ordered(
            "cascade",
            {
                "content_id": ids,
                "campaign": names[reg.campaign[ids]],
                "root_origin": ROOT_NAMES[origin],
                "created_step": reg.created[ids] + 1,
                "roots": roots,
                "impressions": imps,
                "reshares": res,
                "size": roots + res,
            },
            self.segments,
        )

    def ad_library(self) -> dict[str, np.ndarray]:
        """One row per ad that was shown, with the fields of the public ad archives."""
        return self.library.table(self.states)

    # ---------------------------------------------------------------- strategy, accountability

    def _strategy_and_accountability(self, c: int, camp, spends) -> dict:
        """How the campaign bought (bid, audience, help), why it left money unspent, and what
        the ad review and the watchdogs did to it."""
        n = self.world.n
        nan_day = lambda d: math.nan if d is None else float(d + 1)  # noqa: E731
        return {
            "spend_share": ratio(camp.spent, spends.sum()),
            "spend_per_1000_users": 1000.0 * camp.spent / n,
            "spend_status": camp.status,
            "bid_multiplier": float(camp.bid_scale.mean()),
            "audience_share": float(camp.audience.mean()),
            "audience_expansions": int(camp.expansions),
            "platform_help": camp.help,
            "undeclared": bool(camp.undeclared),
            "undeclared_ads_run": int(self.undeclared_run[c]),
            "undeclared_ads_caught": int(self.undeclared_caught[c]),
            "amplifiers_disclosed": int(camp.amplifier_discloses.sum()),
            "volunteers": int(len(camp.volunteers)),
            "volunteers_recruited": int(camp.recruited),
            "suspect": bool(camp.suspect),
            "detected_day": nan_day(camp.detected_day),
            "takedown_day": nan_day(camp.takedown_day),
        }

    def _candidate_shares(self, campaigns: list[dict]) -> None:
        """Reach and spend shares among the candidates (NaN for the other campaigns)."""
        cand = [e for i, e in enumerate(campaigns) if i in self.world.candidates]
        reach = sum(e["impressions"] for e in cand)
        spend = sum(e["spend"] for e in cand)
        for i, e in enumerate(campaigns):
            mine = i in self.world.candidates
            e["candidate_reach_share"] = ratio(e["impressions"], reach) if mine else math.nan
            e["candidate_spend_share"] = ratio(e["spend"], spend) if mine else math.nan
            campaigns[i] = outcomes.ordered("campaign", e, self.segments)

    def _run_accountability(self, campaigns: list[dict]) -> dict:
        """Run-level: ads' share of political exposure, undeclared ads, what watchdogs found."""
        political = [e for e in campaigns if e["political"]]
        suspects = [e for e in campaigns if e["suspect"]]
        run = sum(e["undeclared_ads_run"] for e in campaigns)
        caught = sum(e["undeclared_ads_caught"] for e in campaigns)
        spend = sum(e["spend_ads"] for e in suspects)
        found = sum(e["spend_ads"] for e in suspects if math.isfinite(e["detected_day"]))
        return {
            "ad_share_of_political": ratio(
                sum(e["impressions_ad"] for e in political), sum(e["impressions"] for e in political)
            ),
            "money_share_of_political": ratio(
                sum(e["impressions"] * e["money_reach_share"] for e in political if e["impressions"]),
                sum(e["impressions"] for e in political),
            ),
            "undeclared_missed_share": ratio(run, run + caught),
            "suspect_impressions": int(sum(e["impressions"] for e in suspects)),
            "foreign_impressions": int(sum(e["impressions"] for e in campaigns if e["foreign"])),
            "undeclared_impressions": int(sum(e["impressions_ad"] for e in campaigns if e["undeclared"])),
            "suspect_ad_spend": float(spend),
            "detected_spend": float(found),
            "detected_spend_share": ratio(found, spend),
        }

    def summary(self) -> dict:
        """Run-level outcomes per campaign and across campaigns (sim/outcomes.py)."""
        w, pop, states = self.world, self.world.population, self.states
        n = w.n
        votes_end = self._votes()
        total_start = self.start["votes"].sum() or 1.0
        total_end = votes_end.sum() or 1.0
        cascades = self.cascades_table()
        all_imps = self.impressions.sum()
        budgets = np.array([c.budget for c in states])
        spends = np.array([c.spent for c in states])
        campaigns = []
        for c, camp in enumerate(states):
            imp = {o: int(self.impressions[c, i]) for i, o in enumerate(ORIGINS)}
            total = sum(imp.values())
            paid = sum(imp[o] for o in PAID_ORIGINS)
            bought = imp["ad"] + imp["amplified"]
            is_candidate = c in w.candidates
            share_start = self.start["votes"][c] / total_start if is_candidate else math.nan
            share_end = votes_end[c] / total_end if is_candidate else math.nan
            gained = votes_end[c] - self.start["votes"][c]
            sizes = cascades["size"][cascades["campaign"] == camp.cfg.name]
            entry = {
                "campaign": camp.cfg.name,
                "sponsor": camp.cfg.sponsor or camp.cfg.name,
                "political": bool(camp.cfg.political),
                "foreign": bool(camp.cfg.foreign),
                "targeting_used": camp.targeting_used,
                **{f"impressions_{o}": v for o, v in imp.items()},
                "impressions": total,
                "reach": int(self.reach[c]),
                **{f"reach_{o}": int(self.reached[:, c, i].sum()) for i, o in enumerate(ORIGINS)},
                "money_share": ratio(paid, total),
                "impressions_funded": int(self.funded[c]),
                "money_reach_share": ratio(paid + int(self.funded[c]), total),
                "earned_paid_ratio": ratio(imp["earned_from_paid"], bought),
                "organic_paid_ratio": ratio(imp["owned"] + imp["earned_from_organic"], paid),
                "budget_per_1000_users": float(camp.cfg.budget),
                "budget": float(camp.budget),
                "spend": float(camp.spent),
                "spend_ads": float(camp.spent_ads),
                "spend_amplifiers": float(camp.spent_amplifiers),
                "spend_staff": float(camp.spent_staff),
                "spend_volunteers": float(camp.spent_volunteers),
                "effective_cpm": ratio(1000 * camp.spent, paid),
                "ad_cpm": ratio(1000 * camp.spent_ads, imp["ad"]),
                "engagements": int(self.engagements[c]),
                "reshares": int(self.reshares[c]),
                "new_followers": int(self.new_followers[c]),
                "vote_share_start": float(share_start),
                "vote_share_end": float(share_end),
                "vote_share_change": float(share_end - share_start),
                "votes_gained": float(gained) if is_candidate else math.nan,
                "cost_per_vote": ratio(camp.spent, gained) if is_candidate and gained > 0 else math.nan,
                "cross_ideology_share": ratio(self.cross[c], total) if camp.cfg.position else math.nan,
                "reach_share": ratio(total, all_imps),
                "budget_share": ratio(camp.budget, budgets.sum()),
                "accounts_suspended": int(np.count_nonzero(pop.suspended & (pop.owner == c))),
                "amplifiers": int(len(camp.amplifiers)),
                "cascades": int(len(sizes)),
                "cascade_mean_size": float(sizes.mean()) if len(sizes) else math.nan,
                "cascade_max_size": int(sizes.max()) if len(sizes) else 0,
            }
            entry["reach_budget_ratio"] = ratio(entry["reach_share"], entry["budget_share"])
            entry.update(self.feeds.campaign(c))
            entry.update(self._strategy_and_accountability(c, camp, spends))
            for k, kind in ((1, "paid"), (0, "organic")):
                entry.update(
                    {
                        f"{kind}_band_{b}": int(self.exposure_band[c, k, i])
                        for i, b in enumerate(IDEOLOGY_BANDS)
                    }
                )
                entry.update(
                    {
                        f"{kind}_segment_{s}": int(self.exposure_segment[c, k, s])
                        for s in range(self.exposure_segment.shape[2])
                    }
                )
            campaigns.append(entry)
        self._candidate_shares(campaigns)
        several = {"platforms": self.platforms.rows()} if len(w.platforms) > 1 else {}
        return {
            "campaigns": campaigns,
            **several,
            **outcomes.ordered(
                "run",
                {
                    "money_advantage": money_advantage(
                        [e["candidate_spend_share"] for e in campaigns],
                        [e["candidate_reach_share"] for e in campaigns],
                    ),
                    **self._run_accountability(campaigns),
                    "turnout_start": self.start["turnout"],
                    "turnout_end": float(pop.turnout[:n].mean()),
                    "turnout_change": float(pop.turnout[:n].mean()) - self.start["turnout"],
                    "opinion_mean_start": self.start["opinion_mean"],
                    "opinion_mean_end": float(pop.opinion[:n].mean()),
                    "polarization_start": self.start["polarization"],
                    "polarization_end": float(pop.opinion[:n].var()),
                    "impressions": int(all_imps),
                    **self.feeds.run(),
                },
                self.segments,
            ),
        }


MIN_SPREAD = 0.05  # spend shares closer than this: no money difference to measure


def money_advantage(spend_shares, reach_shares) -> float:
    """Slope of reach share on spend share across the candidates (0: reach is not bought;
    1: reach share equals spend share). NaN for non-candidates' entries (NaN shares), and
    when the candidates' spend shares differ by less than MIN_SPREAD (no candidate spent, or
    all spent alike: a slope through nearly one x would be noise)."""
    b, r = np.asarray(spend_shares, float), np.asarray(reach_shares, float)
    ok = np.isfinite(b) & np.isfinite(r)
    b, r = b[ok], r[ok]
    if len(b) < 2 or np.ptp(b) < MIN_SPREAD:
        return math.nan
    return float(np.polyfit(b, r, 1)[0])
