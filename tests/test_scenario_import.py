"""``python -m sim scenario import``: ad-library exports (small fixtures following the published
schemas: Google's creative_stats.csv, Meta's Ad Library API and report exports) become scenario
YAMLs that run end to end; a file of another shape is a one-line error (docs/model.md 3.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim import scenario_import as si

from .conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "adlib"
FILES = ("google_creative_stats.csv", "meta_api.json", "meta_report.csv")


@pytest.mark.parametrize("name, fmt", list(zip(FILES, ("google", "meta_api", "meta_report"))))
def test_each_format_is_recognised_and_mapped(name, fmt):
    got, ads = si.read_ads(FIXTURES / name)
    assert got == fmt and ads
    scen = si.to_scenario("x", ads, users=1e6)
    camps = scen["campaigns"]
    # advertisers as campaigns, largest spender first; budgets = midpoints / users x 1,000
    budgets = [c["budget"] for c in camps]
    assert budgets == sorted(budgets, reverse=True)
    total = sum(sum(a["spend"]) / 2 for a in ads)
    assert sum(budgets) == pytest.approx(1000 * total / 1e6, rel=1e-3)
    assert [c["candidate"] for c in camps[:2]] == [True, True]


def test_google_dates_targeting_and_prices():
    _, ads = si.read_ads(FIXTURES / "google_creative_stats.csv")
    scen = si.to_scenario("g", ads, users=1e6)
    assert scen["steps"] == 33  # 1 Oct - 2 Nov 2020, the flight window
    smith, jones = scen["campaigns"][:2]
    assert smith["targeting"] == "micro" and jones["targeting"] == "broad"  # age + state vs all
    # Smith: $75,000 + $25,500 over 5.5M + 0.55M impressions (bucket midpoints) -> CPM 16.6
    assert smith["bid"] == pytest.approx(1.5 * 1000 * 100_500 / 6_050_000, rel=1e-3)


@pytest.mark.integration  # subprocess + three short runs
@pytest.mark.parametrize("name", FILES)
def test_imported_scenario_runs_end_to_end(name, tmp_path):
    out = tmp_path / "scenario" / f"imp_{Path(name).stem}.yaml"
    res = run_cli("scenario", "import", str(FIXTURES / name), "--users", "1e6", "--out", str(out))
    assert res.returncode == 0, res.stderr
    result = sim.simulate(
        f"scenario={out.stem}",
        f"hydra.searchpath=[file://{tmp_path}]",
        "population.n=1000",
        "steps=10",
        "network.cache=false",
    )
    camps = result.summary["campaigns"]
    assert len(camps) >= 2 and sum(c["spend"] for c in camps) > 0


@pytest.mark.integration  # subprocesses
def test_a_file_of_another_shape_is_one_line_exit_2_and_nothing_written(tmp_path):
    bad = tmp_path / "other.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    out = tmp_path / "x.yaml"
    res = run_cli("scenario", "import", str(bad), "--out", str(out))
    assert res.returncode == 2 and "match no known export" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not out.exists()
    res = run_cli("scenario", "import", str(tmp_path / "missing.csv"))
    assert res.returncode == 2 and "no such file" in res.stderr
