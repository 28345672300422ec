"""From Hydra's composed config to a typed, validated :class:`sim.config.Config`.

The one way every entry point (the command line, the notebook API, the classroom, the tests)
gets a run's configuration: the packaged configs (``sim/conf``) composed by Hydra, the plug-in
parts (ranker, policy levers) built from the classes their ``_target_`` names, every range
checked, and every error turned into one line that names the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import re
import threading
import types
import typing
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from . import network_file
from .config import (
    FILE_NETWORKS,
    Config,
    ConfigError,
    Plugin,
    check_fields,
    check_files,
    describe,
    field_meta,
    validate,
    warn,
)
from .model import threads
from .model.feed.rankers import Ranker
from .model.levers import BUILTIN, Lever, Policy
from .runs.memory import check_file

CONF_DIR = Path(__file__).resolve().parent / "conf"
POLICY_FIELDS = ("name", "label", "color", "phrase")
_COMPOSE = threading.Lock()  # Hydra's compose API holds global state


def default_policy() -> dict:
    """The policy node every preset merges into: all built-in levers, each doing nothing."""
    levers = {cls.key: {"_target_": cls.target(), **dataclasses.asdict(cls())} for cls in BUILTIN}
    return {"name": "none", "label": "no rules", "color": None, "phrase": "with no rules", **levers}


def register() -> None:
    """Register the schema with Hydra's ConfigStore (sim/conf/config.yaml builds on it), once
    per process: every compose calls this, and building the schema takes ~10 ms."""
    from hydra.core.config_store import ConfigStore

    if "sim_schema.yaml" in ConfigStore.instance().repo:
        return
    schema = OmegaConf.structured(Config)
    schema.policy = default_policy()
    _open_mappings(schema, Config())
    ConfigStore.instance().store(name="sim_schema", node=schema)


def _open_mappings(node: DictConfig, obj) -> None:
    """Let mapping fields (``network.ideology_values``) take keys from an override: Hydra
    closes the whole config to new keys, which would refuse every key of a user's mapping."""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        if dataclasses.is_dataclass(value):
            _open_mappings(node[fld.name], value)
        elif isinstance(value, dict) and not fld.metadata.get("flat"):
            OmegaConf.set_struct(node[fld.name], False)


# ---------------------------------------------------------------- typed objects from plain data
# OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), data)) copies and wraps every
# node: ~100 ms for a whole Config, ~3 ms for each policy lever, paid on every compose (each
# run, each Reset in the classroom, each notebook call, most tests). Data composed by Hydra
# already has its schema's types, so the dataclasses are built directly; a value OmegaConf would
# convert, refuse or explain sends the whole object the old way, so its behaviour and errors
# are OmegaConf's. tests/test_configure_typed.py holds the two ways to the same objects and types.

_SLOW = object()  # "let OmegaConf build it"


def typed(cls: type, data: dict):
    """``cls`` (a dataclass) from plain ``data`` (nested dicts and lists), exactly as
    OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), data)) builds it, which
    raises OmegaConf's errors."""
    value = _dataclass(cls, data, None)
    if value is _SLOW:
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), data))
    return value


