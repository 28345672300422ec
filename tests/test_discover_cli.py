"""``python -m sim ensemble discover`` on a tiny real ensemble: it writes the trajectory, the
box, the figure and a sentence with coverage and density."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from .conftest import run_cli

pytestmark = pytest.mark.integration  # runs an ensemble: deselect with -m 'not integration'


def test_discover_on_a_tiny_ensemble(tmp_path):
    out = tmp_path / "ens"
    res = run_cli(
        "ensemble",
        "run",
        str(out),
        "--sets",
        "6",
        "--seeds",
        "1",
        "--regimes",
        "none,ban",
        "--fixed",
        "population.n=300 steps=4 network.cache=false",
        timeout=900,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    effects = pd.read_parquet(out / "effects.parquet")
    assert "unit" in effects.columns
    # a threshold at the median effect: about half the sets are cases
    from sim.runs.discover import effects_per_set

    _, effect, scale = effects_per_set(out, "turnout_change", "(run)", "ban", "none")
    assert scale == 100.0 and len(effect) == 6
    threshold = float(effect.median())
    res = run_cli(
        "ensemble",
        "discover",
        str(out),
        "--outcome",
        "turnout_change",
        "--campaign",
        "(run)",
        "--threshold",
        repr(threshold),
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "coverage" in res.stdout and "density" in res.stdout
    found = json.loads((out / "discovery" / "discovery.json").read_text())
    cases = int((effect < threshold).sum())
    assert found["cases"] == cases and found["sets"] == 6
    assert found["coverage"] >= 0.5 and 0 < found["density"] <= 1
    traj = pd.read_parquet(out / "discovery" / "trajectory.parquet")
    assert traj["coverage"].iloc[0] == 1.0 and traj["mass"].is_monotonic_decreasing
    assert (out / "discovery" / "discovery.png").stat().st_size > 10_000
    assert len(pd.read_parquet(out / "discovery" / "box.parquet")) == len(found["ranges"])
    # a threshold no set crosses: one line, exit 2
    res = run_cli(
        "ensemble",
        "discover",
        str(out),
        "--outcome",
        "turnout_change",
        "--campaign",
        "(run)",
        "--threshold=-1e9",
        timeout=300,
    )
    assert res.returncode == 2 and res.stderr.startswith("error: --threshold ")
    assert "0 of 6 parameter sets are cases" in res.stderr and len(res.stderr.splitlines()) == 1
