"""The command line introduces itself: ``--help`` on one screen naming every tool,
``--version`` naming sim, its commit and Hydra, plain-text tool help with defaults, and
"did you mean" for a misspelt tool or an optional group written without its ``+``."""

from __future__ import annotations

import re

import pytest

from sim.__main__ import TOOLS, not_a_tool
from sim.helptext import plain

from .conftest import run_cli


def test_misspelt_tool_is_named_with_the_closest_tool():
    assert "did you mean collect?" in not_a_tool("colect")
    assert "did you mean report?" in not_a_tool("reprot")
    assert "--help lists them" in not_a_tool("xyzzy")
    for fine in ("policy=ban", "-m", "+experiment=x", "~seed", "collect"):
        assert not_a_tool(fine) is None


def test_plain_strips_markup_and_the_usage_prefix():
    doc = "``python -m sim collect DIR``: a ``multirun`` folder, see :func:`paired`.\n\nMore."
    assert plain(doc) == "A multirun folder, see paired."


@pytest.mark.integration
def test_help_fits_a_screen_and_lists_every_tool():
    res = run_cli("--help")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) <= 45  # one terminal screen (Hydra's default help is ~300 lines)
    for tool in TOOLS:
        assert re.search(rf"^\s+{tool}\b", res.stdout, re.M), tool
    assert "+experiment=" in res.stdout and "policy: " in res.stdout  # overrides, groups


@pytest.mark.integration
def test_version_names_sim_its_commit_and_hydra():
    from sim import __version__

    res = run_cli("--version")
    assert res.returncode == 0
    assert re.fullmatch(
        rf"sim {re.escape(__version__)} \((commit [0-9a-f]{{12}}|not a git "
        r"checkout)\), Hydra 1\.3\.\d+, Mesa [\d.]+, Python [\d.]+\n",
        res.stdout,
    )


@pytest.mark.integration
def test_misspelt_tool_and_optional_group_without_plus():
    res = run_cli("colect", "results")
    assert res.returncode == 2 and res.stderr.strip().endswith("did you mean collect?")
    res = run_cli("experiment=policy_comparison")
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "error: experiment = 'policy_comparison': experiment is not in "
        "the default config; add it with a plus: "
        "+experiment=policy_comparison"
    )


@pytest.mark.integration
@pytest.mark.parametrize("tool", ["collect", "report", "app", "docs"])
def test_tool_help_is_plain_text_with_defaults(tool):
    res = run_cli(tool, "--help")
    assert res.returncode == 0, res.stderr
    assert "``" not in res.stdout and ":func:" not in res.stdout
    assert "(default:" in res.stdout or "(default " in res.stdout
