"""Grade submitted lab notebooks: ``python -m osmcourse grade SUBMISSION... --out grades.csv``.

How a submission is graded:

1. It is read (never written): a file that is not a notebook gets one clear row.
2. Its lab is found from the notebook itself (metadata, else the checks it imports, else its
   label), never from its file name.
3. A copy runs in its own fresh kernel (a separate process), every cell, errors allowed, with
   a time limit per cell and a hard limit for the whole notebook, and output kept to a cap.
4. A last cell, added by the grader, writes the values of the lab's answer variables as JSON
   to a file only the grader knows. The student's own check cells are never trusted: the
   values are judged here, in the grader's process, by the same code the check cells call
   (:mod:`osmcourse.checks`). Redefining ``check`` or the expected values in the notebook
   changes nothing.

Rows: ``submission, lab, question, score, max_score, feedback``, one per question; a row with
question ``run`` reports problems running the notebook. Identical input gives an identical CSV.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

from osmcourse.checks import LAB_MODULES, get_lab
from osmcourse.grading.report import status_counts, summary, write_csv
from osmcourse.grading.rows import COLUMNS, Row
from osmcourse.grading.sandbox import run_notebook

__all__ = ["COLUMNS", "DEFAULT_TIMEOUT", "Row", "find_lab", "find_submissions", "grade",
           "grade_notebook", "status_counts", "summary", "write_csv"]

DEFAULT_TIMEOUT = 60.0


def find_lab(notebook: nbformat.NotebookNode) -> str | None:
    """Which lab a notebook is: its metadata, else the checks it imports, else its label."""
    meta = notebook.get("metadata", {}).get("osmcourse", {})
    if isinstance(meta, dict) and meta.get("lab") in LAB_MODULES:
        return meta["lab"]
    sources = "\n".join(str(cell.get("source", "")) for cell in notebook.get("cells", []))
    for pattern in (r"osmcourse\.checks\s+import\s+(\w+)", r"osmcourse\.checks\.(\w+)", r"^\(lab-(\w+)\)="):
        for name in re.findall(pattern, sources, flags=re.M):
            if name in LAB_MODULES:
                return name
    return None


def find_submissions(paths: list[Path]) -> tuple[list[Path], list[Row]]:
    """The notebooks to grade, and rows for folders that hold none.

    Raises:
        FileNotFoundError: a path does not exist (the grader cannot run at all).
    """
    found: list[Path] = []
    rows: list[Row] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        if path.is_dir():
            notebooks = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not notebooks:
                rows.append(Row(str(path), "", "run", 0, 0, "This folder holds no .ipynb notebooks."))
            found.extend(notebooks)
        else:
            found.append(path)
    return sorted(dict.fromkeys(found)), rows


def grade_notebook(path: Path, timeout: float = DEFAULT_TIMEOUT, expected_lab: str | None = None) -> list[Row]:
    """Grade one submission; never raises for anything the submission contains.

    With ``expected_lab``, a notebook of another lab gets one row saying so and is not run.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except (OSError, UnicodeDecodeError, ValueError, nbformat.reader.NotJSONError) as error:
        return [Row(name, "", "run", 0, 0, f"Not a readable notebook ({type(error).__name__}): nothing was run.")]
    except Exception as error:  # noqa: BLE001 - any malformed structure is a row, not a crash
        return [Row(name, "", "run", 0, 0, f"Not a valid notebook ({type(error).__name__}): nothing was run.")]

    lab_id = find_lab(notebook)
    if lab_id is None:
        return [Row(name, "", "run", 0, 0, "This notebook is not one of the course's labs: nothing was graded.")]
    if expected_lab is not None and lab_id != expected_lab:
        return [Row(name, lab_id, "run", 0, 0,
                    f"This notebook is the lab {lab_id!r}, not {expected_lab!r}: nothing was graded.")]
    lab = get_lab(lab_id)

    answers, problems = run_notebook(notebook, list(lab.answer_names.values()), timeout)
    rows = []
    for number, task in lab.tasks.items():
        if task.answer_name not in answers:
            rows.append(Row(name, lab_id, number, 0, task.points,
                            f"No variable `{task.answer_name}` when the notebook finished."))
            continue
        value = answers[task.answer_name]
        if isinstance(value, dict) and value.get("ellipsis") is True and len(value) == 1:
            value = ...
        feedback = task.check(value)
        rows.append(Row(name, lab_id, number, feedback.points, feedback.max_points, str(feedback)))
    if problems:
        rows.append(Row(name, lab_id, "run", 0, 0, " ".join(problems)))
    return rows


def grade(paths: list[Path], out: Path, timeout: float = DEFAULT_TIMEOUT, jobs: int | None = None,
          progress: Any = sys.stderr, lab: str | None = None) -> list[Row]:
    """Grade every submission under ``paths`` in parallel kernels and write ``out`` (CSV).

    ``lab`` (optional) is the lab the class was set: notebooks of other labs get a row.
    """
    if lab is not None and lab not in LAB_MODULES:
        raise ValueError(f"no lab {lab!r}; the labs are {', '.join(sorted(LAB_MODULES))}")
    submissions, rows = find_submissions(paths)
    # One more kernel than cores: each kernel waits on start-up and messages part of the time.
    jobs = jobs or (os.cpu_count() or 1) + 1
    done = 0
    lock = threading.Lock()

    def one(path: Path) -> list[Row]:
        nonlocal done
        result = grade_notebook(path, timeout, lab)
        with lock:
            done += 1
            _progress(progress, done, len(submissions))
        return result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(one, submissions):
            rows.extend(result)
    rows.sort(key=lambda row: (row.submission, _question_order(row.question)))
    write_csv(rows, out)
    return rows


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


