"""``python -m sim`` and ``sim``: run the model (Hydra overrides), or a tool by name.

    python -m sim [overrides...]          one run (``-m`` for a sweep), see README
    python -m sim collect DIR [--paired]  a sweep folder into tables
    python -m sim report DIR --out OUT    brief figures and the one-page brief
    python -m sim sensitivity ...         global sensitivity (Sobol, Morris)
    python -m sim ensemble ...            policy effects over plausible parameter values
    python -m sim replicate [--fast]      field studies' designs run inside the model
    python -m sim scenario import FILE    a scenario from an ad-library export
    python -m sim app                     the classroom web app
    python -m sim docs                    regenerate docs/outputs.md
"""

from __future__ import annotations

import importlib
import sys

TOOLS = {  # name: module with main(argv) -> exit code
    "collect": "sim.runs.collect",
    "report": "sim.report.cli",
    "sensitivity": "sim.runs.sensitivity",
    "ensemble": "sim.runs.ensemble",
    "replicate": "sim.validation.replicate",
    "scenario": "sim.scenario_import",
    "app": "sim.classroom.app",
    "docs": "sim.docs",
}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in TOOLS:
        try:
            tool = importlib.import_module(TOOLS[sys.argv[1]])
        except ModuleNotFoundError as exc:  # an optional extra (the app's) is missing
            sys.exit(f"error: {exc}")
        sys.exit(tool.main(sys.argv[2:]))
    from .runs.command import main as run_main

    run_main()


if __name__ == "__main__":
    main()
