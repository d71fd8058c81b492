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

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

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

        box = nodes.container(classes=["seed-text", f"seed-{seed_id}"])
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
            row = nodes.container(classes=["seed-row"], ids=[label], names=[label])
            self.state.document.note_explicit_target(row)
            marker = nodes.paragraph(text=f"¶{number}", classes=["seed-number"])
            original = nodes.container(classes=["seed-original"])
            if seed.language != "en":
                # Screen readers and translators need to know the original's language.
                original += nodes.raw("", f'<div lang="{seed.language}">', format="html")
                original += _paragraph(text)
                original += nodes.raw("", "</div>", format="html")
            else:
                original += _paragraph(text)
            row += [marker, original]
            if translation is not None:
                ours = nodes.container(classes=["seed-translation"])
                ours += _paragraph(translation[number - 1])
                row += ours
            box += row
        return [box]


def setup(app: Sphinx) -> None:
    app.add_directive("seed-text", SeedTextDirective)
