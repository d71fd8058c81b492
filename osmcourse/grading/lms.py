"""The gradebook in the layouts two LMSs import: Canvas's and Moodle's grade import CSV.

**Canvas** (Grades > Import). Canvas reads back the layout of its own gradebook export. Its
exporter (``lib/gradebook_exporter.rb`` in instructure/canvas-lms) writes the columns
``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per assignment named
``Name (id)``, and as second row ``"    Points Possible"`` (four spaces) with each
assignment's points. A university's Canvas guide on importing grades (Ohio State's "Import a
CSV file to Carmen grades", teaching.resources.osu.edu) lists what an import needs: the
student's name *or* Canvas ID *or* SIS User ID, the SIS Login ID, the Section and the
assignment's name; and "New assignment columns in the Gradebook generate new assignments".
So a lab whose Canvas assignment id is known (``--canvas-assignment bass=1234``) is written as
``Title (1234)`` and updates that assignment; without it, as ``Title``, and Canvas offers to
create the assignment.

**Moodle** (Grade administration > Import > CSV file). From Moodle's documentation, "Grade
import" (docs.moodle.org/311/en/Grade_import): on the preview "choose the column mapping";
"By default 'Map from' is set to First Name, and 'Map to' to userid. Change both dropdowns
to: 'Email Address' to 'useremail', or to 'Id Number' to 'useridnumber'". So the file has an
``Email address`` and/or ``ID number`` column (whichever the roster gives) and one column per
grade item (a lab's points), mapped to the grade item on import. No feedback column: the same
page warns that importing feedback without grades loses grades, and the feedback pages are
handed back on their own.

The roster carries each student's LMS ids in optional columns (``canvas_id``,
``sis_user_id``, ``sis_login_id``, ``section``, ``email``, ``idnumber``); a roster without them
reads as before. Only roster students are written: a submission matching no one has no LMS
account to post to. A student with several submissions of one lab gets a blank cell (the
instructor decides) and the command says so.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from osmcourse.grading.report import csv_bytes, number, write_atomically

CANVAS_FILE = "gradebook-canvas.csv"
MOODLE_FILE = "gradebook-moodle.csv"
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"  # as Canvas's own export writes it
# Roster columns (lower case, as the roster reader compares them) and what they hold.
LMS_COLUMNS = {
    "canvas_id": "Canvas's numeric user ID (the ID column of a Canvas gradebook export)",
    "sis_user_id": "the SIS User ID",
    "sis_login_id": "the SIS Login ID (the login name)",
    "section": "the Canvas section's name",
    "email": "the e-mail address in the LMS (Moodle: map from 'Email address' to 'useremail')",
    "idnumber": "Moodle's ID number (map from 'ID number' to 'useridnumber')",
}
MOODLE_COLUMNS = {"email": "Email address", "idnumber": "ID number"}


def read_lms_ids(path: Path) -> dict[str, dict[str, str]]:
    """Each roster student's LMS ids (only the columns present and filled), by student id.

    The roster's own reader (:func:`.roster.read_roster`) checks the file and ignores these
    columns; this reads them from the same file.
    """
    from osmcourse.grading.roster import read_roster

    students = read_roster(path)  # the roster's own checks and errors first
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # as the roster reader: a spreadsheet's Windows code page
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    id_field = next(fields[key] for key in ("id", "student_id", "student") if key in fields)
    known = {s.id.lower(): s.id for s in students}
    ids: dict[str, dict[str, str]] = {}
    for record in reader:
        student = known.get((record.get(id_field) or "").strip().lstrip("'").lower())
        if student is None:
            continue
        values = {
            key: (record.get(fields[key]) or "").strip().lstrip("'")
            for key in LMS_COLUMNS
            if key in fields
        }
        values = {key: value for key, value in values.items() if value}
        if values:
            ids[student] = values
    return ids


def _labs(entries: list[Any]) -> list[tuple[str, str, float]]:
    """(lab, title, points possible) of every lab in the gradebook, in order."""
    labs: dict[str, tuple[str, float]] = {}
    for entry in entries:
        if entry.lab:
            title, points = labs.get(entry.lab, (entry.lab_title or entry.lab, 0.0))
            labs[entry.lab] = (title, max(points, entry.maximum))
    return [(lab, title, points) for lab, (title, points) in sorted(labs.items())]


def scores(entries: list[Any]) -> tuple[dict[tuple[str, str], float | None], list[str]]:
    """Each roster student's points per lab (``None``: nothing to post), and the warnings."""
    result: dict[tuple[str, str], float | None] = {}
    several: dict[tuple[str, str], int] = {}
    for entry in entries:
        if not entry.on_roster or not entry.lab:
            continue
        key = (entry.student, entry.lab)
        if entry.handed_in:
            several[key] = several.get(key, 0) + 1
            result[key] = entry.total
        else:
            result.setdefault(key, None)
    warnings = []
    for (student, lab), count in sorted(several.items()):
        if count > 1:
            result[(student, lab)] = None
            warnings.append(
                f"{student} handed in {count} notebooks for {lab}: left blank in the LMS files"
            )
    return result, warnings


