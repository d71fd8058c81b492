"""The package declares what it imports, ships the seeds without a symbolic link, and its labs
run in an environment made from its own dependencies alone (on Python 3.11 and 3.13).

The slow tests make virtual environments. Making one downloads the dependencies (from the
package registry, or pip's cache), so they are kept in ``.cache/venvs/`` at the repository
root (git-ignored), one per Python version and hash of what went into it; delete the folder
to start afresh. The package itself is reinstalled, from a fresh copy, on every run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from osmcourse.student.copies import colab_setup_source

from conftest import ROOT

VENV_CACHE = ROOT / ".cache" / "venvs"
LABS = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
PYTHON_313 = [Path("/root/.pyenv/versions/3.13.0/bin/python3.13"), shutil.which("python3.13")]


def run(command: list[str], cwd: Path = ROOT, timeout: float = 1200) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def git_files() -> list[str]:
    """The files a commit of the work tree would hold (tracked and new, not ignored)."""
    listing = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    assert listing.returncode == 0, listing.stderr
    return [name for name in listing.stdout.split("\0") if name and os.path.lexists(ROOT / name)]


def checkout_without_symlinks(dest: Path) -> Path:
    """A copy of the repository as ``git clone -c core.symlinks=false`` (Git for Windows'
    default) would check it out: a symbolic link becomes a text file holding its target."""
    for name in git_files():
        source, target = ROOT / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.write_text(os.readlink(source), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    return dest


def student_constraints(folder: Path) -> Path:
    """requirements.txt's pins as a pip constraints file (its options and "-e ." dropped)."""
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))]
    path = folder / "constraints.txt"
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def declared_dependencies() -> str:
    """``[project]``'s dependencies and Python version (comments and the rest don't matter)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return repr((project["requires-python"], sorted(project["dependencies"])))


def cached_venv(python: Path | str, name: str, install: list[str], key: str) -> Path:
    """A venv made with ``python`` and ``pip install *install``, reused while the Python
    version and ``key`` (what the install depends on) stay the same; its python."""
    version = run([python, "-c", "import sys; print(sys.version)"]).stdout
    digest = hashlib.sha256(version.encode() + key.encode())
    folder = VENV_CACHE / f"{name}-{digest.hexdigest()[:12]}"
    venv_python = folder / "bin" / "python"
    if not (folder / ".complete").is_file():
        for stale in VENV_CACHE.glob(f"{name}-*"):  # made from what has changed since
            shutil.rmtree(stale, ignore_errors=True)
        made = run([python, "-m", "venv", folder])
        assert made.returncode == 0, made.stderr
        installed = run([venv_python, "-m", "pip", "install", "--quiet", *install])
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        (folder / ".complete").touch()
    return venv_python


def install_package_and_run_labs(venv_python: Path, checkout: Path) -> None:
    """Install ``checkout`` (not editable) into the venv and run every master lab with nbval."""
    installed = run(
        [venv_python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", checkout]
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    # The labs must read the seeds the wheel shipped, not a checkout's seeds/ folder.
    where = run(
        [venv_python, "-c", "import osmcourse.text as t; print(t.SEEDS_DIR)"],
        cwd=checkout / "exercises",
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv_python.parent.parent), where.stdout
    labs = run(
        [
            venv_python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--nbval",
            "--nbval-current-env",
            "--nbval-cell-timeout",
            "120",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
            *[f"exercises/{lab}" for lab in LABS],
        ],
        cwd=checkout,
        timeout=1800,
    )
    assert labs.returncode == 0, labs.stdout[-6000:] + labs.stderr[-2000:]


# --- declared dependencies --------------------------------------------------------------------


def deptry(project: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "deptry", "."], cwd=project, timeout=300)


def test_package_imports_only_what_it_declares():
    result = deptry(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deptry_catches_an_undeclared_import(tmp_path):
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "osmcourse", tmp_path / "osmcourse", ignore=shutil.ignore_patterns("__pycache__")
    )
    module = tmp_path / "osmcourse" / "figures" / "style.py"
    module.write_text(
        module.read_text(encoding="utf-8") + "\nimport bs4  # not declared\n", encoding="utf-8"
    )
    result = deptry(tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode != 0
    # DEP001: not installed at all; DEP003: installed only because something else needs it.
    assert "bs4" in report and ("DEP001" in report or "DEP003" in report), report


# --- no symbolic links; the seeds ship from seeds/ ----------------------------------------------


def test_no_symbolic_links_in_the_repository():
    index = run(["git", "ls-files", "-s"])
    links = [line for line in index.stdout.splitlines() if line.startswith("120000 ")]
    assert not links, f"symbolic links in the git index (git rm --cached them): {links}"
    assert not [name for name in git_files() if (ROOT / name).is_symlink()]


def test_every_subpackage_is_declared_so_the_wheel_ships_it():
    # [tool.setuptools] lists the packages by name: a new folder of code left off the list
    # works in the editable install and is missing from the wheel (Colab installs the wheel).
    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "osmcourse").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert folders <= declared, sorted(folders - declared)


@pytest.mark.slow
def test_wheel_ships_the_seeds_byte_for_byte(tmp_path):
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            tmp_path,
            checkout_without_symlinks(tmp_path / "checkout"),
        ]
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = tmp_path.glob("osmcourse-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        seeds = sorted((ROOT / "seeds").iterdir())
        assert seeds
        for seed in seeds:
            assert archive.read(f"osmcourse/seeds/{seed.name}") == seed.read_bytes(), seed.name
    assert "osmcourse/data/bass_classic_sales.csv" in names
    # Every subpackage ships: pyproject lists them by hand, and a missing one fails only on import.
    for init in sorted((ROOT / "osmcourse").rglob("__init__.py")):
        assert init.relative_to(ROOT).as_posix() in names, f"{init.parent.name} is not in the wheel"
    assert not any(name.startswith("osmcourse/data/seeds") for name in names)
    # Every module ships: a new subpackage (such as osmcourse/quizzes/) is listed in pyproject.
    for path in (ROOT / "osmcourse").rglob("*.py"):
        assert path.relative_to(ROOT).as_posix() in names, f"{path} is not in the wheel"
    # Everything the book's extension serves or renders from the package ships too.
    assert "osmcourse/book/osmBook.cls" in names  # the PDF's document class
    for folder in ("osmcourse/static", "osmcourse/templates"):
        files = [
            path
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]
        assert files, folder
        for path in files:
            assert path.relative_to(ROOT).as_posix() in names, f"{path} is not in the wheel"


# --- the labs in an environment of the package's own dependencies ------------------------------


@pytest.mark.slow
def test_labs_run_from_a_symlink_free_checkout_with_only_the_declared_dependencies(tmp_path):
    checkout = checkout_without_symlinks(tmp_path / "checkout")
    constraints = student_constraints(tmp_path)
    venv_python = cached_venv(
        sys.executable,
        "package-deps",
        [str(checkout), "nbval", "pytest", "-c", str(constraints)],
        declared_dependencies() + constraints.read_text(encoding="utf-8"),
    )
    install_package_and_run_labs(venv_python, checkout)


@pytest.mark.slow
def test_labs_run_on_python_3_13_with_the_student_requirements(tmp_path):
    python = next((p for p in PYTHON_313 if p and Path(p).is_file()), None)
    if python is None:
        pytest.skip("no Python 3.13 here (looked for pyenv's 3.13.0 and python3.13 on PATH)")
    checkout = checkout_without_symlinks(tmp_path / "checkout")
    constraints = student_constraints(tmp_path)
    venv_python = cached_venv(
        python,
        "student-py313",
        ["-r", str(constraints), "nbval", "pytest", "-c", str(constraints)],
        constraints.read_text(encoding="utf-8"),
    )
    install_package_and_run_labs(venv_python, checkout)


# --- the Colab cell ----------------------------------------------------------------------------


def test_colab_cell_shows_pips_reason_and_one_sentence_when_the_install_fails(tmp_path):
    # Colab faked; the "repository" is a folder that does not exist, so pip fails offline.
    url = f"file://{tmp_path / 'no-such-repository'}"
    script = (
        "import sys, types\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        f"exec({colab_setup_source(url)!r})\n"
    )
    result = run([sys.executable, "-c", script], cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"Colab: installing the course helper package from {url}"
    # pip's own reason (its ERROR lines, at most five), then one sentence of ours.
    *reasons, message = lines[1:]
    assert 1 <= len(reasons) <= 5 and all(line.startswith("ERROR") for line in reasons), reasons
    assert message.startswith(f"Could not install the course helper package from {url}")
    assert message.endswith(".") and message.count(". ") == 0, message
    assert "internet" in message and "run this cell again" in message


def test_colab_cell_does_nothing_outside_colab(tmp_path):
    result = run(
        [sys.executable, "-c", colab_setup_source("https://github.com/org/repo")],
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
