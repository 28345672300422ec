"""Same numbers: 42 fixed runs give the recorded results.

Bits where bits can be compared, outcomes everywhere:

- **Bits.** The digests of every output file equal the recording (tests/golden/digests.json)
  when this machine's fingerprint (CPU architecture, NumPy's SIMD levels, Python and library
  versions) is the recording's. Otherwise they equal this machine's own run of the recorded
  commit's code (``python -m tests.golden.record --at COMMIT``, made here on first use in a git
  worktree and kept in .golden/). So a refactor is checked to the last bit on any machine.
- **Outcomes.** Every value of summary.json equals the recording's within a tolerance derived
  from seed-to-seed variation (tests/golden/outcomes.json): what another CPU or other versions
  may change is the last bits, and through them, rarely, a run's path; a path that went another
  way is another draw from the same distribution.

The outcome of each case and why bits were or were not compared are printed at the end of the
session. Every run goes through the notebook API; two also go through the command line, which
must give the same files. A change of numbers is never made here: it belongs to an issue that
says why, and re-records (``python -m tests.golden.record``).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from scipy import stats

import sim
from tests.golden.digest import (
    CASES,
    FIGURE_CASES,
    case_id,
    current,
    fingerprint,
    fingerprint_difference,
    outcomes,
    run_digests,
    simd_levels,
)
from tests.golden.record import ROOT, local_baseline

from .conftest import run_cli

pytestmark = pytest.mark.integration  # 42 full runs: deselect with -m 'not integration'

GOLDEN = json.loads((Path(__file__).parent / "golden" / "digests.json").read_text())
OUTCOMES = json.loads((Path(__file__).parent / "golden" / "outcomes.json").read_text())
REPORT: list[str] = []  # printed by conftest's terminal summary
SAME_TO_LAST_BITS: list[int] = []  # cases whose outcomes equal the recording's to LAST_BITS


@dataclass
class Baseline:
    """The bits this machine's runs must have, or why there are none."""

    cases: dict | None
    source: str


@pytest.fixture(scope="session")
def bits() -> Baseline:
    here, recorded, commit = fingerprint(), GOLDEN["fingerprint"], GOLDEN["recorded_at"]
    if here == recorded:
        found = Baseline(GOLDEN["cases"], "the recording (same fingerprint)")
    else:
        why = f"fingerprint differs from the recording's ({fingerprint_difference(recorded, here)})"
        path = local_baseline(commit, here)
        if not path.exists() and os.environ.get("SIM_GOLDEN_AT", "1") != "0":
            # this machine's bits of the recorded commit: ~30 s, once per machine and commit
            proc = subprocess.run(
                [sys.executable, "-m", "tests.golden.record", "--at", commit],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=900,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if proc.returncode != 0:
                REPORT.append(
                    f"golden: could not run {commit[:12]} here: "
                    f"{(proc.stderr.strip().splitlines() or ['?'])[-1]}"
                )
        if path.exists():
            found = Baseline(
                json.loads(path.read_text())["cases"], f"this machine's run of {commit[:12]} ({why})"
            )
        else:
            found = Baseline(
                None,
                f"bits not compared: {why}, and no run of {commit[:12]} on "
                "this machine; outcomes compared within the seed-to-seed spread",
            )
    REPORT.append(
        f"golden: bits compared with {found.source}" if found.cases is not None else f"golden: {found.source}"
    )
    return found


# Tolerance for a value when the bits differ: the recorded value and this run's are, at worst,
# two independent draws, so their difference over (s * sqrt(2)) follows Student's t with the
# spread's degrees of freedom (s: the standard deviation over the spread's seeds). The
# quantile is Bonferroni-corrected over every value compared in the suite, so that a correct
# model fails the whole suite with probability below 1e-3. Values that did not vary over the
# seeds must be equal (to 1e-9, relative: the last bits).
FAMILY_ALPHA = 1e-3
N_VALUES = sum(len(c["values"]) for c in OUTCOMES["cases"].values())
T_QUANTILE = stats.t.ppf(1 - FAMILY_ALPHA / N_VALUES / 2, OUTCOMES["spread_seeds"] - 1)
LAST_BITS = 1e-9


def outcome_mismatches(got: dict, recorded: dict) -> tuple[list[str], bool]:
    """(values outside their tolerance, whether every value equals the recording to the last
    bits)."""
    wrong, same = [], True
    for key, want in recorded["values"].items():
        have = got.get(key, "<missing>")
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (want, have))
        if math.isclose(have, want, rel_tol=LAST_BITS, abs_tol=1e-12) if numbers else have == want:
            continue
        same = False
        if numbers and key in recorded["sd"]:
            tolerance = T_QUANTILE * math.sqrt(2) * recorded["sd"][key]
            if abs(have - want) > tolerance:
                wrong.append(f"{key}: {have!r}, recorded {want!r} (tolerance {tolerance:.3g})")
        elif key not in recorded["varying"] and have != want:
            wrong.append(f"{key}: {have!r}, recorded {want!r} (did not vary over seeds)")
    return wrong, same


