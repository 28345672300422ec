"""Runs inside a Hydra multirun: failure markers, resuming, and a progress line.

A sweep of thousands of runs must survive one bad run, a killed job and a restart. Each run
folder therefore ends in exactly one of three states, which the collector (sim/runs/collect.py) reads:

- ``summary.json`` present: a result (written last and atomically by ``run.run``), complete
  when :func:`check_run` finds every file it lists intact (else ``damaged``: recomputed on a
  re-run, listed by collect);
- ``FAILED.json`` present: the run raised; the file holds the one-line error;
- neither: incomplete (killed, or not run yet); never mistaken for a result.

Re-running the same sweep (same ``hydra.sweep.dir``) skips runs whose ``summary.json`` carries
the config hash of the run about to start and whose files are intact, so only missing, failed
or damaged runs are computed. A sweep folder that holds a different sweep is refused.

:class:`Progress` is a Hydra callback (registered in conf/config.yaml) that prints
``[done 12/80, failed 1, left 67] 00:41 elapsed, ETA 03:52`` as each job ends (the ETA at the
pace of the runs computed so far; the same line in sim.sweep off a terminal, a tqdm bar on
one). It learns the sweep's size in the main process (``on_multirun_start``, from the same
overrides the basic sweeper expands) and counts finished jobs through an append-only
``progress.log`` in the sweep folder, so it works the same with the basic, joblib, submitit and
Ray launchers (Slurm and Ray need a shared filesystem).
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from ..config import Config, ConfigError, config_hash, hash_of
from ..io import read_json, remove_temporaries, write_json
from ..version import __version__
from .run import format_summary, run

SUMMARY = "summary.json"
FAILED = "FAILED.json"
SWEEP_FILE = "sweep.json"  # the sweep's job list, written by Progress.on_multirun_start
PROGRESS_FILE = "progress.log"  # one "job-number status" line per finished job

log = logging.getLogger(__name__)


def run_status(run_dir: Path) -> str:
    """``ok``, ``damaged``, ``failed`` or ``incomplete`` (see the module docstring)."""
    if (run_dir / SUMMARY).is_file():
        return "damaged" if check_run(run_dir) else "ok"
    return "failed" if (run_dir / FAILED).is_file() else "incomplete"


def check_run(run_dir: Path, chash: str | None = None) -> str | None:
    """What is wrong with a finished run's folder, or None when it is a complete result (of
    the configuration hashed ``chash``, when given): ``summary.json`` parses and matches its
    config hash, and every file it lists is there, at its size, a Parquet file readable and of
    the same configuration."""
    import pyarrow.parquet as pq

    run_dir = Path(run_dir)
    try:
        summary = read_json(run_dir / SUMMARY)
        recorded, config, files = summary["config_hash"], summary["config"], summary["files"]
    except FileNotFoundError:
        return "no summary.json"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"summary.json is damaged ({one_line(exc)})"
    if hash_of(config) != recorded:
        return "summary.json is damaged (its config does not match its config_hash)"
    if chash is not None and recorded != chash:
        return f"holds another configuration ({recorded}, not {chash})"
    for name, size in files.items():
        path = run_dir / name
        try:
            actual = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} is damaged ({actual} bytes, {size} written)"
        if name.endswith(".parquet"):
            try:
                meta = json.loads((pq.read_schema(path).metadata or {}).get(b"sim", b"{}"))
            except Exception as exc:  # noqa: BLE001 - arrow raises several types
                return f"{name} is damaged ({one_line(exc)})"
            if meta.get("config_hash") != recorded:
                return f"{name} is from another run (config {meta.get('config_hash')})"
    return None


def is_complete(run_dir: Path, chash: str) -> bool:
    """A complete, undamaged result of this very configuration is already on disk."""
    return (run_dir / SUMMARY).is_file() and check_run(run_dir, chash) is None


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
        remove_temporaries(outdir)  # a killed attempt's half-written files: never renamed in
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
        write_json(
            outdir / FAILED,
            {"error": error, **meta, "version": __version__, "traceback": traceback.format_exc()},
        )
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


def read_progress(sweep_dir: Path, times: dict | None = None) -> dict[int, str]:
    """Last status of each job number reported in this sweep invocation (``times``, when
    given, receives when each job ended)."""
    status: dict[int, str] = {}
    try:
        lines = (Path(sweep_dir) / PROGRESS_FILE).read_text().splitlines()
    except OSError:
        return status
    for line in lines:
        num, _, rest = line.partition(" ")
        fields = rest.split()
        if num.isdigit() and fields:
            status[int(num)] = fields[0]
            if times is not None and len(fields) > 1:
                try:
                    times[int(num)] = float(fields[1])
                except ValueError:
                    pass
    return status


def progress_line(sweep_dir: Path, now: float | None = None) -> str:
    """``[done 12/80, failed 1, left 67] 00:41 elapsed, ETA 03:52``: the counts of this
    invocation, and its time since it started, with the time left at the pace of the runs
    computed so far (runs already done count as instant, so they do not shorten the ETA)."""
    times: dict[int, float] = {}
    status = read_progress(sweep_dir, times)
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
    left = total - done - failed
    start = started(sweep_dir)
    if start is None:
        return f"[done {done}/{total}, failed {failed}, left {left}{extra}]"
    now = time.time() if now is None else now
    ends = sorted(t for n, t in times.items() if status[n] != "skipped")
    return f"[done {done}/{total}, failed {failed}, left {left}{extra}] {timing(now, start, ends, left)}"


def timing(now: float, start: float, ends: list[float], left: int) -> str:
    """``00:41 elapsed, ETA 03:52`` (tqdm's clock format). ``ends``: when the runs computed so
    far ended. The pace is measured from the first of them on (so the start-up before it does
    not inflate the ETA), or from the start while only one has ended; unknown before."""
    from tqdm import tqdm

    elapsed = max(0.0, now - start)
    if left <= 0:
        eta = "00:00"
    elif len(ends) >= 2:
        eta = tqdm.format_interval(max(0.0, now - ends[0]) / (len(ends) - 1) * left)
    elif ends:
        eta = tqdm.format_interval(max(0.0, ends[0] - start) * left)
    else:
        eta = "?"
    return f"{tqdm.format_interval(elapsed)} elapsed, ETA {eta}"


def started(sweep_dir: Path) -> float | None:
    """When this invocation of the sweep started (the ``start`` line of progress.log)."""
    try:
        first = (Path(sweep_dir) / PROGRESS_FILE).read_text().split("\n", 1)[0]
    except OSError:
        return None
    word, _, value = first.partition(" ")
    try:
        return float(value) if word == "start" else None
    except ValueError:
        return None


def start_progress(sweep_dir: Path) -> None:
    """Start this invocation's count afresh: progress.log holds only its start time."""
    (Path(sweep_dir) / PROGRESS_FILE).write_text(f"start {time.time():.3f}\n")


def record_progress(sweep_dir: Path, num: int, state: str) -> None:
    """Append one finished job's state and time; O_APPEND: concurrent workers add whole short
    lines without clobbering each other."""
    fd = os.open(Path(sweep_dir) / PROGRESS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{num} {state} {time.time():.3f}\n".encode())
    finally:
        os.close(fd)


def check_sweep_dir(sweep_dir: Path, jobs: list[list[str]] | None) -> None:
    """Refuse a sweep folder that holds another sweep's runs: job k's folder must have run job
    k's overrides (a resume), or not exist. Mixed in, stale runs would be collected as
    results of this sweep."""
    import yaml

    sweep_dir = Path(sweep_dir)
    if jobs is None or not sweep_dir.is_dir():
        return
    here = {i: [str(x) for x in j] for i, j in enumerate(jobs)}
    try:
        listed = read_json(sweep_dir / SWEEP_FILE).get("jobs")
    except (OSError, ValueError, AttributeError):
        listed = None
    found = {
        int(p.parent.parent.name): p
        for p in sweep_dir.glob("*/.hydra/overrides.yaml")
        if p.parent.parent.name.isdigit()
    }
    for num in sorted(found):
        try:
            there = [str(x) for x in yaml.safe_load(found[num].read_text()) or []]
        except (OSError, yaml.YAMLError):
            there = ["?"]
        if there != here.get(num):
            mine = here.get(num, [])
            ran = " ".join(o for o in there if o not in mine) or " ".join(there)
            this = (
                f"is {' '.join(o for o in mine if o not in there) or ' '.join(mine)}"
                if num in here
                else f"does not exist (it has {len(jobs)} jobs)"
            )
            raise ConfigError(
                f"hydra.sweep.dir = '{sweep_dir}': holds a different sweep (its job {num} ran "
                f"{ran}; this sweep's job {num} {this}); use a new folder, or that sweep's "
                "command to resume it"
            )
    if isinstance(listed, list) and listed != [" ".join(j) for j in here.values()] and not found:
        raise ConfigError(
            f"hydra.sweep.dir = '{sweep_dir}': holds a different sweep "
            f"({len(listed)} jobs listed in {SWEEP_FILE}); use a new folder"
        )


def tally(sweep_dir: Path) -> dict:
    """Counts of the last invocation's jobs: ok (computed), skipped (already done), failed,
    and left (neither: killed, or never started), against the sweep's size when known."""
    status = read_progress(sweep_dir)
    counts = {k: sum(s == k for s in status.values()) for k in ("ok", "skipped", "failed")}
    try:
        total = int(read_json(Path(sweep_dir) / SWEEP_FILE)["total"])
    except (OSError, ValueError, KeyError):
        total = len(status)
    counts["left"] = max(0, total - sum(counts.values()))
    counts["total"] = total
    return counts


def tally_line(counts: dict, sweep_dir: Path) -> str:
    """``sweep finished: 80 of 80 runs done (0 already done), 0 failed, 0 not run -> DIR (in
    03:12)``."""
    done = counts["ok"] + counts["skipped"]
    bad = counts["failed"] + counts["left"]
    start = started(sweep_dir)
    took = ""
    if start is not None:
        from tqdm import tqdm

        took = f" (in {tqdm.format_interval(max(0.0, time.time() - start))})"
    return (
        f"sweep {'finished' if not bad else 'incomplete'}: {done} of {counts['total']} runs "
        f"done ({counts['skipped']} already done), {counts['failed']} failed, "
        f"{counts['left']} not run -> {sweep_dir}{took}"
        + (f"; failures: python -m sim collect {sweep_dir}" if bad else "")
    )


LAST_SWEEP: dict = {}  # the tally of the sweep this process ran (python -m sim's exit code)


class Progress(Callback):
    """Refuses a folder that holds another sweep; prints ``[done d/N, failed f, left l]`` with
    the elapsed time and an ETA after every job of a multirun and a one-line tally at its end."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        value = config.hydra.sweep.dir
        if value is None or not str(value).strip():  # Hydra would write into the current folder
            import sys

            print(
                f"error: hydra.sweep.dir = {str(value or '')!r}: must name a folder (empty "
                "would write into the current folder)",
                file=sys.stderr,
            )
            sys.exit(2)
        sweep_dir = Path(str(value))
        try:
            jobs = expected_jobs(config)
        except Exception as exc:  # noqa: BLE001 - progress is a convenience, never fatal
            log.warning("progress: cannot count the sweep's jobs (%s)", one_line(exc))
            jobs = None
        try:
            check_sweep_dir(sweep_dir, jobs)
            sweep_dir.mkdir(parents=True, exist_ok=True)
            if jobs is not None:
                write_json(sweep_dir / SWEEP_FILE, {"total": len(jobs), "jobs": [" ".join(j) for j in jobs]})
            start_progress(sweep_dir)  # counts start afresh on every invocation
        except (ConfigError, OSError) as exc:
            import sys

            message = (
                str(exc)
                if isinstance(exc, ConfigError)
                else f"hydra.sweep.dir = '{sweep_dir}': cannot write there ({exc.strerror or exc})"
            )
            print(f"error: {message}", file=sys.stderr)
            sys.exit(2)

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus
        from hydra.types import RunMode

        if config.hydra.mode != RunMode.MULTIRUN:
            return
        ok = job_return.status == JobStatus.COMPLETED
        value = job_return.return_value if ok else None
        state = value if value in ("ok", "skipped", "failed") else "failed"
        sweep_dir = Path(str(config.hydra.sweep.dir))
        record_progress(sweep_dir, config.hydra.job.num, state)
        print(progress_line(sweep_dir), flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        counts = tally(sweep_dir)
        LAST_SWEEP.clear()
        LAST_SWEEP.update(counts, dir=str(sweep_dir))
        print(tally_line(counts, sweep_dir), flush=True)
