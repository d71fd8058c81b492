"""Every file drawn from the gradebook's entries: ``gradebook.csv`` and ``gradebook.xlsx``,
``written-LAB.csv`` (the marking sheets), ``feedback/KEY.html``, the kept state
(``gradebook.json``) and, on request, each executed notebook. Same entries, byte-identical
files.

The spreadsheet safety is :mod:`.report`'s (:func:`~.report.csv_bytes` neutralises formulas,
:func:`~.report.xlsx_text` keeps to what Excel accepts); here the workbook's cells are also
stored as text, never formulas, and its save time left out so the same entries give the same
bytes.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import nbformat

from osmcourse.checks import get_lab
from osmcourse.labs import LABS_BY_ID
from osmcourse.grading import written as written_answers
from osmcourse.grading.build import remarks, source_id
from osmcourse.grading.entries import Entry
from osmcourse.grading.remarks import texts
from osmcourse.grading.report import csv_bytes, number, printable, write_atomically, xlsx_text
from osmcourse.grading.rows import Submission
from osmcourse.grading.state import STATE_FILE, save_state
from osmcourse.grading.written import WrittenAnswer

GRADEBOOK_CSV = "gradebook.csv"
GRADEBOOK_XLSX = "gradebook.xlsx"
FEEDBACK_FOLDER = "feedback"
# Executed notebooks are written as JSON: structures nested deeper than this (a student's display
# metadata can nest hundreds of levels) are replaced by a note rather than crash the writer.
MAX_DEPTH = 64
TOO_DEEP = f"(nested deeper than {MAX_DEPTH} levels: left out by the grader)"


def columns(entries: list[Entry]) -> tuple[list[str], list[str]]:
    """The task and written-question columns: every one any entry's lab has, in order."""
    tasks: list[str] = []
    questions: list[str] = []
    for lab_id in sorted({e.lab for e in entries if e.lab in LABS_BY_ID}):
        lab = get_lab(lab_id)
        tasks.extend(t for t in lab.tasks if t not in tasks)
        questions.extend(q for q in written_answers.written_questions(lab) if q not in questions)
    for entry in entries:  # tasks of entries whose lab is unknown here
        tasks.extend(t.question for t in entry.tasks if t.question not in tasks)
        questions.extend(w.question for w in entry.written if w.question not in questions)
    tasks.sort(key=lambda t: (int(t), "") if t.isdigit() else (10**6, t))
    return tasks, questions


def table(entries: list[Entry]) -> tuple[list[str], list[list[Any]], set[int]]:
    """Header, rows (numbers as numbers, blanks as ``None``) and the numeric column indexes."""
    tasks, questions = columns(entries)
    header = [
        "student",
        "name",
        "lab",
        *(f"task {t}" for t in tasks),
        *questions,
        "total",
        "maximum",
        "percent",
        "status",
        "remarks",
        "file",
        "feedback",
    ]
    notes = remarks(entries)
    rows = []
    for entry in entries:
        scores = {t.question: t.score for t in entry.tasks}
        marks = {w.question: w.points for w in entry.written}
        percent = entry.percent
        rows.append(
            [
                entry.student,
                entry.name,
                entry.lab,
                *(scores.get(t) for t in tasks),
                *(marks.get(q) for q in questions),
                entry.total,
                entry.maximum,
                None if percent is None else round(percent, 1),
                entry.status,
                "; ".join(texts(notes[entry.key])),
                entry.file,
                f"{FEEDBACK_FOLDER}/{entry.key}.html",
            ]
        )
    numeric = set(range(3, 3 + len(tasks) + len(questions) + 3))
    return header, rows, numeric


def gradebook_csv(entries: list[Entry]) -> bytes:
    header, rows, numeric = table(entries)
    records = [
        [("" if v is None else number(v)) if i in numeric else v for i, v in enumerate(row)]
        for row in rows
    ]
    return csv_bytes(header, records, numeric=numeric)


