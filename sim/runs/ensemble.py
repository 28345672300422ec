"""``python -m sim ensemble``: policy effects with the uncertainty of the judgement parameters.

A seed confidence interval says how sure we are of an effect *given* the model's parameters. The
parameters set by judgement (sim/runs/uncertainties.py) could plausibly be elsewhere, so the
ensemble draws parameter sets from their ranges (Latin hypercube), runs every regime on the same
seeds and parameter sets, and reports each policy effect (a same-seed difference against the
baseline) as: the effect at the defaults with its seed CI, and the median and 5-95% range of the
effect across the parameter sets.

    python -m sim ensemble run DIR --sets 32 --seeds 5 [--fixed "population.n=10000"] [--jobs 2]
    # or in steps, to send the sweep to a cluster:
    python -m sim ensemble sample DIR --sets 32    # writes the design, prints the sweep command
    python -m sim ensemble analyze DIR             # -> DIR/effects.parquet
    python -m sim ensemble discover DIR --threshold 0.01   # where is the effect small? (PRIM,
                                                           # sim/runs/discover.py)

Outputs are described in docs/outputs.md (level ``ensemble``).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

from .. import outcomes
from ..config import ConfigError
from ..helptext import Parser
from ..io import read_json, write_parquet
from . import discover, uncertainties
from .collect import collect, paired
from .design import DEFAULT_ROW, DesignError, check_keys, parse_param, sweep_command, write_design

REGIMES = "none,ban,transparency,cap"


def sample(
    out_dir, *, sets: int = 32, seed: int = 0, params: dict | None = None, fixed: str = ""
) -> list[str]:
    """Latin-hypercube design over the plausible ranges, plus the defaults; returns row names.
    ``fixed``: the overrides every run shares (the parameters are checked against them)."""
    from scipy.stats import qmc

    params = dict(params or uncertainties.as_params(judgement_only=True))
    if sets < 2:
        raise DesignError(f"--sets = {sets}: must be >= 2")
    check_keys(params, fixed)
    unit = qmc.LatinHypercube(d=len(params), seed=seed).random(sets)
    lo = np.array([v[0] - 0.5 * v[2] for v in params.values()])
    hi = np.array([v[1] + 0.5 * v[2] for v in params.values()])
    return write_design(
        out_dir,
        params,
        qmc.scale(unit, lo, hi),
        {"method": "latin_hypercube", "n": sets, "seed": seed},
        default_row=True,
    )


def check_runs(seeds: int, regimes: str, jobs: int = 1) -> None:
    """The sweep's own arguments, before anything is written."""
    from ..configure import CONF_DIR

    if seeds < 1:
        raise DesignError(f"--seeds = {seeds}: must be >= 1 (model seeds per parameter set)")
    if jobs < 1:
        raise DesignError(f"--jobs = {jobs}: must be >= 1 (parallel runs)")
    known = sorted(p.stem for p in (CONF_DIR / "policy").glob("*.yaml"))
    given = regimes.split(",")
    bad = [r for r in given if r not in known]
    if bad or len(set(given)) != len(given):
        what = f"{bad[0]!r} is not a policy" if bad else "a regime is named twice"
        raise DesignError(
            f"--regimes = {regimes!r}: {what}; must be comma-separated names among {', '.join(known)}"
        )


def command(out_dir, *, seeds: int, regimes: str, fixed: str) -> str:
    return sweep_command(out_dir, fixed, f"policy={regimes} seed='range({seeds})'")


