"""The whole course as one PDF (`make pdf`, `make student-pdf`; osmcourse/book/latex.py).

The slow tests build the PDFs as the Makefile does and read them back with poppler's
``pdftotext`` and ``pdfimages``; the fast ones test the parts alone: the LaTeX log check, the
HTML link, and Sphinx's LaTeX output for a one-page book (seed texts; nothing dropped silently).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from docutils import nodes

from osmcourse.book.edition import STUDENT_NOTE
from osmcourse.book.pdf import latex_log_problems, pdf_name
from osmcourse.book.pdf_link import add_pdf_download_button
from osmcourse.text import load_seed, seed_ids

from conftest import ROOT

SEED_IDS = seed_ids()  # the catalogue is the one list of readings
# Ligatures pdftotext may hand back as one character.
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})


def squeeze(text: str) -> str:
    """Text without white space and hyphen-minus, for comparing prose with a PDF's text.

    A PDF's text breaks lines (and TeX hyphenates words) where the source has none; taking
    out every white space (NBSP included) and every "-" compares everything else, character
    for character: letters, quotation marks, dashes, ellipses, the emoji.
    """
    return re.sub(r"[\s\-\u00ad]+", "", text.translate(_LIGATURES))


def fold_quotes(text: str) -> str:
    """Straight quotes for curly ones (Sphinx makes prose quotes curly; sources are straight)."""
    return re.sub(r"[“”„]", '"', re.sub(r"[‘’]", "'", text))


def make(target: str, log: Path, **variables: str) -> None:
    """Run a Makefile target as a user would, with this test run's Python environment."""
    args = [f"VENV={Path(sys.prefix)}"] + [f"{name}={value}" for name, value in variables.items()]
    # The environment running the tests is installed already: never reinstall it mid-run.
    installed = ["-o", str(Path(sys.prefix) / ".installed")]
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *installed, target, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]


# The body of an A4 page, in points from the top: the running header (y 33-46) and footer
# (y 789-803) are left out, or they would split every paragraph that crosses a page.
BODY_TOP, BODY_HEIGHT = 55, 725


