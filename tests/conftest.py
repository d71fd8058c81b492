"""Shared paths and fixtures for the test suite."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Sphinx's own test fixtures (make_app, SphinxTestApp) build the small test projects below.
pytest_plugins = ["sphinx.testing.fixtures"]


def build_book(out: Path, env: dict[str, str] | None = None) -> Path:
    """Build the book into ``out`` exactly as `make build` does; return the HTML folder.

    The build log is kept beside it as ``out/build.log``.
    """
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            "build",
            f"VENV={Path(sys.prefix)}",
            f"BUILD_OUT={out}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, **(env or {})},
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
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            "-o",
            str(Path(sys.prefix) / ".installed"),
            "student-pdf",
            f"VENV={Path(sys.prefix)}",
            f"STUDENT_BOOK_OUT={out}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    (out / "pdf.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return out / "_build"


# --- `make test` in parallel (pytest-xdist) -----------------------------------------------

# A test or fixture that takes the session's built book or the student edition's PDF build
# (tests/conftest.py's ``built`` and ``student_pdf_book``).
_TAKES_BUILT = re.compile(r"^\s*def \w+\([^)]*\b(?:built|student_pdf_book)\b", re.M)


def book_files(tests: Path = ROOT / "tests") -> set[str]:
    """The test files (as pytest names them, relative to the repository) whose tests or
    fixtures take the built book."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in sorted(tests.glob("test_*.py"))
        if _TAKES_BUILT.search(path.read_text(encoding="utf-8"))
    }


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test`'s parallel run (``-n N --dist loadfile``): whole files to each worker, as
    loadfile does (a file's module-scoped fixtures, such as a graded class or a browser, are
    made once; a notebook's cells share one kernel under nbval and run in order on one worker),
    except that every file that uses the built book is one unit, so the book is built once.
    The grouping only saves work: ``built`` is per process, so two workers never share a book
    folder (tests/test_pdf.py's `make pdf` rebuilds its own worker's HTML book), and a file
    missed here is still right, only slower (its worker builds a book of its own).

    (Not ``--dist loadgroup`` with ``xdist_group`` marks: pytest-xdist 3.8.0 renames the
    tests for it through an attribute pytest 9.2 no longer reads, so the groups are ignored.)
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    book = book_files()

    class BookOnceScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "the built book" if scope in book else scope

    return BookOnceScheduling(config, log)


@dataclass(frozen=True)
class SmallBuild:
    """The result of one small Sphinx build (see the ``small_book`` fixture)."""

    status: int  # 0: built; 1: Sphinx stopped (with warnings as errors, at the first warning)
    outdir: Path
    warnings: str  # what Sphinx wrote to its warning stream
    error: str  # the error that stopped the build, if any


@pytest.fixture
def small_book(make_app):
    """Build a small Sphinx project in this process, with Sphinx's own test application.

    ``small_book(srcdir, builder="html", builddir=None, warningiserror=True, **confoverrides)``
    reads ``srcdir/conf.py`` and writes into ``builddir/<builder>`` (default
    ``srcdir/_build/<builder>``), always from a fresh environment, like
    ``sphinx-build -E [-W] -b builder -D name=value``. The one place the tests build a small book.
    Errors other than Sphinx's own (a missing visitor: NotImplementedError) propagate.
    """
    from sphinx.errors import SphinxError

    def build(
        srcdir: Path,
        builder: str = "html",
        *,
        builddir: Path | None = None,
        warningiserror: bool = True,
        **confoverrides,
    ) -> SmallBuild:
        app = make_app(
            builder,
            srcdir=Path(srcdir),
            builddir=builddir,
            freshenv=True,
            warningiserror=warningiserror,
            confoverrides=confoverrides,
        )
        status, error = 0, ""
        try:
            app.build()
        except SphinxError as exc:  # as sphinx-build, which reports it and exits non-zero
            status, error = 1, f"{type(exc).__name__}: {exc}"
        finally:
            # Now, not at the end of the test: a second project in the same test registers the
            # same nodes, roles and directives, which Sphinx would warn about (an error under -W).
            app.cleanup()
        return SmallBuild(status, Path(app.outdir), app.warning.getvalue(), error)

    return build


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


def tool(name: str) -> ModuleType:
    """The module ``tools/NAME.py`` (the tools are scripts, not a package), imported once."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# Debian's Chromium, driven by playwright (never a browser download), with the flags that the
# Lighthouse tool also uses (a root user in a closed network: no sandbox, no calls home).
CHROMIUM = tool("lighthouse").CHROMIUM
CHROMIUM_ARGS = tool("lighthouse").CHROME_FLAGS


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
