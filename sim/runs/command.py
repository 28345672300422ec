"""The Hydra app behind ``python -m sim`` (and ``sim``): one run, or a sweep with ``-m``.

In a sweep (``-m``) each run goes through :func:`sim.runs.sweep.run_in_sweep`: a bad
configuration or any exception leaves a one-line ``FAILED.json`` in its run folder and the
other runs continue; runs already complete in the same sweep folder are skipped.

Bad input stops with one line naming the field, the value and what is allowed, exit code 2,
and leaves no output files behind.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ..config import Config, ConfigError
from ..configure import CONF_DIR, register, to_config
from .run import format_summary, run
from .sweep import run_in_sweep

register()


def _remove_run_dir(outdir: Path) -> None:
    """Remove what Hydra wrote for a run that failed validation (only its own files)."""
    shutil.rmtree(outdir / ".hydra", ignore_errors=True)
    for log in outdir.glob("*.log"):
        log.unlink(missing_ok=True)
    try:
        outdir.rmdir()
    except OSError:
        pass


def _typed(cfg: DictConfig) -> Config:
    """The validated, typed config of one run (composed presets named after all of them)."""
    hydra_cfg = HydraConfig.get()
    return to_config(cfg, list(hydra_cfg.overrides.task), hydra_cfg)


@hydra.main(version_base=None, config_path=str(CONF_DIR), config_name="config")
def hydra_main(cfg: DictConfig) -> str | None:
    hydra_cfg = HydraConfig.get()
    outdir = Path(hydra_cfg.runtime.output_dir)
    for noisy in ("MESA", "matplotlib"):  # Mesa logs every step at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if hydra_cfg.mode == RunMode.MULTIRUN:  # a failed run leaves FAILED.json; the sweep goes on
        return run_in_sweep(lambda: _typed(cfg), outdir, list(hydra_cfg.overrides.task))
    try:
        obj = _typed(cfg)
        summary = run(obj, outdir, figure=obj.output.figure)
    except ConfigError as exc:
        _remove_run_dir(outdir)
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    if not obj.output.quiet:
        print(format_summary(summary))
        print(f"outputs: {outdir}  ({summary['wall_seconds']:.1f} s)")
    return None
