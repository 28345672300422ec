"""The command line: a default run writes its outputs; bad input gives one line, exit 2, no files."""

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
    assert pq.read_table(out / "steps.parquet").num_rows == 8 * 3


def test_transparency_ad_library_adds_up(tmp_path):
    out = tmp_path / "run"
    res = run_cli("policy=transparency", "population.n=3000", "steps=8", "output.figure=false",
                  f"hydra.run.dir={out}")
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
    res = run_cli("policy=[transparency,cap]", "population.n=2000", "steps=3", "output.figure=false",
                  f"hydra.run.dir={out}")
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["policy"] == "transparency+cap"
    assert summary["policy_label"] == "transparency + caps" and summary["policy_color"] is None
    assert summary["config"]["policy"]["labels"]["enabled"]  # transparency's lever
    assert summary["config"]["policy"]["frequency_cap"]["per_day"] == 3  # cap's lever


def _edgelist(tmp_path, text):
    path = tmp_path / "edges.txt"
    path.write_text(text)
    return path


BAD = [
    (["population.n=-5"], "population.n = -5: must be in [10, 50000000]"),
    (["scenario.campaigns.0.budget=-1"], "scenario.campaigns[0].budget = -1.0: must be >= 0.0"),
    (["behavior.follow_prob=1.5"], "behavior.follow_prob = 1.5: must be in [0.0, 1.0]"),
    (["scenario.campaigns.1.position=2"], "scenario.campaigns[1].position = 2.0: must be in [-1.0, 1.0]"),
    (["ranking.social_proof_weight=-1"], "ranking.social_proof_weight = -1.0: must be >= 0.0"),
    (["policy.frequency_cap.per_day=-1"], "policy.frequency_cap.per_day = -1: must be in [0, 1000]"),
    (["network=edgelist", "network.path=/no/such/file.txt"],
     "network.path = '/no/such/file.txt': must be an existing edgelist file"),
    # issue 12: strategy, disclosure, help, accountability
    (["population.segment_signal=2"], "population.segment_signal = 2.0: must be in [0.0, 1.0]"),
    (["scenario.campaigns.0.bid_ceiling=0.5"],
     "scenario.campaigns[0].bid_ceiling = 0.5: must be in [1.0, 100.0]"),
    (["scenario.campaigns.0.platform_help=staff"],
     "scenario.campaigns[0].platform_help = 'staff': must be one of embedded, self_service, none"),
    (["scenario.campaigns.0.cta_share=2"], "scenario.campaigns[0].cta_share = 2.0: must be in [0.0, 1.0]"),
    (["scenario.campaigns.0.amplifiers.per_1000_users=-1"],
     "scenario.campaigns[0].amplifiers.per_1000_users = -1.0: must be >= 0.0"),
    (["scenario.campaigns.0.amplifiers.pay_per_1000_followers=-2"],
     "scenario.campaigns[0].amplifiers.pay_per_1000_followers = -2.0: must be >= 0.0"),
    (["scenario.campaigns.0.amplifiers.disclosure=1.5"],
     "scenario.campaigns[0].amplifiers.disclosure = 1.5: must be in [0.0, 1.0]"),
    (["scenario.campaigns.0.volunteers.per_1000_users=-1"],
     "scenario.campaigns[0].volunteers.per_1000_users = -1.0: must be >= 0.0"),
    (["policy.labels.recall=-0.1"], "policy.labels.recall = -0.1: must be in [0.0, 1.0]"),
    (["policy.ad_review.recall=1.2"], "policy.ad_review.recall = 1.2: must be in [0.0, 1.0]"),
    (["policy.watchdogs.coverage=2"], "policy.watchdogs.coverage = 2.0: must be in [0.0, 1.0]"),
    (["policy.watchdogs.lag=-1"], "policy.watchdogs.lag = -1: must be in [0, 100000]"),
    (["policy.watchdogs.visibility=0"], "policy.watchdogs.visibility = 0.0: must be > 0.0"),
    (["policy.watchdogs.credibility_cost=1.5"],
     "policy.watchdogs.credibility_cost = 1.5: must be in [0.0, 1.0]"),
    (["policy.poster_disclosure.compliance=3"],
     "policy.poster_disclosure.compliance = 3.0: must be in [0.0, 1.0]"),
    (["policy.platform_help.variants_embedded=0"],
     "policy.platform_help.variants_embedded = 0: must be in [1, 100000]"),
    (["policy.platform_help.noise_none=-1"], "policy.platform_help.noise_none = -1.0: must be >= 0.0"),
    (["policy.platform_help.creative_sd=5"], "policy.platform_help.creative_sd = 5.0: must be in [0.0, 2.0]"),
    (["policy.platform_help.cta_embedded=2"],
     "policy.platform_help.cta_embedded = 2.0: must be in [0.0, 1.0]"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[a[0] for a, _ in BAD])
def test_bad_values_give_one_line_and_leave_nothing(tmp_path, args, message):
    out = tmp_path / "run"
    res = run_cli(*args, f"hydra.run.dir={out}")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert lines == [f"error: {message}"], res.stderr
    assert not out.exists()


@pytest.mark.parametrize("text,problem", [
    ("follower followee\n0 1\n1 2\n3 25\n",
     "user id 25 (edge 3) is outside [0, 19]; ids must be < population.n (20)"),
    ("0 1\n1 two\n", "line 2 is '1 two'; expected two integer user ids 'follower followee'"),
], ids=["id beyond n", "broken line"])
def test_bad_edge_list_names_the_problem(tmp_path, text, problem):
    path = _edgelist(tmp_path, text)
    out = tmp_path / "run"
    res = run_cli("network=edgelist", f"network.path={path}", "population.n=20", f"hydra.run.dir={out}")
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: network.path = '{path}': {problem}"
    assert not out.exists()


def test_type_errors_are_caught_by_hydra(tmp_path):
    out = tmp_path / "run"
    res = run_cli("population.n=abc", f"hydra.run.dir={out}")
    assert res.returncode != 0
    assert "population.n" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


def test_unknown_policy_lists_the_options(tmp_path):
    res = run_cli("policy=nope", f"hydra.run.dir={tmp_path / 'run'}")
    assert res.returncode != 0
    assert "ban" in res.stderr and "transparency" in res.stderr and "Traceback" not in res.stderr
