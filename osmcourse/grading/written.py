"""Written answers, graded by hand: collected from the notebooks, marked in a CSV, read back.

A lab's written questions are registered in its check module (``Lab.written_questions``). In a
notebook each has one Markdown answer cell tagged ``written`` whose ``metadata.osmcourse.question``
names it ("w1"); in the master the cell holds a model answer (and the student copy's stub in
``metadata.osmcourse.stub``), in a submission the student's text.

The grader writes ``written-LAB.csv``: one line per student and question, with the question,
its points, the model answer as the rubric, the student's answer, and two empty columns,
``points`` and ``comment``, for the instructor. ``python -m osmcourse merge`` reads them back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osmcourse.grading.report import csv_bytes, number, read_csv, unsafe_text, write_atomically

WRITTEN_TAG = "written"
NO_ANSWER = "No answer."
WRITTEN_COLUMNS = (
    "student",
    "name",
    "question",
    "prompt",
    "max_points",
    "rubric",
    "answer",
    "points",
    "comment",
)
# What the student copy's stub says, whatever its exact wording: "**Your answer (w1):** _write here_".
_STUB_WORDS = re.compile(r"\*\*\s*your answer(\s*\(w\d+\))?\s*:?\s*\*\*|_write here_", re.I)
_STUB_HEAD = re.compile(
    r"^\s*\*\*\s*your answer(\s*\(w\d+\))?\s*:?\s*\*\*\s*(_write here_)?\s*", re.I
)


@dataclass
class WrittenAnswer:
    """One student's answer to one written question, with the instructor's mark once given."""

    question: str
    prompt: str
    max_points: float
    rubric: str = ""
    answer: str = ""
    points: float | None = None
    comment: str = ""


def written_questions(lab: Any) -> dict[str, Any]:
    """The lab's written questions by id, in order (none for a lab that has none yet)."""
    questions = getattr(lab, "written_questions", None) or {}
    return dict(sorted(questions.items(), key=lambda item: _order(item[0])))


def _order(question_id: str) -> tuple[int, str]:
    digits = question_id[1:]
    return (int(digits), "") if digits.isdigit() else (10**6, question_id)


def as_dict(value: Any) -> dict:
    """``value`` if it is a dict, else an empty one: a submission's JSON can hold anything."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def answer_cells(notebook: Any) -> dict[str, str]:
    """The text of each written-answer cell of a notebook, by question id (first cell wins)."""
    found: dict[str, str] = {}
    for cell in as_list(as_dict(notebook).get("cells")):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        metadata = as_dict(cell.get("metadata"))
        question = as_dict(metadata.get("osmcourse")).get("question")
        if WRITTEN_TAG not in as_list(metadata.get("tags")) or not isinstance(question, str):
            continue
        if question not in found:
            source = cell.get("source", "")
            found[question] = "".join(map(str, source)) if isinstance(source, list) else str(source)
    return found


def is_stub(text: str, stubs: set[str] = frozenset()) -> bool:
    """Whether an answer cell still holds only the student copy's stub (nothing written)."""
    stripped = text.strip()
    if not stripped or stripped in stubs:
        return True
    return not _STUB_WORDS.sub("", stripped).strip()


def clean_answer(text: str) -> str:
    """A student's answer without the stub's "**Your answer (w1):** _write here_" around it."""
    return _STUB_HEAD.sub("", text.strip()).replace("_write here_", "").strip()


def rubrics(master: Any) -> tuple[dict[str, str], set[str]]:
    """The model answers of a master notebook by question id, and its stubs."""
    models = answer_cells(master)
    stubs: set[str] = set()
    for cell in as_list(as_dict(master).get("cells")):
        stub = as_dict(as_dict(as_dict(cell).get("metadata")).get("osmcourse")).get("stub")
        if isinstance(stub, str):
            stubs.add(stub.strip())
    return models, stubs


def collect(notebook: Any, lab: Any, master: Any = None) -> list[WrittenAnswer]:
    """The written answers of one submission, one per question of the lab (blank if none)."""
    cells = answer_cells(notebook)
    models, stubs = rubrics(master) if master is not None else ({}, set())
    answers = []
    for question_id, question in written_questions(lab).items():
        text = (
            "" if is_stub(cells.get(question_id, ""), stubs) else clean_answer(cells[question_id])
        )
        answer = WrittenAnswer(
            question_id,
            str(question.prompt),
            float(question.points),
            rubric=models.get(question_id, "").strip(),
            answer=text,
        )
        if not text:  # nothing to read: no points, unless the instructor enters some
            answer.points, answer.comment = 0.0, NO_ANSWER
        answers.append(answer)
    return answers


def write_marking_sheet(out: Path, lines: list[tuple[str, str, WrittenAnswer]]) -> None:
    """``written-LAB.csv``: (student key, name, answer) lines, grouped by question."""
    ordered = sorted(lines, key=lambda line: (_order(line[2].question), line[0]))
    records = [
        (
            key,
            name,
            a.question,
            a.prompt,
            number(a.max_points),
            a.rubric,
            a.answer,
            "" if a.points is None else number(a.points),
            a.comment,
        )
        for key, name, a in ordered
    ]
    write_atomically(out, csv_bytes(WRITTEN_COLUMNS, records, numeric=(4, 7)))


class MarkError(ValueError):
    """A mark in a marking sheet cannot be used; the message names the file and line."""


class Marks(dict):
    """Marks by (student key, question), and where each was read: "written-bass.csv, line 4"."""

    def __init__(self) -> None:
        super().__init__()
        self.where: dict[tuple[str, str], str] = {}


def read_marks(path: Path) -> Marks:
    """The instructor's marks from a marking sheet: (student key, question) -> (points, comment).

    ``points`` is ``None`` where nothing was entered. Raises :class:`MarkError` for a mark that is
    not a number or is negative, or for a student and question given twice with different marks
    (a mark above the question's points, or for nobody in the gradebook, is checked on merging).
    """
    marks = Marks()
    for line, record in enumerate(read_csv(path), start=2):
        key = unsafe_text((record.get("student") or "").strip())
        question = (record.get("question") or "").strip()
        if not key or not question:
            continue
        raw = (record.get("points") or "").strip().replace(",", ".")
        points: float | None = None
        if raw:
            try:
                points = float(raw)
            except ValueError:
                raise MarkError(
                    f"{path.name}, line {line}: points {raw!r} is not a number"
                ) from None
            if not math.isfinite(points) or points < 0:
                raise MarkError(f"{path.name}, line {line}: points {raw!r} must be 0 or more")
        mark = (points, unsafe_text(record.get("comment") or "").strip())
        if (key, question) in marks and marks[(key, question)] != mark:
            raise MarkError(
                f"{path.name}, line {line}: {key}, {question} is marked a second time, differently "
                f"from {marks.where[(key, question)]}: keep one of the two lines"
            )
        marks[(key, question)] = mark
        marks.where.setdefault((key, question), f"{path.name}, line {line}")
    return marks
