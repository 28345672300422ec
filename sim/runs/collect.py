"""``python -m sim collect DIR [--csv] [--paired]``: a Hydra multirun folder into tidy tables.

Reads whatever is on disk (a sweep may still be running): every run folder (a folder holding
``.hydra/overrides.yaml``) with an intact ``summary.json`` is a result, with ``FAILED.json`` a
failure, with a damaged summary or output file ``damaged`` (listed, its outputs left out), with
neither incomplete and left out (see sim/runs/sweep.py). The command exits 1 when any run is
not a result (failed, damaged or not finished), after collecting the rest. Writes, in
``DIR/collected/``:

``runs.parquet``: one row per run and campaign (a failed or damaged run has one row,
    campaign null).
    - ``run_dir``: the run folder relative to DIR; ``status``: ``ok``, ``failed`` or
      ``damaged``; ``error``: what went wrong (null when ok);
    - one column per override of the run, named by its key (``policy``, ``seed``,
      ``population.n``, ``scenario.campaigns.0.budget``...), typed as Hydra parses it; list
      values are joined with ``+`` (``policy=[transparency,cap]`` -> ``transparency+cap``);
      the names are in the file's metadata (``override_columns``);
    - provenance: ``seed``, ``config_hash``, ``version``, ``git_commit``, ``policy`` (the
      regime's name), ``scenario``, ``population``, ``steps``;
    - run-level outcomes (same on every row of a run): ``money_advantage``, ``turnout_start``,
      ``turnout_end``, ``turnout_change``, ``opinion_mean_start``, ``opinion_mean_end``,
      ``polarization_start``, ``polarization_end``, ``run_impressions`` (all campaigns), and
      the derived ``polarization_change`` and ``opinion_mean_change`` (end minus start);
    - every field of the summary's campaign entries: ``campaign``, ``sponsor``,
      ``impressions_<origin>``, ``reach``, ``money_share``, ``reach_share``, ``budget_share``,
      ``vote_share_change``, ``spend``, ``paid_band_*``...
    Every column is described (unit and meaning) in docs/outputs.md and in the file's schema.
``steps.parquet``: every ok run's steps.parquet rows plus
    ``run_dir``, ``seed``, ``config_hash``, ``policy`` (the regime, swept or not) and the
    run's override columns.
``cascades.parquet``: every ok run's cascades.parquet rows, with the same added columns.
``paired.parquet`` (``--paired``): see :func:`paired`.

Rows are ordered by run folder (numeric order of Hydra's job numbers) and then as in each run's
files, so the same sweep gives the same tables whichever launcher ran it.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .. import outcomes
from ..config import ConfigError
from ..helptext import Parser
from ..io import read_json, write_parquet
from ..stats import mean_ci
from .sweep import FAILED, SUMMARY, SWEEP_FILE, check_run, one_line, run_status

OUT = "collected"
PROVENANCE = tuple(o.name for o in outcomes.declared("provenance"))
# outcomes compared between regimes: per campaign, and per run (one value across campaigns)
HEADLINE_CAMPAIGN = outcomes.headline("campaign")
HEADLINE_RUN = outcomes.headline("run") + outcomes.headline("collected")
# the tables' columns and the declarations that describe them
TABLE_LEVELS = {
    "runs": ("collected", "provenance", "run", "campaign"),
    "steps": ("collected", "provenance", "step"),
    "cascades": ("collected", "provenance", "cascade"),
    "paired": ("paired", "campaign", "provenance"),
}


# ---------------------------------------------------------------- reading runs


def _natural(path: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def run_dirs(sweep_dir: Path) -> list[Path]:
    """Every run folder under a sweep folder, in job order."""
    found = [p.parent.parent for p in sweep_dir.rglob(".hydra/overrides.yaml")]
    found = [d for d in found if OUT not in d.relative_to(sweep_dir).parts]
    return sorted(found, key=lambda d: _natural(d.relative_to(sweep_dir).as_posix()))


RECORDS = (SWEEP_FILE, "multirun.yaml")  # what a sweep writes into its own folder


def _record_of(run_dir: Path, sweep_dir: Path) -> Path | None:
    """The sweep folder a run belongs to: the nearest folder above it, up to ``sweep_dir``,
    holding a sweep's record (None: no record, e.g. a run folder collected on its own)."""
    for folder in run_dir.parents:
        if any((folder / name).is_file() for name in RECORDS):
            return folder
        if folder == sweep_dir:
            return None
    return None


