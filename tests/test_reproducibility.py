"""Same seed and config give the same bytes; one seed gives one world under every policy."""

from __future__ import annotations

import numpy as np

from sim.model import SimModel
from sim.runs.run import run

from .conftest import SMALL, make_config


def test_same_seed_same_bytes(tmp_path):
    cfg = make_config(*SMALL, "policy=transparency")
    run(cfg, tmp_path / "a", figure=False)
    run(cfg, tmp_path / "b", figure=False)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["ad_library.parquet", "cascades.parquet", "steps.parquet", "summary.json"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seeds_differ(tmp_path):
    run(make_config(*SMALL, "seed=1"), tmp_path / "a", figure=False)
    run(make_config(*SMALL, "seed=2"), tmp_path / "b", figure=False)
    assert (tmp_path / "a/steps.parquet").read_bytes() != (tmp_path / "b/steps.parquet").read_bytes()


def test_same_seed_same_network_and_population_under_two_policies():
    a = SimModel(make_config(*SMALL, "policy=none", "network.cache=false"))
    b = SimModel(make_config(*SMALL, "policy=ban", "network.cache=false"))
    assert (a.follows.users != b.follows.users).nnz == 0
    assert (a.follows.follows_accounts != b.follows.follows_accounts).nnz == 0
    for name in ("ideology", "opinion", "turnout", "activity", "reshare", "skepticism", "segment"):
        assert np.array_equal(getattr(a.population, name), getattr(b.population, name)), name


def test_summary_records_seed_config_hash_and_version(tmp_path):
    summary = run(make_config(*SMALL, "seed=7"), tmp_path, figure=False)
    assert summary["seed"] == 7
    assert len(summary["config_hash"]) == 16
    assert summary["version"]
    assert summary["config"]["seed"] == 7
