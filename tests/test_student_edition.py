"""The student edition publishes no solution, model answer or answer key, in any file.

`make student-pdf` builds the student edition as a user would (the PDF, then the HTML book
with the PDF beside it). Every file it writes under its build folder is read (HTML, the
``_sources`` copies and downloads, notebooks, the search index, scripts, the LaTeX files, the
PDF through ``pdftotext``) and searched for every needle taken from the masters:

* each solution cell of each master lab (cells tagged ``solution``): its distinctive code
  lines and results, and the prose of the model answers written in Markdown cells;
* each chapter's model answers (directives with the class ``solution``);
* the instructors' pages (answer keys, lesson plans ...), whose content the edition drops.

The needles are derived here, from the sources, with this file's own reading of them (not
the edition's code); a needle that also appears in what students are meant to see (the other
pages, the seed texts, the student copies, the reading checks) is not distinctive and is
left out. Two folders of the build are Sphinx's and myst-nb's private caches, never
published (:data:`PRIVATE`).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

# Sphinx's pickled environment and myst-nb's execution cache (the executed masters, so a
# rebuild need not run them again): build state, read by nothing a reader gets.
PRIVATE = {".doctrees", ".jupyter_cache"}
INSTRUCTORS = ROOT / "chapters" / "instructors"
# A needle is a run of plain prose (letters, digits, spaces and plain punctuation) this long:
# markup splits prose into such runs, and every builder prints a run as it stands.
PROSE_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 ,;.()%'’]{38,}[A-Za-z0-9)%]")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})


def normal(text: str) -> str:
    """Text compared without white space, hyphens, quote styles or ligatures (HTML breaks
    lines where the source does not, TeX hyphenates, Sphinx curls quotes)."""
    text = re.sub(r"[“”„]", '"', re.sub(r"[‘’]", "'", text.translate(_LIGATURES)))
    return re.sub(r"[\s\-\u00ad]+", "", text)


def solution_blocks(markdown: str) -> list[str]:
    """The bodies of the MyST directives with the class ``solution`` in a page's source."""
    return re.findall(
        r"^(:{3,}|`{3,})\{[\w-]+\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?"
        r":class(?:-container)?:[^\n]*\bsolution\b[^\n]*\n(.*?)^\1\s*$",
        markdown,
        re.S | re.M,
    )


def prose_runs(text: str) -> list[str]:
    """The runs of plain prose in MyST text (option lines and headings' markers left out)."""
    runs = []
    for line in text.splitlines():
        if re.match(r"^\s*:[\w-]+:", line):
            continue
        runs += [run.strip() for run in PROSE_RUN.findall(line)]
    return runs


