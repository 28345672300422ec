"""``python -m sim report`` on sweeps that do not vary ``policy`` (seeds only; a budget sweep,
split into regimes with --regime-by or not) and on a folder nobody collected: each gives the
full brief, and every collected table carries ``policy``."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from .conftest import ROOT, run_cli

pytestmark = pytest.mark.integration  # subprocess-heavy: deselect with -m 'not integration'

SMALL = ("population.n=1000", "steps=6", "output.figure=false", "output.quiet=true")
BUDGET = "scenario.campaigns.0.budget"


def sweep(root, *overrides):
    res = run_cli("-m", *overrides, *SMALL, f"hydra.sweep.dir={root}", timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return root


def report(source, out, *args):
    res = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(source), "--out", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    return res


def full_brief(out, regimes):
    pages = re.findall(rb"/Type\s*/Page(?!s)", (out / "brief.pdf").read_bytes())
    assert len(pages) == 1
    side = json.loads((out / "brief.json").read_text())
    assert side["regimes"] == regimes
    assert len(side["sentences"]) >= 2  # the setup and the money-advantage sentence at least
    for name in (
        "reach_by_origin",
        "money_advantage",
        "who_sees_what",
        "cascade_sizes",
        "impressions_over_time",
        "money_by_size",
    ):
        assert (out / f"{name}.png").stat().st_size > 1000, name
    return side


def test_seeds_only_sweep_uncollected_gives_full_brief(tmp_path):
    root = sweep(tmp_path / "seeds", "seed=0,1,2")
    assert not (root / "collected").exists()
    res = report(root, tmp_path / "out")
    assert "collected" in res.stdout  # report collected the folder itself
    for name in ("runs", "steps", "cascades"):  # policy in every table, though never swept
        table = pd.read_parquet(root / "collected" / f"{name}.parquet")
        assert set(table["policy"]) == {"none"}, name
    side = full_brief(tmp_path / "out", ["none"])
    assert side["seeds"] == 3
    assert not (tmp_path / "out" / "vote_turnout_effects.png").exists()  # one regime: no effects


def test_budget_sweep_with_and_without_regime_by(tmp_path):
    root = sweep(tmp_path / "budget", f"{BUDGET}=90,450", "seed=0,1")
    report(root, tmp_path / "plain")
    full_brief(tmp_path / "plain", ["none"])
    report(root, tmp_path / "split", "--regime-by", BUDGET)
    side = full_brief(tmp_path / "split", ["none, budget=450", "none, budget=90"])
    assert any("budget=90" in s for s in side["sentences"])
    assert (tmp_path / "split" / "vote_turnout_effects.png").is_file()


def test_report_recollects_a_resumed_sweep(tmp_path):
    """Collected tables older than a run (the sweep was resumed) are collected again."""
    import shutil

    root = sweep(tmp_path / "s", "seed=0,1")
    for path in (root / "1").iterdir():  # run 1 killed before it wrote anything but .hydra
        if path.name != ".hydra":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    report(root, tmp_path / "a")
    assert list(pd.read_parquet(root / "collected" / "runs.parquet")["seed"].unique()) == [0]
    sweep(root, "seed=0,1")  # the same sweep again: only run 1 is computed
    res = report(root, tmp_path / "b")
    assert "collected" in res.stdout
    assert sorted(pd.read_parquet(root / "collected" / "runs.parquet")["seed"].unique()) == [0, 1]
