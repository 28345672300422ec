"""The layout holds: imports point one way with no cycles, every output column is declared, the
data dictionary is current."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sim
from sim import docs, outcomes

from .conftest import ROOT

PACKAGE = ROOT / "sim"
# Layers, lowest first: a module may import its own layer and the layers below, never above.
LAYERS = [
    {
        "sim.version",
        "sim.vocabulary",
        "sim.config",
        "sim.outcomes",
        "sim.io",
        "sim.stats",
        "sim.provenance",
        "sim.conf",
        "sim.network_file",
        "sim.helptext",
    },
    {"sim.model"},
    {"sim.report"},
    {"sim.configure", "sim.runs", "sim.validation", "sim.docs"},
    {"sim.api", "sim.classroom", "sim", "sim.__main__"},
]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every sim module ``name`` imports, at module level or inside functions alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # "from . import x" may name a module
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def layer_of(name: str) -> int:
    for i, layer in enumerate(LAYERS):
        if name in layer or any(name.startswith(p + ".") for p in layer if p != "sim"):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS")


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_imports_have_no_cycle():
    assert find_cycle(graph()) is None


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_imports_point_down_the_layers():
    wrong = [(a, b) for a, targets in graph().items() for b in targets if layer_of(b) > layer_of(a)]
    assert wrong == []


# Inside sim/model, lowest first: its parts (arrays, their compiled kernels and the threads that run
# them, records, users, contents, rules), the mechanisms of a platform (feed/, auction, watchdogs), the
# actors and the observer that use them (campaigns, a platform, metrics), and the model that puts a
# day in order.
MODEL_LAYERS = [
    {
        "allocation",
        "arrays",
        "kernels",
        "threads",
        "records",
        "attribution",
        "behavior",
        "content",
        "population",
        "follows",
        "sessions",
        "network",
        "levers",
        "targeting",
    },
    {"feed", "auction", "watchdogs"},
    {"campaigns", "platform", "metrics", "measures"},
    {"model", ""},
]


def model_part(name: str) -> str:
    """A module of sim.model as its part: a sub-package counts as one (``feed``)."""
    return name.removeprefix("sim.model").lstrip(".").split(".")[0]


def model_graph() -> dict[str, set[str]]:
    """Imports between the parts of sim.model (a sub-package is one node; inside it, not shown)."""
    edges: dict[str, set[str]] = {}
    for a, targets in graph().items():
        if a == "sim.model" or a.startswith("sim.model."):
            edges.setdefault(model_part(a), set()).update(
                model_part(b)
                for b in targets
                if (b == "sim.model" or b.startswith("sim.model.")) and model_part(b) != model_part(a)
            )
    return edges


def model_layer(part: str) -> int:
    for i, layer in enumerate(MODEL_LAYERS):
        if part in layer:
            return i
    raise AssertionError(f"sim.model.{part} is in no layer: add it to MODEL_LAYERS")


def test_the_models_parts_have_no_cycle():
    """No cycle between sim/model's modules and folders (feed/ and the auction import neither
    each other)."""
    assert find_cycle(model_graph()) is None


def test_the_models_imports_point_down_its_layers():
    wrong = [
        (a, b) for a, targets in model_graph().items() for b in targets if model_layer(b) > model_layer(a)
    ]
    assert wrong == []


def test_the_model_layering_check_sees_a_folder_cycle():
    """The check that failed to see feed/feed.py -> auction -> feed/attribution.py: one node per
    folder makes that a cycle."""
    assert find_cycle({"feed": {"auction"}, "auction": {"feed"}}) == ["auction", "feed", "auction"]
    assert model_part("sim.model.feed.rankers") == "feed" and model_part("sim.model") == ""


def test_drawing_a_figure_does_not_import_the_model():
    code = (
        "import sys, sim.report.figures, sim.report.brief; "
        "print(sorted(m for m in sys.modules if m.startswith(('sim.model', 'sim.runs', 'mesa'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_data_dictionary_is_current():
    assert (ROOT / "docs" / "outputs.md").read_text() == docs.render(), (
        "docs/outputs.md is stale: run python -m sim docs"
    )


def test_plausible_ranges_in_the_model_docs_are_current():
    text = (ROOT / "docs" / "model.md").read_text()
    assert docs.with_ranges(text) == text, "docs/model.md's ranges are stale: run python -m sim docs"


def _check_columns(path: Path, levels) -> None:
    schema = pq.read_schema(path)
    for field in schema:
        outcomes.lookup(field.name, levels)  # raises UndeclaredOutput
        assert field.metadata and b"description" in field.metadata, (path.name, field.name)


@pytest.mark.parametrize("policy", ["none", "ban", "transparency", "cap"])
def test_every_output_column_is_declared(policy, tmp_path):
    sim.simulate(
        f"policy={policy}",
        "scenario=paid_amplifiers",
        "population.n=500",
        "steps=3",
        "network.cache=false",
        out=tmp_path,
    )
    tables = {"steps.parquet": ("step",), "cascades.parquet": ("cascade",), "ad_library.parquet": ("ad",)}
    for name, levels in tables.items():
        if (tmp_path / name).exists():
            _check_columns(tmp_path / name, levels)
    assert (tmp_path / "ad_library.parquet").exists() == (policy == "transparency")
    summary = json.loads((tmp_path / "summary.json").read_text())
    for key in summary:
        if key != "campaigns":
            outcomes.lookup(key, ("run", "provenance"))
    for key in summary["campaigns"][0]:
        outcomes.lookup(key, ("campaign",))


def test_every_collected_column_is_declared(tmp_path):
    sim.sweep(
        "policy=none,ban", "seed=0,1", "population.n=500", "steps=3", "network.cache=false", out=tmp_path
    )
    overrides = ("policy", "seed", "population.n", "steps", "network.cache")
    for name, levels in (
        ("runs", ("collected", "provenance", "run", "campaign")),
        ("steps", ("collected", "provenance", "step")),
        ("cascades", ("collected", "provenance", "cascade")),
    ):
        schema = pq.read_schema(tmp_path / "collected" / f"{name}.parquet")
        for field in schema:
            if field.name not in overrides:
                outcomes.lookup(field.name, levels)
            assert b"description" in field.metadata, (name, field.name)


def test_an_undeclared_column_is_an_error():
    with pytest.raises(outcomes.UndeclaredOutput):
        outcomes.lookup("no_such_column", ("campaign",))
    with pytest.raises(outcomes.UndeclaredOutput, match="undeclared.*extra"):
        outcomes.ordered("run", {**{k: 0 for k in outcomes.names("run", 0)}, "extra": 1}, 0)


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed (the dev extra installs it)")
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [str(ruff), *args, "sim", "tests", "experiments"], cwd=ROOT, capture_output=True, text=True
    )


def test_code_passes_ruff():
    """The linter's rules (pyproject.toml [tool.ruff]) hold for the package, tests and scripts."""
    out = _ruff("check")
    assert out.returncode == 0, out.stdout[-3000:]