def lab_solution_cells() -> list[tuple[str, nbformat.NotebookNode]]:
    return [
        (path.stem, cell)
        for path in sorted((ROOT / "exercises").glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if "solution" in cell.metadata.get("tags", [])
    ]


@lru_cache(maxsize=1)
def visible_material() -> str:
    """What students are meant to see, normalised: pages without their solution blocks or
    instructors' pages, the seed texts, the student copies, the reading checks, the
    masters' cells that are not solutions."""
    parts = []
    for path in ROOT.glob("chapters/**/*.md"):
        if INSTRUCTORS in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        for _, body in solution_blocks(text):
            text = text.replace(body, "")
        parts.append(text)
    parts += [
        p.read_text(encoding="utf-8")
        for p in [
            ROOT / "intro.md",
            *ROOT.glob("seeds/*.txt"),
            *ROOT.glob("chapters/readings/quizzes/*.yml"),
            *ROOT.glob("chapters/readings/translations/*"),
        ]
    ]
    for path in sorted((ROOT / "exercises" / "student").glob("*.ipynb")):
        parts += [cell.source for cell in nbformat.read(path, as_version=4).cells]
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        parts += [
            cell.source
            for cell in nbformat.read(path, as_version=4).cells
            if "solution" not in cell.metadata.get("tags", [])
        ]
    return normal("\n".join(parts))


@lru_cache(maxsize=1)
def needles() -> dict[str, list[str]]:
    """What must not be published, by where it comes from: ``{source: [needle, ...]}``.

    Each source (a solution cell, a model answer, an instructors' page) yields at least one
    needle, or the test says which one it cannot find a distinctive line in.
    """
    visible = visible_material()
    found: dict[str, list[str]] = {}

    def add(source: str, candidates: list[str]) -> None:
        distinct = sorted({c for c in candidates if normal(c) and normal(c) not in visible})
        found[source] = distinct

    for number, (lab, cell) in enumerate(lab_solution_cells()):
        if cell.cell_type == "code":
            # Code lines that say something (an assignment, a call), not a bare name or bracket.
            lines = [line.strip() for line in cell.source.splitlines()]
            # And its result, when it is more than a bare number ({'members': 34, 'ties': 78}).
            results = [
                output.get("data", {}).get("text/plain", "") for output in cell.get("outputs", [])
            ]
            add(
                f"{lab}: solution cell {number}",
                [line for line in lines if len(line) >= 12 and not line.startswith("#")]
                + [r for r in results if len(r) >= 12],
            )
        else:
            add(f"{lab}: model answer in cell {number}", prose_runs(cell.source))
    for path in sorted(ROOT.glob("chapters/**/*.md")):
        name = str(path.relative_to(ROOT))
        if INSTRUCTORS in path.parents:
            body = path.read_text(encoding="utf-8").split("\n# ", 1)[1].split("\n", 1)[1]
            add(f"{name}: instructors' page", prose_runs(body))
            continue
        for number, (_, body) in enumerate(
            solution_blocks(path.read_text(encoding="utf-8")), start=1
        ):
            add(f"{name}: model answer {number}", prose_runs(body))
    return found


def test_every_solution_and_model_answer_yields_needles():
    """The needles are not vacuous: every solution cell of every master, every model answer
    and every instructors' page gives at least one distinctive needle."""
    found = needles()
    kinds = {source.split(": ", 1)[1].split(" ")[0] for source in found}
    assert {"solution", "model", "instructors'"} <= kinds, kinds
    assert sum(1 for s in found if "instructors' page" in s) == len(list(INSTRUCTORS.glob("*.md")))
    # Cells with only a short assignment (interpretation = "c") have no line long enough to
    # be unmistakable; every other source must have needles.
    short = [s for s, n in found.items() if not n]
    assert all("solution cell" in s for s in short), short
    assert len(short) <= len(lab_solution_cells()) // 4, short


def file_text(path: Path) -> str:
    """A published file's text as a reader could get it, normalised for :func:`normal`."""
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    raw = path.read_bytes().decode("utf-8", errors="replace")
    texts = [raw]
    if path.suffix in {".html", ".htm"}:
        texts.append(html.unescape(re.sub(r"<[^>]+>", " ", raw)))
    # JSON (notebooks, the search index): its strings decoded (escaped quotes, \n, \u2019).
    document = raw
    if path.name == "searchindex.js":
        document = raw[raw.index("(") + 1 : raw.rindex(")")]
    if path.suffix in {".ipynb", ".json"} or path.name == "searchindex.js":

        def strings(value: object) -> list[str]:
            if isinstance(value, str):
                return [value]
            if isinstance(value, dict):
                return [s for k, v in value.items() for s in [k, *strings(v)]]
            if isinstance(value, list):
                return [s for v in value for s in strings(v)]
            return []

        texts.append("\n".join(strings(json.loads(document))))
    return "\n".join(texts)


def published_files(build: Path) -> list[Path]:
    return sorted(
        p for p in build.rglob("*") if p.is_file() and not PRIVATE & set(p.relative_to(build).parts)
    )


def leaks(build: Path) -> dict[str, list[str]]:
    """``{file: [what it gives away, ...]}`` for every file under ``build``."""
    found: dict[str, list[str]] = {}
    flat = [(source, needle, normal(needle)) for source, ns in needles().items() for needle in ns]
    for path in published_files(build):
        text = normal(file_text(path))
        hits = [f"{source}: {needle}" for source, needle, key in flat if key in text]
        if hits:
            found[str(path.relative_to(build))] = hits
    return found


@pytest.mark.slow
def test_the_needles_are_found_where_they_are_published(built):
    """The full edition publishes them: the search works (in the pages, the sources, the
    notebooks, and in the pages' HTML alone)."""
    pages = [p for p in built.rglob("*.html") if "_static" not in p.parts]
    html_text = normal("\n".join(file_text(p) for p in pages))
    for source, ns in needles().items():
        if ns and "instructors'" not in source:
            assert any(normal(n) in html_text for n in ns), (
                f"{source}: no needle on the full edition's pages"
            )
    assert leaks(built.parent)  # and the walk over files finds them


@pytest.mark.slow
def test_the_student_edition_publishes_no_solution_in_any_file(student_pdf_book):
    build = student_pdf_book
    files = published_files(build)
    # The walk covers what a reader can get: pages, sources, notebooks, search index, PDF.
    names = {str(p.relative_to(build)) for p in files}
    for expected in [
        "html/searchindex.js",
        "html/_sources/exercises/head-and-tail.ipynb",
        "html/_sources/chapters/readings/cathedral-bazaar.md",
        "html/_sources/chapters/instructors/answer-keys.md",
        "html/open-source-marketing-student.pdf",
        "pdf/open-source-marketing-student.pdf",
    ]:
        assert expected in names, expected
    found = leaks(build)
    report = "\n".join(
        f"{name}: {len(hits)} give-aways, e.g. {hits[0]}" for name, hits in found.items()
    )
    assert not found, f"{len(found)} published files give answers away:\n{report}"


@pytest.mark.slow
def test_lab_downloads_in_the_student_edition_are_the_student_copies(student_pdf_book):
    html_dir = student_pdf_book / "html"
    for lab in sorted((ROOT / "exercises").glob("*.ipynb")):
        page = (html_dir / "exercises" / f"{lab.stem}.html").read_text(encoding="utf-8")
        downloads = {
            html.unescape(h)
            for h in re.findall(r'href="([^"]*\.ipynb)"', page)
            if not re.match(r"^[a-z]+:", h)
        }
        assert downloads, f"{lab.name}: no notebook download"
        for link in downloads:
            served = (html_dir / "exercises" / link).resolve()
            assert (
                served.read_bytes() == (ROOT / "exercises" / "student" / lab.name).read_bytes()
            ), link


def search_terms(index_file: Path) -> tuple[list[str], dict[str, set[int]]]:
    raw = index_file.read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    terms: dict[str, set[int]] = {}
    for table in ("terms", "titleterms"):
        for term, docs in index[table].items():
            terms.setdefault(term, set()).update(docs if isinstance(docs, list) else [docs])
    return index["docnames"], terms


@pytest.mark.slow
def test_the_student_search_index_has_no_word_only_the_answers_use(built, student_pdf_book):
    """The search index holds words, not sentences: a word of a page's removed answers that
    the page's student version never uses must not lead to that page."""
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish({}).stem
    removed: dict[str, str] = {}
    for lab, cell in lab_solution_cells():
        removed[f"exercises/{lab}"] = removed.get(f"exercises/{lab}", "") + "\n" + cell.source
    for path in ROOT.glob("chapters/**/*.md"):
        docname = str(path.relative_to(ROOT).with_suffix(""))
        text = path.read_text(encoding="utf-8")
        if INSTRUCTORS in path.parents:
            removed[docname] = text.split("\n# ", 1)[1].split("\n", 1)[1]
        else:
            removed[docname] = "\n".join(body for _, body in solution_blocks(text))

    def words(text: str) -> set[str]:
        return {stem(w.lower()) for w in re.findall(r"[A-Za-z]{3,}", text)}

    student_html = student_pdf_book / "html"
    checked = 0
    for edition, html_dir, must_have in (("full", built, True), ("student", student_html, False)):
        docnames, terms = search_terms(html_dir / "searchindex.js")
        hits = []
        for docname, text in removed.items():
            if not text.strip():
                continue
            student_page = (student_html / f"{docname}.html").read_text(encoding="utf-8")
            kept = words(
                html.unescape(
                    re.sub(
                        r"<[^>]+>",
                        " ",
                        re.sub(r"<(script|style)\b.*?</\1>", " ", student_page, flags=re.S),
                    )
                )
            )
            only_answers = words(text) - kept
            doc = docnames.index(docname)
            hits += [(docname, w) for w in only_answers if doc in terms.get(w, set())]
            checked += len(only_answers)
        if must_have:
            assert len({d for d, _ in hits}) >= 5, (
                f"the full edition's index should have them: {hits[:10]}"
            )
        else:
            assert not hits, f"the student index leads to removed answers: {hits[:20]}"
    assert checked > 100


# --- Fast: the edition's own filters, alone. ---


def test_solution_blocks_leave_the_markdown_and_nothing_else():
    from osmcourse.book.edition import STUDENT_NOTE, instructor_stub, strip_solution_blocks

    page = (
        "# Title\n\nQuestion.\n\n::::{dropdown} Model answer\n:class-container: solution\n"
        "The answer.\n:::{note}\nInside.\n:::\nStill the answer.\n::::\n\n"
        ":::{dropdown} Hint\n:class-container: hint\nA hint.\n:::\n\n"
        "```{admonition} Key\n:class: tip solution\nThe key.\n```\nAfter.\n"
    )
    student = strip_solution_blocks(page)
    assert "answer" not in student and "Inside" not in student and "The key" not in student
    assert "Question." in student and "A hint." in student and "After." in student
    assert strip_solution_blocks("No blocks here.\n") == "No blocks here.\n"
    # An unclosed block goes to the end, rather than leaving its answer in.
    assert "secret" not in strip_solution_blocks(
        ":::{dropdown} A\n:class-container: solution\nsecret\n"
    )
    assert (
        instructor_stub("(label)=\n# Keys\n\nAll the keys.\n")
        == f"(label)=\n# Keys\n\n{STUDENT_NOTE}\n"
    )


def test_student_notebook_drops_solution_cells_and_blocks():
    from osmcourse.book.edition import student_notebook

    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Lab\n"},
            {
                "cell_type": "code",
                "metadata": {"tags": ["solution"]},
                "source": "answer = 42",
                "outputs": [],
            },
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": [
                    "Say why.\n",
                    ":::{dropdown} Model answer\n",
                    ":class-container: solution\n",
                    "Because.\n",
                    ":::\n",
                ],
            },
            {"cell_type": "code", "metadata": {}, "source": "check(answer)", "outputs": []},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    student = student_notebook(notebook, instructors_page=False)
    assert [c["source"] for c in student["cells"]] == ["# Lab\n", "Say why.\n", "check(answer)"]
    keys = student_notebook(notebook, instructors_page=True)
    assert len(keys["cells"]) == 1 and keys["cells"][0]["source"].startswith("# Lab")
