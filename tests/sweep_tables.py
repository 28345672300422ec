"""A small real sweep (4 policies x 3 seeds, 1,500 users, 8 days) made the way a user makes
one: ``python -m sim -m ...`` then ``python -m sim collect``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, run_cli

POLICIES = ("none", "ban", "transparency", "cap")
SEEDS = (0, 1, 2)


def small_sweep(root: Path) -> Path:
    """Run the sweep into ``root`` and collect it into ``root/collected``."""
    res = run_cli(
        "-m",
        f"policy={','.join(POLICIES)}",
        f"seed={','.join(map(str, SEEDS))}",
        "population.n=1500",
        "steps=8",
        "output.figure=false",
        "output.quiet=true",
        f"hydra.sweep.dir={root}",
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    res = subprocess.run(
        [sys.executable, "-m", "sim", "collect", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return root
