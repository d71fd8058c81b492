"""The seed-text directive emits its own nodes, each builder renders them, no raw HTML."""

from __future__ import annotations

import re

import pytest

from osmcourse.text import load_seed

from conftest import ROOT

TRANSLATION = "chapters/readings/translations/003-en.txt"
CONF = "extensions = ['osmcourse.book.seeds']\nroot_doc = 'index'\nproject = 'Mini'\n"
# Text 003 (Swedish, with our translation) and 002 (line breaks inside its paragraphs).
PAGE = (
    "Mini\n====\n\n.. seed-text:: 003\n   :translation: 003-en.txt\n\n"
    ".. seed-text:: 002\n\nSee :ref:`¶2 <seed-003-p2>`.\n"
)


@pytest.fixture
def mini(tmp_path):
    (tmp_path / "conf.py").write_text(CONF, encoding="utf-8")
    (tmp_path / "index.rst").write_text(PAGE, encoding="utf-8")
    (tmp_path / "003-en.txt").write_bytes((ROOT / TRANSLATION).read_bytes())
    return tmp_path


def test_the_directive_emits_its_own_nodes_and_no_raw_html(mini, small_book):
    build = small_book(mini, "pseudoxml")
    assert build.status == 0, build.error
    tree = (build.outdir / "index.pseudoxml").read_text(encoding="utf-8")
    # Raw HTML would be content a LaTeX (or any non-HTML) build has to parse back or lose.
    assert "<raw" not in tree
    rows = len(load_seed("003").paragraphs) + len(load_seed("002").paragraphs)
    assert len(re.findall(r"<seed_row\b", tree)) == rows
    assert len(re.findall(r"<seed_number\b", tree)) == rows
    assert len(re.findall(r"<seed_translation\b", tree)) == len(load_seed("003").paragraphs)
    assert len(re.findall(r'<seed_language language="sv"', tree)) == len(
        load_seed("003").paragraphs
    )
    assert "<seed_line_break" in tree
    assert tree.count("<seed_text ") == 2


def test_the_page_markup_is_plain_containers_paragraphs_and_breaks(mini, small_book):
    build = small_book(mini, "html")
    assert build.status == 0, build.error
    html = (build.outdir / "index.html").read_text(encoding="utf-8")
    # What osm.css and the browser tests rely on.
    assert '<div class="seed-text seed-003 docutils container">' in html
    assert '<div class="seed-row docutils container" id="seed-003-p2">' in html
    assert '<p class="seed-number">¶2</p>' in html
    assert '<div lang="sv"><p class="seed-paragraph">' in html
    assert '<div class="seed-translation docutils container">' in html
    assert "<br/>\n" in html  # text 002's line breaks
    assert 'href="#seed-003-p2"' in html


@pytest.mark.parametrize("builder", ["text", "man", "texinfo"])
def test_plain_formats_print_every_paragraph(mini, small_book, builder):
    build = small_book(mini, builder)
    assert build.status == 0, build.error
    out = next(p for p in build.outdir.iterdir() if p.suffix in (".txt", ".1", ".texi"))
    text = " ".join(out.read_text(encoding="utf-8").split())
    for seed_id in ("003", "002"):
        for paragraph in load_seed(seed_id).paragraphs:
            # Texinfo and man escape a few characters; the first words are plain in every text.
            start = " ".join(paragraph.split()[:4])
            assert re.sub(r"[^\w ]", "", start) in re.sub(r"[^\w ]", "", text)
    assert "<br" not in text and "lang=" not in text
