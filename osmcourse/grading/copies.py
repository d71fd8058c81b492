"""Copies in a class: a submission that is the solutions master, the untouched student copy, or
a classmate's notebook (byte for byte, or the same code and written answers).

:func:`fingerprint` is a digest of what a student wrote (code cells and written answers,
whitespace at line ends and blank lines ignored; outputs, metadata and the Colab cell left
out): two notebooks with the same fingerprint say the same thing. Each lab's master gives two
references (:func:`references`): the fingerprints of the solutions and of the student copy made
from them. :func:`notebook_remarks` compares one submission with them;
:func:`classmate_remarks` compares the class's entries with each other. Copies with renamed
variables and cells in another order are :mod:`.similarity`'s business.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from osmcourse.grading import remarks
from osmcourse.grading import written as written_answers
from osmcourse.grading.entries import NOT_GRADED, Entry
from osmcourse.grading.remarks import ALIKE_BY_DESIGN, Remark
from osmcourse.grading.written import as_dict, as_list


def fingerprint(notebook: Any, stubs: set[str] = frozenset()) -> str:
    """A digest of what a student wrote: every code cell and written answer, whitespace at line
    ends and blank lines ignored; outputs, metadata and the Colab cell left out."""
    if not isinstance(notebook, dict):
        return ""
    parts = []
    for cell in as_list(notebook.get("cells")):
        if not isinstance(cell, dict):
            continue
        tags = as_list(as_dict(cell.get("metadata")).get("tags"))
        source = cell.get("source", "")
        source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and "colab-setup" not in tags and _normalise(source):
            parts.append("code:" + _normalise(source))
        elif cell.get("cell_type") == "markdown" and written_answers.WRITTEN_TAG in tags:
            parts.append(
                "written:" + ("" if written_answers.is_stub(source, stubs) else _normalise(source))
            )
    return hashlib.sha256("\n\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines() if line.strip())


@dataclass
class Reference:
    """A lab's master, its written-answer stubs and the fingerprints of its two editions."""

    solutions: str
    student: str
    stubs: set[str]
    master: Any


def references(masters: dict[str, Any]) -> dict[str, Reference]:
    """Each master's :class:`Reference`, by lab."""
    from osmcourse.student import make_student_copy

    refs = {}
    for lab, master in masters.items():
        _, stubs = written_answers.rubrics(master)
        copy = make_student_copy(master, "")
        refs[lab] = Reference(fingerprint(master, stubs), fingerprint(copy, stubs), stubs, master)
    return refs


def notebook_remarks(notebook: Any, fingerprint_: str, reference: Reference | None) -> list[Remark]:
    """What one submission is, against its lab's master: a copy of the solutions (its metadata
    says so, or the same code and written answers), the untouched student copy, or neither."""
    found = []
    meta = as_dict(as_dict(as_dict(notebook).get("metadata")).get("osmcourse"))
    if meta.get("edition") == "solutions":
        found.append(remarks.master_by_metadata())
    elif reference and fingerprint_ == reference.solutions:
        found.append(remarks.master_by_code())
    if reference and fingerprint_ == reference.student:
        found.append(remarks.untouched())
    return found


def classmate_remarks(entries: list[Entry]) -> dict[str, list[Remark]]:
    """Per entry key, the classmates it is a copy of: byte for byte, else the same code and
    written answers. Copies alike by design (of the master, untouched) are not compared."""
    by_digest: dict[str, list[Entry]] = {}
    by_print: dict[str, list[Entry]] = {}
    for entry in entries:
        if not entry.handed_in:
            continue
        # Untouched copies and copies of the master are alike by design: their own remark says so.
        if remarks.any_of(entry.notes, ALIKE_BY_DESIGN):
            continue
        if entry.digest:
            by_digest.setdefault(entry.digest, []).append(entry)
        if entry.fingerprint and entry.status not in NOT_GRADED:
            by_print.setdefault(entry.fingerprint, []).append(entry)
    result: dict[str, list[Remark]] = {}
    for entry in entries:
        found = result.setdefault(entry.key, [])
        twins = (
            [e.key for e in by_digest.get(entry.digest, []) if e is not entry]
            if entry.digest
            else []
        )
        if twins and entry in by_digest.get(entry.digest, []):
            found.append(remarks.identical(twins))
        alike = [
            e.key
            for e in by_print.get(entry.fingerprint, [])
            if e is not entry and e.key not in twins
        ]
        if alike and entry in by_print.get(entry.fingerprint, []):
            found.append(remarks.same_code(alike))
    return result
