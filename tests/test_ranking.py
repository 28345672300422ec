"""Feed ranking that matters: attention competition, recommendations, sessions, follows between
users, bridging, and the ranking levers, each on its own (docs/model.md §3.3, feed and ranking).

Stochastic checks use fixed seeds and z = 4 standard errors (a false failure has probability
~6e-5 per check), computed in each test from the quantity's own distribution.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim.model import SimModel
from sim.model.content import SeenSet
from sim.model.feed.attention import compete, nonpolitical_shown, selection_lift
from sim.model.follows import Follows, transpose
from sim.network_file import edges_to_csr
from sim.vocabulary import Origin

from .conftest import SMALL, make_config

Z = 4.0


def uniform_competitor(u, positions):
    return u


def test_political_candidates_compete_as_if_all_candidates_were_ranked_together():
    """The i-th best political candidate (score p_i) is shown iff fewer than slots - i + 1
    non-political candidates beat it. With uniform non-political scores the number that beat
    p_i is Binomial(M, 1 - p_i), so P(shown_i) = P(Bin(M, 1 - p_i) <= slots - i) exactly; the
    order-statistic draws must give that. Tolerance: 4 binomial SEs over the readers."""
    rng = np.random.default_rng(1)
    readers, slots, m = 40_000, 5, 50
    p = np.array([0.95, 0.9, 0.7, 0.99])  # the reader's political scores, in feed order
    users = np.repeat(np.arange(readers), len(p))
    shown = compete(
        users,
        np.tile(p, readers),
        np.full(len(users), slots),
        np.full(len(users), m),
        uniform_competitor,
        rng,
    ).reshape(readers, len(p))
    rank = np.argsort(np.argsort(-p))  # 0-based rank of each candidate
    expected = stats.binom.cdf(slots - (rank + 1), m, 1 - p)
    se = np.sqrt(expected * (1 - expected) / readers)
    assert np.all(np.abs(shown.mean(axis=0) - expected) < Z * se + 1e-12), (shown.mean(0), expected)
    # best first: a candidate is shown only if every better one is
    order = np.argsort(-p)
    assert np.all(np.diff(shown[:, order].astype(int), axis=1) <= 0)


def test_fewer_candidates_than_slots_are_all_shown_and_no_more_than_slots():
    rng = np.random.default_rng(2)
    users = np.repeat([0, 1, 2], [3, 8, 2])
    m = np.repeat([2, 0, 100], [3, 8, 2])  # reader 0: 3 + 2 < 6 slots; reader 1: no competition
    shown = compete(users, rng.random(13), np.full(13, 6), m, uniform_competitor, rng)
    assert shown[:3].all() and shown[3:11].sum() == 6


def test_without_competition_overfull_feeds_show_no_non_political_items():
    """feed.competition=false shows every political candidate, also beyond the slots: the
    non-political count is then 0, never negative (it was slots - P), so the run's shares
    stay shares. Slots 2 with 5, 2 and 0 political candidates; no non-political candidates."""
    count = nonpolitical_shown(
        np.array([2, 2, 2]), np.zeros(3, np.int64), np.array([5, 2, 0]), np.array([5, 2, 0])
    )
    assert count.tolist() == [0, 0, 0]
    # with competition the slots left by political content go to non-political items
    assert nonpolitical_shown(
        np.array([6, 6]), np.array([10, 3]), np.array([4, 1]), np.array([2, 1])
    ).tolist() == [4, 3]


def test_without_competition_shares_stay_shares():
    """A one-slot feed without competition: most readers with a campaign candidate have more
    candidates than slots; every item shown is political and every candidate is shown."""
    model = SimModel(make_config(*SMALL, "feed.competition=false", "feed.size=1", "seed=1"))
    model.run()
    summary = model.summary()
    assert summary["shown_share"] == 1.0 and summary["political_share"] == 1.0


def test_chronological_feed_shows_each_candidate_at_its_share():
    """Uniform scores against uniform competitors: each of P candidates is shown with
    probability slots / (M + P) (a random order of all M + P, the first ``slots`` shown)."""
    rng = np.random.default_rng(3)
    readers, per, slots, m = 30_000, 3, 16, 77
    users = np.repeat(np.arange(readers), per)
    shown = compete(
        users,
        rng.random(len(users)),
        np.full(len(users), slots),
        np.full(len(users), m),
        uniform_competitor,
        rng,
    )
    share = slots / (m + per)
    counts = shown.reshape(readers, per).sum(axis=1)  # hypergeometric per reader
    var = stats.hypergeom(m + per, per, slots).var()
    assert abs(counts.mean() - per * share) < Z * np.sqrt(var / readers)


def test_selection_lift_matches_a_simulated_ranking():
    """Top share p of noisy predictions of lognormal engagement: mean engagement of those shown
    over the mean of all, against a simulation of 2M items (SE from the sample)."""
    rng = np.random.default_rng(4)
    t = rng.normal(0, 1.0, 2_000_000)
    pred = t + rng.normal(0, 0.5, len(t))
    for p in (0.05, 0.2, 0.6):
        top = pred > np.quantile(pred, 1 - p)
        e = np.exp(t)
        measured = e[top].mean() / e.mean()
        se = measured * np.hypot(
            e[top].std() / e[top].mean() / np.sqrt(top.sum()), e.std() / e.mean() / np.sqrt(len(e))
        )
        assert abs(measured - selection_lift(p, 1.0, 0.5)) < Z * se
    assert selection_lift(1.0, 1.0, 0.5) == pytest.approx(1.0)
    assert selection_lift(0.2, 1.0, 0.0) > selection_lift(0.2, 1.0, 0.5) > 1.0


# ---------------------------------------------------------------- the model


@pytest.fixture(scope="module")
def runs():
    """Small paired runs (same seed) under the four rankers and two levers."""
    out = {}
    for name, overrides in {
        "engagement": (),
        "chronological": ("ranking=chronological",),
        "for_you": ("ranking=for_you",),
        "bridging": ("ranking=bridging",),
        "no_reshares": ("policy=no_reshares",),
        "demoted": ("policy=demote_political",),
    }.items():
        model = SimModel(make_config(*SMALL, "network.cache=false", *overrides), log=True)
        model.run()
        out[name] = model
    return out


def test_ranking_changes_what_is_seen(runs):
    """Engagement ranking and a chronological feed show different campaign content: with the
    default political_engagement, engagement ranking shows more of it, and readers open a
    chronological feed less often."""
    eng, chrono = runs["engagement"].summary(), runs["chronological"].summary()
    assert eng["political_share"] > 1.2 * chrono["political_share"]
    assert chrono["sessions"] < 0.95 * eng["sessions"]
    assert 0.15 < eng["shown_share"] < 0.3  # about 20% of candidates shown (Backstrom 2013)


def test_recommendations_fill_their_share_and_keep_the_root_origin(runs):
    model = runs["for_you"]
    s = model.summary()
    assert abs(s["out_of_network_share"] - 0.5) < 0.02
    assert s["political_out_of_network_share"] > 0
    recommended = np.concatenate([d["recommended"] for d in model.log["impressions"]])
    origin = np.concatenate([d["origin"] for d in model.log["impressions"]])
    assert recommended.any()
    assert set(np.unique(origin[recommended])) <= {Origin.OWNED, Origin.AMPLIFIED}
    for c in s["campaigns"]:
        for o in ("ad", "earned_from_paid", "earned_from_organic"):
            assert c[f"impressions_recommended_{o}"] == 0
        assert c["impressions_recommended_owned"] <= c["impressions_owned"]


def test_readers_of_a_recommendation_follow_the_user_it_came_through():
    """With follow_prob 1, every engaged reader of a recommendation that came through a user
    follows that user (unless already following): the user graph grows by that many follows.
    (At the default 0.05 a small run makes only a few such follows, too few to test.)"""
    model = SimModel(
        make_config(*SMALL, "ranking=for_you", "behavior.follow_prob=1", "network.cache=false"), log=True
    )
    before = model.follows.users.copy()
    model.run()
    s = model.summary()
    assert s["user_follows"] > 0  # 18 at this seed
    grown = model.follows.followers_new.nnz + model.follows.users.nnz - before.nnz
    assert grown == s["user_follows"]  # every new follow is in the graph the engines read


def test_removing_reshares_removes_earned_reach(runs):
    base, none = runs["engagement"].summary(), runs["no_reshares"].summary()
    for c in none["campaigns"]:
        assert c["impressions_earned_from_paid"] == 0 and c["impressions_earned_from_organic"] == 0
    assert none["political_share"] < base["political_share"]


def test_demotion_lowers_the_political_share(runs):
    assert (
        runs["demoted"].summary()["political_share"] < 0.9 * runs["engagement"].summary()["political_share"]
    )


def shown_by_hostility(*overrides):
    """(hostile, shown) of every in-network candidate of campaign A over a small run."""
    model = SimModel(make_config(*SMALL, "network.cache=false", *overrides))
    select, seen = model.feed.select, []

    def record(batch, *args):
        shown = select(batch, *args)
        mine = model.registry.campaign[batch.items] == 0
        seen.append((model.registry.hostile[batch.items[mine]], shown[mine]))
        return shown

    model.feed.select = record
    model.run()
    return [np.concatenate(x) for x in zip(*seen)]


def two_proportion_z(hostile, shown):
    a, b = shown[hostile], shown[~hostile]
    pooled = shown.mean()
    return (a.mean() - b.mean()) / np.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))


def test_engagement_ranking_selects_out_group_attacks():
    """Half of A's posts attack the out-group (x2 engagement for its own side). Engagement
    ranking shows a hostile candidate more often than a plain one (two-proportion z > 4); a
    chronological feed does not tell them apart (|z| < 4)."""
    hostile = "scenario.campaigns.0.outgroup_share=0.5"
    assert two_proportion_z(*shown_by_hostility(hostile, "scenario.campaigns.0.posts_per_day=10")) > Z
    assert abs(two_proportion_z(*shown_by_hostility(hostile, "ranking=chronological"))) < Z


def test_bridging_penalises_one_sided_content(runs):
    """Campaign posts are engaged by one side: bridging ranks them lower than engagement does."""
    assert runs["bridging"].summary()["political_share"] < runs["engagement"].summary()["political_share"]


def test_chronological_option_composes_with_the_ban():
    result = sim.simulate(
        "policy=[ban,chronological_option]", "population.n=2000", "steps=5", "network.cache=false"
    )
    assert result.config.policy.name == "ban+chronological_option"
    chrono = result.model.feed.chronological
    assert abs(chrono.mean() - 0.2) < Z * np.sqrt(0.2 * 0.8 / len(chrono))
    a = result.campaigns.set_index("campaign")
    assert a.loc["A", "impressions_ad"] == 0 and a.loc["Vote", "impressions_ad"] > 0
    assert np.isfinite(a.loc["A", "amplification_ratio"])


def test_user_follows_grow_without_repeats_and_merge():
    rng = np.random.default_rng(5)
    n = 200
    base = edges_to_csr(rng.integers(0, n, 1000), rng.integers(0, n, 1000), n)
    fol = Follows(base, transpose(base), 1, (np.array([n]), np.array([3])))
    followees, followers = fol.follow_users(np.array([1, 1, 2, 5]), np.array([4, 4, 2, 9]))
    pairs = set(zip(followees.tolist(), followers.tolist()))
    assert (2, 2) not in pairs and len(pairs) == len(followees)  # no self-follow, no repeats
    for e, u in pairs:
        assert base[u, e] == 0
        assert fol.followers_new[e, u] == 1 and fol.follows_new[u, e] == 1
    again = fol.follow_users(followees, followers)
    assert len(again[0]) == 0
    before = fol.followees.copy()
    many = fol.follow_users(rng.integers(0, n, 400), rng.integers(0, n, 400))  # beyond 5%: merged
    assert len(fol.new_users) == 0 and fol.followers_new.nnz == 0
    assert fol.users.nnz == base.nnz + len(followees) + len(many[0])
    assert np.array_equal(np.diff(fol.users.indptr), fol.followees)
    assert (fol.followees >= before).all()
    assert (abs(fol.followers_users - transpose(fol.users)).nnz) == 0


def test_seenset_keys_used_for_follows_roundtrip():
    pairs = SeenSet(shift=10)
    pairs.add(np.array([3, 1]), np.array([2, 9]))
    assert pairs.split(pairs.keys)[0].tolist() == [1, 3]
