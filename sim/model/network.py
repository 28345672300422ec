"""Follower graphs as CSR matrices: vectorised generators and an on-disk cache.

Convention: ``F[u, v] = 1`` means user u follows v, so what v posts reaches u's feed. Rows are
followers, columns followees. Generators never loop over users or edges in Python. A graph read
from a file comes from sim/network_file.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..config import FILE_NETWORKS, NetworkConfig
from ..io import write_atomic
from ..network_file import NetworkFileError, edges_to_csr, file_error, read


def _weighted_targets(rng, weights: np.ndarray, count: int, pool: np.ndarray | None = None):
    """Draw ``count`` targets with probability proportional to ``weights`` (one cumsum)."""
    cdf = np.cumsum(weights, dtype=np.float64)
    picks = np.searchsorted(cdf, rng.random(count) * cdf[-1], side="right")
    picks = np.minimum(picks, len(weights) - 1)
    return picks if pool is None else pool[picks]


def _targets_in_groups(rng, target_group, weights, groups):
    """Pick one target per follow from the group it asks for (-1: anyone).

    Within a group the target is drawn proportional to ``weights``. Groups are the two
    ideological sides, so this loops over two groups, never over users.
    """
    dst = np.empty(len(target_group), dtype=np.int64)
    anyone = target_group < 0
    dst[anyone] = _weighted_targets(rng, weights, int(anyone.sum()))
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        sel = target_group == g
        dst[sel] = _weighted_targets(rng, weights[members], int(sel.sum()), members)
    return dst


def generate(cfg: NetworkConfig, n: int, ideology: np.ndarray, rng) -> sp.csr_matrix:
    """Generate the follower graph of ``n`` users for the configured kind."""
    m = cfg.mean_degree
    if cfg.kind == "configuration":
        return configuration_model(n, m, cfg.fitness_exponent, rng)
    if cfg.kind == "homophilous_pa":
        # Out-degree: lognormal with mean m (a few users follow many). Targets: probability
        # proportional to a Pareto fitness, which gives the power-law follower counts that
        # preferential attachment produces, in one vectorised pass.
        sigma = cfg.degree_sigma
        out_deg = rng.lognormal(np.log(m) - sigma**2 / 2, sigma, n)
        out_deg = np.rint(out_deg)
        weights = rng.pareto(cfg.fitness_exponent - 1.0, n) + 1.0
    else:  # erdos_renyi, sbm: Poisson out-degree, uniform targets
        out_deg = rng.poisson(m, n)
        weights = np.ones(n)
    out_deg = np.clip(out_deg, 0 if cfg.kind != "homophilous_pa" else 1, n - 1).astype(np.int64)
    src = np.repeat(np.arange(n, dtype=np.int64), out_deg)
    sides = (ideology >= 0).astype(np.int64)
    own = rng.random(len(src)) < cfg.homophily
    if cfg.kind == "erdos_renyi":
        target_group = np.full(len(src), -1)
    elif cfg.kind == "sbm":  # homophily = within-block share of follows
        target_group = np.where(own, sides[src], 1 - sides[src])
    else:  # homophilous_pa: own side with prob homophily, else anyone
        target_group = np.where(own, sides[src], -1)
    dst = _targets_in_groups(rng, target_group, weights, sides)
    return edges_to_csr(src, dst, n)


def configuration_model(n: int, mean_degree: float, exponent: float, rng) -> sp.csr_matrix:
    """Directed configuration model: power-law in-degrees (follower counts), Poisson out-degrees.

    In-degree stubs are drawn from a discrete Pareto scaled to ``mean_degree``; each stub is
    matched to a follower chosen uniformly (so out-degrees are Poisson); self-loops and repeated
    follows are dropped (a vanishing share for sparse graphs).
    """
    raw = rng.pareto(exponent - 1.0, n) + 1.0
    scaled = raw * mean_degree / raw.mean()
    in_deg = np.floor(scaled + rng.random(n)).astype(np.int64)  # unbiased rounding
    in_deg = np.minimum(in_deg, n - 1)
    dst = np.repeat(np.arange(n, dtype=np.int64), in_deg)
    src = rng.integers(0, n, len(dst))
    return edges_to_csr(src, dst, n)


def _padded(graph: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """The graph of k users as the first k of n (the rest follow no one)."""
    k = graph.shape[0]
    if k == n:
        return graph
    indptr = np.concatenate([graph.indptr, np.full(n - k, graph.indptr[-1], graph.indptr.dtype)])
    return sp.csr_matrix((graph.data, graph.indices, indptr), shape=(n, n))


# ---------------------------------------------------------------- entry point with cache


def _cache_key(cfg: NetworkConfig, n: int, seed_entropy: str, ideology: np.ndarray) -> str:
    fields = {
        k: getattr(cfg, k) for k in ("kind", "mean_degree", "degree_sigma", "homophily", "fitness_exponent")
    }
    fields.update(n=n, seed=seed_entropy, version=1)
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(ideology >= 0).tobytes())
    return digest.hexdigest()[:24]


def _save_npz_atomic(path: Path, matrix: sp.csr_matrix) -> None:
    """Into the cache, atomically, with the user's umask (a shared cluster cache stays
    readable to the group when the umask says so)."""

    def save(tmp):
        with open(tmp, "wb") as fh:  # a file object: save_npz would add ".npz" to a name
            sp.save_npz(fh, matrix, compressed=False)

    try:
        write_atomic(path, save)
    except OSError as exc:
        raise NetworkFileError(
            f"network.cache_dir = '{path.parent}': cannot write the network "
            f"cache there ({exc.strerror or exc}); set network.cache_dir to a "
            "writable folder, or network.cache=false"
        ) from None


def build(cfg: NetworkConfig, n: int, ideology: np.ndarray, seed_seq: np.random.SeedSequence):
    """The follower graph of the ``n`` regular users: loaded, cached or generated."""
    if cfg.kind in FILE_NETWORKS:
        graph = read(cfg).graph
        if graph.shape[0] > n:
            raise file_error(cfg, f"has {graph.shape[0]} users; must be <= population.n ({n})")
        return _padded(graph, n)
    path = None
    if cfg.cache:
        key = _cache_key(cfg, n, f"{seed_seq.entropy}/{seed_seq.spawn_key}", ideology)
        path = Path(cfg.cache_dir) / f"{cfg.kind}-{n}-{key}.npz"
        if path.is_file():
            try:
                return sp.load_npz(path).tocsr()
            except Exception:  # a damaged cache entry is rebuilt, never trusted
                path.unlink(missing_ok=True)
    matrix = generate(cfg, n, ideology, np.random.default_rng(seed_seq))
    if path is not None:
        _save_npz_atomic(path, matrix)
    return matrix
