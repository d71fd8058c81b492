"""Two environments, one source: requirements.txt (the students': Binder, a hub, a laptop) and
requirements-book.txt (building and testing), which includes it. No pin is written twice, the
students' file holds no build or test tool, and Binder reads the students' file only."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest

from conftest import ROOT

STUDENT = ROOT / "requirements.txt"
BOOK = ROOT / "requirements-book.txt"
# Build and test tooling: none of it belongs in a student's image.
TOOLING = re.compile(
    r"^(sphinx|jupyter-book|jupyter-cache|myst-|pytest|playwright|nbval|"
    r"ghp-import|pydata-sphinx-theme|docutils|coverage|deptry|jupytext|pybtex|"
    r"greenlet|alabaster)",
    re.I,
)
# What the labs need, by name; the versions are the file's business.
STUDENT_NEEDS = {
    "jupyterlab",
    "ipykernel",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "networkx",
    "nbformat",
    "nbclient",
    "pyyaml",
    "nbgitpuller",
}
# The package with its instructors' tools (the "classroom" extra: student copies, grading).
PACKAGE_LINES = {"-e .[classroom]"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lines(path: Path) -> list[str]:
    """The requirement lines of a file: comments and blank lines dropped."""
    return [
        line.split(" #")[0].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in lines(path):
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        if match:
            assert canonical(match[1]) not in found, f"{path.name} pins {match[1]} twice"
            found[canonical(match[1])] = match[2]
    return found


def test_the_students_file_pins_every_line_and_installs_the_package_once():
    student = lines(STUDENT)
    package = [line for line in student if line in PACKAGE_LINES]
    assert package == [student[-1]], "exactly one package line, the last"
    unpinned = [line for line in student[:-1] if "==" not in line or line.startswith("-")]
    assert not unpinned, unpinned
    assert len(pins(STUDENT)) == len(student) - 1


def test_the_students_file_holds_what_a_lab_needs_and_no_build_or_test_tool():
    student = pins(STUDENT)
    assert STUDENT_NEEDS <= set(student), STUDENT_NEEDS - set(student)
    tools = sorted(name for name in student if TOOLING.match(name))
    assert not tools, f"build or test tools in requirements.txt: {tools}"


def test_the_book_file_starts_from_the_students_and_repeats_no_pin():
    book = lines(BOOK)
    assert book[0] == "-r requirements.txt"
    assert not [line for line in book if line in PACKAGE_LINES or line.startswith("-e")], (
        "the package line is in requirements.txt only (installed once)"
    )
    unpinned = [line for line in book[1:] if "==" not in line or line.startswith("-")]
    assert not unpinned, unpinned
    twice = sorted(set(pins(BOOK)) & set(pins(STUDENT)))
    assert not twice, f"pinned in both files: {twice}"
    for tool in ("jupyter-book", "sphinx", "pytest", "nbval", "playwright", "ghp-import"):
        assert tool in pins(BOOK), tool


def test_the_package_needs_nothing_the_students_file_leaves_unpinned():
    # pyproject's dependencies and the classroom extra are what `-e .[classroom]` pulls in:
    # each must already be pinned.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["classroom"]]
    needed = {canonical(re.match(r"[A-Za-z0-9._-]+", dep)[0]) for dep in declared}
    assert needed <= set(pins(STUDENT)), needed - set(pins(STUDENT))


def test_a_lab_needs_only_the_base_dependencies():
    # Colab installs the package against its own pins: the base dependencies are the
    # scientific stack a lab imports, never the grader's kernel machinery.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {canonical(re.match(r"[A-Za-z0-9._-]+", dep)[0]) for dep in project["dependencies"]}
    assert base == {"pandas", "numpy", "matplotlib", "networkx", "scipy"}, base


def test_binder_reads_the_students_file_and_runs_no_second_install():
    # repo2docker reads binder/ instead of the root when it exists; without it, it would also
    # run `pip install .` for pyproject.toml after requirements.txt's own package line.
    binder = ROOT / "binder"
    assert lines(binder / "requirements.txt") == ["-r ../requirements.txt"]
    assert (binder / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    assert not (ROOT / "runtime.txt").exists(), "ignored beside binder/: keep one, in binder/"
    # Files that would make repo2docker build another way (or from more than requirements.txt).
    others = [
        "environment.yml",
        "Pipfile",
        "Pipfile.lock",
        "Dockerfile",
        "setup.py",
        "apt.txt",
        "install.R",
        "Project.toml",
    ]
    present = [name for name in others if (binder / name).exists()]
    assert not present, present
    # postBuild only switches the course's Jupyter Server extension on (one command, no install).
    assert sorted(p.name for p in binder.iterdir()) == [
        "postBuild",
        "requirements.txt",
        "runtime.txt",
    ]
    post_build = [
        line
        for line in lines(binder / "postBuild")
        if not line.startswith("#") and line != "set -euo pipefail"
    ]
    assert post_build == ["python -m osmcourse.student.jupyter_server"]
    assert os.access(binder / "postBuild", os.X_OK), "repo2docker runs postBuild only if executable"


def test_this_environment_has_every_pin_of_both_files():
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    wanted = {**pins(STUDENT), **pins(BOOK)}
    wrong = {
        name: (version, installed.get(name))
        for name, version in wanted.items()
        if installed.get(name) != version
    }
    assert not wrong, f"pinned vs installed (run `make install`): {wrong}"


@pytest.mark.slow
def test_the_students_environment_is_exactly_the_students_file():
    # Built by `make student-env` from requirements.txt alone: nothing more, nothing less.
    from test_jupyterlab import student_venv

    python = student_venv() / "bin" / "python"
    frozen = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {
        canonical(line.split("==")[0]): line.split("==")[1]
        for line in frozen.split()
        if "==" in line
    }
    assert installed == pins(STUDENT)
    editable = subprocess.run(
        [str(python), "-m", "pip", "list", "--editable"], capture_output=True, text=True, check=True
    ).stdout
    assert "osmcourse" in editable
    print(
        f"\nstudents' environment: {len(installed)} pinned packages + osmcourse; "
        f"book environment: {len(installed) + len(pins(BOOK))} + osmcourse"
    )