@functools.cache
def _fields(cls: type) -> dict | None:
    """The init fields of a dataclass with their resolved types (None: a field OmegaConf would
    not set through the constructor, so only OmegaConf builds it)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve: OmegaConf decides
        return None
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        return None
    return {f.name: (hints[f.name], f) for f in fields}


def _dataclass(cls: type, data, base):
    """``cls`` from the dict ``data`` over ``base`` (the field's default instance, whose values
    the keys ``data`` lacks keep; None: the class's defaults)."""
    fields = _fields(cls)
    if fields is None or not isinstance(data, dict) or not set(data) <= set(fields):
        return _SLOW
    kwargs = {}
    for name, (hint, fld) in fields.items():
        if name in data:
            default = _default(fld)
            inner = default if dataclasses.is_dataclass(default) else None
            value = _value(hint, data[name], inner)
            if value is _SLOW:
                return _SLOW
            kwargs[name] = value
        elif base is not None:
            kwargs[name] = getattr(base, name)
    try:
        return cls(**kwargs)
    except Exception:  # noqa: BLE001 - a missing value or a constructor's own check: OmegaConf's words
        return _SLOW


def _default(fld: dataclasses.Field):
    if fld.default is not dataclasses.MISSING:
        return fld.default
    if fld.default_factory is not dataclasses.MISSING:
        return fld.default_factory()
    return None


def _value(hint, value, base):
    """``value`` as a field typed ``hint`` holds it, or _SLOW where OmegaConf would convert it
    (an int for a float aside, which it makes a float), refuse it or read it as missing."""
    if _unresolved(value):
        return _SLOW
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            return _SLOW
        return None if value is None else _value(rest[0], value, base)
    if hint is Any:
        return _plain_copy(value)
    if hint is float:
        return float(value) if type(value) in (float, int) else _SLOW
    if hint in (int, bool, str):
        return value if type(value) is hint else _SLOW
    if origin is list and isinstance(value, list):
        (item,) = args or (Any,)
        out = [_value(item, v, None) for v in value]
        return _SLOW if any(v is _SLOW for v in out) else out
    if origin is dict and isinstance(value, dict):
        key, item = args or (Any, Any)
        allowed = (str,) if key is str else (str, int) if key is Any else ()
        if any(type(k) not in allowed for k in value):
            return _SLOW
        out = {k: _value(item, v, None) for k, v in value.items()}
        return _SLOW if any(v is _SLOW for v in out.values()) else out
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint, value, base)
    return _SLOW


def _unresolved(value) -> bool:
    """OmegaConf's "missing" (``???``) or an interpolation: only OmegaConf reads these."""
    return isinstance(value, str) and (value == "???" or "${" in value)


def _plain_copy(value):
    """A copy of plain data (what OmegaConf gives back for an untyped field), or _SLOW."""
    if value is None or type(value) in (int, float, bool, str):
        return _SLOW if _unresolved(value) else value
    if isinstance(value, list):
        out = [_plain_copy(v) for v in value]
        return _SLOW if any(v is _SLOW for v in out) else out
    if isinstance(value, dict) and all(type(k) in (str, int) for k in value):
        out = {k: _plain_copy(v) for k, v in value.items()}
        return _SLOW if any(v is _SLOW for v in out.values()) else out
    return _SLOW


# ---------------------------------------------------------------- plug-ins


def _import(path: str, target: Any) -> type:
    if not isinstance(target, str) or "." not in target:
        raise ConfigError(f"{path}._target_ = {target!r}: must name a class as module.Class")
    module, _, name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except Exception as exc:  # noqa: BLE001 - a user's module may fail to import in any way
        text = str(exc).strip().splitlines()
        raise ConfigError(
            f"{path}._target_ = {target!r}: cannot be imported "
            f"({type(exc).__name__}: {text[0] if text else ''})"
        ) from None
    return cls


def failed_plugin(cfg, exc: BaseException) -> str | None:
    """``key._target_ = 'module.Class'`` of the user's plug-in (a ranker or lever outside sim)
    whose own code raised ``exc`` while running, or None (an error of sim itself)."""
    import inspect
    import os
    import traceback

    parts = [("ranking", cfg.ranking)]
    parts += [(f"policy.{k}", v) for k, v in (getattr(cfg.policy, "levers", None) or {}).items()]
    files = {}
    for key, part in parts:
        cls = type(part)
        if part is None or cls.__module__.split(".")[0] == __package__:
            continue
        try:
            files[os.path.realpath(inspect.getsourcefile(cls))] = f"{key}._target_ = {cls.target()!r}"
        except (TypeError, OSError):  # defined without a source file
            continue
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        found = files.get(os.path.realpath(frame.filename))
        if found:
            return found
    return None


