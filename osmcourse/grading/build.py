"""From what grading learned to the gradebook's entries and their remarks.

:func:`build_entries` turns :class:`~osmcourse.grading.rows.Submission` records into
:class:`~osmcourse.grading.entries.Entry` records: one per submission, plus one per student on
the roster who handed in nothing, each with its remarks (:mod:`.remarks`: not on the roster,
another lab, a copy of the solutions master or the untouched student copy (:mod:`.copies`)).
:func:`remarks` adds what only the whole class shows: copies of a classmate's notebook,
several submissions from one student, written answers still to mark.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat

from osmcourse.checks import get_lab
from osmcourse.labs import LABS_BY_ID
from osmcourse.grading import copies, remarks as remark
from osmcourse.grading import written as written_answers
from osmcourse.grading.entries import NO_SUBMISSION, NOT_GRADED, Entry, TaskResult, assign_keys
from osmcourse.grading.remarks import Remark
from osmcourse.grading.report import printable
from osmcourse.grading.roster import Student, assign, ids_from_paths
from osmcourse.grading.rows import Row, Submission
from osmcourse.grading.written import as_list


def as_submissions(result: Iterable[Submission | Row]) -> list[Submission]:
    """Submissions from what ``grading.grade`` returned: Submissions, or (from a grader that
    only reports rows) rows grouped by submission, their status read from the ``run`` row."""
    items = list(result)
    if all(isinstance(item, Submission) for item in items):
        return items  # type: ignore[return-value]
    grouped: dict[str, list[Row]] = {}
    for row in items:
        grouped.setdefault(row.submission, []).append(row)  # type: ignore[union-attr]
    submissions = []
    for name, rows in grouped.items():
        run = " ".join(r.feedback for r in rows if r.question == "run")
        status = "ok"
        for words, meaning in (
            ("Not a readable notebook", "not a notebook"),
            ("Not a valid notebook", "not a notebook"),
            ("not one of the course's labs", "not a lab"),
            ("This notebook is the lab", "wrong lab"),
            ("holds no .ipynb", "empty folder"),
            ("stopped after the", "timed out"),
        ):
            if words in run:
                status = meaning
                break
        submissions.append(Submission(Path(name), status, rows[0].lab, rows))
    return submissions


def load_masters(folder: Path | None) -> dict[str, nbformat.NotebookNode]:
    """The master lab notebooks in ``folder`` by lab name (none if it is missing)."""
    masters: dict[str, nbformat.NotebookNode] = {}
    if folder is None or not folder.is_dir():
        return masters
    for path in sorted(folder.glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a broken master only loses its comparisons
            continue
        lab = (notebook.metadata.get("osmcourse") or {}).get("lab")
        if isinstance(lab, str) and lab in LABS_BY_ID:
            masters[lab] = notebook
    return masters


def error_messages(executed: Any, limit: int = 400) -> list[str]:
    """Each error a code cell of the executed notebook raised: "Code cell 3: ZeroDivisionError: …"."""
    messages: list[str] = []
    if not isinstance(executed, dict):
        return messages
    number_ = 0
    for cell in as_list(executed.get("cells")):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if "__osm_" in ("".join(map(str, source)) if isinstance(source, list) else str(source)):
            continue  # the grader's own cell
        number_ += 1
        for output in as_list(cell.get("outputs")):
            if isinstance(output, dict) and output.get("output_type") == "error":
                value = _ANSI.sub("", str(output.get("evalue", "")))
                value = value if len(value) <= limit else value[:limit] + " …"
                messages.append(
                    f"Code cell {number_}: {output.get('ename', 'Error')}: {value}".rstrip(": ")
                )
    return messages


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def build_entries(
    submissions: list[Submission],
    roots: list[Path],
    roster: list[Student] | None = None,
    expected_lab: str | None = None,
    masters: dict[str, Any] | None = None,
) -> list[Entry]:
    """One entry per submission and one per roster student without any, in a stable order.

    ``roots`` are the files and folders given to the grader (student ids come from paths under
    them); ``masters`` the master notebooks by lab (for the rubric and the copy checks).
    """
    references = copies.references(masters or {})
    paths = [s.path for s in submissions]
    assigned, unassigned = assign(paths, roots, roster)
    strangers = ids_from_paths([p for p in paths if p not in assigned], roots)
    entries: list[Entry] = []
    for submission in sorted(submissions, key=lambda s: str(s.path)):
        student = assigned.get(submission.path)
        notes: list[Remark] = []
        if student is None:
            student = Student(strangers[submission.path])
            others = unassigned.get(submission.path) or []
            notes.append(
                remark.several_students(s.id for s in others) if others else remark.not_on_roster()
            )
        try:
            entry = _entry(
                submission, student, expected_lab, references, notes, on_roster=not notes
            )
        except Exception as error:  # noqa: BLE001 - one odd notebook never stops the reports
            entry = _entry(
                replace(submission, notebook=None, executed=None),
                student,
                expected_lab,
                references,
                notes + [remark.unreadable(type(error).__name__)],
                on_roster=not notes,
            )
        entries.append(entry)
    if roster is not None:
        handed_in = {e.student for e in entries if e.on_roster}
        for student in roster:
            if student.id not in handed_in:
                entries.append(_missing(student, expected_lab))
    return assign_keys(entries)


def _entry(
    submission: Submission,
    student: Student,
    expected_lab: str | None,
    references: dict[str, copies.Reference],
    notes: list[Remark],
    on_roster: bool,
) -> Entry:
    lab_id = expected_lab or submission.lab or ""
    lab = get_lab(lab_id) if lab_id in LABS_BY_ID else None
    status = submission.status or "ok"
    rows = submission.rows
    entry = Entry(
        key="",
        student=student.id,
        name=student.name,
        lab=lab_id,
        lab_title=lab.title if lab else "",
        file=printable(str(submission.path)),
        status=status,
        on_roster=on_roster,
        tasks=[
            TaskResult(r.question, float(r.score), float(r.max_score), r.feedback)
            for r in rows
            if r.question != "run" and submission.lab == lab_id
        ],
        problems=[r.feedback for r in rows if r.question == "run"],
        errors=error_messages(submission.executed),
        digest=submission.digest,
        notes=list(notes),
        source=source_id(submission.path),
    )
    entry.task_max = lab.max_points if lab else sum(t.max_score for t in entry.tasks)
    if submission.lab and submission.lab != lab_id:
        entry.notes.append(remark.other_lab(submission.lab))
    reference = references.get(submission.lab)
    stubs = reference.stubs if reference else set()
    entry.fingerprint = copies.fingerprint(submission.notebook, stubs)
    if lab is not None and status not in NOT_GRADED:
        entry.written = written_answers.collect(
            submission.notebook, lab, reference.master if reference else None
        )
    entry.notes.extend(copies.notebook_remarks(submission.notebook, entry.fingerprint, reference))
    return entry


def source_id(path: Path) -> str:
    """A digest of a submission's exact path, bytes and all (two names that print alike differ)."""
    return hashlib.sha256(os.fsencode(path)).hexdigest()[:32]


