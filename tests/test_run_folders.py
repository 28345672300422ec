"""A run folder belongs to one run: the claim that two runs started at once cannot both pass,
and the temporary files a killed write leaves, removed when the run is redone or resumed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sim.config import ConfigError
from sim.io import remove_temporaries, write_atomic
from sim.runs.command import prepare_run_dir
from sim.runs.sweep import SUMMARY, run_in_sweep

from .conftest import ROOT, make_config, run_cli

BUSY = "another run is writing there now"


def _release(before: dict) -> None:
    if before.get("lock") is not None:
        os.close(before["lock"])


def test_a_claimed_run_folder_is_refused_to_a_second_run(tmp_path):
    """The second run checks before the first has written anything: without a claim it would
    find the folder empty and both would write there."""
    run_dir = tmp_path / "run"
    first = prepare_run_dir(run_dir, ["seed=0"])
    try:
        with pytest.raises(ConfigError, match=f"^hydra.run.dir = '{run_dir}': {BUSY}"):
            prepare_run_dir(run_dir, ["seed=1"])
        with pytest.raises(ConfigError, match=BUSY):  # the same run twice at once, too
            prepare_run_dir(run_dir, ["seed=0"])
    finally:
        _release(first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # the refused run made nothing


def test_the_claim_holds_across_processes_and_ends_with_the_process(tmp_path):
    run_dir = tmp_path / "run"
    code = (
        "import sys; from pathlib import Path; from sim.runs.command import prepare_run_dir; "
        f"prepare_run_dir(Path({str(run_dir)!r}), ['seed=0']); print('held', flush=True); "
        "sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError, match=BUSY):
            prepare_run_dir(run_dir, ["seed=1"])
    finally:
        holder.communicate("", timeout=60)  # the holder ends: the kernel drops its lock
    _release(prepare_run_dir(run_dir, ["seed=1"]))  # nothing written there: free again


@pytest.mark.integration
def test_two_runs_started_at_once_never_both_report_one_folder(tmp_path):
    """Four trials of two runs (seeds 0 and 1) started together into one folder: one run writes
    it, the other stops with one line and exit 2, whichever order they reach the folder in
    (busy while the first runs, or the first's outputs already there)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for trial in range(4):
        run_dir = tmp_path / f"t{trial}"
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sim",
                    "population.n=500",
                    "steps=2",
                    f"seed={seed}",
                    "output.figure=false",
                    "output.quiet=true",
                    "network.cache=false",
                    f"hydra.run.dir={run_dir}",
                ],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for seed in (0, 1)
        ]
        done = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        codes = sorted(code for code, _ in done)
        assert codes == [0, 2], done
        err = next(e for code, e in done if code == 2).strip().splitlines()
        assert len(err) == 1 and (BUSY in err[0] or "holds another run's outputs" in err[0]), err
        assert (run_dir / SUMMARY).is_file()


def test_remove_temporaries_takes_only_write_atomic_files(tmp_path):
    (tmp_path / ".figure.png.k3j2_x.tmp").write_bytes(b"")  # a killed write_atomic
    (tmp_path / ".hydra").mkdir()
    for name in ("figure.tmp", ".x.tmp", "summary.json"):  # not write_atomic's
        (tmp_path / name).write_text("x")
    assert [p.name for p in remove_temporaries(tmp_path)] == [".figure.png.k3j2_x.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hydra", ".x.tmp", "figure.tmp", "summary.json"]
    write_atomic(tmp_path / "figure.png", lambda tmp: open(tmp, "wb").close())
    assert remove_temporaries(tmp_path) == []  # a finished write leaves none


def test_a_resumed_sweep_job_removes_a_killed_writes_temporary_file(tmp_path):
    stale = tmp_path / ".figure.png.abcd1234.tmp"
    stale.write_bytes(b"")  # the 0-byte file a kill during the figure write leaves
    cfg = make_config(
        "population.n=500", "steps=2", "output.figure=false", "output.quiet=true", "network.cache=false"
    )
    assert run_in_sweep(lambda: cfg, tmp_path, ["seed=0"]) == "ok"
    assert not stale.exists() and (tmp_path / SUMMARY).is_file()


def test_redoing_a_run_removes_a_killed_writes_temporary_file(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / ".hydra" / "overrides.yaml").write_text("- seed=3\n")
    stale = run_dir / ".steps.parquet.x1y2z3.tmp"
    stale.write_bytes(b"")
    before = prepare_run_dir(run_dir, ["seed=3"])  # the same overrides: a redo
    _release(before)
    assert not stale.exists() and stale.name not in before["names"]


@pytest.mark.integration
def test_a_ranker_that_raises_leaves_no_hydra_folder_or_log(tmp_path):
    """The plug-in's error is one line naming it, and the run folder Hydra made is gone."""
    (tmp_path / "conf" / "ranking").mkdir(parents=True)
    (tmp_path / "conf" / "ranking" / "mine.yaml").write_text("_target_: crashing.Mine\n")
    (tmp_path / "crashing.py").write_text(
        "from dataclasses import dataclass\n\nfrom sim.model.feed.rankers import Ranker\n\n\n"
        "@dataclass\nclass Mine(Ranker):\n    def score(self, batch, rng):\n"
        "        raise ValueError('bad score')\n"
    )
    proc = run_cli(
        "ranking=mine",
        f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
        "population.n=500",
        "steps=2",
        "network.cache=false",
        f"hydra.run.dir={tmp_path / 'run'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == (
        "error: ranking._target_ = 'crashing.Mine': raised while running (ValueError: bad score)"
    )
    assert not (tmp_path / "run").exists()
