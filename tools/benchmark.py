"""Benchmarks: how long the book takes to build and the labs take to run.

    python tools/benchmark.py               # everything (a few minutes)
    python tools/benchmark.py --only labs   # just the lab run times
    python tools/benchmark.py --only grader # just the grader throughput

It works on a copy of the book in a temporary folder, so the repository and its _build are
never touched. It prints:

* clean build seconds (empty cache: every page with code is executed);
* rebuild seconds after a one-word prose edit in a chapter, and how many pages the rebuild
  re-executed (the execution cache should make that zero);
* the ratio rebuild / clean;
* each lab's run time in a fresh kernel;
* grader throughput: a class of 30 submissions of one lab, graded in parallel kernels.

Wall-clock times depend on the machine; they are recorded here and in the README, never
asserted by tests.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
EDITED_CHAPTER = Path("chapters/readings/open-source-marketing.md")
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", "*.egg-info", ".pytest_cache", "node_modules")


def build(book: Path) -> tuple[float, str]:
    """Build the book at ``book`` as `make build` does; return seconds and the log."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    result = subprocess.run(
        [str(jupyter_book), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"build failed in {book}:\n{log[-3000:]}")
    return seconds, log


def executed_pages(log: str) -> int:
    """How many notebooks myst-nb executed during a build (cache hits are not counted)."""
    return len(re.findall(r"Executing notebook", log))


def edit_one_word(book: Path) -> None:
    """Change one word of prose (not code) in a chapter that has code cells."""
    path = book / EDITED_CHAPTER
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"\bcourse\b", "module", text, count=1)
    if edited == text:
        raise SystemExit(f"no word 'course' to edit in {EDITED_CHAPTER}")
    path.write_text(edited, encoding="utf-8")


def time_labs(book: Path) -> dict[str, float]:
    """Seconds to run each master lab top to bottom in a fresh kernel (start-up included)."""
    times = {}
    for path in sorted((book / "exercises").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        times[path.stem] = time.perf_counter() - start
    return times


def time_grader(book: Path, class_size: int = 30) -> tuple[float, int]:
    """Seconds to grade ``class_size`` copies of the first lab's master; and the row count."""
    from osmcourse.grading import grade

    master = sorted((book / "exercises").glob("*.ipynb"))[0]
    folder = book / "class"
    folder.mkdir()
    for number in range(class_size):
        shutil.copy(master, folder / f"student{number:02d}.ipynb")
    start = time.perf_counter()
    rows = grade([folder], book / "grades.csv", progress=None)
    return time.perf_counter() - start, len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["build", "labs", "grader"], help="run one part only")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="osm-bench-") as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(ROOT, book, ignore=IGNORE)
        if args.only in (None, "build"):
            clean, clean_log = build(book)
            edit_one_word(book)
            rebuild, rebuild_log = build(book)
            print(f"clean build:            {clean:7.1f} s  ({executed_pages(clean_log)} pages executed)")
            print(f"rebuild after one word: {rebuild:7.1f} s  ({executed_pages(rebuild_log)} pages executed)")
            print(f"ratio rebuild / clean:  {rebuild / clean:7.2f}")
        if args.only in (None, "labs"):
            for name, seconds in time_labs(book).items():
                print(f"lab {name + ':':<34} {seconds:5.1f} s")
        if args.only in (None, "grader"):
            seconds, rows = time_grader(book)
            print(f"grader: 30 submissions in {seconds:.1f} s "
                  f"({30 / seconds * 60:.0f} submissions per minute, {rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
