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
    python -m sim --help | --version      the tools and common overrides; sim, commit, Hydra

``--help`` is Hydra's help, from the template in sim/conf/config.yaml.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from pathlib import Path

from .io import file_error

TOOLS = {  # name: module with main(argv) -> exit code
    "collect": "sim.runs.collect",
    "report": "sim.runs.report",
    "sensitivity": "sim.runs.sensitivity",
    "ensemble": "sim.runs.ensemble",
    "replicate": "sim.validation.replicate",
    "scenario": "sim.scenario_import",
    "app": "sim.classroom.app",
    "docs": "sim.docs",
}


def version() -> str:
    """``sim 0.2.0 (commit 1a2b3c4), Hydra 1.3.8, Mesa 3.5.1, Python 3.12.3``."""
    import platform
    from importlib import metadata

    from .provenance import git_commit
    from .version import __version__

    commit = git_commit()
    libs = []
    for name, dist in (("Hydra", "hydra-core"), ("Mesa", "mesa")):
        try:
            libs.append(f"{name} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    where = f"commit {commit[:12]}" if commit else "not a git checkout"
    return f"sim {__version__} ({where}), {', '.join(libs)}, Python {platform.python_version()}"


def not_a_tool(word: str) -> str | None:
    """The error for a first argument that is neither a tool nor an override (``colect``)."""
    if word.startswith(("-", "+", "~")) or "=" in word or word in TOOLS:
        return None
    close = difflib.get_close_matches(word, TOOLS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "python -m sim --help lists them"
    return f"{word!r}: not a tool ({', '.join(TOOLS)}) nor an override (key=value); {hint}"


def shadowing(folder: Path) -> str | None:
    """A warning when ``folder`` holds a ``sim.py``: there, ``python -m sim`` runs that file
    (printing nothing of the model's) and ``import sim`` imports it instead of the package."""
    found = folder / "sim.py"
    if not found.is_file() or Path(__file__).resolve().parent == found.resolve().parent / "sim":
        return None
    return (
        f"warning: {found} shadows the sim package in this folder: `python -m sim` runs "
        "that file and `import sim` imports it; rename it (this `sim` command is not "
        "affected)"
    )


def main() -> None:
    warning = shadowing(Path.cwd())
    if warning:  # the sim command gets here; python -m sim in that folder never would
        print(warning, file=sys.stderr)
    args = sys.argv[1:]
    if args and args[0] in ("--version", "-V"):
        print(version())
        sys.exit(0)
    if args and args[0] in TOOLS:
        try:
            tool = importlib.import_module(TOOLS[args[0]])
        except ModuleNotFoundError as exc:  # an optional extra (the app's) is missing
            sys.exit(f"error: {exc}")
        try:
            code = tool.main(args[1:])
        except BrokenPipeError:  # the reader of the output went away (| head): not an error
            sys.stderr.close()
            sys.exit(0)
        except OSError as exc:  # the file system refused (read-only, a file for a folder, full)
            print(f"error: {file_error(exc)}", file=sys.stderr, flush=True)
            sys.exit(2)
        sys.exit(code)
    problem = not_a_tool(args[0]) if args else None
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    from .runs.command import main as run_main

    run_main()


if __name__ == "__main__":
    main()
