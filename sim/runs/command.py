"""The Hydra app behind ``python -m sim`` (and ``sim``): one run, or a sweep with ``-m``.

Every error a user can cause stops with one line naming the key (or path), the value and what
is allowed, exit code 2, and leaves nothing behind:

1. before Hydra starts, :func:`main` composes the overrides itself (``sim.configure``), so
   Hydra's own composition errors (wrong type, unknown key, unknown option, bad syntax) come
   out as one line instead of Hydra's 5-17; a run's config is also validated and its memory
   estimated here, before any folder exists. A sweep checks the type of every value it sweeps
   (ranges are checked per run: a run out of range fails, the others go on).
2. :class:`Guard` (a Hydra callback) checks the run folder before Hydra writes into it: it
   claims the folder (a lock held while the run lasts, so two runs started at once cannot both
   write there); a folder holding another run's outputs is refused unless it is the same run
   (same overrides); an empty or unwritable one is refused. It notes what was there, so that
   a run failing later (a full disk, a network file, a plug-in that raises) removes only what
   it created.

In a sweep (``-m``) each run goes through :func:`sim.runs.sweep.run_in_sweep`: a failure
leaves a one-line ``FAILED.json`` and the others continue; the sweep ends with a one-line tally
and exit code 1 when any run failed or did not run.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from ..config import Config, ConfigError
from ..configure import CONF_DIR, compose_node, explain, failed_plugin, register, to_config
from ..io import file_error, remove_temporaries
from .memory import check_memory
from .run import TABLES, format_summary, run
from .sweep import FAILED, LAST_SWEEP, SUMMARY, one_line, run_in_sweep

register()

OUTPUTS = (".hydra", SUMMARY, FAILED, "figure.png", *TABLES)  # what marks a run's folder


def fail(message: Any, code: int = 2):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


# ---------------------------------------------------------------- the run folder


class Guard(Callback):
    """Checks the run folder before Hydra writes into it; remembers what was there."""

    # {"dir": Path, "names": set of entries there, "made": [dirs created], "lock": descriptor}
    before: dict = {}

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            Guard.before = prepare_run_dir(
                output_dir(config.hydra.run.dir, "hydra.run.dir"), list(config.hydra.overrides.task)
            )
        except ConfigError as exc:
            fail(exc)


def output_dir(value: Any, key: str) -> Path:
    """An output folder as configured; empty is refused (Hydra would write into the current
    folder)."""
    if value is None or not str(value).strip():
        raise ConfigError(
            f"{key} = {'' if value is None else str(value)!r}: must name a folder "
            "(empty would write into the current folder)"
        )
    return Path(str(value))


def prepare_run_dir(run_dir: Path, overrides: list[str]) -> dict:
    """Claim the run folder for this run (:func:`claim`), refuse it when it holds another
    run's outputs or cannot be written; create it and return what was there (for
    :func:`clean_up`). Redoing a run removes the temporary files a killed attempt left."""
    import yaml

    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"hydra.run.dir = '{run_dir}': is a file, not a folder")
    made = [p for p in [run_dir, *run_dir.parents] if not p.exists()]
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=run_dir):
            pass
    except OSError as exc:
        _remove_made(made)
        raise ConfigError(
            f"hydra.run.dir = '{run_dir}': cannot write there ({exc.strerror or exc})"
        ) from None
    lock = claim(run_dir)  # from here to the end of the process, no other run writes here
    names = {p.name for p in run_dir.iterdir()}
    found = sorted(set(OUTPUTS) & names)
    if found:
        try:
            same = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text()) == overrides
        except (OSError, yaml.YAMLError):
            same = False
        if not same:
            if lock is not None:
                os.close(lock)
            raise ConfigError(
                f"hydra.run.dir = '{run_dir}': holds another run's outputs "
                f"({', '.join(found)}); use a new folder (or that run's own "
                "overrides, to redo it)"
            )
        names -= {p.name for p in remove_temporaries(run_dir)}
    return {"dir": run_dir, "names": names, "made": made, "lock": lock}


def claim(run_dir: Path) -> int | None:
    """An exclusive lock on the run folder, held until the process ends (the kernel releases
    it, also when the run is killed); returns its descriptor. A folder that another run holds
    is refused: checking the folder and then writing into it is otherwise a race, in which two
    runs started at once both pass the check and both report the folder. Where there is no
    flock (Windows, file systems without locks), None: no claim."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(run_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = True
    except BlockingIOError:
        held = False
    except OSError:  # a file system without locks (some network mounts): no claim
        os.close(fd)
        return None
    try:  # the folder locked is still the one at run_dir (not removed by a failed run meanwhile)
        held = held and os.fstat(fd).st_ino == os.stat(run_dir).st_ino
    except OSError:
        held = False
    if not held:
        os.close(fd)
        raise ConfigError(
            f"hydra.run.dir = '{run_dir}': another run is writing there now; use a new folder for this one"
        )
    return fd


def _remove_made(made: list[Path]) -> None:
    for folder in made:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break


def clean_up(before: dict) -> None:
    """Remove what this run put into its folder (the folder too, if it made it): never a
    file that was there before it started."""
    run_dir = before.get("dir")
    if run_dir is None or not run_dir.is_dir():
        return
    logging.shutdown()  # Hydra's log file handler holds <run dir>/sim.log open
    for path in run_dir.iterdir():
        if path.name not in before["names"]:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    _remove_made(before["made"])


