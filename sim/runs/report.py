"""``python -m sim report``: the brief tools of sim/report, on a sweep folder collected first.

sim/report reads collected tables only (it sits below sim/runs); this command collects a
multirun folder when it has no collected tables yet or when a run finished after they were
written (a resumed sweep), then hands over to :func:`sim.report.cli.main`.
"""

from __future__ import annotations

from pathlib import Path

from ..report import cli
from .collect import OUT, collect, run_dirs
from .sweep import FAILED, SUMMARY


def stale(sweep_dir: Path) -> bool:
    """A multirun folder whose collected tables are missing or older than one of its runs."""
    table = sweep_dir / OUT / "runs.parquet"
    if not table.is_file():
        return True
    written = table.stat().st_mtime
    for run_dir in run_dirs(sweep_dir):
        for name in (SUMMARY, FAILED):
            path = run_dir / name
            if path.is_file() and path.stat().st_mtime > written:
                return True
    return False


def ensure_collected(source: str | Path) -> None:
    """Collect ``source`` if it is a multirun folder (it holds run folders) whose collected
    tables are missing or stale; a runs.parquet or a collected folder is left as it is."""
    folder = Path(source)
    if not folder.is_dir() or (folder / "runs.parquet").is_file() or not run_dirs(folder):
        return
    if stale(folder):
        res = collect(folder)
        c = res["counts"]
        print(
            f"collected {folder}: {c['ok']} ok, {c['failed']} failed, {c['damaged']} damaged, "
            f"{c['incomplete']} incomplete -> {folder / OUT}"
        )


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, prepare=ensure_collected)
