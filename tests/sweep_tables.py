"""A small real sweep (policies x seeds), collected into the tables ``sim.collect`` writes.

Until the sweeps branch lands, the runs are made in-process with ``sim.runner.run`` and the
three tables are assembled here following the collect contract (one row per run and campaign
with the overrides, the per-campaign summary fields and the run-level outcomes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.io import read_json, read_parquet
from sim.runner import run

from .conftest import make_config

POLICIES = ("none", "ban", "transparency", "cap")
SEEDS = (0, 1, 2)
SIZE = ("population.n=1500", "steps=8", "output.figure=false")


def small_sweep(root: Path, policies=POLICIES, seeds=SEEDS) -> Path:
    """Run the sweep into ``root/<num>`` and write ``root/collected/{runs,steps,cascades}``."""
    runs, steps, cascades = [], [], []
    num = 0
    for policy in policies:
        for seed in seeds:
            outdir = root / str(num)
            run(make_config(f"policy={policy}", f"seed={seed}", *SIZE), outdir, figure=False)
            overrides = {"policy": policy, "seed": seed}
            summary = read_json(outdir / "summary.json")
            top = {k: v for k, v in summary.items() if k not in ("campaigns", "config")}
            for entry in summary["campaigns"]:
                runs.append({**overrides, **top, **entry, "status": "ok", "run_dir": str(num)})
            for name, rows in (("steps", steps), ("cascades", cascades)):
                df = read_parquet(outdir / f"{name}.parquet").to_pandas()
                rows.append(df.assign(**overrides))
            num += 1
    out = root / "collected"
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(runs).to_parquet(out / "runs.parquet")
    pd.concat(steps, ignore_index=True).to_parquet(out / "steps.parquet")
    pd.concat(cascades, ignore_index=True).to_parquet(out / "cascades.parquet")
    return root
