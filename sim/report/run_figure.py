"""The default figure of one run: daily impressions by origin, one panel per campaign."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..io import write_atomic
from .style import STACK_ORDER, stack_origins

COLUMNS = 4


def plot_run(steps: dict, summary: dict, path: str | Path) -> Path:
    """Stacked daily impressions by origin, one panel per campaign, money share in titles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c["campaign"] for c in summary["campaigns"]]
    ncols = min(COLUMNS, len(names))  # rows of at most COLUMNS panels: readable at any count
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.4 * ncols, 2.6 * nrows + 0.6), sharey=True, squeeze=False
    )
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    campaign_col = np.asarray(steps["campaign"])
    for ax, name, camp in zip(axes.ravel(), names, summary["campaigns"]):
        rows = campaign_col == name
        day = np.asarray(steps["step"])[rows]
        stack_origins(ax, day, {o: np.asarray(steps[f"impressions_{o}"])[rows] for o in STACK_ORDER})
        share = camp["money_share"]
        share_txt = "n/a" if share is None or share != share else f"{100 * share:.0f}%"
        ax.set_title(f"{name}: money share {share_txt}", fontsize=10)
        ax.set_xlabel("day")
        ax.spines[["top", "right"]].set_visible(False)
    for row in axes:
        row[0].set_ylabel("impressions per day")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, frameon=False, fontsize=8)
    fig.suptitle(
        f"Impressions by origin - scenario {summary['scenario']}, policy "
        f"{summary['policy']}, {summary['population']:,} users, seed {summary['seed']}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.08 / nrows, 1, 1 - 0.05 / nrows))
    path = Path(path)
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=150, format=path.suffix.lstrip(".") or "png"))
    plt.close(fig)
    return path
