"""`make test`'s set-up: the system packages are checked all at once before anything runs
(tools/system-deps.sh), nbval runs the labs in `make test` but never in `make test-fast`, and
the parallel run keeps the files that use the built book together."""

from __future__ import annotations

import os
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import _TAKES_BUILT, ROOT, book_files

SCRIPT = ROOT / "tools" / "system-deps.sh"
GROUPS = ["venv", "browser", "spreadsheet", "grader", "pdf"]
EVERY_PACKAGE = [
    "chromium",
    "nodejs",
    "npm",
    "libreoffice-calc-nogui",
    "bubblewrap",
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "latexmk",
    "poppler-utils",
    "fontconfig",
    "fonts-noto-core",
    "fonts-dejavu-core",
    "fonts-symbola",
]
COMMANDS = ["node", "npm", "soffice", "bwrap", "xelatex", "latexmk", "pdftotext"]


def _stub(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _machine(tmp_path: Path, uid: int, present: list[str] = (), fonts: str = "") -> dict[str, str]:
    """A PATH with only the given commands (stubs), an `id` that says ``uid``, and an apt-get
    that records how it was called. Chromium is a stub when "chromium" is in ``present``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "id", f"echo {uid}")
    _stub(bin_dir, "apt-get", f'echo "$@" >> {tmp_path / "apt.log"}')
    (bin_dir / "python3").symlink_to("/usr/bin/python3")
    for name in present:
        if name != "chromium":
            _stub(bin_dir, name, "exit 0")
    if fonts:
        _stub(bin_dir, "fc-list", f"printf '%s\\n' {shlex.quote(fonts)}")
    chromium = (
        _stub(tmp_path, "chromium", "exit 0") if "chromium" in present else tmp_path / "no-chromium"
    )
    return {"PATH": str(bin_dir), "CHROMIUM": str(chromium), "HOME": str(tmp_path)}


def _run(env: dict[str, str], *groups: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), *groups], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_root_every_missing_package_is_listed_with_one_command(tmp_path):
    env = _machine(tmp_path, uid=1000)
    result = _run(env, *GROUPS)
    assert result.returncode == 1
    command = [line for line in result.stderr.splitlines() if "apt-get install" in line]
    assert len(command) == 1, result.stderr
    assert command[0].split() == ["sudo", "apt-get", "install", *EVERY_PACKAGE]
    for package in EVERY_PACKAGE:
        assert f"  {package}: " in result.stderr, package  # each with what needs it
    assert not (tmp_path / "apt.log").exists(), "nothing is installed without root"


def test_only_what_is_missing_is_asked_for(tmp_path):
    env = _machine(
        tmp_path,
        uid=1000,
        present=["chromium", "node", "npm", "soffice", "xelatex", "latexmk", "pdftotext"],
        fonts="/x/NotoSerif.ttf: Noto Serif\n/x/DejaVuSans.ttf: DejaVu Sans",
    )
    result = _run(env, *GROUPS)
    assert result.returncode == 1
    assert "sudo apt-get install bubblewrap fonts-symbola\n" in result.stderr


def test_as_root_the_missing_packages_are_installed_in_one_go(tmp_path):
    env = _machine(tmp_path, uid=0, present=["chromium", "node", "npm"])
    result = _run(env, "browser", "spreadsheet", "grader")
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt.log").read_text(encoding="utf-8").splitlines()
    assert calls == ["update -qq", "install -y -qq libreoffice-calc-nogui bubblewrap"]


def test_nothing_missing_says_nothing(tmp_path):
    env = _machine(
        tmp_path,
        uid=1000,
        present=["chromium", *COMMANDS],
        fonts="Noto Serif\nDejaVu Sans\nSymbola",
    )
    result = _run(env, *GROUPS)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_an_unknown_group_is_an_error(tmp_path):
    result = _run(_machine(tmp_path, uid=1000), "browsers")
    assert result.returncode == 2 and "unknown group 'browsers'" in result.stderr


def _dry_run(target: str) -> list[str]:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={ROOT / '.venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_test_checks_system_packages_first_and_runs_nbval_on_the_labs():
    lines = _dry_run("test")
    deps = next(i for i, line in enumerate(lines) if "system-deps.sh" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert deps == 0 and deps < pytest_line
    command = " ".join(lines[pytest_line : pytest_line + 2]).replace("\\", " ").split()
    assert "--nbval" in command and "exercises" in command and "tests" in command
    assert "not slow" not in " ".join(command)


def test_make_test_fast_runs_no_notebook_and_installs_nothing():
    lines = [line for line in _dry_run("test-fast") if line.strip()]
    (command,) = [line for line in lines if "-m pytest" in line]
    assert '-m "not slow"' in command and "--nbval" not in command
    assert not any(
        "pip install" in line or "-m venv" in line or "apt-get" in line for line in lines
    )
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]
    assert "--nbval" not in settings["addopts"].split() and settings["testpaths"] == ["tests"]


def test_the_files_that_use_the_built_book_are_scheduled_together():
    files = book_files()
    assert {"tests/test_book.py", "tests/test_pdf.py", "tests/test_student_notebooks.py"} <= files
    assert "tests/test_quiz.py" not in files and "tests/test_system_deps.py" not in files


@pytest.mark.parametrize(
    "source, takes",
    [
        ("def test_x(built):\n", True),
        ("def site(\n    built, browser):\n", True),
        ("def test_x(built_book):\n", False),
        ("def test_x(tmp_path):\n    built = 1\n", False),
    ],
)
def test_book_files_finds_tests_and_fixtures_that_take_built(source, takes):
    assert bool(_TAKES_BUILT.search(source)) == takes


def test_the_scheduler_makes_the_book_files_one_unit_and_every_other_file_its_own():
    from types import SimpleNamespace

    from conftest import pytest_xdist_make_scheduler

    config = SimpleNamespace(
        getvalue=lambda name: "loadfile", option=SimpleNamespace(loadscopereorder=True)
    )
    scheduler = pytest_xdist_make_scheduler(config, None)
    scope = scheduler._split_scope
    assert scope("tests/test_book.py::test_build_has_zero_warnings") == scope(
        "tests/test_pdf.py::test_x[a]"
    )
    assert (
        scope("tests/test_quiz.py::test_a")
        == scope("tests/test_quiz.py::test_b")
        == "tests/test_quiz.py"
    )
    assert scope("exercises/head-and-tail.ipynb::Cell 0") == scope(
        "exercises/head-and-tail.ipynb::Cell 9"
    )
    assert scope("exercises/head-and-tail.ipynb::Cell 0") != scope(
        "exercises/trust-and-noise.ipynb::Cell 0"
    )
    other = SimpleNamespace(getvalue=lambda name: "load", option=config.option)
    assert pytest_xdist_make_scheduler(other, None) is None  # another --dist is left alone
