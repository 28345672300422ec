"""One run from a typed config to its output folder: the work behind ``python -m sim``.

Outputs (docs/outputs.md): ``steps.parquet``, ``cascades.parquet``, ``ad_library.parquet``
(when the policy keeps an ad library), ``figure.png`` (when asked) and, written last,
``summary.json``, which lists the others with their sizes: a run folder whose summary is there
and whose files match it is complete.
"""

from __future__ import annotations

import time
from pathlib import Path

from .. import outcomes
from ..config import Config, to_dict
from ..io import write_json, write_parquet
from ..model import SimModel
from ..provenance import provenance
from ..report.run_figure import plot_run

SUMMARY = "summary.json"
TABLES = {"steps.parquet": "step", "cascades.parquet": "cascade", "ad_library.parquet": "ad"}


def write_outputs(model: SimModel, outdir: str | Path, *, figure: bool = True) -> dict:
    """Every output of a finished model into ``outdir``; returns the summary."""
    cfg, outdir = model.cfg, Path(outdir)
    meta = provenance(cfg)
    summary = {**meta, **model.summary(), "config": to_dict(cfg)}
    metrics = model.metrics
    tables = {"steps.parquet": metrics.steps_table(), "cascades.parquet": metrics.cascades_table()}
    if model.policy.ad_library:
        tables["ad_library.parquet"] = metrics.ad_library()
    for name, columns in tables.items():
        write_parquet(outdir / name, columns, meta, outcomes.describe(columns, (TABLES[name],)))
    if figure:
        plot_run(tables["steps.parquet"], summary, outdir / "figure.png")
    # last: it lists every other file with its size, so a run is complete when its summary is
    # there and each file matches (sim.runs.sweep.check_run)
    names = [*tables, *(["figure.png"] if figure else [])]
    summary["files"] = {name: (outdir / name).stat().st_size for name in names}
    write_json(outdir / SUMMARY, summary)
    return summary


def run(cfg: Config, outdir: str | Path, *, figure: bool = True) -> dict:
    """Simulate and write every output; return the summary (with provenance and timing)."""
    started = time.perf_counter()
    model = SimModel(cfg)
    model.run()
    summary = write_outputs(model, outdir, figure=figure)
    summary["wall_seconds"] = time.perf_counter() - started  # printed, not written: files stay
    return summary  # byte-identical across runs


def format_summary(summary: dict) -> str:
    """The short table the command prints: reach by origin, money share, spend, vote change."""
    head = (
        f"{'campaign':<10}{'ad':>9}{'owned':>9}{'amplif.':>9}{'earn/paid':>10}"
        f"{'earn/org':>10}{'reach':>8}{'money':>7}{'spend $':>10}{'vote chg':>10}"
    )
    lines = [
        f"scenario={summary['scenario']} policy={summary['policy']} "
        f"users={summary['population']} steps={summary['steps']} seed={summary['seed']}",
        "impressions by origin; money = share of impressions rooted in paid reach",
        head,
    ]
    for c in summary["campaigns"]:
        vote = c["vote_share_change"]
        vote_txt = f"{100 * vote:+.2f} pp" if vote == vote else "-"
        money = c["money_share"]
        lines.append(
            f"{c['campaign'][:10]:<10}{c['impressions_ad']:>9}{c['impressions_owned']:>9}"
            f"{c['impressions_amplified']:>9}{c['impressions_earned_from_paid']:>10}"
            f"{c['impressions_earned_from_organic']:>10}{c['reach']:>8}"
            f"{(f'{100 * money:.0f}%' if money == money else '-'):>7}{c['spend']:>10.0f}{vote_txt:>10}"
        )
    if "platforms" in summary:  # several platforms: each campaign's impressions on each
        lines.append("per platform: impressions (ad), money share, ad spend $")
        width = max(len(r["platform"][:12]) + len(r["platform_policy"]) for r in summary["platforms"]) + 3
        for r in summary["platforms"]:
            money = f"{100 * r['money_share']:.0f}%" if r["money_share"] == r["money_share"] else "-"
            where = f"{r['platform'][:12]} ({r['platform_policy']})"
            lines.append(
                f"  {where:<{width}} {r['campaign'][:10]:<10}"
                f"{r['impressions']:>9} ({r['impressions_ad']}){money:>6}{r['spend_ads']:>8.0f}"
            )
    ma = summary["money_advantage"]
    lines.append(
        f"money advantage (slope of candidates' reach share on spend share): "
        f"{'n/a' if ma != ma else f'{ma:.2f}'}; turnout change "
        f"{100 * summary['turnout_change']:+.2f} pp"
    )
    return "\n".join(lines)
