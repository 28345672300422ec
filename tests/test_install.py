"""Installable anywhere: ``pip install .`` (not editable) into a fresh virtual environment, then
``python -m sim`` and ``sim`` run the default scenario from an unrelated folder, with the configs
that ship inside the package."""

from __future__ import annotations

import json
import site
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.integration  # builds and installs a wheel: deselect with -m 'not integration'


def test_non_editable_install_runs_from_another_folder(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The dependencies are those of this environment (no download of NumPy, Mesa...): a .pth
    # file puts its site-packages on the new one's path; sim itself is installed from a wheel.
    new_site = subprocess.run(
        [py, "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (tmp_path / "venv" / new_site.split(str(venv) + "/", 1)[1] / "deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    install = subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [py, "-c", "import sim; print(sim.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not this checkout
    for name, command in (("module", [py, "-m", "sim"]), ("script", [venv / "bin" / "sim"])):
        out = elsewhere / name
        run = subprocess.run(
            [
                *map(str, command),
                "population.n=1000",
                "steps=3",
                f"hydra.run.dir={out}",
                "network.cache=false",
            ],
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert "money advantage" in run.stdout
        summary = json.loads((out / "summary.json").read_text())
        assert summary["scenario"] == "two_party" and summary["population"] == 1000
