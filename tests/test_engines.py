"""The fast (push) candidate engine gives exactly what the plain sparse product (pull) gives."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import scipy.sparse as sp

from sim.model.feed import candidates as ranking
from sim.model.follows import transpose as _transpose
from sim.network_file import edges_to_csr
from sim.runs.run import run

from .conftest import SMALL, make_config


def test_push_and_pull_candidates_are_identical():
    rng = np.random.default_rng(5)
    n, n_accounts, n_content = 3000, 7, 40
    follows = edges_to_csr(rng.integers(0, n, 30_000), rng.integers(0, n, 30_000), n)
    account_follows = sp.csr_matrix(
        (np.ones(500, np.float32), (rng.integers(0, n, 500), rng.integers(0, n_accounts, 500))),
        shape=(n, n_accounts),
    )
    account_follows.sum_duplicates()
    account_follows.data[:] = 1
    user_shares = ranking.share_triplets(
        rng.integers(0, n, 800), rng.integers(0, n_content, 800), rng.random(800) < 0.3
    )
    account_shares = ranking.share_triplets(
        rng.integers(0, n_accounts, 30), rng.integers(0, n_content, 30), np.ones(30, bool)
    )
    readers = np.sort(rng.choice(n, 900, replace=False))
    is_reader = np.zeros(n, bool)
    is_reader[readers] = True
    pull = ranking.candidates_pull(
        readers, [follows, account_follows], [user_shares, account_shares], n_content
    )
    push = ranking.candidates_push(
        is_reader,
        [_transpose(follows), _transpose(account_follows)],
        [user_shares, account_shares],
        n_content,
    )
    assert len(pull[0]) > 1000
    for a, b in zip(pull, push):
        assert np.array_equal(a, b)


def test_share_triplets_count_a_pair_once_and_direct_wins():
    rows, cols, vals = ranking.share_triplets([4, 4, 4, 2], [1, 1, 0, 1], [False, True, False, False])
    assert list(zip(rows, cols, vals)) == [(2, 1, 1.0), (4, 0, 1.0), (4, 1, ranking.DIRECT)]


def test_push_and_pull_models_write_identical_outputs(tmp_path):
    for engine in ("push", "pull"):
        run(
            make_config(*SMALL, "scenario=paid_amplifiers", f"feed.engine={engine}"),
            tmp_path / engine,
            figure=False,
        )
    for name in ("steps.parquet", "cascades.parquet"):  # contents; metadata names the engine
        push, pull = (pq.read_table(tmp_path / e / name) for e in ("push", "pull"))
        assert push.num_rows > 0 and push.equals(pull), name


def test_array_helpers_match_numpy():
    from sim.model.arrays import argsort_ints, group_sums, runs

    rng = np.random.default_rng(9)
    keys = rng.integers(0, 50, 2000)
    assert np.array_equal(argsort_ints(keys), np.argsort(keys, kind="stable"))
    distinct, counts = runs(np.sort(keys))
    expect_keys, expect_counts = np.unique(keys, return_counts=True)
    assert np.array_equal(distinct, expect_keys) and np.array_equal(counts, expect_counts)
    weights = rng.random(2000)
    touched, sums = group_sums(keys, weights)
    assert np.array_equal(touched, expect_keys)
    assert np.allclose(sums, np.bincount(keys, weights=weights)[expect_keys])


def test_radix_sort_equals_numpy_sort():
    from sim.model.arrays import argsort_ints, sort_ints
    from sim.model.kernels import radix_sort

    rng = np.random.default_rng(10)
    packed = rng.integers(0, 10**6, 70_000) * (1 << 28) + rng.integers(0, 2 * 10**6, 70_000)  # 5 passes
    cases = [
        packed,
        rng.integers(0, 3, 5000),  # one pass, many repeats
        np.zeros(2000, np.int64),  # all zero: no pass
        rng.integers(-(2**40), 2**40, 3000),  # negatives: NumPy's sort
        np.array([2**62, 1, 2**62 - 1, 0]),  # the top bits
        np.empty(0, np.int64),
    ]
    for keys in cases:
        keys = keys.astype(np.int64)
        assert np.array_equal(radix_sort(keys), np.sort(keys))
        assert np.array_equal(sort_ints(keys), np.sort(keys))
    big = rng.integers(0, 5000, 70_000)  # packed (value, position) argsort, radix-sorted
    assert np.array_equal(argsort_ints(big * 10**6), np.argsort(big * 10**6, kind="stable"))


def test_fused_kernels_equal_the_array_code_bit_for_bit():
    """kernels.reactions, pulls, political_exposures and measures.tally replace array expressions in the step;
    they must give the same bits (the golden digests rest on it), NaN and infinities included."""
    import pytest

    from sim.model.kernels import pulls, reactions
    from sim.model.measures import tally

    rng = np.random.default_rng(11)
    n = 20_000
    u, weight = rng.random(n), rng.lognormal(0.0, 2.0, n)
    rate = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    weight[:4], rate[:4] = [np.nan, np.inf, 1e308, 0.0], [0.5, 0.0, 0.5, 0.5]
    with np.errstate(invalid="ignore"):  # 0 x inf: NaN, as in the array code
        p_reshare = np.minimum(rate * weight, 1.0)
        p_engage = np.maximum(np.minimum(0.05 * weight, 1.0), p_reshare)
    engaged, reshared = reactions(u, weight, rate, 0.05)
    assert np.array_equal(engaged, u < p_engage) and np.array_equal(reshared, u < p_reshare)

    opinion = rng.uniform(-1, 1, 5000)
    users, position, factor = rng.integers(0, 5000, n), rng.uniform(-1, 1, n), rng.random(n)
    gap = position - opinion[users]
    move = np.abs(gap) < 0.3
    who, pull = pulls(opinion, users, position, factor, 0.3, 0.02)
    assert np.array_equal(who, users[move])
    assert np.array_equal(pull, 0.02 * factor[move] * gap[move])  # bits, not a tolerance

    # the political impressions as bounded confidence reads them (SimModel.react)
    from sim.config import BehaviorConfig
    from sim.model.behavior import label_factor
    from sim.model.kernels import political_exposures

    campaign = rng.integers(0, 6, 3000).astype(np.int16)  # of each item
    political, positions = np.array([1, 1, 0, 1, 0, 1], bool), rng.uniform(-1, 1, 6)
    labeled, skepticism = rng.random(3000).astype(np.float32), rng.random(5000)
    items = rng.integers(0, 3000, n)
    cfg = BehaviorConfig(label_effect=0.37)
    readers, position, discount = political_exposures(
        users, items, campaign, political, positions, skepticism, labeled, cfg.label_effect
    )
    keep = political[campaign[items]]
    assert keep.sum() > 0 and not keep.all()
    assert np.array_equal(readers, users[keep])
    assert np.array_equal(position, positions[campaign[items[keep]]])
    assert np.array_equal(discount, label_factor(cfg, skepticism[users], labeled[items])[keep])

    for shape in [(4, 7), (3, 2, 5)]:
        index = [rng.integers(0, s, n).astype(t) for s, t in zip(shape, (np.int64, np.int8, np.int16))]
        out = np.ones(shape, np.int64)
        tally(out, *index)
        expect = np.ones(shape, np.int64)
        np.add.at(expect, tuple(index), 1)
        assert np.array_equal(out, expect)
    with pytest.raises(IndexError):
        tally(np.zeros((2, 2), np.int64), np.array([0, 2]), np.array([0, 1]))
    with pytest.raises(ValueError):
        tally(np.zeros((2, 2), np.int64), np.array([0]))


def test_group_pairs_matches_numpy():
    """The pushed pairs grouped by reader: distinct (reader, column) pairs sorted, with their
    direct and reshare counts, as np.unique gives them; readers with 1 to ~60 keys, so that
    both of the kernel's sorts (insertion up to 16 keys, np.sort beyond) are used."""
    from sim.model.kernels import group_pairs

    rng = np.random.default_rng(11)
    n = 500
    per_reader = rng.integers(0, 60, n) * (rng.random(n) < 0.5)  # half the readers get none
    who = rng.permutation(np.repeat(np.arange(n), per_reader))
    key = rng.integers(0, 80, len(who))  # column * 2 + (1 if a reshare)
    users, cols, n_direct, n_reshare = group_pairs(who, key, n)
    pair = who * 40 + (key >> 1)
    distinct, inverse = np.unique(pair, return_inverse=True)
    assert (per_reader > 16).any() and ((per_reader > 1) & (per_reader <= 16)).any()
    assert np.array_equal(users, distinct // 40) and np.array_equal(cols, distinct % 40)
    assert np.array_equal(n_reshare, np.bincount(inverse, weights=key & 1).astype(np.int64))
    assert np.array_equal(n_direct, np.bincount(inverse, weights=1 - (key & 1)).astype(np.int64))


def test_impression_counts_equal_the_array_code():
    """kernels.impression_counts (the metrics' per-impression counts in one pass) adds what the
    array code's gathers, masks and bincounts added, and refuses an index out of range."""
    import pytest

    from sim.model.kernels import impression_counts
    from sim.vocabulary import IS_PAID

    rng = np.random.default_rng(12)
    n, n_users, n_contents, c, n_origins, bands, segments = 30_000, 500, 300, 6, len(IS_PAID), 5, 4
    items, users = rng.integers(0, n_contents, n), rng.integers(0, n_users, n)
    origin = rng.integers(0, n_origins, n).astype(np.int8)
    engaged, reshared = rng.random(n) < 0.2, rng.random(n) < 0.05
    content_campaign = rng.integers(0, c, n_contents).astype(np.int16)
    content_funded = rng.random(n_contents) < 0.3
    user_side = rng.integers(-1, 2, n_users).astype(np.int8)
    campaign_side = np.array([-1, 0, 1, 1, -1, 0], np.int8)
    user_band = rng.integers(0, bands, n_users).astype(np.int8)
    user_segment = rng.integers(0, segments, n_users)
    counts = [
        np.zeros((n_contents, 3), np.int64),
        np.zeros((c, n_origins), np.int64),
        *(np.zeros(c, np.int64) for _ in range(4)),
        np.zeros((c, 2, bands), np.int64),
        np.zeros((c, 2, segments), np.int64),
    ]
    inputs = (items, users, origin, engaged, reshared, content_campaign, content_funded, IS_PAID)
    sides = (user_side, campaign_side, user_band, user_segment)
    camp, funded = impression_counts(*inputs, *sides, *counts)
    stats, by_origin, funded_count, eng, res, cross, by_band, by_segment = counts
    want_camp = content_campaign[items].astype(np.int64)
    want_funded = content_funded[items] & ~IS_PAID[origin]
    assert np.array_equal(camp, want_camp) and np.array_equal(funded, want_funded)
    assert np.array_equal(stats[:, 1], np.bincount(items, minlength=n_contents))
    assert np.array_equal(stats[:, 2], np.bincount(items[reshared], minlength=n_contents))
    assert not stats[:, 0].any()
    flat = np.bincount(want_camp * n_origins + origin, minlength=c * n_origins)
    assert np.array_equal(by_origin, flat.reshape(c, n_origins))
    assert np.array_equal(funded_count, np.bincount(want_camp[want_funded], minlength=c))
    assert np.array_equal(eng, np.bincount(want_camp[engaged], minlength=c))
    assert np.array_equal(res, np.bincount(want_camp[reshared], minlength=c))
    across = (user_side[users] != campaign_side[want_camp]) & (campaign_side != 0)[want_camp]
    assert np.array_equal(cross, np.bincount(want_camp[across], minlength=c))
    paid = IS_PAID[origin].astype(np.int64)
    for got, by, size in ((by_band, user_band[users], bands), (by_segment, user_segment[users], segments)):
        want = np.bincount((want_camp * 2 + paid) * size + by, minlength=c * 2 * size)
        assert np.array_equal(got, want.reshape(c, 2, size))
    assert cross.sum() > 0 and funded_count.sum() > 0
    bad = users.copy()
    bad[7] = n_users  # one reader past the population
    with pytest.raises(IndexError):
        impression_counts(items, bad, *inputs[2:], *sides, *counts)
