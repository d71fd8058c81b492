"""Benchmarks: how long the book takes to build and the labs take to run.

    python tools/benchmark.py               # everything (a few minutes)
    python tools/benchmark.py --only labs   # just the lab run times
    python tools/benchmark.py --only grader # just the grader (--class-size N: N submissions)
    python tools/benchmark.py --only class --class-size 1000  # a class on this one node

It works on a copy of the book in a temporary folder, so the repository and its _build are
never touched. It prints:

* clean build seconds (empty cache: every page with code is executed);
* rebuild seconds after a one-word prose edit in a chapter, and how many pages the rebuild
  re-executed (the execution cache should make that zero);
* the ratio rebuild / clean;
* each lab's run in a fresh kernel, top to bottom: the kernel's CPU seconds (start-up
  included, as the grader's kernels run it: ``MPLBACKEND=agg``, one maths thread) and the
  wall seconds of the same run;
* the grader on a class of 30 copies of the heaviest lab (``--class-size`` to change it),
  graded in parallel kernels with the sandbox on and then off: wall and CPU seconds, and each
  submission's kernel CPU seconds (start-up included) as the grader counts them;
* a class on one node (``--only class``, not part of the full run: ``--class-size`` copies of
  the heaviest lab, default 30, graded once, sandboxed, with the grader's default ``--jobs``,
  one-time costs included as a real run pays them): wall seconds, CPU seconds (the grader's
  own plus every kernel's), notebooks a minute, and the machine's cores and load average at
  the start (a busy machine's figure is not a quiet one's);
* the grader's own process (``--only grader-bounds``, also part of ``grader``): its peak memory
  (``ru_maxrss``) and CPU seconds, kernels excluded, for a batch of 10 solved copies and for the
  batch of hostile copies ``tests/grading_attacks.py`` builds (the key read from a kernel, an
  intercepted ``__import__``, a ``RangeIndex(150_000_000)`` answer, 41 replies of 4 MB, one
  reply of 200 frames of 8 MB, an 18 MB notebook, cells spelt with escapes; the limit attacks:
  unlinked open files, a deep path, many folders, ``memfd`` files, processes named ``bwrap``,
  threads, sleeping cells and answers; and the hostile names: ``_ada.ipynb``, ``;=1+1;``,
  U+FFFF, escape sequences), each batch graded in a fresh grading process;
* ``make pdf``: the whole course as a PDF (LaTeX), then the HTML book again (wall and CPU s);
* Lighthouse (mobile profile) on every page of the book and of a blank default Jupyter Book 1
  book built in the same run, both served with gzip as GitHub Pages serves them
  (``tools/lighthouse.py``; ``--runs N`` runs per page, median; ``--built DIR`` takes an
  already built book instead of building one): per category the lowest and the median
  score, and the slowest page's first and largest contentful paint.

Each measure is one function; ``main`` collects their rows and prints one table at the end.
Times depend on the machine; they are recorded here and in the README, never asserted by tests.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from osmcourse.grading.launch import KERNEL_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
EDITED_CHAPTER = Path("chapters/readings/open-source-marketing.md")
IGNORE = shutil.ignore_patterns(
    "_build",
    ".venv",
    ".venv-*",
    ".git",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    "node_modules",
    ".cache",
)


def build(book: Path) -> tuple[float, str]:
    """Build the book at ``book`` as `make build` does; return seconds and the log."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    result = subprocess.run(
        [str(jupyter_book), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
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


def kernel_cpu_seconds(process: psutil.Process) -> float:
    """CPU seconds (user + system) a kernel process and its waited-for children have used."""
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def run_lab(path: Path) -> tuple[float, float]:
    """Run one lab top to bottom in a fresh kernel; return (kernel CPU s, wall s), start-up included.

    The CPU time is read from the kernel process itself just before it shuts down, so it counts
    the kernel's start-up, imports and every cell, and nothing of this script's own work.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    with client.setup_kernel(env={**os.environ, **KERNEL_SETTINGS}):
        kernel = psutil.Process(client.km.provisioner.pid)
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index)
        cpu = kernel_cpu_seconds(kernel)
    return cpu, time.perf_counter() - start


def time_labs(book: Path) -> dict[str, tuple[float, float]]:
    """Each master lab's (kernel CPU s, wall s) in a fresh kernel, by notebook name."""
    return {path.stem: run_lab(path) for path in sorted((book / "exercises").glob("*.ipynb"))}


HEAVIEST_LAB = "broadcast-or-bazaar"


SANDBOX_ON_AND_OFF = (("on", True), ("off", False))


def time_grader(
    book: Path,
    class_size: int = 30,
    modes: tuple[tuple[str, bool], ...] = SANDBOX_ON_AND_OFF,
) -> dict[str, dict[str, float]]:
    """Grade ``class_size`` copies of the heaviest lab's master once per mode (by default with
    the sandbox on and then off, in this one run; parallel kernels, the grader's default
    ``--jobs``). With more than one mode, one copy is first graded untimed, so that one-time
    costs do not fall on whichever mode runs first; with one mode they are counted, as a real
    run pays them.

    For each mode (``"on"``, ``"off"``): ``wall`` s; ``cpu``, the grader's own CPU s plus every
    kernel's; and each submission's kernel CPU s, start-up included, as the grader read it from
    the kernel's processes just before ending them (``median``, ``max``). A sandbox's pid
    namespace keeps its time out of the grader's ``RUSAGE_CHILDREN``, so both modes are read
    this same way.
    """
    import resource
    import statistics

    from osmcourse.grading import grade

    folder = book / "class"
    folder.mkdir()
    for number in range(class_size):
        shutil.copy(
            book / "exercises" / f"{HEAVIEST_LAB}.ipynb", folder / f"student{number:02d}.ipynb"
        )

    def own_cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return own.ru_utime + own.ru_stime

    # A grading process's one-time costs (its own imports, matplotlib's font list) would fall on
    # whichever mode runs first: one copy graded untimed pays them for both.
    if len(modes) > 1:
        warm_up = book / "class-warm-up"
        warm_up.mkdir()
        shutil.copy(book / "exercises" / f"{HEAVIEST_LAB}.ipynb", warm_up)
        grade([warm_up], book / "grades-warm-up.csv", progress=None)

    measured = {}
    for mode, isolate in modes:
        start_wall, start_cpu = time.perf_counter(), own_cpu()
        submissions = grade([folder], book / f"grades-{mode}.csv", progress=None, isolate=isolate)
        wall, grader_cpu = time.perf_counter() - start_wall, own_cpu() - start_cpu
        if any(
            submission.status not in ("ok", "ran without isolation") for submission in submissions
        ):
            raise SystemExit(
                f"a copy of the {HEAVIEST_LAB} master was not graded cleanly: "
                f"{sorted({submission.status for submission in submissions})}"
            )
        kernels = [submission.cpu_seconds for submission in submissions]
        measured[mode] = {
            "wall": wall,
            "cpu": grader_cpu + sum(kernels),
            "median": statistics.median(kernels),
            "max": max(kernels),
        }
    return measured


def time_class(book: Path, class_size: int) -> dict[str, float | tuple[float, float, float]]:
    """A class on this node: ``class_size`` copies of the heaviest lab graded once, sandboxed,
    with the grader's default ``--jobs``. Returns ``wall`` s, ``cpu`` s (grader + kernels),
    ``per_minute`` notebooks, and the machine at the start: ``cores`` (usable by this process)
    and ``load`` (1, 5 and 15 minute load averages)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()
    graded = time_grader(book, class_size, modes=(("on", True),))["on"]
    return {
        "wall": graded["wall"],
        "cpu": graded["cpu"],
        "per_minute": class_size / graded["wall"] * 60,
        "cores": cores or 1,
        "load": load,
    }


def grader_bounds(book: Path) -> dict[str, dict]:
    """The grading process's own peak memory (MB) and CPU (s) for 10 solved copies and the attacks."""
    sys.path.insert(0, str(ROOT / "tests"))
    import grading_attacks

    measured = {}
    for name, build_batch in (
        ("10 solved copies", lambda f: grading_attacks.solved_batch(f, 10)),
        (
            "attack copies",
            lambda f: [
                *grading_attacks.attack_batch(f),
                *grading_attacks.limit_batch(f),
                *grading_attacks.names_batch(f),
            ],
        ),
    ):
        folder = book / f"bounds-{len(measured)}"
        folder.mkdir()
        start = time.perf_counter()
        result = grading_attacks.measure_grader(build_batch(folder), folder / "grades.csv")
        result["wall"] = time.perf_counter() - start
        result["count"] = len(result["rows"])
        measured[name] = result
    return measured


def time_pdf(book: Path) -> tuple[float, float]:
    """`make pdf` in ``book`` (the whole course as a PDF, then the HTML book again, linking
    to it): (wall s, CPU s of every process it starts). Run after the HTML builds, the
    execution cache is warm, so this is the LaTeX route's own cost plus an HTML rebuild."""
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    start_wall, start_cpu = time.perf_counter(), children_cpu()
    # -o: never reinstall the environment from the copy (its "-e ." would point the package
    # at this temporary folder).
    installed = str(Path(sys.prefix) / ".installed")
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(book),
            "-o",
            installed,
            "pdf",
            f"VENV={sys.prefix}",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"make pdf failed in {book}:\n{(result.stdout + result.stderr)[-3000:]}")
    return time.perf_counter() - start_wall, children_cpu() - start_cpu


