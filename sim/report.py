"""Figures. ``plot_run`` draws one run's impressions by origin over time (the default figure).

Colours are fixed per origin (Okabe-Ito, colour-blind safe): paid origins warm, organic cool.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ORIGIN_COLORS = {
    "ad": "#D55E00", "amplified": "#E69F00", "earned_from_paid": "#F0E442",
    "owned": "#0072B2", "earned_from_organic": "#56B4E9",
}
ORIGIN_LABELS = {
    "ad": "ad", "amplified": "paid amplifiers", "earned_from_paid": "earned from paid",
    "owned": "owned accounts", "earned_from_organic": "earned from organic",
}
STACK_ORDER = ("ad", "amplified", "earned_from_paid", "owned", "earned_from_organic")
# Fixed colours per policy regime (Okabe-Ito black/green/purple/blue, then Tol's muted), used by
# every brief figure; composed or custom regimes take the spare colours in order of appearance.
REGIME_COLORS = {"none": "#000000", "ban": "#009E73", "transparency": "#CC79A7", "cap": "#0072B2"}
SPARE_COLORS = ("#882255", "#44AA99", "#999933", "#888888", "#AA4499", "#332288")
REGIME_LABELS = {"none": "no rules", "ban": "ad ban", "transparency": "transparency",
                 "cap": "caps"}
STYLE = Path(__file__).resolve().parent / "style" / "brief.mplstyle"


def regime_colors(regimes) -> dict[str, str]:
    """Colour per regime: the fixed ones, spare colours for the others (stable in order)."""
    spare = iter(SPARE_COLORS * (1 + len(regimes) // len(SPARE_COLORS)))
    return {r: REGIME_COLORS.get(r) or next(spare) for r in regimes}


def regime_label(regime: str) -> str:
    """Display name; variants ("ban, enforcement=on") stack their parts on lines."""
    base, *rest = regime.split(", ")
    return "\n".join([REGIME_LABELS.get(base, base), *rest])


def stack_origins(ax, day, layers: dict, legend: bool = True) -> None:
    """Stacked areas of impressions by origin (paid origins at the bottom, warm colours)."""
    ax.stackplot(day, [layers[o] for o in STACK_ORDER], colors=[ORIGIN_COLORS[o] for o in STACK_ORDER],
                 labels=[ORIGIN_LABELS[o] for o in STACK_ORDER] if legend else (), linewidth=0)


def plot_run(steps: dict, summary: dict, path: str | Path) -> Path:
    """Stacked daily impressions by origin, one panel per campaign, money share in titles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c["campaign"] for c in summary["campaigns"]]
    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 3.2), sharey=True,
                             squeeze=False)
    campaign_col = np.asarray(steps["campaign"])
    for ax, name, camp in zip(axes[0], names, summary["campaigns"]):
        rows = campaign_col == name
        day = np.asarray(steps["step"])[rows]
        stack_origins(ax, day, {o: np.asarray(steps[f"impressions_{o}"])[rows] for o in STACK_ORDER})
        share = camp["money_share"]
        share_txt = "n/a" if share is None or share != share else f"{100 * share:.0f}%"
        ax.set_title(f"{name}: money share {share_txt}", fontsize=10)
        ax.set_xlabel("day")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("impressions per day")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, frameon=False, fontsize=8)
    fig.suptitle(f"Impressions by origin - scenario {summary['scenario']}, policy "
                 f"{summary['policy']}, {summary['population']:,} users, seed {summary['seed']}",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    path = Path(path)
    from .io import write_atomic

    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=150, format=path.suffix.lstrip(".") or "png"))
    plt.close(fig)
    return path


# ---------------------------------------------------------------- brief figures from a sweep


def draw_all(source, out, *, baseline: str = "none", exposure_regime: str | None = None,
             seed: int | None = None, brief: bool = True, regime_by=()) -> list[Path]:
    """Every brief figure (PNG 300 dpi, PDF, SVG + JSON sidecar) and the one-page brief.

    ``source`` is a collected runs.parquet or a multirun folder. Figures that need the steps or
    cascades tables are skipped (with a note) when those tables are absent.
    """
    from .config import ConfigError
    from .figures import FIGURES, figure
    from .tables import Sweep

    sweep = Sweep.load(source, tuple(regime_by))
    baseline = sweep.resolve_baseline(baseline)
    exposure_regime = exposure_regime or baseline
    if exposure_regime not in sweep.regimes:
        raise ConfigError(f"exposure_regime = {exposure_regime!r}: not in the sweep; must be "
                          f"one of {', '.join(sweep.regimes)}")
    if seed is not None and seed not in set(sweep.runs["seed"]):
        raise ConfigError(f"seed = {seed}: not in the sweep; seeds run: "
                          f"{sorted(set(sweep.runs['seed']))}")
    options = {"vote_turnout_effects": {"baseline": baseline},
               "who_sees_what": {"regime": exposure_regime},
               "impressions_over_time": {"seed": seed}}
    needs = {"cascade_sizes": sweep.cascades, "impressions_over_time": sweep.steps}
    written = []
    for name in FIGURES:
        if name in needs and needs[name] is None:
            print(f"note: {name} skipped: no {'cascades' if 'cascade' in name else 'steps'}"
                  f".parquet next to runs.parquet")
            continue
        written += figure(name, sweep, Path(out), **options.get(name, {}))
    if brief:
        from .brief import write_brief

        written += write_brief(sweep, Path(out), baseline, exposure_regime)
    return written


def main(argv=None) -> int:
    """``python -m sim.report <runs.parquet | multirun dir> --out <folder>``."""
    import argparse
    import sys

    from .config import ConfigError

    parser = argparse.ArgumentParser(prog="python -m sim.report", description=(
        "Draw the policy-brief figures (PNG/PDF/SVG + provenance JSON) and the one-page brief "
        "from a collected sweep."))
    parser.add_argument("source", help="collected runs.parquet, or a multirun folder")
    parser.add_argument("--out", required=True, help="folder for the figures")
    parser.add_argument("--baseline", default="none", help="regime the others are compared to")
    parser.add_argument("--exposure-regime", default=None,
                        help="regime of the who-sees-what figure (default: the baseline)")
    parser.add_argument("--seed", type=int, default=None,
                        help="draw the impressions-over-time figure for this seed only")
    parser.add_argument("--no-brief", action="store_true", help="figures only")
    parser.add_argument("--regime-by", default="", help=(
        "comma-separated override columns whose values split regimes, e.g. "
        "policy.enforcement,scenario.campaigns.0.reallocate_ad_budget"))
    args = parser.parse_args(argv)
    try:
        written = draw_all(args.source, args.out, baseline=args.baseline,
                           exposure_regime=args.exposure_regime, seed=args.seed,
                           brief=not args.no_brief,
                           regime_by=[c for c in args.regime_by.split(",") if c])
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