def check_one_sweep(sweep_dir: Path, found: list[Path]) -> None:
    """Refuse a folder with no runs, or with runs of more than one sweep: runs under two
    sweeps' records, or a run that is not among the jobs its sweep recorded (sweep.json).
    Collected together, one sweep's runs would be taken as the other's."""
    import yaml

    if not found:
        raise ConfigError(
            f"{str(sweep_dir)!r}: holds no runs (no folder with .hydra/overrides.yaml); nothing collected"
        )
    records = {d: _record_of(d, sweep_dir) for d in found}
    distinct = sorted({str(r) for r in records.values()})
    if len(distinct) > 1:
        shown = ", ".join("(no record)" if r == "None" else repr(r) for r in distinct[:3])
        raise ConfigError(
            f"{str(sweep_dir)!r}: mixes the runs of {len(distinct)} sweeps "
            f"({shown}); collect each sweep's own folder"
        )
    record = next(iter(records.values()))
    try:
        jobs = read_json(record / SWEEP_FILE)["jobs"] if record is not None else None
    except (OSError, ValueError, KeyError, TypeError):
        jobs = None
    if not isinstance(jobs, list):
        return
    listed = set(jobs)
    for run_dir in found:
        try:
            ran = " ".join(
                str(x) for x in yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text()) or []
            )
        except (OSError, yaml.YAMLError):
            continue  # unreadable: collected as damaged
        if ran not in listed:
            raise ConfigError(
                f"{str(sweep_dir)!r}: {run_dir.relative_to(sweep_dir).as_posix()} is a run of "
                f"another sweep (it ran {ran!r}, not one of the {len(jobs)} jobs in "
                f"{record / SWEEP_FILE}); collect each sweep's own folder"
            )


def _plain_value(value):
    if isinstance(value, (list, tuple)):
        return "+".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    return value


def parse_overrides(lines: list[str]) -> dict:
    """``["policy=ban", "population.n=1000"]`` -> ``{"policy": "ban", "population.n": 1000}``,
    values typed by Hydra's own override parser."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    out = {}
    for ov in parser.parse_overrides([str(x) for x in lines]):
        if ov.is_delete():
            continue
        out[ov.key_or_group] = _plain_value(ov.value())
    return out


def read_overrides(run_dir: Path) -> dict:
    import yaml

    lines = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text()) or []
    return parse_overrides(lines)


def _run_rows(run_dir: Path, rel: str, overrides: dict, status: str) -> list[dict]:
    base = {"run_dir": rel, "status": status, "error": None, **overrides}
    if status == "damaged":
        base["error"] = check_run(run_dir)
        return [base]
    if status == "failed":
        failed = read_json(run_dir / FAILED)
        base["error"] = failed.get("error")
        for key in ("seed", "config_hash", "version"):
            if failed.get(key) is not None:
                base[key] = failed[key]
        return [base]
    summary = read_json(run_dir / SUMMARY)
    campaigns = summary.pop("campaigns")
    summary.pop("platforms", None)  # a several-platform run's breakdown: in its summary.json
    summary.pop("config", None)
    summary.pop("files", None)
    campaign_keys = set().union(*(c.keys() for c in campaigns)) if campaigns else set()
    run_level = {}
    for key, value in summary.items():
        if key in PROVENANCE:
            base[key] = value
        else:
            run_level[f"run_{key}" if key in campaign_keys else key] = value
    for what in ("polarization", "opinion_mean"):
        start, end = run_level.get(f"{what}_start"), run_level.get(f"{what}_end")
        run_level[f"{what}_change"] = end - start if None not in (start, end) else None
    return [{**base, **run_level, **c} for c in campaigns]


def _run_tables(run_dir: Path, rel: str, overrides: dict, run_rows: list[dict]) -> dict:
    """A run's steps and cascades, with its folder, seed, config hash, regime (``policy``, as
    in runs.parquet, whether swept or not) and overrides added."""
    import pyarrow.parquet as pq

    extra = {
        "run_dir": rel,
        "seed": run_rows[0]["seed"],
        "config_hash": run_rows[0]["config_hash"],
        **overrides,
        "policy": run_rows[0]["policy"],
    }
    out = {}
    for name in ("steps.parquet", "cascades.parquet"):
        if (run_dir / name).is_file():
            table = pq.read_table(run_dir / name).to_pandas()
            out[name] = [table.assign(**{k: [v] * len(table) for k, v in extra.items()})]
    return out


def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns with missing values as nulls; object columns mixing types (an override
    swept over 1 and 'abc') become strings."""
    import pyarrow as pa

    df = df.copy()
    for col in df.columns:
        if not (pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col])):
            df[col] = df[col].astype(object).where(df[col].notna(), None)  # NaN -> null
            try:
                pa.array(df[col].to_numpy())
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                df[col] = df[col].map(lambda v: None if v is None else str(v))
    return df


