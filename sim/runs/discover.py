"""``python -m sim ensemble discover DIR``: scenario discovery over a parameter ensemble.

The ensemble (``python -m sim ensemble run DIR``) gives a policy effect per parameter set. The
question after its 5-95% range is *where* in the parameter space the effect is small, or turns:
PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999, Statistics and Computing 9,
123-143), as EMA Workbench and RAND's sdtoolkit use it for scenario discovery, finds a box of
parameter ranges in which the sets with the outcome of interest (the "cases") are dense.

Peeling: from the whole space, each step cuts the ``peel_alpha`` share (default 0.05, EMA
Workbench's default) of the sets in the box off the low or the high end of one parameter,
whichever cut leaves the box with the highest density of cases, until the box holds less than
``mass_min`` (0.05) of the sets. Each step's box is one point of the peeling trajectory:

- *coverage*: the cases in the box / all cases (how much of the phenomenon the box explains);
- *density*: the cases in the box / the sets in the box (how pure the box is);
- *mass*: the sets in the box / all sets.

The box reported is, among those with coverage at least ``min_coverage`` (0.5) and density at
least ``min_density`` (0.8, EMA Workbench's default threshold), the one that restricts the
fewest parameters: with tens of sets, peeling on always ends in a pure box that restricts
parameters by chance. (None reaching both: the densest with enough coverage.) The trajectory is
kept so that another point can be chosen. Pasting (re-growing a peeled box) is not done.

Why not EMA Workbench itself: its 3.0 would add scikit-learn, statsmodels, seaborn, Platypus,
formulaic and patsy to the dependencies for one algorithm of ~60 lines, which this module is.

Writes ``DIR/discovery/``: ``trajectory.parquet`` (one row per peeling step), ``box.parquet``
(the chosen box: each parameter's range, restricted or not), ``discovery.png/.pdf`` (the
trajectory and the box) and ``discovery.json`` (the question, the box, its coverage and density).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import outcomes
from ..io import read_json, write_json, write_parquet
from .design import DEFAULT_ROW, DesignError


@dataclass
class Step:
    lower: np.ndarray  # the box's bounds per parameter
    upper: np.ndarray
    inside: np.ndarray  # which sets are in the box
    coverage: float
    density: float
    mass: float


def prim(x: np.ndarray, cases: np.ndarray, *, peel_alpha: float = 0.05, mass_min: float = 0.05) -> list[Step]:
    """The peeling trajectory of PRIM on parameter sets ``x`` (n x d) and boolean ``cases``."""
    x = np.asarray(x, float)
    cases = np.asarray(cases, bool)
    n, total = len(x), max(int(cases.sum()), 1)
    lower, upper = x.min(axis=0), x.max(axis=0)
    inside = np.ones(n, bool)

    def step() -> Step:
        k = int(inside.sum())
        return Step(
            lower.copy(),
            upper.copy(),
            inside.copy(),
            float(cases[inside].sum() / total),
            float(cases[inside].mean()) if k else math.nan,
            k / n,
        )

    trajectory = [step()]
    while inside.sum() / n > mass_min:
        best = None
        xs = x[inside]
        for j in range(x.shape[1]):
            for side, q in ((0, peel_alpha), (1, 1 - peel_alpha)):
                cut = float(np.quantile(xs[:, j], q))
                keep = inside & (x[:, j] >= cut if side == 0 else x[:, j] <= cut)
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    continue  # the cut removes nothing (ties) or everything
                score = (cases[keep].mean(), keep.sum())  # density, then the larger box
                if best is None or score > best[0]:
                    best = (score, j, side, cut, keep)
        if best is None:
            break
        _, j, side, cut, keep = best
        if side == 0:
            lower[j] = cut
        else:
            upper[j] = cut
        inside = keep
        trajectory.append(step())
    return trajectory


def choose(
    trajectory: list[Step], min_coverage: float = 0.5, min_density: float = 0.8, restrictions=None
) -> int:
    """The box to report: among those with coverage >= ``min_coverage`` and density >=
    ``min_density``, the one restricting the fewest parameters (``restrictions[i]``; then the
    densest, then the larger); if none reaches both, the densest with enough coverage. With few
    sets, peeling on ends in a pure box that restricts parameters by chance: the fewest
    restrictions is the box a reader can trust most."""
    counts = restrictions if restrictions is not None else [0] * len(trajectory)
    ok = [i for i, s in enumerate(trajectory) if s.coverage >= min_coverage]
    good = [i for i in ok if trajectory[i].density >= min_density]
    if good:
        return min(good, key=lambda i: (counts[i], -trajectory[i].density, i))
    return max(ok or [0], key=lambda i: (trajectory[i].density, -i))


def effects_per_set(out_dir: Path, outcome: str, campaign: str, regime: str, baseline: str):
    """Per parameter set (design row, the defaults left out): its parameter values and the
    regime's same-seed effect on ``outcome``, in the brief's unit (pp for shares)."""
    import pandas as pd

    from .collect import collect, paired

    design_file = out_dir / "design.parquet"
    if not design_file.is_file():
        raise DesignError(f"{out_dir}: no design.parquet; run python -m sim ensemble run first")
    design = pd.read_parquet(design_file)
    res = collect(out_dir / "runs")
    runs = res["runs"]
    if len(runs) == 0 or "design" not in runs:
        raise DesignError(f"{out_dir / 'runs'}: no finished ensemble runs; run the sweep first")
    table = paired(runs, res["override_columns"], baseline=baseline)
    sel = table[
        (table["policy"] == regime)
        & (table["outcome"] == outcome)
        & (table["campaign"] == campaign)
        & (table["design"] != DEFAULT_ROW)
    ]
    if sel.empty:
        found = sorted(set(table["policy"])), sorted(set(table["campaign"]))
        raise DesignError(
            f"--outcome {outcome} --campaign {campaign} --regime {regime}: no "
            f"effects in the ensemble (regimes {found[0]}, campaigns {found[1]})"
        )
    scale = outcomes.pp_scale(outcome) or 1.0
    effect = sel.set_index("design")["mean_diff"] * scale
    merged = design.set_index("design").join(effect.rename("effect"), how="inner").dropna()
    return merged.drop(columns="effect"), merged["effect"], scale


def discover(
    out_dir,
    *,
    outcome: str = "vote_share_change",
    campaign: str | None = None,
    regime: str = "ban",
    baseline: str = "none",
    threshold: float = 0.0,
    direction: str = "below",
    absolute: bool = False,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_coverage: float = 0.5,
    min_density: float = 0.8,
) -> dict:
    """Find the box of parameter values where the regime's effect is below (or above) the
    threshold; write the tables and the figure. Returns what discovery.json holds."""
    out_dir = Path(out_dir)
    campaign = campaign or ("(run)" if outcome in outcomes.headline("run") else "A")
    params, effect, scale = effects_per_set(out_dir, outcome, campaign, regime, baseline)
    value = effect.abs() if absolute else effect
    cases = (value < threshold) if direction == "below" else (value > threshold)
    if cases.sum() == 0 or cases.all():
        raise DesignError(
            f"--threshold {threshold}: {int(cases.sum())} of {len(cases)} parameter "
            f"sets are cases; choose a threshold inside the effects' range "
            f"({value.min():.4g} to {value.max():.4g})"
        )
    names = list(params.columns)
    x = params.to_numpy(float)
    trajectory = prim(x, cases.to_numpy(), peel_alpha=peel_alpha, mass_min=mass_min)
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    counts = [int(((s.lower > full_lo) | (s.upper < full_hi)).sum()) for s in trajectory]
    chosen = choose(trajectory, min_coverage, min_density, counts)
    box = trajectory[chosen]
    restricted = [j for j in range(len(names)) if box.lower[j] > full_lo[j] or box.upper[j] < full_hi[j]]
    unit = "pp" if scale == 100.0 else outcomes.unit_of(outcome)
    what = "|effect|" if absolute else "effect"
    question = f"{regime} vs {baseline}: {what} on {outcome} ({campaign}) {direction} {threshold:g} {unit}"
    folder = out_dir / "discovery"
    traj = {
        "step": np.arange(len(trajectory)),
        "coverage": np.array([s.coverage for s in trajectory]),
        "density": np.array([s.density for s in trajectory]),
        "mass": np.array([s.mass for s in trajectory]),
        "sets_in_box": np.array([int(s.inside.sum()) for s in trajectory]),
        "restricted": np.array(counts),
    }
    meta = {"question": question, "chosen_step": chosen, "sets": len(cases), "cases": int(cases.sum())}
    write_parquet(folder / "trajectory.parquet", traj, meta, outcomes.describe(list(traj), ("discovery",)))
    boxcols = {
        "parameter": np.array(names),
        "low": box.lower,
        "high": box.upper,
        "range_low": full_lo,
        "range_high": full_hi,
        "restricted": np.array([j in restricted for j in range(len(names))]),
    }
    write_parquet(folder / "box.parquet", boxcols, meta, outcomes.describe(list(boxcols), ("discovery",)))
    summary = {
        **meta,
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "sets_in_box": int(box.inside.sum()),
        "peel_alpha": peel_alpha,
        "mass_min": mass_min,
        "min_coverage": min_coverage,
        "min_density": min_density,
        "box": {names[j]: [float(box.lower[j]), float(box.upper[j])] for j in restricted},
        "ranges": {n: [float(a), float(b)] for n, a, b in zip(names, full_lo, full_hi)},
        "sentence": sentence(question, names, box, restricted, full_lo, full_hi),
    }
    write_json(folder / "discovery.json", summary)
    draw(folder, trajectory, chosen, names, box, restricted, full_lo, full_hi, question)
    return summary


def sentence(question, names, box, restricted, lo, hi) -> str:
    parts = []
    for j in restricted:
        if box.lower[j] > lo[j] and box.upper[j] < hi[j]:
            parts.append(f"{names[j]} is between {box.lower[j]:.3g} and {box.upper[j]:.3g}")
        elif box.lower[j] > lo[j]:
            parts.append(f"{names[j]} is above {box.lower[j]:.3g}")
        else:
            parts.append(f"{names[j]} is below {box.upper[j]:.3g}")
    where = " and ".join(parts) or "anywhere in the plausible ranges"
    return (
        f"{question} when {where} (coverage {box.coverage:.0%}, density {box.density:.0%}, "
        f"{int(box.inside.sum())} of {len(box.inside)} parameter sets)"
    )


def draw(folder: Path, trajectory, chosen, names, box, restricted, lo, hi, question) -> None:
    """Left: the peeling trajectory (coverage against density, colour = parameters restricted),
    the chosen box ringed; right: the chosen box's range of each restricted parameter, as a
    share of its plausible range."""
    import matplotlib.pyplot as plt

    from ..report.figures import run_checks
    from ..report.style import style

    with style():
        fig = plt.figure(figsize=(7.0, 3.2), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
        cov = [s.coverage for s in trajectory]
        den = [s.density for s in trajectory]
        nres = [int(((s.lower > lo) | (s.upper < hi)).sum()) for s in trajectory]
        pts = left.scatter(cov, den, c=nres, cmap="viridis", s=10)
        left.plot([cov[chosen]], [den[chosen]], "o", ms=9, mfc="none", mec="#D55E00", mew=1.4)
        left.set_xlabel("coverage (cases in box / all cases)")
        left.set_ylabel("density (cases in box / sets in box)")
        left.set_xlim(0, 1.06)
        left.set_ylim(0, 1.02)
        fig.colorbar(pts, ax=left, label="parameters restricted", shrink=0.8)
        left.set_title("Peeling trajectory (ringed: the box)")
        rows = restricted or []
        for i, j in enumerate(rows):
            span = hi[j] - lo[j] or 1.0
            a, b = (box.lower[j] - lo[j]) / span, (box.upper[j] - lo[j]) / span
            right.barh(i, 1, color="#DDDDDD", height=0.5)
            right.barh(i, b - a, left=a, color="#0072B2", height=0.5)
            right.text(1.02, i, f"{box.lower[j]:.3g} to {box.upper[j]:.3g}", va="center", fontsize=6)
        right.set_yticks(range(len(rows)), [names[j] for j in rows], fontsize=6)
        right.set_xlim(0, 1.45)
        right.set_xticks([0, 0.5, 1], ["low", "mid", "high"])
        right.set_xlabel("position in the plausible range")
        right.set_title(f"The box: coverage {box.coverage:.0%}, density {box.density:.0%}")
        fig.suptitle(question, fontsize=8)
        run_checks(fig, "discovery")
        for fmt in ("png", "pdf"):
            fig.savefig(
                folder / f"discovery.{fmt}",
                dpi=200,
                metadata={"Title": question} if fmt == "pdf" else {"Title": question},
            )
        plt.close(fig)


def add_parser(sub) -> None:
    """The ``discover`` sub-command of ``python -m sim ensemble``."""
    d = sub.add_parser(
        "discover",
        help="scenario discovery (PRIM): the parameter box where an effect is below or above a threshold",
    )
    d.add_argument("dir")
    d.add_argument(
        "--outcome", default="vote_share_change", help="headline outcome (collected paired table's outcome)"
    )
    d.add_argument("--campaign", default=None, help="campaign (default: A; (run) for run-level)")
    d.add_argument("--regime", default="ban")
    d.add_argument("--baseline", default="none")
    d.add_argument(
        "--threshold", type=float, required=True, help="in percentage points for shares and probabilities"
    )
    d.add_argument("--direction", choices=("below", "above"), default="below")
    d.add_argument("--abs", action="store_true", help="compare the effect's size |effect|")
    d.add_argument(
        "--min-coverage", type=float, default=0.5, help="the box reported has at least this coverage"
    )
    d.add_argument(
        "--min-density",
        type=float,
        default=0.8,
        help="and this density (EMA Workbench's default threshold), restricting the fewest parameters",
    )


def run_args(args) -> int:
    res = discover(
        args.dir,
        outcome=args.outcome,
        campaign=args.campaign,
        regime=args.regime,
        baseline=args.baseline,
        threshold=args.threshold,
        direction=args.direction,
        absolute=args.abs,
        min_coverage=args.min_coverage,
        min_density=args.min_density,
    )
    print(res["sentence"])
    print(f"-> {Path(args.dir) / 'discovery'}: trajectory.parquet, box.parquet, discovery.png/pdf")
    return 0


def read(out_dir) -> dict:
    return read_json(Path(out_dir) / "discovery" / "discovery.json")
