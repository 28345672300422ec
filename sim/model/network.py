"""Follower graphs as CSR matrices: vectorised generators, file loaders and an on-disk cache.

Convention: ``F[u, v] = 1`` means user u follows v, so what v posts reaches u's feed. Rows are
followers, columns followees. Generators never loop over users or edges in Python.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..config import FILE_NETWORKS, ConfigError, NetworkConfig
from ..io import write_atomic


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

HEADER_WORDS = {"source", "target", "from", "to", "follower", "followee", "node", "nodes", "id",
                "u", "v", "src", "dst", "weight", "user", "friend", "followed", "following"}
COMMENT = re.compile(r"[#%][^\n]*")  # '#' (SNAP, most tools) and '%' (KONECT) comments
INTEGER = re.compile(r"-?\d+")


@dataclass
class Imported:
    """A network read from a file: the follower graph of its ``nodes`` users (row = follower),
    each user's label in the file, and the user state its node attributes give (NaN / -1:
    none given)."""

    graph: sp.csr_matrix
    labels: np.ndarray
    ideology: np.ndarray | None = None  # ideology centre per user
    segment: np.ndarray | None = None  # segment per user
    segment_values: list = field(default_factory=list)  # attribute value of each segment id
    notes: list = field(default_factory=list)  # warnings to print once

    @property
    def nodes(self) -> int:
        return len(self.labels)


def _fail(cfg, message: str, key: str = "path") -> NetworkFileError:
    return NetworkFileError(f"network.{key} = '{getattr(cfg, key)}': {message}")


def _text(cfg, key: str = "path") -> str:
    path = Path(getattr(cfg, key))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(cfg, f"cannot be read ({exc.strerror})", key) from None
    if b"\0" in data[:65536]:
        raise _fail(cfg, "is a binary file, not a text edge list", key)
    try:  # utf-8-sig: a byte-order mark (Excel, Notepad) is not part of the first line
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(cfg, f"is not UTF-8 text (byte {exc.start})", key) from None


def _numeric(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _fields(line: str, sep: str) -> list[str]:
    return [t.strip() for t in line.split(",")] if sep == "," else line.split()


def _first_bad_line(cfg, raw: str, sep: str, header_line: int | None, ncols: int,
                    integers: bool = False) -> NetworkFileError:
    """The first malformed line, numbered as in the file (called only once a fast parse failed;
    ``integers``: the ids are integers, so a token that is not one is malformed)."""
    for number, line in enumerate(raw.splitlines(), start=1):
        fields = _fields(COMMENT.sub("", line), sep)
        if not fields or number == header_line:
            continue
        if len(fields) not in (2, 3) or len(fields) != ncols or not all(fields[:2]):
            return _fail(cfg, f"line {number} is {line.strip()!r}; expected {ncols} columns "
                              f"({_COLUMNS[ncols] if ncols in _COLUMNS else _COLUMNS[2]})")
        if integers and not all(INTEGER.fullmatch(t) for t in fields[:2]):
            return _fail(cfg, f"line {number} is {line.strip()!r}; expected integer user ids "
                              "like the lines before it")
        if ncols == 3 and not _numeric(fields[2]):
            return _fail(cfg, f"line {number} is {line.strip()!r}; its weight {fields[2]!r} "
                              "is not a number")
    return _fail(cfg, f"cannot be read as an edge list ('follower followee' per line, "
                      f"separated by {'commas' if sep == ',' else 'spaces or tabs'})")


_COLUMNS = {2: "'follower followee'", 3: "'follower followee weight'"}


def read_edgelist(cfg: NetworkConfig):
    """The edges of an edge-list file as (followers, followees, weights or None, notes).

    Lines ``follower followee [weight]``, separated by whitespace or commas; ``#`` and ``%``
    start comments (SNAP, KONECT); a header line is taken when ``cfg.header`` says so or, when
    it is null, when its first two fields are not numbers but the next line's are, or are
    column names (source, target, from, to...). Labels are read as integers when they all are
    (int64) and as text otherwise. Parsing is pandas' C reader; a malformed line is then found
    by a second, line-by-line pass, so the error names its line number in the file."""
    import pandas as pd

    raw = _text(cfg)
    notes = []
    if re.search(r"^\s*%\s*sym", raw[:4096], re.M) and cfg.directed:
        notes.append(f"network.path = '{cfg.path}': its KONECT header says 'sym' (undirected); "
                     "add network.directed=false to read each edge both ways")
    text = COMMENT.sub("", raw) if ("#" in raw or "%" in raw) else raw
    data_lines = re.finditer(r"^[ \t]*\S[^\n]*$", text, re.M)
    first = next(data_lines, None)
    if first is None:
        raise _fail(cfg, "has no edges; expected lines 'follower followee'")
    line1 = first.group(0)
    sep = "," if "," in line1 else r"\s+"
    head = _fields(line1, sep)
    second = next(data_lines, None)
    nxt = _fields(second.group(0), sep) if second else []
    header_line = text.count("\n", 0, first.start()) + 1  # 1-based line number in the file
    if cfg.header is None:
        header = (len(head) >= 2 and not all(_numeric(t) for t in head[:2])
                  and (len(nxt) >= 2 and all(_numeric(t) for t in nxt[:2])
                       or {t.lower() for t in head} <= HEADER_WORDS))
    else:
        header = cfg.header
    ncols = len(nxt if header else head) if (nxt or not header) else 2
    if ncols not in (2, 3):
        bad = header_line if not header else header_line + 1
        raise _fail(cfg, f"line {bad} has {ncols} columns; an edge list has 2 "
                         f"({_COLUMNS[2]}) or 3 ({_COLUMNS[3]})")
    if header and second is None:
        raise _fail(cfg, "has a header and no edges")
    read = dict(sep=sep, header=None, engine="c", skip_blank_lines=True, skipinitialspace=True,
                skiprows=[header_line - 1] if header else None, names=list(range(ncols)),
                na_filter=False)
    try:
        try:
            table = pd.read_csv(io.StringIO(text), dtype={0: np.int64, 1: np.int64}, **read)
        except (ValueError, OverflowError):  # labels that are not all int64: read as text
            table = pd.read_csv(io.StringIO(text), dtype={0: str, 1: str}, **read)
    except (ValueError, pd.errors.ParserError):
        raise _first_bad_line(cfg, raw, sep, header_line if header else None, ncols) from None
    src, dst = table[0].to_numpy(), table[1].to_numpy()
    if src.dtype == object:
        bad_ids = (src == "") | (dst == "")
        integers = all(INTEGER.fullmatch(t) for t in (nxt if header else head)[:2])
        if integers:  # integer ids (some beyond int64): a token that is not one is a typo
            bad_ids |= ~(table[0].str.fullmatch(INTEGER.pattern)
                         & table[1].str.fullmatch(INTEGER.pattern)).to_numpy()
        if bad_ids.any():
            raise _first_bad_line(cfg, raw, sep, header_line if header else None, ncols, integers)
    weights = None
    if ncols == 3:
        weights = pd.to_numeric(table[2], errors="coerce").to_numpy(np.float64)
        if np.isnan(weights).any() or table[2].eq("").any():
            raise _first_bad_line(cfg, raw, sep, header_line if header else None, ncols)
        first_weight = (f"line {header_line + (1 if header else 0)}: "
                        f"{(nxt if header else head)[2]!r}")
        weights = (weights, first_weight)
    if not len(src):
        raise _fail(cfg, "has no edges; expected lines 'follower followee'")
    return src, dst, weights, notes


def read_gml(cfg: NetworkConfig):
    """A GML file as (networkx graph, node labels in file order). Files that repeat an edge
    without declaring ``multigraph 1`` (Newman's political blogs) are read as multigraphs."""
    import networkx as nx

    def parse(lines):
        return nx.parse_gml(lines, label=None)

    text = _text(cfg)
    try:
        try:
            graph = parse(text.splitlines())
        except nx.NetworkXError as exc:
            if "duplicated" not in str(exc):
                raise
            graph = parse(re.sub(r"graph\s*\[", "graph [ multigraph 1", text, count=1).splitlines())
    except Exception as exc:  # networkx raises several types for malformed files
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(cfg, f"is not a readable GML file ({msg})") from None
    return graph


def _labels(*arrays) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sorted distinct labels (numeric when all are integers, else as text) and each array's
    labels as user numbers 0..k-1."""
    if all(a.dtype.kind in "iu" for a in arrays):
        values = np.concatenate(arrays)
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 4 * len(values) + 1024:  # ids fairly dense: a lookup table, no sort
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[values - lo] = True
            number = np.cumsum(present) - 1
            return np.flatnonzero(present) + lo, [number[a - lo] for a in arrays]
        values.sort()  # np.unique hashes first: 10x slower on 40M ids
        labels = values[np.concatenate([[True], values[1:] != values[:-1]])]
        return labels, [np.searchsorted(labels, a) for a in arrays]
    arrays = [a.astype(str).astype(object) for a in arrays]
    codes, labels = pd_factorize(np.concatenate(arrays))
    out, at = [], 0
    for a in arrays:
        out.append(codes[at: at + len(a)])
        at += len(a)
    return labels, out


def pd_factorize(values):
    import pandas as pd

    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _node_table(cfg: NetworkConfig):
    """The node table as (labels, {column: values}); CSV (any of , ; tab) or Parquet."""
    import pandas as pd

    path = Path(cfg.node_table)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pd.read_parquet(path)
        else:
            sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
            table = pd.read_csv(path, sep=sep, comment="#", skipinitialspace=True)
    except Exception as exc:  # noqa: BLE001 - pandas and arrow raise many types
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(cfg, f"cannot be read as a CSV or Parquet table ({msg})", "node_table") from None
    column = cfg.node_id_column or (table.columns[0] if len(table.columns) else "")
    if column not in table.columns:
        raise NetworkFileError(f"network.node_id_column = '{column}': not a column of "
                               f"network.node_table; it has {', '.join(map(str, table.columns))}")
    labels = table[column].to_numpy()
    if labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0):
        labels = labels.astype(np.int64)
    dup = pd_duplicated(labels)
    if dup is not None:
        raise _fail(cfg, f"label {dup!r} appears in more than one row of column '{column}'",
                    "node_table")
    return labels, {c: table[c].to_numpy() for c in table.columns if c != column}


def pd_isna(values) -> np.ndarray:
    import pandas as pd

    return pd.isna(pd.Series(values, dtype=object)).to_numpy()


def pd_duplicated(labels):
    import pandas as pd

    dup = pd.Series(labels).duplicated()
    return labels[dup.to_numpy()][0] if dup.any() else None


def _edge_weights(cfg: NetworkConfig, weights, keep_where):
    """Apply the weights policy: refuse a weighted file, or keep follows with weight > min."""
    if weights is None:
        return keep_where
    values, example = weights
    if cfg.weights == "refuse":
        raise _fail(cfg, f"has edge weights ({example}); the model's follows are unweighted: "
                         "set network.weights=use to keep the edges with weight > "
                         f"network.min_weight ({cfg.min_weight}), or remove the weights")
    return keep_where & (values > cfg.min_weight)


def _attribute(cfg, imp_labels, key: str, values_of: dict, name: str):
    """Values of node attribute ``name`` for every user, or a one-line error naming the node."""
    values = values_of.get(name)
    if values is None:
        have = sorted({str(k) for k in values_of})
        raise NetworkFileError(f"network.{key} = '{name}': no such node attribute; the nodes "
                               f"have {', '.join(have) if have else 'no attributes'}")
    missing = pd_isna(values)
    if missing.any():
        raise NetworkFileError(f"network.{key} = '{name}': node {_plain(imp_labels[missing.argmax()])!r} "
                               "has no value; every node needs one")
    return values


def _ideology(cfg: NetworkConfig, labels, values_of: dict, notes: list) -> np.ndarray:
    name = cfg.ideology_attribute
    values = _attribute(cfg, labels, "ideology_attribute", values_of, name)
    import pandas as pd

    text = pd.Series(values, dtype=object).astype(str)
    distinct = sorted(text.unique().tolist())
    if cfg.ideology_values:
        unmapped = [v for v in distinct if v not in cfg.ideology_values]
        if unmapped:
            raise NetworkFileError(
                f"network.ideology_values = {cfg.ideology_values}: no entry for {unmapped[0]!r}, "
                f"a value of '{name}'; its values are {', '.join(distinct[:10])}")
        return text.map(cfg.ideology_values).to_numpy(np.float64)
    try:
        centres = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        centres = np.full(len(values), np.nan)
    if not np.isfinite(centres).all() or np.abs(centres).max() > 1:
        example = "{" + ", ".join(f"{v}: {x}" for v, x in zip(distinct[:2], (-0.45, 0.45))) + "}"
        raise NetworkFileError(
            f"network.ideology_attribute = '{name}': its values ({', '.join(distinct[:5])}"
            f"{', ...' if len(distinct) > 5 else ''}) are not numbers in [-1, 1]; map them to "
            f"ideology centres with network.ideology_values={example}")
    if len(distinct) <= 2:
        notes.append(f"network.ideology_attribute = '{name}': only the values "
                     f"{', '.join(distinct)}, used as ideology centres; if they are sides, map "
                     f"them, e.g. network.ideology_values={{{distinct[0]}: -0.45, "
                     f"{distinct[-1]}: 0.45}}")
    return centres


def _segments(cfg: NetworkConfig, labels, values_of: dict):
    values = _attribute(cfg, labels, "segment_attribute", values_of, cfg.segment_attribute)
    codes, uniques = pd_factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int16), [u.item() if hasattr(u, "item") else u for u in uniques]


def _read(cfg: NetworkConfig) -> Imported:
    """Read the configured network file (and node table) into an :class:`Imported`."""
    notes: list[str] = []
    attrs: dict = {}
    table_labels = None
    if cfg.node_table:
        table_labels, attrs = _node_table(cfg)
    if cfg.kind == "gml":
        graph = read_gml(cfg)
        labels = np.array(list(graph.nodes()), dtype=object)
        if len(labels) and all(isinstance(x, (int, np.integer)) for x in labels):
            labels = labels.astype(np.int64)
        index = {node: i for i, node in enumerate(graph.nodes())}
        edges = [(index[a], index[b], d.get("weight")) for a, b, d in graph.edges(data=True)]
        src = np.array([e[0] for e in edges], dtype=np.int64)
        dst = np.array([e[1] for e in edges], dtype=np.int64)
        weighted = [e[2] for e in edges if e[2] is not None]
        weights = None
        if weighted:
            w = np.array([np.nan if e[2] is None else float(e[2]) for e in edges])
            first = next(i for i, e in enumerate(edges) if e[2] is not None)
            weights = (np.nan_to_num(w, nan=1.0), f"edge {_plain(labels[src[first]])!r} -> "
                                                  f"{_plain(labels[dst[first]])!r}: weight {weighted[0]!r}")
        keep = _edge_weights(cfg, weights, np.ones(len(src), bool))
        src, dst = src[keep], dst[keep]
        if not graph.is_directed() or not cfg.directed:
            src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
        gml_attrs = {}
        for i, (_, data) in enumerate(graph.nodes(data=True)):
            for k, v in data.items():
                gml_attrs.setdefault(k, [None] * len(labels))[i] = v
        if table_labels is not None:  # the table's rows, in the GML's node order
            labels, (t_codes, g_codes) = _align(cfg, table_labels, labels)
            src, dst = g_codes[src], g_codes[dst]
            attrs = {k: _spread(v, t_codes, len(labels)) for k, v in attrs.items()}
            gml_attrs = {k: _spread(np.array(v, dtype=object), g_codes, len(labels))
                         for k, v in gml_attrs.items()}
        attrs = {**{k: np.array(v, dtype=object) for k, v in gml_attrs.items()}, **attrs}
    else:
        src_l, dst_l, weights, notes = read_edgelist(cfg)
        keep = _edge_weights(cfg, weights, np.ones(len(src_l), bool))
        arrays = [src_l[keep], dst_l[keep]]
        if table_labels is not None:
            arrays.append(table_labels)
        labels, codes = _labels(*arrays)
        src, dst = codes[0], codes[1]
        if table_labels is not None:
            attrs = {k: _spread(v, codes[2], len(labels)) for k, v in attrs.items()}
            _check_covered(cfg, labels, codes[2])
        if not cfg.directed:
            src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    imp = Imported(edges_to_csr(src, dst, len(labels)), labels, notes=notes)
    if cfg.ideology_attribute:
        imp.ideology = _ideology(cfg, labels, attrs, notes)
    if cfg.segment_attribute:
        imp.segment, imp.segment_values = _segments(cfg, labels, attrs)
    return imp


def _plain(x):
    """A label as the user wrote it (a NumPy scalar as its Python value)."""
    return x.item() if isinstance(x, np.generic) else x


def _spread(values, codes, k):
    out = np.full(k, None, dtype=object)
    out[codes] = values
    return out


def _align(cfg, table_labels, gml_labels):
    """GML nodes and node-table rows on one numbering (the GML's order, then table-only rows)."""
    as_text = lambda a: np.array([str(x) for x in a], dtype=object)  # noqa: E731
    g, t = as_text(gml_labels), as_text(table_labels)
    order = {x: i for i, x in enumerate(g)}
    extra = [x for x in t if x not in order]
    for x in extra:
        order[x] = len(order)
    labels = np.array(list(order), dtype=object)
    return labels, (np.array([order[x] for x in t]), np.arange(len(g)))


def _check_covered(cfg, labels, table_codes):
    if not (cfg.ideology_attribute or cfg.segment_attribute):
        return
    have = np.zeros(len(labels), bool)
    have[table_codes] = True
    if not have.all():
        raise _fail(cfg, f"has no row for node {_plain(labels[np.argmin(have)])!r} of the network; "
                         "every node needs one", "node_table")


def _file_key(cfg: NetworkConfig) -> tuple:
    def stamp(p):
        try:
            st = os.stat(p)
        except OSError:
            return None
        return (str(Path(p).resolve()), st.st_mtime_ns, st.st_size)

    fields = tuple((k, tuple(sorted(v.items())) if isinstance(v, dict) else v)
                   for k, v in dataclasses.asdict(cfg).items())
    return (stamp(cfg.path), stamp(cfg.node_table) if cfg.node_table else None, fields)


_READ: dict = {}  # the last file read, by file identity and options (a run reads it twice:
                  # once to check the config and count its users, once to build the model)


def read(cfg: NetworkConfig) -> Imported:
    """The configured network file, read once per process (by path, size, time, options)."""
    key = _file_key(cfg)
    if key not in _READ:
        imp = _read(cfg)
        _READ.clear()
        _READ[key] = imp
    return _READ[key]


def resolve_population(cfg) -> list[str]:
    """Check a network file against ``cfg.population`` and take its user count when
    ``population.n`` is null; return the warnings to give once the whole config is valid
    (users with no follows added; an undirected file read one way)."""
    imp = read(cfg.network)
    n = cfg.population.n
    notes = list(imp.notes)
    if n is None:
        if imp.nodes < 10:
            raise _fail(cfg.network, f"has {imp.nodes} users; the model needs at least 10 "
                                     "(set population.n=10 to add users with no follows)")
        cfg.population.n = n = imp.nodes
    elif n < imp.nodes:
        raise _fail(cfg.network, f"has {imp.nodes} users; must be <= population.n ({n}) "
                                 "(leave population.n out to take the file's count)")
    elif n > imp.nodes:
        notes.append(f"population.n = {n}: the network file has {imp.nodes} users; "
                     f"{n - imp.nodes} users who follow no one and whom no one follows are added")
    if imp.segment is not None and len(imp.segment_values) > cfg.population.segments:
        raise NetworkFileError(
            f"network.segment_attribute = '{cfg.network.segment_attribute}': has "
            f"{len(imp.segment_values)} values; must be <= population.segments "
            f"({cfg.population.segments}); set population.segments={len(imp.segment_values)}")
    return notes


def attributes(cfg: NetworkConfig) -> dict | None:
    """User state a network file gives (``ideology`` centres, ``segment``), or None."""
    if cfg.kind not in FILE_NETWORKS:
        return None
    imp = read(cfg)
    return {"ideology": imp.ideology, "segment": imp.segment}


def _padded(graph: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """The graph of k users as the first k of n (the rest follow no one)."""
    k = graph.shape[0]
    if k == n:
        return graph
    indptr = np.concatenate([graph.indptr, np.full(n - k, graph.indptr[-1], graph.indptr.dtype)])
    return sp.csr_matrix((graph.data, graph.indices, indptr), shape=(n, n))


# ---------------------------------------------------------------- entry point with cache


def _cache_key(cfg: NetworkConfig, n: int, seed_entropy: str, ideology: np.ndarray) -> str:
    fields = {k: getattr(cfg, k) for k in ("kind", "mean_degree", "degree_sigma", "homophily",
                                            "fitness_exponent")}
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
        raise NetworkFileError(f"network.cache_dir = '{path.parent}': cannot write the network "
                               f"cache there ({exc.strerror or exc}); set network.cache_dir to a "
                               "writable folder, or network.cache=false") from None


def build(cfg: NetworkConfig, n: int, ideology: np.ndarray, seed_seq: np.random.SeedSequence):
    """The follower graph of the ``n`` regular users: loaded, cached or generated."""
    if cfg.kind in FILE_NETWORKS:
        graph = read(cfg).graph
        if graph.shape[0] > n:
            raise _fail(cfg, f"has {graph.shape[0]} users; must be <= population.n ({n})")
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
