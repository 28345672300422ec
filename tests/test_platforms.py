"""Several platforms: a model has a list of them, each with its own feed, ad market and rules;
today's model is the one-platform case."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import sim
from sim.config import ConfigError, PlatformConfig
from sim.configure import compose
from sim.model import SimModel
from sim.vocabulary import ORIGINS

from .conftest import run_cli

SMALL = ("population.n=2000", "steps=10", "network.cache=false")
NOT_RESULTS = ("config", "config_hash")  # describe the config, which names the platform


def test_one_platform_listed_is_todays_model():
    """One platform with the run's rules, listed explicitly: the same numbers as none listed."""
    default = sim.simulate(*SMALL, "policy=cap").summary
    cfg = compose(*SMALL, "policy=cap")
    cfg.platforms = [PlatformConfig(name="only", share=1.0)]
    listed = sim.simulate(config=cfg).summary
    assert "platforms" not in default and "platforms" not in listed
    for key in NOT_RESULTS:
        default.pop(key), listed.pop(key)
    assert json.dumps(default, sort_keys=True) == json.dumps(listed, sort_keys=True)


@pytest.fixture(scope="module")
def two():
    return sim.simulate(*SMALL, "platforms=two_copies")


def test_two_platforms_report_outcomes_per_platform_that_add_up_to_the_total(two):
    rows = two.summary["platforms"]
    per_platform = len(two.summary["campaigns"])  # one row per campaign on each platform
    assert [(r["platform"], r["platform_policy"]) for r in rows[::per_platform]] == [
        ("open", "none"),
        ("banned", "ban"),
    ]
    for camp in two.summary["campaigns"]:
        mine = [r for r in rows if r["campaign"] == camp["campaign"]]
        assert len(mine) == 2
        for o in ORIGINS:  # every impression is on exactly one platform
            assert sum(r[f"impressions_{o}"] for r in mine) == camp[f"impressions_{o}"]
        assert np.isclose(sum(r["spend_ads"] for r in mine), camp["spend_ads"])
        if camp["impressions_owned"]:  # users read on both (advertisers without posts aside)
            assert all(r["impressions_owned"] > 0 for r in mine)


def test_a_ban_on_one_platform_moves_the_candidates_ads_to_the_other(two):
    """The banned platform sells no candidate ad and the civic campaign's ads still run there;
    a candidate's whole ad budget goes to the platform that allows its ads (each campaign splits
    its daily budget over the platforms that take its ads, by their attention shares)."""
    rows = {(r["platform"], r["campaign"]): r for r in two.summary["platforms"]}
    camps = {c["campaign"]: c for c in two.summary["campaigns"]}
    for name in ("A", "B"):
        assert rows["banned", name]["impressions_ad"] == 0 and rows["banned", name]["spend_ads"] == 0
        assert rows["open", name]["spend_ads"] == camps[name]["spend_ads"] > 0
    assert rows["banned", "Vote"]["impressions_ad"] > 0 and rows["open", "Vote"]["impressions_ad"] > 0


def test_each_reader_reads_one_platform_a_day_by_attention_share():
    """Each of the day's readers reads one platform, half of them each: on ~1,000 readers a day
    the split is within 5 binomial standard deviations of one half."""
    model = SimModel(compose(*SMALL, "platforms=two_copies", "steps=3"), log=True)
    for day in range(3):
        model.step()
        a, b = (p.feed.today.readers for p in model.platforms)
        assert a + b == round(model.metrics.feeds.step(0)["sessions"] * model.n)  # all readers
        assert abs(a / (a + b) - 0.5) < 5 * np.sqrt(0.25 / (a + b))
        d = model.log["impressions"][day]
        seen = [np.unique(d["users"][d["platform"] == p]) for p in (0, 1)]
        assert len(np.intersect1d(*seen)) == 0


def test_a_platform_with_its_own_ranking():
    """The second platform ranks chronologically (a ranking preset named in its entry) and, with
    its rules set to none, sells ads to the candidates; the first keeps the run's ranking."""
    result = sim.simulate(
        *SMALL, "platforms=two_copies", "platforms.1.policy=none", "platforms.1.ranking=chronological"
    )
    rows = {(r["platform"], r["campaign"]): r for r in result.summary["platforms"]}
    assert rows["banned", "A"]["platform_ranking"] == "Chronological"
    assert rows["open", "A"]["platform_ranking"] == "Engagement"
    assert rows["banned", "A"]["impressions_ad"] > 0  # the ban lifted: its market sells to A
    feeds = [p.feed.ranker for p in result.model.platforms]
    assert [type(r).__name__ for r in feeds] == ["Engagement", "Chronological"]


def test_a_platform_naming_an_unknown_preset_is_refused_in_one_line():
    with pytest.raises(ConfigError, match=r"^platforms.1.policy = 'bann': no such policy preset"):
        compose("platforms=two_copies", "platforms.1.policy=bann")
    with pytest.raises(ConfigError, match=r"^platforms.0.ranking = 'newest': no such ranking "):
        compose("platforms=two_copies", "platforms.0.ranking=newest")


@pytest.mark.integration
def test_two_platforms_run_from_the_command_line(tmp_path):
    proc = run_cli(*SMALL, "platforms=two_copies", f"hydra.run.dir={tmp_path}", "output.figure=false")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {r["platform"] for r in summary["platforms"]} == {"open", "banned"}
    assert "per platform:" in proc.stdout and re.search(r"banned \(ban\)\s+A ", proc.stdout)