def _missing(student: Student, expected_lab: str | None) -> Entry:
    lab = get_lab(expected_lab) if expected_lab in LABS_BY_ID else None
    entry = Entry(
        key="",
        student=student.id,
        name=student.name,
        lab=expected_lab or "",
        lab_title=lab.title if lab else "",
        status=NO_SUBMISSION,
        task_max=lab.max_points if lab else 0.0,
    )
    if lab is not None:
        entry.written = written_answers.collect(None, lab)
    return entry


def remarks(entries: list[Entry]) -> dict[str, list[Remark]]:
    """What the instructor should look at, per entry key: the entry's own remarks, copies of a
    classmate's notebook (byte for byte, or the same code and written answers), several
    submissions from one student, written answers still to mark."""
    by_student: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        if entry.handed_in:
            by_student.setdefault((entry.student, entry.lab), []).append(entry)
    classmates = copies.classmate_remarks(entries)
    result = {entry.key: list(entry.notes) for entry in entries}
    for entry in entries:
        notes = result[entry.key]
        notes.extend(classmates.get(entry.key, []))
        several = by_student.get((entry.student, entry.lab), [])
        if len(several) > 1 and entry.on_roster:
            notes.append(remark.several_submissions(len(several)))
        if entry.unmarked and entry.handed_in:
            notes.append(remark.to_mark(entry.unmarked))
    return result
