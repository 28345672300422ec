"""The house style of every figure: colours and labels of origins, spare colours, Matplotlib
style sheet.

Origins have fixed colours (Okabe-Ito, colour-blind safe): paid origins warm, organic cool. A
regime's label and colour come from its policy config (sim/conf/policy/*.yaml), carried in
each run's summary; regimes without a colour (compositions, variants) take the spare colours.
"""

from __future__ import annotations

from pathlib import Path

from ..vocabulary import LABELS, Origin

ORIGIN_COLORS = {
    "ad": "#D55E00",
    "amplified": "#E69F00",
    "earned_from_paid": "#F0E442",
    "owned": "#0072B2",
    "earned_from_organic": "#56B4E9",
}
ORIGIN_LABELS = {o.key: LABELS[o] for o in Origin}
# stacked from the bottom: paid origins first, warm colours
STACK_ORDER = ("ad", "amplified", "earned_from_paid", "owned", "earned_from_organic")
SPARE_COLORS = ("#882255", "#44AA99", "#999933", "#888888", "#AA4499", "#332288")
STYLE = Path(__file__).resolve().parent / "brief.mplstyle"


def style():
    """The house style as a context manager (sim/report/brief.mplstyle)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.style.context(str(STYLE))


def stack_origins(ax, day, layers: dict, legend: bool = True) -> None:
    """Stacked areas of impressions by origin (paid origins at the bottom, warm colours)."""
    ax.stackplot(
        day,
        [layers[o] for o in STACK_ORDER],
        colors=[ORIGIN_COLORS[o] for o in STACK_ORDER],
        labels=[ORIGIN_LABELS[o] for o in STACK_ORDER] if legend else (),
        linewidth=0,
    )