def canvas_csv(
    entries: list[Any], lms_ids: dict[str, dict[str, str]], canvas_ids: dict[str, str]
) -> bytes:
    """The gradebook in Canvas's import layout (see the module's docstring)."""
    labs = _labs(entries)
    header = [
        *CANVAS_COLUMNS,
        *(f"{title} ({canvas_ids[lab]})" if lab in canvas_ids else title for lab, title, _ in labs),
    ]
    points, _ = scores(entries)
    records: list[list[str]] = [[POINTS_POSSIBLE, "", "", "", "", *(number(p) for _, _, p in labs)]]
    for student, name in _roster_students(entries):
        ids = lms_ids.get(student, {})
        cells = [points.get((student, lab)) for lab, _, _ in labs]
        records.append(
            [
                name or student,
                ids.get("canvas_id", ""),
                ids.get("sis_user_id", ""),
                ids.get("sis_login_id", ""),
                ids.get("section", ""),
                *("" if c is None else number(c) for c in cells),
            ]
        )
    numeric = range(len(CANVAS_COLUMNS), len(header))
    return csv_bytes(header, records, numeric=numeric)


def moodle_csv(entries: list[Any], lms_ids: dict[str, dict[str, str]]) -> bytes:
    """The gradebook in Moodle's CSV grade import layout (see the module's docstring)."""
    labs = _labs(entries)
    present = [key for key in MOODLE_COLUMNS if any(key in ids for ids in lms_ids.values())] or [
        "email"
    ]
    header = [
        *(MOODLE_COLUMNS[key] for key in present),
        "Full name",
        *(title for _, title, _ in labs),
    ]
    points, _ = scores(entries)
    records = []
    for student, name in _roster_students(entries):
        ids = lms_ids.get(student, {})
        records.append(
            [
                *(ids.get(key, "") for key in present),
                name or student,
                *(
                    "" if points.get((student, lab)) is None else number(points[(student, lab)])
                    for lab, _, _ in labs
                ),
            ]
        )
    numeric = range(len(present) + 1, len(header))
    return csv_bytes(header, records, numeric=numeric)


def _roster_students(entries: Iterable[Any]) -> list[tuple[str, str]]:
    students: dict[str, str] = {}
    for entry in entries:
        if entry.on_roster:
            students.setdefault(entry.student, entry.name)
    return sorted(students.items(), key=lambda item: (item[0].lower(), item[0]))


def missing_ids(entries: list[Any], lms_ids: dict[str, dict[str, str]], layout: str) -> list[str]:
    """Roster students the LMS could not match (no id of the kind the layout needs)."""
    wanted = (
        ("canvas_id", "sis_user_id", "sis_login_id")
        if layout == "canvas"
        else tuple(MOODLE_COLUMNS)
    )
    return [
        student
        for student, _ in _roster_students(entries)
        if not any(lms_ids.get(student, {}).get(key) for key in wanted)
    ]


def write_layouts(entries: list[Any], data: Any, folder: Path) -> list[Path]:
    """Write the layouts ``data.lms`` asks for into ``folder``."""
    written = []
    if "canvas" in data.lms:
        write_atomically(folder / CANVAS_FILE, canvas_csv(entries, data.lms_ids, data.canvas_ids))
        written.append(folder / CANVAS_FILE)
    if "moodle" in data.lms:
        write_atomically(folder / MOODLE_FILE, moodle_csv(entries, data.lms_ids))
        written.append(folder / MOODLE_FILE)
    return written


def warnings(entries: list[Any], data: Any) -> list[str]:
    """What the instructor should know before importing (printed by ``grade`` and ``merge``)."""
    notes = scores(entries)[1] if data.lms else []
    for layout in data.lms:
        missing = missing_ids(entries, data.lms_ids, layout)
        if missing:
            notes.append(
                f"{layout}: no LMS id on the roster for {', '.join(missing)} (the LMS may not match them)"
            )
    return notes
