"""The notebook API: a run or a sweep from Python, with the same numbers as the command line.

    import sim
    r = sim.simulate("policy=ban", "population.n=5000")
    r.summary["money_advantage"], r.campaigns, r.steps.head(), r.model.population.opinion
    runs = sim.sweep("policy=none,ban", "seed=range(3)", out="results/my_sweep")

Arguments are Hydra overrides, exactly as ``python -m sim`` takes them, composed from the
packaged configs (sim/conf). ``sweep`` expands them as Hydra's basic sweeper does, runs each job
into its own numbered folder (failures recorded, finished runs skipped on a re-run, like a
command-line sweep) and returns the collected table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import Config, to_dict
from .configure import compose, register
from .io import write_atomic, write_json
from .model import SimModel, threads
from .provenance import provenance
from .runs import collect as collect_mod
from .runs.memory import check_memory
from .runs.run import write_outputs
from .runs.sweep import (
    SWEEP_FILE,
    check_sweep_dir,
    progress_line,
    record_progress,
    run_in_sweep,
    start_progress,
)


@dataclass
class Result:
    """One run: its config, its summary, its tables as DataFrames, and the model itself."""

    config: Config
    summary: dict
    steps: pd.DataFrame
    cascades: pd.DataFrame
    ad_library: pd.DataFrame | None
    model: SimModel
    outdir: Path | None = None

    @property
    def campaigns(self) -> pd.DataFrame:
        """The summary's per-campaign outcomes, one row per campaign."""
        return pd.DataFrame(self.summary["campaigns"])

    def __repr__(self) -> str:
        """One line: the run, its headline number and the size of each table (the dataclass's
        own repr printed every DataFrame and the model, ~22 KB)."""
        s = self.summary
        tables = ", ".join(
            f"{name} {len(df)} rows"
            for name, df in (
                ("steps", self.steps),
                ("cascades", self.cascades),
                ("ad_library", self.ad_library),
            )
            if df is not None
        )
        slope = s.get("money_advantage")
        slope = "n/a" if slope is None else f"{slope:.2f}"
        out = f", outdir='{self.outdir}'" if self.outdir is not None else ""
        return (
            f"Result(policy={s.get('policy')!r}, scenario={s.get('scenario')!r}, "
            f"users={s.get('population')}, steps={s.get('steps')}, seed={s.get('seed')}, "
            f"money_advantage={slope}, campaigns={len(s.get('campaigns', []))}; "
            f"{tables}{out})"
        )


def simulate(
    *overrides: str, config: Config | None = None, out: str | Path | None = None, figure: bool = False
) -> Result:
    """Run one configuration; ``config`` instead of overrides for a ready Config. With
    ``out``, the outputs are written there too, as ``python -m sim`` writes them."""
    cfg = config if config is not None else compose(*overrides)
    check_memory(cfg)
    model = SimModel(cfg)
    model.run()
    if out is not None:
        summary = write_outputs(model, out, figure=figure)
    else:
        summary = {**provenance(cfg), **model.summary(), "config": to_dict(cfg)}
    m = model.metrics
    return Result(
        config=cfg,
        summary=summary,
        steps=pd.DataFrame(m.steps_table()),
        cascades=pd.DataFrame(m.cascades_table()),
        ad_library=pd.DataFrame(m.ad_library()) if model.policy.ad_library else None,
        model=model,
        outdir=None if out is None else Path(out),
    )


