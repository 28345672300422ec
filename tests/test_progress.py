"""Sweep progress with elapsed time and ETA (command line and notebook API), sim.sweep in a
plain script with processes=2, and a short Result repr."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from sim.runs.sweep import PROGRESS_FILE, SWEEP_FILE, progress_line, read_progress, timing

from .conftest import ROOT, run_cli

LINE = re.compile(r"\[done (\d+)/(\d+), failed 0, left (\d+)\] (\d\d:\d\d) elapsed, ETA (\d\d:\d\d|\?)")


def test_eta_is_the_pace_after_the_first_run_times_the_runs_left():
    # start at 0, first run ends at 10 (start-up included), two more by now (15 s): the pace
    # from the first end on is 5 s / 2 runs = 2.5 s a run, x 5 left = 12.5 s -> 00:12
    assert timing(15.0, 0.0, [10.0, 12.0, 14.0], 5) == "00:15 elapsed, ETA 00:12"
    assert timing(11.0, 0.0, [10.0], 3) == "00:11 elapsed, ETA 00:30"  # one run: 10 s each
    assert timing(5.0, 0.0, [], 3).endswith("ETA ?")
    assert timing(70.0, 0.0, [1.0, 2.0], 0) == "01:10 elapsed, ETA 00:00"


def test_progress_line_reads_the_log(tmp_path):
    (tmp_path / SWEEP_FILE).write_text('{"total": 4, "jobs": []}')
    (tmp_path / PROGRESS_FILE).write_text("start 100.0\n0 skipped 101.0\n1 ok 110.0\n2 ok 114.0\n")
    assert read_progress(tmp_path) == {0: "skipped", 1: "ok", 2: "ok"}
    assert progress_line(tmp_path, now=116.0) == (
        "[done 3/4, failed 0, left 1, skipped 1 already done] 00:16 elapsed, ETA 00:06"
    )


@pytest.mark.integration
def test_cli_sweep_prints_elapsed_and_eta(tmp_path):
    res = run_cli(
        "-m",
        "seed=0,1,2",
        "population.n=300",
        "steps=2",
        "output.quiet=true",
        "output.figure=false",
        f"hydra.sweep.dir={tmp_path}",
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    found = LINE.findall(res.stdout)
    assert [(d, t, left) for d, t, left, *_ in found] == [("1", "3", "2"), ("2", "3", "1"), ("3", "3", "0")]
    assert found[-1][4] == "00:00"
    assert re.search(r"sweep finished: 3 of 3 .* \(in \d\d:\d\d\)", res.stdout)


@pytest.mark.integration
@pytest.mark.parametrize("method", ["auto", "spawn"])
def test_sweep_in_a_plain_script(tmp_path, method):
    """The README's sim.sweep(..., processes=2) pasted into a file with no __main__ guard: it
    works (forked workers), and where workers must be spawned the error says what to do."""
    force = "import sim.api; sim.api._start_method = lambda: 'spawn'\n" if method == "spawn" else ""
    script = tmp_path / "my_sweep.py"
    script.write_text(
        force
        + textwrap.dedent(f"""
        import sim
        runs = sim.sweep("policy=none,ban", "seed=0,1", "population.n=300", "steps=2",
                         out=r"{tmp_path / "out"}", processes=2)
        print("rows", len(runs), "campaigns", runs.campaign.nunique())
        print(repr(sim.simulate("population.n=300", "steps=2")))
    """)
    )
    res = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"},
    )
    if method == "spawn":
        assert res.returncode == 1
        assert 'put the call under `if __name__ == "__main__":`' in res.stderr
        return
    assert res.returncode == 0, res.stderr[-2000:]
    rows, campaigns = map(int, re.search(r"rows (\d+) campaigns (\d+)", res.stdout).groups())
    assert rows == 4 * campaigns  # 4 runs, one row per campaign each
    lines = LINE.findall(res.stdout)  # not a terminal: one plain line per run
    assert len(lines) == 4 and lines[-1][:3] == ("4", "4", "0")
    result = res.stdout.strip().splitlines()[-1]
    assert result.startswith("Result(policy='none', scenario='two_party', users=300, steps=2")
    assert len(result) < 300
