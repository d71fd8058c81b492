"""Shared paths and fixtures for the test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def build_book(out: Path, env: dict[str, str] | None = None) -> Path:
    """Build the book into ``out`` exactly as `make build` does; return the HTML folder.

    The build log is kept beside it as ``out/build.log``.
    """
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "build", f"VENV={Path(sys.prefix)}",
         f"BUILD_OUT={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800, env={**os.environ, **(env or {})},
    )
    log = result.stdout + result.stderr
    (out / "build.log").write_text(log, encoding="utf-8")
    assert result.returncode == 0, log[-5000:]
    return out / "_build" / "html"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The book, built once per test session (shared by the book and browser tests)."""
    return build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def student_pdf_book(tmp_path_factory) -> Path:
    """`make student-pdf` as a user runs it (the student edition's PDF, then its HTML book
    with the PDF beside it), once per test session: its build folder (``OUT/_build``)."""
    out = tmp_path_factory.mktemp("student-pdf")
    # The environment running the tests is installed already: never reinstall it mid-run.
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "-o", str(Path(sys.prefix) / ".installed"),
         "student-pdf", f"VENV={Path(sys.prefix)}", f"STUDENT_BOOK_OUT={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=2400,
    )
    (out / "pdf.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return out / "_build"


def copy_data_file(name: str, folder: Path) -> Path:
    """A copy of one of the package's data files, to break in a test (the original is safe)."""
    from osmcourse.data import DATA_DIR

    target = folder / name
    target.write_bytes((DATA_DIR / name).read_bytes())
    return target


def rewrite(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file with ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Debian's Chromium, driven by playwright (never a browser download). Flags for a root user in a
# closed network: no sandbox, no background calls home.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (the book, the quizzes, JupyterLab)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