def test_code_is_formatted():
    """The package, tests and scripts are as ``ruff format sim tests experiments`` leaves them."""
    out = _ruff("format", "--check")
    assert out.returncode == 0, out.stdout[-3000:] + " (run: ruff format sim tests experiments)"


def _value_at(cfg, key: str):
    """The value a dotted override key sets in a typed Config (through lists, the ranker and
    the policy's levers)."""
    node = cfg
    for part in key.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif hasattr(node, "levers") and part in node.levers:  # policy.<lever>
            node = node.levers[part]
        else:
            node = getattr(node, part)
    return node


def test_every_declared_uncertainty_is_a_config_key():
    """Each range of sim/runs/uncertainties.py names a key the config has: its low and high
    values compose, and land on that key (a renamed key would leave a range acting on nothing)."""
    from sim.configure import compose
    from sim.runs.uncertainties import UNCERTAINTIES

    for end in ("low", "high"):  # all keys at once: one composition per end of the ranges
        values = {u.key: int(getattr(u, end)) if u.integer else getattr(u, end) for u in UNCERTAINTIES}
        cfg = compose(*(f"{k}={v}" for k, v in values.items()))
        assert {k: _value_at(cfg, k) for k in values} == values


def test_the_uncertainty_check_finds_a_key_that_is_not_there():
    from sim.config import ConfigError
    from sim.configure import compose

    with pytest.raises(ConfigError):
        compose("behavior.persuasionn=0.01")
    with pytest.raises(AttributeError):
        _value_at(compose(), "behavior.persuasionn")
