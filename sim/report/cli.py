"""``python -m sim report <runs.parquet | multirun dir> --out <folder>``: every brief figure and
the one-page brief from a collected sweep."""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError
from ..helptext import Parser
from .brief import write_brief
from .figures import FIGURES, SWEEP_FIGURES, figure
from .tables import Sweep


def draw_all(
    source,
    out,
    *,
    baseline: str = "none",
    exposure_regime: str | None = None,
    seed: int | None = None,
    brief: bool = True,
    regime_by=(),
    only=(),
    ensemble=None,
) -> list[Path]:
    """Every brief figure (PNG 300 dpi, PDF, SVG + JSON sidecar) and the one-page brief.

    ``source`` is a collected runs.parquet or a multirun folder. Figures that need the steps or
    cascades tables are skipped (with a note) when those tables are absent; ``only`` names the
    figures to draw (default: all that apply); ``ensemble`` a parameter ensemble's folder, whose
    5-95% ranges the effects figure and the brief's sentences add to the seed intervals.
    """
    sweep = Sweep.load(source, tuple(regime_by), ensemble)
    baseline = sweep.resolve_baseline(baseline)
    exposure_regime = exposure_regime or baseline
    if exposure_regime not in sweep.regimes:
        raise ConfigError(
            f"exposure_regime = {exposure_regime!r}: not in the sweep; must be "
            f"one of {', '.join(sweep.regimes)}"
        )
    if seed is not None and seed not in set(sweep.runs["seed"]):
        raise ConfigError(f"seed = {seed}: not in the sweep; seeds run: {sorted(set(sweep.runs['seed']))}")
    options = {
        "vote_turnout_effects": {"baseline": baseline},
        "who_sees_what": {"regime": exposure_regime},
        "impressions_over_time": {"seed": seed},
    }
    needs = {"cascade_sizes": sweep.cascades, "impressions_over_time": sweep.steps}
    written = []
    special = [n for n, (keys, *_) in SWEEP_FIGURES.items() if set(keys) <= set(sweep.settings)]
    unknown = [n for n in only if n not in FIGURES and n not in SWEEP_FIGURES]
    if unknown:
        raise ConfigError(
            f"figures = {unknown}: unknown; must be among {', '.join([*FIGURES, *SWEEP_FIGURES])}"
        )
    for name in [*FIGURES, *special]:
        if only and name not in only:
            continue
        if name == "vote_turnout_effects" and len(sweep.regimes) < 2:
            print(f"note: {name} skipped: one regime, nothing to compare")
            continue
        if name in needs and needs[name] is None:
            print(
                f"note: {name} skipped: no {'cascades' if 'cascade' in name else 'steps'}"
                f".parquet next to runs.parquet"
            )
            continue
        written += figure(name, sweep, Path(out), **options.get(name, {}))
    if brief:
        written += write_brief(sweep, Path(out), baseline, exposure_regime)
    return written


def main(argv=None, prepare=None) -> int:
    """``python -m sim report <runs.parquet | multirun dir> --out <folder>``; ``prepare(source)``
    runs first (``python -m sim report`` collects an uncollected sweep folder with it)."""
    import sys

    parser = Parser(
        prog="python -m sim report",
        description=(
            "Draw the policy-brief figures (PNG/PDF/SVG + provenance JSON) and the one-page brief "
            "from a collected sweep."
        ),
    )
    parser.add_argument(
        "source",
        help=(
            "a multirun folder (collected first when it has no collected tables or a run is newer "
            "than them), a collected folder, or a runs.parquet"
        ),
    )
    parser.add_argument("--out", required=True, help="folder for the figures")
    parser.add_argument("--baseline", default="none", help="regime the others are compared to")
    parser.add_argument(
        "--exposure-regime", default=None, help="regime of the who-sees-what figure (default: the baseline)"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="draw the impressions-over-time figure for this seed only"
    )
    parser.add_argument("--no-brief", action="store_true", help="figures only")
    parser.add_argument(
        "--figures",
        default="",
        help=("comma-separated figure names to draw (default: every figure that applies)"),
    )
    parser.add_argument(
        "--regime-by",
        default="",
        help=(
            "comma-separated override columns whose values split regimes, e.g. "
            "policy.enforcement.enabled,scenario.campaigns.0.reallocate_ad_budget"
        ),
    )
    parser.add_argument(
        "--ensemble",
        default=None,
        help=(
            "a parameter ensemble's folder (python -m sim ensemble): its 5-95%% ranges join the "
            "seed intervals in the effects figure and the brief's sentences"
        ),
    )
    args = parser.parse_args(argv)
    try:
        if prepare is not None:
            prepare(args.source)
        written = draw_all(
            args.source,
            args.out,
            baseline=args.baseline,
            exposure_regime=args.exposure_regime,
            seed=args.seed,
            brief=not args.no_brief,
            regime_by=[c for c in args.regime_by.split(",") if c],
            only=[c for c in args.figures.split(",") if c],
            ensemble=args.ensemble,
        )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {args.out}")
    return 0
