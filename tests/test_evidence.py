"""Every outside claim a page cites carries its evidence, kept beside the page (issue 19).

Each page of the book that cites a work (``{cite:p}`` / ``{cite:t}``) keeps an evidence file
beside it, ``NAME.evidence.yml`` next to ``NAME.md``: one entry per sentence that states an
outside fact or a source's finding, and per work that sentence cites::

    - label: cluetrain-year              # short, unique in the file
      claim: "appeared in 2000 {cite:p}`levine2000cluetrain`"
                                         # a verbatim fragment of the page (white space folded)
                                         # that holds the citation role it supports; it occurs
                                         # exactly once on the page
      source: levine2000cluetrain        # the bibliography key this entry gives evidence for
      locator: "copyright page"          # page, section, paragraph, thesis ...
      excerpt: "..."                     # a short verbatim excerpt of the source that supports it
      read: primary                      # primary, or secondary (then `via` says what was read)
      via: "the publisher's catalogue record"

The tests fail on a citation with no entry, on an entry whose fragment is no longer on the
page (the sentence was reworded or cut: update the evidence with it), on an entry for a key the
fragment does not cite, and on entries with no excerpt or locator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
FIELDS = {"label", "claim", "source", "locator", "excerpt", "read"}
READ_KINDS = {"primary", "secondary"}
EXCERPT_LIMIT = 600  # characters: an excerpt, not a copy of the source


def fold(text: str) -> str:
    """White space folded to single spaces, so a fragment may cross a line break."""
    return re.sub(r"\s+", " ", text).strip()


def cited_pages() -> list[Path]:
    """Every Markdown page of the book that cites a work."""
    pages = [ROOT / "intro.md", *sorted((ROOT / "chapters").rglob("*.md"))]
    return [page for page in pages if CITE_ROLE.search(page.read_text(encoding="utf-8"))]


def evidence_file(page: Path) -> Path:
    return page.with_name(page.stem + ".evidence.yml")


def load_evidence(page: Path) -> list[dict]:
    path = evidence_file(page)
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    assert isinstance(entries, list), f"{path.name}: expected a list of entries"
    return entries


def citations(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) for each key of each citation role in folded ``text``."""
    found = []
    for match in CITE_ROLE.finditer(text):
        for key in match.group(1).split(","):
            if key.strip():
                found.append((match.start(), match.end(), key.strip()))
    return found


def uncovered(text: str, entries: list[dict]) -> list[str]:
    """Citations in folded ``text`` that no entry's fragment covers with the same key."""
    spans: list[tuple[int, int, str]] = []
    for entry in entries:
        claim = fold(str(entry.get("claim", "")))
        start = text.find(claim) if claim else -1
        if start >= 0:
            spans.append((start, start + len(claim), str(entry.get("source", "")).strip()))
    missing = []
    for role_start, role_end, key in citations(text):
        if not any(
            start <= role_start and role_end <= end and key == source
            for start, end, source in spans
        ):
            context = text[max(0, role_start - 80) : role_end]
            missing.append(f"{key}: …{context}")
    return missing


PAGES = cited_pages()


def test_pages_with_citations_are_found():
    assert len(PAGES) >= 8, [page.name for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_citation_has_evidence(page: Path):
    text = fold(page.read_text(encoding="utf-8"))
    missing = uncovered(text, load_evidence(page))
    assert not missing, (
        f"{len(missing)} citation(s) in {page.name} have no entry in "
        f"{evidence_file(page).name}:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_evidence_entries_are_complete_and_current(page: Path):
    text = fold(page.read_text(encoding="utf-8"))
    entries = load_evidence(page)
    labels = [entry.get("label") for entry in entries]
    assert len(labels) == len(set(labels)), f"duplicate labels in {evidence_file(page).name}"
    problems = []
    for entry in entries:
        label = entry.get("label", "?")
        if absent := FIELDS - set(entry):
            problems.append(f"{label}: missing {sorted(absent)}")
            continue
        claim = fold(str(entry["claim"]))
        count = text.count(claim)
        if count != 1:
            problems.append(f"{label}: its claim occurs {count} times on the page (must be once)")
        elif entry["source"] not in {key for _, _, key in citations(claim)}:
            problems.append(f"{label}: the claim does not cite {entry['source']}")
        if not fold(str(entry["excerpt"])) or len(str(entry["excerpt"])) > EXCERPT_LIMIT:
            problems.append(f"{label}: the excerpt must be 1–{EXCERPT_LIMIT} characters")
        if not str(entry["locator"]).strip():
            problems.append(f"{label}: no locator")
        if entry["read"] not in READ_KINDS:
            problems.append(f"{label}: read must be one of {sorted(READ_KINDS)}")
        elif entry["read"] == "secondary" and not str(entry.get("via", "")).strip():
            problems.append(f"{label}: a secondary reading says what was read (via)")
    assert not problems, "\n".join(problems)


def test_no_evidence_file_without_its_page():
    for path in [*ROOT.glob("*.evidence.yml"), *(ROOT / "chapters").rglob("*.evidence.yml")]:
        assert path.with_name(path.name.replace(".evidence.yml", ".md")).exists(), path


def test_the_checks_catch_a_missing_and_a_stale_entry():
    """The checks themselves can fail: an uncovered citation and a reworded claim are caught."""
    text = fold(
        "Cluetrain had 95 theses {cite:p}`levine2000cluetrain`. Rogers said so "
        "{cite:t}`rogers2003diffusion`."
    )
    entry = {"claim": "95 theses {cite:p}`levine2000cluetrain`", "source": "levine2000cluetrain"}
    assert uncovered(text, [entry]) and "rogers2003diffusion" in uncovered(text, [entry])[0]
    wrong_key = {**entry, "source": "rogers2003diffusion"}
    assert len(uncovered(text, [wrong_key])) == 2
    stale = {**entry, "claim": "96 theses {cite:p}`levine2000cluetrain`"}
    assert len(uncovered(text, [stale])) == 2
