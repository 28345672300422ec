"""The default figure of one run: daily impressions by origin, one panel per campaign."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import write_atomic
from .style import STACK_ORDER, stack_origins


def plot_run(steps: dict, summary: dict, path: str | Path) -> Path:
    """Stacked daily impressions by origin, one panel per campaign, money share in titles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c["campaign"] for c in summary["campaigns"]]
    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 3.2), sharey=True, squeeze=False)
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
    fig.suptitle(
        f"Impressions by origin - scenario {summary['scenario']}, policy "
        f"{summary['policy']}, {summary['population']:,} users, seed {summary['seed']}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    path = Path(path)
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=150, format=path.suffix.lstrip(".") or "png"))
    plt.close(fig)
    return path