def pdf_to_text(pdf: Path) -> str:
    """The text of a PDF's page bodies (poppler's pdftotext), pages in order."""
    return subprocess.run(
        [
            "pdftotext",
            "-enc",
            "UTF-8",
            "-x",
            "0",
            "-y",
            str(BODY_TOP),
            "-W",
            "700",
            "-H",
            str(BODY_HEIGHT),
            str(pdf),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def page_title(name: str) -> str:
    """A page's title: its first "# " heading (the first Markdown cell's, for a notebook)."""
    # The page itself, not a file beside it that shares its name (NAME.evidence.yml).
    path = next(p for p in (ROOT / f"{name}.md", ROOT / f"{name}.ipynb") if p.exists())
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        source = path.read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", source, re.M).group(1).strip()


def book_outline() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """_toc.yml as titles: [(part caption, [(chapter title, [section titles])])]."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        (
            part["caption"],
            [
                (page_title(c["file"]), [page_title(s["file"]) for s in c.get("sections", [])])
                for c in part["chapters"]
            ],
        )
        for part in toc["parts"]
    ]


def model_answers() -> dict[str, list[str]]:
    """Lines of worked solutions (lab cells tagged "solution"), of the chapters' model
    answers (dropdowns with the class "solution"), long enough to be unmistakable, and the
    reading checks' reasons for their answers."""
    import nbformat

    from osmcourse.quizzes import load_quiz

    answers: dict[str, list[str]] = {"labs": [], "chapters": [], "quizzes": []}
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in cell.metadata.get("tags", []):
                answers["labs"] += [
                    line.strip()
                    for line in cell.source.splitlines()
                    if "=" in line and not line.strip().startswith("#") and len(line.strip()) > 20
                ]
    for path in (ROOT / "chapters").rglob("*.md"):
        for block in re.findall(
            r":class-container: solution\n(.*?)\n:::", path.read_text(encoding="utf-8"), re.S
        ):
            answers["chapters"] += [
                line.strip()
                for line in block.splitlines()
                if re.fullmatch(r"[A-Za-z ,.;']{40,}", line.strip())
            ]
    # The reading checks' key: the reason given for each right answer (osmcourse.book.quiz).
    for path in sorted((ROOT / "chapters").rglob("quizzes/*.yml")):
        for question in load_quiz(path).questions:
            why = question.correct_choice.why if question.kind == "choice" else question.why
            answers["quizzes"].append(why.removeprefix("Right. "))
    return answers


# --- Fast: the log check and the link, alone. ---


def test_log_check_finds_errors_missing_glyphs_and_dangling_links():
    log = "\n".join(
        [
            "(./open-source-marketing.aux)",
            "Missing character: There is no 🙂 (U+1F642) in font Noto Serif Regular/OT:script=latn;!",
            "! Undefined control sequence.",
            "LaTeX Warning: Hyper reference `chapters/glossary:term-RSS' on page 3 undefined on input line 9.",
            "LaTeX Warning: There were undefined references.",
            "Overfull \\hbox (1.2pt too wide) in paragraph at lines 1--2",
        ]
    )
    problems = latex_log_problems(log)
    assert len(problems) == 4
    assert any("U+1F642" in p for p in problems)
    assert (
        latex_log_problems("(./open-source-marketing.aux)\nOutput written on x.xdv (3 pages).")
        == []
    )


def _page_context() -> dict:
    return {
        "pathto": lambda name, resource=0: f"../{name}",
        "header_buttons": [{"type": "group", "label": "download-buttons", "buttons": []}],
    }


def test_pages_link_to_the_pdf_only_when_there_is_one(tmp_path):
    outdir = tmp_path / "_build" / "html"
    app = SimpleNamespace(
        outdir=str(outdir),
        builder=SimpleNamespace(format="html"),
        config=SimpleNamespace(osm_edition="full"),
    )
    context = _page_context()
    add_pdf_download_button(app, "chapters/glossary", "page.html", context, None)
    assert context["header_buttons"][0]["buttons"] == [], "no PDF built: no link"

    (tmp_path / "_build" / "pdf").mkdir(parents=True)
    (tmp_path / "_build" / "pdf" / "open-source-marketing.pdf").write_bytes(b"%PDF-1.5\n")
    add_pdf_download_button(app, "chapters/glossary", "page.html", context, None)
    assert [b["url"] for b in context["header_buttons"][0]["buttons"]] == [
        "../open-source-marketing.pdf"
    ]

    no_menu = {"pathto": lambda name, resource=0: name, "header_buttons": []}
    add_pdf_download_button(app, "genindex", "genindex.html", no_menu, None)
    assert no_menu["header_buttons"][0]["buttons"][0]["url"] == "open-source-marketing.pdf"

    app.config.osm_edition = "student"  # the student edition links to its own PDF only
    context = _page_context()
    add_pdf_download_button(app, "intro", "page.html", context, None)
    assert context["header_buttons"][0]["buttons"] == []


class web_only(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """A node with an HTML visitor only, as a new directive might forget its LaTeX one."""


MINI_CONF = """
from osmcourse.book import edition, latex, seeds
from test_pdf import web_only

root_doc = "index"


def setup(app):
    for module in (seeds, edition, latex):
        module.setup(app)
    app.add_node(web_only, html=(lambda self, node: None, lambda self, node: None))
    app.add_directive("web-only", type("WebOnly", (__import__("docutils.parsers.rst").parsers.rst.Directive,),
                                       {"run": lambda self: [web_only()]}))
"""


def latex_of(small_book, tmp_path: Path, page: str) -> tuple[str, str, Path]:
    """The .tex Sphinx's LaTeX builder writes for a one-page book with the course's LaTeX
    settings and seed-text directive; the build's warnings; and its output folder."""
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(MINI_CONF, encoding="utf-8")
    (src / "index.rst").write_text(page, encoding="utf-8")
    (src / "003-en.txt").write_bytes(
        (ROOT / "chapters/readings/translations/003-en.txt").read_bytes()
    )
    # conftest's small_book: Sphinx's test application, a fresh environment; warnings are
    # collected here (one test expects one), and a missing visitor's error propagates.
    build = small_book(src, "latex", builddir=tmp_path / "out", warningiserror=False)
    tex = (build.outdir / "open-source-marketing.tex").read_text(encoding="utf-8")
    return tex, build.warnings, build.outdir


@pytest.mark.slow
def test_seed_texts_in_latex_keep_labels_line_breaks_and_translation(tmp_path, small_book):
    tex, warnings, outdir = latex_of(
        small_book,
        tmp_path,
        "Mini\n====\n\n.. seed-text:: 003\n   :translation: 003-en.txt\n\n"
        ".. seed-text:: 002\n\nSee :ref:`¶2 <seed-003-p2>`.\n",
    )
    assert warnings == ""
    assert r"\label{\detokenize{index:seed-003-p2}}" in tex and r"\begin{osmseedrow}{¶2}" in tex
    assert tex.count(r"\begin{osmseedtranslation}") == len(load_seed("003").paragraphs)
    assert r"\newline" in tex  # text 002 breaks lines inside paragraphs
    assert "<br" not in tex and "lang=" not in tex
    assert (outdir / "osmBook.cls").is_file()


@pytest.mark.slow
def test_content_latex_cannot_show_fails_the_build_loudly(tmp_path, small_book):
    _, warnings, _ = latex_of(
        small_book, tmp_path / "raw", "Mini\n====\n\n.. raw:: html\n\n   <p>web only</p>\n"
    )
    assert "raw HTML would be missing from the PDF" in warnings  # an error under -W
    # A node without a LaTeX visitor: Sphinx warns, then stops (never a silent gap).
    with pytest.raises(NotImplementedError, match="unknown node type: web_only"):
        latex_of(small_book, tmp_path / "node", "Mini\n====\n\n.. web-only::\n")


# --- Slow: the PDFs themselves. ---


@pytest.fixture(scope="session")
def pdf_book(built) -> Path:
    """`make pdf` into the HTML book's build folder (its execution cache is reused); the
    HTML book is built again by it, now linking to the PDF."""
    out = built.parent.parent
    make("pdf", out / "pdf.log", BUILD_OUT=str(out))
    return out / "_build"


@pytest.fixture(scope="session")
def pdf_text(pdf_book) -> str:
    return pdf_to_text(pdf_book / "pdf" / pdf_name("full"))


@pytest.fixture(scope="session")
def student_pdf_text(student_pdf_book) -> str:
    """The student edition's PDF (`make student-pdf`, conftest.py)."""
    return pdf_to_text(student_pdf_book / "pdf" / pdf_name("student"))


@pytest.mark.slow
@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_every_paragraph_of_every_text_is_in_the_pdf(pdf_text, seed_id):
    seed = load_seed(seed_id)
    text = squeeze(pdf_text)
    if seed.heading:
        assert squeeze(seed.heading) in text, f"the heading of {seed_id}"
    for number, paragraph in enumerate(seed.paragraphs, start=1):
        assert squeeze(paragraph) in text, f"¶{number} of {seed_id} is not in the PDF"


@pytest.mark.slow
def test_the_translation_follows_the_swedish(pdf_text):
    seed = load_seed("003")
    lines = [
        line.strip()
        for line in (ROOT / "chapters/readings/translations/003-en.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    text = squeeze(pdf_text)
    for number, (original, ours) in enumerate(zip(seed.paragraphs, lines[1:]), start=1):
        at = text.find(squeeze(original))
        assert at >= 0 and text.find(squeeze(ours), at) > at, (
            f"¶{number}: translation not after the original"
        )
    assert "\U0001f642" in pdf_text and "å" in pdf_text and "…" in pdf_text


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def same(a: str, b: str) -> bool:
    """The same title, but for white space, hyphens, quotation marks and case."""
    return squeeze(fold_quotes(a)).casefold() == squeeze(fold_quotes(b)).casefold()


@pytest.mark.slow
def test_parts_and_chapters_are_numbered_in_the_order_of_the_toc(pdf_text):
    outline = book_outline()
    chapters = [title for _, part in outline for title, _ in part]
    text = pdf_text.replace("\f", "\n")
    contents, body = text.split("CHAPTER", 1)[0], "CHAPTER" + text.split("CHAPTER", 1)[1]

    # The table of contents: "I" then the part's caption; "3 Title" for each chapter.
    # (pdftotext may put the page number between the two).
    parts = re.findall(r"^(" + "|".join(ROMAN) + r")\n\n(?:\d+\n\n)?(.+)$", contents, re.M)
    assert [number for number, _ in parts] == ROMAN[: len(outline)]
    assert all(same(found, caption) for (_, found), (caption, _) in zip(parts, outline)), parts
    listed = re.findall(r"^(\d+) (\D.*)$", contents, re.M)
    assert [int(number) for number, _ in listed] == list(range(1, len(chapters) + 1)), listed
    assert all(same(found, title) for (_, found), title in zip(listed, chapters)), listed

    # The chapters themselves: "CHAPTER", its number in words, its title in capitals.
    headings = [
        m.group(1).replace("\n", " ")
        for m in re.finditer(r"^CHAPTER\n\n[A-Z-]+\n((?:.+\n)+?)\n", body, re.M)
    ]
    assert len(headings) == len(chapters), headings
    assert all(same(found, title) for found, title in zip(headings, chapters)), headings

    # A chapter's sub-pages are its numbered sections, in order ("14.2 Syllabus").
    for number, (title, sections) in enumerate([c for _, part in outline for c in part], start=1):
        listed_sections = [
            t for n, t in re.findall(rf"^{number}\.(\d+) (.+?)(?: \. \..*)?$", contents, re.M)
        ]
        at = 0
        for section in sections:
            at = next(
                (
                    i + 1
                    for i, found in enumerate(listed_sections)
                    if i >= at and same(found, section)
                ),
                -1,
            )
            assert at > 0, f"{section!r} is not a section of chapter {number} ({title}) in order"


@pytest.mark.slow
def test_the_pdf_has_every_figure_of_the_html_book(pdf_book):
    """As many images as the HTML book shows (notebook figures, glued figures)."""
    pages = [p for p in (pdf_book / "html").rglob("*.html") if "_static" not in p.parts]
    html_images = sum(
        len(re.findall(r'<img\b[^>]*src="[^"]*_images/', p.read_text(encoding="utf-8")))
        for p in pages
    )
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_book / "pdf" / pdf_name("full"))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    pdf_images = sum(1 for row in listing if row.split()[2] == "image")
    assert html_images > 0
    assert pdf_images == html_images


@pytest.mark.slow
def test_the_latex_log_reports_no_problem(pdf_book):
    log = (pdf_book / "latex" / pdf_name("full").replace(".pdf", ".log")).read_text(
        errors="replace"
    )
    assert "Output written on" in log
    assert latex_log_problems(log) == []


@pytest.mark.slow
def test_every_html_page_links_to_the_pdf_beside_it(pdf_book):
    html_dir = pdf_book / "html"
    pdf = html_dir / pdf_name("full")
    assert pdf.read_bytes() == (pdf_book / "pdf" / pdf_name("full")).read_bytes()
    # Every page but jupyter-book's index.html, which only redirects to the root page.
    pages = [
        p
        for p in html_dir.rglob("*.html")
        if "_static" not in p.parts
        and not p.read_text(encoding="utf-8").startswith('<meta http-equiv="Refresh"')
    ]
    assert len(pages) > 15
    for page in pages:
        links = [
            html.unescape(h)
            for h in re.findall(r'href="([^"]*\.pdf)"', page.read_text(encoding="utf-8"))
            if not re.match(r"^[a-z]+:", h)
        ]
        assert links, f"{page.relative_to(html_dir)} has no link to the PDF"
        assert all((page.parent / link).resolve() == pdf.resolve() for link in links), links


@pytest.mark.slow
def test_the_student_pdf_has_no_model_answer(pdf_text, student_pdf_text):
    full, student = squeeze(fold_quotes(pdf_text)), squeeze(fold_quotes(student_pdf_text))
    for kind, answers in model_answers().items():
        assert any(squeeze(fold_quotes(a)) in full for a in answers), (
            f"the full PDF should show the {kind}' model answers"
        )
    for answer in [a for answers in model_answers().values() for a in answers]:
        assert squeeze(fold_quotes(answer)) not in student, (
            f"model answer in the student PDF: {answer}"
        )
    assert "Student edition" in student_pdf_text and squeeze(STUDENT_NOTE) in student
    assert "Full edition" in pdf_text


# --- Slow: one bibliography, tables that fit. ---

# Overfull lines the PDF may have: a box this much wider than its line is not noticed in
# print (TeX's own \hfuzz is 0.1pt); anything wider runs visibly into the margin.
OVERFULL_TOLERANCE_PT = 20.0


def overfull_boxes(log: str) -> list[float]:
    """How far each overfull line of a LaTeX log sticks out, in points."""
    return [
        float(width) for width in re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\)", log, re.M)
    ]


def bibliography_entries(pdf_text: str) -> list[tuple[int, str]]:
    """The numbered entries ``[n] Author. Title...`` of the PDF, in order, wherever they are."""
    return [
        (int(number), " ".join(text.split()))
        for number, text in re.findall(r"^\[(\d+)\]\s+(\S.*)$", pdf_text, re.M)
    ]


def test_overfull_boxes_are_read_from_the_log():
    log = (
        "Overfull \\hbox (1.26997pt too wide) detected at line 185\n"
        "Overfull \\hbox (57.53944pt too wide) in paragraph at lines 10542--10542\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 1--2\n"
    )
    assert overfull_boxes(log) == [1.26997, 57.53944]
    entries = bibliography_entries("[1]   James Cherkoff. What is\n[12]\n\nFrank M. Bass. A new\n")
    assert entries == [(1, "James Cherkoff. What is"), (12, "Frank M. Bass. A new")]


def _the_book_has_one_bibliography(pdf_text: str, tex: str) -> None:
    text = pdf_text.replace("\f", "\n")
    contents = text.split("CHAPTER", 1)[0]
    # The contents list one Bibliography (the last chapter's) and no "References" sections.
    assert len(re.findall(r"^(?:\d+ )?Bibliography\b", contents, re.M)) == 1, (
        "one Bibliography in the contents"
    )
    assert not re.search(r"^\d+\.\d+ References\b", contents, re.M), (
        "the chapters' empty References sections"
    )
    # The entries print in the Bibliography chapter, after its heading and introduction...
    heading = [m.start() for m in re.finditer(r"^CHAPTER\n\n[A-Z-]+\nBIBLIOGRAPHY\n", text, re.M)]
    first = re.compile(r"^\[1\]\s", re.M).search(text, heading[0]) if len(heading) == 1 else None
    assert first, "no numbered entry after the Bibliography chapter's heading"
    assert "Every work the course cites" in text[heading[0] : first.start()]
    # ... every work of references.bib once, numbered 1..N without a restart, nothing after.
    works = len(
        re.findall(r"^@[A-Za-z]+\{", (ROOT / "references.bib").read_text(encoding="utf-8"), re.M)
    )
    entries = bibliography_entries(text[heading[0] :])
    assert [number for number, _ in entries] == list(range(1, works + 1)), [n for n, _ in entries]
    starts = [squeeze(entry) for _, entry in entries]  # each entry's first line
    assert len(set(starts)) == len(starts), "a work is printed twice"
    assert len(re.findall(r"^\[1\]\s", text, re.M)) == 1, "a second list starts at [1]"
    # Every in-text citation links to an entry of that one list.
    targets = re.findall(r"\\hyperlink\{cite\.([^}]+)\}", tex)
    keys = set(re.findall(r"\\bibitem\[\d+\]\{([^}]+)\}", tex))
    assert len(targets) > 20 and len(keys) == works
    assert all(key.startswith("chapters/bibliography:") for key in keys)
    assert set(targets) <= keys, sorted(set(targets) - keys)[:5]


@pytest.mark.slow
def test_the_pdf_has_one_bibliography_and_citations_resolve_to_it(pdf_book, pdf_text):
    tex = (pdf_book / "latex" / pdf_name("full").replace(".pdf", ".tex")).read_text(
        encoding="utf-8"
    )
    _the_book_has_one_bibliography(pdf_text, tex)


@pytest.mark.slow
def test_the_student_pdf_has_one_bibliography(student_pdf_book, student_pdf_text):
    tex = (student_pdf_book / "latex" / pdf_name("student").replace(".pdf", ".tex")).read_text(
        encoding="utf-8"
    )
    _the_book_has_one_bibliography(student_pdf_text, tex)


def _tables_fit(build: Path, edition: str, text: str) -> None:
    # No output wrapped as plain text with continuation marks.
    assert "↪" not in text and "␣" not in text
    log = (build / "latex" / pdf_name(edition).replace(".pdf", ".log")).read_text(errors="replace")
    wide = [w for w in overfull_boxes(log) if w > OVERFULL_TOLERANCE_PT]
    assert not wide, (
        f"{len(wide)} lines stick out more than {OVERFULL_TOLERANCE_PT}pt: {sorted(wide)[-5:]}"
    )
    # Every DataFrame the HTML book shows as a table is a table in the PDF.
    from osmcourse.book.latex import DATAFRAME_MARK

    html_dir = build / "html"
    frames = sum(
        len(re.findall(r'<table[^>]*class="[^"]*dataframe', p.read_text(encoding="utf-8")))
        for p in html_dir.rglob("*.html")
        if "_static" not in p.parts
    )
    tex = (build / "latex" / pdf_name(edition).replace(".pdf", ".tex")).read_text(encoding="utf-8")
    assert frames > 5 and tex.count(DATAFRAME_MARK) == frames


@pytest.mark.slow
def test_tables_print_as_tables_that_fit_the_page(pdf_book, pdf_text):
    _tables_fit(pdf_book, "full", pdf_text)
    # The Head and tail lab's data table: a table on at most two pages, not text over several.
    from osmcourse.data import load_long_tail_figures

    metrics = list(load_long_tail_figures()["metric"])
    pages = [squeeze(page) for page in pdf_text.split("\f")]
    first = next(i for i, page in enumerate(pages) if squeeze(metrics[0]) in page)
    last = next(i for i, page in enumerate(pages) if i >= first and squeeze(metrics[-1]) in page)
    assert last - first <= 1, f"the Head and tail data table runs over {last - first + 1} pages"


@pytest.mark.slow
def test_student_pdf_tables_fit_the_page(student_pdf_book, student_pdf_text):
    _tables_fit(student_pdf_book, "student", student_pdf_text)


def _frame_html(frame) -> str:
    return frame._repr_html_()


def test_dataframes_become_latex_tables_that_fit():
    import pandas as pd

    from osmcourse.book.latex import DATAFRAME_MARK, dataframe_latex, dataframe_rows
    from osmcourse.data import load_long_tail_figures

    assert dataframe_rows("<p>not a table</p>") is None
    assert dataframe_rows('<table class="other"><tr><td>1</td></tr></table>') is None
    # A table this cannot lay out (a bad span, ragged rows) is left as text, never a crash.
    assert (
        dataframe_rows(
            '<table class="dataframe"><tr><th colspan="x">a</th><th>b</th></tr>'
            "<tr><td>1</td><td>2</td></tr></table>"
        )
        is None
    )
    assert (
        dataframe_rows(
            '<table class="dataframe"><tr><th>a</th></tr><tr><td>1</td><td>2</td></tr></table>'
        )
        is None
    )
    # Long text: the wide columns wrap (xltabular, across pages), identifiers may break.
    figures = load_long_tail_figures()[["metric", "value_text", "unit", "confidence", "citation"]]
    with pd.option_context("display.max_colwidth", None):
        tex = dataframe_latex(dataframe_rows(_frame_html(figures)))
    assert DATAFRAME_MARK in tex and r"\begin{xltabular}{\linewidth}" in tex and r"\endhead" in tex
    assert r"\_\allowbreak{}" in tex and "\\toprule" in tex
    # A series laid out in a row: short numbers, never wrapped; shrunk to the line if needed.
    row = pd.DataFrame([range(1000, 1030)], index=["sales"])
    tex = dataframe_latex(dataframe_rows(_frame_html(row)))
    assert (
        r"\begin{adjustbox}{max width=\linewidth}" in tex
        and "X" not in tex.split("tabular}{")[1][:40]
    )
    # A long table is abridged, and says so.
    long = pd.DataFrame({"n": range(100)})
    with pd.option_context("display.max_rows", None):
        tex = dataframe_latex(dataframe_rows(_frame_html(long)))
    assert "Abridged: 80 of the table's 100 rows are left out" in tex
    assert "\n99 & 99 \\\\" in tex and "\n50 & 50 \\\\" not in tex
    # Text is escaped for LaTeX.
    tex = dataframe_latex(dataframe_rows(_frame_html(pd.DataFrame({"a&b": ["50% of $x_1#"]}))))
    assert r"a\&b" in tex and r"50\% of \$x\_1\#" in tex


BIB_CONF = """
extensions = ["osmcourse.book"]
root_doc = "index"
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"
suppress_warnings = ["bibtex.duplicate_citation", "bibtex.duplicate_label"]
"""
BIB = """@book{alpha, author = {Ann Alpha}, title = {First Work}, publisher = {P}, year = {2001}}
@book{beta, author = {Bob Beta}, title = {Second Work}, publisher = {P}, year = {2002}}
"""


@pytest.mark.slow
def test_print_has_one_bibliography_in_place_and_citations_link_to_it(tmp_path, small_book):
    """A book whose chapters end with their own lists: in LaTeX only the Bibliography page's
    list prints, where it stands, and every citation links to it."""
    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "conf.py").write_text(BIB_CONF, encoding="utf-8")
    (src / "refs.bib").write_text(BIB, encoding="utf-8")
    (src / "index.rst").write_text(
        "Book\n====\n\n.. toctree::\n\n   one\n   two\n   chapters/bibliography\n"
    )
    for name, key in (("one", "alpha"), ("two", "beta")):
        (src / f"{name}.rst").write_text(
            f"Chapter {name}\n==========\n\nAs :cite:t:`{key}` says.\n\n"
            "References\n----------\n\n.. bibliography::\n   :filter: docname in docnames\n"
        )
    (src / "chapters" / "bibliography.rst").write_text(
        "Bibliography\n============\n\nEvery work.\n\n.. bibliography::\n   :all:\n"
    )
    build = small_book(src, "latex", builddir=tmp_path / "out", warningiserror=False)
    assert build.status == 0, build.error
    tex = next(build.outdir.glob("*.tex")).read_text(encoding="utf-8")
    assert tex.count(r"\begin{osmbibliography}") == 1 and "sphinxthebibliography" not in tex
    assert r"\section{References}" not in tex
    keys = re.findall(r"\\bibitem\[(\d+)\]\{([^}]+)\}", tex)
    assert [n for n, _ in keys] == ["1", "2"] and all(
        k.startswith("chapters/bibliography:") for _, k in keys
    )
    assert tex.index(r"\begin{osmbibliography}") > tex.index("Every work.")
    links = re.findall(r"\\hyperlink\{cite\.([^}]+)\}", tex)
    assert len(links) == 2 and set(links) == {k for _, k in keys}
