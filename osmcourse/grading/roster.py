"""Who handed in what: student ids for submissions, from a roster or from the file names.

Without a roster a submission's id is the name of its folder under the folder given to the
grader (``submissions/ada/lab.ipynb`` is ``ada``: one folder per student), else its file name
without ``.ipynb`` (``submissions/ada.ipynb`` is ``ada``: one file per student).

A roster is a CSV file with a header row and the columns ``id`` (required), ``name`` and
``pattern`` (optional). ``pattern`` says which submissions are the student's: a glob matched
against the submission's path under the folder given to the grader and against its file name
(``ada_*.ipynb``), or a folder name ending in ``/`` (``ada/``). Without a pattern, a submission
is the student's when the id taken from its name is the student's id (ignoring case, and
comparing accented letters alike however the file system composed them: macOS writes "é" as
"e" plus an accent).

An id taken from a name is the name as text, undecodable bytes shown as U+FFFD; when two
different names would give one id that way, each of them gets its exact form instead, the
bytes written ``\xe9``, so two students never share an id by accident of their names' bytes.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from osmcourse.grading.report import printable


@dataclass(frozen=True)
class Student:
    """One line of a roster."""

    id: str
    name: str = ""
    pattern: str = ""


class RosterError(ValueError):
    """The roster cannot be used; the message says which line and why."""


def read_roster(path: Path) -> list[Student]:
    """The students of a roster CSV file (UTF-8, with or without BOM; commas or semicolons)."""
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise RosterError(f"cannot read the roster {path} ({error.strerror})") from None
    lines = text.splitlines()
    if not lines:
        raise RosterError(f"the roster {path} is empty")
    # A spreadsheet saved in a comma-decimal locale separates with semicolons.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    id_field = next((fields[key] for key in ("id", "student_id", "student") if key in fields), None)
    if id_field is None:
        raise RosterError(f"the roster {path} needs a header row with an 'id' column")
    students: list[Student] = []
    seen: set[str] = set()
    for number, record in enumerate(reader, start=2):
        student_id = (record.get(id_field) or "").strip().lstrip("'")
        if not student_id:
            continue
        if same(student_id) in seen:
            raise RosterError(
                f"the roster {path} lists the id {student_id!r} twice (line {number})"
            )
        seen.add(same(student_id))
        name = (record.get(fields.get("name", ""), "") or "").strip()
        pattern = (record.get(fields.get("pattern", ""), "") or "").strip()
        students.append(Student(student_id, name, pattern))
    if not students:
        raise RosterError(f"the roster {path} lists no students")
    return students


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A roster saved by a spreadsheet as "CSV" on Windows is usually in this code page.
        return raw.decode("cp1252", errors="replace")


def relative_path(path: Path, roots: list[Path]) -> PurePosixPath:
    """``path`` under the first of ``roots`` (folders given to the grader) that holds it."""
    for root in roots:
        for inside, folder in ((path, root), (path.resolve(), root.resolve())):
            if inside == folder:
                return PurePosixPath(path.name)
            try:
                return PurePosixPath(inside.relative_to(folder).as_posix())
            except ValueError:
                continue
    return PurePosixPath(path.name)


def same(text: str) -> str:
    """``text`` as ids are compared: capitals aside, accents composed (NFC) whatever the disk did."""
    return unicodedata.normalize("NFC", text).casefold()


def _name(path: Path, roots: list[Path]) -> str:
    relative = relative_path(path, roots)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def id_from_path(path: Path, roots: list[Path]) -> str:
    """A student id from a submission's folder (under the folder given) or its file name."""
    # File names need not be valid UTF-8; an id must be printable text.
    return printable(_name(path, roots))


def exact_id(path: Path, roots: list[Path]) -> str:
    """The id of :func:`id_from_path` without loss: undecodable bytes written ``\\xe9``."""
    return os.fsencode(_name(path, roots)).decode("utf-8", "backslashreplace")


def ids_from_paths(paths: list[Path], roots: list[Path]) -> dict[Path, str]:
    """Each path's id; names that differ but would print alike get their exact forms."""
    ids = {path: id_from_path(path, roots) for path in paths}
    names: dict[str, set[str]] = {}
    for path in paths:
        names.setdefault(ids[path], set()).add(_name(path, roots))
    for path in paths:
        if len(names[ids[path]]) > 1:
            ids[path] = exact_id(path, roots)
    return ids


def matches(student: Student, path: Path, roots: list[Path]) -> bool:
    """Whether the submission at ``path`` is ``student``'s."""
    relative = relative_path(path, roots)
    if not student.pattern:
        return same(id_from_path(path, roots)) == same(student.id)
    pattern = student.pattern.replace("\\", "/")
    if pattern.endswith("/"):
        folder = pattern.rstrip("/")
        return any(fnmatch.fnmatch(part, folder) for part in relative.parts[:-1])
    return fnmatch.fnmatch(relative.as_posix(), pattern) or fnmatch.fnmatch(relative.name, pattern)


def assign(
    paths: list[Path], roots: list[Path], roster: list[Student] | None
) -> tuple[dict[Path, Student], dict[Path, list[Student]]]:
    """Map each submission to its student.

    Returns the assigned submissions, and the ones matching no student or several (with the
    students they match), which the gradebook lists with an id taken from the file name.
    Without a roster every submission is assigned a student made from its name.
    """
    assigned: dict[Path, Student] = {}
    unassigned: dict[Path, list[Student]] = {}
    ids = ids_from_paths(paths, roots)
    for path in paths:
        if roster is None:
            assigned[path] = Student(ids[path])
            continue
        found = [student for student in roster if matches(student, path, roots)]
        if len(found) == 1:
            assigned[path] = found[0]
        else:
            unassigned[path] = found
    return assigned, unassigned
