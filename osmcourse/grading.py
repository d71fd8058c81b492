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

import csv
import json
import os
import re
import signal
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from osmcourse.checks import LAB_MODULES, get_lab
from osmcourse.checks.core import CORRECT, UNANSWERED

COLUMNS = ("submission", "lab", "question", "score", "max_score", "feedback")
OUTPUT_CAP_BYTES = 2_000_000  # per submission; the rest is dropped, the run goes on
DEFAULT_TIMEOUT = 60.0

# The grader's own last cell. It runs in the student's kernel, so it relies on nothing the
# student defined: builtins are fetched fresh, values are converted to plain JSON.
_EXTRACT = r'''
def __osm_extract(names, path):
    import builtins, json, math
    def plain(value, depth=0):
        if depth > 4:
            return None
        if value is ... or value is None or isinstance(value, (bool, str)):
            return {"ellipsis": True} if value is ... else value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else repr(value)
        if hasattr(value, "to_dict") and not isinstance(value, dict):
            try:
                value = value.to_dict()
            except Exception:
                return None
        if hasattr(value, "tolist"):
            try:
                return plain(value.tolist(), depth + 1)
            except Exception:
                return None
        if isinstance(value, dict):
            return {builtins.str(k): plain(v, depth + 1) for k, v in builtins.list(value.items())[:1000]}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            return [plain(v, depth + 1) for v in builtins.list(items)[:1000]]
        return {"unsupported": type(value).__name__}
    found = {}
    space = globals()
    for name in names:
        if name in space:
            try:
                found[name] = plain(space[name])
            except Exception:
                found[name] = {"unsupported": "error"}
    with builtins.open(path, "w", encoding="utf-8") as handle:
        json.dump(found, handle)
'''


@dataclass(frozen=True)
class Row:
    submission: str
    lab: str
    question: str
    score: float
    max_score: float
    feedback: str


class _CappedClient(NotebookClient):
    """An nbclient that keeps at most ``OUTPUT_CAP_BYTES`` of output per notebook."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_bytes = 0
        self.truncated = False

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.output_bytes += size
        if self.output_bytes > OUTPUT_CAP_BYTES:
            self.truncated = True
            return None
        return super().output(outs, msg, display_id, cell_index)


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

    answers, problems = _run(notebook, list(lab.answer_names.values()), timeout)
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


def _run(notebook: nbformat.NotebookNode, names: list[str], timeout: float) -> tuple[dict, list[str]]:
    """Execute a copy of ``notebook`` in a fresh kernel; return answer values and problems."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="osm-grade-") as workdir:
        answers_path = Path(workdir) / "answers.json"
        run = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        run.cells = [cell for cell in notebook.cells if cell.get("cell_type") == "code"]
        for cell in run.cells:
            cell.outputs, cell.execution_count = [], None
        extract = _EXTRACT + f"\n__osm_extract({names!r}, {str(answers_path)!r})\n"
        run.cells.append(nbformat.v4.new_code_cell(extract))

        cell_timeout = max(1, int(min(timeout / 2, 30)))
        client = _CappedClient(
            run, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=True, record_timing=False,
            # No command history database: nothing to keep, less start-up work per kernel.
            extra_arguments=["--HistoryManager.enabled=False"],
            error_on_timeout={"ename": "CellTimeout", "evalue": f"stopped after {cell_timeout} s", "traceback": []},
            resources={"metadata": {"path": workdir}},
        )
        killed = threading.Event()

        def kill_kernel() -> None:
            provisioner = getattr(client.km, "provisioner", None)
            pid = getattr(provisioner, "pid", None)
            if pid:
                killed.set()
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

        watchdog = threading.Timer(timeout, kill_kernel)
        watchdog.start()
        # Figures are not graded: the non-interactive backend skips drawing them to PNG.
        # Kernels run side by side, one per core: keep each one's maths to one thread.
        kernel_env = {**os.environ, "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                      "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            client.execute(env=kernel_env)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as error:
            if killed.is_set():
                problems.append(f"The notebook was stopped after the {timeout:g} s limit; answers could not be read.")
            else:
                problems.append(f"The kernel stopped ({type(error).__name__}); answers could not be read.")
        except Exception as error:  # noqa: BLE001 - a broken notebook is a row, not a crash
            problems.append(f"The notebook could not be run ({type(error).__name__}).")
        finally:
            watchdog.cancel()

        for index, cell in enumerate(run.cells[:-1], start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    # A cell past its limit is interrupted: it ends in KeyboardInterrupt.
                    stopped = output.get("ename") in ("CellTimeout", "KeyboardInterrupt")
                    what = f"never finished (stopped after {cell_timeout} s)" if stopped else f"raised {output.get('ename')}"
                    problems.append(f"Code cell {index} {what}.")
                    break
        if client.truncated:
            problems.append(f"Output beyond {OUTPUT_CAP_BYTES // 1_000_000} MB was dropped.")
        try:
            answers = json.loads(answers_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            answers = {}
            if not problems:
                problems.append("The grader could not read the answers.")
    return (answers if isinstance(answers, dict) else {}), problems


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


def write_csv(rows: list[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            values = astuple(row)
            writer.writerow([*values[:3], f"{row.score:g}", f"{row.max_score:g}", values[5]])


def summary(rows: list[Row]) -> str:
    """A readable summary: one line per submission with its score."""
    totals: dict[str, list[float]] = {}
    labs: dict[str, str] = {}
    notes: dict[str, str] = {}
    for row in rows:
        score = totals.setdefault(row.submission, [0.0, 0.0])
        score[0] += row.score
        score[1] += row.max_score
        labs[row.submission] = row.lab or "-"
        if row.question == "run":
            notes[row.submission] = row.feedback
    lines = []
    for name, (got, best) in totals.items():
        note = f"  ({notes[name]})" if name in notes else ""
        lines.append(f"{name}: {labs[name]} {got:g}/{best:g}{note}")
    return "\n".join(lines)


def status_counts(rows: list[Row]) -> dict[str, int]:
    """How many question rows were correct, wrong or unanswered (for the summary line)."""
    counts = {CORRECT: 0, "incorrect": 0, UNANSWERED: 0}
    for row in rows:
        if row.question == "run":
            continue
        if row.score > 0:
            counts[CORRECT] += 1
        elif "not answered yet" in row.feedback or "No variable" in row.feedback:
            counts[UNANSWERED] += 1
        else:
            counts["incorrect"] += 1
    return counts