def default_book(folder: Path) -> Path:
    """A blank default Jupyter Book 1 book (``jupyter-book create``), built; its HTML folder."""
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    subprocess.run(
        [jupyter_book, "create", str(folder / "default")], check=True, capture_output=True
    )
    subprocess.run(
        [jupyter_book, "build", str(folder / "default")], check=True, capture_output=True
    )
    return folder / "default" / "_build" / "html"


def lighthouse_rows(ours: Path, blank: Path, runs: int) -> list[tuple[str, str]]:
    """Lighthouse on every page of both books (``runs`` runs per page, median), one row per
    page and a summary row per book."""
    sys.path.insert(0, str(ROOT / "tools"))
    import lighthouse

    rows = []
    summaries = {}
    for label, folder in (("ours", ours), ("blank default book", blank)):
        results = lighthouse.audit_site(folder, runs)
        for page, scores in results.items():
            rows.append(
                (
                    f"lighthouse {label}: {page}",
                    f"perf {scores['performance']:3.0f}  a11y {scores['accessibility']:3.0f}  "
                    f"bp {scores['best-practices']:3.0f}  seo {scores['seo']:3.0f}  "
                    f"FCP {scores['fcp']:.2f} s  LCP {scores['lcp']:.2f} s  TBT {scores['tbt']:.0f} ms",
                )
            )
        summaries[label] = (len(results), lighthouse.summary(results))
    for label, (count, line) in summaries.items():
        rows.append(
            (
                f"lighthouse {label} ({count} pages, min / median)",
                "  ".join(f"{name} {value}" for name, value in line.items()),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        choices=["build", "labs", "grader", "class", "grader-bounds", "pdf", "lighthouse"],
        help="run one part only",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        metavar="N",
        help="Lighthouse runs per page; the median is reported (default 3)",
    )
    parser.add_argument(
        "--built",
        type=Path,
        metavar="DIR",
        help="Lighthouse: audit this built book (_build/html) instead of building one",
    )
    parser.add_argument(
        "--class-size",
        type=int,
        default=30,
        metavar="N",
        help="how many submissions the grader and class measures grade (default 30)",
    )
    args = parser.parse_args(argv)

    rows: list[tuple[str, str]] = []  # (measure, result): printed as one table at the end
    with tempfile.TemporaryDirectory(prefix="osm-bench-") as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(ROOT, book, ignore=IGNORE)
        if args.only in (None, "build"):
            clean, clean_log = build(book)
            edit_one_word(book)
            rebuild, rebuild_log = build(book)
            rows += [
                ("clean build", f"{clean:7.1f} s  ({executed_pages(clean_log)} pages executed)"),
                (
                    "rebuild after one word",
                    f"{rebuild:7.1f} s  ({executed_pages(rebuild_log)} pages executed)",
                ),
                ("ratio rebuild / clean", f"{rebuild / clean:7.2f}"),
            ]
        if args.only in (None, "pdf"):
            wall, cpu = time_pdf(book)
            rows.append(("make pdf (PDF, then HTML again)", f"{wall:7.1f} s wall, {cpu:.1f} s CPU"))
        if args.only in (None, "labs"):
            for name, (cpu, wall) in time_labs(book).items():
                rows.append((f"lab {name}", f"kernel CPU {cpu:5.2f} s   wall {wall:5.2f} s"))
        if args.only in (None, "grader"):
            size = args.class_size
            graded = time_grader(book, size)
            on, off = graded["on"], graded["off"]
            rows += [
                (
                    f"grader: {size} x {HEAVIEST_LAB}, sandboxed",
                    f"{on['wall']:7.1f} s wall ({size / on['wall'] * 60:.0f} a minute), {on['cpu']:.1f} s CPU",
                ),
                (
                    "  kernel CPU per submission, start-up included",
                    f"median {on['median']:.2f} s, max {on['max']:.2f} s",
                ),
                (
                    "  sandbox on / off",
                    f"wall {on['wall']:.1f} / {off['wall']:.1f} s = {on['wall'] / off['wall']:.2f}x; "
                    f"CPU {on['cpu']:.1f} / {off['cpu']:.1f} s = {on['cpu'] / off['cpu']:.2f}x",
                ),
            ]
        if args.only == "class":  # on request only: a large class takes its time
            size = args.class_size
            node = time_class(book, size)
            one, five, fifteen = node["load"]
            rows += [
                (
                    f"class: {size} x {HEAVIEST_LAB}, sandboxed, default --jobs",
                    f"{node['wall']:7.1f} s wall, {node['cpu']:.1f} s CPU (grader + kernels), "
                    f"{node['per_minute']:.1f} notebooks a minute",
                ),
                (
                    "  machine at the start",
                    f"{node['cores']} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}",
                ),
            ]
        if args.only in (None, "grader-bounds"):
            for name, result in grader_bounds(book).items():
                rows.append(
                    (
                        f"grader's own process: {name} ({result['count']})",
                        f"peak {result['maxrss_mb']:.0f} MB, {result['cpu']:.1f} s CPU, "
                        f"{result['wall']:.0f} s wall",
                    )
                )
        if args.only in (None, "lighthouse"):
            ours = args.built
            if ours is None:
                ours = book / "_build" / "html"
                if not (ours / "index.html").exists():
                    build(book)
            rows += lighthouse_rows(ours, default_book(Path(tmp)), args.runs)
    width = max(len(measure) for measure, _ in rows) + 1
    for measure, result in rows:
        print(f"{measure + ':':<{width}} {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
