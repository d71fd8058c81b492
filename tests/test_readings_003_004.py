"""Faults found in the chapters on texts 003 and 004 (issue 19) stay fixed.

Each check is a function of the page's text, so that it can be shown to fail on the wording it
replaced (see the ``*_catches_*`` tests below, which feed each check the old fault).
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from osmcourse.quizzes import QUIZ_DIR, load_quiz

READINGS = ROOT / "chapters" / "readings"
LYSSNA = READINGS / "lyssna.md"
COMMUNITIES = READINGS / "communities.md"


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*{(\"“])", fold(text))


def section(text: str, heading: str) -> str:
    """The body of the section whose heading starts with ``heading`` (any level)."""
    match = re.search(
        r"^#+ " + re.escape(heading) + r".*?$(.*?)(?=^#+ |\Z)", text, flags=re.M | re.S
    )
    assert match, f"no section {heading!r}"
    return match.group(1)


# --- The checks. ---


def over_read_goldenberg(text: str) -> list[str]:
    """Sentences that credit Goldenberg, Libai & Muller with a finding on concentration.

    Their abstract compares weak and strong ties and finds advertising effective early; it says
    nothing about influence being concentrated or spread wide.
    """
    return [
        s
        for s in sentences(text)
        if "goldenberg" in s.lower()
        and re.search(r"concentrat|spread wide|spread widely", s, flags=re.I)
    ]


def clue_chain_to_an_author(text: str) -> list[str]:
    """Sentences that name the blog the text's second comment mentions, or argue whose it is."""
    return [s for s in sentences(text) if re.search(r"bisonblog|that blog is", s, flags=re.I)]


def comment_date_as_post_floor(text: str) -> list[str]:
    """Sentences that give the post (not the comment) a floor of February 2005."""
    found = []
    for s in sentences(text):
        if re.search(r"February 2005 or later", s) and (
            "comment" not in s.lower() or re.search(r"post too|post is from", s)
        ):
            found.append(s)
    return found


def hybrid_corn_findings(text: str) -> list[str]:
    """Sentences that report Ryan and Gross's study (by name or citation key)."""
    return [s for s in sentences(text) if re.search(r"Ryan and Gross|ryan1943diffusion", s)]


def nielsen_caveats(text: str) -> list[str]:
    return [s for s in sentences(text) if "self-reported" in s]


def cites(text: str, key: str) -> bool:
    return bool(re.search(r"\{cite:[pt]\}`[^`]*\b" + re.escape(key) + r"\b", text))


# --- The pages as they stand. ---


def test_goldenberg_is_reported_as_its_abstract_reports_it():
    text = LYSSNA.read_text(encoding="utf-8")
    assert cites(text, "goldenberg2001talk")
    assert not over_read_goldenberg(text)
    paragraph = next(p for p in text.split("\n\n") if "goldenberg2001talk" in p)
    assert "weak ties" in paragraph and "advertising" in paragraph


def test_no_chain_of_clues_points_to_a_writer():
    for path in (LYSSNA, QUIZ_DIR / "lyssna.yml"):
        assert not clue_chain_to_an_author(path.read_text(encoding="utf-8")), path.name


def test_the_comments_links_date_the_comment_not_the_post():
    text = LYSSNA.read_text(encoding="utf-8")
    assert "2005/02" in text
    assert not comment_date_as_post_floor(text)


def test_the_hybrid_corn_findings_are_stated_once_in_their_home():
    assert len(hybrid_corn_findings(LYSSNA.read_text(encoding="utf-8"))) == 1
    assert not hybrid_corn_findings(COMMUNITIES.read_text(encoding="utf-8"))


def test_the_two_step_hypothesis_is_quoted_once():
    text = fold(LYSSNA.read_text(encoding="utf-8"))
    assert text.count("ideas often flow") == 1


def test_the_nielsen_caveats_live_in_the_004_chapter_once():
    assert len(nielsen_caveats(COMMUNITIES.read_text(encoding="utf-8"))) == 1
    assert not nielsen_caveats(LYSSNA.read_text(encoding="utf-8"))


def test_004s_strong_claims_meet_research_not_only_logic():
    text = COMMUNITIES.read_text(encoding="utf-8")
    overclaims = section(text, "Where it overclaims")
    assert cites(overclaims, "muniz2001brand") and cites(overclaims, "mcalexander2002building")
    assert cites(overclaims, "kozinets2010networked")
    noise = section(text, 'Is "noise" measurable?')
    assert cites(noise, "speck1997predictors") and cites(noise, "cho2004avoid")


@pytest.mark.parametrize("name", ["lyssna", "communities"])
def test_every_explanation_points_to_its_passage(name):
    """The explanation of each right answer names a paragraph or a section of the chapter."""
    chapter = (READINGS / f"{name}.md").read_text(encoding="utf-8")
    headings = {fold(h) for h in re.findall(r"^#+ (.+)$", chapter, flags=re.M)}
    quiz = load_quiz(QUIZ_DIR / f"{name}.yml")
    for question in quiz.questions:
        why = question.correct_choice.why if question.kind == "choice" else question.why
        named = [fold(q) for q in re.findall(r"“([^“”]+(?:“[^“”]*”[^“”]*)*)”", why)]
        assert "¶" in why or any(n in headings for n in named), (question.id, why)


# --- Each check fails on the fault it guards against. ---


def test_the_checks_catch_the_old_faults():
    old_goldenberg = (
        "A second model, by {cite:t}`goldenberg2001talk`, asked a related question and also "
        "found influence spread wide rather than concentrated: weak ties mattered."
    )
    assert over_read_goldenberg(old_goldenberg)
    old_chain = (
        "Its writer has published buzz theories on bisonblog before. If that blog is "
        "bisonblog, the writer of ¶14 is the post's author."
    )
    assert len(clue_chain_to_an_author(old_chain)) == 2
    old_date = (
        "So the comment was written in February 2005 or later. The post came before it; if, as "
        "usual on a blog, the comment followed within days or weeks, the post too is from about "
        "February 2005 or later, but the text cannot show how long the gap was."
    )
    assert comment_date_as_post_floor(old_date) and not comment_date_as_post_floor(
        old_date.split(". ")[0]
    )
    twice = (
        "Ryan and Gross found that farmers first heard from salesmen {cite:p}`ryan1943diffusion`. "
        "It goes back to rural sociology such as Ryan and Gross's study of hybrid corn."
    )
    assert len(hybrid_corn_findings(twice)) == 2