def check(run_dir: Path, index: int, bits: Baseline) -> None:
    key = case_id(CASES[index])
    digests = run_digests(run_dir)
    if bits.cases is not None:
        assert digests == bits.cases[key], f"bits differ from {bits.source}"
    wrong, same = outcome_mismatches(outcomes(run_dir), OUTCOMES["cases"][key])
    if same:
        SAME_TO_LAST_BITS.append(index)
    else:
        REPORT.append(
            f"golden: case {index} differs from the recording beyond the last bits; "
            f"{'within' if not wrong else 'OUTSIDE'} the seed-to-seed tolerance"
        )
    assert not wrong, f"outcomes differ from the recording ({bits.source}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case_id(c) for c in CASES])
def test_outputs_match_the_recording(index, tmp_path, bits):
    sim.simulate(*current(CASES[index]), "network.cache=false", out=tmp_path, figure=index in FIGURE_CASES)
    check(tmp_path, index, bits)


@pytest.mark.parametrize("index", [0, len(CASES) - 7])  # a grid run, and the composed policy
def test_command_line_gives_the_same_files(index, tmp_path, bits):
    case = CASES[index]
    proc = run_cli(
        *current(case),
        "network.cache=false",
        f"hydra.run.dir={tmp_path}",
        f"output.figure={'true' if index in FIGURE_CASES else 'false'}",
        "output.quiet=true",
    )
    assert proc.returncode == 0, proc.stderr
    check(tmp_path, index, bits)


def test_tolerance_rejects_a_changed_outcome():
    """The outcome rule can fail: a value moved by twice its tolerance, or a value that never
    varied over seeds moved at all, is caught; the recording itself passes."""
    recorded = OUTCOMES["cases"][case_id(CASES[0])]
    key, sd = next(iter(recorded["sd"].items()))
    moved = {**recorded["values"], key: recorded["values"][key] + 2 * T_QUANTILE * math.sqrt(2) * sd}
    assert outcome_mismatches(moved, recorded)[0]
    fixed = next(
        k for k, v in recorded["values"].items() if k not in recorded["sd"] and isinstance(v, float) and v
    )
    assert outcome_mismatches({**recorded["values"], fixed: recorded["values"][fixed] * 1.001}, recorded)[0]
    assert outcome_mismatches(recorded["values"], recorded) == ([], True)


def test_golden_cases_pass_under_a_lower_simd_level():
    """The same golden test in a process whose NumPy may not use this CPU's highest SIMD levels
    (another code path for exp, log and power: other last bits): it passes on bits against its
    own run of the recorded commit and on outcomes against the recording."""
    levels = simd_levels()
    if not levels:
        pytest.skip("this CPU has no SIMD level above NumPy's baseline to disable")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NPY_DISABLE_CPU_FEATURES": " ".join(levels)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "test_outputs_match_the_recording",
            str(Path(__file__)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    tail = "\n".join(proc.stdout.splitlines()[-15:])
    assert proc.returncode == 0, tail
    assert f"{len(CASES)} passed" in tail, tail
