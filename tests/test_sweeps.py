"""Sweeps: launchers agree, failures are recorded, killed sweeps resume, paired CIs are right.

Every sweep here is small (1,000 users, 5 steps) and runs ``python -m sim -m`` in a
subprocess, from a temporary folder so the network cache stays out of the repository.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.runs import collect as collect_mod
from sim.runs import sensitivity
from sim.runs.collect import collect, paired

from .conftest import ROOT, SWEEP, assert_same_tables, make_config, run_cli, sweep

CAMPAIGNS = len(make_config().scenario.campaigns)  # the default world: two_party's campaigns

pytestmark = pytest.mark.integration  # subprocess-heavy: deselect with -m 'not integration'


@pytest.fixture(scope="module")
def reference(basic_sweep):
    """The 3 x 2 sweep with Hydra's basic (sequential, in-process) launcher, collected."""
    tmp, out = basic_sweep
    return tmp, out, collect(out)


def test_basic_sweep_table(reference):
    _, out, res = reference
    runs = res["runs"]
    assert res["counts"] == {"ok": 6, "failed": 0, "damaged": 0, "incomplete": 0}
    assert res["expected"] == 6
    assert len(runs) == 6 * CAMPAIGNS  # one row per campaign per run
    assert list(runs[["policy", "seed"]].drop_duplicates().itertuples(index=False, name=None)) == [
        (p, s) for p in ("none", "ban", "cap") for s in (0, 1)
    ]
    assert res["override_columns"][:4] == ["policy", "seed", "population.n", "steps"]
    one = json.loads((out / "3" / "summary.json").read_text())  # policy=ban seed=1
    row = runs[(runs.run_dir == "3") & (runs.campaign == "A")].iloc[0]
    entry = next(c for c in one["campaigns"] if c["campaign"] == "A")
    assert row["money_share"] == entry["money_share"] and row["seed"] == one["seed"] == 1
    # under the ban the candidates' money moves to their organic channels (allocation.py), so
    # they still spend and the money advantage is a number, the same in the table
    assert entry["spend"] > 0 and row["money_advantage"] == one["money_advantage"]
    assert row["config_hash"] == one["config_hash"] and row["status"] == "ok"
    steps = res["steps"]
    assert len(steps) == 6 * 5 * CAMPAIGNS and set(steps.run_dir) == {str(i) for i in range(6)}
    assert (out / "collected" / "runs.parquet").is_file()


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_launchers_give_the_same_table(reference, launcher):
    pytest.importorskip(
        f"hydra_plugins.hydra_{launcher.split('_')[0]}_launcher",
        reason=f"{launcher} launcher not installed (pip install '.[cluster]')",
    )
    tmp, _, ref = reference
    extra = ("hydra.launcher.n_jobs=2",) if launcher == "joblib" else ()
    out, proc = sweep(tmp, launcher, f"hydra/launcher={launcher}", *extra, *SWEEP)
    assert_same_tables(collect(out), ref)


def test_ray_launcher(reference):
    pytest.importorskip("ray", reason="Ray cannot be imported here (pip install '.[cluster]')")
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="hydra-ray-launcher missing")
    tmp, _, ref = reference
    out, proc = sweep(
        tmp,
        "ray",
        "hydra/launcher=ray",
        "+hydra.launcher.ray.init.num_cpus=2",
        "policy=none,ban",
        "seed=1",
        *SWEEP[2:],
        timeout=300,
        env={"RAY_AUTH_MODE": "disabled"},
    )
    got = collect(out)["runs"]
    assert len(got) == 2 * CAMPAIGNS and set(got.status) == {"ok"}
    want = ref["runs"][(ref["runs"].seed == 1) & ref["runs"].policy.isin(["none", "ban"])]
    cols = [c for c in got.columns if c != "run_dir"]
    pd.testing.assert_frame_equal(
        got[cols].reset_index(drop=True), want[cols].reset_index(drop=True), check_exact=True
    )