def describe(columns, levels, overrides) -> dict[str, str]:
    """Unit and meaning of each column of a collected table (sim/outcomes.py); an override
    column is the value the run was given."""
    out = {c: "as configured | this run's override of " + c for c in columns if c in overrides}
    out.update(outcomes.describe([c for c in columns if c not in out], levels))
    return out


def _write(df: pd.DataFrame, path: Path, meta: dict, csv: bool, levels, overrides) -> None:
    from ..io import write_atomic

    df = _arrow_safe(df)
    write_parquet(
        path, {c: df[c].to_numpy() for c in df.columns}, meta, describe(df.columns, levels, overrides)
    )
    if csv:
        write_atomic(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))


def collect(sweep_dir, *, csv: bool = False) -> dict:
    """Gather a sweep folder into DIR/collected/{runs,steps,cascades}.parquet.

    Returns ``{"runs": DataFrame, "steps": ..., "cascades": ..., "override_columns": [...],
    "counts": {"ok": n, "failed": n, "damaged": n, "incomplete": n}, "expected": n or None}``."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(
            f"sweep folder {str(sweep_dir)!r} "
            + ("is a file, not a folder" if sweep_dir.exists() else "does not exist")
        )
    found = run_dirs(sweep_dir)
    check_one_sweep(sweep_dir, found)
    rows, steps, cascades, override_cols = [], [], [], []
    counts = {"ok": 0, "failed": 0, "damaged": 0, "incomplete": 0}
    for run_dir in found:
        status = run_status(run_dir)
        if status == "incomplete":
            counts[status] += 1
            continue
        rel = run_dir.relative_to(sweep_dir).as_posix()
        try:
            overrides = read_overrides(run_dir)
            run_rows = _run_rows(run_dir, rel, overrides, status)
            run_tables = _run_tables(run_dir, rel, overrides, run_rows) if status == "ok" else {}
        except Exception as exc:  # noqa: BLE001 - a damaged file of one run must not stop the rest
            status, run_tables = "damaged", {}
            run_rows = [{"run_dir": rel, "status": status, "error": f"cannot be read ({one_line(exc)})"}]
            overrides = {}
        counts[status] += 1
        override_cols += [k for k in overrides if k not in override_cols]
        rows += run_rows
        steps += run_tables.get("steps.parquet", [])
        cascades += run_tables.get("cascades.parquet", [])
    runs = pd.DataFrame(rows)
    first = ["run_dir", "status", "error"] + override_cols
    runs = runs[first + [c for c in runs.columns if c not in first]] if len(runs) else runs
    for col in runs.columns.difference(first):  # an outcome undefined in every run (NaN is
        if runs[col].dtype == object and runs[col].isna().all():  # null in JSON) stays a float
            runs[col] = runs[col].astype(float)
    tables = {
        "runs": runs,
        "steps": pd.concat(steps, ignore_index=True) if steps else pd.DataFrame(),
        "cascades": pd.concat(cascades, ignore_index=True) if cascades else pd.DataFrame(),
    }
    out = sweep_dir / OUT
    meta = {"override_columns": override_cols}
    for name, df in tables.items():
        _write(df, out / f"{name}.parquet", meta, csv, TABLE_LEVELS[name], override_cols)
    try:
        expected = int(read_json(sweep_dir / SWEEP_FILE)["total"])
    except (OSError, ValueError, KeyError):
        expected = None
    return {**tables, "override_columns": override_cols, "counts": counts, "expected": expected}


def override_columns(path) -> list[str]:
    """The override column names recorded in a collected table's metadata."""
    import json

    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(b"sim", b"{}")).get("override_columns", [])


# ---------------------------------------------------------------- paired comparison


