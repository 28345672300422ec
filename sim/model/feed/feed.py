"""The organic feed of one day: candidates, ranking, attention, recommendations, attribution.

In-network candidates are what the accounts a reader follows posted today or reshared
yesterday, one per content, with the number of followees who shared it (social proof);
contents the reader has seen are dropped. The configured ranker scores them, and they compete
with the reader's non-political candidates for the organic slots (attention.py). A ranker with
an ``out_of_network`` share gives that share of the slots to recommendations from a
platform-wide pool (recommendations.py), which compete the same way. Users on the policy's
chronological option get a chronological feed with no recommendations. Every shown impression
gets its origin (attribution.py). The feed also measures what it showed: the per-reader feed
quality that sessions respond to (sessions.py) and the day's totals for the metrics.
"""

from __future__ import annotations

import numpy as np

from .. import behavior
from ..attribution import organic_origin, organic_slots
from ..content import KEY_SHIFT, ContentRegistry, Seen
from ..follows import Follows
from ..records import FeedStats, Impressions
from .attention import compete, nonpolitical_shown, selection_lift
from .candidates import candidates_pull, candidates_push, share_triplets, unpack
from .rankers import Candidates, Chronological, Ranker
from .recommendations import EngagementLog, draw_recommendations

EMPTY = np.empty(0, np.int64)


