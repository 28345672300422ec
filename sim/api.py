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
from .model import SimModel
from .provenance import provenance
from .runs import collect as collect_mod
from .runs.memory import check_memory
from .runs.run import write_outputs
from .runs.sweep import SWEEP_FILE, check_sweep_dir, run_in_sweep


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


def simulate(*overrides: str, config: Config | None = None, out: str | Path | None = None,
             figure: bool = False) -> Result:
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
    return Result(config=cfg, summary=summary, steps=pd.DataFrame(m.steps_table()),
                  cascades=pd.DataFrame(m.cascades_table()),
                  ad_library=pd.DataFrame(m.ad_library()) if model.policy.ad_library else None,
                  model=model, outdir=None if out is None else Path(out))


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
    quiet = ["output.quiet=true"] + (["output.figure=false"] if not any(
        o.startswith("output.figure=") for o in job) else [])
    return run_in_sweep(lambda: compose(*job, *quiet), outdir, job)


def sweep(*overrides: str, out: str | Path, processes: int = 1, paired: bool = False):
    """Run every job of a sweep into ``out/<job number>`` and return the collected runs table
    (``paired=True``: the paired comparison against ``policy=none`` instead). Re-running into
    the same ``out`` computes only what is missing or damaged; an ``out`` holding another
    sweep is refused (ConfigError)."""
    out = Path(out)
    register()
    todo = jobs(*overrides)
    check_sweep_dir(out, todo)  # another sweep's runs must not be mixed in
    write_json(out / SWEEP_FILE, {"total": len(todo), "jobs": [" ".join(j) for j in todo]})
    dirs = [out / str(i) for i in range(len(todo))]
    if processes > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=ctx) as pool:
            list(pool.map(_run_job, todo, dirs))
    else:
        for job, d in zip(todo, dirs):
            _run_job(job, d)
    result = collect_mod.collect(out)
    if paired:
        return collect_mod.paired(result["runs"], result["override_columns"])
    return result["runs"]
