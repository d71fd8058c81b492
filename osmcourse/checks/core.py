"""The small core every lab's answer checks share.

A check takes a student's answer and returns :class:`Feedback` with one of three statuses:

* ``correct``: full marks, with a sentence that says why it is right;
* ``incorrect``: no marks, with a hint that points at the mistake (never the answer);
* ``unanswered``: the answer is still the ``...`` stub (or ``None``): "not answered yet".

A numeric task declares one :class:`Precision` (e.g. three decimal places), stated in words
in the lab's task text; its judge accepts the exact value or that value rounded as asked, and
nothing further away. No lab module holds an expected value: the judges ask the lab's key
(:attr:`Lab.key`, :mod:`osmcourse.checks.key`), which in a notebook holds only salted hashes;
the plain values are computed by the grader alone (:mod:`osmcourse.keys`). A task the key
leaves out (``graded_only``) gets "answered" in the notebook and its verdict from the grader.

A check never raises because of what a student typed: a wrong type is a hint, not a
traceback. The same functions grade submitted notebooks (:mod:`osmcourse.grading`),
where answers arrive as plain JSON values, so every check first normalises its input with
the ``as_*`` helpers below.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CORRECT, INCORRECT, UNANSWERED = "correct", "incorrect", "unanswered"
# A graded-only task in the notebook: the answer is there, the verdict comes from the grader.
RECORDED = "recorded"
_SYMBOL = {CORRECT: "✔", INCORRECT: "✘", UNANSWERED: "…", RECORDED: "•"}

# The largest answer a task looks at: every lab's expected answers hold fewer than ten values,
# so this bounds what a check (in the notebook and in the grader) ever materialises.
MAX_ANSWER_ITEMS = 1_000
MAX_ANSWER_TEXT = 10_000  # characters in any one text of an answer


class TooLarge:
    """Stands in for an answer larger than its task's limit (what the grader receives instead).

    The kernel sends this marker rather than the value; the check turns it, and a live value
    over the limit in the notebook, into the same hint, so both verdicts agree.
    """

    def __repr__(self) -> str:
        return "<an answer too large to check>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TooLarge)

    __hash__ = None  # type: ignore[assignment]


def answer_size(value: Any, limit: int = MAX_ANSWER_ITEMS) -> int:
    """How many values ``value`` holds, counted without materialising it; ``limit + 1`` once over.

    Containers count their length (a ``range``, a pandas ``RangeIndex`` and a numpy array
    their *virtual* length, which costs nothing to hold and everything to list), plus what
    they hold; a text longer than :data:`MAX_ANSWER_TEXT` counts as over the limit. Only exact
    built-in, numpy and pandas types are looked into, through their base types' methods,
    so no code a student defined runs.
    """
    over = limit + 1
    total = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if depth > 16:
            return over
        if kind is str:
            size = 1 if str.__len__(item) <= MAX_ANSWER_TEXT else over
        elif kind in (list, tuple, set, frozenset, dict, range):
            size = kind.__len__(item)
            if size <= limit:
                children = dict.values(item) if kind is dict else ([] if kind is range else item)
                keys = dict.keys(item) if kind is dict else []
                stack.extend((child, depth + 1) for child in (*keys, *children))
        else:
            module = getattr(kind, "__module__", "") or ""
            size = 1
            if module.startswith(("numpy", "pandas")):
                size = _library_size(item)
        total += size
        if total > limit:
            return over
    return total


def _library_size(item: Any) -> int:
    """The number of values a numpy or pandas object holds (its ``size``, never its items)."""
    import numpy as np

    if isinstance(item, np.generic):
        return 1
    if isinstance(item, np.ndarray):
        return max(int(np.ndarray.size.__get__(item)), 1)
    size = getattr(type(item), "size", None)
    if isinstance(size, property):
        try:
            count = int(size.fget(item))
        except Exception:  # noqa: BLE001 - an object whose size fails is not looked into
            return 1
        # A frame also holds its row labels; an empty frame with a long index is still long.
        index = getattr(item, "index", None)
        if index is not None and type(item).__name__ == "DataFrame":
            count += len(index)
        return max(count, 1)
    return 1


class AnswerError(ValueError):
    """An answer has the wrong shape; the message is the hint shown to the student."""


@dataclass(frozen=True)
class Feedback:
    """The result of checking one task."""

    lab: str
    task: str
    status: str
    message: str
    points: float
    max_points: float

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        head = {
            CORRECT: "correct",
            INCORRECT: "not yet",
            UNANSWERED: "not answered yet",
            RECORDED: "answered",
        }[self.status]
        return f"{_SYMBOL[self.status]} Task {self.task}: {head}. {self.message}".rstrip()

    # Notebooks show str(), not the dataclass repr: stable, readable, no addresses.
    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


_NUMBER_WORDS = {0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@dataclass(frozen=True)
class Precision:
    """The precision a numeric task asks for: ``decimals`` places or ``significant`` figures.

    Declared once per task (:meth:`Lab.task`), used by the task's key, stated in words in
    the lab's task text (:attr:`words`) and tested against both. An answer passes when it is
    the exact value or rounds to it as asked: it lies within half a unit in the last asked
    place of the exact value (a little float slack included, so either rounding of a tie
    passes). :meth:`accepts` states that rule on plain values; the judges apply it through
    the sealed key (:func:`osmcourse.checks.key.at`), to within a twentieth of the window.
    """

    decimals: int | None = None
    significant: int | None = None

    def __post_init__(self) -> None:
        if (self.decimals is None) == (self.significant is None):
            raise ValueError("give either decimals or significant figures, not both or neither")
        if self.significant is not None and self.significant < 1:
            raise ValueError("significant figures must be at least 1")

    def unit(self, expected: float) -> float:
        """The size of one unit in the last place asked for, at the value ``expected``."""
        if self.decimals is not None:
            return 10.0**-self.decimals
        if expected == 0:
            return 10.0 ** -(self.significant - 1)
        return 10.0 ** (math.floor(math.log10(abs(expected))) - self.significant + 1)

    def rounded(self, expected: float) -> float:
        """``expected`` rounded as the task asks (what a careful student types)."""
        unit = self.unit(expected)
        places = -int(round(math.log10(unit)))
        return round(expected, places)

    def accepts(self, value: float, expected: float) -> bool:
        """True if ``value`` is ``expected`` given to (at least) the asked precision."""
        slack = 1e-9 * self.unit(expected) + 8 * sys.float_info.epsilon * max(
            abs(value), abs(expected), 1.0
        )
        return abs(value - expected) <= self.unit(expected) / 2 + slack

    @property
    def words(self) -> str:
        """How the task text states the precision, e.g. "to three decimal places"."""
        if self.decimals == 0:
            return "as a whole number"
        count = self.decimals if self.decimals is not None else self.significant
        number = _NUMBER_WORDS.get(count, str(count))
        if self.decimals is not None:
            return f"to {number} decimal place{'s' if count != 1 else ''}"
        return f"to {number} significant figure{'s' if count != 1 else ''}"


def decimals(places: int) -> Precision:
    """A precision of ``places`` decimal places (0: a whole number)."""
    return Precision(decimals=places)


def significant(figures: int) -> Precision:
    """A precision of ``figures`` significant figures."""
    return Precision(significant=figures)


@dataclass(frozen=True)
class Task:
    """One checked task of a lab: the variable it reads and the function that judges it.

    A numeric task carries its :class:`Precision`; a choice or a name has none.
    """

    lab: str
    number: str
    answer_name: str
    points: float
    judge: Callable[[Any], tuple[bool, str]]
    description: str = ""
    precision: Precision | None = None
    max_items: int = MAX_ANSWER_ITEMS
    graded_only: bool = False
    key: Any = None  # the lab's key (a KeyProxy): tells whether this task's targets are here

    def check(self, answer: Any) -> Feedback:
        """Judge ``answer``; the stub ``...`` or ``None`` is "not answered yet".

        An answer holding more than :attr:`max_items` values is rejected before the judge sees
        it: a check never lists a student's value larger than any answer to the task.
        """
        if answer is ... or answer is None:
            return Feedback(
                self.lab,
                self.number,
                UNANSWERED,
                f"Replace the `...` after `{self.answer_name} =` with your answer.",
                0.0,
                self.points,
            )
        if isinstance(answer, TooLarge) or answer_size(answer, self.max_items) > self.max_items:
            return Feedback(
                self.lab,
                self.number,
                INCORRECT,
                f"This answer holds more than {self.max_items:,} values (or a very long text): "
                "the task asks for far fewer.",
                0.0,
                self.points,
            )
        # A task whose targets the key leaves out is graded only by the grader (the shipped key
        # is written without the tasks marked ``graded_only``).
        if self.key is not None and not self.key.empty and not self.key.has_task(self.number):
            return Feedback(
                self.lab,
                self.number,
                RECORDED,
                "This task is graded after you hand the notebook in: the notebook does not "
                "check it.",
                0.0,
                self.points,
            )
        try:
            ok, message = self.judge(answer)
        except AnswerError as error:
            ok, message = False, str(error)
        except Exception as error:  # noqa: BLE001 - a student's odd value must not crash a check
            ok, message = False, f"This answer could not be checked ({type(error).__name__})."
        status = CORRECT if ok else INCORRECT
        return Feedback(
            self.lab, self.number, status, message, self.points if ok else 0.0, self.points
        )


@dataclass(frozen=True)
class WrittenQuestion:
    """A question a lab asks for a written answer: its id ("w1"), a one-line summary, points."""

    id: str
    prompt: str
    points: float = 1.0


@dataclass
class Lab:
    """The checks of one lab, in task order; each module in ``osmcourse.checks`` makes one."""

    name: str
    title: str
    tasks: dict[str, Task] = field(default_factory=dict)
    written_questions: dict[str, WrittenQuestion] = field(default_factory=dict)
    _key: Any = field(default=None, repr=False)

    @property
    def key(self) -> Any:
        """The key the judges ask (:mod:`osmcourse.checks.key`): by default the sealed one
        shipped with the checks; the grader swaps in its own (:meth:`use_key`)."""
        from osmcourse.checks.key import KeyProxy

        return KeyProxy(self)

    def active_key(self) -> Any:
        if self._key is None:
            from osmcourse.checks.key import SealedKey

            self._key = SealedKey.load(self.name)
        return self._key

    def use_key(self, key: Any) -> None:
        """Judge with ``key`` from now on (the grader's key, built from the plain targets)."""
        self._key = key

    def task(
        self,
        number: str | int,
        answer: str,
        points: float = 1.0,
        description: str = "",
        precision: Precision | None = None,
        *,
        graded_only: bool = False,
        max_items: int = MAX_ANSWER_ITEMS,
    ):
        """Decorator registering a judge ``f(answer) -> (ok, message)`` as task ``number``.

        ``precision`` is the numeric task's declared precision; its judge uses the same object.
        ``graded_only=True`` keeps the task's targets out of the key shipped with the checks:
        the notebook's check says the answer is recorded, and only the grader judges it (like
        otter's hidden tests). Regenerate the keys after changing it (``python -m osmcourse.keys``).
        ``max_items`` bounds the answer's size (:func:`answer_size`).
        """

        def register(judge: Callable[[Any], tuple[bool, str]]) -> Callable[[Any], Feedback]:
            key = str(number)
            if key in self.tasks:
                raise ValueError(f"lab {self.name} has task {key} twice")
            self.tasks[key] = Task(
                self.name,
                key,
                answer,
                points,
                judge,
                description,
                precision,
                max_items,
                graded_only,
                self.key,
            )
            return self.tasks[key].check

        return register

    def written(self, question_id: str, prompt: str, points: float = 1.0) -> WrittenQuestion:
        """Register a written question (answered in a Markdown cell, graded by a person).

        Ids are "w1", "w2", ... in notebook order; the master's answer cell names the id in
        ``metadata.osmcourse.question``.
        """
        if question_id in self.written_questions:
            raise ValueError(f"lab {self.name} has written question {question_id} twice")
        if not question_id.startswith("w") or not question_id[1:].isdigit():
            raise ValueError(f"written question ids are w1, w2, ...; not {question_id!r}")
        question = WrittenQuestion(question_id, prompt, points)
        self.written_questions[question_id] = question
        return question

    def check(self, number: str | int, answer: Any) -> Feedback:
        """Check one task by number."""
        key = str(number)
        if key not in self.tasks:
            raise KeyError(f"lab {self.name} has no task {key}; its tasks are {list(self.tasks)}")
        return self.tasks[key].check(answer)

    @property
    def answer_names(self) -> dict[str, str]:
        """Task number -> the notebook variable that holds its answer."""
        return {key: task.answer_name for key, task in self.tasks.items()}

    @property
    def max_points(self) -> float:
        return sum(task.points for task in self.tasks.values())


# --- Normalising answers ----------------------------------------------------------------


def as_number(answer: Any, what: str = "a number") -> float:
    """A finite float from an int, float, numpy scalar or one-element container."""
    if isinstance(answer, bool):
        raise AnswerError(f"Expected {what}, got True/False.")
    if hasattr(answer, "item") and getattr(answer, "size", 1) == 1:
        answer = answer.item()
    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]
    if isinstance(answer, str):
        raise AnswerError(f"Expected {what}, got the text {answer[:40]!r}: remove the quotes.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise AnswerError(f"Expected {what}, got a {type(answer).__name__}.") from None
    if not math.isfinite(value):
        raise AnswerError(f"Expected {what}, got {value}.")
    return value


def as_choice(answer: Any, choices: Iterable[str]) -> str:
    """One of the letter choices of a multiple-choice question, case-insensitive."""
    allowed = [c.lower() for c in choices]
    if not isinstance(answer, str):
        raise AnswerError(f'Answer with one of {allowed} as text, e.g. "{allowed[0]}".')
    value = answer.strip().strip(".)").lower()
    if value not in allowed:
        raise AnswerError(f"{answer!r} is not one of the choices {allowed}.")
    return value


def as_mapping(answer: Any, what: str = "a dict") -> dict[str, Any]:
    """A plain dict from a dict or a pandas Series."""
    if hasattr(answer, "to_dict") and not isinstance(answer, Mapping):
        answer = answer.to_dict()
    if not isinstance(answer, Mapping):
        raise AnswerError(f"Expected {what}, got a {type(answer).__name__}.")
    return {str(key): value for key, value in answer.items()}


def as_text_list(answer: Any, what: str = "a list of names") -> list[str]:
    """A list of strings from a list, tuple, set, pandas Index/Series or numpy array."""
    if isinstance(answer, str):
        raise AnswerError(f'Expected {what}, got a single text: put it in a list, ["..."].')
    if hasattr(answer, "tolist"):
        answer = answer.tolist()
    try:
        items = list(answer)
    except TypeError:
        raise AnswerError(f"Expected {what}, got a {type(answer).__name__}.") from None
    if not all(isinstance(item, str) for item in items):
        raise AnswerError(f"Expected {what}: every item should be text.")
    return items


def require_keys(given: Mapping[str, Any], keys: Iterable[str], what: str = "keys") -> None:
    """Raise a hint naming the keys a dict answer lacks."""
    missing = sorted(set(keys) - set(given))
    if missing:
        raise AnswerError(f"The dict needs the {what} {missing}.")


def mismatched(
    values: Mapping[str, Any], expected: Mapping[str, float], precision: Precision
) -> list[str]:
    """The keys whose values are not the expected ones at the declared ``precision``."""
    return [key for key in expected if not precision.accepts(as_number(values[key]), expected[key])]


def all_match(
    values: Mapping[Any, float], expected: Mapping[Any, float], precision: Precision
) -> bool:
    """True if every expected key's value is right at ``precision`` (the keys must be present)."""
    return all(precision.accepts(as_number(values[key]), value) for key, value in expected.items())


def multiple_choice(
    answer: Any, correct: str, right: str, hints: Mapping[str, str]
) -> tuple[bool, str]:
    """Judge a lettered choice: the right letter gets ``right``, a wrong one its hint."""
    choice = as_choice(answer, sorted({correct, *hints}))
    if choice == correct:
        return True, right
    return False, hints[choice]


def keyed_choice(answer: Any, key: Any, label: str) -> tuple[bool, str]:
    """Judge a lettered choice against the key: the right letter's message, or its hint.

    The letters and messages live in the key, each message under the hash of its letter, so
    the module does not say which letter is right (a hint per wrong letter would).
    """
    choice = as_choice(answer, key.letters(label))
    return key.choice(label, choice)


def close(value: float, expected: float, rel: float = 0.01, abs_tol: float = 1e-9) -> bool:
    """Equal within a relative tolerance (1% by default).

    Only for recognising a *wrong* answer's likely cause (a percentage, a swapped pair), never
    for accepting an answer: that is :meth:`Precision.accepts`.
    """
    return math.isclose(value, expected, rel_tol=rel, abs_tol=abs_tol)
