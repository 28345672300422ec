"""A citable, installable package: metadata, a licence, a citation file with the package's
version, type hints marked, a distribution name other than the import name, and a warning when
a sim.py in the working folder shadows the package."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
import yaml

import sim
from sim.__main__ import shadowing

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_metadata_licence_and_citation():
    assert PYPROJECT["name"] not in ("sim", "sim-py")  # "sim" collides on a package index
    assert PYPROJECT["license"] and PYPROJECT["authors"]
    assert "Typing :: Typed" in PYPROJECT["classifiers"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["version"] == sim.__version__
    assert cff["license"] == "MIT"
    assert (ROOT / "sim" / "py.typed").is_file()
    assert any(PYPROJECT["name"] in dep for dep in PYPROJECT["optional-dependencies"]["dev"])


def test_sim_py_in_the_working_folder_is_named(tmp_path):
    assert shadowing(tmp_path) is None
    (tmp_path / "sim.py").write_text("print('mine')\n")
    assert shadowing(tmp_path).startswith(f"warning: {tmp_path / 'sim.py'} shadows the sim package")
    assert shadowing(ROOT) is None  # the checkout itself holds the package, no sim.py


@pytest.mark.integration
def test_sim_command_warns_in_a_folder_with_sim_py(tmp_path):
    (tmp_path / "sim.py").write_text("print('mine')\n")
    # -P: the working folder is not on the path, as for the installed sim command
    res = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "import sys; sys.argv = ['sim', '--version'];from sim.__main__ import main; main()",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"},
    )
    assert res.returncode == 0 and "shadows the sim package" in res.stderr
    assert res.stdout.startswith("sim ")
