"""The seed-text directive: the source texts, shown verbatim with numbered paragraphs.

In a chapter::

    ```{seed-text} 001
    ```

renders text 001 from ``seeds/`` with its paragraphs numbered ¶1, ¶2, … Each paragraph gets
a label ``seed-001-p3`` so commentary can point at it with ``{ref}`¶3 <seed-001-p3>```.
With ``:translation: path/to/file.txt`` (one paragraph a line, in the same order) it shows
the original and the course team's translation side by side, the translation marked as ours.

The text is read from ``seeds/`` at build time, never pasted into a chapter, so the book
cannot drift from the seeds (a test compares the built pages against them).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective, SphinxTranslator
from sphinx.writers.latex import LaTeXTranslator

from osmcourse.book.latex import begin_environment, end_environment
from osmcourse.text import SEEDS_DIR, load_seed

TRANSLATION_NOTE = "Translation by the course team, not by the original author."


def read_translation(path: Path) -> tuple[str, list[str]]:
    """A translation file: its first line translates the title, each further non-empty line
    one paragraph, in the original's order."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{path.name}: the translation file is empty")
    return lines[0], lines[1:]


# --- The directive's nodes. On a web page each is what it subclasses (a container is a
# <div>, a paragraph a <p>), so the page's markup and styles (osm.css) see plain containers;
# in print each container is an environment of the osmBook class (osmcourse.book.latex).
# Builders with no visitor of their own fall back on the parent class's (Sphinx dispatches
# along the class's MRO): text, man and Texinfo print a text as paragraphs.


class seed_text(nodes.container):  # noqa: N801 (docutils node naming)
    """One source text: its title, the translation note, its rows (LaTeX ``osmseedtext``:
    never hyphenated, a verbatim quotation)."""


class seed_row(nodes.container):  # noqa: N801
    """One paragraph: its :class:`seed_number`, the original and (optionally) our translation.
    Its ``ids`` hold the label ``seed-NNN-pK`` commentary points at."""


class seed_number(nodes.paragraph):  # noqa: N801
    """A row's number, ``¶K``: a paragraph on the web, the row environment's argument in print."""


class seed_original(nodes.container):  # noqa: N801
    """The paragraph as the seed has it."""


class seed_translation(nodes.container):  # noqa: N801
    """The course team's translation of the paragraph."""


class seed_language(nodes.General, nodes.Element):  # noqa: N801
    """Its children in the original's language (attribute ``language``): ``<div lang="…">``
    on the web, for screen readers and translators; nothing of its own elsewhere."""


class seed_line_break(nodes.Inline, nodes.Element):  # noqa: N801
    """A line break inside a paragraph of the text (the ``"\\n"`` Text after it is a space)."""


# Each container node and its environment in the osmBook class.
LATEX_ENVIRONMENTS: dict[type[nodes.Element], str] = {
    seed_text: "osmseedtext",
    seed_row: "osmseedrow",
    seed_original: "osmseedoriginal",
    seed_translation: "osmseedtranslation",
}


def visit_container_html(self: SphinxTranslator, node: nodes.container) -> None:
    self.visit_container(node)


def depart_container_html(self: SphinxTranslator, node: nodes.container) -> None:
    self.depart_container(node)


def visit_container_latex(self: LaTeXTranslator, node: nodes.container) -> None:
    number = node.get("number") if isinstance(node, seed_row) else None
    begin_environment(self, node, LATEX_ENVIRONMENTS[type(node)], number)


def depart_container_latex(self: LaTeXTranslator, node: nodes.container) -> None:
    end_environment(self, LATEX_ENVIRONMENTS[type(node)])


def visit_number_html(self: SphinxTranslator, node: seed_number) -> None:
    self.visit_paragraph(node)


def depart_number_html(self: SphinxTranslator, node: seed_number) -> None:
    self.depart_paragraph(node)


def skip(self: SphinxTranslator, node: nodes.Node) -> None:
    raise nodes.SkipNode


def visit_language_html(self: SphinxTranslator, node: seed_language) -> None:
    self.body.append(f'<div lang="{escape(node["language"])}">')