class OrganicFeed:
    """Builds each day's organic impressions; holds yesterday's reshares until they are read."""

    def __init__(
        self,
        cfg,
        ranker: Ranker,
        follows: Follows,
        population,
        registry: ContentRegistry,
        seen: Seen,
        policy,
        rng: np.random.Generator,
        platform: int = 0,
    ):
        """``rng``: the stream that draws who is on the policy's chronological option;
        ``platform``: the platform's index, which its impressions carry."""
        self.platform = platform
        self.cfg, self.ranker, self.policy = cfg, ranker, policy  # cfg: the run's Config
        self.follows, self.population, self.registry, self.seen = follows, population, registry, seen
        n = follows.n
        self.pending = (EMPTY, EMPTY)  # yesterday's reshares: (sharers, contents)
        self.history = EngagementLog(registry)
        self.slots = organic_slots(cfg)  # organic slots per reader-day
        share = policy.chronological_share()
        self.chronological = (rng.random(n) < share) if share > 0 else np.zeros(n, bool)
        self.chrono_ranker = Chronological()
        self.out_slots = int(round(self.slots * ranker.out_of_network))
        fcfg = cfg.feed
        # non-political recommendations a reader's out-of-network slots choose from
        self.nonpolitical_out = int(round(fcfg.candidates_per_followee * follows.followees.mean()))
        # mean engagement of non-political content, in the units of campaign content's
        self.nonpolitical_mean = np.exp(fcfg.nonpolitical_sigma**2 / 2) / fcfg.political_engagement
        self.log_quality = np.empty(0)  # per reader of the day: log(feed quality / reference)
        self.today = FeedStats()  # the day's totals, for the observers
        self._ranks_like_reference = None  # the ranker's non-political lift is the reference's

    def queue_reshares(self, sharers: np.ndarray, contents: np.ndarray) -> None:
        """Today's reshares become tomorrow's candidates for the resharers' followers."""
        self.pending = (sharers, contents)

    def record_engagements(self, items, right) -> None:
        """What readers engaged with today (the bridging ranker and tomorrow's pool)."""
        self.history.record(items, right)

    # ---------------------------------------------------------------- candidates

    def batch(self, users, items, proof, day) -> Candidates:
        """Candidates with the ranker's inputs (``proof``: followees who shared each)."""
        reg, pop, fcfg, bcfg = self.registry, self.population, self.cfg.feed, self.cfg.behavior
        ideology, position = pop.ideology[users], reg.position(items)
        predicted = behavior.engagement_weight(
            bcfg, ideology, position, reg.appeal(items), False, pop.skepticism[users], reg.labeled[items]
        ) * behavior.outgroup_factor(bcfg, ideology, position, reg.hostile[items])
        return Candidates(
            users=users,
            items=items,
            age=day - reg.created[items],
            proof=proof,
            predicted=predicted,
            prediction_noise=fcfg.prediction_noise,
            population=pop,
            registry=reg,
            political_engagement=fcfg.political_engagement,
            nonpolitical_sigma=fcfg.nonpolitical_sigma,
            political_factor=self.policy.political_score_factor(),
            history=self.history,
        )

    def candidates(self, readers: np.ndarray, posters: np.ndarray, contents: np.ndarray, day: int):
        """Unseen in-network (reader, content) candidates with the ranker's inputs, and whether
        a followee posted (rather than reshared) each."""
        n, fol = self.follows.n, self.follows
        reshares = self.pending if self.policy.shows_reshares() else (EMPTY, EMPTY)
        sharers = np.concatenate([posters, reshares[0]])
        shared = np.concatenate([contents, reshares[1]])
        direct = np.concatenate([np.ones(len(posters), bool), np.zeros(len(reshares[0]), bool)])
        local_ids, local = np.unique(shared, return_inverse=True)
        is_user = sharers < n
        user_shares = share_triplets(sharers[is_user], local[is_user], direct[is_user])
        account_shares = share_triplets(sharers[~is_user] - n, local[~is_user], direct[~is_user])
        shares = [user_shares, user_shares, account_shares]  # base graph, new follows, accounts
        if self.cfg.feed.engine == "push":
            is_reader = np.zeros(n, bool)
            is_reader[readers] = True
            users, cols, values = candidates_push(is_reader, fol.push_views(), shares, len(local_ids))
        else:
            users, cols, values = candidates_pull(readers, fol.pull_views(), shares, len(local_ids))
        items = local_ids[cols]
        fresh = ~self.seen.contains(users, items)
        users, items, values = users[fresh], items[fresh], values[fresh]
        is_direct, proof = unpack(values)
        return self.batch(users, items, proof, day), is_direct

    # ---------------------------------------------------------------- selection

    def select(self, batch: Candidates, at, slots, nonpolitical, rng) -> np.ndarray:
        """Mask of the candidates shown: ranked (chronologically for readers on the option),
        best first into the slots the non-political competition leaves. ``at``: each
        candidate's reader's position among today's readers; ``slots``, ``nonpolitical``: per
        reader of the day."""
        if not self.cfg.feed.competition:
            return np.ones(len(batch), bool)
        score = self.ranker.score(batch, rng)
        chrono = self.chronological[batch.users]
        if chrono.any():
            score = np.where(chrono, self.chrono_ranker.score(batch, rng), score)

        def competitor(u, pos):
            return np.where(chrono[pos], u, self.ranker.competitor_score(u, batch, score))

        return compete(batch.users, score, slots[at], nonpolitical[at], competitor, rng)

    def impressions(self, readers, posters, contents, day: int, rng) -> Impressions:
        """Today's organic impressions: ranked, competing for attention, attributed."""
        fcfg = self.cfg.feed
        chrono_r = self.chronological[readers]
        batch, is_direct = self.candidates(readers, posters, contents, day)
        at = np.searchsorted(readers, batch.users)
        out_slots = np.where(chrono_r, 0, self.out_slots)
        in_slots = self.slots - out_slots
        per_followee = fcfg.candidates_per_followee if fcfg.competition else 0.0
        m_in = np.rint(per_followee * self.follows.followees[readers]).astype(np.int64)
        shown = self.select(batch, at, in_slots, m_in, rng)
        # out-of-network: recommendations for readers not on the chronological option
        rec = self.recommend(readers[~chrono_r], batch, day, rng) if self.out_slots else None
        m_out = np.where((out_slots > 0) & fcfg.competition, self.nonpolitical_out, 0)
        if rec is not None:
            rec_batch, via = rec
            rec_at = np.searchsorted(readers, rec_batch.users)
            rec_shown = self.select(rec_batch, rec_at, out_slots, m_out, rng)
        else:
            rec_batch, via, rec_at, rec_shown = None, EMPTY, EMPTY, np.zeros(0, bool)
        self._measure(
            readers,
            chrono_r,
            batch,
            at,
            shown,
            in_slots,
            m_in,
            rec_batch,
            rec_at,
            rec_shown,
            out_slots,
            m_out,
        )
        origin = organic_origin(self.registry.origin[batch.items], is_direct)
        parts = [
            (
                batch,
                shown,
                origin[shown],
                np.zeros(int(shown.sum()), bool),
                np.full(int(shown.sum()), -1, np.int64),
            )
        ]
        if rec_batch is not None:
            k = int(rec_shown.sum())
            parts.append(
                (
                    rec_batch,
                    rec_shown,
                    self.registry.origin[rec_batch.items[rec_shown]],
                    np.ones(k, bool),
                    via[rec_shown],
                )
            )
        return Impressions.of(
            np.concatenate([b.users[s] for b, s, *_ in parts]),
            np.concatenate([b.items[s] for b, s, *_ in parts]),
            np.concatenate([o for _, _, o, _, _ in parts]),
            np.concatenate([b.predicted[s] for b, s, *_ in parts]),
            recommended=np.concatenate([r for *_, r, _ in parts]),
            via=np.concatenate([v for *_, v in parts]),
            platform=self.platform,
        )

    def recommend(self, readers, batch: Candidates, day: int, rng):
        """Recommendation candidates of ``readers`` from yesterday's pool, not among their
        in-network candidates; (batch, via) or None when there are none."""
        fcfg = self.cfg.feed
        pool = self.history.pool(self.registry, fcfg.pool_size, self.pending)
        exclude = batch.users.astype(np.int64) * KEY_SHIFT + batch.items
        users, items, via = draw_recommendations(
            readers, pool, fcfg.recommended_candidates, exclude, self.seen, rng
        )
        if len(users) == 0:
            return None
        return self.batch(users, items, np.zeros(len(users)), day), via

    # ---------------------------------------------------------------- measures

    def _measure(
        self,
        readers,
        chrono_r,
        batch,
        at,
        shown,
        in_slots,
        m_in,
        rec_batch,
        rec_at,
        rec_shown,
        out_slots,
        m_out,
    ) -> None:
        """Per reader: non-political items shown and the feed's quality relative to an
        engagement-ranked feed of the same reader (sessions.py); the day's totals."""
        n_r, fcfg = len(readers), self.cfg.feed
        count = lambda where, w=None: np.bincount(where, weights=w, minlength=n_r)  # noqa: E731
        p_in, s_in = count(at), count(at[shown])
        p_out = s_out = np.zeros(n_r, np.int64)
        if rec_batch is not None:
            p_out, s_out = count(rec_at), count(rec_at[rec_shown])
        np_in = nonpolitical_shown(in_slots, m_in, p_in, s_in)
        np_out = nonpolitical_shown(out_slots, m_out, p_out, s_out)
        shown_total = s_in + np_in + s_out + np_out
        self.today = FeedStats(
            readers=n_r,
            candidates=float((m_in + p_in + m_out + p_out).sum()),
            shown=float(shown_total.sum()),
            recommended=float((s_out + np_out).sum()),
        )
        # Quality. A reader with no campaign candidates, no recommendations and a ranked feed
        # sees exactly the reference feed (log ratio 0); only the others are computed.
        self.log_quality = np.where(shown_total > 0, 0.0, np.nan)
        if not fcfg.competition:
            self.log_quality[:] = np.nan  # no non-political content: quality undefined
            return
        sigma, noise = fcfg.nonpolitical_sigma, fcfg.prediction_noise
        if self._ranks_like_reference is None:  # does the ranker select as the reference does?
            grid = np.linspace(0.01, 1.0, 100)
            self._ranks_like_reference = bool(
                np.allclose(self.ranker.nonpolitical_lift(grid, batch), selection_lift(grid, sigma, noise))
            )
        touched = (p_in > 0) | (p_out > 0) | chrono_r | (out_slots > 0)
        touched = np.flatnonzero(touched | (not self._ranks_like_reference))
        if len(touched) == 0:
            return
        value = np.zeros(n_r)
        value += count(at[shown], batch.predicted[shown])
        if rec_batch is not None:
            value += count(rec_at[rec_shown], rec_batch.predicted[rec_shown])
        value, chrono = value[touched], chrono_r[touched]
        for np_, m in ((np_in[touched], m_in[touched]), (np_out[touched], m_out[touched])):
            lift = np.where(chrono, 1.0, self.ranker.nonpolitical_lift(np_ / np.maximum(m, 1), batch))
            value += self.nonpolitical_mean * np_ * lift
        total = shown_total[touched]
        reference = self.nonpolitical_mean * selection_lift(
            np.minimum(1.0, self.slots / np.maximum(m_in[touched], 1)), sigma, noise
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_quality[touched] = np.where(
                total > 0, np.log(value / np.maximum(total, 1) / reference), np.nan
            )