def build_plugin(path: str, node: Any, base: type[Plugin], overrides=()) -> Plugin:
    """The plug-in a config node names by ``_target_``, its parameters typed and filled with the
    class's defaults (OmegaConf checks the types; validate() checks the ranges)."""
    if not isinstance(node, dict) or "_target_" not in node:
        raise ConfigError(
            f"{path} = {node!r}: must be a {base.__name__.lower()} node with a _target_ naming its class"
        )
    cls = _import(path, node["_target_"])
    if not (isinstance(cls, type) and issubclass(cls, base) and dataclasses.is_dataclass(cls)):
        raise ConfigError(
            f"{path}._target_ = {node['_target_']!r}: must be a dataclass "
            f"subclassing {base.__module__}.{base.__name__}"
        )
    params = {k: v for k, v in node.items() if k != "_target_"}
    try:
        return typed(cls, params)
    except OmegaConfBaseException as exc:
        leaf = str(getattr(exc, "full_key", None) or "")
        raise explain_omegaconf(
            exc,
            list(overrides),
            prefix=f"{path}.",
            keys=[f.name for f in dataclasses.fields(cls)],
            meta=field_meta(cls, leaf) if leaf else None,
        ) from None


def build_policy(node: dict, parts: list[str] | None = None, folders=(CONF_DIR,), overrides=()) -> Policy:
    """The Policy of a policy node; ``parts`` are the presets it was composed from, when more
    than one (``policy=[transparency,cap]``): the regime is then named after all of them, with
    their labels as found in the config ``folders``."""
    levers = {
        k: build_plugin(f"policy.{k}", v, Lever, overrides) for k, v in node.items() if k not in POLICY_FIELDS
    }
    meta = {k: node.get(k) for k in POLICY_FIELDS}
    if parts and len(parts) > 1:
        labels = [_preset_label(p, folders) for p in parts]
        meta = {
            "name": "+".join(parts),
            "label": " + ".join(labels),
            "color": None,
            "phrase": "under " + " and ".join(labels),
        }
    meta["phrase"] = meta["phrase"] or f"under {meta['label']}"
    return Policy(
        name=str(meta["name"]),
        label=str(meta["label"]),
        color=None if meta["color"] is None else str(meta["color"]),
        phrase=str(meta["phrase"]),
        levers=levers,
        changed=changed_levers(levers, parts or [str(meta["name"])], folders),
    )


def changed_levers(levers: dict[str, Lever], parts: list[str], folders) -> str:
    """The levers set otherwise than the presets ``parts`` set them ("frequency cap 1/day"),
    so that a preset's label is not shown for a policy an override changed; "" when none
    differs or a preset is not a file in the config ``folders``."""
    base = OmegaConf.create(default_policy())
    for name in parts:
        path = next(
            (
                Path(f) / "policy" / f"{name}.yaml"
                for f in folders
                if (Path(f) / "policy" / f"{name}.yaml").is_file()
            ),
            None,
        )
        if path is None:
            return ""
        preset = OmegaConf.load(path)
        with open_dict(base):
            base = OmegaConf.merge(base, {k: v for k, v in preset.items() if k not in POLICY_FIELDS})
    base = OmegaConf.to_container(base)
    found = []
    for key, lever in levers.items():
        preset = build_plugin(f"policy.{key}", base[key], Lever) if key in base else None
        for fld in dataclasses.fields(lever):
            value = getattr(lever, fld.name)
            if preset is None or getattr(preset, fld.name, None) != value:
                found.append(_lever_phrase(key, fld.name, value))
    return ", ".join(found)


def _lever_phrase(lever: str, name: str, value) -> str:
    """``frequency cap 1/day``, ``enforcement on``, ``spend cap per 1000 users 20``."""
    what = lever.replace("_", " ")
    if isinstance(value, float):
        value = f"{value:g}"
    if isinstance(value, bool):
        return (
            f"{what} {'on' if value else 'off'}"
            if name == "enabled"
            else f"{what} {name.replace('_', ' ')} {'on' if value else 'off'}"
        )
    if name == "per_day":
        return f"{what} {value}/day"
    return f"{what} {name.replace('_', ' ')} {'none' if value is None else value}"


def _preset(path: str, group: str, name: str, folders) -> dict:
    """The node of preset ``name`` of ``group`` (policy, ranking): GROUP/NAME.yaml in the first
    config folder that has it; a policy is merged into the default policy, as Hydra merges it."""
    for folder in folders:
        file = Path(folder) / group / f"{name}.yaml"
        if file.is_file():
            node = OmegaConf.load(file)
            node = OmegaConf.merge(default_policy(), node) if group == "policy" else node
            return OmegaConf.to_container(node, resolve=True)
    known = sorted({p.stem for folder in folders for p in (Path(folder) / group).glob("*.yaml")})
    raise ConfigError(f"{path} = {name!r}: no such {group} preset (one of {', '.join(known)})")


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


