"""The memory estimate (sim/runs/memory.py) covers what a run takes, imports included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sim.configure import compose
from sim.runs.memory import estimate_bytes

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ["population.n=5000", "steps=5"]
RUN = f"""
import json, resource
from sim.configure import compose
from sim.model import SimModel
SimModel(compose(*{OVERRIDES!r})).run()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
"""


def test_estimate_covers_a_small_run_with_its_imports(tmp_path):
    # A small run is almost all fixed cost (Python, NumPy, SciPy, Mesa, numba's compiler):
    # the peak RSS of a fresh process must stay under the estimate, which fails if an import
    # grows the fixed part beyond BASE_BYTES. The kernels are compiled in an empty numba
    # cache, the largest case (a first run: 337 MB against 300 MB with the cache warm).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, check=True)
    peak = json.loads(out.stdout.strip().splitlines()[-1])
    estimate = estimate_bytes(compose(*OVERRIDES))
    assert peak <= estimate, f"peak {peak / 2**20:.0f} MiB over the estimate {estimate / 2**20:.0f} MiB"
