"""The one seam between the reading checks and an LMS: ``export(quizzes, format)``.

:data:`FORMATS` is the registry of export formats: each is a module of this package that turns
the chapters' questions into the bytes of one file (:mod:`~osmcourse.quizzes.gift` for
Moodle, :mod:`~osmcourse.quizzes.qti` for Canvas). ``python -m osmcourse quiz-export
--format`` offers exactly the registry's names, and its help lists their descriptions.

Adding an LMS format is one new module (a function from the quizzes to bytes) and one line
in :data:`FORMATS`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from osmcourse.quizzes import QUIZ_DIR, Quiz, all_quizzes
from osmcourse.quizzes.gift import gift_file
from osmcourse.quizzes.qti import to_qti


@dataclass(frozen=True)
class QuizFormat:
    """One export format: its name on the command line, what it is for, how it is written."""

    name: str
    description: str  # for the command line's help: the LMS and how it imports the file
    write: Callable[[Iterable[Quiz]], bytes]


# The registry: one line per format. The first is the command line's default.
FORMATS: dict[str, QuizFormat] = {
    entry.name: entry
    for entry in (
        QuizFormat("gift", "Moodle", gift_file),
        QuizFormat("qti", "QTI 1.2 zip, for Canvas (Import Course Content)", to_qti),
    )
}
DEFAULT_FORMAT = next(iter(FORMATS))


def formats_help() -> str:
    """The formats as the command line's help describes them, the default marked."""
    return "; ".join(
        f"{entry.name}: {entry.description}{' (default)' if entry.name == DEFAULT_FORMAT else ''}"
        for entry in FORMATS.values()
    )


def export(quizzes: Iterable[Quiz], format: str) -> bytes:  # noqa: A002 - the seam's documented name
    """The chapters' questions in ``format``: ``"gift"`` (Moodle, text) or ``"qti"`` (Canvas, a zip).

    Raises:
        ValueError: an unknown format.
    """
    entry = FORMATS.get(format)
    if entry is None:
        raise ValueError(f"no quiz format {format!r}; there are {', '.join(FORMATS)}")
    return entry.write(quizzes)


def write_export(
    out: Path,
    names: Iterable[str] | None = None,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - as in export()
) -> Path:
    """Write the chapters named (all when ``names`` is empty) to ``out`` in ``format``.

    Raises:
        ValueError: a name that is no chapter's question file, or an unknown format.
    """
    quizzes = all_quizzes()
    if not quizzes:
        raise ValueError(f"no question files in {QUIZ_DIR} (run this from the course repository)")
    wanted = list(names or [])
    unknown = sorted(set(wanted) - {quiz.name for quiz in quizzes})
    if unknown:
        raise ValueError(f"no question file for {unknown}; there are {[q.name for q in quizzes]}")
    chosen = [quiz for quiz in quizzes if not wanted or quiz.name in wanted]
    data = export(chosen, format)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