def to_config(cfg: DictConfig, overrides: list[str] = (), hydra_node=None, *, check: bool = True) -> Config:
    """Typed, validated Config from Hydra's composed one (``hydra_node``: its ``hydra`` part,
    for the config folders); errors are one line. ``check=False`` builds without the range
    checks and without reading a network file (a sweep's up-front check of its jobs)."""
    if "hydra" in cfg:  # composed with return_hydra_config: not part of the run's config
        hydra_node = cfg.hydra
    try:  # key by key, leaving out ``hydra`` (a copy of the whole node without it: ~20 ms)
        data = {k: _container(cfg, k) for k in cfg if k != "hydra"}
        for item in data.pop("design_values", None) or ():  # see sim/runs/design.py
            _set_in_lists(data, str(item["key"]), item["value"])
        ranking, policy = data.pop("ranking", None), data.pop("policy", None)
        obj: Config = typed(Config, data)
    except OmegaConfBaseException as exc:
        raise explain_omegaconf(exc, list(overrides), cfg) from None
    obj.ranking = build_plugin("ranking", ranking, Ranker, overrides) if ranking is not None else None
    obj.policy = build_policy(
        policy or default_policy(), policy_parts(list(overrides)), config_folders(hydra_node), overrides
    )
    for i, platform in enumerate(obj.platforms):  # a platform's own rules and ranking: presets
        if platform.policy:
            platform.rules = build_policy(
                _preset(f"platforms.{i}.policy", "policy", platform.policy, config_folders(hydra_node)),
                overrides=overrides,
            )
        if platform.ranking:
            platform.ranker = build_plugin(
                f"platforms.{i}.ranking",
                _preset(f"platforms.{i}.ranking", "ranking", platform.ranking, config_folders(hydra_node)),
                Ranker,
                overrides,
            )
    if not check:
        return obj
    notes = []
    if obj.network.kind in FILE_NETWORKS:
        check_fields(obj)  # ranges first: a typo is reported before a large file is read
        check_files(obj.network)
        check_file(obj.network.path)  # enough memory to read it
        notes = network_file.resolve_population(obj)  # population.n from the file; errors, one line
    validate(obj)
    threads.count()  # SIM_THREADS (the environment's): a bad value fails here, before any output
    for note in notes:  # warnings only once the config is valid: an error stays one line
        warn(note)
    return obj


def _container(cfg: DictConfig, key: str):
    """``cfg[key]`` as plain data, interpolations resolved (against the whole ``cfg``)."""
    value = cfg[key]
    return OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value


def _set_in_lists(data: dict, key: str, value) -> None:
    """Set a dotted key whose path goes through list items (``scenario.campaigns.0.budget``)."""
    *path, leaf = key.split(".")
    node = data
    try:
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list) or leaf not in node:
            raise KeyError(leaf)
    except (KeyError, IndexError, ValueError, TypeError):
        raise ConfigError(
            f"design_values: {key} = {value!r}: no such key in the composed config "
            "(a campaign index beyond the scenario's campaigns?)"
        ) from None
    node[leaf] = value