def gradebook_xlsx(entries: list[Entry]) -> bytes:
    """The gradebook as an Excel workbook (numbers are numbers; text is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows, numeric = table(entries)
    book = Workbook()
    sheet = book.active
    sheet.title = "gradebook"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[1]:
        cell.value = xlsx_text(cell.value)
    for row in rows:
        sheet.append([v if i in numeric else xlsx_text(v) for i, v in enumerate(row)])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
    sheet.freeze_panes = "B2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [min(len(str(r[index - 1] or "")), 60) for r in rows])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            max(8, width + 2), 60
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook, without the save time (in its properties and its zip entries)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", content
                )
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


# --- Writing everything ------------------------------------------------------------------


def write_outputs(entries: list[Entry], folder: Path) -> list[Path]:
    """Every file drawn from the entries: state, gradebook (CSV, XLSX), marking sheets, feedback."""
    from osmcourse.grading.feedback import feedback_html

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    save_state(entries, folder)
    written.append(folder / STATE_FILE)
    write_atomically(folder / GRADEBOOK_CSV, gradebook_csv(entries))
    written.append(folder / GRADEBOOK_CSV)
    if importlib.util.find_spec("openpyxl") is not None:  # pinned; without it, the CSV alone
        write_atomically(folder / GRADEBOOK_XLSX, gradebook_xlsx(entries))
        written.append(folder / GRADEBOOK_XLSX)
    sheets: dict[str, list[tuple[str, str, WrittenAnswer]]] = {}
    for entry in entries:
        if not entry.handed_in:
            continue
        for answer in entry.written:
            sheets.setdefault(entry.lab, []).append((entry.key, entry.name, answer))
    for lab, lines in sorted(sheets.items()):
        path = folder / f"written-{lab}.csv"
        written_answers.write_marking_sheet(path, lines)
        written.append(path)
    feedback = folder / FEEDBACK_FOLDER
    feedback.mkdir(exist_ok=True)
    for entry in entries:
        path = feedback / f"{entry.key}.html"
        write_atomically(path, feedback_html(entry).encode("utf-8"))
        written.append(path)
    return written


def write_executed(submissions: list[Submission], entries: list[Entry], folder: Path) -> list[Path]:
    """Each executed notebook, with its outputs and errors, as ``folder/KEY.ipynb``.

    What a notebook holds never stops the others being written: structures nested deeper than
    :data:`MAX_DEPTH` are replaced by a note, and a notebook that still cannot be written is
    left out (the others are written).
    """
    folder.mkdir(parents=True, exist_ok=True)
    keys = {entry.source: entry.key for entry in entries if entry.source}
    written = []
    for submission in submissions:
        key = keys.get(source_id(submission.path))
        if key is None or submission.executed is None:
            continue
        path = folder / f"{key}.ipynb"
        try:
            text = nbformat.writes(nbformat.from_dict(bounded(submission.executed)))
        except Exception:  # noqa: BLE001 - one odd notebook is left out, never the others
            continue
        write_atomically(path, printable(text).encode("utf-8"))
        written.append(path)
    return written


def bounded(value: Any, depth: int = MAX_DEPTH) -> Any:
    """A copy of a JSON-like ``value`` with every container nested deeper than ``depth``
    replaced by :data:`TOO_DEEP`; keys become text. Iterative: no depth can exhaust the stack."""

    def shallow(item: Any) -> Any:
        if isinstance(item, dict):
            return {}
        if isinstance(item, (list, tuple)):
            return []
        return item if item is None or isinstance(item, (str, int, float, bool)) else str(item)

    root = shallow(value)
    stack = [(value, root, 0)]
    while stack:
        source, target, level = stack.pop()
        if isinstance(source, dict):
            pairs = [(str(k), v) for k, v in source.items()]
        elif isinstance(source, (list, tuple)):
            pairs = list(enumerate(source))
        else:
            continue
        for name, item in pairs:
            nested = isinstance(item, (dict, list, tuple))
            copy = TOO_DEEP if nested and level + 1 >= depth else shallow(item)
            if isinstance(target, dict):
                target[name] = copy
            else:
                target.append(copy)
            if nested and copy is not TOO_DEEP:
                stack.append((item, copy, level + 1))
    return root
