"""Parameter designs run as Hydra sweeps: one config file per design row.

A design (Sobol, Morris, Latin hypercube) is a table of parameter values. Each row becomes a
``# @package _global_`` config in ``DIR/design/`` and the sweep runs them all with
``'+design=glob(*)'`` (``-cd DIR`` puts the folder on Hydra's search path), so the expensive part
can go to any launcher and resumes like any sweep. ``DIR/design.parquet`` holds the table and
``DIR/problem.json`` the method and ranges.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from ..io import write_json, write_parquet


class DesignError(ValueError):
    """One-line error of a design command."""


def problem_of(params: dict[str, tuple[float, float, bool]]) -> dict:
    """SALib's problem: names and bounds (integers get [lo - 0.5, hi + 0.5], then rounding gives
    each integer an equal share)."""
    bounds = [[lo - 0.5, hi + 0.5] if is_int else [lo, hi] for lo, hi, is_int in params.values()]
    return {"num_vars": len(params), "names": list(params), "bounds": bounds}


def apply_types(x: np.ndarray, params: dict) -> list:
    """One design row as the values a run gets (integers rounded into their range)."""
    out = []
    for v, (lo, hi, is_int) in zip(x, params.values()):
        out.append(int(min(max(math.floor(v + 0.5), lo), hi)) if is_int else float(v))
    return out


IN_LISTS = "design_values"  # keys inside lists, set after composition (sim/configure.py)


def _nested(names: list[str], values: list) -> dict:
    """The config tree of one row. A key inside a list (``scenario.campaigns.0.budget``) cannot
    be merged from a YAML file (a mapping does not merge into a list), so such keys go to
    ``design_values``, a list of {key, value} that sim.configure applies after composition."""
    tree: dict = {}
    for name, value in zip(names, values):
        if any(part.isdigit() for part in name.split(".")):
            tree.setdefault(IN_LISTS, []).append({"key": name, "value": value})
            continue
        *parents, leaf = name.split(".")
        node = tree
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return tree


def check_keys(params, fixed: str = "") -> None:
    """Every parameter names a numeric value of the config the runs will compose (the ``fixed``
    overrides applied), so a typo or a campaign index beyond the scenario's campaigns is one
    error before anything is written, not a failure in every run."""
    import shlex

    from omegaconf import OmegaConf

    from ..config import ConfigError, _check_value, describe, field_meta
    from ..configure import compose_node, to_config
    from ..model.levers import BUILTIN

    node = compose_node(*shlex.split(fixed))
    typed = to_config(node, shlex.split(fixed), check=False)
    for key, (lo, hi, is_int) in params.items():
        meta = None
        if key.startswith("policy."):  # a lever's field: levers exist whether or not a preset sets them
            _, lever, *rest = key.split(".")
            cls = next((c for c in BUILTIN if c.key == lever), None)
            known = (
                cls is not None and len(rest) == 1 and rest[0] in {f.name for f in dataclasses.fields(cls)}
            )
            value = getattr(cls(), rest[0]) if known else None
            meta = field_meta(cls, rest[0]) if known else None
        else:
            value = OmegaConf.select(node, key, default=None)
            meta = field_meta(typed, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DesignError(
                f"--param {key}: not a numeric value of the config"
                + (f" composed with {fixed!r}" if fixed else "")
                + " (see python -m sim --cfg job)"
            )
        try:  # the design's own range inside the field's (a run outside it would fail)
            for end in (lo, hi):
                _check_value(key, int(end) if is_int else float(end), meta or {})
        except ConfigError:
            kind = "int" if is_int or isinstance(value, int) else "float"
            raise DesignError(
                f"--param {key}={lo}:{hi}: outside the field's own range; {key} "
                f"must be {describe(meta or {}, kind)}"
            ) from None


DEFAULT_ROW = "default"  # the design row that changes nothing (the model's defaults)


def write_design(out_dir, params: dict, x: np.ndarray, meta: dict, *, default_row: bool = False):
    """Write the rows of ``x`` (unit values already scaled to the bounds) as configs; with
    ``default_row``, also a row ``default`` that changes nothing. Returns the row names."""
    import yaml

    out_dir = Path(out_dir)
    design = out_dir / "design"
    if design.exists() and any(design.iterdir()):
        raise DesignError(f"{design} already holds a design: choose a new folder")
    design.mkdir(parents=True, exist_ok=True)
    rows = [apply_types(row, params) for row in x]
    width = max(5, len(str(len(rows) - 1)))
    names = [f"r{i:0{width}d}" for i in range(len(rows))]
    for name, values in zip(names, rows):
        text = "# @package _global_\n" + yaml.safe_dump(_nested(list(params), values))
        (design / f"{name}.yaml").write_text(text)
    if default_row:
        (design / f"{DEFAULT_ROW}.yaml").write_text("# @package _global_\n{}\n")
    write_parquet(
        out_dir / "design.parquet",
        {"design": np.array(names), **{k: np.array([r[j] for r in rows]) for j, k in enumerate(params)}},
    )
    write_json(
        out_dir / "problem.json",
        {
            **meta,
            "runs": len(rows) + default_row,
            "problem": problem_of(params),
            "integer": [k for k, v in params.items() if v[2]],
            "samples": x.tolist(),
        },
    )
    return names + ([DEFAULT_ROW] if default_row else [])


def sweep_command(out_dir, fixed: str, extra: str = "") -> str:
    """The command that runs every row of the design in ``out_dir`` (into ``out_dir/runs``)."""
    d = Path(out_dir).resolve()
    return (
        f"python -m sim -m -cd {d} '+design=glob(*)' {extra} hydra.sweep.dir={d / 'runs'} "
        f"{fixed} output.figure=false output.quiet=true"
    ).replace("  ", " ")


def parse_param(text: str) -> tuple[str, tuple[float, float, bool]]:
    """``behavior.epsilon=0.1:0.6`` or ``population.segments=4:16:int``."""
    key, _, rng = text.partition("=")
    parts = rng.split(":")
    try:
        is_int = len(parts) == 3 and parts[2] == "int"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not is_int):
            raise ValueError
        lo, hi = (int(p) if is_int else float(p) for p in parts[:2])
    except ValueError:
        raise DesignError(f"--param = {text!r}: must be KEY=LO:HI or KEY=LO:HI:int") from None
    if not key or not lo < hi:
        raise DesignError(f"--param = {text!r}: needs a key and LO < HI")
    return key, (lo, hi, is_int)
