"""Student notebooks read cleanly outside the book: no MyST, and every link finds its target."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from osmcourse.bookconfig import published_book_url
from osmcourse.student.markdown import (
    BookIndex,
    MystConversionError,
    Target,
    book_index,
    myst_leftovers,
    myst_to_markdown,
    read_config,
    sphinx_id,
)

from conftest import ROOT

STUDENT_COPIES = sorted((ROOT / "exercises" / "student").glob("*.ipynb"))
MASTERS = sorted((ROOT / "exercises").glob("*.ipynb"))
BOOK = book_index(ROOT)
LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")


def markdown_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def small_index() -> BookIndex:
    return BookIndex(
        base_url="https://org.github.io/book/",
        labels={
            "reading-x": Target("chapters/readings/x", "reading-x", "Reading X"),
            "fig-t": Target("chapters/introduction", "fig-t", "fig-t"),
        },
        terms={"long tail": Target("chapters/glossary", "term-Long-Tail", "Long Tail")},
        page_titles={"chapters/readings/x": "Reading X"},
        citations={"bass1969": ("Bass", "1969"), "katz1955": ("Katz and Lazarsfeld", "1955")},
        seed_pages={"002": "chapters/readings/x"},
        citation_anchor="cite-{key}",
    )


@pytest.mark.parametrize("path", STUDENT_COPIES, ids=lambda p: p.stem)
def test_student_copy_has_no_myst_syntax(path):
    leftovers = [found for source in markdown_cells(path) for found in myst_leftovers(source)]
    assert not leftovers, f"{path.name}: {leftovers}"


def test_the_scan_finds_myst_in_the_masters():
    # The masters are book pages and keep their MyST: the scan must see it there.
    found = [
        f for path in MASTERS for source in markdown_cells(path) for f in myst_leftovers(source)
    ]
    assert any(f.startswith("role: {ref}") for f in found)
    assert any(f.startswith("target: (lab-") for f in found)
    assert myst_leftovers(":::{note}\nx\n:::\n% comment") == ["directive: :::{", "comment: %"]
    assert myst_leftovers("Code: `{ref}`x`` and\n```python\n{cite:p}`y`\n```") == []


def test_student_copies_link_to_the_published_book():
    links = [
        m.group("url")
        for path in STUDENT_COPIES
        for source in markdown_cells(path)
        for m in LINK.finditer(source)
    ]
    book_links = [url for url in links if url.startswith(BOOK.base_url)]
    assert len(book_links) >= 60  # the issue counted 70 roles
    assert any("/chapters/bibliography.html" in url for url in book_links)
    assert any("/chapters/glossary.html#term-" in url for url in book_links)
    assert any(re.search(r"\.html#seed-\d{3}-p\d+$", url) for url in book_links)


def test_references_become_links():
    index = small_index()
    convert = lambda text: myst_to_markdown(text, index)  # noqa: E731
    page = "https://org.github.io/book/chapters/readings/x.html"
    assert convert("{ref}`reading-x`") == f"[Reading X]({page}#reading-x)"
    assert convert("{ref}`the reading <reading-x>`") == f"[the reading]({page}#reading-x)"
    assert convert("({ref}`¶3 <seed-002-p3>`)") == f"([¶3]({page}#seed-002-p3))"
    assert convert("{doc}`chapters/readings/x`") == f"[Reading X]({page})"
    assert convert("{numref}`Figure %s <fig-t>`") == (
        "[Figure](https://org.github.io/book/chapters/introduction.html#fig-t)"
    )
    glossary = "https://org.github.io/book/chapters/glossary.html#term-Long-Tail"
    assert convert("{term}`Long Tail`") == f"[Long Tail]({glossary})"
    assert convert("{term}`the tail <long tail>`") == f"[the tail]({glossary})"


def test_citations_become_author_year_text():
    index = small_index()
    bib = "https://org.github.io/book/chapters/bibliography.html"
    # Each link lands on the work's own entry, not the top of the page.
    assert myst_to_markdown("{cite:p}`bass1969`", index) == f"([Bass, 1969]({bib}#cite-bass1969))"
    assert myst_to_markdown("{cite:t}`bass1969`", index) == f"[Bass (1969)]({bib}#cite-bass1969)"
    assert myst_to_markdown("{cite:p}`bass1969, katz1955`", index) == (
        f"([Bass, 1969]({bib}#cite-bass1969); [Katz and Lazarsfeld, 1955]({bib}#cite-katz1955))"
    )


def test_the_citation_anchor_comes_from_the_books_config(tmp_path):
    assert BOOK.citation_anchor.format(key="bass1969") == "cite-bass1969"
    # An id that is not the key alone (the default numbers entries) cannot be linked to.
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    (tmp_path / "_config.yml").write_text(
        config.replace(
            'bibtex_cite_id: "cite-{key}"', 'bibtex_cite_id: "cite-{bibliography_count}-{key}"'
        ),
        encoding="utf-8",
    )
    for name in ("_toc.yml", "references.bib"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    shutil.copyfile(ROOT / "intro.md", tmp_path / "intro.md")
    with pytest.raises(ValueError, match="bibtex_cite_id"):
        book_index(tmp_path)


def test_citations_read_from_references_bib():
    assert BOOK.citations["bass1969"] == ("Bass", "1969")
    assert BOOK.citations["katz1955personal"] == ("Katz and Lazarsfeld", "1955")
    assert BOOK.citations["lazarsfeld1944people"] == ("Lazarsfeld et al.", "1944")
    assert BOOK.citations["nielsen2013trust"] == ("Nielsen", "2013")


def test_labels_directives_and_comments():
    index = small_index()
    source = (
        "(lab-x)=\n# Lab\n\n% a note to editors\nText.\n\n"
        ":::{admonition} Think about {term}`Long Tail`\n:class: tip\nBody {cite:t}`bass1969`.\n:::\n\n"
        "```{note}\nOne.\n\nTwo.\n```\n\n```python\nx = '{ref}`kept`'\n```"
    )
    out = myst_to_markdown(source, index)
    assert out.startswith("# Lab\n\nText.")
    assert "> **Think about [Long Tail](" in out and "> Body [Bass (1969)](" in out
    assert "> **Note**\n>\n> One.\n>\n> Two." in out
    assert "```python\nx = '{ref}`kept`'\n```" in out
    assert myst_leftovers(out) == []


@pytest.mark.parametrize(
    "source, message",
    [
        ("{ref}`no-such-label`", "no-such-label"),
        ("{term}`Nothing`", "Nothing"),
        ("{cite:p}`nobody2000`", "nobody2000"),
        ("{glue:}`total_words`", "only a book build"),
        ("{abbr}`MyST (Markedly Structured Text)`", "{abbr}"),
        ("```{figure} x.png\n```", "{figure}"),
    ],
)
def test_what_cannot_be_converted_is_an_error(source, message):
    with pytest.raises(MystConversionError, match=re.escape(message)):
        myst_to_markdown(source, small_index())


def test_published_address_follows_the_repository_or_book_url():
    assert published_book_url({"repository": {"url": "https://github.com/My-Org/course"}}) == (
        "https://my-org.github.io/course/"
    )
    assert published_book_url({"book_url": "https://example.edu/osm", "repository": {}}) == (
        "https://example.edu/osm/"
    )
    with pytest.raises(ValueError, match="book_url"):
        published_book_url({"repository": {"url": "https://gitlab.com/org/course"}})
    assert BOOK.base_url == published_book_url(read_config(ROOT))


def test_sphinx_ids_for_glossary_terms():
    assert sphinx_id("Long Tail") == "Long-Tail"
    assert sphinx_id("Word of mouth") == "Word-of-mouth"
    assert sphinx_id("Marketing 2.0") == "Marketing-2.0"


@pytest.mark.slow
def test_every_student_link_exists_in_the_built_book(built):
    checked, missing = 0, []
    ids_by_page: dict[Path, set[str]] = {}
    for path in STUDENT_COPIES:
        for source in markdown_cells(path):
            for match in LINK.finditer(source):
                url = match.group("url")
                if not url.startswith(BOOK.base_url):
                    continue
                page, _, anchor = url[len(BOOK.base_url) :].partition("#")
                html = built / page
                if not html.is_file():
                    missing.append(f"{path.name}: {url} (no page {page})")
                    continue
                if html not in ids_by_page:
                    ids_by_page[html] = set(re.findall(r'\sid="([^"]+)"', html.read_text("utf-8")))
                if anchor and anchor not in ids_by_page[html]:
                    missing.append(f"{path.name}: {url} (no id {anchor})")
                if page == "chapters/bibliography.html" and not anchor:
                    missing.append(f"{path.name}: {url} (lands at the top, not on the entry)")
                checked += 1
    assert checked >= 60
    assert not missing, "\n".join(missing)


@pytest.mark.slow
def test_every_label_and_term_the_converter_knows_is_an_id_in_the_built_book(built):
    # Checks the converter's reading of the sources (and its copy of Sphinx's id rules) as a
    # whole, not only the links the labs use today.
    missing = []
    for name, target in [*BOOK.labels.items(), *BOOK.terms.items()]:
        html = built / f"{target.page}.html"
        if not html.is_file() or f' id="{target.anchor}"' not in html.read_text("utf-8"):
            missing.append(f"{name} → {target.page}.html#{target.anchor}")
    assert len(BOOK.terms) >= 20 and len(BOOK.labels) >= 50
    assert not missing, missing
