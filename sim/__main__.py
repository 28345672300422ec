"""``python -m sim``: the Hydra app. One run, or a sweep with ``-m``.

In a sweep (``-m``) each run goes through :func:`sim.sweep.run_in_sweep` instead: a bad
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
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from .config import Config, ConfigError, register

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")
register()


def to_config(cfg: DictConfig) -> Config:
    """Typed Config from Hydra's, with OmegaConf's errors turned into one line."""
    try:
        obj: Config = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or ""
        raise ConfigError(f"{key}: {str(exc).splitlines()[0]}") from None
    return obj


def _policy_name(obj: Config) -> None:
    """Composed presets (policy=[transparency,cap]) are named after all of them (Hydra does
    not record list choices, so read the override)."""
    from hydra.core.hydra_config import HydraConfig

    for override in HydraConfig.get().overrides.task:
        key, _, value = override.partition("=")
        if key.lstrip("+~") == "policy" and value.startswith("["):
            obj.policy.name = "+".join(p.strip() for p in value.strip("[]").split(","))


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
    """The validated, typed config of one run."""
    from .config import validate

    obj = to_config(cfg)
    _policy_name(obj)
    return validate(obj)


@hydra.main(version_base=None, config_path=CONF_DIR, config_name="config")
def main(cfg: DictConfig) -> str | None:
    from hydra.core.hydra_config import HydraConfig

    from .runner import format_summary, run

    hydra_cfg = HydraConfig.get()
    outdir = Path(hydra_cfg.runtime.output_dir)
    for noisy in ("MESA", "matplotlib"):  # Mesa logs every step at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if hydra_cfg.mode == RunMode.MULTIRUN:  # a failed run leaves FAILED.json; the sweep goes on
        from .sweep import run_in_sweep

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


if __name__ == "__main__":
    main()
