"""One run from a typed config to its output folder: the work behind ``python -m sim``."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from . import __version__
from .config import Config, config_hash, to_dict
from .io import write_json, write_parquet
from .model import SimModel

OUTPUT_FILES = ("steps.parquet", "summary.json", "cascades.parquet", "ad_library.parquet")


def git_commit() -> str | None:
    """The commit of the checkout the package runs from, if it is one."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def provenance(cfg: Config) -> dict:
    return {"seed": cfg.seed, "config_hash": config_hash(cfg), "version": __version__,
            "git_commit": git_commit(), "policy": cfg.policy.name, "scenario": cfg.scenario.name,
            "population": cfg.population.n, "steps": cfg.steps}


def run(cfg: Config, outdir: str | Path, *, figure: bool = True) -> dict:
    """Simulate and write every output; return the summary (with provenance and timing)."""
    outdir = Path(outdir)
    started = time.perf_counter()
    model = SimModel(cfg)
    model.run()
    summary = {**provenance(cfg), **model.summary(), "config": to_dict(cfg)}
    meta = provenance(cfg)
    write_parquet(outdir / "steps.parquet", model.metrics.steps_table(), meta)
    write_parquet(outdir / "cascades.parquet", model.metrics.cascades_table(), meta)
    if cfg.policy.ad_library:
        write_parquet(outdir / "ad_library.parquet", model.metrics.ad_library(), meta)
    write_json(outdir / "summary.json", summary)
    if figure:
        from .report import plot_run

        plot_run(model.metrics.steps_table(), summary, outdir / "figure.png")
    summary["wall_seconds"] = time.perf_counter() - started  # printed, not written: files stay
    return summary                                           # byte-identical across runs


def format_summary(summary: dict) -> str:
    """The short table the command prints: reach by origin, money share, spend, vote change."""
    head = (f"{'campaign':<10}{'ad':>9}{'owned':>9}{'amplif.':>9}{'earn/paid':>10}"
            f"{'earn/org':>10}{'reach':>8}{'money':>7}{'spend $':>10}{'vote chg':>10}")
    lines = [f"scenario={summary['scenario']} policy={summary['policy']} "
             f"users={summary['population']} steps={summary['steps']} seed={summary['seed']}",
             "impressions by origin; money = share of impressions rooted in paid reach", head]
    for c in summary["campaigns"]:
        vote = c["vote_share_change"]
        vote_txt = f"{100 * vote:+.2f} pp" if vote == vote else "-"
        money = c["money_share"]
        lines.append(
            f"{c['campaign'][:10]:<10}{c['impressions_ad']:>9}{c['impressions_owned']:>9}"
            f"{c['impressions_amplified']:>9}{c['impressions_earned_from_paid']:>10}"
            f"{c['impressions_earned_from_organic']:>10}{c['reach']:>8}"
            f"{(f'{100 * money:.0f}%' if money == money else '-'):>7}{c['spend']:>10.0f}{vote_txt:>10}")
    ma = summary["money_advantage"]
    lines.append(f"money advantage (slope of reach share on budget share): "
                 f"{'n/a' if ma != ma else f'{ma:.2f}'}; turnout change "
                 f"{100 * summary['turnout_change']:+.2f} pp")
    return "\n".join(lines)
