"""Both cores for kernels over ranges of readers (sim/model/threads.py): the same bits for any
number of threads, parts that cover the range, a bad SIM_THREADS refused in one line, and a
forked child that can still use them."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from sim.config import ConfigError
from sim.configure import compose
from sim.model import SimModel, kernels, threads
from tests.conftest import make_config


@pytest.mark.parametrize("n", [0, 1, threads.MIN_PER_THREAD - 1, 2 * threads.MIN_PER_THREAD, 10**6 + 7])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_parts_cover_the_range_in_order(n, k):
    spans = threads.parts(n, k)
    assert spans[0][0] == 0 and spans[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert len(spans) <= k and (len(spans) == 1 or min(hi - lo for lo, hi in spans) >= threads.MIN_PER_THREAD)


def _slot_inputs(seed: int, n_b: int = 4, n: int = 3 * threads.MIN_PER_THREAD + 11):
    rng = np.random.default_rng(seed)
    eligible = rng.random((n_b, n)) < 0.6
    effective = rng.lognormal(0, 1, (n_b, n))
    effective[:, rng.random(n) < 0.1] = 1.0  # ties, which go to the earlier bidder
    quality = rng.lognormal(0, 0.3, (n_b, n))
    next_quality = rng.lognormal(0, 0.5, (n_b, 6))
    shown = rng.integers(0, 6, (n_b, n)).astype(np.int16)
    rows = np.flatnonzero(eligible.any(axis=0))
    commercial = rng.lognormal(0, 1, len(rows))
    return rows, eligible, effective, quality, next_quality, shown, commercial, n


@pytest.mark.parametrize("uncapped", [(False, False, False, False), (True, False, True, False)])
def test_a_slot_split_over_threads_gives_the_same_bits(uncapped):
    rows, eligible, effective, quality, next_quality, shown, commercial, n = _slot_inputs(7)
    results = []
    for k in (1, 2, 3):
        winner_of, price_of = np.zeros(n, np.int64), np.zeros(n)
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
            np.array(uncapped),
            winner_of,
            price_of,
            threads=k,
        )
        assert len(wins) == len(threads.parts(len(rows), k)) == min(k, 2)  # ~2.9 parts' worth of rows
        order = np.random.default_rng(1).permutation(n)
        limit = np.full(4, 0.5)  # binds: some wins are not paid for
        out = kernels.ad_slot_settle(rows, sum(wins), limit, order, winner_of, price_of)
        assert not winner_of.any() and not price_of.any()  # left zeroed
        results.append(out)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    assert 0 < results[0][3].sum() < len(results[0][3])  # the budget stop did bind


def test_eligibility_split_over_threads_gives_the_same_bits():
    rng = np.random.default_rng(3)
    n_b, n = 5, 3 * threads.MIN_PER_THREAD + 5
    audience = rng.random((n_b, n)) < 0.7
    shown = rng.integers(0, 4, (n_b, n)).astype(np.int16)
    caps = np.array([2, 3, 4, 1, 3])
    active = np.array([True, True, False, True, True])
    draw_row = np.array([-1, 0, -1, 1, -1])
    draws = rng.random((2, n))
    joins = rng.random((n_b, n))
    got = []
    for k in (1, 2):
        eligible, some = np.ones((n_b, n), bool), np.ones(n, bool)  # stale values are overwritten
        threads.run(
            kernels.ad_eligibility,
            n,
            audience,
            shown,
            caps,
            active,
            draw_row,
            draws,
            joins,
            eligible,
            some,
            threads=k,
        )
        got.append((eligible, some))
    assert np.array_equal(got[0][0], got[1][0]) and np.array_equal(got[0][1], got[1][1])
    expected = audience & (shown < caps[:, None]) & active[:, None]
    expected[1] &= draws[0] < joins[1]
    expected[3] &= draws[1] < joins[3]
    assert np.array_equal(got[0][0], expected) and np.array_equal(got[0][1], expected.any(axis=0))


@pytest.mark.parametrize(
    "shape", [(3, threads.MIN_DRAWS_PER_THREAD + 7), (3 * threads.MIN_DRAWS_PER_THREAD + 1,), (5,), (0, 9)]
)
def test_uniform_draws_split_over_threads_are_one_streams_draws(shape):
    """The same doubles as one ``rng.random`` and the stream left in the same state, with a
    32-bit half buffered before (doubles do not use it; later 32-bit draws do)."""
    size = int(np.prod(shape))
    assert (
        size < threads.MIN_DRAWS_PER_THREAD or len(threads.parts(size, 3, threads.MIN_DRAWS_PER_THREAD)) == 3
    )
    for k in (1, 2, 3):
        ours, reference = np.random.default_rng(11), np.random.default_rng(11)
        for rng in (ours, reference):
            rng.random(3)
            rng.integers(0, 7, 1, dtype=np.uint32)  # leaves the other half of a 64-bit output
        got = threads.uniform(ours, shape, threads=k)
        want = reference.random(shape)
        assert got.shape == want.shape and np.array_equal(got, want)
        assert ours.bit_generator.state == reference.bit_generator.state
        assert np.array_equal(
            ours.integers(0, 9, 4, dtype=np.uint32), reference.integers(0, 9, 4, dtype=np.uint32)
        )
        assert np.array_equal(ours.random(4), reference.random(4))
    philox = np.random.Generator(np.random.Philox(2))  # no jump by draws: one fill
    assert np.array_equal(
        threads.uniform(philox, shape, threads=2), np.random.Generator(np.random.Philox(2)).random(shape)
    )


@pytest.mark.parametrize("sigma", [0.0, 0.6, 2.5])
def test_lognormal_falls_back_to_numpy_where_exp_is_vectorised(sigma, monkeypatch):
    monkeypatch.setattr(kernels, "SCALAR_EXP", False)  # as where numba found SVML
    want = 20.0 * np.random.default_rng(4).lognormal(0, sigma, 1000)
    assert np.array_equal(threads.lognormal(np.random.default_rng(4), sigma, 1000, 20.0), want)


@pytest.mark.parametrize("sigma", [0.0, 0.6, 2.5])
def test_lognormal_from_normals_is_numpys_lognormal_bit_for_bit(sigma):
    """The auction's commercial bids: ``cpm * rng.lognormal(0, sigma, n)``, the exponentials on
    any number of threads (a SIMD exp, NumPy's ``np.exp``, would differ in the last bit)."""
    n = 3 * threads.MIN_PER_THREAD + 3
    want = 20.0 * np.random.default_rng(4).lognormal(0, sigma, n)
    for k in (1, 2, 3):
        z = np.random.default_rng(4).standard_normal(n)
        threads.run(kernels.lognormal_from_normal, n, z, sigma, 20.0, z, threads=k)
        assert np.array_equal(z, want) or not kernels.SCALAR_EXP  # with SVML the kernel is not used
        assert np.array_equal(threads.lognormal(np.random.default_rng(4), sigma, n, 20.0), want)


def test_a_run_on_several_threads_equals_a_run_on_one(monkeypatch):
    """The whole model, with parts small enough that a 3,000-user run's auctions split."""
    monkeypatch.setattr(threads, "MIN_PER_THREAD", 100)
    monkeypatch.setattr(threads, "MIN_DRAWS_PER_THREAD", 100)
    split, parts = [], threads.parts

    def spy(n, k=None, least=None):
        split.append((least, len(parts(n, k, least))))
        return parts(n, k, least)

    monkeypatch.setattr(threads, "parts", spy)
    outcomes = []
    for k in ("1", "2"):
        monkeypatch.setenv("SIM_THREADS", k)
        model = SimModel(make_config("population.n=3000", "steps=6"))
        model.run()
        outcomes.append(model.metrics.summary())
    np.testing.assert_equal(outcomes[0], outcomes[1])  # (NaN equals NaN here)
    assert max(p for least, p in split if least is None) == 2  # the second run's auctions did split
    assert max(p for least, p in split if least == 100) == 2  # and its uniform draws


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_sim_threads_is_one_line(monkeypatch, value):
    monkeypatch.setenv("SIM_THREADS", value)
    with pytest.raises(ConfigError, match=r"^SIM_THREADS = '.*': must be a whole number >= 1"):
        compose("population.n=500")


def _child(queue) -> None:
    rows, eligible, effective, quality, next_quality, shown, commercial, n = _slot_inputs(5)
    args = (rows, eligible, effective, quality, next_quality, shown, commercial, np.zeros(4, bool))
    wins = threads.run(kernels.ad_slot_bids, len(rows), *args, np.zeros(n, np.int64), np.zeros(n), threads=2)
    queue.put(int(sum(wins).sum()))


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
def test_a_forked_child_gets_its_own_threads():
    """The parent's pool threads do not exist in a forked child; it must not wait on them."""
    rows, *_ = _slot_inputs(5)
    threads.run(lambda lo, hi: None, 3 * threads.MIN_PER_THREAD, threads=2)  # the parent's pool exists
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    child.join(20)  # it takes ~0.1 s
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0, "the child hung or failed"
    assert queue.get(timeout=5) > 0
