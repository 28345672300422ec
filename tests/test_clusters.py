"""Sweeps on real clusters started on this machine: a Slurm with accounting (submitit_slurm
launcher; tests/slurm_cluster.py) and a two-node Ray cluster (ray launcher;
tests/ray_cluster.py). The same 3 x 2 sweep as tests/test_sweeps.py must give, run for run,
the same bytes as Hydra's basic launcher; a failing configuration is recorded on Slurm too;
a Slurm job cancelled mid-sweep (``scancel``) is the only run the re-run computes.

The clusters need Debian's slurmctld slurmd slurmdbd slurm-client munge mariadb-server
(.ci/run installs them) and the cluster extra (Ray, the Hydra launchers). Without them these
tests are skipped, and fail under CI (``CI`` set). Each sweep runs ``python -m sim -m`` as a
user would, from a temporary folder (the sweep folder is the shared filesystem here).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from sim.runs.collect import collect

from .conftest import SWEEP, assert_same_tables, sweep, sweep_command

# the cluster fixtures (each stops exactly what it started, also when a test fails)
from .ray_cluster import ray_two_nodes  # noqa: F401
from .slurm_cluster import slurm  # noqa: F401

pytestmark = pytest.mark.integration

RUN_FILES = ("steps.parquet", "cascades.parquet", "summary.json")


@pytest.fixture(scope="module")
def reference(basic_sweep):
    """The basic launcher's sweep folder and its collected tables."""
    _, out = basic_sweep
    return out, collect(out)


def assert_same_run_files(got: Path, want: Path, runs: dict[str, str]) -> None:
    """Each run's result files are byte-identical (``runs``: got's run folder -> want's)."""
    for mine, theirs in runs.items():
        for name in RUN_FILES:
            a, b = (got / mine / name).read_bytes(), (want / theirs / name).read_bytes()
            assert a == b, f"{got.name}/{mine}/{name} differs from {want.name}/{theirs}/{name}"


SAME = {str(i): str(i) for i in range(6)}


# ---------------------------------------------------------------- Slurm


def on_slurm(cluster, *extra: str) -> tuple[str, ...]:
    """The launcher arguments of docs/sweeps.md's Slurm recipe, for this cluster."""
    return (
        "hydra/launcher=submitit_slurm",
        f"hydra.launcher.partition={cluster.partition}",
        "hydra.launcher.timeout_min=10",
        "hydra.launcher.mem_gb=1",
        "hydra.launcher.cpus_per_task=1",
        *extra,
    )


def array_states(cluster, sweep_dir: Path, jobs: int, timeout: float = 60) -> dict[str, str]:
    """Slurm's accounting of the sweep's ``jobs`` array tasks: {"<array>_<task>": state},
    once every one has its final state (slurmctld tells slurmdbd a moment after a job ends)."""
    arrays = sorted(
        {
            p.name.split("_")[0]
            for p in (sweep_dir / ".submitit").glob("*_*")
            if re.fullmatch(r"\d+_\d+", p.name)
        }
    )
    deadline = time.monotonic() + timeout
    while True:
        res = cluster.run("sacct", "-n", "-X", "-P", "-o", "JobID,State", *[f"-j{a}" for a in arrays])
        states = dict(line.split("|", 1) for line in res.stdout.splitlines() if line)
        final = not any(
            s.startswith(("PENDING", "RUNNING", "COMPLETING", "REQUEUED")) for s in states.values()
        )
        if (len(states) == jobs and final) or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def test_slurm_sweep_gives_the_same_bytes(slurm, reference, tmp_path):
    ref_dir, ref = reference
    assert slurm.node_state() == "idle" and slurm.start_seconds < 60
    out, proc = sweep(tmp_path, "slurm", *on_slurm(slurm), *SWEEP, env=slurm.env, timeout=300)
    # every run was a Slurm job, and Slurm's accounting (sacct) knows each one
    states = array_states(slurm, out, 6)
    assert len(states) == 6 and set(states.values()) == {"COMPLETED"}, states
    assert_same_run_files(out, ref_dir, SAME)
    assert_same_tables(collect(out), ref)
    # nothing a user would take for an error: no sacct warnings, no warnings at all
    printed = proc.stdout + proc.stderr
    assert "sacct" not in printed and "WARNING" not in printed.upper(), printed[-3000:]


