"""The gradebook's records: one :class:`Entry` per submission (or per roster student without
one), its :class:`TaskResult` scores, and the unique *key* that names its files.

Each entry knows its student, the score of every task, the written answers (and their marks
once given), the problems running the notebook and its own remarks (:mod:`.remarks`: not on
the roster, a copy of the solutions master, an untouched student copy...). How entries are made
from what grading learned is :mod:`.build`; how they are written, :mod:`.export`; how they are
kept and merged, :mod:`.state`.

Each entry's *key* names its feedback page, its executed notebook and its lines in the marking
sheets. Keys are unique (capitals aside, for case-insensitive disks), never made by dropping
characters in a way that lets one student take another's (a student whose id is already a safe
file name owns that name; any other id gets a readable form of it plus a digest of the exact id
when that form is taken), and kept in ``gradebook.json``: ``merge`` never recomputes them, and a
regraded student keeps theirs.

This module imports none of the writers: the records come first, every file is drawn from them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from osmcourse.grading.remarks import Remark
from osmcourse.grading.written import WrittenAnswer

NO_SUBMISSION = "no submission"
# Statuses where nothing of the notebook was graded: its written answers are not collected.
NOT_GRADED = ("not a notebook", "not a lab", "wrong lab", "empty folder", NO_SUBMISSION)


@dataclass
class TaskResult:
    """One task's score and the check's verdict and hint."""

    question: str
    score: float
    max_score: float
    feedback: str


@dataclass
class Entry:
    """One gradebook row: a student's submission of one lab (or the lack of one)."""

    key: str
    student: str
    name: str = ""
    lab: str = ""
    lab_title: str = ""
    file: str = ""
    status: str = "ok"
    on_roster: bool = True
    tasks: list[TaskResult] = field(default_factory=list)
    task_max: float = 0.0
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: list[WrittenAnswer] = field(default_factory=list)
    digest: str = ""
    fingerprint: str = ""
    notes: list[Remark] = field(default_factory=list)
    source: str = ""  # a digest of the submission's exact path (file names may not be UTF-8)

    @property
    def total(self) -> float:
        return sum(t.score for t in self.tasks) + sum(w.points or 0.0 for w in self.written)

    @property
    def maximum(self) -> float:
        return self.task_max + sum(w.max_points for w in self.written)

    @property
    def percent(self) -> float | None:
        return 100 * self.total / self.maximum if self.maximum else None

    @property
    def handed_in(self) -> bool:
        """Whether anything was handed in (a roster student without a submission has no file)."""
        return bool(self.file)

    @property
    def unmarked(self) -> int:
        """Written answers still waiting for the instructor's points."""
        return sum(1 for w in self.written if w.points is None)

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain data for ``gradebook.json`` (remarks with their kind and text)."""
        data = asdict(self)
        data["notes"] = [note.to_dict() for note in self.notes]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        names = {f.name for f in cls.__dataclass_fields__.values()}
        values = {k: v for k, v in data.items() if k in names}  # a newer grader's extra fields
        values["tasks"] = [TaskResult(**t) for t in data.get("tasks", [])]
        values["written"] = [WrittenAnswer(**w) for w in data.get("written", [])]
        values["notes"] = [Remark.from_dict(n) for n in data.get("notes", [])]
        return cls(**values)


def assign_keys(entries: list[Entry]) -> list[Entry]:
    """Sort entries and give each one without a key a unique key, safe as a file name.

    Keys already given (read back from ``gradebook.json``) are kept, so a key never moves from
    one student to another. A student whose id is itself a safe file name owns it (the first of
    their entries; the others get ``ID-LAB``, ``ID-LAB-2``...). Any other id is made safe (runs
    of other characters become ``_``) and, when that form is taken or is the form of another id,
    gets ``-`` and a digest of the exact id: ``_ada`` never takes ``ada``'s page, nor ``a da``.
    """
    entries.sort(key=lambda e: (e.student.lower(), e.student, e.lab, e.file))
    owner: dict[str, str] = {}  # each key given (lower case) -> the student it names
    for entry in entries:  # keys given before stay; a damaged or repeated one is given anew
        if entry.key and _safe_name(entry.key) and entry.key.lower() not in owner:
            owner[entry.key.lower()] = entry.student
        else:
            entry.key = ""
    pending = [e for e in entries if not e.key]
    for entry in pending:  # first, every safe id takes its own name (with its first entry)
        if _safe_name(entry.student) and entry.student.lower() not in owner:
            entry.key = entry.student
            owner[entry.key.lower()] = entry.student
    for entry in pending:
        if entry.key:
            continue
        entry.key = next(
            c for c in _candidates(entry, owner) if _safe_name(c) and c.lower() not in owner
        )
        owner[entry.key.lower()] = entry.student
    return entries


def _candidates(entry: Entry, owner: dict[str, str]) -> Iterable[str]:
    """Keys to try, in order, for an entry whose own name (or safe form) is taken."""
    student = entry.student
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
    lab = entry.lab or "x"
    if _safe_name(student):
        # Their own name is taken: by another entry of theirs (then ID-LAB), or by another
        # student, capitals aside ("Ada" when "ada" has it; then ID-DIGEST).
        if owner.get(student.lower()) == student:
            yield f"{student[:60]}-{lab}"
        stem = f"{student[:60]}-{digest[:8]}"
    else:
        base = _slug(student)
        yield base  # the safe form alone only while it is free
        stem = f"{base[:60]}-{digest[:8]}"
    yield stem
    for number_ in range(2, 1000):
        yield f"{stem}-{lab}-{number_}"
    yield f"student-{digest[:60]}"


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,79}")
# Names Windows keeps for devices, whatever follows a dot: a page named so cannot be opened there.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
}


def _safe_name(text: str) -> bool:
    """Whether ``text`` is a file name on every system as it is (ASCII letters, digits, ``._-``)."""
    return (
        bool(_SAFE_NAME.fullmatch(text))
        and not text.endswith(".")
        and text.split(".")[0].lower() not in _RESERVED
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:71].rstrip(".") or "student"
    return slug if _safe_name(slug) else f"student_{slug}"[:71]
