"""Sphinx extension for the book: the source texts, shown verbatim with numbered paragraphs.

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

import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from osmcourse.text import load_seed

TRANSLATION_NOTE = "Translation by the course team, not by the original author."


def read_translation(path: Path) -> tuple[str, list[str]]:
    """A translation file: its first line translates the title, each further non-empty line
    one paragraph, in the original's order."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{path.name}: the translation file is empty")
    return lines[0], lines[1:]


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph node holding ``text`` literally, its line breaks kept."""
    para = nodes.paragraph(classes=["seed-paragraph"])
    for i, line in enumerate(text.split("\n")):
        if i:
            para += nodes.raw("", "<br/>", format="html")
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
        self.env.note_dependency(str(Path(__file__).parent / "data" / "seeds" / "catalogue.csv"))

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

        box = nodes.container(classes=["seed-text", f"seed-{seed_id}"])
        box["lang"] = seed.language
        if seed.heading:
            title = nodes.paragraph(classes=["seed-title"])
            title += nodes.strong(text=seed.heading)
            box += title
            if translated_title:
                box += nodes.paragraph(text=f"({translated_title})", classes=["seed-title-translation"])
        if translation is not None:
            box += nodes.paragraph(text=TRANSLATION_NOTE, classes=["seed-translation-note"])

        for number, text in enumerate(seed.paragraphs, start=1):
            label = f"seed-{seed_id}-p{number}"
            row = nodes.container(classes=["seed-row"], ids=[label], names=[label])
            self.state.document.note_explicit_target(row)
            marker = nodes.paragraph(text=f"¶{number}", classes=["seed-number"])
            original = nodes.container(classes=["seed-original"])
            original += _paragraph(text)
            row += [marker, original]
            if translation is not None:
                ours = nodes.container(classes=["seed-translation"])
                ours += _paragraph(translation[number - 1])
                row += ours
            box += row
        return [box]


def point_launch_buttons_at_student_copies(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Launch buttons (Binder, Colab) open the student copy of a lab, never the solutions.

    sphinx-book-theme builds its launch links from the page's own source path; a lab page's
    source is the master notebook with the solutions. Here (after the theme, priority 502)
    ``exercises/NAME.ipynb`` becomes ``exercises/student/NAME.ipynb``. Pages that are not labs
    lose their launch buttons: a chapter is MyST Markdown, which Binder and Colab cannot run.
    """
    buttons = context.get("header_buttons")
    if not buttons:
        return
    lab_prefix = app.config.osm_lab_dir.strip("/") + "/"
    is_lab = pagename.startswith(lab_prefix) and "/" not in pagename[len(lab_prefix):]
    student_dir = app.config.osm_student_dir.strip("/")
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        if not is_lab:
            buttons.remove(group)
            continue
        name = pagename[len(lab_prefix):]
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = button["url"].replace(
                    f"{lab_prefix}{name}.ipynb", f"{student_dir}/{name}.ipynb"
                )


SOLUTION_CLASS = "tag_solution"
STUDENT_NOTE = "This page is for instructors and is left out of the student edition."


def student_edition(app: Sphinx) -> bool:
    return app.config.osm_edition == "student"


def remove_solutions(app: Sphinx, doctree: nodes.document) -> None:
    """Student edition: drop every solution cell, and the instructors' pages' content.

    myst-nb gives each cell container a ``tag_<tag>`` class; lab cells tagged ``solution``
    hold worked answers. Instructors' pages keep their title (so links still resolve) and
    get a one-line note instead of their content.
    """
    if not student_edition(app):
        return
    for node in list(doctree.findall(nodes.container)):
        if SOLUTION_CLASS in node.get("classes", []) and node.parent is not None:
            node.parent.remove(node)
    docname = app.env.docname
    if docname.startswith(app.config.osm_instructor_dir.strip("/") + "/"):
        for section in doctree.findall(nodes.section):
            keep = [child for child in section.children if isinstance(child, (nodes.title, nodes.target))]
            section.children = []
            for child in keep:
                section += child
            section += nodes.paragraph(text=STUDENT_NOTE)
            break


def setup(app: Sphinx) -> dict[str, object]:
    # The student edition is one switch: OSM_EDITION=student when building (`make student-book`).
    app.add_config_value("osm_edition", os.environ.get("OSM_EDITION", "full"), "env")
    app.add_config_value("osm_instructor_dir", "chapters/instructors", "env")
    app.connect("doctree-read", remove_solutions)
    app.add_directive("seed-text", SeedTextDirective)
    app.add_config_value("osm_lab_dir", "exercises", "html")
    app.add_config_value("osm_student_dir", "exercises/student", "html")
    app.connect("html-page-context", point_launch_buttons_at_student_copies, priority=502)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
