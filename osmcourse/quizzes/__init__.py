"""The reading checks as data: one YAML file of questions per reading chapter.

``chapters/readings/quizzes/<chapter>.yml`` is the one source that the page (the ``quiz``
directive, :mod:`osmcourse.book.quiz`), the PDF, the instructors' answer keys (the
``quiz-answers`` directive) and the LMS export (:mod:`osmcourse.quizzes.export`) all read.

This package: the questions' model and their loader (here), one module per LMS format
(:mod:`~osmcourse.quizzes.gift` for Moodle, :mod:`~osmcourse.quizzes.qti` for Canvas) and the
seam between them, :mod:`~osmcourse.quizzes.export` (the registry of formats). It imports
nothing of the Sphinx extension or the grader. The question files are book content, found
under the book's root (:func:`osmcourse.bookconfig.find_book_root`), not package data.

A file looks like this::

    chapter: chapters/readings/lyssna      # the page the questions follow
    questions:
      - id: two-step                        # unique in the file: letters, digits, hyphens
        source: "¶9 of the text; Critique"  # where in the chapter the answer is
        prompt: Which hypothesis does the first commenter name?
        choices:                            # 3 to 5; exactly one is correct
          - text: The two-step flow
            correct: true
            why: It is named in ¶9 ...      # every choice explains itself
          - text: ...
            why: ...
      - id: year
        source: Context
        prompt: In which year ...?
        answer: 2000                        # a short numeric question
        tolerance: 0                        # optional: accepted distance from the answer
        why: ...                            # shown when the answer is right
        hint: ...                           # shown when it is wrong (gives nothing away)

:func:`load_quiz` checks the shape and raises :class:`QuizError` naming the file and the
question; a malformed file fails the book's build rather than showing a broken quiz.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from osmcourse.bookconfig import QUIZZES_FOLDER, find_book_root

QUIZ_DIR = find_book_root() / QUIZZES_FOLDER
MIN_QUESTIONS, MAX_QUESTIONS = 4, 6
MIN_CHOICES, MAX_CHOICES = 3, 5
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class QuizError(ValueError):
    """A question file that does not have the expected shape."""


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice question, with the reason it is right or wrong."""

    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    """A multiple-choice question (``choices``) or a short numeric one (``answer``)."""

    id: str
    prompt: str
    source: str
    choices: tuple[Choice, ...] = ()
    answer: float | None = None
    tolerance: float = 0.0
    why: str = ""
    hint: str = ""

    @property
    def kind(self) -> str:
        """``"choice"`` or ``"numeric"``."""
        return "numeric" if self.answer is not None else "choice"

    @property
    def correct_choice(self) -> Choice | None:
        return next((c for c in self.choices if c.correct), None)

    def accepts(self, value: float) -> bool:
        """Whether a numeric answer is right (within the tolerance)."""
        if self.answer is None:
            raise TypeError(f"question {self.id} is not numeric")
        return abs(value - self.answer) <= self.tolerance + 1e-9

    def answer_text(self) -> str:
        """The right answer as a reader sees it."""
        if self.answer is None:
            choice = self.correct_choice
            return choice.text if choice else ""
        text = format_number(self.answer)
        return text if not self.tolerance else f"{text} (± {format_number(self.tolerance)})"


@dataclass(frozen=True)
class Quiz:
    """The questions that follow one chapter."""

    name: str  # the file's stem, which is the chapter's too: ids in the page start with it
    chapter: str  # the chapter's docname, e.g. "chapters/readings/lyssna"
    questions: tuple[Question, ...]
    path: Path


def format_number(value: float) -> str:
    """A number without a trailing ``.0`` (2000, not 2000.0)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _text(entry: dict, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise QuizError(f"{where}: '{key}' must be text, not {type(value).__name__}")
    value = " ".join(value.split())
    if required and not value:
        raise QuizError(f"{where}: '{key}' is missing or empty")
    return value


def _number(entry: dict, key: str, where: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise QuizError(f"{where}: '{key}' must be a number, not {value!r}")
    return float(value)


def _question(entry: object, where: str) -> Question:
    if not isinstance(entry, dict):
        raise QuizError(f"{where}: a question must be a mapping")
    qid = entry.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise QuizError(
            f"{where}: 'id' must be lower-case letters, digits and hyphens, not {qid!r}"
        )
    where = f"{where} ({qid})"
    known = {"id", "prompt", "source", "choices", "answer", "tolerance", "why", "hint"}
    unknown = set(entry) - known
    if unknown:
        raise QuizError(f"{where}: unknown keys {sorted(unknown)}")
    prompt, source = _text(entry, "prompt", where), _text(entry, "source", where)
    if ("choices" in entry) == ("answer" in entry):
        raise QuizError(f"{where}: give either 'choices' (multiple choice) or 'answer' (numeric)")
    if "answer" in entry:
        tolerance = _number(entry, "tolerance", where) if "tolerance" in entry else 0.0
        if tolerance < 0:
            raise QuizError(f"{where}: 'tolerance' must not be negative")
        return Question(
            id=qid,
            prompt=prompt,
            source=source,
            answer=_number(entry, "answer", where),
            tolerance=tolerance,
            why=_text(entry, "why", where),
            hint=_text(entry, "hint", where),
        )
    for key in ("tolerance", "why", "hint"):
        if key in entry:
            raise QuizError(
                f"{where}: '{key}' belongs to numeric questions; each choice has its own 'why'"
            )
    raw = entry["choices"]
    if not isinstance(raw, list) or not MIN_CHOICES <= len(raw) <= MAX_CHOICES:
        raise QuizError(f"{where}: 'choices' must be a list of {MIN_CHOICES} to {MAX_CHOICES}")
    choices = []
    for number, item in enumerate(raw, 1):
        spot = f"{where} choice {number}"
        if not isinstance(item, dict) or set(item) - {"text", "correct", "why"}:
            raise QuizError(
                f"{spot}: a choice has 'text', 'why' and, for the right one, 'correct: true'"
            )
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            raise QuizError(f"{spot}: 'correct' must be true or false")
        choices.append(
            Choice(text=_text(item, "text", spot), correct=correct, why=_text(item, "why", spot))
        )
    if sum(c.correct for c in choices) != 1:
        raise QuizError(f"{where}: exactly one choice must be correct")
    if len({c.text for c in choices}) != len(choices):
        raise QuizError(f"{where}: two choices have the same text")
    return Question(id=qid, prompt=prompt, source=source, choices=tuple(choices))


def load_quiz(path: Path | str) -> Quiz:
    """Read and check one question file.

    Raises:
        QuizError: the file is not valid YAML or not a quiz of the expected shape.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise QuizError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or set(data) - {"chapter", "questions"}:
        raise QuizError(f"{path}: expected the keys 'chapter' and 'questions'")
    chapter = _text(data, "chapter", str(path))
    raw = data.get("questions")
    if not isinstance(raw, list) or not MIN_QUESTIONS <= len(raw) <= MAX_QUESTIONS:
        raise QuizError(f"{path}: 'questions' must be a list of {MIN_QUESTIONS} to {MAX_QUESTIONS}")
    questions = tuple(
        _question(entry, f"{path.name} question {n}") for n, entry in enumerate(raw, 1)
    )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise QuizError(f"{path}: question ids repeat: {ids}")
    return Quiz(name=path.stem, chapter=chapter, questions=questions, path=path)


def all_quizzes(folder: Path = QUIZ_DIR) -> list[Quiz]:
    """Every question file in ``folder``, in file-name order."""
    return [load_quiz(path) for path in sorted(folder.glob("*.yml"))]
