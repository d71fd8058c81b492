"""The gradebook kept between runs (``gradebook.json``), and what folds into it later.

A ``grade`` run saves its entries in its output folder, so that ``merge`` can fold in the
instructor's written marks (:func:`apply_marks`) and students graded again
(:func:`replace_students`), and a new ``grade`` run into the same folder keeps the keys and
marks already given (:func:`carry_over`). Every file is drawn again from the entries
(:func:`osmcourse.grading.export.write_outputs`).

Version 2 keeps each remark with its kind. A version 1 file (remarks as plain text) is still
read: its remarks get their kinds back from the version 1 wording, once, on reading
(:func:`_version_1_remark`); it is written as version 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from osmcourse.grading.entries import Entry, assign_keys
from osmcourse.grading.remarks import RemarkKind
from osmcourse.grading.report import printable, write_atomically

STATE_FILE = "gradebook.json"
STATE_VERSION = 2
READABLE_VERSIONS = (1, 2)


def save_state(entries: list[Entry], folder: Path) -> None:
    data = {"version": STATE_VERSION, "entries": [e.to_dict() for e in entries]}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomically(folder / STATE_FILE, printable(text).encode("utf-8"))


def load_state(folder: Path) -> list[Entry]:
    """The entries a grader run saved in ``folder``.

    Raises:
        FileNotFoundError: ``folder`` holds no gradebook.
        ValueError: the gradebook file is damaged or of another version.
    """
    path = folder / STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {STATE_FILE} in {folder}: is it a folder the grader wrote?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"version {data.get('version')!r}")
        items = data["entries"]
        if data["version"] == 1:
            items = [_version_1_entry(item) for item in items]
        entries = [Entry.from_dict(item) for item in items]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} cannot be read ({error})") from None
    keys: dict[str, Entry] = {}
    for entry in entries:  # a key names one student's page and marks: never two entries
        other = keys.setdefault(entry.key.lower(), entry)
        if other is not entry or not entry.key:
            raise ValueError(
                f"{path} cannot be read: the key {entry.key!r} names two entries "
                f"({other.file or other.student} and {entry.file or entry.student})"
            )
    return entries


# The version 1 wording of each remark an entry kept (the others are made when the files are
# written, never kept): (how the text starts, whether it is the whole text, its kind).
_VERSION_1_WORDING = (
    ("similar to ", False, RemarkKind.SIMILAR),
    ("not on the roster", True, RemarkKind.NOT_ON_ROSTER),
    ("matches several students on the roster: ", False, RemarkKind.SEVERAL_STUDENTS),
    ("its notebook could not be read for the report (", False, RemarkKind.UNREADABLE),
    ("handed in the lab ", False, RemarkKind.OTHER_LAB),
    ("a copy of the solutions master (its metadata says so)", True, RemarkKind.MASTER_COPY),
    ("same code and written answers as the solutions master", True, RemarkKind.MASTER_COPY),
    ("untouched student copy", True, RemarkKind.UNTOUCHED),
)


def _version_1_remark(text: Any) -> dict[str, str]:
    """A remark of a version 1 file (plain text) with its kind, from the version 1 wording.

    Raises:
        ValueError: a text that is none of the version 1 remarks.
    """
    for start, whole, kind in _VERSION_1_WORDING:
        if isinstance(text, str) and (text == start if whole else text.startswith(start)):
            return {"kind": kind.value, "text": text}
    raise ValueError(f"an unknown remark {text!r}")


def _version_1_entry(item: Any) -> Any:
    if isinstance(item, dict) and isinstance(item.get("notes"), list):
        return {**item, "notes": [_version_1_remark(n) for n in item["notes"]]}
    return item


class MergeError(ValueError):
    """Marks or regraded rows that cannot be merged; the message says which and why."""


def apply_marks(
    entries: list[Entry], marks: dict[tuple[str, str], tuple[float | None, str]]
) -> int:
    """Fold the instructor's written marks into the entries; return how many were given.

    Each mark must name exactly one entry by its key (capitals aside: keys are unique so). Raises
    :class:`MergeError`, naming the sheet's line where it is known, for a key that names nobody
    in the gradebook, a question the entry does not have, or points above its maximum; nothing
    is changed then.
    """
    by_key: dict[str, list[Entry]] = {}
    for entry in entries:
        by_key.setdefault(entry.key.lower(), []).append(entry)
    where = getattr(marks, "where", {})
    given = 0
    changes = []
    for (key, question), (points, comment) in sorted(marks.items()):
        line = f"{where[(key, question)]}: " if (key, question) in where else ""
        found = by_key.get(key.lower(), [])
        if len(found) != 1:
            raise MergeError(
                f"{line}the marking sheet names {key!r}, who is "
                + (
                    "not in the gradebook"
                    if not found
                    else f"{len(found)} entries in the gradebook"
                )
                + ": the student column must be a key the grader wrote, as it wrote it"
            )
        entry = found[0]
        answer = next((w for w in entry.written if w.question == question), None)
        if answer is None:
            raise MergeError(f"{line}{key} has no written question {question!r} in the gradebook")
        if points is not None and points > answer.max_points:
            raise MergeError(
                f"{line}{key}, {question}: {points:g} points is more than the {answer.max_points:g} "
                "the question is worth"
            )
        changes.append((answer, points, comment))
    for answer, points, comment in changes:  # all checked first: a refused sheet changes nothing
        answer.points, answer.comment = points, comment
        given += points is not None
    return given


def carry_over(previous: list[Entry], entries: list[Entry]) -> list[Entry]:
    """``entries`` of a new ``grade`` run into a folder an earlier run wrote (``previous``):
    each row of the same student, lab and file keeps its key, and each written answer whose text
    is unchanged keeps the mark and comment given, so running ``grade`` again loses no mark and
    moves no feedback page."""
    old: dict[tuple[str, str, str], Entry] = {}
    for entry in previous:
        old.setdefault((entry.student, entry.lab, entry.source or entry.file), entry)
    taken: dict[str, int] = {}
    matches = []
    for entry in entries:
        match = old.get((entry.student, entry.lab, entry.source or entry.file))
        matches.append(match)
        if match is not None:
            taken[match.key.lower()] = taken.get(match.key.lower(), 0) + 1
    for entry, match in zip(entries, matches):
        if match is None:
            continue
        if taken[match.key.lower()] == 1:
            entry.key = match.key
        marks = {(w.question, w.answer): (w.points, w.comment) for w in match.written}
        for answer in entry.written:
            mark = marks.get((answer.question, answer.answer))
            if mark is not None and (mark[0] is not None or mark[1]):
                answer.points, answer.comment = mark
    return assign_keys(entries)


def replace_students(entries: list[Entry], regraded: list[Entry]) -> tuple[list[Entry], list[str]]:
    """``entries`` with the rows of every student ``regraded`` has a submission for replaced.

    Roster students the regrade found no submission for are left as they were. A written mark
    already given is kept when the regraded answer is the same text.
    Returns the merged entries and the student ids replaced.
    """
    fresh = [e for e in regraded if e.handed_in]
    students = sorted({e.student for e in fresh})
    labs: dict[str, set[str]] = {}
    for e in fresh:
        labs.setdefault(e.student, set()).add(e.lab)
    old_marks = {
        (e.student, e.lab, w.question, w.answer): (w.points, w.comment)
        for e in entries
        for w in e.written
        if w.points is not None or w.comment
    }
    # A student's rows of the regraded labs go, and any row of theirs with no lab at all.
    gone = [e for e in entries if e.student in labs and (e.lab in labs[e.student] or not e.lab)]
    kept = [e for e in entries if not any(e is g for g in gone)]
    # The regraded rows take the keys of the rows they replace (same student and lab), so a
    # student's feedback page and marking-sheet lines keep their name; other keys are given anew.
    old_keys: dict[tuple[str, str], list[str]] = {}
    for e in sorted(gone, key=lambda e: e.key):
        old_keys.setdefault((e.student, e.lab), []).append(e.key)
    for entry in sorted(fresh, key=lambda e: (e.student, e.lab, e.file)):
        keys = old_keys.get((entry.student, entry.lab)) or []
        entry.key = keys.pop(0) if keys else ""
    for entry in fresh:
        for answer in entry.written:
            mark = old_marks.get((entry.student, entry.lab, answer.question, answer.answer))
            if mark is not None and answer.points is None:
                answer.points, answer.comment = mark
    return assign_keys(kept + fresh), students