def compose_node(*overrides: str) -> DictConfig:
    """Hydra's composed config (with its ``hydra`` part) of the packaged configs and
    ``overrides``; Hydra's and OmegaConf's errors become one-line ConfigErrors."""
    import warnings

    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    register()
    check_searchpath(_searchpath_given(overrides))  # first: else its options are "unknown"
    try:
        with (
            _COMPOSE,
            initialize_config_dir(config_dir=str(CONF_DIR), version_base=None),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings("ignore", r"provider=hydra\.searchpath .* is not available")
            node = hydra_compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
    except Exception as exc:  # noqa: BLE001 - Hydra raises many types; all become one line
        raise explain(exc, list(overrides)) from None
    check_searchpath(OmegaConf.select(node, "hydra.searchpath") or [])
    return node


def _searchpath_given(overrides) -> list:
    """The ``hydra.searchpath`` an override sets (empty when none does, or it does not parse:
    composing then says why)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in overrides:
        if _key(override) == "hydra.searchpath":
            try:
                value = OverridesParser.create().parse_overrides([override])[0].value()
            except Exception:  # noqa: BLE001 - the parser raises several types
                return []
            return value if isinstance(value, list) else [value]
    return []


def check_searchpath(entries) -> None:
    """Every folder of ``hydra.searchpath`` exists (Hydra only warns, and then the plug-ins it
    should hold are "not found" among the packaged options)."""
    for entry in entries:
        entry = str(entry)
        folder = entry.removeprefix("file://") if "://" not in entry.removeprefix("file://") else None
        if folder is not None and not Path(folder).is_dir():
            raise ConfigError(
                f"hydra.searchpath = {entry!r}: no such folder; must be "
                "file://<an existing folder of configs> (or pkg://<package>)"
            )


def compose(*overrides: str) -> Config:
    """A Config from the packaged configs and Hydra overrides, exactly as ``python -m sim``
    composes it: ``compose("policy=ban", "population.n=5000")``. Errors are ConfigErrors with
    the one line the command prints."""
    return to_config(compose_node(*overrides), list(overrides))


# ---------------------------------------------------------------- one-line errors

OVERRIDE_HELP = "https://hydra.cc/docs/advanced/override_grammar/basic/"
KINDS = {"Integer": "int", "Float": "float"}


def _key(override: str) -> str:
    return override.partition("=")[0].lstrip("+~")


def _value_of(key: str, overrides: list[str]):
    """The value text an override gave ``key`` (or a node above it), for error messages."""
    for override in reversed(overrides):
        k, eq, value = override.partition("=")
        k = k.lstrip("+~")
        if eq and (k == key or key.startswith(k + ".") or k.startswith(key + ".")):
            return k, value
    return key, None


def _base_node(overrides: list[str], key: str) -> DictConfig | None:
    """The config composed without the overrides of ``key`` (to list what it allows)."""
    try:
        return compose_node(
            *[
                o
                for o in overrides
                if not (_key(o) == key or _key(o).startswith(key + ".") or key.startswith(_key(o) + "."))
            ]
        )
    except ConfigError:
        return None


def _typed_meta(node: DictConfig | None, key: str) -> dict | None:
    """The range metadata of the field at ``key`` (from the typed config of ``node``), with
    ``kind`` ("int", "float") from the type of its value there."""
    if node is None:
        return None
    try:
        meta = field_meta(to_config(node, check=False), key)
    except (ConfigError, ValueError, TypeError, KeyError, IndexError):
        return None
    if meta is not None:
        value = OmegaConf.select(node, key, default=None)
        kinds = {int: "int", float: "float"}
        meta["kind"] = kinds.get(type(value), "")
    return meta


def _unknown_key(key: str, shown: str, keys: list[str]) -> ConfigError:
    parent, _, leaf = key.rpartition(".")
    keys = [k for k in keys if k != leaf]
    close = difflib.get_close_matches(leaf, keys, n=1)
    where = parent or "the config"
    hint = (
        f"did you mean {parent + '.' if parent else ''}{close[0]}?"
        if close
        else f"{where} has {', '.join(keys[:12])}{', ...' if len(keys) > 12 else ''}"
    )
    return ConfigError(f"{shown}: unknown key; {hint}")


def _keys_at(node: DictConfig | None, key: str) -> list[str]:
    parent = key.rpartition(".")[0]
    sub = OmegaConf.select(node, parent) if node is not None and parent else node
    if not isinstance(sub, DictConfig):
        return []
    return [str(k) for k in sub.keys() if k not in ("hydra", "_target_")]


def explain_omegaconf(
    exc: OmegaConfBaseException,
    overrides: list[str],
    node=None,
    *,
    prefix: str = "",
    keys: list[str] | None = None,
    meta: dict | None = None,
) -> ConfigError:
    """An OmegaConf type or key error as one line: key, value, what is allowed. ``node``: the
    composed config (else composed again without the offending override, to list the keys
    and ranges it allows); ``keys``/``meta``: the siblings and range, when known."""
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError

    full = re.sub(r"\[(\d+)\]", r".\1", str(getattr(exc, "full_key", None) or ""))
    key = (prefix + full).strip(".")
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    given_key, value = _value_of(key, overrides)
    shown = f"{given_key} = {value}" if value is not None else key
    base = functools.cache(lambda: node if node is not None else _base_node(overrides, key))
    if isinstance(exc, (ConfigAttributeError, ConfigKeyError)) or "not in struct" in text:
        return _unknown_key(key, shown, keys if keys is not None else _keys_at(base(), key))
    found = re.search(r"dict is not a subclass of (\w+)", text)
    if found:  # scenario.campaigns.5.budget=1 on a list of three campaigns
        listed, _, index = key.rpartition(".")
        items = OmegaConf.select(base(), listed, default=None) if base() is not None else None
        count = f"{len(items)} entries, 0-{len(items) - 1}" if items else "fewer entries"
        return ConfigError(f"{shown}: {listed} has no entry {index} (it has {count})")
    found = re.search(r"converted to (\w+)", text)
    if found or "not a valid bool" in text or "is not Optional" in text:
        meta = meta if meta is not None else (_typed_meta(base(), key) or {})
        kind = KINDS.get(found.group(1), "") if found else meta.get("kind", "")
        if "not a valid bool" in text:
            allowed = "true or false"
        elif kind or meta.get("choices"):
            allowed = describe(meta, kind)
        else:
            allowed = f"a {found.group(1).lower()}" if found else "a value"
        if "is not Optional" in text:
            return ConfigError(f"{key} = null: must be {allowed} (null is not allowed)")
        return ConfigError(f"{shown}: must be {allowed}")
    return ConfigError(f"{shown}: {text}" if key else text)


def explain(exc: Exception, overrides: list[str]) -> ConfigError:
    """Any error of composing a config as one line naming the key, the value and what is
    allowed (Hydra's own messages run to 5-17 lines)."""
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(exc, ConfigError):
        return exc
    for override in overrides:
        if not override.startswith("~") and (not _key(override).strip() or "=" not in override):
            return ConfigError(
                f"{override!r}: not a valid override (it needs key=value); see {OVERRIDE_HELP}"
            )
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, OverrideParseException):
        bad = next((o for o in overrides if _unparsable(o)), " ".join(overrides))
        key, _, value = bad.partition("=")
        if not value.isascii():  # Hydra's grammar takes other letters only in quotes
            return ConfigError(
                f"{bad!r}: not a valid override (unquoted non-ASCII characters); "
                f"quote the value: {key}='{value}' (in a shell: \"{key}='{value}'\")"
            )
        return ConfigError(f"{bad!r}: not a valid override ({first}); write key=value, see {OVERRIDE_HELP}")
    if isinstance(exc, MissingConfigException):
        found = re.search(r"Could not find '([^']+)'", text)
        if found and getattr(exc, "options", None):
            group, _, option = found.group(1).rpartition("/")
            return ConfigError(f"{group} = {option!r}: must be one of {', '.join(exc.options)}")
        return ConfigError(first)
    found = re.search(r"Could not override '([^']+)'\. No match in the defaults list", text)
    if found and (CONF_DIR / found.group(1)).is_dir():  # an optional group: experiment
        group = found.group(1)
        value = next((o.partition("=")[2] for o in overrides if _key(o) == group), "...")
        return ConfigError(
            f"{group} = {value!r}: {group} is not in the default config; add it with a plus: +{group}={value}"
        )
    found = re.search(r"Ambiguous value for argument '([^']+)'", text)
    if found:
        key, _, value = found.group(1).partition("=")
        return ConfigError(
            f"{key} = {value}: several values run only as a sweep (add -m); a list is written {key}=[{value}]"
        )
    cause = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(cause, OmegaConfBaseException):
        return explain_omegaconf(cause, overrides)
    found = re.search(r"(?:override|delete from config|append to config)[.:]? '?([\w.]+)'?", text)
    return ConfigError(f"{found.group(1)}: {first}" if found and found.group(1) not in first else first)


def _unparsable(override: str) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        OverridesParser.create().parse_overrides([override])
    except Exception:  # noqa: BLE001 - the parser raises several types
        return True
    return False