# ---------------------------------------------------------------- before Hydra


def check_run(overrides: list[str]) -> Config:
    """The validated config of one run, as Hydra will compose it, and enough memory for it."""
    cfg = to_config(compose_node(*overrides), overrides)
    check_memory(cfg)
    return cfg


def check_sweep(overrides: list[str]) -> None:
    """Compose every value a sweep takes (each group option, each value of another type), so
    that a typo stops the sweep before any run; ranges are left to each run."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()

    def axes(args: list[str]) -> dict[str, list[str]]:
        try:
            parsed = parser.parse_overrides(args)
        except Exception as exc:  # noqa: BLE001 - Hydra's parser raises several types
            raise explain(exc, args) from None
        found = {}
        for ov in parsed:
            if ov.is_sweep_override() and not ov.is_discrete_sweep():
                return {}  # interval or glob sweeps: another sweeper's job; Hydra checks
            found[ov.get_key_element()] = BasicSweeper.split_arguments([ov], None)[0]
        return {k: [job[0] for job in v] for k, v in found.items()}

    given = axes(overrides)
    if not given:
        return
    node = compose_node(*[v[0] for v in given.values()])
    params = node.hydra.sweeper.get("params") or {}
    swept = {**axes([f"{k}={v}" for k, v in params.items()]), **given}
    base = {k: v[0] for k, v in swept.items()}
    for key, values in swept.items():
        seen = set()
        for value in values[1:]:
            kind = _kind(parser, value)
            if kind in seen:
                continue
            seen.add(kind)
            to_config(compose_node(*{**base, key: value}.values()), check=False)


def _kind(parser, override: str):
    """Values that compose alike: one number of each type, but every distinct text."""
    value = parser.parse_overrides([override])[0].value()
    return value if isinstance(value, str) else type(value).__name__


def _arguments(argv: list[str]):
    """Hydra's own reading of the command line (None when it asks for help or information,
    which Hydra prints itself)."""
    from hydra._internal.utils import get_args_parser

    try:
        args, unknown = get_args_parser().parse_known_args(argv)
    except SystemExit:
        return None
    if unknown or any(
        (
            args.help,
            args.hydra_help,
            args.shell_completion,
            args.config_path,
            args.config_name,
            args.config_dir,
            getattr(args, "experimental_rerun", None),
        )
    ):
        return None
    return args


def main(argv: list[str] | None = None) -> None:
    """``python -m sim [-m] [overrides]``: check, then hand over to Hydra."""
    argv = sys.argv[1:] if argv is None else argv
    args = _arguments(argv)
    if args is not None:
        try:
            if args.cfg or args.info:  # Hydra prints the config: composing it must work
                compose_node(*args.overrides)
            elif args.multirun:
                check_sweep(list(args.overrides))
            else:
                check_run(list(args.overrides))
        except ConfigError as exc:
            fail(exc)
    # with -cd (a design's sweep) Hydra's arguments are not pre-checked, but the tally's exit
    # code holds for every sweep
    multirun = args.multirun if args is not None else bool({"-m", "--multirun"} & set(argv))
    hydra_main()
    if multirun and LAST_SWEEP and (LAST_SWEEP["failed"] or LAST_SWEEP["left"]):
        sys.exit(1)


# ---------------------------------------------------------------- the Hydra app


def _typed(cfg: DictConfig) -> Config:
    """The validated, typed config of one run (composed presets named after all of them)."""
    hydra_cfg = HydraConfig.get()
    return to_config(cfg, list(hydra_cfg.overrides.task), hydra_cfg)


def _one_line(exc: BaseException) -> str:
    """An error of the environment (disk, memory) as one line naming the path."""
    if isinstance(exc, MemoryError):
        return "out of memory while running the model; use a smaller population.n"
    if isinstance(exc, OSError):
        return file_error(exc)
    return str(exc)


@hydra.main(version_base=None, config_path=str(CONF_DIR), config_name="config")
def hydra_main(cfg: DictConfig) -> str | None:
    hydra_cfg = HydraConfig.get()
    outdir = Path(hydra_cfg.runtime.output_dir)
    for noisy in ("MESA", "matplotlib"):  # Mesa logs every step at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if hydra_cfg.mode == RunMode.MULTIRUN:  # a failed run leaves FAILED.json; the sweep goes on
        return run_in_sweep(lambda: _check(_typed(cfg)), outdir, list(hydra_cfg.overrides.task))
    obj = None
    try:
        obj = _check(_typed(cfg))
        summary = run(obj, outdir, figure=obj.output.figure)
    except (ConfigError, OSError, MemoryError) as exc:
        clean_up(Guard.before)
        fail(_one_line(exc))
    except Exception as exc:
        plugin = failed_plugin(obj, exc) if obj is not None else None
        clean_up(Guard.before)
        if plugin is None:
            raise  # an error of sim itself: its traceback is for the developers
        fail(f"{plugin}: raised while running ({one_line(exc)})")
    if not obj.output.quiet:
        print(format_summary(summary))
        print(f"outputs: {outdir}  ({summary['wall_seconds']:.1f} s)")
    return None


def _check(cfg: Config) -> Config:
    check_memory(cfg)
    return cfg
