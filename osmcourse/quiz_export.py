"""The reading checks for an LMS: Moodle's GIFT, or QTI 1.2 for Canvas (:mod:`osmcourse.quiz_qti`),
from the same question files. :func:`export` is the one seam: ``export(quizzes, "gift")``.

``python -m osmcourse quiz-export OUT.gift`` (or ``make quiz-export``) writes one GIFT file
with every chapter's questions, each chapter in its own question-bank category. In Moodle:
Question bank > Import > GIFT format. Each multiple-choice option carries its reason as its
feedback; a numeric question accepts the answer within the file's tolerance and gives the
reason as feedback; every question's general feedback says where in the chapter the answer
is. (The hint that the book shows for a wrong numeric answer has no place in GIFT, which
gives feedback per accepted answer only; Moodle shows the right answer after the attempt.)

Why GIFT: Moodle imports it as it stands, it is plain text an instructor can read and edit,
and a maintained grammar-based parser (gift-pegjs, the PEG grammar of GIFT) checks the
export offline in the tests, question by question, against the source files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from osmcourse.quizzes import QUIZ_DIR, Question, Quiz, all_quizzes, format_number

COURSE_CATEGORY = "Open Source Marketing/Reading checks"
_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Text with GIFT's special characters (``~ = # { } :`` and the backslash) escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def question_gift(quiz: Quiz, question: Question) -> str:
    """One question in GIFT: a title, the prompt as plain text, the answers, the feedback."""
    title = escape(f"{quiz.name}-{question.id}")
    lines = [f"::{title}::[plain]{escape(question.prompt)} {{"]
    if question.kind == "choice":
        for choice in question.choices:
            lines.append(
                f"{'=' if choice.correct else '~'}{escape(choice.text)}#{escape(choice.why)}"
            )
    else:
        lines[0] += "#"
        lines.append(
            f"={format_number(question.answer)}:{format_number(question.tolerance)}#{escape(question.why)}"
        )
    lines.append(f"####{escape('Where in the chapter: ' + question.source + '.')}")
    lines.append("}")
    return "\n".join(lines)


def quiz_gift(quiz: Quiz) -> str:
    """A chapter's questions, in their own category."""
    header = [
        f"// Reading check for {quiz.chapter} (the course's {quiz.path.name}).",
        f"$CATEGORY: $course$/{COURSE_CATEGORY}/{quiz.name}",
    ]
    return (
        "\n".join(header)
        + "\n\n"
        + "\n\n".join(question_gift(quiz, q) for q in quiz.questions)
        + "\n"
    )


def to_gift(quizzes: Iterable[Quiz]) -> str:
    """Every chapter's questions in one GIFT file."""
    parts = [
        "// Open Source Marketing: the reading checks, exported by `python -m osmcourse quiz-export`.\n"
        "// Import in Moodle: Question bank > Import > GIFT format.\n"
    ]
    parts += [quiz_gift(quiz) for quiz in quizzes]
    return "\n".join(parts)


FORMATS = ("gift", "qti")


def export(quizzes: Iterable[Quiz], format: str) -> bytes:  # noqa: A002 - the seam's documented name
    """The chapters' questions in ``format``: ``"gift"`` (Moodle, text) or ``"qti"`` (Canvas, a zip).

    Raises:
        ValueError: an unknown format.
    """
    if format == "gift":
        return to_gift(quizzes).encode("utf-8")
    if format == "qti":
        from osmcourse.quiz_qti import to_qti

        return to_qti(quizzes)
    raise ValueError(f"no quiz format {format!r}; there are {', '.join(FORMATS)}")


def write_gift(out: Path, names: Iterable[str] | None = None, format: str = "gift") -> Path:  # noqa: A002
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
