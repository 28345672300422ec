"""Shared helpers: typed configs composed exactly as ``python -m sim`` composes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import Config
from sim.configure import compose

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long version; run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def make_config(*overrides: str) -> Config:
    """A typed Config composed as ``python -m sim`` composes it: make_config("policy=ban")."""
    return compose(*overrides)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120):
    """Run ``python -m sim`` in a subprocess; returns CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


SMALL = ("population.n=2000", "steps=10")
