"""The glossary may not drift from the chapters and their reading-check keys (issue 19).

A glossary entry that contradicts a chapter is worse than no entry: the reader who follows a
{term} link from the chapter is told the opposite. Each rule below names a glossary term, a
phrasing its definition may not contain (or must contain), and the reading-check question
whose key the rule protects. The rule is anchored: if that question disappears, the test says
so, and the rule must be moved to whatever replaced it.

Rogers' definition of diffusion: the glossary cites the fifth edition (2003); a quotation of
the definition must be that edition's wording ("the process in which"), or no quotation at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from osmcourse.quizzes import all_quizzes

from conftest import ROOT

GLOSSARY = ROOT / "chapters" / "glossary.md"


def entries(markdown: str) -> dict[str, str]:
    """Glossary term -> its definition (white space folded); aliases share the definition."""
    body = markdown.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    found: dict[str, str] = {}
    terms: list[str] = []
    definition: list[str] = []
    for line in body.splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith("  "):
            definition.append(line.strip())
            continue
        if definition:
            for term in terms:
                found[term] = " ".join(definition)
            terms, definition = [], []
        terms.append(line.strip())
    for term in terms:
        found[term] = " ".join(definition)
    return found


@dataclass(frozen=True)
class Rule:
    term: str
    quiz: str  # quiz file name (without .yml), or "chapter:NAME" for a reading chapter
    question: str  # question id whose key the rule protects, or (for a chapter) a regex
    # for the passage it protects
    forbidden: str = ""  # a regex the definition must not match
    required: str = ""  # a regex the definition must match
    why: str = ""


RULES = [
    Rule(
        "Conversation",
        "open-source-marketing",
        "one-to-one",
        forbidden=r"(?:asks|calls on|wants) organi[sz]ations to learn \W*one-to-one communication\W*"
        r"(?![^.]*\bnot\b)",
        required=r"many-to-many",
        why="the 001 key: one-to-one communication is the company at the centre, not Cluetrain's "
        "many-to-many conversation",
    ),
    Rule(
        "Diversified network communication",
        "lyssna",
        "tension",
        forbidden=r"\brestates?\b[^.]*Two-step flow|(?<!not a )restatement of[^.]*Two-step flow",
        required=r"first step",
        why="with no channels that reach everyone, the theory removes the two-step flow's first "
        "step (the 003 key: reaching opinion leaders is the first step)",
    ),
    Rule(
        "Broadcast",
        "lyssna",
        "tension",
        required=r"broadcast media that supply what opinion leaders pass on",
        why="the 003 key: advertising that reaches opinion leaders is the first step",
    ),
    Rule(
        "Cluetrain Manifesto",
        "chapter:open-source-marketing",
        r"95 theses",
        forbidden=r"\b(?!95\b)\d+ theses",
        required=r"\b95 theses",
        why="the 001 chapter: 95 theses",
    ),
    Rule(
        "Long Tail",
        "marketing-2-0",
        "elberse",
        forbidden=r"very flat|(?<!but )flatter and shorter",
        required=r"longer but flatter",
        why="the 000 key: the tail getting longer but flatter",
    ),
    Rule(
        "Influencer marketing",
        "lyssna",
        "influentials",
        forbidden=r"cascades (?:were|are) (?:mostly |largely )?driven by (?:a few )?influentials",
        required=r"critical mass of easily influenced people",
        why="the 003 key on Watts and Dodds",
    ),
    Rule(
        "Web 2.0",
        "chapter:communities",
        r"first held\s+in 2004",
        forbidden=r"first held in (?!2004)\d{4}",
        required=r"first held in 2004",
        why="the 004 chapter: the first Web 2.0 Conference was held in 2004",
    ),
    Rule(
        "Two-step flow",
        "chapter:lyssna",
        r"Erie County, Ohio",
        forbidden=r"Erie County[^.]*\b19(?!40)\d\d\b",
        required=r"Erie County, Ohio, during the 1940",
        why="the 003 chapter: voters in Erie County, Ohio, in the 1940 campaign",
    ),
    Rule(
        "Diffusion of innovations",
        "lyssna",
        "hybrid-corn",
        forbidden=r"first heard of the seed from (?:their )?neighbours",
        why="the 003 key: first from salesmen, most influenced by neighbours",
    ),
    Rule(
        "Diffusion of innovations",
        "lyssna",
        "classics",
        forbidden=r"[“\"]the process by which an innovation",
        why="Rogers is cited in the fifth edition, whose wording is not 'the process by which'; "
        "quote that edition or paraphrase",
    ),
    Rule(
        "Brand community",
        "communities",
        "verbs",
        forbidden=r"plainest case of what text 004 describes|cannot simply command",
        required=r"too strong",
        why="the 004 chapter: taken literally, 'communities cannot be created' is too strong",
    ),
    Rule(
        "Evangelism",
        "marketing-2-0",
        "evangelism",
        forbidden=r"(?:invented|originated|began) (?:by|in|with) open source",
        required=r"Apple",
        why="the 000 key: evangelism was practised at Apple, a proprietary firm, before the open "
        "source companies the post has in mind",
    ),
]


def problems_in(markdown: str) -> list[str]:
    found = entries(markdown)
    problems = []
    for rule in RULES:
        definition = found.get(rule.term)
        if definition is None:
            problems.append(f"{rule.term}: no such glossary entry")
            continue
        if rule.forbidden and (hit := re.search(rule.forbidden, definition)):
            problems.append(f"{rule.term}: {hit.group(0)!r} contradicts {rule.why}")
        if rule.required and not re.search(rule.required, definition):
            problems.append(f"{rule.term}: missing {rule.required!r} ({rule.why})")
    return problems


def test_the_glossary_agrees_with_the_chapters_and_quiz_keys():
    problems = problems_in(GLOSSARY.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.term}/{rule.question}")
def test_every_rule_is_anchored_to_a_reading_check(rule):
    if rule.quiz.startswith("chapter:"):
        chapter = ROOT / "chapters" / "readings" / (rule.quiz.removeprefix("chapter:") + ".md")
        text = " ".join(chapter.read_text(encoding="utf-8").split())
        assert re.search(rule.question, text), f"{chapter.name} no longer says {rule.question!r}"
        return
    quizzes = {quiz.name: quiz for quiz in all_quizzes()}
    assert rule.quiz in quizzes, rule.quiz
    assert rule.question in {question.id for question in quizzes[rule.quiz].questions}, (
        f"{rule.quiz}.yml has no question {rule.question!r}: move the rule for {rule.term}"
    )


def test_no_glossary_quotation_of_rogers_uses_another_editions_wording():
    text = " ".join(GLOSSARY.read_text(encoding="utf-8").split())
    for quoted in re.findall(
        r"[“\"‘']([Tt]he process \w+ which an innovation is communicated)", text
    ):
        assert quoted.lower().startswith("the process in which"), quoted


@pytest.mark.parametrize(
    "old, new",
    [
        # The three examples of issue 19, as the glossary had them.
        (
            'whose first thesis is "Markets are conversations". A conversation in that sense is '
            "many-to-many, customers talking to each other as well as to the company; it is not the "
            '"one-to-one communication"',
            'whose first thesis is "Markets are conversations"; text 001 asks organisations to learn '
            '"one-to-one communication" (see',
        ),
        (
            "It shares with older research on personal influence the point that reach runs through "
            "people's contacts, but it is not a restatement of the {term}`Two-step flow`: with no "
            "channels that reach everyone, it removes the first step,",
            "The idea restates older findings about personal influence such as the "
            "{term}`Two-step flow`,",
        ),
        (
            "in the fifth edition Rogers defines diffusion as a process in which an innovation is "
            "communicated through certain channels, over time, among the members of a social system",
            "Rogers defines diffusion as “the process by which an innovation is communicated through "
            "certain channels over time among the members of a social system”",
        ),
    ],
)
def test_the_check_fails_on_the_old_glossary(old, new):
    text = GLOSSARY.read_text(encoding="utf-8")  # each definition is one line
    assert old in text, "the fixture no longer matches the glossary: update it"
    assert problems_in(text.replace(old, new))