def test_failing_run_is_recorded_and_others_finish(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the network cache wants a folder\n")
    out, proc = sweep(
        tmp_path,
        "fail",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        f"network.cache_dir={tmp_path / 'cache'},{blocker / 'cache'}",
        "seed=0,1",
        *SWEEP[2:],
        code=1,
    )  # a sweep with failures exits 1, after a tally
    assert "[done 2/4, failed 2, left 0]" in proc.stdout  # workers print in any order
    assert re.fullmatch(
        re.escape(f"sweep incomplete: 2 of 4 runs done (0 already done), 2 failed, 0 not run -> {out} (in ")
        + r"\d\d:\d\d\)"
        + re.escape(f"; failures: python -m sim collect {out}"),
        proc.stdout.splitlines()[-1],
    ), proc.stdout.splitlines()[-1]
    res = collect(out)
    runs = res["runs"]
    assert res["counts"] == {"ok": 2, "failed": 2, "damaged": 0, "incomplete": 0}
    failed = runs[runs.status == "failed"]
    assert list(failed.run_dir) == ["2", "3"] and list(failed.seed) == [0, 1]
    for d, error in zip(failed.run_dir, failed.error):
        assert "afile" in error and "\n" not in error  # the one-line OSError of the cache write
        assert not (out / d / "summary.json").exists()
        assert json.loads((out / d / "FAILED.json").read_text())["error"] == error
    assert (runs[runs.status == "ok"].error.isna()).all()
    assert len(runs[runs.status == "ok"]) == 2 * CAMPAIGNS
    assert collect_mod.main([str(out)]) == 1  # collected, and says not all is there
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("2 ok, 2 failed, 0 damaged, 0 incomplete, 0 of 4 not finished")
    assert printed[1] == f"  failed {out}/2: {failed.error.iloc[0]}"


def test_killed_sweep_resumes_only_missing_runs(reference, tmp_path):
    _, _, ref = reference
    out = tmp_path / "resume"
    cmd = [sys.executable, "-m", "sim", "-m", *SWEEP, f"hydra.sweep.dir={out}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out / "0" / "summary.json").exists() and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # no cleanup: whatever was being written stays half-done
    proc.wait()
    done = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/summary.json")}
    assert "0" in done and len(done) < 6, done  # killed mid-sweep
    # a result file cut short by the kill, as the atomic writer would leave it
    victim = out / str(len(done))
    victim.mkdir(exist_ok=True)
    (victim / ".summary.json.x1y2.tmp").write_text('{"campaigns": [')
    partial = collect(out)
    assert partial["counts"]["ok"] == len(done)
    assert set(partial["runs"].run_dir) == set(done)  # nothing half-written counts

    again = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr[-3000:]
    last = [line for line in again.stdout.splitlines() if line.startswith("[done")][-1]
    assert f"skipped {len(done)} already done]" in last
    assert last.startswith("[done 6/6, failed 0, left 0")
    assert again.stdout.splitlines()[-1].startswith(
        f"sweep finished: 6 of 6 runs done ({len(done)} already done)"
    )
    for name, mtime in done.items():  # complete runs were not recomputed
        assert (out / name / "summary.json").stat().st_mtime_ns == mtime
    assert_same_tables(collect(out), ref)


def test_damaged_runs_are_listed_and_recomputed(reference, tmp_path, capsys):
    """A truncated summary.json, a truncated Parquet file and a run killed while drawing (all
    its tables written, no summary yet): collect lists the first two as damaged with their
    folders (the third is incomplete), collects the rest and exits 1; the same sweep command
    then recomputes exactly those three."""
    tmp, ref_dir, ref = reference
    out = tmp_path / "damaged"
    shutil.copytree(ref_dir, out)
    shutil.rmtree(out / "collected")
    summary = out / "1" / "summary.json"
    summary.write_bytes(summary.read_bytes()[:200])
    steps = out / "2" / "steps.parquet"
    steps.write_bytes(steps.read_bytes()[:-100])
    (out / "4" / "summary.json").unlink()  # killed after its tables, before its summary
    (out / "4" / ".figure.png.a1b2.tmp").write_bytes(b"\x89PNG half a picture")
    res = collect(out)
    assert res["counts"] == {"ok": 3, "failed": 0, "damaged": 2, "incomplete": 1}
    damaged = res["runs"][res["runs"].status == "damaged"]
    assert list(damaged.run_dir) == ["1", "2"]
    assert damaged.error.iloc[0].startswith("summary.json is damaged")
    assert damaged.error.iloc[1].startswith("steps.parquet is damaged")
    assert set(res["steps"].run_dir) == {"0", "3", "5"}  # nothing of a damaged run is used
    assert collect_mod.main([str(out)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("3 ok, 0 failed, 2 damaged, 1 incomplete, 1 of 6 not finished")
    assert printed[1].startswith(f"  damaged {out}/1: summary.json is damaged")
    assert printed[2].startswith(f"  damaged {out}/2: steps.parquet is damaged")

    kept = {d: (out / d / "summary.json").stat().st_mtime_ns for d in ("0", "3", "5")}
    again = run_cli("-m", *SWEEP, f"hydra.sweep.dir={out}", cwd=tmp, timeout=180)
    assert again.returncode == 0, again.stderr[-3000:]
    progress = [x for x in again.stdout.splitlines() if x.startswith("[done")]
    assert re.fullmatch(
        r"\[done 6/6, failed 0, left 0, skipped 3 already done\] "
        r"\d\d:\d\d elapsed, ETA 00:00",
        progress[-1],
    ), progress[-1]
    for d, mtime in kept.items():
        assert (out / d / "summary.json").stat().st_mtime_ns == mtime  # not recomputed
    assert_same_tables(collect(out), ref)
    assert collect_mod.main([str(out)]) == 0


def _t_ci(d):
    d = np.asarray(d, float)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return d.mean(), d.mean() - half, d.mean() + half


def test_paired_table_equals_direct_computation(reference, capsys):
    _, out, res = reference
    summaries = [json.loads(p.read_text()) for p in out.glob("*/summary.json")]
    by = {(s["policy"], s["seed"]): s for s in summaries}
    table = paired(res["runs"], res["override_columns"])
    assert set(table.policy) == {"ban", "cap"}
    for regime in ("ban", "cap"):
        checks = {
            ("A", "money_share"): lambda s: s["campaigns"][0]["money_share"],
            ("B", "vote_share_change"): lambda s: s["campaigns"][1]["vote_share_change"],
            ("(run)", "money_advantage"): lambda s: s["money_advantage"],
            ("(run)", "polarization_change"): lambda s: s["polarization_end"] - s["polarization_start"],
        }
        for (campaign, outcome), get in checks.items():
            row = table[(table.policy == regime) & (table.campaign == campaign) & (table.outcome == outcome)]
            pairs = [
                s
                for s in (0, 1)
                if all(
                    v is not None and math.isfinite(v) for v in (get(by[(regime, s)]), get(by[("none", s)]))
                )
            ]
            if not pairs:  # no spending (ban), or budgets the 5-day market cannot absorb, so
                assert len(row) == 0  # equal spend and no slope: no pairs, no row
                continue
            assert len(row) == 1
            row = row.iloc[0]
            diffs = [get(by[(regime, seed)]) - get(by[("none", seed)]) for seed in (0, 1)]
            assert row["n"] == 2
            np.testing.assert_allclose(
                [row.mean_diff, row.ci_low, row.ci_high], _t_ci(diffs), rtol=1e-12, atol=1e-15
            )
    assert collect_mod.main([str(out), "--paired"]) == 0
    printed = capsys.readouterr().out
    assert "6 ok, 0 failed" in printed and "money_share" in printed  # (no money_advantage pair)
    assert pd.read_parquet(out / "collected" / "paired.parquet").shape == table.shape


def test_sensitivity_sweep(tmp_path):
    pytest.importorskip("SALib", reason="SALib not installed (pip install '.[analysis]')")
    params = {
        "behavior.persuasion": (0.001, 0.02, False),
        "feed.size": (10, 40, True),
        "behavior.label_effect": (0.0, 0.5, False),
    }
    design = tmp_path / "sens"
    runs = sensitivity.sample(design, method="sobol", n=4, params=params)
    assert runs == 4 * (3 + 2)
    slots = pd.read_parquet(design / "design.parquet")["feed.size"]
    assert slots.between(10, 40).all() and slots.dtype.kind == "i"
    cmd = sensitivity.sweep_command(design, "population.n=500 steps=3").split()[3:]
    proc = run_cli("-m", *[c.strip("'") for c in cmd], cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = sensitivity.analyze(design)
    assert (design / "indices.parquet").is_file() and not list(design.glob("indices_n*"))
    outcomes = sensitivity.CAMPAIGN_OUTCOMES + sensitivity.RUN_OUTCOMES  # the declared headline
    assert len(table) == len(outcomes) * 3
    # an outcome undefined in some runs (money advantage when one candidate wins no ad at 500
    # users and 3 days) is reported as such, not given indices; all others are finite
    defined = table["note"] == "" if "note" in table else np.ones(len(table), bool)
    assert np.isfinite(table.loc[defined, ["S1", "ST"]].to_numpy()).all()
    if "note" in table:  # (no note column when every outcome is defined in every run)
        assert (table.loc[~defined, "note"] == "undefined in some runs").all()
    # labels are off (policy none): label_effect cannot change anything, so the Sobol
    # estimators, built from differences of outputs, give exactly zero
    null = table[(table.parameter == "behavior.label_effect") & defined]
    assert (null.S1 == 0).all() and (null.ST == 0).all()
    slots_st = table[(table.parameter == "feed.size") & (table.outcome == "money_share (A)")].ST.iloc[0]
    assert slots_st > 0  # the feed's size (organic and ad slots) does move the money share
    # the first 2 base samples are a design of their own (Sobol sequences are nested): analysed
    # alone they give SALib's indices of those rows
    from SALib.analyze import sobol as salib_sobol

    part = sensitivity.analyze(design, n=2)
    spec, ys = sensitivity.outcomes_by_row(design)
    y = ys["money_share (A)"][: 2 * (3 + 2)]
    want = salib_sobol.analyze(
        spec["problem"], y, calc_second_order=False, num_resamples=1000, seed=spec["seed"] + 1
    )
    got = part[part.outcome == "money_share (A)"].set_index("parameter")
    for i, name in enumerate(spec["problem"]["names"]):
        assert got.loc[name, "ST"] == pytest.approx(want["ST"][i], abs=1e-12)
        # the bootstrap is seeded (not 0, which SALib ignores): the same intervals every time
        assert got.loc[name, "ST_conf"] == pytest.approx(want["ST_conf"][i], abs=1e-12)
    assert (design / "indices_n2.parquet").is_file()
    with pytest.raises(sensitivity.SensitivityError, match="--n = 3"):
        sensitivity.analyze(design, n=3)
    # the Markdown summary ranks by ST, and row 1 says "yes" exactly where the first
    # parameter's interval lies above every other one's
    text = sensitivity.markdown(table, top=2)
    ranked = table[table.outcome == "money_share (A)"].sort_values("ST", ascending=False)
    first, rest = ranked.iloc[0], ranked.iloc[1:]
    section = text.split("### money_share (A)")[1].split("###")[0]
    row = next(line for line in section.splitlines() if line.startswith("| 1 |"))
    assert f"`{first.parameter}`" in row
    separated = first.ST - first.ST_conf > (rest.ST + rest.ST_conf).max()
    assert row.endswith("| yes |" if separated else "| no |")


def test_morris_markdown_ranks_by_mu_star():
    """A Morris table prints ranked by mu* with its half-width and sigma (not an empty section,
    as when only Sobol tables printed); row k says "yes" exactly where the first k's intervals
    lie above all the others'. Hand-made table: a's [0.8, 1.2] clears b's and c's tops (0.6),
    a and b's lowest bound (0.4) does not clear c's top (0.3 + 0.3 = 0.6)."""
    table = pd.DataFrame(
        {
            "outcome": ["y"] * 3,
            "parameter": ["c", "a", "b"],
            "mu_star": [0.3, 1.0, 0.5],
            "mu_star_conf": [0.3, 0.2, 0.1],
            "sigma": [0.05, 0.4, 0.2],
        }
    )
    rows = [ln for ln in sensitivity.markdown(table, top=3).splitlines() if ln.startswith("| ")]
    assert rows[0] == "| rank | parameter | mu* | sigma | top k separate from the rest? |"
    assert rows[1] == "| 1 | `a` | 1 ± 0.2 | 0.4 | yes |"
    assert rows[2] == "| 2 | `b` | 0.5 ± 0.1 | 0.2 | no |"
    assert rows[3].startswith("| 3 | `c` |") and rows[3].endswith("| no |")


def test_parameter_ensemble_reports_default_and_spread(tmp_path):
    """Two parameter sets and the defaults, two seeds, none vs ban: the effect at the defaults
    is the same-seed mean difference there, and the spread is over the sets' mean differences
    (recomputed here from the collected runs, not with sim's own code)."""
    from sim.runs import ensemble

    out = tmp_path / "ens"
    code = ensemble.main(
        [
            "run",
            str(out),
            "--sets",
            "2",
            "--seeds",
            "2",
            "--regimes",
            "none,ban",
            "--fixed",
            "population.n=500 steps=3 network.cache=false",
            "--param",
            "behavior.engage_base=0.02:0.2",
            "--param",
            "scenario.campaigns.0.micro_fraction=0.05:0.5",
        ]
    )
    assert code == 0
    effects = pd.read_parquet(out / "effects.parquet")
    runs = pd.read_parquet(out / "runs" / "collected" / "runs.parquet")
    a = runs[runs.campaign == "A"].set_index(["design", "policy", "seed"])["money_share"]
    diff = (a.xs("ban", level="policy") - a.xs("none", level="policy")).groupby("design").mean()
    row = effects[(effects.campaign == "A") & (effects.outcome == "money_share")].iloc[0]
    assert row["default_diff"] == pytest.approx(diff["default"], abs=1e-12)
    sets = diff.drop("default").to_numpy()
    assert row["median"] == pytest.approx(np.median(sets), abs=1e-12)
    assert row["p05"] == pytest.approx(np.quantile(sets, 0.05), abs=1e-12)
    assert row["sets"] == 2 and row["seeds"] == 2
    engage = pd.read_parquet(out / "design.parquet")["behavior.engage_base"]
    assert engage.between(0.02, 0.2).all() and engage.nunique() == 2
    # a key inside the campaigns list reaches that campaign only, and is recorded in the config
    design = pd.read_parquet(out / "design.parquet").set_index("design")
    for name, run_dir in runs.drop_duplicates("run_dir")[["design", "run_dir"]].itertuples(index=False):
        config = json.loads((out / "runs" / run_dir / "summary.json").read_text())["config"]
        camps = config["scenario"]["campaigns"]
        assert "design_values" not in config
        want = 0.2 if name == "default" else design.loc[name, "scenario.campaigns.0.micro_fraction"]
        assert camps[0]["micro_fraction"] == pytest.approx(want, abs=1e-12), name
        assert camps[1]["micro_fraction"] == 0.2  # the default, untouched


@pytest.mark.parametrize(
    "param, fixed",
    [
        ("scenario.campaigns.9.budget=10:20", "population.n=500"),  # beyond two_party's campaigns
        ("behavior.epsilonn=0.1:0.5", "population.n=500"),  # a typo
        ("policy.labels.recal=0.1:0.5", "population.n=500"),  # a lever's field, misspelt
    ],
)
def test_design_parameters_are_checked_before_anything_is_written(tmp_path, param, fixed):
    """A design parameter that names no numeric value of the runs' config is one line and exit
    2, with no folder written (not a failure in every run of the sweep)."""
    for tool in (("ensemble", "sample", "--sets", "2"), ("sensitivity", "sample", "--n", "2")):
        res = run_cli(*tool[:2], str(tmp_path / "d"), *tool[2:], "--param", param, "--fixed", fixed)
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1 and param.split("=")[0] in res.stderr
        assert not (tmp_path / "d").exists()


def test_design_sweep_with_a_failed_run_exits_1(tmp_path):
    """A design's sweep runs with -cd (its rows are a config group); its exit code still says
    that a run failed. The failure: a network cache folder that is a file, in one row."""
    from sim.runs import ensemble

    design = tmp_path / "ens"
    ensemble.sample(design, sets=2, params={"behavior.engage_base": (0.02, 0.2, False)})
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the network cache wants a folder\n")
    row = design / "design" / "r00000.yaml"
    row.write_text(row.read_text() + f"network:\n  cache_dir: {blocker / 'cache'}\n")
    cmd = ensemble.command(design, seeds=1, regimes="none", fixed="population.n=500 steps=2")
    res = run_cli(*shlex.split(cmd)[3:], cwd=tmp_path, timeout=300)
    assert res.returncode == 1, res.stderr[-2000:]
    assert "sweep incomplete: 2 of 3 runs done" in res.stdout, res.stderr[-3000:]
