"""The timeline draws only what the chapters say, and every page dates the texts alike (issue 19).

* Each "cites" edge of the introduction's timeline (``osmcourse/data/timeline.csv``) must be
  listed in the At-a-glance box of the citing text's chapter ("Cites" / "What it cites"): by its
  bibliography key when the box cites one, or by the work's name (the timeline label without
  its parenthesis). The chapters are edited by several hands, so the match is on the keys and
  names they keep, not on their wording.
* Every bibliography key a box cites appears on the timeline, unless its year is unverified.
* The seed catalogue, ``CITATION.cff``, ``intro.md`` and the introduction agree on the span of
  the texts' dates, and no page gives text 003's comment-dated links as a floor for the post.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from osmcourse.data import load_timeline
from osmcourse.text import load_catalogue

from conftest import ROOT

CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BOX = re.compile(r"```\{admonition\} At a glance\n(.*?)\n```", re.S)
CITES_ITEM = re.compile(r"^- \*\*(?:Cites|What it cites):\*\*(.*?)(?=^- \*\*|\Z)", re.S | re.M)
# Works a text cites whose year the course could not verify: never drawn on the timeline.
UNDATED = {"cherkoff2005osm", "hallberg_osm_thesis"}


def cites_box(chapter_text: str) -> str:
    """The "Cites" item of a chapter's At-a-glance box, white space folded."""
    box = BOX.search(chapter_text)
    assert box, "no At-a-glance box"
    item = CITES_ITEM.search(box.group(1) + "\n")
    assert item, "the At-a-glance box has no Cites item"
    return " ".join(item.group(1).split())


def names_work(box: str, label: str, key: str) -> bool:
    """Does the box list the work? A box that cites by key must cite this key; a box without
    keys must name the work (the timeline label without its parenthesis)."""
    keys = {k.strip() for group in CITE_ROLE.findall(box) for k in group.split(",")}
    if keys:
        return key in keys
    name = re.sub(r"\s*\(.*?\)", "", label).strip().lower().removeprefix("the ")
    return name in re.sub(r"[*_]", "", box).lower()


def chapter_of(seed_id: str) -> str:
    catalogue = load_catalogue().set_index("seed_id")
    name = catalogue.loc[seed_id, "chapter"].removeprefix("reading-")
    return (ROOT / "chapters" / "readings" / f"{name}.md").read_text(encoding="utf-8")


def edge_problems(timeline: pd.DataFrame) -> list[str]:
    problems = []
    cited = timeline[timeline["kind"] == "cited"]
    for _, work in cited.iterrows():
        box = cites_box(chapter_of(work["seed_id"]))
        if not names_work(box, work["label"], work["citation"]):
            problems.append(
                f"text {work['seed_id']} -> {work['label']} ({work['citation']}): "
                f"not in its chapter's Cites box"
            )
    for seed_id in load_catalogue()["seed_id"]:
        box = cites_box(chapter_of(seed_id))
        keys = {k.strip() for group in CITE_ROLE.findall(box) for k in group.split(",")}
        drawn = set(cited.loc[cited["seed_id"] == seed_id, "citation"])
        for key in sorted(keys - drawn - UNDATED):
            problems.append(f"text {seed_id} cites {key} in its box, but the timeline omits it")
    return problems


def test_timeline_edges_match_the_chapters_cites_boxes():
    problems = edge_problems(load_timeline())
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_edge_the_chapter_does_not_make():
    """The issue's example: Personal Influence drawn as cited by text 003."""
    timeline = load_timeline()
    extra = pd.DataFrame(
        [
            {
                "label": "Personal Influence (two-step flow)",
                "year": 1955,
                "kind": "cited",
                "seed_id": "003",
                "citation": "katz1955personal",
            }
        ]
    )
    problems = edge_problems(pd.concat([timeline, extra], ignore_index=True))
    assert any("katz1955personal" in problem for problem in problems)
    long_tail = pd.DataFrame(
        [
            {
                "label": "The Long Tail (Wired)",
                "year": 2004,
                "kind": "cited",
                "seed_id": "000",
                "citation": "anderson2004longtail",
            }
        ]
    )
    # Text 000 alludes to the Long Tail but cites no source for it.
    assert any(
        "anderson2004longtail" in problem
        for problem in edge_problems(pd.concat([timeline, long_tail], ignore_index=True))
    )


def test_the_figures_alt_text_names_only_timeline_works():
    text = (ROOT / "chapters" / "introduction.md").read_text(encoding="utf-8")
    alt = re.search(r"^:alt: (.+)$", text, flags=re.M).group(1)
    assert "Personal Influence" not in alt
    assert "Long Tail" not in alt
    for label in load_timeline().query("kind == 'cited'")["label"]:
        name = re.sub(r"\s*\(.*?\)", "", label).strip().lower().removeprefix("the ")
        assert name in alt.lower(), label


# Dating: one span everywhere.

CATALOGUE = load_catalogue().set_index("seed_id")
# The span the pages give: from the earliest year any text is *probably* from (the first year in
# each catalogue dating phrase; text 004's "late 2004 at the earliest" is a bare possibility) to
# the latest floor.
FIRST = min(int(re.search(r"\b20\d\d\b", dating).group(0)) for dating in CATALOGUE["dating"])
LAST = int(CATALOGUE["earliest_year"].max())


def test_citation_cff_gives_the_courses_own_dating():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    abstract = " ".join(cff["abstract"].split())
    spans = re.findall(r"\b(20\d\d)\s*(?:-|–|to)\s*(20\d\d)\b", abstract)
    assert spans == [(str(FIRST), str(LAST))], spans
    assert f"no earlier than {LAST}" in abstract


@pytest.mark.parametrize("name", ["intro.md", "chapters/introduction.md"])
def test_the_opening_pages_give_the_same_span(name):
    text = " ".join((ROOT / name).read_text(encoding="utf-8").split())
    assert f"about {FIRST} for the earliest" in text
    assert f"{LAST} or later" in text or f"cannot be earlier than {LAST}" in text
    years = {int(y) for y in re.findall(r"\b(?:200[0-9])\b", text)}
    assert not {2008, 2009} & years, name


def test_comment_dated_links_are_not_a_floor_for_the_post():
    """Text 003's 2005/02 links are in a comment: they date the comment, not the post."""
    row = CATALOGUE.loc["003"]
    assert "or later" not in row["dating"], row["dating"]
    assert "comment" in row["dating"]
    assert "dates the comment, not the post" in row["dating_evidence"]
    pages = {
        name: (ROOT / name).read_text(encoding="utf-8")
        for name in ["intro.md", "chapters/introduction.md", "chapters/seed-catalogue.md"]
    }
    pages["seeds/catalogue.csv"] = (ROOT / "seeds" / "catalogue.csv").read_text(encoding="utf-8")
    for name, text in pages.items():
        for sentence in re.split(r"(?<=[.;])\s+", " ".join(text.split())):
            if "February 2005" in sentence:
                assert "comment" in sentence, f"{name}: {sentence}"
        assert "links to posts dated then" not in text, name
