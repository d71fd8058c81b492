"""The chapters keep the course's shape: labels, the reading template, enough commentary."""

from __future__ import annotations

import re

import nbformat
import pytest

from osmcourse.text import load_catalogue

from conftest import ROOT

READINGS = sorted((ROOT / "chapters" / "readings").glob("*.md"))
TEMPLATE = ["The text", "Context", "Close reading", "Key concepts", "Critique", "Test it with data",
            "Discussion questions", "References"]


def prose_words(markdown: str) -> int:
    """Words of our own prose: front matter, code cells, directives' options and roles' targets out."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"^:[a-z-]+:.*$", " ", text, flags=re.M)
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)
    return len(re.findall(r"[^\W\d_][\w’'-]*", text))


def test_every_reading_has_a_chapter_with_its_label():
    labels = {re.match(r"\((.+)\)=", path.read_text(encoding="utf-8")[path.read_text(encoding="utf-8").index("("):]).group(1)
              for path in READINGS}
    assert set(load_catalogue()["chapter"]) <= labels


@pytest.mark.parametrize("path", READINGS, ids=lambda p: p.stem)
def test_reading_chapter_follows_the_template(path):
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    positions = [next((i for i, h in enumerate(headings) if h.startswith(name)), None) for name in TEMPLATE]
    assert None not in positions, f"missing sections: {[n for n, p in zip(TEMPLATE, positions) if p is None]}"
    assert positions == sorted(positions), "sections out of order"
    assert re.search(r"```\{seed-text\} \d{3}", text)
    questions = text.split("## Discussion questions", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\d+\. ", questions, flags=re.M)) >= 5
    assert re.search(r"\{ref\}`(lab-|[^`]*<lab-)", text.split("## Test it with data", 1)[1].split("\n## ", 1)[0])
    assert prose_words(text) >= 1200, f"{prose_words(text)} words of commentary"


def test_the_swedish_text_has_our_translation_marked_as_ours():
    text = (ROOT / "chapters" / "readings" / "lyssna.md").read_text(encoding="utf-8")
    assert ":translation: translations/003-en.txt" in text
    lines = [l for l in (ROOT / "chapters" / "readings" / "translations" / "003-en.txt")
             .read_text(encoding="utf-8").splitlines() if l.strip()]
    from osmcourse.text import load_seed

    assert len(lines) == 1 + len(load_seed("003").paragraphs)
    assert re.search(r"translation[^.]*(ours|course team)", text, flags=re.I)


def test_every_page_starts_with_a_label():
    pages = [*ROOT.glob("intro.md"), *(ROOT / "chapters").rglob("*.md")]
    for path in pages:
        body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S).lstrip()
        assert re.match(r"\([a-z0-9-]+\)=\n# ", body), f"{path.relative_to(ROOT)} has no label line before its title"
    for path in (ROOT / "exercises").glob("*.ipynb"):
        first = nbformat.read(path, as_version=4).cells[0].source
        assert re.match(r"\(lab-[a-z]+\)=\n# Lab: ", first), path.name


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.stem)
def test_lab_intro_and_figures_are_complete(path):
    notebook = nbformat.read(path, as_version=4)
    intro = notebook.cells[0].source
    assert "Learning goals" in intro and re.search(r"\*\*Time:?\*\*", intro), "intro needs goals and a time"
    assert "{ref}`reading-" in intro
    for cell in notebook.cells:
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            figure = cell.metadata.get("mystnb", {})
            assert figure.get("figure", {}).get("caption"), f"{path.name}: a figure without a caption"
            assert figure.get("image", {}).get("alt"), f"{path.name}: a figure without alt text"


def test_no_placeholders_in_the_course():
    texts = {p.name: p.read_text(encoding="utf-8") for p in [*ROOT.glob("*.md"), *(ROOT / "chapters").rglob("*.md")]}
    for path in (ROOT / "exercises").glob("*.ipynb"):
        texts[path.name] = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for name, text in texts.items():
        assert not re.search(r"\b(TODO|FIXME|XXX|TBD)\b|[Ll]orem ipsum", text), name


def test_no_paragraph_line_starts_a_list_by_accident():
    # In Markdown a wrapped line starting "2008. " or "1) " begins a numbered list.
    sources = {p.name: p.read_text(encoding="utf-8") for p in [*ROOT.glob("*.md"), *(ROOT / "chapters").rglob("*.md")]}
    for path in (ROOT / "exercises").glob("*.ipynb"):
        sources[path.name] = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                                       if c.cell_type == "markdown")
    for name, text in sources.items():
        lines = text.split("\n")
        for before, line in zip(lines, lines[1:]):
            accidental = re.match(r"(\d{4}[.)]|\d+\)) ", line) and before.strip() and not before.startswith((" ", "#"))
            assert not accidental, f"{name}: {line[:50]!r} starts a list"
