"""Roles that take what a page says about a source text from the one place it is kept.

``{translation-quote}`9|exact words``` quotes the course's English translation of text 003,
paragraph ¶9, and renders the words in quotation marks. The words must be a verbatim slice
of that paragraph of ``chapters/readings/translations/003-en.txt``; if they are not, the
role reports an error, which fails the book's build (``-W``). So every English quotation of
text 003 in the book is the translation file's own wording, and revising the translation
breaks the build wherever an old wording is still quoted.

``{seed-dating}`004``` renders the catalogue's ``dating`` phrase for text 004 (for example
"probably 2005 or later"): the inferred date of a text is kept in ``seeds/catalogue.csv``
only, and pages show it through this role instead of repeating it.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

from osmcourse.book.seeds import read_translation
from osmcourse.text import SEEDS_DIR, load_seed

# The texts the course translates, and where each translation lives (relative to the book's
# source folder). One paragraph a line after a title line, as the seed-text directive reads it.
TRANSLATIONS = {"003": "chapters/readings/translations/003-en.txt"}
TRANSLATED_SEED = "003"


def read_translation_paragraphs(path: Path) -> list[str]:
    """The paragraphs of a translation file (its first non-empty line is the title).

    The file is parsed by :func:`osmcourse.book.seeds.read_translation`, the one reader of
    translation files, so a quotation is checked against exactly what the book shows.
    """
    return read_translation(path)[1]


def parse_translation_quote(target: str) -> tuple[int, str]:
    """Split a role target ``"9|exact words"`` into the paragraph number and the words.

    Raises:
        ValueError: the target has no ``|``, no paragraph number, or no words.
    """
    number, bar, quoted = target.partition("|")
    if not bar or not number.strip().isdigit() or not quoted.strip():
        raise ValueError(f"expected 'PARAGRAPH|exact words', got {target!r}")
    return int(number), quoted.strip()


def check_translation_quote(paragraphs: list[str], target: str) -> tuple[int, str]:
    """The paragraph number and words of a role target, checked against the translation.

    Raises:
        ValueError: the target is malformed, names a paragraph the text does not have, or
            its words are not a verbatim slice of that paragraph (the message shows it).
    """
    number, quoted = parse_translation_quote(target)
    if not 1 <= number <= len(paragraphs):
        raise ValueError(
            f"text {TRANSLATED_SEED} has paragraphs ¶1-¶{len(paragraphs)}, not ¶{number}"
        )
    paragraph = paragraphs[number - 1]
    if quoted not in paragraph:
        raise ValueError(
            f"{quoted!r} is not in the course translation of text {TRANSLATED_SEED} ¶{number}, "
            f"which reads: {paragraph!r}"
        )
    return number, quoted


class TranslationQuoteRole(SphinxRole):
    """``{translation-quote}`9|words```: a checked quotation of the translation of text 003."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        path = Path(self.env.srcdir) / TRANSLATIONS[TRANSLATED_SEED]
        self.env.note_dependency(str(path))
        try:
            _, quoted = check_translation_quote(read_translation_paragraphs(path), self.text)
        except (OSError, ValueError) as error:
            message = self.inliner.reporter.error(f"translation-quote: {error}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        node = nodes.inline(self.rawtext, "", classes=["translation-quote"])
        # The words are the file's, character for character: no "smart" quotes from Sphinx.
        node["support_smartquotes"] = False
        node += nodes.Text(f"“{quoted}”")
        return [node], []


class SeedDatingRole(SphinxRole):
    """``{seed-dating}`004```: the catalogue's wording of a text's inferred date."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        self.env.note_dependency(str(SEEDS_DIR / "catalogue.csv"))
        try:
            dating = load_seed(self.text.strip()).dating
        except KeyError as error:
            message = self.inliner.reporter.error(f"seed-dating: {error}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        return [nodes.inline(self.rawtext, dating, classes=["seed-dating"])], []


def setup(app: Sphinx) -> None:
    app.add_role("translation-quote", TranslationQuoteRole())
    app.add_role("seed-dating", SeedDatingRole())
