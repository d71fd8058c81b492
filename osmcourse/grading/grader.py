"""The grading run itself: find, read, sandbox-run and judge each submission (see the package's
docstring for the steps)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import psutil

from osmcourse.checks import get_lab
from osmcourse.labs import LABS_BY_ID
from osmcourse.grading.report import write_csv
from osmcourse.grading.rows import COULD_NOT_GRADE, Row, Submission
from osmcourse.grading.limits import size_text
from osmcourse.grading.sandbox import Limits, isolation_problem, run_notebook
from osmcourse.keys import use_grading_key

DEFAULT_TIMEOUT = 60.0
MAX_NOTEBOOK_BYTES = 20_000_000
# Parsing and validating a notebook costs memory per cell and per JSON object, not per byte
# (18 MB of empty cells took nbformat 3 GB): both are counted before nbformat sees the notebook
# (:func:`too_costly_to_parse`).
MAX_CELLS = 2_000
MAX_NOTEBOOK_CONTAINERS = 200_000
NO_ISOLATION_NOTE = (
    "Ran without isolation (--no-isolation): this notebook's code was not sandboxed."
)


class IsolationUnavailable(ValueError):
    """No sandbox here, and running without one was not asked for explicitly."""


def display_name(path: Path) -> str:
    """The path as text for the CSV: bytes that are not UTF-8 become U+FFFD, never an error."""
    return os.fsencode(path).decode("utf-8", "replace")


def find_lab(notebook: Any) -> str | None:
    """Which lab a notebook is: its metadata, else the checks it imports, else its label.

    Never raises, whatever shape the notebook has.
    """
    if not isinstance(notebook, dict):
        return None
    metadata = notebook.get("metadata")
    meta = metadata.get("osmcourse") if isinstance(metadata, dict) else None
    lab = meta.get("lab") if isinstance(meta, dict) else None
    if isinstance(lab, str) and lab in LABS_BY_ID:
        return lab
    cells = notebook.get("cells")
    sources = []
    for cell in cells if isinstance(cells, list) else []:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            sources.append(source)
    text = "\n".join(sources)
    for pattern in (
        r"osmcourse\.checks\s+import\s+(\w+)",
        r"osmcourse\.checks\.(\w+)",
        r"^\(lab-(\w+)\)=",
    ):
        for name in re.findall(pattern, text, flags=re.M):
            if name in LABS_BY_ID:
                return name
    return None


def find_submissions(paths: list[Path]) -> tuple[list[Path], list[Row]]:
    """The notebooks to grade, and rows for folders that hold none.

    Folders are walked without following links; a path named on the command line is
    graded whatever it is (:func:`grade_notebook` gives a row to anything that is not a
    regular notebook file).

    Raises:
        FileNotFoundError: a path does not exist (the grader cannot run at all).
    """
    found: list[Path] = []
    rows: list[Row] = []
    for path in paths:
        try:
            # A folder the instructor names is entered even through a link; links inside are not.
            mode = os.stat(path).st_mode
        except OSError:
            raise FileNotFoundError(f"no such file or folder: {display_name(path)}") from None
        if stat.S_ISDIR(mode):
            notebooks = []
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                notebooks.extend(Path(root) / name for name in files if name.endswith(".ipynb"))
            if not notebooks:
                rows.append(
                    Row(
                        display_name(path),
                        "",
                        "run",
                        0,
                        0,
                        "This folder holds no .ipynb notebooks.",
                    )
                )
            found.extend(notebooks)
        else:
            found.append(path)
    return sorted(dict.fromkeys(found)), rows


def read_submission(path: Path) -> bytes | str:
    """The file's bytes, or why it was not read (a row's text).

    Never blocks and never follows a link: ``lstat`` first, then an ``O_NOFOLLOW |
    O_NONBLOCK`` open, checked again with ``fstat`` (the file may have been swapped between),
    and at most :data:`MAX_NOTEBOOK_BYTES` read.
    """
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISLNK: "a symbolic link",
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISCHR: "a device",
        stat.S_ISBLK: "a device",
        stat.S_ISSOCK: "a socket",
    }

    def not_regular(mode: int) -> str | None:
        for test, what in kinds.items():
            if test(mode):
                return f"This is {what}, not a notebook file: it was not opened."
        return None if stat.S_ISREG(mode) else "This is not a regular file: it was not opened."

    too_big = f"This file is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB: it was not read."
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"This file could not be read ({error.strerror}): nothing was run."
    if (reason := not_regular(info.st_mode)) is not None:
        return reason
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return too_big
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as error:
        return f"This file could not be read ({error.strerror}): nothing was run."
    try:
        info = os.fstat(fd)
        if (reason := not_regular(info.st_mode)) is not None:
            return reason
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_NOTEBOOK_BYTES:
            return too_big
        return b"".join(chunks)
    except OSError as error:
        return f"This file could not be read ({error.strerror}): nothing was run."
    finally:
        os.close(fd)


class _TooManyCells(Exception):
    """Raised from inside the bounded parse as soon as the cells pass :data:`MAX_CELLS`."""


def too_costly_to_parse(raw: bytes) -> str | None:
    """Why ``raw`` is not read as a notebook (a row's text), or None.

    First, on the bytes: the plain ``"cell_type"`` keys, and the JSON arrays and objects
    (each is a ``{`` or ``[``, so the count is an upper bound: text in strings only adds to
    it); past :data:`MAX_NOTEBOOK_CONTAINERS` nothing is parsed. Below it ``json.loads`` costs
    a small multiple of the size, and a hook counts the cells as the parser builds them, escapes
    decoded (``"cell\\u005ftype"`` is a cell too): every object with a ``cell_type`` key and
    every list under a ``cells`` key, wherever and however often they occur (upper bounds of
    what nbformat would read, format 4's cells or format 3's worksheets'). Past
    :data:`MAX_CELLS` the parse stops at once, and nbformat, whose cost is per cell, never
    sees the notebook.
    """
    too_many_cells = f"This notebook has more than {MAX_CELLS:,} cells: it was not read."
    if raw.count(b'"cell_type"') > MAX_CELLS:
        return too_many_cells  # the plain spelling, counted without parsing at all
    if raw.count(b"{") + raw.count(b"[") > MAX_NOTEBOOK_CONTAINERS:
        return f"This notebook holds more than {MAX_NOTEBOOK_CONTAINERS:,} JSON objects and lists: it was not read."
    typed = listed = 0

    def count_cells(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal typed, listed
        for key, value in pairs:
            if key == "cell_type":
                typed += 1  # each cell as it is built: the parse stops early
            elif key == "cells" and isinstance(value, list):
                listed += len(value)  # cells without a type count too
        if typed > MAX_CELLS or listed > MAX_CELLS:
            raise _TooManyCells
        return dict(pairs)

    try:
        json.loads(raw, object_pairs_hook=count_cells)
    except _TooManyCells:
        return too_many_cells
    except (ValueError, RecursionError):
        pass  # not JSON: nbformat's reading says so in its own row
    return None


def grade_notebook(
    path: Path,
    timeout: float = DEFAULT_TIMEOUT,
    expected_lab: str | None = None,
    *,
    isolate: bool = True,
    limits: Limits | None = None,
) -> Submission:
    """Grade one submission; never raises for anything the submission contains or does.

    With ``expected_lab``, a notebook of another lab gets one row saying so and is not run.
    ``isolate=False`` runs it without the sandbox (every run row says so). ``limits``
    overrides the limits derived from ``timeout`` (the notebook's CPU seconds).
    """
    name = display_name(path)
    raw = read_submission(path)
    if isinstance(raw, str):
        status = "no submission" if "could not be read" in raw else "not a notebook"
        return Submission(path, status, "", [Row(name, "", "run", 0, 0, raw)])
    digest = hashlib.sha256(raw).hexdigest()
    if (reason := too_costly_to_parse(raw)) is not None:
        return Submission(path, "not a notebook", "", [Row(name, "", "run", 0, 0, reason)], digest)
    try:
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(notebook.get("cells"), list):
            raise ValueError("no cells")
    except (UnicodeDecodeError, ValueError, nbformat.reader.NotJSONError) as error:
        row = Row(
            name,
            "",
            "run",
            0,
            0,
            f"Not a readable notebook ({type(error).__name__}): nothing was run.",
        )
        return Submission(path, "not a notebook", "", [row], digest)
    except Exception as error:  # noqa: BLE001 - any malformed structure is a row, not a crash
        row = Row(
            name,
            "",
            "run",
            0,
            0,
            f"Not a valid notebook ({type(error).__name__}): nothing was run.",
        )
        return Submission(path, "not a notebook", "", [row], digest)

    lab_id = find_lab(notebook)
    if lab_id is None:
        row = Row(
            name,
            "",
            "run",
            0,
            0,
            "This notebook is not one of the course's labs: nothing was graded.",
        )
        return Submission(path, "not a lab", "", [row], digest, notebook)
    if expected_lab is not None and lab_id != expected_lab:
        row = Row(
            name,
            lab_id,
            "run",
            0,
            0,
            f"This notebook is the lab {lab_id!r}, not {expected_lab!r}: nothing was graded.",
        )
        return Submission(path, "wrong lab", lab_id, [row], digest, notebook)
    lab = get_lab(lab_id)
    # Judge with the key built here from the plain targets (osmcourse.keys), which no graded
    # kernel can see; graded-only tasks have their targets only in this key.
    use_grading_key(lab_id)

    limits = limits or Limits.from_timeout(timeout)
    # Each answer variable with its task's limit on values: the kernel sends nothing larger.
    caps = {task.answer_name: task.max_items for task in lab.tasks.values()}
    result = run_notebook(notebook, caps, limits, isolate=isolate)
    if result.machine_failure is not None:
        # Not the student's doing: no mark at all, a status that asks for a regrade.
        row = Row(
            name,
            lab_id,
            "run",
            0,
            0,
            f"Could not grade: {result.machine_failure} This is a problem of the "
            "grading machine, not of the notebook: grade it again.",
        )
        return Submission(
            path,
            COULD_NOT_GRADE,
            lab_id,
            [row],
            digest,
            notebook,
            result.executed,
            cpu_seconds=result.total_cpu_seconds,
        )
    rows = []
    for number, task in lab.tasks.items():
        if task.answer_name not in result.answers:
            rows.append(
                Row(
                    name,
                    lab_id,
                    number,
                    0,
                    task.points,
                    f"No variable `{task.answer_name}` when the notebook finished.",
                )
            )
            continue
        feedback = task.check(result.answers[task.answer_name])
        rows.append(Row(name, lab_id, number, feedback.points, feedback.max_points, str(feedback)))
    problems = list(result.problems)
    if not isolate:
        problems.append(NO_ISOLATION_NOTE)
    if problems:
        rows.append(Row(name, lab_id, "run", 0, 0, " ".join(problems)))
    statuses = []
    if result.backstop or result.cpu_stop or result.idle_stop:
        statuses.append("timed out")
    if result.limit_reached:
        statuses.append("limit reached")
    if not isolate:
        statuses.append("ran without isolation")
    return Submission(
        path,
        "; ".join(statuses) or "ok",
        lab_id,
        rows,
        digest,
        notebook,
        result.executed,
        wall_clock_stop=result.backstop,
        cpu_seconds=result.total_cpu_seconds,
        # lms hook: each task's answer, for the class report (osmcourse.grading.classreport)
        answers={
            n: result.answers[t.answer_name]
            for n, t in lab.tasks.items()
            if t.answer_name in result.answers
        },
    )


def grade(
    paths: list[Path],
    out: Path,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int | None = None,
    progress: Any = sys.stderr,
    lab: str | None = None,
    *,
    isolate: bool = True,
    limits: Limits | None = None,
    journal: Any = None,
) -> list[Submission]:
    """Grade every submission under ``paths`` in parallel sandboxes; write ``out`` (CSV).

    ``lab`` (optional) is the lab the class was set: notebooks of other labs get a row.
    ``isolate=False`` is the explicit choice to run without a sandbox (where none exists);
    otherwise, with no sandbox available, :class:`IsolationUnavailable` is raised and
    nothing runs. The CSV is written atomically (:func:`report.write_csv`: a temporary file
    in the same folder, then renamed): a half-written file is never left at ``out``.
    ``journal`` (a :class:`~osmcourse.grading.journal.Journal`) saves each result as soon as
    it is graded and gives back the results of an earlier, interrupted run.
    """
    if lab is not None and lab not in LABS_BY_ID:
        raise ValueError(f"no lab {lab!r}; the labs are {', '.join(sorted(LABS_BY_ID))}")
    if isolate and (problem := isolation_problem()) is not None:
        raise IsolationUnavailable(
            f"no sandbox to run students' code in: {problem}. Grade on Linux with bubblewrap installed "
            "(Debian/Ubuntu: apt-get install bubblewrap), for example in a Linux virtual machine, or pass "
            "--no-isolation to run it unprotected."
        )
    if not isolate and progress is not None:
        progress.write(
            "osmcourse grade: running WITHOUT isolation: students' code runs as you, unsandboxed.\n"
        )
    paths_found, empty_rows = find_submissions(paths)
    # One more kernel than cores: each kernel waits on start-up and messages part of the time.
    jobs = max(1, jobs or (os.cpu_count() or 1) + 1)
    # Never more kernels than the machine's memory holds at their limit: an overcommitted host
    # kills kernels that kept to theirs (that would be "could not grade", not a mark, but slow).
    memory = (limits or Limits.from_timeout(timeout)).memory_bytes
    fitting = jobs_that_fit(jobs, memory, psutil.virtual_memory().available)
    if fitting < jobs and progress is not None:
        progress.write(
            f"osmcourse grade: {jobs} notebooks at once, {size_text(memory)} each, is more than the "
            f"{size_text(psutil.virtual_memory().available)} of memory available: grading "
            f"{fitting} at a time.\n"
        )
    jobs = fitting
    done = 0
    lock = threading.Lock()

    def one(path: Path) -> Submission:
        nonlocal done
        result = journal.lookup(path) if journal is not None else None
        try:
            result = result or grade_notebook(path, timeout, lab, isolate=isolate, limits=limits)
        except Exception as error:  # noqa: BLE001 - one submission never stops the batch
            result = Submission(
                path,
                COULD_NOT_GRADE,
                "",
                [
                    Row(
                        display_name(path),
                        "",
                        "run",
                        0,
                        0,
                        f"Could not grade: the grader failed on this file ({type(error).__name__}); "
                        "grade it again.",
                    )
                ],
            )
        if journal is not None:
            journal.record(result)  # at once: a killed grader loses only what it was running
        with lock:
            done += 1
            _progress(progress, done, len(paths_found))
        return result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded = list(pool.map(one, paths_found))
    # Stopped only by the wall clock (maybe the machine was busy), or not graded for a reason of
    # the machine: once more, alone. A second failure of the machine keeps COULD_NOT_GRADE.
    for index, submission in enumerate(graded):
        if submission.wall_clock_stop or submission.status == COULD_NOT_GRADE:
            try:
                graded[index] = grade_notebook(
                    submission.path, timeout, lab, isolate=isolate, limits=limits
                )
            except Exception:  # noqa: BLE001 - the first row stands
                pass
            if journal is not None:
                journal.record(graded[index])
    submissions = graded + [
        Submission(Path(row.submission), "empty folder", "", [row]) for row in empty_rows
    ]
    submissions.sort(key=lambda s: display_name(s.path))
    rows = [row for submission in submissions for row in submission.rows]
    rows.sort(key=lambda row: (row.submission, _question_order(row.question)))
    write_csv(rows, out)  # atomic: a temporary file beside ``out``, then renamed
    return submissions


def jobs_that_fit(jobs: int, memory_bytes: int, available_bytes: int) -> int:
    """How many of ``jobs`` kernels, each limited to ``memory_bytes``, fit in the memory
    available (at least one: a lone kernel over the host's memory is the machine's failure)."""
    return max(1, min(jobs, available_bytes // max(1, memory_bytes)))


def _question_order(question: str) -> tuple[int, str]:
    return (int(question), "") if question.isdigit() else (10**6, question)


def _progress(stream: Any, done: int, total: int) -> None:
    if stream is None or total == 0:
        return
    width = 30
    filled = int(width * done / total)
    stream.write(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        stream.write("\n")
    stream.flush()
