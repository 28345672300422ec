"""The command line: a default run writes its outputs (bad input: tests/test_bad_input.py)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from .conftest import run_cli

pytestmark = pytest.mark.integration  # subprocess-heavy: deselect with -m 'not integration'


def test_default_run_writes_outputs_and_prints_a_summary(tmp_path):
    out = tmp_path / "run"
    res = run_cli("population.n=3000", "steps=8", f"hydra.run.dir={out}")
    assert res.returncode == 0, res.stderr
    assert "money" in res.stdout and "A " in res.stdout
    for name in ("steps.parquet", "cascades.parquet", "summary.json", "figure.png", ".hydra"):
        assert (out / name).exists(), name
    assert not (out / "ad_library.parquet").exists()  # no library without transparency
    summary = json.loads((out / "summary.json").read_text())
    assert summary["population"] == 3000 and summary["seed"] == 0
    n_campaigns = len(summary["campaigns"])  # the default world's seven
    assert pq.read_table(out / "steps.parquet").num_rows == 8 * n_campaigns


def test_transparency_ad_library_adds_up(tmp_path):
    out = tmp_path / "run"
    res = run_cli(
        "policy=transparency", "population.n=3000", "steps=8", "output.figure=false", f"hydra.run.dir={out}"
    )
    assert res.returncode == 0, res.stderr
    library = pq.read_table(out / "ad_library.parquet").to_pydict()
    summary = json.loads((out / "summary.json").read_text())
    assert len(set(library["ad_id"])) == len(library["ad_id"]) > 0  # one row per ad
    for camp in summary["campaigns"]:
        rows = [i for i, c in enumerate(library["campaign"]) if c == camp["campaign"]]
        assert sum(library["impressions"][i] for i in rows) == camp["impressions_ad"]
        assert sum(library["spend"][i] for i in rows) == pytest.approx(camp["spend_ads"], rel=1e-9)
        assert all(library["sponsor"][i] == camp["sponsor"] for i in rows)
    assert all(library["labeled"])


def test_composed_policies_are_named_after_all_presets(tmp_path):
    out = tmp_path / "run"
    res = run_cli(
        "policy=[transparency,cap]",
        "population.n=2000",
        "steps=3",
        "output.figure=false",
        f"hydra.run.dir={out}",
    )
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["policy"] == "transparency+cap"
    assert summary["policy_label"] == "transparency + caps" and summary["policy_color"] is None
    assert summary["config"]["policy"]["labels"]["enabled"]  # transparency's lever
    assert summary["config"]["policy"]["frequency_cap"]["per_day"] == 3  # cap's lever
