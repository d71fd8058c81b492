"""The labs' Colab cell, run against Colab's own published pins on the Python Colab uses.

Colab's notebook server depends on the versions Colab ships (its ``notebook`` 6.5 needs a
``jupyter_client`` older than 8). ``tests/colab/colab-pins.txt`` holds Colab's published pins
for every package a lab or that server touches; this test installs exactly those into a
Python 3.12 venv (kept in ``.cache/venvs/`` while the pins stay the same), runs the Colab cell
there with Colab faked and the repository replaced by a copy of this work tree, and checks
that the package was installed, that no pinned version changed, that pip finds nothing
broken, and that every lab runs top to bottom on Colab's versions.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from osmcourse.student.copies import colab_setup_source

from conftest import ROOT
from test_packaging import cached_venv, checkout_without_symlinks, run

pytestmark = pytest.mark.slow

PINS = ROOT / "tests" / "colab" / "colab-pins.txt"
COLAB_PYTHON = [Path("/root/.pyenv/versions/3.12.1/bin/python3.12"), shutil.which("python3.12")]
URL = "https://github.com/EXAMPLE-ORG/open-source-marketing"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(python: Path) -> dict[str, str]:
    listed = run([python, "-m", "pip", "list", "--format=json"])
    assert listed.returncode == 0, listed.stderr
    return {canonical(p["name"]): p["version"] for p in json.loads(listed.stdout)}


def pins() -> dict[str, str]:
    found = {}
    for line in PINS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            found[canonical(name)] = version
    return found


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory) -> Path:
    python = next((p for p in COLAB_PYTHON if p and Path(p).is_file()), None)
    if python is None:
        pytest.skip("no Python 3.12 here (looked for pyenv's 3.12.1 and python3.12 on PATH)")
    venv_python = cached_venv(python, "colab-py312", ["-r", str(PINS)], PINS.read_text("utf-8"))
    # The cached venv may hold the package from an earlier run: Colab starts without it.
    run([venv_python, "-m", "pip", "uninstall", "--yes", "--quiet", "osmcourse"])
    return venv_python


def test_the_colab_cell_installs_the_package_and_changes_none_of_colabs_pins(
    colab_python, tmp_path
):
    before = installed(colab_python)
    wanted = pins()
    assert {name: before.get(name) for name in wanted} == wanted, "the venv is Colab's"

    checkout = checkout_without_symlinks(tmp_path / "checkout")
    cell = colab_setup_source(URL).replace(f"git+{URL}", checkout.as_uri())
    assert cell != colab_setup_source(URL)
    script = (
        "import sys, types\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        f"exec({cell!r})\n"
    )
    result = run([colab_python, "-c", script], cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"Colab: installing the course helper package from {URL}", (
        result.stdout[-3000:]
    )

    after = installed(colab_python)
    changed = {
        name: (version, after.get(name))
        for name, version in before.items()
        if after.get(name) != version
    }
    assert not changed, f"the Colab cell changed Colab's packages: {changed}"
    assert set(after) - set(before) == {"osmcourse"}, set(after) - set(before)
    check = run([colab_python, "-m", "pip", "check"])
    assert check.returncode == 0, check.stdout

    # Every lab, top to bottom, on Colab's versions (the Colab cell does nothing here: the
    # kernel is not Colab's).
    for lab in sorted((checkout / "exercises").glob("*.ipynb")):
        executed = run(
            [
                colab_python,
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=300",
                "--output-dir",
                tmp_path / "executed",
                lab,
            ],
            cwd=checkout,
            timeout=900,
        )
        assert executed.returncode == 0, f"{lab.name}:\n{executed.stderr[-4000:]}"


def test_the_colab_cell_shows_pips_reason_when_it_cannot_install(colab_python, tmp_path):
    # A package that needs a jupyter_client newer than Colab's: the constraints make pip refuse,
    # and the cell shows pip's own error before its sentence, instead of silently upgrading.
    needy = tmp_path / "needy"
    needy.mkdir()
    (needy / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "osmcourse"\nversion = "0"\ndependencies = ["jupyter_client>=8"]\n'
        "[tool.setuptools]\npy-modules = []\n",
        encoding="utf-8",
    )
    before = installed(colab_python)
    cell = colab_setup_source(URL).replace(f"git+{URL}", needy.as_uri())
    script = (
        "import sys, types\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        f"exec({cell!r})\n"
    )
    result = run([colab_python, "-c", script], cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"Colab: installing the course helper package from {URL}"
    assert any(line.startswith("ERROR") for line in lines[1:-1]), lines
    assert lines[-1].startswith(f"Could not install the course helper package from {URL}")
    assert installed(colab_python) == before
