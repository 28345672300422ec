"""Both cores for the compiled kernels whose work splits by reader, and for large draws.

A kernel that takes a range of readers (``lo``, ``hi``) first and writes only what belongs to
those readers runs here over contiguous parts of its range, one part per thread (numba
kernels compiled ``nogil`` run in parallel on Python threads). No part reads what another
writes, so the results are the same bits for any number of threads (tests/test_threads.py);
the golden digests do not move.

Threads, not numba's ``parallel=True``: numba's default threading layer without TBB or OpenMP
(``workqueue``) must not be entered from two Python threads at once, and the classroom app
steps each tab's model in its own thread. A ThreadPoolExecutor is safe from any thread.

``SIM_THREADS`` sets the number of threads (default: the CPUs this process may use); a part of
fewer than ``MIN_PER_THREAD`` readers costs more to hand over than to do, so small models
(tests, the classroom, 100k-user sweeps) run on one thread. A sweep's worker processes share
the cores (sim.api gives each its share).

Random draws split too, with the stream's own bits: :func:`uniform` fills a large
``rng.random`` in parts from copies of the stream jumped ahead, :func:`lognormal` takes its
normals from the stream and computes the exponentials in parts.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..config import ConfigError
from . import kernels

MIN_PER_THREAD = 20_000  # readers: ~0.5 ms of kernel work, against ~50 us to hand a part over
# doubles drawn: a fill is ~2 ns a double, and a part also pays for a copy of the stream set
# to its first draw; measured on 2 cores, 250,000 doubles split in two gained nothing,
# 500,000 took 0.70 instead of 1.1 ms, 1,250,000 1.6 instead of 2.8 ms
MIN_DRAWS_PER_THREAD = 250_000
_POOL: dict = {}  # {"pool": ThreadPoolExecutor, "size": its threads}
_LOCK = threading.Lock()
_LIMIT: list[int] = []  # set by limit(): this process's share of the cores


def count() -> int:
    """Threads the kernels may use: SIM_THREADS, else this process's share of its CPUs."""
    value = os.environ.get("SIM_THREADS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ConfigError(f"SIM_THREADS = {value!r}: must be a whole number >= 1 (threads per run)")
        return int(value)
    if _LIMIT:
        return _LIMIT[0]
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def limit(n: int) -> None:
    """This process uses at most ``n`` threads (a sweep's worker: its share of the cores)."""
    _LIMIT[:] = [max(1, int(n))]


def parts(n: int, threads: int | None = None, least: int | None = None) -> list[tuple[int, int]]:
    """``range(n)`` cut into at most ``threads`` contiguous parts of >= ``least`` items
    (default MIN_PER_THREAD)."""
    least = MIN_PER_THREAD if least is None else least
    k = max(1, min(count() if threads is None else threads, n // least))
    cuts = [n * i // k for i in range(k + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def run(kernel, n: int, *args, threads: int | None = None, least: int | None = None) -> list:
    """``kernel(lo, hi, *args)`` over the parts of ``range(n)`` (of >= ``least`` items, see
    :func:`parts`), in parallel; the results in the parts' order. The calling thread does the
    first part itself."""
    spans = parts(n, threads, least)
    if len(spans) == 1:
        return [kernel(0, n, *args)]
    pool = _pool(len(spans) - 1)
    futures = [pool.submit(kernel, lo, hi, *args) for lo, hi in spans[1:]]
    first = kernel(*spans[0], *args)
    return [first] + [f.result() for f in futures]


def uniform(rng, shape, threads: int | None = None) -> np.ndarray:
    """``rng.random(shape)``, filled in parts on the threads when it is large.

    A PCG64 stream jumps ahead in O(log n) (``advance``), and a double uses exactly one of its
    64-bit outputs; so part i is drawn from a copy of the stream advanced to the part's first
    draw, and the stream is then left where one fill would leave it. The same bits and the
    same state afterwards, for any number of threads (tests/test_threads.py). Other bit
    generators fill on the calling thread."""
    size = int(np.prod(shape))
    bits = rng.bit_generator
    if type(bits) is not np.random.PCG64 or len(parts(size, threads, MIN_DRAWS_PER_THREAD)) == 1:
        return rng.random(shape)
    out = np.empty(size)
    state = bits.state

    def fill(lo: int, hi: int) -> dict:
        copy = np.random.PCG64(0)  # any seed: the state is replaced (no OS entropy read)
        copy.state = state
        np.random.Generator(copy.advance(lo)).random(out=out[lo:hi])  # numpy fills without the GIL
        return copy.state

    after = run(fill, size, threads=threads, least=MIN_DRAWS_PER_THREAD)[-1]  # the last part's
    # advance() empties the copies' buffered 32-bit half, which doubles never touch: the stream
    # keeps its own
    bits.state = {**after, "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}
    return out.reshape(shape)


def lognormal(rng, sigma: float, size: int, scale: float = 1.0) -> np.ndarray:
    """``scale * rng.lognormal(0, sigma, size)`` bit for bit: the normals from the stream, the
    exponentials over the threads (kernels.lognormal_from_normal says why this is exact)."""
    if not kernels.SCALAR_EXP:
        return scale * rng.lognormal(0.0, sigma, size)
    z = rng.standard_normal(size)
    run(kernels.lognormal_from_normal, size, z, sigma, scale, z)
    return z


def _pool(size: int) -> ThreadPoolExecutor:
    with _LOCK:
        if _POOL.get("size", 0) < size:
            if "pool" in _POOL:
                _POOL["pool"].shutdown(wait=False)
            _POOL.update(pool=ThreadPoolExecutor(size, thread_name_prefix="sim-kernel"), size=size)
        return _POOL["pool"]


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: a new pool is made on first use."""
    _POOL.clear()
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)
