"""The course as one book-style PDF: the Sphinx side (LaTeX settings, the class, what prints).

``make pdf`` runs ``jupyter-book build . --builder pdflatex`` (Sphinx's LaTeX builder, then
latexmk with XeLaTeX from Debian's TeX Live, offline), then checks the LaTeX log and copies
the PDF to ``_build/pdf/`` (:mod:`osmcourse.book.pdf`, a command line) and builds the HTML
book again, every page linking to the PDF (:mod:`osmcourse.book.pdf_link`). ``make
student-pdf`` does the same for the student edition (``OSM_EDITION=student``: no solutions,
no answer keys), under another file name.

What this module sets up:

* **The document class** ``osmBook`` (``osmBook.cls`` in this package, :func:`latex_class`,
  written into the LaTeX folder):
  Sphinx's ``sphinxmanual`` plus the two environments sphinx-jupyterbook-latex puts code
  cells in. sphinx-jupyterbook-latex's own class loads ``bbm.sty``, which Debian ships only
  in the 1.4 GB ``texlive-fonts-extra``; the book uses none of its blackboard-bold macros.
* **Fonts** that cover every character of the texts (Noto Serif and Sans, DejaVu Sans Mono,
  and Symbola for the emoji in text 003). XeLaTeX writes "Missing character" to its log for
  any glyph a font lacks; :func:`osmcourse.book.pdf.latex_log_problems` turns that into a
  failed build.
* **The seed texts in print.** The ``seed-text`` directive (:mod:`osmcourse.book.seeds`)
  emits its own nodes, each with a LaTeX visitor: a text, a row, an original, a translation
  become the ``osmseed…`` environments of ``osmBook.cls`` (opened with
  :func:`begin_environment`, paragraph labels kept, so ``{ref}`¶3 <seed-001-p3>``` links work
  in the PDF), a line break ``\\newline``. Hyphenation is off inside a text: print must not
  add hyphens to a verbatim quotation.
* **Worked solutions printed** in the full edition (:class:`SolutionsInPrint`): the HTML
  book folds them, and folded cells would otherwise be left out of the PDF.
* **DataFrames as tables** (:class:`DataFramesAsTables`). A notebook shows a DataFrame as
  an HTML table; LaTeX cannot use HTML, so myst-nb printed its plain-text form, wrapped with
  continuation marks and running over pages (jupyter-book #1891). Each pandas HTML table is
  turned into a LaTeX table that fits the text width: small tables as they are (shrunk if
  they are too wide), tables with long text in columns that wrap (``xltabular``, which also
  breaks across pages and repeats the header), tables over :data:`MAX_TABLE_ROWS` rows
  abridged with a note. Markdown tables are set smaller, and inline code in them may break
  after a hyphen, so a column of file names fits.
* **Nothing silently dropped.** LaTeX ignores raw HTML; :class:`RawHtmlForLatex` reports
  (a warning, so an error under ``-W``) any raw HTML left in a page, which would be content
  missing from the PDF. Sphinx itself warns about a node type without a LaTeX visitor.

How a new directive gets into the PDF (the ``quiz`` directive, for instance):

1. Give each node class it creates a LaTeX visitor when registering it::

       app.add_node(quiz_node, html=(visit_quiz_html, depart_quiz_html),
                    latex=(visit_quiz_latex, depart_quiz_latex))

   Without one, Sphinx warns "unknown node type" and the ``-W`` build fails. A directive
   that builds plain docutils nodes (paragraphs, lists, containers) needs nothing: those
   render in LaTeX already. For a framed or indented block, reuse :class:`latex_environment`
   (``latex_environment(environment="osmseedtranslation")``), or call
   :func:`begin_environment` / :func:`end_environment` from the node's own LaTeX visitor (as
   :mod:`osmcourse.book.seeds` does), or add an environment to ``osmBook.cls``.
2. Answers: give the answer's node the class ``solution``; :mod:`osmcourse.book.edition`
   removes such nodes from the student edition, in the HTML book and the PDF alike.
3. Never emit ``nodes.raw(format="html")`` alone: add a ``latex`` counterpart or the PDF
   build fails (:class:`RawHtmlForLatex`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.writers.latex import LaTeXTranslator

from osmcourse.book.pdf import pdf_name

logger = logging.getLogger(__name__)

CLASS_NAME = "osmBook"

# Sphinx's manual class plus what sphinx-jupyterbook-latex's code-cell nodes need
# (sphinxVerbatimInput/Output), without its bbm/pgfplots/tikz; the seed texts' environments.
# A LaTeX file in the package (package data), copied beside the .tex file.
LATEX_CLASS_FILE = f"{CLASS_NAME}.cls"


def latex_class() -> str:
    """The ``osmBook`` document class (``osmcourse/book/osmBook.cls``)."""
    return (resources.files("osmcourse.book") / LATEX_CLASS_FILE).read_text(encoding="utf-8")


# Fonts with every character the book prints. Noto Serif lacks a few symbols: those are
# drawn from DejaVu Serif, and the emoji of text 003 (U+1F642) from Symbola, which no text
# font has. A character missing here shows up as "Missing character" in the LaTeX log,
# and `make pdf` fails (latex_log_problems).
FONT_PACKAGES = r"""
\setmainfont{Noto Serif}
\setsansfont{Noto Sans}
\setmonofont{DejaVu Sans Mono}[Scale=MatchLowercase]
\newfontfamily\osmsymbolfont{DejaVu Serif}
\newfontfamily\osmemojifont{Symbola}
"""
FALLBACK_FONTS = {
    "\u2212": r"\osmsymbolfont",  # MINUS SIGN (the labs' prose: "a slope above −1")
    "\U0001f642": r"\osmemojifont",  # SLIGHTLY SMILING FACE (text 003 ¶14 and its translation)
}
# Tables (Markdown's, set by Sphinx): a smaller face, and inline code (file names, labels)
# that may break after a hyphen, so a narrow column holds it.
TABLE_PREAMBLE = r"""\protected\def\osmhyphenbreak#1{-\allowbreak}
\AtBeginEnvironment{tabulary}{\footnotesize\renewcommand*{\sphinxhyphenininlineliteral}{\osmhyphenbreak}}
\AtBeginEnvironment{longtable}{\footnotesize\renewcommand*{\sphinxhyphenininlineliteral}{\osmhyphenbreak}}
"""
PREAMBLE = (
    "\n% Start of preamble from osmcourse.book.latex\n"
    + "".join(
        # In mathematics the character stays as it is (unicode-math's font has it).
        rf"\newunicodechar{{{char}}}{{\ifmmode {char}\else{{{font} {char}}}\fi}}" + "\n"
        for char, font in FALLBACK_FONTS.items()
    )
    + TABLE_PREAMBLE
    + "% End of preamble from osmcourse.book.latex\n"
)


def configure_latex(app: Sphinx, config: Config) -> None:
    """LaTeX settings (after sphinx-jupyterbook-latex's own, which this partly overrides)."""
    edition = config.osm_edition
    config.latex_engine = "xelatex"
    config.latex_theme = CLASS_NAME
    # xindy is one more Debian package (and Perl); makeindex, in texlive-binaries, sorts the
    # index well enough for a one-language book.
    config.latex_use_xindy = False
    # A printed book shows where an external link goes.
    config.latex_show_urls = "footnote"
    elements = dict(config.latex_elements)
    elements["papersize"] = "a4paper"
    # Read on screen more than printed: one-sided, chapters start on the next page (no blank
    # pages before them).
    elements["extraclassoptions"] = "openany,oneside"
    elements["fontpkg"] = FONT_PACKAGES
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    # Code cells and their outputs a size smaller than Sphinx's default (\small), so lines
    # of up to about 95 characters fit beside the cell's indentation. A longer line wraps
    # (Sphinx's documented options): the continued part is indented four characters, as a
    # continued line of Python is, instead of Sphinx's red "↪" and "␣" marks, which made
    # outputs hard to read.
    elements["fvset"] = r"\fvset{fontsize=\footnotesize}"
    setup = elements.get("sphinxsetup", "")
    elements["sphinxsetup"] = (setup + "," if setup else "") + (
        r"verbatimvisiblespace={\ },verbatimcontinued={\makebox[4\fontcharwd\font`\x]{}}"
    )
    # The title page says which edition this is.
    elements["releasename"] = "Student edition" if edition == "student" else "Full edition"
    config.latex_elements = elements


def write_latex_class(app: Sphinx) -> None:
    """One document from the root page (known only now: sphinx-external-toc sets it), and
    the ``osmBook`` class beside its .tex file (a LaTeX build only)."""
    if app.builder.format != "latex":
        return
    config = app.config
    # jupyter-book replaces the title with _config.yml's after this (pdf.update_latex_documents).
    config.latex_documents = [
        (
            config.root_doc,
            pdf_name(config.osm_edition).replace(".pdf", ".tex"),
            config.project,
            config.author,
            CLASS_NAME,
        )
    ]
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    (Path(app.outdir) / LATEX_CLASS_FILE).write_text(latex_class(), encoding="utf-8")


class latex_environment(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """Its children inside ``\\begin{ENVIRONMENT}{ARGUMENT}…\\end{ENVIRONMENT}``.

    Attributes: ``environment`` (a name defined in ``osmBook.cls``), optional
    ``argument`` (plain text, escaped), and ``ids`` (each becomes a LaTeX label, so
    cross-references to it work in the PDF).
    """


def begin_environment(
    self: LaTeXTranslator, node: nodes.Element, environment: str, argument: str | None = None
) -> None:
    """``\\begin{ENVIRONMENT}{ARGUMENT}`` (the argument escaped), after a LaTeX label for each
    of ``node``'s ids (so cross-references to it work in the PDF)."""
    opening = rf"\begin{{{environment}}}"
    if argument is not None:
        opening += "{" + self.encode(argument) + "}"
    labels = self.hypertarget_to(node, anchor=True) if node["ids"] else ""
    self.body.append("\n" + labels + "\n" + opening + "\n")


def end_environment(self: LaTeXTranslator, environment: str) -> None:
    self.body.append(f"\n\\end{{{environment}}}\n")


def visit_latex_environment(self: LaTeXTranslator, node: latex_environment) -> None:
    begin_environment(self, node, node["environment"], node.get("argument"))


def depart_latex_environment(self: LaTeXTranslator, node: latex_environment) -> None:
    end_environment(self, node["environment"])


class SolutionsInPrint(SphinxPostTransform):
    """Worked solutions are printed, not folded away (LaTeX builds only).

    In the HTML book a lab's solution cells are tagged ``hide-input``: folded, one click to
    open. sphinx-jupyterbook-latex drops folded inputs from the PDF altogether (its
    ``MystNbPostTransform``, priority 400), so the full edition's PDF would lose every
    worked solution. Here, before it, solution cells lose their folding tags. The student
    edition has no solution cells at all (:mod:`osmcourse.book.edition`). Other folded
    inputs (the code that draws a chapter's figures) stay out of print, as they are folded
    on the web; the notebooks and the HTML book have them.
    """

    default_priority = 390
    builders = ("latex",)
    FOLDING = {"tag_hide-input", "tag_hide-cell", "tag_hide-output"}

    def run(self, **kwargs: object) -> None:
        for cell in self.document.findall(nodes.container):
            if "tag_solution" in cell.get("classes", []):
                cell["classes"] = [c for c in cell["classes"] if c not in self.FOLDING]


# --- DataFrames as tables. ---

# A table longer than this is abridged: its first and last rows, and a note of how many rows
# the notebook has (the HTML book and the notebook show them all).
MAX_TABLE_ROWS = 25
ABRIDGED_HEAD, ABRIDGED_TAIL = 15, 5
# How many characters of \footnotesize text (with the space between columns) fit across the
# text block beside a cell's output; wider tables wrap their longest columns.
LINE_CHARACTERS = 105
COLUMN_GAP = 3
DATAFRAME_MARK = "osm-dataframe-table"
# A wrapped column is given at least this many characters.
WRAPPED_MINIMUM = 12


class _TableParser(HTMLParser):
    """The cells of pandas' HTML table: ``rows`` of ``(in_header, [cell text, ...])``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[bool, list[str]]] = []
        self.tables = 0
        self._in_head = False
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self.rows.append((self._in_head, []))
        elif tag in ("th", "td") and self.rows:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            # A span that is not a small number: a table this parser leaves alone (ragged rows).
            self._span = int(span) if span.isdigit() and 0 < int(span) <= 100 else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self.rows:
            text = " ".join("".join(self._cell).split())
            # A cell spanning columns: its text in the first, the others left empty.
            self.rows[-1][1].extend([text] + [""] * (self._span - 1) if self._span else [])
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def dataframe_rows(markup: str) -> list[tuple[bool, list[str]]] | None:
    """The rows of one pandas HTML table (``<table class="dataframe">``), or None for
    anything else (another kind of HTML, several tables, ragged rows such as a MultiIndex's
    ``rowspan`` makes): those print as myst-nb prints them, as text."""
    if not re.search(r'<table\b[^>]*class="[^"]*\bdataframe\b', markup):
        return None
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    rows = [(head, cells) for head, cells in parser.rows if cells]
    if parser.tables != 1 or not rows or len({len(cells) for _, cells in rows}) != 1:
        return None
    return rows


# LaTeX's special characters in table cells (XeLaTeX reads every other character as it is).
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "[": "{[}",
    "]": "{]}",
    "-": "-{}",
}


def latex_text(text: str) -> str:
    """``text`` for LaTeX: special characters escaped (``-{}`` keeps ``--`` from a dash)."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def _latex_cell(text: str, wrapping: bool) -> str:
    escaped = latex_text(text)
    if wrapping:
        # Identifiers (amazon_book_sales_share), paths and formulas may break after _ / = *.
        for mark in (r"\_", "/", "=", "*"):
            escaped = escaped.replace(mark, mark + r"\allowbreak{}")
    return escaped


def _is_number(text: str) -> bool:
    return bool(
        re.fullmatch(r"[-+−]?(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?%?|nan|NaN|<NA>|None|", text.strip())
    )


def _longest_word(text: str) -> int:
    """The longest piece of ``text`` that cannot break (see :func:`_latex_cell`)."""
    return max((len(piece) for piece in re.split(r"\s+|(?<=[_/=*])", text)), default=0)


def _wrapped_shares(
    rows: list[tuple[bool, list[str]]], widths: list[int], wrapping: set[int]
) -> dict[int, float]:
    """Each wrapped column's share of the room the others leave: in proportion to its cells'
    mean length (a column of long names gets more than one with a single long note), and at
    least its longest word (a header is bold, so a little wider)."""
    unwrapped = sum(w for c, w in enumerate(widths) if c not in wrapping)
    room = max(LINE_CHARACTERS - unwrapped - COLUMN_GAP * len(widths), 1)
    body = [cells for head, cells in rows if not head] or [cells for _, cells in rows]
    mean = {c: sum(len(cells[c]) for cells in body) / len(body) or 1.0 for c in wrapping}
    least = {
        c: max(_longest_word(cells[c]) * (1.15 if head else 1.0) for head, cells in rows)
        for c in wrapping
    }
    chars = {c: max(least[c], room * mean[c] / sum(mean.values())) for c in wrapping}
    total = sum(chars.values())
    return {c: chars[c] / total for c in wrapping}


def dataframe_latex(rows: list[tuple[bool, list[str]]]) -> str:
    """A pandas table as LaTeX that fits the text width (see the module's docstring)."""
    header = [cells for head, cells in rows if head]
    body = [cells for head, cells in rows if not head]
    note = ""
    if len(body) > MAX_TABLE_ROWS:
        left_out = len(body) - ABRIDGED_HEAD - ABRIDGED_TAIL
        note = (
            f"Abridged: {left_out} of the table's {len(body)} rows are left out here; "
            "the notebook and the web page show them all."
        )
        body = body[:ABRIDGED_HEAD] + [["…"] * len(body[0])] + body[-ABRIDGED_TAIL:]
    columns = len(rows[0][1])
    widths = [max(len(cells[c]) for _, cells in rows) or 1 for c in range(columns)]
    numeric = [all(_is_number(cells[c]) for cells in body) for c in range(columns)]
    # The widest text columns wrap until the others fit beside them; numbers never wrap.
    wrapping: set[int] = set()

    def too_wide() -> bool:
        unwrapped = sum(w for c, w in enumerate(widths) if c not in wrapping)
        return unwrapped + COLUMN_GAP * columns + WRAPPED_MINIMUM * len(wrapping) > LINE_CHARACTERS

    candidates = sorted(
        (c for c in range(columns) if not numeric[c] and widths[c] > WRAPPED_MINIMUM),
        key=lambda c: -widths[c],
    )
    while too_wide() and candidates:
        wrapping.add(candidates.pop(0))
    if too_wide():
        # Only short columns, too many of them (a series laid out in a row): set whole,
        # shrunk to the text width.
        wrapping = set()
    if wrapping:
        share = _wrapped_shares(rows, widths, wrapping)
        spec = "".join(
            rf">{{\raggedright\arraybackslash\hsize={len(wrapping) * share[c]:.3f}\hsize}}X"
            if c in wrapping
            else ("r" if numeric[c] else "l")
            for c in range(columns)
        )
    else:
        spec = "".join("r" if numeric[c] else "l" for c in range(columns))

    def line(cells: list[str], bold: bool = False) -> str:
        texts = [_latex_cell(text, c in wrapping) for c, text in enumerate(cells)]
        if bold:
            texts = [rf"\textbf{{{t}}}" if t else "" for t in texts]
        return " & ".join(texts) + r" \\"

    head = "\n".join(line(cells, bold=True) for cells in header)
    rows_tex = "\n".join(line(cells) for cells in body)
    # The marker comment lets tests count the tables made here.
    parts = [f"% {DATAFRAME_MARK}", r"\par\smallskip{\footnotesize"]
    if wrapping:
        # Wraps the long columns, breaks across pages, repeats its header on each.
        parts += [
            rf"\begin{{xltabular}}{{\linewidth}}{{{spec}}}",
            r"\toprule",
            head,
            r"\midrule",
            r"\endhead",
            r"\bottomrule",
            r"\endfoot",
            rows_tex,
            r"\end{xltabular}",
        ]
    else:
        # Small enough to set whole: shrunk to the text width if it is wider.
        parts += [
            r"\noindent\begin{adjustbox}{max width=\linewidth}",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            head,
            r"\midrule",
            rows_tex,
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{adjustbox}",
        ]
    if note:
        parts.append(rf"\par\emph{{{latex_text(note)}}}")
    parts.append(r"}\par\smallskip")
    return "\n".join(parts) + "\n"


class DataFramesAsTables(SphinxPostTransform):
    """A cell output that is a pandas DataFrame prints as a table (LaTeX builds only).

    myst-nb keeps every form of an output (``text/html``, ``text/plain`` ...) in a
    ``mime_bundle`` container and picks one per builder in its ``SelectMimeType``
    (priority 4); for LaTeX that is the plain text. Just before, an output whose HTML is one
    pandas table becomes that table in LaTeX (:func:`dataframe_latex`). Other outputs are
    left to myst-nb.
    """

    default_priority = 3
    builders = ("latex",)

    def run(self, **kwargs: object) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            html = next(
                (child for child in bundle.children if child.get("mime_type") == "text/html"), None
            )
            if html is None:
                continue
            rows = dataframe_rows(html.astext())
            if rows is None:
                continue
            bundle.replace_self(nodes.raw("", dataframe_latex(rows), format="latex"))


class RawHtmlForLatex(SphinxPostTransform):
    """Raw HTML has no place in a PDF: report any that is left (LaTeX would drop it)."""

    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs: object) -> None:
        for raw in self.document.findall(nodes.raw):
            formats = raw.get("format", "").split()
            if "html" in formats and "latex" not in formats:
                logger.warning(
                    "raw HTML would be missing from the PDF (give it a LaTeX counterpart): %r",
                    raw.astext()[:80],
                    location=raw,
                )


def setup(app: Sphinx) -> None:
    # After sphinx-jupyterbook-latex's config-inited handler (priority 500).
    app.connect("config-inited", configure_latex, priority=800)
    app.connect("builder-inited", write_latex_class)
    app.add_node(latex_environment, latex=(visit_latex_environment, depart_latex_environment))
    app.add_post_transform(SolutionsInPrint)
    app.add_post_transform(DataFramesAsTables)
    app.add_post_transform(RawHtmlForLatex)
