"""experiments/brief_numbers.py, the printer of every number docs/brief.md quotes, on a real small
sweep: its numbers equal the collected table's, and a table from another model version (a
column missing, outcomes of a newer model absent) costs the affected lines only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats

from .conftest import ROOT
from .sweep_tables import SEEDS, small_sweep

pytestmark = pytest.mark.integration  # a real sweep and subprocesses


@pytest.fixture(scope="module")
def briefs(tmp_path_factory):
    """A briefs folder holding only the policy comparison (the small sweep)."""
    root = tmp_path_factory.mktemp("briefs")
    small_sweep(root / "policy_comparison" / "sweep")
    return root


def numbers(briefs) -> str:
    res = subprocess.run(
        [sys.executable, "experiments/brief_numbers.py", str(briefs), "--ensemble", str(briefs / "none")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def line(text: str, label: str) -> str:
    found = [x for x in text.splitlines() if x.strip().startswith(label + ":")]
    assert len(found) == 1, (label, text[-3000:])
    return found[0].strip().removeprefix(label + ":").strip()


def pct_ci(x) -> str:
    """Independent 95% t interval in %, one decimal, as the script prints a share."""
    x = 100 * np.asarray(x, float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return f"{x.mean():.1f}% [{x.mean() - half:.1f}, {x.mean() + half:.1f}]"


def rewrite(briefs, tmp_path, change) -> object:
    """A copy of the briefs folder whose runs.parquet went through ``change`` (a pyarrow Table
    -> Table), keeping the table's metadata (the sweep's override columns)."""
    copy = tmp_path / "briefs"
    shutil.copytree(briefs, copy)
    file = copy / "policy_comparison" / "sweep" / "collected" / "runs.parquet"
    table = pq.read_table(file)
    pq.write_table(change(table).replace_schema_metadata(table.schema.metadata), file)
    return copy


def test_numbers_equal_the_table(briefs):
    out = numbers(briefs)
    runs = pq.read_table(briefs / "policy_comparison/sweep/collected/runs.parquet").to_pandas()
    a = runs[(runs["campaign"] == "A") & (runs["policy"] == "none")].sort_values("seed")
    assert len(a) == len(SEEDS)
    assert line(out, "A money share, no rules") == pct_ci(a["money_share"])
    per_run = runs[runs["policy"] == "none"].drop_duplicates("run_dir")
    assert line(out, "none: ad_share_of_political") == pct_ci(per_run["ad_share_of_political"])
    cap = runs[runs["policy"] == "cap"].drop_duplicates("run_dir")
    assert line(out, "cap: money_share_of_political") == pct_ci(cap["money_share_of_political"])
    assert line(out, "ban: money_share_of_political - none").startswith("-")  # the ban removes some
    assert "Ensemble" not in out  # no ensemble folder: no section, no error


def test_missing_column_costs_its_lines_only(briefs, tmp_path):
    bands = lambda t: t.drop_columns([c for c in t.column_names if "band_" in c])  # noqa: E731
    out = numbers(rewrite(briefs, tmp_path, bands))
    assert "stopped: KeyError" in out  # the section that needs the bands says so ...
    assert line(out, "A money share, no rules").endswith("]")  # ... after the lines before it
    assert "== budget_inequality: skipped" in out  # and the other sections still run


def test_older_model_version(briefs, tmp_path):
    """A table from before money could move (no money_share_of_political, money_reach_share,
    spend on staff or volunteers): those lines are left out, the rest is printed."""
    gone = ("money_share_of_political", "money_reach_share", "spend_staff", "spend_volunteers")
    older = lambda t: t.drop_columns([c for c in gone if c in t.column_names])  # noqa: E731
    out = numbers(rewrite(briefs, tmp_path, older))
    assert "money_share_of_political" not in out and "money_reach_share" not in out
    assert "staff" not in out and "stopped" not in out
    runs = pq.read_table(briefs / "policy_comparison/sweep/collected/runs.parquet").to_pandas()
    per_run = runs[runs["policy"] == "cap"].drop_duplicates("run_dir")
    assert line(out, "cap: ad_share_of_political") == pct_ci(per_run["ad_share_of_political"])
    meta = json.loads(
        pq.read_schema(briefs / "policy_comparison/sweep/collected/runs.parquet").metadata[b"sim"]
    )
    assert "override_columns" in meta  # what pairing relies on is in the table the copies keep
