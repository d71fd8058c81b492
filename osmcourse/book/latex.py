"""The course as one book-style PDF: LaTeX settings, the seed texts in print, the PDF link.

``make pdf`` runs ``jupyter-book build . --builder pdflatex`` (Sphinx's LaTeX builder, then
latexmk with XeLaTeX from Debian's TeX Live, offline), checks the LaTeX log
(:func:`latex_log_problems`), copies the PDF to ``_build/pdf/`` and builds the HTML book
again: when an HTML build finds that PDF beside it, every page's download menu links to it
and the PDF is copied into ``_build/html/`` (so the link never 404s and the publish workflow
ships it). ``make student-pdf`` does the same for the student edition (``OSM_EDITION=student``:
no solutions, no answer keys), under another file name.

What this module sets up:

* **The document class** ``osmBook`` (:data:`LATEX_CLASS`, written into the LaTeX folder):
  Sphinx's ``sphinxmanual`` plus the two environments sphinx-jupyterbook-latex puts code
  cells in. sphinx-jupyterbook-latex's own class loads ``bbm.sty``, which Debian ships only
  in the 1.4 GB ``texlive-fonts-extra``; the book uses none of its blackboard-bold macros.
* **Fonts** that cover every character of the texts (Noto Serif and Sans, DejaVu Sans Mono,
  and Symbola for the emoji in text 003). XeLaTeX writes "Missing character" to its log for
  any glyph a font lacks; :func:`latex_log_problems` turns that into a failed build.
* **The seed texts in print.** The ``seed-text`` directive (:mod:`osmcourse.book.seeds`)
  builds plain containers; for LaTeX a post-transform (:class:`SeedTextForLatex`) turns them
  into :class:`latex_environment` nodes (paragraph labels kept, so ``{ref}`¶3 <seed-001-p3>```
  links work in the PDF), the HTML line breaks into LaTeX ones, and the language ``<div>``
  away. Hyphenation is off inside a text: print must not add hyphens to a verbatim quotation.
* **Worked solutions printed** in the full edition (:class:`SolutionsInPrint`): the HTML
  book folds them, and folded cells would otherwise be left out of the PDF.
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
   (``latex_environment(environment="osmseedtranslation")``) or add an environment to
   :data:`LATEX_CLASS`.
2. Answers: give the answer's node the class ``solution``; :mod:`osmcourse.book.edition`
   removes such nodes from the student edition, in the HTML book and the PDF alike.
3. Never emit ``nodes.raw(format="html")`` alone: add a ``latex`` counterpart or the PDF
   build fails (:class:`RawHtmlForLatex`).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.writers.latex import LaTeXTranslator

logger = logging.getLogger(__name__)

PDF_STEM = "open-source-marketing"
CLASS_NAME = "osmBook"
# Where `make pdf` puts the checked PDF, relative to the build folder (BUILD_OUT/_build).
PDF_DIR = "pdf"


def pdf_name(edition: str) -> str:
    """The PDF's file name for an edition ("full" or "student")."""
    return f"{PDF_STEM}.pdf" if edition != "student" else f"{PDF_STEM}-student.pdf"


# Sphinx's manual class plus what sphinx-jupyterbook-latex's code-cell nodes need
# (sphinxVerbatimInput/Output), without its bbm/pgfplots/tikz.
LATEX_CLASS = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesClass{osmBook}[2026/11/30 Open Source Marketing course book]
\DeclareOption*{\PassOptionsToClass{\CurrentOption}{sphinxmanual}}
\ProcessOptions\relax
\RequirePackage{xcolor}
\RequirePackage{graphicx}
\RequirePackage{amsmath,amssymb}
\def\sphinxdocclass{report}
\LoadClass{sphinxmanual}
\RequirePackage[strict]{changepage}
\RequirePackage{newunicodechar}

\definecolor{CodeBlockInputBorderColor}{RGB}{204,204,204}
\definecolor{CodeBlockInputColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputBorderColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputColor}{RGB}{252,252,252}
% Code cells (sphinx-jupyterbook-latex wraps inputs and outputs in these).
\newenvironment{sphinxVerbatimInput}
  {\colorlet{VerbatimBorderColor}{CodeBlockInputBorderColor}%
   \colorlet{VerbatimColor}{CodeBlockInputColor}%
   \begin{adjustwidth}{5pt}{}}
  {\end{adjustwidth}}
