"""The reading checks in Moodle's GIFT format, from the question files (:mod:`osmcourse.quizzes`).

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

from osmcourse.quizzes import Question, Quiz, format_number

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


def gift_file(quizzes: Iterable[Quiz]) -> bytes:
    """The GIFT file's bytes (UTF-8, which Moodle's import reads): this format's entry in
    :data:`osmcourse.quizzes.export.FORMATS`."""
    return to_gift(quizzes).encode("utf-8")
