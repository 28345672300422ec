"""The figure checks (sim/report/checks.py) fail on the defects they guard against and pass on
a clean figure; the brief's figures pass them (tests/test_report.py records them per figure)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from sim.report.checks import check  # noqa: E402
from sim.report.figures import scale_cue  # noqa: E402
from sim.report.tables import footer  # noqa: E402
from sim.stats import Estimate  # noqa: E402


@pytest.fixture
def fig():
    f = plt.figure(figsize=(3.4, 3.0), layout="constrained")
    yield f
    plt.close(f)


def problems(fig):
    return {k: v for k, v in check(fig).items() if v}


def test_a_clean_figure_passes(fig):
    ax = fig.subplots()
    ax.bar([0, 1], [2, 3])
    ax.errorbar([0, 1], [2, 3], yerr=[0.2, 0.3], fmt="none")
    ax.plot([0, 1], [1, 2], color="C1", label="a line")
    ax.text(0.95, 0.05, "a note", transform=ax.transAxes, ha="right")
    fig.legend(loc="outside lower center")
    assert problems(fig) == {}


def test_two_error_bars_on_one_bar_fail(fig):
    ax = fig.subplots()
    ax.bar([0], [3])
    ax.errorbar([0], [2], yerr=[0.5], fmt="none")
    ax.errorbar([0], [3], yerr=[0.5], fmt="none")
    assert list(problems(fig)) == ["one_error_bar"]


def test_two_error_bars_at_one_x_apart_in_height_pass(fig):
    ax = fig.subplots()  # two candidates at 50% of the spending: one near 90% reach, one near 10%
    ax.errorbar([0.5], [0.9], yerr=[0.03], fmt="none")
    ax.errorbar([0.5], [0.1], yerr=[0.03], fmt="none")
    assert problems(fig) == {}


def test_a_legend_line_that_is_not_drawn_fails(fig):
    ax = fig.subplots()
    ax.plot([0.5], [0.5], "o", color="C0")
    ax.plot([], [], color="C3", lw=1.5, label="slope 0.8")
    fig.legend(loc="outside lower center")
    assert "legend_drawn" in problems(fig)


def test_text_beyond_the_canvas_and_a_crossed_note_fail():
    fig = plt.figure(figsize=(3.4, 3.0))  # no layout engine to make room
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], ls="--")
    ax.text(0.5, 0.5, "reach share = spend share", ha="center")  # on the diagonal
    ax.annotate("a long rotated campaign label", (0.5, 1.0), rotation=60, annotation_clip=False)
    found = problems(fig)
    plt.close(fig)
    assert "text_clear" in found and "inside" in found


def test_footer_names_the_scenario_and_warns_below_five_seeds():
    prov = {
        "version": "0.2.0",
        "git_commit": None,
        "population": [2000],
        "runs": 6,
        "seeds": 3,
        "config_hashes": ["x"],
        "config_hashes_digest": "d",
        "date": "2026-12-03",
        "scenario": ["two_party"],
    }
    assert "scenario two_party" in footer(prov) and footer(prov).startswith("FEW SEEDS (3 < 5)")
    assert not footer({**prov, "seeds": 5}).startswith("FEW SEEDS")


def test_scale_cue_in_people():
    effects = {
        "ban": {
            "vote_share_change": {"A": Estimate(0.00025, 0.0001, 0.0004, 5)},
            "turnout_change": Estimate(-0.0001, -0.0002, 0.0, 5),
        }
    }
    # 0.00025 = 0.025 pp = 2.5 in 10,000
    assert scale_cue(effects) == (
        "For scale: the largest effect shown is 0.025 pp, about 2.5 in 10,000 voters (1 pp = 1 in 100)."
    )
    assert scale_cue({}) == ""


def test_overlapping_labels_fail():
    fig = plt.figure(figsize=(3.0, 2.0))  # no layout engine: the figure title sits on the panel's
    ax = fig.subplots()
    ax.set_title("a panel title")
    fig.suptitle("A figure title", y=0.92)
    found = problems(fig)
    plt.close(fig)
    assert found.get("labels_apart") == ["'a panel title' overlaps 'A figure title'"]


# matplotlib warns that it cannot lay out panels this small: that squeeze is the point here
@pytest.mark.filterwarnings("ignore:constrained_layout not applied:UserWarning")
def test_a_squeezed_panel_and_text_over_a_title_fail():
    fig = plt.figure(figsize=(3.4, 3.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1])
    top.text(0.01, 0.1, "a long sentence\nthat runs down\ninto the panel below\nand on", va="top")
    bottom.suptitle("A panel's title")
    axes = bottom.subplots(6, 1)  # six panels in 1.5 in: slivers
    axes[0].plot([0, 1], [0, 1])
    found = problems(fig)
    plt.close(fig)
    assert "panels_sized" in found
    assert any("A panel's title" in p for p in found.get("labels_apart", [])), found
