"""Every reading-check explanation points at the passage that supports it (issue 19).

A reader who gets an answer wrong should be sent back to the text, not only told the answer.
So each explanation (the ``why`` of every choice, and of every numeric question) names where
to look: a paragraph of the text (``¶4``), a cross-reference (``{ref}`...```), or a section of
the chapter by its heading, in curly quotation marks (“Urgency with a hedge”), which must be a
heading that exists in that chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from osmcourse.quizzes import QUIZ_DIR, Quiz, load_quiz

from conftest import ROOT

PARAGRAPH = re.compile(r"¶\s?\d+")
REF_ROLE = re.compile(r"\{ref\}`[^`]+`")
QUOTED = re.compile(r"“([^“”]+)”")
HEADING = re.compile(r"^#{2,4}\s+(.+?)\s*$", flags=re.M)
QUIZ_FILES = sorted(QUIZ_DIR.glob("*.yml"))


def _normal(text: str) -> str:
    text = re.sub(r"\{[a-z:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.replace("*", "").casefold().split())


def headings(chapter: str) -> set[str]:
    """The normalised section headings of a chapter (``chapters/readings/x``)."""
    text = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return {_normal(h) for h in HEADING.findall(text)}


def points_to_a_passage(why: str, sections: set[str]) -> bool:
    """True if ``why`` names a paragraph, a cross-reference or a heading of the chapter."""
    if PARAGRAPH.search(why) or REF_ROLE.search(why):
        return True
    return any(_normal(quoted) in sections for quoted in QUOTED.findall(why))


def explanations(quiz: Quiz) -> list[tuple[str, str]]:
    """(where, text) for every explanation a reader of the quiz can see."""
    found = []
    for question in quiz.questions:
        if question.kind == "numeric":
            found.append((question.id, question.why))
        for number, choice in enumerate(question.choices, start=1):
            found.append((f"{question.id}, choice {number}", choice.why))
    return found


def test_quiz_files_are_found():
    assert len(QUIZ_FILES) >= 5, [path.name for path in QUIZ_FILES]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda path: path.stem)
def test_every_explanation_points_to_a_passage(path: Path):
    quiz = load_quiz(path)
    sections = headings(quiz.chapter)
    missing = [
        f"{where}: {why[:90]}"
        for where, why in explanations(quiz)
        if not points_to_a_passage(why, sections)
    ]
    assert not missing, f"{path.name}: explanations that point nowhere:\n" + "\n".join(missing)


def test_the_detector_accepts_each_kind_of_pointer_and_rejects_none():
    sections = {_normal("Urgency with a hedge"), _normal("How open is “open source marketing”?")}
    assert points_to_a_passage("Right. See ¶4.", sections)
    assert points_to_a_passage("See {ref}`reading-lyssna-sceptic`.", sections)
    assert points_to_a_passage("As “Urgency with a hedge” argues.", sections)
    assert not points_to_a_passage("Right. The chapter says so.", sections)
    # A quoted phrase that is not a heading of the chapter is not a pointer.
    assert not points_to_a_passage("No: “Markets are conversations.”", sections)
    assert not points_to_a_passage("See “A section that does not exist”.", sections)