\newenvironment{sphinxVerbatimOutput}
  {\colorlet{VerbatimBorderColor}{CodeBlockOutputBorderColor}%
   \colorlet{VerbatimColor}{CodeBlockOutputColor}%
   \begin{adjustwidth}{20pt}{}}
  {\end{adjustwidth}}

% The seed texts (osmcourse.book.latex): verbatim, so never hyphenated by TeX.
\newenvironment{osmseedtext}
  {\par\medskip\begingroup\hyphenpenalty=10000\exhyphenpenalty=10000\raggedright}
  {\par\endgroup\medskip}
% One paragraph: its number (the label commentary points at) above it.
\newenvironment{osmseedrow}[1]
  {\par\smallskip\noindent{\small\bfseries #1}\par\nobreak}
  {\par}
\newenvironment{osmseedoriginal}{}{}
% The course team's translation, after the original: indented, in the sans-serif face.
\newenvironment{osmseedtranslation}
  {\begin{adjustwidth}{1.5em}{0pt}\sffamily}
  {\end{adjustwidth}}
"""

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
    "\U0001F642": r"\osmemojifont",  # SLIGHTLY SMILING FACE (text 003 ¶14 and its translation)
}
PREAMBLE = "\n% Start of preamble from osmcourse.book.latex\n" + "".join(
    # In mathematics the character stays as it is (unicode-math's font has it).
    rf"\newunicodechar{{{char}}}{{\ifmmode {char}\else{{{font} {char}}}\fi}}" + "\n"
    for char, font in FALLBACK_FONTS.items()
) + "% End of preamble from osmcourse.book.latex\n"


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
    config.latex_documents = [(
        config.root_doc, pdf_name(config.osm_edition).replace(".pdf", ".tex"),
        config.project, config.author, CLASS_NAME,
    )]
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    (Path(app.outdir) / f"{CLASS_NAME}.cls").write_text(LATEX_CLASS, encoding="utf-8")


class latex_environment(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """Its children inside ``\\begin{ENVIRONMENT}{ARGUMENT}…\\end{ENVIRONMENT}``.

    Attributes: ``environment`` (a name defined in :data:`LATEX_CLASS`), optional
    ``argument`` (plain text, escaped), and ``ids`` (each becomes a LaTeX label, so
    cross-references to it work in the PDF).
    """


def visit_latex_environment(self: LaTeXTranslator, node: latex_environment) -> None:
    argument = node.get("argument")
    opening = rf"\begin{{{node['environment']}}}"
    if argument is not None:
        opening += "{" + self.encode(argument) + "}"
    labels = self.hypertarget_to(node, anchor=True) if node["ids"] else ""
    self.body.append("\n" + labels + "\n" + opening + "\n")


def depart_latex_environment(self: LaTeXTranslator, node: latex_environment) -> None:
    self.body.append(f"\n\\end{{{node['environment']}}}\n")


# seed-text container class -> LaTeX environment.
SEED_ENVIRONMENTS = {
    "seed-text": "osmseedtext",
    "seed-row": "osmseedrow",
    "seed-original": "osmseedoriginal",
    "seed-translation": "osmseedtranslation",
}
_HTML_BREAK = re.compile(r"^\s*<br\s*/?>\s*$")
_HTML_LANGUAGE_DIV = re.compile(r'^\s*(<div lang="[a-z-]+">|</div>)\s*$')


class SeedTextForLatex(SphinxPostTransform):
    """The seed-text directive's containers as LaTeX environments (LaTeX builds only)."""

    default_priority = 200
    builders = ("latex",)

    def run(self, **kwargs: object) -> None:
        for box in list(self.document.findall(nodes.container)):
            if "seed-text" not in box.get("classes", []):
                continue
            for raw in list(box.findall(nodes.raw)):
                if _HTML_BREAK.match(raw.astext()):
                    # The text's own line break; the "\n" Text after it becomes a space.
                    raw.replace_self(nodes.raw("", "\\newline", format="latex"))
                elif _HTML_LANGUAGE_DIV.match(raw.astext()):
                    raw.parent.remove(raw)
            for container in list(box.findall(nodes.container)):
                environment = next(
                    (SEED_ENVIRONMENTS[c] for c in container["classes"] if c in SEED_ENVIRONMENTS), None
                )
                if environment is None:
                    continue
                replacement = latex_environment(environment=environment, ids=list(container["ids"]))
                if environment == "osmseedrow":
                    number = next(
                        (p for p in container.children
                         if isinstance(p, nodes.paragraph) and "seed-number" in p["classes"]),
                        None,
                    )
                    if number is None:
                        logger.warning("seed-text row without a paragraph number", location=container)
                        continue
                    replacement["argument"] = number.astext()
                    container.remove(number)
                replacement.extend(container.children)
                container.replace_self(replacement)


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
                    raw.astext()[:80], location=raw,
                )


# --- The HTML side: every page links to the PDF, when there is one. ---

def built_pdf(app: Sphinx) -> Path | None:
    """The checked PDF of this edition beside this build (``_build/pdf/``), if there is one."""
    path = Path(app.outdir).parent / PDF_DIR / pdf_name(app.config.osm_edition)
    return path if path.is_file() else None


def add_pdf_download_button(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Every page's download menu offers "the whole course as a PDF", when there is one.

    Runs after sphinx-book-theme has made the menu (its priority 501). The link points at the
    copy :func:`copy_pdf_into_html` puts in the HTML folder's root.
    """
    if app.builder.format != "html" or built_pdf(app) is None:
        return
    button = {
        "type": "link",
        "url": context["pathto"](pdf_name(app.config.osm_edition), 1),
        "text": "Course PDF",
        "tooltip": "Download the whole course as one PDF",
        "icon": "fas fa-book",
        "label": "download-course-pdf-button",
    }
    buttons = context.setdefault("header_buttons", [])
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].append(button)
            return
    # Pages without a source (the index, search) have no download menu: give them one.
    buttons.insert(0, {
        "type": "group", "tooltip": "Download", "icon": "fas fa-download",
        "buttons": [button], "label": "download-buttons",
    })


def copy_pdf_into_html(app: Sphinx, exception: Exception | None) -> None:
    """After an HTML build: the PDF the pages link to, copied into the HTML folder."""
    if exception is not None or app.builder.format != "html":
        return
    source = built_pdf(app)
    if source is not None:
        shutil.copy2(source, Path(app.outdir) / source.name)


# --- After the LaTeX run: check its log, publish the PDF. ---

# What in XeLaTeX's log makes a PDF wrong: errors ("! ..."), glyphs no font has, and links or
# references that point nowhere.
LOG_PROBLEMS = re.compile(
    r"^!.*$"
    r"|^Missing character: .*$"
    r"|^LaTeX Warning: (?:Reference|Hyper reference|Citation) .* undefined.*$"
    r"|^LaTeX Warning: There were undefined references.*$"
    r"|^Package hyperref Warning: .*$",
    re.M,
)


def latex_log_problems(log: str) -> list[str]:
    """Every line of a LaTeX log that reports an error, a missing glyph or a dangling link."""
    return [match.group(0).strip() for match in LOG_PROBLEMS.finditer(log)]


def publish_pdf(build_dir: Path, edition: str) -> Path:
    """Check the LaTeX build in ``build_dir/latex`` and copy its PDF to ``build_dir/pdf/``.

    Raises:
        RuntimeError: no PDF, or the log reports problems (listed in the message).
    """
    name = pdf_name(edition)
    latex_dir = build_dir / "latex"
    pdf = latex_dir / name
    log = latex_dir / name.replace(".pdf", ".log")
    if not pdf.is_file() or not log.is_file():
        raise RuntimeError(f"no {pdf} (or its log): did the LaTeX build run?")
    problems = latex_log_problems(log.read_text(encoding="utf-8", errors="replace"))
    if problems:
        raise RuntimeError(f"{log} reports {len(problems)} problem(s):\n" + "\n".join(problems[:40]))
    target = build_dir / PDF_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, target)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m osmcourse.book.latex BUILD_DIR [EDITION]``: check and publish the PDF."""
    import os

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m osmcourse.book.latex BUILD_DIR [full|student]", file=sys.stderr)
        return 2
    edition = args[1] if len(args) > 1 else os.environ.get("OSM_EDITION", "full")
    try:
        target = publish_pdf(Path(args[0]), edition)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"PDF: {target}")
    return 0


def setup(app: Sphinx) -> None:
    # After sphinx-jupyterbook-latex's config-inited handler (priority 500).
    app.connect("config-inited", configure_latex, priority=800)
    app.connect("builder-inited", write_latex_class)
    app.add_node(latex_environment, latex=(visit_latex_environment, depart_latex_environment))
    app.add_post_transform(SeedTextForLatex)
    app.add_post_transform(SolutionsInPrint)
    app.add_post_transform(RawHtmlForLatex)
    app.connect("html-page-context", add_pdf_download_button, priority=503)
    app.connect("build-finished", copy_pdf_into_html)


if __name__ == "__main__":
    sys.exit(main())