def depart_language_html(self: SphinxTranslator, node: seed_language) -> None:
    self.body.append("</div>")


def nothing(self: SphinxTranslator, node: nodes.Node) -> None:
    """A node with no markup of its own (its children are rendered)."""


def visit_break_html(self: SphinxTranslator, node: seed_line_break) -> None:
    self.body.append("<br/>")
    raise nodes.SkipNode


def visit_break_latex(self: LaTeXTranslator, node: seed_line_break) -> None:
    self.body.append("\\newline")
    raise nodes.SkipNode


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph node holding ``text`` literally, its line breaks kept."""
    para = nodes.paragraph(classes=["seed-paragraph"])
    for i, line in enumerate(text.split("\n")):
        if i:
            para += seed_line_break()
            para += nodes.Text("\n")
        para += nodes.Text(line)
    return para


class SeedTextDirective(SphinxDirective):
    """Show one source text verbatim, paragraphs numbered and labelled."""

    required_arguments = 1
    has_content = False
    option_spec = {"translation": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        seed_id = self.arguments[0]
        try:
            seed = load_seed(seed_id)
        except KeyError as error:
            raise self.error(str(error)) from error
        self.env.note_dependency(str(SEEDS_DIR / "catalogue.csv"))

        translation: list[str] | None = None
        translated_title = ""
        if "translation" in self.options:
            rel, path = self.env.relfn2path(self.options["translation"], self.env.docname)
            self.env.note_dependency(rel)
            try:
                translated_title, translation = read_translation(Path(path))
            except (OSError, ValueError) as error:
                raise self.error(f"translation {rel}: {error}") from error
            if len(translation) != len(seed.paragraphs):
                raise self.error(
                    f"translation {rel} has {len(translation)} paragraphs, "
                    f"text {seed_id} has {len(seed.paragraphs)}"
                )

        box = seed_text(classes=["seed-text", f"seed-{seed_id}"])
        # Verbatim means verbatim: no "smart" quotes, dashes or ellipses from Sphinx.
        box["support_smartquotes"] = False
        if seed.heading:
            title = nodes.paragraph(classes=["seed-title"])
            title += nodes.strong(text=seed.heading)
            box += title
            if translated_title:
                box += nodes.paragraph(
                    text=f"({translated_title})", classes=["seed-title-translation"]
                )
        if translation is not None:
            box += nodes.paragraph(text=TRANSLATION_NOTE, classes=["seed-translation-note"])

        for number, text in enumerate(seed.paragraphs, start=1):
            label = f"seed-{seed_id}-p{number}"
            row = seed_row(classes=["seed-row"], ids=[label], names=[label], number=f"¶{number}")
            self.state.document.note_explicit_target(row)
            marker = seed_number(text=f"¶{number}", classes=["seed-number"])
            original = seed_original(classes=["seed-original"])
            if seed.language != "en":
                # Screen readers and translators need to know the original's language.
                original += seed_language("", _paragraph(text), language=seed.language)
            else:
                original += _paragraph(text)
            row += [marker, original]
            if translation is not None:
                ours = seed_translation(classes=["seed-translation"])
                ours += _paragraph(translation[number - 1])
                row += ours
            box += row
        return [box]


def setup(app: Sphinx) -> None:
    app.add_directive("seed-text", SeedTextDirective)
    for container in LATEX_ENVIRONMENTS:
        app.add_node(
            container,
            html=(visit_container_html, depart_container_html),
            latex=(visit_container_latex, depart_container_latex),
        )
    app.add_node(
        seed_number,
        html=(visit_number_html, depart_number_html),
        latex=(skip, None),  # the row's environment prints it (its argument)
    )
    app.add_node(
        seed_language,
        html=(visit_language_html, depart_language_html),
        latex=(nothing, nothing),
        text=(nothing, nothing),
        man=(nothing, nothing),
        texinfo=(nothing, nothing),
    )
    app.add_node(
        seed_line_break,
        html=(visit_break_html, None),
        latex=(visit_break_latex, None),
        # Plain-text formats: the "\\n" after the break is the line break.
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
