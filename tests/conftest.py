"""Shared helpers: typed configs composed exactly as ``python -m sim`` composes them, the
small reference sweep, and skipping (locally) or failing (in CI) when a tool is missing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import Config
from sim.configure import compose

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")
    parser.addoption(
        "--alone",
        choices=("run", "skip", "only"),
        default="run",
        help="tests marked alone (timed against a browser): run them (default), skip them, or "
        "run only them; ./test.sh runs the rest on both cores, then these by themselves",
    )


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(config, items):
    """Slow tests skipped unless --runslow; --alone selects (and counts, for ./test.sh)."""
    alone = config.getoption("--alone")
    if alone == "skip" and os.environ.get("SIM_ALONE_COUNT"):  # ./test.sh: is a second pass due?
        Path(os.environ["SIM_ALONE_COUNT"]).write_text(str(sum("alone" in i.keywords for i in items)))
    if alone != "run":
        keep, drop = [], []
        for item in items:
            (keep if ("alone" in item.keywords) == (alone == "only") else drop).append(item)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if not config.getoption("--runslow"):
        skip = pytest.mark.skip(reason="long version; run with --runslow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


def golden_report() -> list[str]:
    """What the golden test compared (bits, or outcomes only) and why, in this process."""
    golden = sys.modules.get("tests.test_golden")
    lines = list(dict.fromkeys(getattr(golden, "REPORT", [])))
    if getattr(golden, "SAME_TO_LAST_BITS", None):
        lines.append(
            f"golden: outcomes of {len(set(golden.SAME_TO_LAST_BITS))} "
            "cases equal the recording's to 1e-9 (relative)"
        )
    return lines


WORKER_REPORTS: list[str] = []  # golden_report() of each xdist worker, gathered by the controller


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its report to the controller
        workeroutput["golden_report"] = golden_report()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    WORKER_REPORTS.extend(getattr(node, "workeroutput", {}).get("golden_report", []))


# Files whose tests share a session fixture (basic_sweep) run on one xdist worker together:
# each file's scope, as --dist loadfile names it, and the file it joins.
SAME_WORKER = {"tests/test_clusters.py": "tests/test_sweeps.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """./test.sh's ``--dist loadfile`` (a file's tests on one worker, for its module fixtures),
    with the files of SAME_WORKER on one worker too, so that their session fixture is built
    once (~13 s) rather than once per worker."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return SAME_WORKER.get(scope, scope)

    return Scheduling(config, log)


def pytest_terminal_summary(terminalreporter):
    for line in dict.fromkeys(golden_report() + WORKER_REPORTS):
        terminalreporter.write_line(line)


def make_config(*overrides: str) -> Config:
    """A typed Config composed as ``python -m sim`` composes it: make_config("policy=ban")."""
    return compose(*overrides)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120):
    """Run ``python -m sim`` in a subprocess; returns CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


SMALL = ("population.n=2000", "steps=10")


# ------------------------------------------------ sweeps (test_sweeps, test_clusters)

SWEEP = (
    "policy=none,ban,cap",
    "seed=0,1",
    "population.n=1000",
    "steps=5",
    "output.figure=false",
    "output.quiet=true",
)


def sweep_command(tmp: Path, name: str, *args: str, env: dict | None = None):
    """``python -m sim -m ARGS hydra.sweep.dir=tmp/name``: (sweep dir, argv, environment)."""
    out = tmp / name
    cmd = [sys.executable, "-m", "sim", "-m", *args, f"hydra.sweep.dir={out}"]
    return out, cmd, {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}


def sweep(
    tmp: Path,
    name: str,
    *args: str,
    timeout: float = 180,
    env: dict | None = None,
    check: bool = True,
    code: int = 0,
):
    """Run a sweep from ``tmp`` (the network cache stays out of the repository); returns
    (sweep dir, CompletedProcess). ``check``: the sweep must exit with ``code`` (0: every run
    ok; 1: some failed, after a one-line tally)."""
    out, cmd, env = sweep_command(tmp, name, *args, env=env)
    proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == code, proc.stderr[-3000:]
    return out, proc


def assert_same_tables(a: dict, b: dict) -> None:
    """Two collected sweeps (``collect()`` results) hold the same numbers, exactly."""
    import pandas as pd

    for name in ("runs", "steps", "cascades"):
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


@pytest.fixture(scope="session")
def basic_sweep(tmp_path_factory):
    """The 3 x 2 sweep ``SWEEP`` with Hydra's basic (sequential, in-process) launcher, once per
    test session: (its temporary folder, the sweep dir). Other launchers are compared with it."""
    tmp = tmp_path_factory.mktemp("sweeps")
    out, proc = sweep(tmp, "basic", *SWEEP)
    assert "[done 6/6, failed 0, left 0]" in proc.stdout
    return tmp, out


# ---------------------------------------------------------------- clusters, missing tools


def free_port() -> int:
    """A TCP port nothing listens on now (for test daemons)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def require(missing: str | None) -> None:
    """Skip the test when ``missing`` names something absent; under CI (``CI`` set, as
    .ci/run does, where everything is installed) that is a failure instead."""
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI is set: required here)")
        pytest.skip(missing)


def started(cluster):
    """Yield a started test cluster (its start timed as ``start_seconds``) and stop it at the
    end, also when a test failed: the body of the Slurm and Ray module fixtures."""
    begin = time.perf_counter()
    cluster.start()
    cluster.start_seconds = time.perf_counter() - begin
    try:
        yield cluster
    finally:
        cluster.stop()
