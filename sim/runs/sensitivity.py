"""``python -m sim sensitivity``: global sensitivity analysis (SALib) run as a Hydra sweep.

Which uncertain parameters drive the headline outcomes? Three steps, so the expensive middle
one can go to any launcher (joblib, Slurm, Ray) and be resumed like any sweep:

1. ``python -m sim sensitivity sample DIR [--method sobol|morris] [--n 64]`` draws the design
   and writes one Hydra config per design row (``DIR/design/r00000.yaml``: a
   ``# @package _global_`` file setting that row's parameter values), ``DIR/problem.json`` and
   ``DIR/design.parquet``; it prints the sweep command.
2. ``python -m sim -m -cd DIR '+design=glob(*)' hydra.sweep.dir=DIR/runs ...`` runs every row
   (``-cd`` puts the design group on Hydra's search path; ``glob(*)`` sweeps all its rows).
   All rows share one seed (common random numbers), so the indices apportion the variance
   caused by the parameters, not seed-to-seed noise.
3. ``python -m sim sensitivity analyze DIR`` collects DIR/runs (python -m sim collect) and writes
   ``DIR/indices.parquet``: first-order ``S1`` and total-order ``ST`` Sobol indices with 95%
   bootstrap half-widths (Sobol), or ``mu_star``/``sigma`` (Morris), per outcome and parameter.

Outcomes: the headline outcomes declared in sim/outcomes.py, of campaign ``--campaign`` and
of the run. Integer parameters are sampled on [lo - 0.5, hi + 0.5] and
rounded, so each integer value gets an equal share of the design.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .. import outcomes
from ..config import ConfigError
from ..helptext import Parser
from ..io import read_json, write_parquet
from . import uncertainties
from .collect import collect
from .design import DesignError, check_keys, parse_param, problem_of, sweep_command, write_design

# the declared plausible ranges (judgement and scenario), except those only a policy uses
PARAMETERS = uncertainties.as_params(without_rules=True)
CAMPAIGN_OUTCOMES = outcomes.headline("campaign")
RUN_OUTCOMES = outcomes.headline("run") + outcomes.headline("collected")
NUM_LEVELS = 4  # Morris grid
RESAMPLES = 1000  # bootstrap resamples of the 95% intervals


def bootstrap_seed(spec: dict) -> int:
    """The bootstrap's seed, derived from the design's. Never 0: SALib treats a seed of 0 as no
    seed at all (``if seed:``), and the intervals would change from one analysis to the next."""
    return int(spec["seed"]) + 1


SensitivityError = DesignError


def sample(
    out_dir, *, method: str = "sobol", n: int = 64, seed: int = 0, params: dict | None = None, fixed: str = ""
) -> int:
    """Write the design (see module docstring); returns the number of runs. ``fixed``: the
    overrides every run shares (the parameters are checked against them)."""
    params = dict(params or PARAMETERS)
    check_keys(params, fixed)
    problem = problem_of(params)
    if method == "sobol":
        from SALib.sample import sobol

        if n < 2 or n & (n - 1):
            raise SensitivityError(f"--n = {n}: must be a power of 2 (>= 2) for Sobol")
        x = sobol.sample(problem, n, calc_second_order=False, seed=seed)
    elif method == "morris":
        from SALib.sample import morris

        if n < 2:
            raise SensitivityError(f"--n = {n}: must be >= 2 trajectories for Morris")
        x = morris.sample(problem, n, num_levels=NUM_LEVELS, seed=seed)
    else:
        raise SensitivityError(f"--method = {method!r}: must be one of sobol, morris")
    write_design(out_dir, params, x, {"method": method, "n": n, "seed": seed})
    return len(x)


def outcomes_by_row(out_dir, campaign: str | None = None, rows: int | None = None):
    """Outcome vectors in design order, from the collected runs of DIR/runs (the first
    ``rows`` rows of the design only, if given)."""
    out_dir = Path(out_dir)
    spec = read_json(out_dir / "problem.json")
    runs = collect(out_dir / "runs")["runs"]
    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    if "design" not in ok:
        raise SensitivityError(f"{out_dir / 'runs'}: no finished design runs; run the sweep")
    campaign = campaign or ok["campaign"].iloc[0]
    design = sorted({f.stem for f in (out_dir / "design").glob("r*.yaml")})[:rows]
    by_run = ok.drop_duplicates("run_dir").set_index("design")
    by_campaign = ok[ok["campaign"] == campaign].set_index("design")
    missing = [d for d in design if d not in by_run.index]
    if missing:
        raise SensitivityError(
            f"{len(missing)} of {len(design)} design runs missing or failed "
            f"(first: {missing[0]}): re-run the same sweep command to finish"
        )
    y = {f"{o} ({campaign})": by_campaign.loc[design, o].to_numpy(float) for o in CAMPAIGN_OUTCOMES}
    y.update({o: by_run.loc[design, o].to_numpy(float) for o in RUN_OUTCOMES})
    return spec, y


def analyze(out_dir, *, campaign: str | None = None, n: int | None = None):
    """Indices per outcome and parameter, ranked (most influential first); also written to
    DIR/indices.parquet. ``n``: use only the first ``n`` base samples of a Sobol design (a
    power of 2; Sobol sequences are nested, so they are the design an ``--n n`` sample would
    have drawn): to check that the indices have converged, or to read part of a long sweep."""
    import pandas as pd

    spec = read_json(Path(out_dir) / "problem.json")
    n_rows = None  # the first rows of the design (None: all)
    if n is not None:
        if spec["method"] != "sobol" or n < 2 or n & (n - 1) or n > spec["n"]:
            raise SensitivityError(
                f"--n = {n}: must be a power of 2 (>= 2) up to the Sobol design's {spec['n']}"
            )
        n_rows = n * (len(spec["problem"]["names"]) + 2)
    _, ys = outcomes_by_row(out_dir, campaign, n_rows)  # spec read above
    problem, x = spec["problem"], np.asarray(spec["samples"])[:n_rows]
    rows = []
    for outcome, y in ys.items():
        if not np.isfinite(y).all():
            rows += [
                {"outcome": outcome, "parameter": p, "note": "undefined in some runs"}
                for p in problem["names"]
            ]
            continue
        if spec["method"] == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(
                problem, y, calc_second_order=False, num_resamples=RESAMPLES, seed=bootstrap_seed(spec)
            )
            cols = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            from SALib.analyze import morris

            res = morris.analyze(
                problem, x, y, num_levels=NUM_LEVELS, num_resamples=RESAMPLES, seed=bootstrap_seed(spec)
            )
            cols = ("mu_star", "mu_star_conf", "sigma")
        for i, p in enumerate(problem["names"]):
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": p,
                    **{c: float(res[c][i]) for c in cols},
                    "y_mean": float(y.mean()),
                    "y_sd": float(y.std(ddof=1)),
                }
            )
    table = pd.DataFrame(rows)
    rank = "ST" if spec["method"] == "sobol" else "mu_star"
    if rank in table:
        table = table.sort_values(["outcome", rank], ascending=[True, False], kind="stable")
    table = table.reset_index(drop=True)
    if "note" in table:  # text, not a mix of text and NaN
        table["note"] = table["note"].fillna("")
    name = "indices.parquet" if n_rows is None else f"indices_n{n}.parquet"
    write_parquet(
        Path(out_dir) / name,
        {c: table[c].to_numpy() for c in table},
        {"method": spec["method"], "n": n or spec["n"], "runs": len(x)},
    )
    return table


# How each method's table is printed: the ranking index and its 95% half-width, then the
# second column (Sobol's first-order index with its half-width; Morris's sigma, the spread of
# the elementary effects: interaction or non-linearity), and the number format (Sobol indices
# are shares, 3 decimals as before; Morris effects are in the outcome's units, 3 significant).
_COLUMNS = {
    "ST": ("ST", "S1", "S1_conf", ".3f"),
    "mu_star": ("mu*", "sigma", None, ".3g"),
}


def markdown(table, top: int = 6) -> str:
    """Per outcome, the ``top`` parameters by their index as a Markdown table: a Sobol table by
    total-order index (ST and S1 with their 95% bootstrap half-widths), a Morris table by mu*
    (with its half-width) and sigma. Row k says whether the top k separate from the rest: the
    lowest lower bound among them lies above the highest upper bound of all the others, so that
    "these k matter more than the rest" is resolved at this design's size."""
    index = "ST" if "ST" in table else "mu_star"
    title, second, second_conf, fmt = _COLUMNS[index]
    out = []
    for outcome, grp in table.groupby("outcome", sort=True):
        if index not in grp or grp[index].isna().all():
            out.append(f"### {outcome}\n\n{grp['note'].iloc[0] if 'note' in grp else 'no indices'}\n")
            continue
        grp = grp.sort_values(index, ascending=False).reset_index(drop=True)
        value, conf = grp[index].to_numpy(), grp[f"{index}_conf"].to_numpy()
        low, high = value - conf, value + conf
        lines = [
            f"### {outcome}",
            "",
            f"| rank | parameter | {title} | {second} | top k separate from the rest? |",
            "|---:|---|---|---|---|",
        ]
        for i, r in grp.head(top).iterrows():
            k = i + 1
            separate = k < len(grp) and low[:k].min() > high[k:].max()
            other = f"{r[second]:{fmt}}" + (f" ± {r[second_conf]:{fmt}}" if second_conf else "")
            lines.append(
                f"| {k} | `{r.parameter}` | {value[i]:{fmt}} ± {conf[i]:{fmt}} | {other} | "
                f"{'yes' if separate else 'no'} |"
            )
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = Parser(
        prog="python -m sim sensitivity", description="Sobol or Morris sensitivity analysis as a Hydra sweep"
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="write the design and print the sweep command")
    s.add_argument("dir")
    s.add_argument("--method", default="sobol", choices=("sobol", "morris"))
    s.add_argument(
        "--n",
        type=int,
        default=64,
        help="Sobol base sample (power of 2; runs = n x (params + 2)) or Morris "
        "trajectories (runs = n x (params + 1))",
    )
    s.add_argument("--seed", type=int, default=0)
    s.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=LO:HI[:int]",
        help="analyse these parameters instead of the defaults (repeatable)",
    )
    s.add_argument(
        "--fixed",
        default="population.n=2000 steps=20",
        help="overrides shared by every run, for the printed command",
    )
    a = sub.add_parser("analyze", help="indices from the finished sweep in DIR/runs")
    a.add_argument("dir")
    a.add_argument(
        "--campaign", default=None, help="campaign for per-campaign outcomes (default: the scenario's first)"
    )
    a.add_argument(
        "--n",
        type=int,
        default=None,
        help="Sobol: only the first N base samples (power of 2), to check "
        "convergence; writes indices_nN.parquet",
    )
    a.add_argument(
        "--markdown",
        type=int,
        default=0,
        metavar="TOP",
        help="print the TOP parameters per outcome as Markdown (docs/sensitivity.md)",
    )
    args = ap.parse_args(argv)
    try:
        if args.cmd == "sample":
            params = dict(parse_param(p) for p in args.param) or None
            runs = sample(
                args.dir, method=args.method, n=args.n, seed=args.seed, params=params, fixed=args.fixed
            )
            print(
                f"{runs} runs designed in {args.dir}; run them with:\n"
                f"  {sweep_command(args.dir, args.fixed)}\n"
                f"(add hydra/launcher=joblib etc.; re-running resumes), then:\n"
                f"  python -m sim sensitivity analyze {args.dir}"
            )
            return 0
        table = analyze(args.dir, campaign=args.campaign, n=args.n)
    except (SensitivityError, ConfigError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "markdown", 0):
        print(markdown(table, args.markdown))
        return 0
    import pandas as pd

    with pd.option_context(
        "display.width", 200, "display.max_rows", 500, "display.float_format", "{:.3f}".format
    ):
        print(table.drop(columns=[c for c in ("y_mean", "y_sd") if c in table]).to_string(index=False))
    print(f"-> {Path(args.dir) / ('indices.parquet' if args.n is None else f'indices_n{args.n}.parquet')}")
    return 0
