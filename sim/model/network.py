"""Follower graphs as CSR matrices: vectorised generators, file loaders and an on-disk cache.

Convention: ``F[u, v] = 1`` means user u follows v, so what v posts reaches u's feed. Rows are
followers, columns followees. Generators never loop over users or edges in Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..config import ConfigError, NetworkConfig


class NetworkFileError(ConfigError):
    """A network file that cannot be read as the configured format; message is one line."""


def edges_to_csr(src: np.ndarray, dst: np.ndarray, n: int) -> sp.csr_matrix:
    """Build a 0/1 follower matrix, dropping self-follows and duplicate follows.

    SciPy sorts column indices row by row (short rows, in C++) and merges duplicates; a
    global sort or ``np.unique`` of 20M edge keys would cost 10x more.
    """
    src = np.asarray(src)
    dst = np.asarray(dst)
    keep = src != dst
    idx_dtype = np.int32 if n < 2**31 else np.int64
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32),
         (src[keep].astype(idx_dtype), dst[keep].astype(idx_dtype))), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


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


# ---------------------------------------------------------------- files


def _bad_line(path: Path, lines: list[str]) -> NetworkFileError:
    """Find the first malformed line (only called once a fast parse failed)."""
    for i, line in enumerate(lines):
        parts = line.replace(",", " ").split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) < 2 or not all(p.lstrip("-").isdigit() for p in parts[:2]):
            return NetworkFileError(
                f"network.path = '{path}': line {i + 1} is {line.strip()!r}; expected two "
                "integer user ids 'follower followee'"
            )
    return NetworkFileError(f"network.path = '{path}': not a two-column edge list")


def load_edgelist(path: str | Path, n: int) -> sp.csr_matrix:
    """Read 'follower followee' pairs (whitespace or comma separated, optional header)."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except UnicodeDecodeError:
        raise NetworkFileError(f"network.path = '{path}': not a text edge list") from None
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if lines and not lines[0].replace(",", " ").split()[0].lstrip("-").isdigit():
        lines = lines[1:]  # header
    if not lines:
        raise NetworkFileError(f"network.path = '{path}': no edges; expected lines 'a b'")
    rows = [ln.replace(",", " ").split()[:2] for ln in lines]
    if any(len(r) != 2 for r in rows):
        raise _bad_line(path, lines)
    try:
        pairs = np.array(rows, dtype=np.int64)
    except ValueError:
        raise _bad_line(path, lines) from None
    return _check_ids(pairs, n, path)


def load_gml(path: str | Path, n: int) -> sp.csr_matrix:
    """Read a GML graph; nodes map to users in file order; undirected edges count both ways."""
    import networkx as nx

    path = Path(path)
    try:
        graph = nx.read_gml(path, label=None)
    except Exception as exc:  # networkx raises several types for malformed files
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NetworkFileError(f"network.path = '{path}': not a readable GML file ({msg})") from None
    index = {node: i for i, node in enumerate(graph.nodes())}
    if len(index) > n:
        raise NetworkFileError(
            f"network.path = '{path}': has {len(index)} nodes; must be <= population.n ({n})"
        )
    edges = np.array([[index[a], index[b]] for a, b in graph.edges()], dtype=np.int64)
    edges = edges.reshape(-1, 2)
    if not graph.is_directed():
        edges = np.vstack([edges, edges[:, ::-1]])
    return _check_ids(edges, n, path)


def _check_ids(pairs: np.ndarray, n: int, path: Path) -> sp.csr_matrix:
    bad = (pairs < 0) | (pairs >= n)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        value = int(pairs[row][bad[row]][0])
        raise NetworkFileError(
            f"network.path = '{path}': user id {value} (edge {row + 1}) is outside "
            f"[0, {n - 1}]; ids must be < population.n ({n})"
        )
    return edges_to_csr(pairs[:, 0], pairs[:, 1], n)


# ---------------------------------------------------------------- entry point with cache


def _cache_key(cfg: NetworkConfig, n: int, seed_entropy: str, ideology: np.ndarray) -> str:
    fields = {k: getattr(cfg, k) for k in ("kind", "mean_degree", "degree_sigma", "homophily",
                                            "fitness_exponent")}
    fields.update(n=n, seed=seed_entropy, version=1)
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(ideology >= 0).tobytes())
    return digest.hexdigest()[:24]


def _save_npz_atomic(path: Path, matrix: sp.csr_matrix) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    os.close(fd)
    try:
        sp.save_npz(tmp, matrix, compressed=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build(cfg: NetworkConfig, n: int, ideology: np.ndarray, seed_seq: np.random.SeedSequence):
    """The follower graph of the ``n`` regular users: loaded, cached or generated."""
    if cfg.kind == "edgelist":
        return load_edgelist(cfg.path, n)
    if cfg.kind == "gml":
        return load_gml(cfg.path, n)
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