def test_slurm_failing_configuration_is_recorded(slurm, reference, tmp_path):
    ref_dir, _ = reference
    # population.n=5 is out of range: found per run, recorded as FAILED.json
    out, proc = sweep(
        tmp_path,
        "fail",
        *on_slurm(slurm),
        "policy=none,ban",
        "seed=0",
        "population.n=1000,5",
        *SWEEP[3:],
        env=slurm.env,
        timeout=300,
        code=1,
    )  # a sweep with failed runs exits 1, after its one-line tally
    res = collect(out)
    runs = res["runs"]
    assert res["counts"] == {"ok": 2, "failed": 2, "damaged": 0, "incomplete": 0}
    failed = runs[runs.status == "failed"]
    assert list(failed.run_dir) == ["1", "3"]
    for d, error in zip(failed.run_dir, failed.error):
        assert error.startswith("ConfigError: population.n = 5: must be") and "[10, 50000000]" in error
        assert json.loads((out / d / "FAILED.json").read_text())["error"] == error
    # the Slurm jobs themselves succeeded (the failure is the run's, recorded), and the good
    # runs are the very bytes of the same configurations in the basic sweep
    assert set(array_states(slurm, out, 4).values()) == {"COMPLETED"}
    assert_same_run_files(out, ref_dir, {"0": "0", "2": "2"})  # none/seed 0, ban/seed 0
    logs = "".join(p.read_text() for p in out.glob(".submitit/*/*_log.out"))
    assert "[done 2/4, failed 2, left 0]" in logs  # the progress line lands in the job logs


def test_slurm_cancelled_job_is_the_only_one_rerun(slurm, reference, tmp_path):
    ref_dir, ref = reference
    args = (*on_slurm(slurm), *SWEEP)
    out, cmd, env = sweep_command(tmp_path, "cancel", *args, env=slurm.env)
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # cancel job 2 as soon as Slurm starts it (its log file appears): cancelled while
        # running, before Python is up. (Later, submitit would ignore the SIGTERM and the
        # ~2 s run would finish within Slurm's grace of at least 5 s before SIGKILL.)
        deadline = time.monotonic() + 120
        while not (started := list(out.glob(".submitit/*_2/*_log.out"))):
            assert proc.poll() is None and time.monotonic() < deadline, "job 2 never started"
            time.sleep(0.01)
        task = started[0].parent.name
        slurm.run("scancel", task)
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # the sweep reports the cancelled job and fails...
    assert proc.returncode != 0
    assert f"Job {task} " in stderr and "state: CANCELLED" in stderr, stderr[-3000:]
    assert not (out / "2" / "summary.json").exists(), "run 2 finished despite the cancel"
    # ...while the other jobs, already in Slurm's queue, go on; wait for them
    deadline = time.monotonic() + 120
    while slurm.jobs():
        assert time.monotonic() < deadline, slurm.jobs()
        time.sleep(0.2)
    states = array_states(slurm, out, 6)
    assert states.pop(task).startswith("CANCELLED") and set(states.values()) == {"COMPLETED"}
    done = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/summary.json")}
    assert sorted(done) == ["0", "1", "3", "4", "5"]

    # the same command again: only run 2 is computed
    out2, again = sweep(tmp_path, "cancel", *args, env=slurm.env, timeout=300)
    assert out2 == out
    from sim.runs.sweep import read_progress

    status = {str(k): v for k, v in read_progress(out).items()}
    assert status == {
        "0": "skipped",
        "1": "skipped",
        "2": "ok",
        "3": "skipped",
        "4": "skipped",
        "5": "skipped",
    }
    logs = "".join(p.read_text() for p in out.glob(".submitit/*/*_log.out"))
    assert "[done 6/6, failed 0, left 0, skipped 5 already done]" in logs
    for name, mtime in done.items():  # complete runs were not recomputed
        assert (out / name / "summary.json").stat().st_mtime_ns == mtime
    assert_same_run_files(out, ref_dir, SAME)
    assert_same_tables(collect(out), ref)


# ---------------------------------------------------------------- Ray


def test_ray_cluster_sweep_gives_the_same_bytes(ray_two_nodes, reference, tmp_path):
    cluster = ray_two_nodes
    ref_dir, ref = reference
    nodes = cluster.nodes()
    assert len(nodes) == 2 and cluster.start_seconds < 90
    # hydra-ray-launcher passes object_store_memory to ray.init unless set: null is what
    # lets it join an existing cluster (Ray refuses the option there)
    out, proc = sweep(
        tmp_path,
        "ray",
        "hydra/launcher=ray",
        f"hydra.launcher.ray.init.address={cluster.address}",
        "+hydra.launcher.ray.init.object_store_memory=null",
        *SWEEP,
        env=cluster.env,
        timeout=300,
    )
    assert "Connected to Ray cluster" in proc.stderr
    assert_same_run_files(out, ref_dir, SAME)
    assert_same_tables(collect(out), ref)
    # the six runs were Ray tasks, and both nodes ran some
    ran_on = cluster.task_nodes("_run_job")
    assert len(ran_on) == 6 and set(ran_on) == set(nodes), ran_on
