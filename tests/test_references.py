"""The bibliography is well formed, honest about what it could not confirm, and covers every citation.

Each entry in ``references.bib`` was checked against a primary record (issue 12). These tests
hold the result in place: the fields every entry needs, the shape of DOIs and page ranges, the
corrected journal version of the Harvard Business School paper, a note on any entry that offers
the reader no DOI, URL or publisher to check it by, and a bibliography entry for every key that
a chapter or notebook cites.
"""

from __future__ import annotations

import re
from pathlib import Path

import pybtex.database
import pytest

from conftest import ROOT

BIB = ROOT / "references.bib"

# A MyST citation role: {cite}, {cite:p}, {cite:t}, {cite:ps}, ... followed by `key1,key2`.
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
PAGE_RANGE = re.compile(r"^\d+--\d+$")
# Folders that hold no course text of ours (tools, caches, build output).
SKIPPED_DIRS = {".venv", "_build", "node_modules", ".git", ".ipynb_checkpoints", ".pytest_cache"}


def cited_keys(text: str) -> set[str]:
    """Every bibliography key cited in ``text`` through a MyST ``{cite...}`` role."""
    return {
        key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",") if key.strip()
    }


def course_sources(root: Path) -> list[Path]:
    """All Markdown pages and notebooks of the book, outside tool and build folders."""
    found = []
    for pattern in ("*.md", "*.ipynb"):
        for path in root.rglob(pattern):
            if not SKIPPED_DIRS.intersection(path.relative_to(root).parts):
                found.append(path)
    return sorted(found)


@pytest.fixture(scope="module")
def entries():
    return pybtex.database.parse_file(str(BIB)).entries


def test_every_entry_names_author_and_title(entries):
    assert len(entries) > 30
    for key, entry in entries.items():
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title", "").strip(), f"{key} has no title"


def test_an_entry_without_a_year_says_the_date_was_not_verified(entries):
    undated = {key for key, entry in entries.items() if not entry.fields.get("year", "").strip()}
    # Only works whose date nobody could confirm may go without a year, and they must say so.
    assert undated <= {"cherkoff2005osm", "hallberg_osm_thesis"}
    for key in undated:
        assert "not verified" in entries[key].fields.get("note", ""), key


def test_years_are_four_digits(entries):
    for key, entry in entries.items():
        year = entry.fields.get("year")
        if year is not None:
            assert re.fullmatch(r"(19|20)\d\d", year), f"{key}: year {year!r}"


def test_dois_are_bare_doi_names(entries):
    dois = {key: entry.fields["doi"] for key, entry in entries.items() if "doi" in entry.fields}
    assert dois, "no entry carries a DOI"
    for key, doi in dois.items():
        assert DOI_SHAPE.match(doi), f"{key}: {doi!r} is not a bare DOI such as 10.1234/abc"


def test_page_ranges_use_an_en_dash(entries):
    for key, entry in entries.items():
        pages = entry.fields.get("pages")
        if pages is not None:
            assert PAGE_RANGE.match(pages), f"{key}: pages {pages!r}"
            first, last = (int(part) for part in pages.split("--"))
            assert first <= last, f"{key}: pages {pages!r} run backwards"


def test_hbs_journal_article_matches_the_journals_record(entries):
    entry = entries["deighton2009interactivity"]
    title = entry.fields["title"]
    assert title == "Interactivity's Unanticipated Consequences for Marketers and Marketing"
    assert "for Markets and Marketing" not in title
    assert entry.fields["journal"] == "Journal of Interactive Marketing"
    assert (entry.fields["year"], entry.fields["volume"], entry.fields["number"]) == (
        "2009",
        "23",
        "1",
    )
    assert entry.fields["pages"] == "4--10"
    assert entry.fields["doi"] == "10.1016/j.intmar.2008.10.001"


def test_the_working_paper_points_to_the_corrected_journal_title(entries):
    note = entries["deighton2007digital"].fields["note"]
    assert "Consequences for Marketers and Marketing" in note
    assert "4--10" in note and "2--12" not in note


def test_an_entry_without_doi_or_url_has_a_note_or_publisher(entries):
    for key, entry in entries.items():
        fields = entry.fields
        if "doi" in fields or "url" in fields:
            continue
        assert fields.get("note", "").strip() or fields.get("publisher", "").strip(), (
            f"{key} gives the reader no DOI, URL or publisher and no note saying why"
        )


def test_cited_keys_are_found_in_roles_and_lists():
    text = "See {cite:p}`alpha, beta` and {cite:t}`gamma`; also {cite}`delta`. Not `epsilon`."
    assert cited_keys(text) == {"alpha", "beta", "gamma", "delta"}


def test_a_missing_key_would_be_caught(entries):
    assert cited_keys("{cite:p}`no_such_entry_1999`") - set(entries) == {"no_such_entry_1999"}


def test_every_cited_key_is_in_the_bibliography(entries):
    cited: dict[str, set[str]] = {}
    for path in course_sources(ROOT):
        for key in cited_keys(path.read_text(encoding="utf-8")):
            cited.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    # The chapters cite most of the bibliography; an empty scan means the scan itself broke.
    assert len(cited) > 20
    missing = {key: sorted(paths) for key, paths in cited.items() if key not in entries}
    assert not missing, f"cited but not in references.bib: {missing}"


def test_notes_agree_with_the_primary_records_checked_in_issue_19(entries):
    """Facts the pages state, now read in the primary record, are not called unconfirmed."""
    ftc = entries["ftc2009endorsement"].fields
    assert "74 Fed. Reg. 53124--53143" in ftc["howpublished"]
    assert "effective 1 December 2009" in ftc["note"] and "not confirmed" not in ftc["note"]
    bhs = entries["brynjolfsson2003consumer"].fields
    assert (bhs["volume"], bhs["number"], bhs["pages"]) == ("49", "11", "1580--1596")
    assert bhs["doi"] == "10.1287/mnsc.49.11.1580.20580"
    gillmor = entries["gillmor2004wethemedia"].fields
    assert gillmor["publisher"] == "O'Reilly Media" and "not confirmed" not in gillmor["note"]
    cherkoff = entries["cherkoff2005osm"].fields
    assert cherkoff["year"] == "2005" and "28 February 2005" in cherkoff["note"]
    for key in ("barefoot2005hype", "prstudies2005everything"):
        assert "28 February 2005" in entries[key].fields["note"], key
