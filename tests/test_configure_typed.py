"""The typed config is built straight from Hydra's composed data (sim.configure.typed) instead of
through OmegaConf's structured merge, which took ~100 ms of every compose. These tests hold the
two ways to the same objects, value and type (1 is not 1.0 here), for every packaged preset,
and check that whatever OmegaConf would convert, refuse or explain still goes its way."""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import pytest
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import Config
from sim.configure import _SLOW, CONF_DIR, _container, _dataclass, _import, compose_node, typed


def omegaconf_way(cls, data):
    """What sim.configure did before (and still does when ``typed`` cannot)."""
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), data))


def same(a, b, path="") -> None:
    """``a`` and ``b`` equal in value and in type, all the way down (NaN equals NaN)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for fld in dataclasses.fields(a):
            same(getattr(a, fld.name), getattr(b, fld.name), f"{path}.{fld.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}.{i}")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def presets(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def _compositions() -> list[tuple[str, ...]]:
    """Every preset of every group at least once, in as few composes as that takes."""
    groups = ["scenario", "policy", "ranking", "network", "platform"]
    lists = [presets(g) for g in groups]
    rows = []
    for i in range(max(map(len, lists))):
        rows.append(tuple(f"{g}={ps[i % len(ps)]}" for g, ps in zip(groups, lists)))
    rows += [(f"platforms={p}",) for p in presets("platforms")]
    return rows


@pytest.mark.parametrize("overrides", _compositions(), ids=lambda o: ",".join(v.split("=")[1] for v in o))
def test_every_preset_builds_the_same_config_and_plugins_either_way(overrides):
    node = compose_node(*overrides)
    data = {k: _container(node, k) for k in node if k != "hydra"}
    ranking, policy = data.pop("ranking"), data.pop("policy")
    data.pop("design_values", None)
    assert _dataclass(Config, data, None) is not _SLOW  # composed data takes the quick way
    same(typed(Config, data), omegaconf_way(Config, data))
    plugins = [ranking] + [v for k, v in policy.items() if isinstance(v, dict)]
    for node in plugins:
        cls = _import("plugin", node["_target_"])
        params = {k: v for k, v in node.items() if k != "_target_"}
        assert _dataclass(cls, params, None) is not _SLOW, cls
        same(typed(cls, params), omegaconf_way(cls, params), cls.__name__)


@dataclass
class Inner:
    a: int = 1
    b: float = 2.0
    tags: list[str] = field(default_factory=list)


@dataclass
class Outer:
    inner: Inner = field(default_factory=lambda: Inner(a=5))
    scale: float = 1.0
    name: str = "x"
    maybe: int | None = None
    values: dict[str, float] = field(default_factory=dict)
    items: list[Inner] = field(default_factory=list)
    anything: Any = None


def test_a_partial_node_keeps_its_fields_default_not_the_classes():
    data = {"inner": {"b": 3}, "items": [{"b": 4}]}
    got = typed(Outer, data)
    assert got.inner == Inner(a=5, b=3.0) and got.items == [Inner(a=1, b=4.0)]
    same(got, omegaconf_way(Outer, data))


@pytest.mark.parametrize(
    "data",
    [
        {"scale": 2},  # an int for a float: made a float, as OmegaConf does
        {"maybe": 3, "values": {"k": 1}},
        {"scale": "2.5"},  # text for a number: OmegaConf converts it
        {"maybe": "4"},
        {"name": 7},  # a number for text: OmegaConf converts it
        {"inner": {"tags": ["a", 1]}},
        {"name": "???"},  # OmegaConf's "missing": it leaves the field's default
    ],
)
def test_values_omegaconf_converts_come_out_as_it_converts_them(data):
    same(typed(Outer, data), omegaconf_way(Outer, data))


@pytest.mark.parametrize(
    "data",
    [
        {"nope": 1},  # an unknown key
        {"inner": {"a": "many"}},  # not a number
        {"scale": True},  # a bool for a float
        {"inner": None},  # no value for a node
        {"items": {"a": 1}},  # a mapping for a list
    ],
)
def test_values_omegaconf_refuses_raise_its_error(data):
    def error(build):
        try:
            build(Outer, data)
        except OmegaConfBaseException as exc:
            return type(exc), str(exc)
        return None

    expected = error(omegaconf_way)
    assert expected is not None
    assert error(typed) == expected


def test_composed_data_covers_every_field_type_of_the_schema():
    """The quick way knows the field types the schema uses; a new kind of field (a tuple, an
    enum) would silently take the slow way, so the schema's types are listed here."""
    import typing

    seen = set()
    todo = [Config]
    while todo:
        cls = todo.pop()
        for hint in typing.get_type_hints(cls).values():
            for t in itertools.chain([hint], typing.get_args(hint)):
                if dataclasses.is_dataclass(t):
                    todo.append(t)
                else:
                    seen.add(typing.get_origin(t) or t)
    known = {
        int,
        float,
        bool,
        str,
        type(None),
        list,
        dict,
        typing.Any,
        typing.Union,
        __import__("types").UnionType,
    }
    assert seen <= known, seen - known
