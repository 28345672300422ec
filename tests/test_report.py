"""Brief figures and the one-page brief, drawn from a real small sweep's collected table."""

from __future__ import annotations

import json
import math
import re
import struct
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.outcomes import declared
from sim.report.brief import fmt, headline
from sim.report.figures import FIGURES, FORMATS, HEIGHTS, figure
from sim.report.tables import Sweep
from sim.stats import Estimate

from .conftest import ROOT
from .sweep_tables import POLICIES, SEEDS, small_sweep

pytestmark = pytest.mark.integration  # subprocess-heavy: deselect with -m 'not integration'


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    return small_sweep(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def drawn(sweep_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    res = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(sweep_dir), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return out


def t_ci(x):
    """Independent 95% t interval (not sim.stats): mean +- t(0.975, n-1) s / sqrt(n)."""
    x = np.asarray(x, float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    return struct.unpack(">II", head[16:24])


def test_every_figure_in_three_formats_with_provenance(drawn, sweep_dir):
    sweep = Sweep.load(sweep_dir)
    for name, (_, width, height) in FIGURES.items():
        if name == "ranking_money_share":  # drawn for sweeps over rankers (test_ranking_figure)
            assert not (drawn / f"{name}.png").exists()
            continue
        for fmt_ in FORMATS:
            assert (drawn / f"{name}.{fmt_}").stat().st_size > 1000, (name, fmt_)
        side = json.loads((drawn / f"{name}.json").read_text())
        # every key is declared (docs/outputs.md), and every declared key but brief.json's own
        figure_keys = {o.name for o in declared("figure")} - {"sentences", "numbers"}
        assert set(side) == figure_keys, set(side) ^ figure_keys
        assert side["seeds"] == len(SEEDS) and side["population"] == [1500]
        assert side["runs"] == len(SEEDS) * len(POLICIES)
        assert len(side["config_hashes"]) == len(SEEDS) * len(POLICIES)
        assert side["version"] and side["date"] and side["title"]
        assert side["regimes"] == list(POLICIES)
        height = height or HEIGHTS[name](sweep)  # (sized by the sweep: regimes, campaigns)
        # 300 dpi: pixel width is 300 x the width in inches
        assert png_size(drawn / f"{name}.png") == (round(300 * width), round(300 * height)), name
    brief_keys = set(json.loads((drawn / "brief.json").read_text()))
    assert brief_keys == {o.name for o in declared("figure")} - {"options", "title"}, brief_keys
    pages = re.findall(rb"/Type\s*/Page(?!s)", (drawn / "brief.pdf").read_bytes())
    assert len(pages) == 1  # exactly one page (a page object, not the /Pages tree)
    assert (drawn / "brief.pdf").stat().st_size > 10_000


def test_figures_pass_their_checks_and_carry_title_and_scenario(drawn):
    """Every drawn figure and the brief pass sim/report/checks.py; the PDFs carry their title
    in their metadata; the footer names the scenario and warns: 3 seeds is under 5."""
    sides = sorted(drawn.glob("*.json"))
    assert len(sides) >= 7
    for side in sides:
        prov = json.loads(side.read_text())
        assert prov["checks"] and not any(prov["checks"].values()), (side.name, prov["checks"])
        pdf = (drawn / f"{side.stem}.pdf").read_bytes()
        assert b"/Title" in pdf, side.name
    from sim.report.tables import footer

    prov = json.loads((drawn / "reach_by_origin.json").read_text())
    assert "scenario two_party" in footer(prov) and footer(prov).startswith("FEW SEEDS (3 < 5)")
    sentences = json.loads((drawn / "brief.json").read_text())["sentences"]
    assert "Only 3 seeds" in sentences[0]


def test_brief_numbers_equal_the_table(sweep_dir):
    runs = pd.read_parquet(sweep_dir / "collected" / "runs.parquet")
    sentences, numbers = headline(Sweep.load(sweep_dir))
    camp = numbers["campaign"]
    assert camp == "A"  # the candidate with the larger budget in two_party
    a = runs[runs["campaign"] == "A"].set_index(["policy", "seed"])
    per_run = runs.drop_duplicates("run_dir").set_index(["policy", "seed"])
    for regime in POLICIES:
        got = numbers["regimes"][regime]
        assert got["money_share"]["mean"] == pytest.approx(t_ci(a.loc[regime, "money_share"])[0], rel=1e-12)
        slopes = per_run.loc[regime, "money_advantage"]
        cands = runs[(runs["policy"] == regime) & runs["campaign"].isin(["A", "B"])]
        if not (cands["spend"] > 0).any():  # no candidate spends (a ban, money kept): no slope
            assert slopes.isna().all() and np.isnan(got["money_advantage"]["mean"])
        else:
            assert [got["money_advantage"][k] for k in ("mean", "lo", "hi")] == pytest.approx(
                list(t_ci(slopes)), rel=1e-12
            )
        if regime == "none":
            continue
        for key, table in (("money_share", a), ("vote_share_change", a), ("turnout_change", per_run)):
            diff = table.loc[regime, key] - table.loc["none", key]  # aligned on seed
            want = t_ci(diff)
            est = got[f"{key}_diff"]
            assert [est[k] for k in ("mean", "lo", "hi")] == pytest.approx(list(want), rel=1e-9)
            assert est["n"] == len(SEEDS)
    # the text prints exactly these numbers
    ban = next(s for s in sentences if s.startswith("Under the ad ban"))
    none_ms = Estimate(*t_ci(a.loc["none", "money_share"]), len(SEEDS))
    ban_ms = Estimate(*t_ci(a.loc["ban", "money_share"]), len(SEEDS))
    assert f"fell from {fmt(none_ms)} to {fmt(ban_ms)}" in ban  # the ban removes the ads


def test_difference_spanning_zero_is_not_detectable(sweep_dir, tmp_path):
    """A placebo regime: the 'none' runs with outcomes moved by +d, -d, 0 on the three seeds,
    so the mean difference is 0 and its interval spans zero by construction."""
    runs = pd.read_parquet(sweep_dir / "collected" / "runs.parquet")
    placebo = runs[runs["policy"] == "none"].copy()
    shift = placebo["seed"].map({0: 1.0, 1: -1.0, 2: 0.0})
    for key, d in (("money_share", 0.05), ("vote_share_change", 0.001), ("turnout_change", 0.001)):
        placebo[key] = placebo[key] + d * shift
    placebo["policy"] = "placebo"  # a regime with no label or phrase of its own
    placebo = placebo.drop(columns=["policy_label", "policy_color", "policy_phrase"])
    (tmp_path / "collected").mkdir()
    pd.concat([runs, placebo]).to_parquet(tmp_path / "collected" / "runs.parquet")
    sentences, numbers = headline(Sweep.load(tmp_path))
    est = numbers["regimes"]["placebo"]
    for key in ("money_share_diff", "vote_share_change_diff", "turnout_change_diff"):
        assert est[key]["mean"] == pytest.approx(0, abs=1e-12)
        assert est[key]["lo"] < 0 < est[key]["hi"]
    text = next(s for s in sentences if s.startswith("Under regime placebo"))
    assert text.count("no detectable difference") == 3
    assert not any(w in text for w in ("rose", "fell", "higher", "lower"))


def test_figures_are_reproducible(sweep_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    sweep = Sweep.load(sweep_dir)
    first = figure("money_advantage", sweep, tmp_path / "a")
    second = figure("money_advantage", sweep, tmp_path / "b")
    for p, q in zip(first, second):
        assert p.read_bytes() == q.read_bytes(), p.name
    assert json.loads(first[-1].read_text())["date"] == "2026-01-01"


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, sweep_dir):
    for args in (
        [str(tmp_path / "missing")],
        [str(sweep_dir), "--baseline", "nope"],
        [str(sweep_dir), "--regime-by", "policy.nope"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "sim", "report", *args, "--out", str(tmp_path / "out")],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert res.returncode == 2
        assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
        assert not (tmp_path / "out").exists()


def test_estimate_spans_zero_rules():
    assert Estimate(0.1, -0.1, 0.3, 5).spans_zero
    assert not Estimate(0.2, 0.1, 0.3, 5).spans_zero
    assert Estimate(0.2, math.nan, math.nan, 1).spans_zero  # one seed: nothing is detectable
    assert Estimate(-1, -3, -2, 3).scaled(-1) == Estimate(1, 2, 3, 3)


def test_ranking_figure_and_paired_ranker_differences(tmp_path):
    """A sweep over rankers (synthetic table): the figure is drawn, and each ranker's difference
    from engagement ranking is the mean of same-seed differences within the regime."""
    from sim.report.figures import ranking_effects, rankings

    rng = np.random.default_rng(0)
    rows = []
    for policy in ("none", "ban"):
        for ranking in ("chronological", "engagement", "for_you"):
            for seed in range(4):
                for camp in ("A", "B"):
                    rows.append(
                        dict(
                            policy=policy,
                            ranking=ranking,
                            seed=seed,
                            campaign=camp,
                            money_share=rng.random(),
                            vote_share_change=0.0,
                            population=1000,
                            policy_label=policy,
                        )
                    )
    runs = pd.DataFrame(rows)
    sweep = Sweep(runs, settings=["ranking"], source="synthetic")
    assert rankings(sweep) == ["engagement", "chronological", "for_you"]
    effects = ranking_effects(sweep)
    sub = runs[(runs.policy == "ban") & (runs.campaign == "B")].set_index(["ranking", "seed"])
    diffs = sub.loc["for_you", "money_share"] - sub.loc["engagement", "money_share"]
    level, diff = effects["ban", "for_you", "B"]
    assert diff.mean == pytest.approx(diffs.mean()) and diff.n == 4
    assert (diff.lo, diff.hi) == pytest.approx(t_ci(diffs)[1:])
    assert level.mean == pytest.approx(sub.loc["for_you", "money_share"].mean())
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.report.figures import draw_ranking

    fig = plt.figure(figsize=(7, 3))
    assert "ranking" in draw_ranking(fig, sweep)
    fig.savefig(tmp_path / "ranking.png")
    assert (tmp_path / "ranking.png").stat().st_size > 1000


def test_brief_reports_the_parameter_ensemble_range(sweep_dir, tmp_path):
    """A hand-made ensemble table: the brief quotes exactly its median and 5-95% range, and a
    missing table is one clear error."""
    rows = [
        ("ban", "A", "money_share", -0.70, -0.80, -0.55),
        ("ban", "A", "vote_share_change", 0.0001, -0.0002, 0.0004),
        ("ban", "(run)", "turnout_change", -0.0003, -0.0006, 0.0),
        ("cap", "(run)", "money_advantage", -0.012, -0.031, 0.004),
    ]
    effects = pd.DataFrame(
        [
            dict(
                policy=p,
                campaign=c,
                outcome=o,
                default_diff=m,
                default_ci_low=lo,
                default_ci_high=hi,
                median=m,
                p05=lo,
                p95=hi,
                sets=24,
                seeds=2,
            )
            for p, c, o, m, lo, hi in rows
        ]
    )
    effects.to_parquet(tmp_path / "effects.parquet")
    sweep = Sweep.load(sweep_dir, ensemble=tmp_path)
    assert sweep.ensemble_range("ban", "A", "money_share") == (-0.70, -0.80, -0.55, 24)
    assert sweep.ensemble_range("cap", "A", "money_share") is None  # not in the ensemble
    ban = next(s for s in headline(sweep)[0] if s.startswith("Under the ad ban"))
    assert "Across 24 sets of plausible values" in ban
    assert "money's share -70 pp (-80 to -55)" in ban
    cap = next(s for s in headline(sweep)[0] if s.startswith("Under the cap"))
    assert "plausible values" not in cap
    slope = next(s for s in headline(sweep)[0] if s.startswith("Money advantage"))
    assert slope.endswith("(median, 5-95%): caps -0.01 (-0.03 to +0.00).")
    assert "Across" not in " ".join(headline(Sweep.load(sweep_dir))[0])  # no ensemble, no range
    with pytest.raises(Exception, match="no effects.parquet"):
        Sweep.load(sweep_dir, ensemble=tmp_path / "missing")
