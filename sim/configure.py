"""From Hydra's composed config to a typed, validated :class:`sim.config.Config`.

The one way every entry point (the command line, the notebook API, the classroom, the tests)
gets a run's configuration: the packaged configs (``sim/conf``) composed by Hydra, the plug-in
parts (ranker, policy levers) built from the classes their ``_target_`` names, every range
checked, and every error turned into one line that names the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from .config import Config, ConfigError, Plugin, validate
from .model.feed.rankers import Ranker
from .model.levers import BUILTIN, Lever, Policy

CONF_DIR = Path(__file__).resolve().parent / "conf"
POLICY_FIELDS = ("name", "label", "color", "phrase")
_COMPOSE = threading.Lock()  # Hydra's compose API holds global state


def default_policy() -> dict:
    """The policy node every preset merges into: all built-in levers, each doing nothing."""
    levers = {cls.key: {"_target_": cls.target(), **dataclasses.asdict(cls())} for cls in BUILTIN}
    return {"name": "none", "label": "no rules", "color": None, "phrase": "with no rules", **levers}


def register() -> None:
    """Register the schema with Hydra's ConfigStore (sim/conf/config.yaml builds on it)."""
    from hydra.core.config_store import ConfigStore

    schema = OmegaConf.structured(Config)
    schema.policy = default_policy()
    ConfigStore.instance().store(name="sim_schema", node=schema)


# ---------------------------------------------------------------- plug-ins


def _import(path: str, target: Any) -> type:
    if not isinstance(target, str) or "." not in target:
        raise ConfigError(f"{path}._target_ = {target!r}: must name a class as module.Class")
    module, _, name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{path}._target_ = {target!r}: cannot be imported "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    return cls


def build_plugin(path: str, node: Any, base: type[Plugin]) -> Plugin:
    """The plug-in a config node names by ``_target_``, its parameters typed and filled with the
    class's defaults (OmegaConf checks the types; validate() checks the ranges)."""
    if not isinstance(node, dict) or "_target_" not in node:
        raise ConfigError(f"{path} = {node!r}: must be a {base.__name__.lower()} node with a "
                          "_target_ naming its class")
    cls = _import(path, node["_target_"])
    if not (isinstance(cls, type) and issubclass(cls, base) and dataclasses.is_dataclass(cls)):
        raise ConfigError(f"{path}._target_ = {node['_target_']!r}: must be a dataclass "
                          f"subclassing {base.__module__}.{base.__name__}")
    params = {k: v for k, v in node.items() if k != "_target_"}
    try:
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), params))
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or ""
        raise ConfigError(f"{path}.{key}: {str(exc).splitlines()[0]}") from None


def build_policy(node: dict, parts: list[str] | None = None, folders=(CONF_DIR,)) -> Policy:
    """The Policy of a policy node; ``parts`` are the presets it was composed from, when more
    than one (``policy=[transparency,cap]``): the regime is then named after all of them, with
    their labels as found in the config ``folders``."""
    levers = {k: build_plugin(f"policy.{k}", v, Lever) for k, v in node.items()
              if k not in POLICY_FIELDS}
    meta = {k: node.get(k) for k in POLICY_FIELDS}
    if parts and len(parts) > 1:
        labels = [_preset_label(p, folders) for p in parts]
        meta = {"name": "+".join(parts), "label": " + ".join(labels), "color": None,
                "phrase": "under " + " and ".join(labels)}
    meta["phrase"] = meta["phrase"] or f"under {meta['label']}"
    return Policy(name=str(meta["name"]), label=str(meta["label"]),
                  color=None if meta["color"] is None else str(meta["color"]),
                  phrase=str(meta["phrase"]), levers=levers)


def _preset_label(name: str, folders) -> str:
    """A policy preset's label, from the first config folder that has it (Hydra's order)."""
    for folder in folders:
        path = Path(folder) / "policy" / f"{name}.yaml"
        if path.is_file():
            return str(OmegaConf.load(path).get("label", name))
    return name


def config_folders(hydra_node) -> list[Path]:
    """The file folders of Hydra's config search path (the packaged configs, and any added
    with ``hydra.searchpath``), from a composed config's ``hydra.runtime.config_sources``."""
    sources = OmegaConf.select(hydra_node, "runtime.config_sources") or []
    folders = [Path(s["path"]) for s in sources if s.get("schema") == "file"]
    return folders or [CONF_DIR]


def policy_parts(overrides: list[str]) -> list[str] | None:
    """The presets of a ``policy=[a,b]`` override (Hydra does not record list choices)."""
    for override in overrides:
        key, _, value = override.partition("=")
        if key.lstrip("+~") == "policy" and value.startswith("["):
            return [p.strip() for p in value.strip("[]").split(",") if p.strip()]
    return None


# ---------------------------------------------------------------- typed configs


def to_config(cfg: DictConfig, overrides: list[str] = (), hydra_node=None) -> Config:
    """Typed, validated Config from Hydra's composed one (``hydra_node``: its ``hydra`` part,
    for the config folders); errors are one line."""
    if "hydra" in cfg:  # composed with return_hydra_config: not part of the run's config
        hydra_node = cfg.hydra
        cfg = cfg.copy()
        with open_dict(cfg):
            del cfg["hydra"]
    try:
        data = OmegaConf.to_container(cfg, resolve=True)
        ranking, policy = data.pop("ranking", None), data.pop("policy", None)
        obj: Config = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), data))
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or ""
        raise ConfigError(f"{key}: {str(exc).splitlines()[0]}") from None
    obj.ranking = build_plugin("ranking", ranking, Ranker) if ranking is not None else None
    obj.policy = build_policy(policy or default_policy(), policy_parts(list(overrides)),
                              config_folders(hydra_node))
    return validate(obj)


def compose(*overrides: str) -> Config:
    """A Config from the packaged configs and Hydra overrides, exactly as ``python -m sim``
    composes it: ``compose("policy=ban", "population.n=5000")``."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    register()
    try:
        with _COMPOSE, initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
            cfg = hydra_compose(config_name="config", overrides=list(overrides),
                                return_hydra_config=True)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(str(exc).strip().splitlines()[0]) from None
    return to_config(cfg, list(overrides))
