"""The memory estimate (sim/runs/memory.py) covers what a run takes, imports included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.configure import compose
from sim.runs.memory import estimate_bytes

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ["population.n=5000", "steps=5"]
# The child's own peak: VmHWM of its address space. Not ru_maxrss: Linux carries the parent's
# peak RSS across fork + exec into the child's ru_maxrss, so inside a long pytest session it
# reported the test runner's size (477-658 MB) instead of the run's (356 MB).
RUN = f"""
import json, resource
from pathlib import Path
from sim.configure import compose
from sim.model import SimModel
SimModel(compose(*{OVERRIDES!r})).run()
status = Path("/proc/self/status")
if status.exists():
    kb = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
else:  # not Linux: ru_maxrss (bytes on macOS)
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(kb * 1024))
"""


@pytest.mark.integration  # a fresh process compiling the kernels (~11 s)
def test_estimate_covers_a_small_run_with_its_imports(tmp_path):
    # A small run is almost all fixed cost (Python, NumPy, SciPy, Mesa, numba's compiler):
    # the peak RSS of a fresh process must stay under the estimate, which fails if an import
    # grows the fixed part beyond BASE_BYTES. The kernels are compiled in an empty numba
    # cache, the largest case (a first run: 337 MB against 300 MB with the cache warm). Run in
    # a fresh clone, the libraries' files are all in the page cache and more of them count as
    # resident (399 MB against 346 MB, same anonymous memory; sim/runs/memory.py).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, check=True)
    peak = json.loads(out.stdout.strip().splitlines()[-1])
    estimate = estimate_bytes(compose(*OVERRIDES))
    assert peak <= estimate, f"peak {peak / 2**20:.0f} MiB over the estimate {estimate / 2**20:.0f} MiB"