def jobs(*overrides: str) -> list[list[str]]:
    """The overrides of every job of a sweep, in Hydra's order (``policy=none,ban seed=0,1``:
    four jobs)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return [list(job) for job in BasicSweeper.split_arguments(parsed, None)[0]]


def _run_job(job: list[str], outdir: Path) -> str:
    import yaml

    hydra_dir = outdir / ".hydra"
    if not (hydra_dir / "overrides.yaml").is_file():
        text = yaml.safe_dump(job)
        write_atomic(hydra_dir / "overrides.yaml", lambda tmp: Path(tmp).write_text(text))
    quiet = ["output.quiet=true"] + (
        ["output.figure=false"] if not any(o.startswith("output.figure=") for o in job) else []
    )
    return run_in_sweep(lambda: compose(*job, *quiet), outdir, job)


def sweep(
    *overrides: str, out: str | Path, processes: int = 1, paired: bool = False, progress: bool = True
) -> pd.DataFrame:
    """Run every job of a sweep into ``out/<job number>`` and return the collected runs table
    (``paired=True``: the paired comparison against ``policy=none`` instead). Re-running into
    the same ``out`` computes only what is missing or damaged; an ``out`` holding another
    sweep is refused (ConfigError).

    ``progress``: a tqdm bar with elapsed time and ETA on a terminal or in a notebook, a line
    per finished run otherwise (logs). ``processes > 1`` runs jobs in parallel: forked workers
    where that is safe (a script on Linux, no other threads), else spawned ones, which re-import
    a script: a script then needs ``if __name__ == "__main__":`` around the call."""
    out = Path(out)
    register()
    todo = jobs(*overrides)
    check_sweep_dir(out, todo)  # another sweep's runs must not be mixed in
    write_json(out / SWEEP_FILE, {"total": len(todo), "jobs": [" ".join(j) for j in todo]})
    start_progress(out)
    dirs = [out / str(i) for i in range(len(todo))]
    method = _start_method()  # before the progress bar, whose monitor thread is not ours to fork
    with _Progress(out, len(todo), progress) as bar:
        if processes > 1:
            _run_parallel(todo, dirs, processes, bar, method)
        else:
            for num, (job, d) in enumerate(zip(todo, dirs)):
                bar.update(num, _run_job(job, d))
    result = collect_mod.collect(out)
    if paired:
        return collect_mod.paired(result["runs"], result["override_columns"])
    return result["runs"]


def _start_method() -> str:
    """``fork`` where it is safe and needed: Linux, a script as the main module (spawned workers
    would re-import and re-run it) and no other Python threads; else ``spawn`` (notebooks,
    macOS, Windows)."""
    import sys
    import threading

    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) is not None and not hasattr(sys, "ps1")
    if sys.platform == "linux" and script and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _run_parallel(todo, dirs, processes: int, bar, method: str) -> None:
    import multiprocessing
    import warnings
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    with warnings.catch_warnings():  # 3.12 warns about fork when C libraries hold idle threads
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        try:
            share = max(1, threads.count() // processes)  # each worker's part of the cores
            with ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context(method),
                initializer=threads.limit,
                initargs=(share,),
            ) as pool:
                futures = {pool.submit(_run_job, job, d): num for num, (job, d) in enumerate(zip(todo, dirs))}
                for future in as_completed(futures):
                    bar.update(futures[future], future.result())
        except BrokenProcessPool:
            raise RuntimeError(
                f"sim.sweep(processes={processes}): the worker processes died at start. Started "
                f"by {method}, they re-import the main script: put the call under "
                '`if __name__ == "__main__":`, or use processes=1'
            ) from None


class _Progress:
    """The API's progress: a tqdm bar (terminal, notebook) or one plain line per finished run
    (``[done 3/40, failed 0, left 37] 00:12 elapsed, ETA 02:40``), counted in progress.log as
    the command line's sweeps are."""

    def __init__(self, out: Path, total: int, show: bool):
        import sys

        self.out, self.total, self.show, self.bar, self.failed = out, total, show, None, 0
        interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
        if show and interactive:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="run", desc="sweep", dynamic_ncols=True)

    def __enter__(self):
        return self

    def update(self, num: int, state: str) -> None:
        record_progress(self.out, num, state)
        if self.bar is not None:
            self.bar.update(1)
            self.failed += state == "failed"
            if self.failed:
                self.bar.set_postfix_str(f"failed {self.failed}")
        elif self.show:
            print(progress_line(self.out), flush=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
