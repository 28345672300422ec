"""Where a result came from: the code's version and commit, the libraries, the config.

Kept apart from the model (which never needs it) and recorded in every output: summary.json,
each Parquet file's schema metadata, each figure's footer and sidecar.
"""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from .config import Config, config_hash
from .version import __version__

LIBRARIES = ("mesa", "numpy", "scipy", "hydra-core")


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the checkout the package runs from, if it is one."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@functools.lru_cache(maxsize=1)
def versions() -> str:
    """``python 3.12.1, mesa 3.5.1, numpy 2.1.0, ...``."""
    found = [f"python {platform.python_version()}"]
    for lib in LIBRARIES:
        try:
            found.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def provenance(cfg: Config) -> dict:
    """The provenance fields of a run (declared in sim/outcomes.py, level provenance)."""
    policy = cfg.policy
    return {
        "seed": cfg.seed,
        "config_hash": config_hash(cfg),
        "version": __version__,
        "git_commit": git_commit(),
        "versions": versions(),
        "policy": policy.name if policy else "none",
        "policy_label": policy.shown_label if policy else "no rules",
        "policy_color": policy.color if policy else None,
        "policy_phrase": policy.shown_phrase if policy else "with no rules",
        "scenario": cfg.scenario.name,
        "population": cfg.population.n,
        "steps": cfg.steps,
    }