def analyze(out_dir, *, baseline: str = "none"):
    """Per regime, campaign and headline outcome: the effect at the defaults (seed CI) and its
    median and 5-95% range over the parameter sets. Written to DIR/effects.parquet."""
    import pandas as pd

    out_dir = Path(out_dir)
    res = collect(out_dir / "runs")
    runs = res["runs"]
    if len(runs) == 0 or "design" not in runs:
        raise DesignError(f"{out_dir / 'runs'}: no finished ensemble runs; run the sweep first")
    table = paired(runs, res["override_columns"], baseline=baseline)
    rows = []
    for (regime, campaign, outcome), grp in table.groupby(["policy", "campaign", "outcome"], sort=False):
        at_default = grp[grp["design"] == DEFAULT_ROW]
        spread = grp.loc[grp["design"] != DEFAULT_ROW, "mean_diff"].to_numpy(float)
        spread = spread[np.isfinite(spread)]
        d = at_default.iloc[0] if len(at_default) else None
        rows.append(
            {
                "policy": regime,
                "campaign": campaign,
                "outcome": outcome,
                "unit": outcomes.unit_of(outcome),
                "default_diff": float(d["mean_diff"]) if d is not None else np.nan,
                "default_ci_low": float(d["ci_low"]) if d is not None else np.nan,
                "default_ci_high": float(d["ci_high"]) if d is not None else np.nan,
                "median": float(np.median(spread)) if len(spread) else np.nan,
                "p05": float(np.quantile(spread, 0.05)) if len(spread) else np.nan,
                "p95": float(np.quantile(spread, 0.95)) if len(spread) else np.nan,
                "sets": int(len(spread)),
                "seeds": int(grp["n"].max()),
            }
        )
    effects = pd.DataFrame(rows)
    spec = read_json(out_dir / "problem.json")
    write_parquet(
        out_dir / "effects.parquet",
        {c: effects[c].to_numpy() for c in effects},
        {"baseline": baseline, "sets": spec["n"], "method": spec["method"]},
        outcomes.describe(effects.columns, ("ensemble", "paired", "provenance", "campaign")),
    )
    return effects


def main(argv: list[str] | None = None) -> int:
    ap = Parser(prog="python -m sim ensemble", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("dir")
    common.add_argument("--sets", type=int, default=32, help="parameter sets (Latin hypercube)")
    common.add_argument("--seed", type=int, default=0, help="seed of the design")
    common.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=LO:HI[:int]",
        help="use these ranges instead of sim/runs/uncertainties.py (repeatable)",
    )
    common.add_argument("--seeds", type=int, default=5, help="model seeds per parameter set")
    common.add_argument("--regimes", default=REGIMES, help=f"policies (default {REGIMES})")
    common.add_argument("--fixed", default="population.n=10000", help="overrides shared by every run")
    sub.add_parser("sample", parents=[common], help="write the design, print the sweep command")
    run = sub.add_parser("run", parents=[common], help="sample, run the sweep here, analyze")
    run.add_argument("--jobs", type=int, default=1, help="parallel runs (joblib launcher)")
    an = sub.add_parser("analyze", help="effects from the finished sweep in DIR/runs")
    an.add_argument("dir")
    an.add_argument("--baseline", default="none")
    discover.add_parser(sub)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "discover":
            return discover.run_args(args)
        if args.cmd in ("sample", "run"):
            check_runs(args.seeds, args.regimes, getattr(args, "jobs", 1))
            params = dict(parse_param(p) for p in args.param) or None
            names = sample(args.dir, sets=args.sets, seed=args.seed, params=params, fixed=args.fixed)
            cmd = command(args.dir, seeds=args.seeds, regimes=args.regimes, fixed=args.fixed)
            total = len(names) * args.seeds * len(args.regimes.split(","))
            if args.cmd == "sample":
                print(
                    f"{total} runs designed in {args.dir}; run them with:\n  {cmd}\n"
                    f"then: python -m sim ensemble analyze {args.dir}"
                )
                return 0
            launcher = (
                ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={args.jobs}"] if args.jobs > 1 else []
            )
            argv_ = [sys.executable, *shlex.split(cmd)[1:], *launcher]
            if subprocess.run(argv_).returncode != 0:
                print("error: the ensemble sweep failed (see above)", file=sys.stderr)
                return 1
        effects = analyze(args.dir, baseline=getattr(args, "baseline", "none"))
    except (DesignError, ConfigError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import pandas as pd

    with pd.option_context(
        "display.width", 200, "display.max_rows", 500, "display.float_format", "{:.4g}".format
    ):
        print(effects.to_string(index=False))
    print(f"-> {Path(args.dir) / 'effects.parquet'}")
    return 0
