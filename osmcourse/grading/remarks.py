"""The gradebook's remarks: what an instructor should know about an entry, as typed values.

A remark is a :class:`Remark`: a :class:`RemarkKind` (what it says) and its text (how it says
it). Code that decides something from a remark (is this a copy, to skip when comparing
classmates, to list in the class report, to replace when the similarity is computed again)
reads the *kind*, never the text: rewording a remark changes what is written, never who is
flagged. The text is what the gradebook files show, joined by ``"; "`` in its ``remarks``
column, word for word as it was before remarks had kinds.

Every text is made here from :data:`WORDING`, one template per wording; :data:`LOOK_AT`,
:data:`COPIES` and :data:`ALIKE_BY_DESIGN` are the kinds each decision reads.

This module imports nothing of the package: every other grading module may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any


class RemarkKind(Enum):
    """What a remark says. The values are what ``gradebook.json`` keeps."""

    NOT_ON_ROSTER = "not-on-roster"  # the submission matches no student on the roster
    SEVERAL_STUDENTS = "several-students"  # it matches more than one
    UNREADABLE = "unreadable"  # its notebook could not be read for the report
    OTHER_LAB = "other-lab"  # it is another lab than the one set
    MASTER_COPY = "master-copy"  # a copy of the solutions master (metadata, or same code)
    UNTOUCHED = "untouched"  # the student copy as handed out
    IDENTICAL = "identical"  # byte-identical to a classmate's submission
    SAME_CODE = "same-code"  # the same code and written answers as a classmate's
    SIMILAR = "similar"  # own code similar to a classmate's (winnowed fingerprints)
    SEVERAL_SUBMISSIONS = "several-submissions"  # one student handed in this lab more than once
    TO_MARK = "to-mark"  # written answers still waiting for the instructor's points


# Alike by design, so never compared with classmates (their own remark already says what they are).
ALIKE_BY_DESIGN = frozenset({RemarkKind.MASTER_COPY, RemarkKind.UNTOUCHED})
# The copies the command line lists after grading ("to look at (copies)").
COPIES = frozenset({RemarkKind.IDENTICAL, RemarkKind.SAME_CODE, RemarkKind.MASTER_COPY})
# What the class report lists under "Worth a look".
LOOK_AT = COPIES | {RemarkKind.SIMILAR, RemarkKind.UNTOUCHED, RemarkKind.SEVERAL_SUBMISSIONS}


@dataclass(frozen=True)
class Remark:
    """One remark on a gradebook entry: its kind (for decisions) and its text (for people)."""

    kind: RemarkKind
    text: str

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "text": self.text}

    @classmethod
    def from_dict(cls, data: Any) -> Remark:
        """A remark as ``gradebook.json`` keeps it.

        Raises:
            ValueError: not a remark of a known kind.
        """
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError(f"not a remark: {data!r}")
        return cls(RemarkKind(data.get("kind")), data["text"])


# One template per wording (``str.format`` fields): the only place a remark's words are chosen.
WORDING = {
    "not on roster": "not on the roster",
    "several students": "matches several students on the roster: {ids}",
    "unreadable": "its notebook could not be read for the report ({error})",
    "other lab": "handed in the lab {lab!r}",
    "master by metadata": "a copy of the solutions master (its metadata says so)",
    "master by code": "same code and written answers as the solutions master",
    "untouched": "untouched student copy",
    "identical": "byte-identical to {keys}",
    "same code": "same code and written answers as {keys}",
    "similar": "similar to {key} ({percent} %)",
    "several submissions": "{count} submissions for this lab",
    "to mark": "{count} written answer{s} to mark",
}


def _say(kind: RemarkKind, wording: str, **values: Any) -> Remark:
    return Remark(kind, WORDING[wording].format(**values))


def not_on_roster() -> Remark:
    return _say(RemarkKind.NOT_ON_ROSTER, "not on roster")


def several_students(ids: Iterable[str]) -> Remark:
    return _say(RemarkKind.SEVERAL_STUDENTS, "several students", ids=", ".join(ids))


def unreadable(error: str) -> Remark:
    """``error``: the name of the exception reading the notebook raised."""
    return _say(RemarkKind.UNREADABLE, "unreadable", error=error)


def other_lab(lab: str) -> Remark:
    return _say(RemarkKind.OTHER_LAB, "other lab", lab=lab)


def master_by_metadata() -> Remark:
    return _say(RemarkKind.MASTER_COPY, "master by metadata")


def master_by_code() -> Remark:
    return _say(RemarkKind.MASTER_COPY, "master by code")


def untouched() -> Remark:
    return _say(RemarkKind.UNTOUCHED, "untouched")


def identical(keys: Iterable[str]) -> Remark:
    return _say(RemarkKind.IDENTICAL, "identical", keys=", ".join(keys))


def same_code(keys: Iterable[str]) -> Remark:
    return _say(RemarkKind.SAME_CODE, "same code", keys=", ".join(keys))


def similar(key: str, percent: int) -> Remark:
    return _say(RemarkKind.SIMILAR, "similar", key=key, percent=percent)


def several_submissions(count: int) -> Remark:
    return _say(RemarkKind.SEVERAL_SUBMISSIONS, "several submissions", count=count)


def to_mark(count: int) -> Remark:
    return _say(RemarkKind.TO_MARK, "to mark", count=count, s="s" if count > 1 else "")


def texts(items: Iterable[Remark]) -> list[str]:
    """The remarks' texts, in order: what the gradebook files write."""
    return [item.text for item in items]


def any_of(items: Iterable[Remark], kinds: Iterable[RemarkKind]) -> bool:
    """Whether any of the remarks is of one of ``kinds``."""
    wanted = frozenset(kinds)
    return any(item.kind in wanted for item in items)
