"""Network files: follower graphs and node attributes read from edge lists, GML files and node
tables (README "Bring your own network"; docs/model.md §3.2).

Reading a file is input, not simulation: it happens while the config is checked (a broken file
stops before anything runs), and the model gets a ready graph (sim/model/network.py). Every
problem is one line naming the file, the line and what was expected.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .config import FILE_NETWORKS, ConfigError, NetworkConfig


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
        (
            np.ones(int(keep.sum()), dtype=np.float32),
            (src[keep].astype(idx_dtype), dst[keep].astype(idx_dtype)),
        ),
        shape=(n, n),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


# ---------------------------------------------------------------- files

HEADER_WORDS = {
    "source",
    "target",
    "from",
    "to",
    "follower",
    "followee",
    "node",
    "nodes",
    "id",
    "u",
    "v",
    "src",
    "dst",
    "weight",
    "user",
    "friend",
    "followed",
    "following",
}
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


def file_error(cfg, message: str, key: str = "path") -> NetworkFileError:
    return NetworkFileError(f"network.{key} = '{getattr(cfg, key)}': {message}")


def _text(cfg, key: str = "path") -> str:
    path = Path(getattr(cfg, key))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(cfg, f"cannot be read ({exc.strerror})", key) from None
    if b"\0" in data[:65536]:
        raise file_error(cfg, "is a binary file, not a text edge list", key)
    try:  # utf-8-sig: a byte-order mark (Excel, Notepad) is not part of the first line
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(cfg, f"is not UTF-8 text (byte {exc.start})", key) from None


def _numeric(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _fields(line: str, sep: str) -> list[str]:
    return [t.strip() for t in line.split(",")] if sep == "," else line.split()


def _first_bad_line(
    cfg, raw: str, sep: str, header_line: int | None, ncols: int, integers: bool = False
) -> NetworkFileError:
    """The first malformed line, numbered as in the file (called only once a fast parse failed;
    ``integers``: the ids are integers, so a token that is not one is malformed)."""
    for number, line in enumerate(raw.splitlines(), start=1):
        fields = _fields(COMMENT.sub("", line), sep)
        if not fields or number == header_line:
            continue
        if len(fields) not in (2, 3) or len(fields) != ncols or not all(fields[:2]):
            return file_error(
                cfg,
                f"line {number} is {line.strip()!r}; expected {ncols} columns "
                f"({_COLUMNS[ncols] if ncols in _COLUMNS else _COLUMNS[2]})",
            )
        if integers and not all(INTEGER.fullmatch(t) for t in fields[:2]):
            return file_error(
                cfg, f"line {number} is {line.strip()!r}; expected integer user ids like the lines before it"
            )
        if ncols == 3 and not _numeric(fields[2]):
            return file_error(
                cfg, f"line {number} is {line.strip()!r}; its weight {fields[2]!r} is not a number"
            )
    return file_error(
        cfg,
        f"cannot be read as an edge list ('follower followee' per line, "
        f"separated by {'commas' if sep == ',' else 'spaces or tabs'})",
    )


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
        notes.append(
            f"network.path = '{cfg.path}': its KONECT header says 'sym' (undirected); "
            "add network.directed=false to read each edge both ways"
        )
    text = COMMENT.sub("", raw) if ("#" in raw or "%" in raw) else raw
    data_lines = re.finditer(r"^[ \t]*\S[^\n]*$", text, re.M)
    first = next(data_lines, None)
    if first is None:
        raise file_error(cfg, "has no edges; expected lines 'follower followee'")
    line1 = first.group(0)
    sep = "," if "," in line1 else r"\s+"
    head = _fields(line1, sep)
    second = next(data_lines, None)
    nxt = _fields(second.group(0), sep) if second else []
    header_line = text.count("\n", 0, first.start()) + 1  # 1-based line number in the file
    if cfg.header is None:
        header = (
            len(head) >= 2
            and not all(_numeric(t) for t in head[:2])
            and (
                len(nxt) >= 2
                and all(_numeric(t) for t in nxt[:2])
                or {t.lower() for t in head} <= HEADER_WORDS
            )
        )
    else:
        header = cfg.header
    ncols = len(nxt if header else head) if (nxt or not header) else 2
    if ncols not in (2, 3):
        bad = header_line if not header else header_line + 1
        raise file_error(
            cfg, f"line {bad} has {ncols} columns; an edge list has 2 ({_COLUMNS[2]}) or 3 ({_COLUMNS[3]})"
        )
    if header and second is None:
        raise file_error(cfg, "has a header and no edges")
    read = dict(
        sep=sep,
        header=None,
        engine="c",
        skip_blank_lines=True,
        skipinitialspace=True,
        skiprows=[header_line - 1] if header else None,
        names=list(range(ncols)),
        na_filter=False,
    )
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
            bad_ids |= ~(
                table[0].str.fullmatch(INTEGER.pattern) & table[1].str.fullmatch(INTEGER.pattern)
            ).to_numpy()
        if bad_ids.any():
            raise _first_bad_line(cfg, raw, sep, header_line if header else None, ncols, integers)
    weights = None
    if ncols == 3:
        weights = pd.to_numeric(table[2], errors="coerce").to_numpy(np.float64)
        if np.isnan(weights).any() or table[2].eq("").any():
            raise _first_bad_line(cfg, raw, sep, header_line if header else None, ncols)
        first_weight = f"line {header_line + (1 if header else 0)}: {(nxt if header else head)[2]!r}"
        weights = (weights, first_weight)
    if not len(src):
        raise file_error(cfg, "has no edges; expected lines 'follower followee'")
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
        raise file_error(cfg, f"is not a readable GML file ({msg})") from None
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
        out.append(codes[at : at + len(a)])
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
        raise file_error(cfg, f"cannot be read as a CSV or Parquet table ({msg})", "node_table") from None
    column = cfg.node_id_column or (table.columns[0] if len(table.columns) else "")
    if column not in table.columns:
        raise NetworkFileError(
            f"network.node_id_column = '{column}': not a column of "
            f"network.node_table; it has {', '.join(map(str, table.columns))}"
        )
    labels = table[column].to_numpy()
    if labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0):
        labels = labels.astype(np.int64)
    dup = pd_duplicated(labels)
    if dup is not None:
        raise file_error(
            cfg, f"label {dup!r} appears in more than one row of column '{column}'", "node_table"
        )
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
        raise file_error(
            cfg,
            f"has edge weights ({example}); the model's follows are unweighted: "
            "set network.weights=use to keep the edges with weight > "
            f"network.min_weight ({cfg.min_weight}), or remove the weights",
        )
    return keep_where & (values > cfg.min_weight)


def _attribute(cfg, imp_labels, key: str, values_of: dict, name: str):
    """Values of node attribute ``name`` for every user, or a one-line error naming the node."""
    values = values_of.get(name)
    if values is None:
        have = sorted({str(k) for k in values_of})
        raise NetworkFileError(
            f"network.{key} = '{name}': no such node attribute; the nodes "
            f"have {', '.join(have) if have else 'no attributes'}"
        )
    missing = pd_isna(values)
    if missing.any():
        raise NetworkFileError(
            f"network.{key} = '{name}': node {_plain(imp_labels[missing.argmax()])!r} "
            "has no value; every node needs one"
        )
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
                f"a value of '{name}'; its values are {', '.join(distinct[:10])}"
            )
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
            f"ideology centres with network.ideology_values={example}"
        )
    if len(distinct) <= 2:
        notes.append(
            f"network.ideology_attribute = '{name}': only the values "
            f"{', '.join(distinct)}, used as ideology centres; if they are sides, map "
            f"them, e.g. network.ideology_values={{{distinct[0]}: -0.45, "
            f"{distinct[-1]}: 0.45}}"
        )
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
            weights = (
                np.nan_to_num(w, nan=1.0),
                f"edge {_plain(labels[src[first]])!r} -> "
                f"{_plain(labels[dst[first]])!r}: weight {weighted[0]!r}",
            )
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
            gml_attrs = {
                k: _spread(np.array(v, dtype=object), g_codes, len(labels)) for k, v in gml_attrs.items()
            }
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
        raise file_error(
            cfg,
            f"has no row for node {_plain(labels[np.argmin(have)])!r} of the network; every node needs one",
            "node_table",
        )


def _file_key(cfg: NetworkConfig) -> tuple:
    def stamp(p):
        try:
            st = os.stat(p)
        except OSError:
            return None
        return (str(Path(p).resolve()), st.st_mtime_ns, st.st_size)

    fields = tuple(
        (k, tuple(sorted(v.items())) if isinstance(v, dict) else v)
        for k, v in dataclasses.asdict(cfg).items()
    )
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
            raise file_error(
                cfg.network,
                f"has {imp.nodes} users; the model needs at least 10 "
                "(set population.n=10 to add users with no follows)",
            )
        cfg.population.n = n = imp.nodes
    elif n < imp.nodes:
        raise file_error(
            cfg.network,
            f"has {imp.nodes} users; must be <= population.n ({n}) "
            "(leave population.n out to take the file's count)",
        )
    elif n > imp.nodes:
        notes.append(
            f"population.n = {n}: the network file has {imp.nodes} users; "
            f"{n - imp.nodes} users who follow no one and whom no one follows are added"
        )
    if imp.segment is not None and len(imp.segment_values) > cfg.population.segments:
        raise NetworkFileError(
            f"network.segment_attribute = '{cfg.network.segment_attribute}': has "
            f"{len(imp.segment_values)} values; must be <= population.segments "
            f"({cfg.population.segments}); set population.segments={len(imp.segment_values)}"
        )
    return notes


def attributes(cfg: NetworkConfig) -> dict | None:
    """User state a network file gives (``ideology`` centres, ``segment``), or None."""
    if cfg.kind not in FILE_NETWORKS:
        return None
    imp = read(cfg)
    return {"ideology": imp.ideology, "segment": imp.segment}
