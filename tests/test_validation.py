"""Validation is metadata-driven: every number of every config part (plug-ins included, and
fields added later) is checked to be finite and within its range, with a message whose stated
range is the one checked; the notebook API raises the command line's one-line errors."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import re

import pytest

from sim.config import LARGEST, MAX_CONTENTS, ConfigError, describe, rng_, validate
from sim.configure import CONF_DIR, compose
from sim.model.content import KEY_SHIFT


def _number_fields(obj, path=""):
    """(dotted path, parent object, field name, value) of every numeric field in a config."""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        sub = f"{path}.{fld.name}" if path else fld.name
        if dataclasses.is_dataclass(value):
            yield from _number_fields(value, sub)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                yield from _number_fields(item, f"{sub}.{i}")
        elif isinstance(value, dict) and fld.metadata.get("flat"):
            for key, item in value.items():
                yield from _number_fields(item, f"{path}.{key}" if path else key)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield sub, obj, fld.name, value


@functools.cache
def _base():
    return compose("policy=[transparency,cap]")  # every built-in lever, the default ranker


def _fields():
    return [(path, type(value)) for path, _, _, value in _number_fields(_base())]


@pytest.mark.parametrize("path,kind", _fields(), ids=[p for p, _ in _fields()])
def test_every_number_must_be_finite_and_representable(path, kind):
    for bad in [math.inf, -math.inf, math.nan, 1e300] if kind is float else [2**64]:
        cfg = copy.deepcopy(_base())
        target = next(t for t in _number_fields(cfg) if t[0] == path)
        setattr(target[1], target[2], bad)
        with pytest.raises(ConfigError) as err:
            validate(cfg)
        message = str(err.value)
        assert "\n" not in message and message.startswith(path + " = ")  # names the field
        if kind is float:
            assert "must be a finite number in" in message or "must be <= population.n" in message


@pytest.mark.parametrize(
    "meta,text",
    [
        (rng_(0.0, 1.0), "a finite number in [0.0, 1.0]"),
        (rng_(0.0, 1.0, lo_open=True), "a finite number in (0.0, 1.0]"),
        (rng_(0.0, 1.0, hi_open=True), "a finite number in [0.0, 1.0)"),
        (rng_(0.0, None), "a finite number in [0.0, 1e9]"),
    ],
)
def test_messages_state_the_range_that_is_checked(meta, text):
    from sim.config import _check_value

    assert describe(meta, "float") == text
    lo, hi = meta["lo"], meta["hi"] if meta["hi"] is not None else LARGEST
    for value, ok in ((lo, not meta["lo_open"]), (hi, not meta["hi_open"]), ((lo + hi) / 2, True)):
        if ok:
            _check_value("x", value, meta)
        else:
            with pytest.raises(ConfigError, match=r"must be " + re.escape(text)):
                _check_value("x", value, meta)


def test_content_limit_is_the_models():
    assert MAX_CONTENTS == KEY_SHIFT


@pytest.mark.parametrize(
    "overrides,message",
    [
        (["population.nn=5"], "population.nn = 5: unknown key; did you mean population.n?"),
        (
            ["policy=bann"],
            "policy = 'bann': must be one of "
            + ", ".join(sorted(p.stem for p in (CONF_DIR / "policy").glob("*.yaml"))),
        ),
        (["population.n=abc"], "population.n = abc: must be an integer in [10, 50000000]"),
        (["ranking.recency_decay=0"], "ranking.recency_decay = 0.0: must be a finite number in (0.0, 1.0]"),
    ],
)
def test_the_notebook_api_raises_the_same_line(overrides, message):
    with pytest.raises(ConfigError) as err:
        compose(*overrides)
    assert str(err.value) == message