def paired(
    runs: pd.DataFrame,
    overrides: list[str],
    *,
    baseline: str = "none",
    by: str = "policy",
    level: float = 0.95,
) -> pd.DataFrame:
    """Each regime against ``baseline`` on the same seed and the same other overrides.

    One row per (regime, other overrides, campaign, outcome): ``n`` pairs, the means under the
    baseline and the regime, ``mean_diff`` (regime minus baseline) and its t-interval
    ``ci_low``/``ci_high``, all in the outcome's ``unit``; for shares and probabilities also in
    percentage points, the brief's unit (``mean_diff_pp``, ``ci_low_pp``, ``ci_high_pp``).
    Run-level outcomes have ``campaign`` = ``(run)``. Pairs where either
    side is missing (failed run, undefined outcome) are left out of ``n``."""
    ok = runs[runs["status"] == "ok"].copy()
    others = [c for c in overrides if c not in (by, "seed") and c in ok.columns]
    ok["campaign"] = ok["campaign"].astype(object)
    run_level = ok.drop_duplicates("run_dir").assign(campaign="(run)")
    out = []
    for frame, headline in ((ok, HEADLINE_CAMPAIGN), (run_level, HEADLINE_RUN)):
        key = others + ["campaign", "seed"]
        base = frame[frame[by] == baseline]
        for regime in [r for r in frame[by].drop_duplicates() if r != baseline]:
            merged = frame[frame[by] == regime].merge(base, on=key, suffixes=("", "_base"))
            for group, sub in merged.groupby(others + ["campaign"], dropna=False, sort=False):
                group = group if isinstance(group, tuple) else (group,)
                for outcome in headline:
                    x = sub[outcome].to_numpy(float)
                    b = sub[f"{outcome}_base"].to_numpy(float)
                    good = np.isfinite(x) & np.isfinite(b)
                    est = mean_ci(x[good] - b[good], level)
                    pp = outcomes.pp_scale(outcome)
                    out.append(
                        {
                            by: regime,
                            **dict(zip(others + ["campaign"], group)),
                            "outcome": outcome,
                            "n": int(good.sum()),
                            "baseline_mean": float(b[good].mean()) if good.any() else math.nan,
                            "regime_mean": float(x[good].mean()) if good.any() else math.nan,
                            "mean_diff": est.mean,
                            "ci_low": est.lo,
                            "ci_high": est.hi,
                            "unit": outcomes.unit_of(outcome),
                            **{
                                f"{k}_pp": (v * pp if pp else math.nan)
                                for k, v in (("mean_diff", est.mean), ("ci_low", est.lo), ("ci_high", est.hi))
                            },
                        }
                    )
    table = pd.DataFrame(out)
    return table[table["n"] > 0].reset_index(drop=True) if len(table) else table


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    ap = Parser(prog="python -m sim collect", description=__doc__)
    ap.add_argument("sweep_dir", help="a Hydra multirun folder (hydra.sweep.dir)")
    ap.add_argument("--csv", action="store_true", help="also write CSV copies")
    ap.add_argument(
        "--paired",
        action="store_true",
        help="paired differences of each regime against the baseline (95%% CI)",
    )
    ap.add_argument("--baseline", default="none", help="baseline regime (default: none)")
    args = ap.parse_args(argv)
    try:
        res = collect(args.sweep_dir, csv=args.csv)
    except (FileNotFoundError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    c, runs, out = res["counts"], res["runs"], Path(args.sweep_dir) / OUT
    expected = res["expected"]
    unfinished = 0 if expected is None else max(0, expected - c["ok"] - c["failed"] - c["damaged"])
    left = "" if expected is None else f", {unfinished} of {expected} not finished"
    print(
        f"{c['ok']} ok, {c['failed']} failed, {c['damaged']} damaged, {c['incomplete']} "
        f"incomplete{left} -> {out}/runs.parquet ({len(runs)} rows), steps.parquet "
        f"({len(res['steps'])}), cascades.parquet ({len(res['cascades'])})"
    )
    for status in ("failed", "damaged"):
        if c[status]:
            for _, row in runs[runs["status"] == status].iterrows():
                print(f"  {status} {args.sweep_dir.rstrip('/')}/{row['run_dir']}: {row['error']}")
    if c["damaged"]:
        print("  (re-running the sweep's command recomputes the damaged runs)")
    code = 1 if c["failed"] or c["damaged"] or unfinished or (expected is None and c["incomplete"]) else 0
    if args.paired:
        if len(runs) == 0 or "policy" not in runs or not (runs["policy"] == args.baseline).any():
            print(f"error: no ok runs with policy={args.baseline} to pair with", file=sys.stderr)
            return 2
        table = paired(runs, res["override_columns"], baseline=args.baseline)
        _write(
            table,
            out / "paired.parquet",
            {"baseline": args.baseline},
            args.csv,
            TABLE_LEVELS["paired"],
            res["override_columns"],
        )
        shown = table.loc[
            :,
            [
                c
                for c in table.columns  # constant overrides add nothing here
                if c not in res["override_columns"] or table[c].nunique() > 1
            ],
        ]
        with pd.option_context(
            "display.width", 200, "display.max_rows", 500, "display.float_format", "{:.4g}".format
        ):
            print(shown.to_string(index=False))
    return code
