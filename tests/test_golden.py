"""Same numbers: the outputs of 39 fixed runs are identical, to the bit, to those recorded before
the architecture change (tests/golden/digests.json, recorded through ``python -m sim``).

Every run goes through the notebook API (in process); two go through the command line too,
which must give the same files. A change of numbers is never made here: it belongs to an issue
that says why, and re-records the digests (tests/golden/record.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from tests.golden.digest import CASES, FIGURE_CASES, case_id, current, run_digests

from .conftest import run_cli

pytestmark = pytest.mark.integration  # 39 full runs: deselect with -m 'not integration'

GOLDEN = json.loads((Path(__file__).parent / "golden" / "digests.json").read_text())


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case_id(c) for c in CASES])
def test_outputs_match_the_recorded_digests(index, tmp_path):
    case = CASES[index]
    sim.simulate(*current(case), "network.cache=false", out=tmp_path,
                 figure=index in FIGURE_CASES)
    assert run_digests(tmp_path) == GOLDEN[case_id(case)]


@pytest.mark.parametrize("index", [0, len(CASES) - 7])  # a grid run, and the composed policy
def test_command_line_gives_the_same_files(index, tmp_path):
    case = CASES[index]
    proc = run_cli(*current(case), "network.cache=false", f"hydra.run.dir={tmp_path}",
                   f"output.figure={'true' if index in FIGURE_CASES else 'false'}",
                   "output.quiet=true")
    assert proc.returncode == 0, proc.stderr
    assert run_digests(tmp_path) == GOLDEN[case_id(case)]
