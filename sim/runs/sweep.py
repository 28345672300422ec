"""Runs inside a Hydra multirun: failure markers, resuming, and a progress line.

A sweep of thousands of runs must survive one bad run, a killed job and a restart. Each run
folder therefore ends in exactly one of three states, which the collector (sim/runs/collect.py) reads:

- ``summary.json`` present: a result (written last and atomically by ``run.run``);
- ``FAILED.json`` present: the run raised; the file holds the one-line error;
- neither: incomplete (killed, or not run yet); never mistaken for a result.

Re-running the same sweep (same ``hydra.sweep.dir``) skips runs whose ``summary.json`` carries
the config hash of the run about to start, so only missing (or failed) runs are computed.

:class:`Progress` is a Hydra callback (registered in conf/config.yaml) that prints
``[done 12/80, failed 1, left 67]`` as each job ends. It learns the sweep's size in the main
process (``on_multirun_start``, from the same overrides the basic sweeper expands) and counts
finished jobs through an append-only ``progress.log`` in the sweep folder, so it works the same
with the basic, joblib, submitit and Ray launchers (Slurm and Ray need a shared filesystem).
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from ..config import Config, config_hash
from ..io import read_json, write_json
from ..version import __version__
from .run import format_summary, run

SUMMARY = "summary.json"
FAILED = "FAILED.json"
SWEEP_FILE = "sweep.json"  # the sweep's job list, written by Progress.on_multirun_start
PROGRESS_FILE = "progress.log"  # one "job-number status" line per finished job

log = logging.getLogger(__name__)


def run_status(run_dir: Path) -> str:
    """``ok``, ``failed`` or ``incomplete`` (see the module docstring)."""
    if (run_dir / SUMMARY).is_file():
        return "ok"
    return "failed" if (run_dir / FAILED).is_file() else "incomplete"


def is_complete(run_dir: Path, chash: str) -> bool:
    """A finished result of this very configuration is already on disk."""
    try:
        return read_json(run_dir / SUMMARY).get("config_hash") == chash
    except (OSError, ValueError):
        return False


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def run_in_sweep(build: Callable[[], Config], outdir: Path, overrides: list[str]) -> str:
    """One multirun job: build and validate the config, skip if already done, run, and turn
    any exception into a FAILED.json marker instead of stopping the sweep. Returns the status
    (``ok``, ``skipped`` or ``failed``), which Hydra hands to the Progress callback."""
    outdir = Path(outdir)
    meta: dict[str, Any] = {"overrides": list(overrides)}
    try:
        cfg = build()
        meta.update(seed=cfg.seed, config_hash=config_hash(cfg))
        if is_complete(outdir, meta["config_hash"]):
            (outdir / FAILED).unlink(missing_ok=True)
            return "skipped"
        # a stale result (other config) or an old failure must not outlive this attempt
        (outdir / SUMMARY).unlink(missing_ok=True)
        (outdir / FAILED).unlink(missing_ok=True)
        summary = run(cfg, outdir, figure=cfg.output.figure)
        if not cfg.output.quiet:
            print(format_summary(summary), flush=True)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, not raised
        (outdir / SUMMARY).unlink(missing_ok=True)  # e.g. the figure failed after the summary
        error = one_line(exc)
        write_json(outdir / FAILED, {"error": error, **meta, "version": __version__,
                                     "traceback": traceback.format_exc()})
        log.error("run failed: %s (%s)", error, " ".join(overrides))
        print(f"error: {error}  [{outdir}]", flush=True)
        return "failed"


# ---------------------------------------------------------------- progress


def expected_jobs(config: DictConfig) -> list[list[str]] | None:
    """The overrides of every job the basic sweeper will launch (None for other sweepers)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if not str(config.hydra.sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return None
    params = config.hydra.sweeper.get("params") or {}
    args = [f"{k}={v}" for k, v in params.items()] + list(config.hydra.overrides.task)
    loader = GlobalHydra.instance().config_loader() if GlobalHydra.instance().is_initialized() else None
    parsed = OverridesParser.create(config_loader=loader).parse_overrides(args)
    return BasicSweeper.split_arguments(parsed, None)[0]


def read_progress(sweep_dir: Path) -> dict[int, str]:
    """Last status of each job number reported in this sweep invocation."""
    status: dict[int, str] = {}
    try:
        lines = (Path(sweep_dir) / PROGRESS_FILE).read_text().splitlines()
    except OSError:
        return status
    for line in lines:
        num, _, state = line.partition(" ")
        if num.isdigit() and state:
            status[int(num)] = state
    return status


def progress_line(sweep_dir: Path) -> str:
    status = read_progress(sweep_dir)
    done = sum(s in ("ok", "skipped") for s in status.values())
    failed = sum(s == "failed" for s in status.values())
    skipped = sum(s == "skipped" for s in status.values())
    try:
        total = int(read_json(Path(sweep_dir) / SWEEP_FILE)["total"])
    except (OSError, ValueError, KeyError):
        total = None
    extra = f", skipped {skipped} already done" if skipped else ""
    if total is None:
        return f"[done {done}, failed {failed}{extra}]"
    return f"[done {done}/{total}, failed {failed}, left {total - done - failed}{extra}]"


class Progress(Callback):
    """Prints ``[done d/N, failed f, left l]`` after every job of a multirun."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        try:
            jobs = expected_jobs(config)
        except Exception as exc:  # noqa: BLE001 - progress is a convenience, never fatal
            log.warning("progress: cannot count the sweep's jobs (%s)", one_line(exc))
            jobs = None
        if jobs is not None:
            write_json(sweep_dir / SWEEP_FILE, {"total": len(jobs),
                                                "jobs": [" ".join(j) for j in jobs]})
        (sweep_dir / PROGRESS_FILE).write_text("")  # counts start afresh on every invocation

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus
        from hydra.types import RunMode

        if config.hydra.mode != RunMode.MULTIRUN:
            return
        ok = job_return.status == JobStatus.COMPLETED
        value = job_return.return_value if ok else None
        state = value if value in ("ok", "skipped", "failed") else "failed"
        sweep_dir = Path(str(config.hydra.sweep.dir))
        # O_APPEND: concurrent workers add whole short lines without clobbering each other
        fd = os.open(sweep_dir / PROGRESS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{config.hydra.job.num} {state}\n".encode())
        finally:
            os.close(fd)
        print(progress_line(sweep_dir), flush=True)
