"""What a browser and a search engine read before the page: the favicon and a description.

* The favicon: ``html_favicon`` (Sphinx's setting; the theme writes the ``<link rel="icon">``)
  names ``osmcourse/static/favicon.svg``, so no browser asks for ``/favicon.ico`` (which
  404s: a console error in every page's audit).
* The description: every page gets a ``<meta name="description">`` (Lighthouse's SEO audit;
  a search result's snippet). A page's own wins: MyST front matter
  (``html_meta: {description: ...}``) or the ``meta`` directive. Otherwise it is generated
  from the page's first paragraph of prose (its doctree, never the finished HTML), cut at a
  word boundary; pages without a doctree of their own (search, index) describe themselves.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from sphinx.application import Sphinx

from osmcourse.book.assets import STATIC_DIR

FAVICON = STATIC_DIR / "favicon.svg"
# Search engines show about 155-160 characters of a description.
DESCRIPTION_LIMIT = 155
# A paragraph shorter than this is a label or a line of metadata, not prose.
SHORT_PARAGRAPH = 60
# Paragraphs inside these are not the page's own prose (boxes, figures, cell output, quizzes).
_NOT_PROSE = (
    nodes.Admonition,
    nodes.figure,
    nodes.table,
    nodes.footnote,
    nodes.citation,
    nodes.sidebar,
    nodes.topic,
    nodes.block_quote,
    nodes.field_list,
    nodes.line_block,
)
_HAS_DESCRIPTION = re.compile(r"<meta\s[^>]*name=[\"']description[\"']", re.IGNORECASE)


def configure_favicon(app: Sphinx, config: object) -> None:
    """The course's favicon, unless the book names its own (``html.favicon`` in _config.yml)."""
    if not getattr(config, "html_favicon", None):
        config.html_favicon = str(FAVICON)


def _is_prose(paragraph: nodes.paragraph) -> bool:
    parent = paragraph.parent
    while parent is not None:
        if isinstance(parent, _NOT_PROSE):
            return False
        classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
        # myst-nb cells, the seed texts and the reading checks are not the page's prose.
        if any(c.startswith(("cell", "seed", "quiz", "sd-")) for c in classes):
            return False
        parent = parent.parent
    return True


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—(")
    return cut + "…"


def page_description(doctree: nodes.document | None, title: str, project: str) -> str:
    """The first paragraph of prose in ``doctree`` (long enough to say something), shortened;
    without one, the page's title and the book's."""
    if doctree is not None:
        paragraphs = [p for p in doctree.findall(nodes.paragraph) if _is_prose(p)]
        texts = [" ".join(p.astext().split()) for p in paragraphs]
        chosen = next((t for t in texts if len(t) >= SHORT_PARAGRAPH), texts[0] if texts else "")
        if chosen:
            return shorten(chosen)
    title = " ".join(title.split())
    return shorten(f"{title}: {project}" if title and title != project else project)


def add_description(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Add ``<meta name="description">`` to a page that has none of its own."""
    metatags = context.get("metatags", "")
    if _HAS_DESCRIPTION.search(metatags):
        return
    # The title in the context is HTML (entities, tags); the description is plain text.
    title = html.unescape(re.sub(r"<[^>]+>", "", str(context.get("title", ""))))
    # Jupyter Book sets the book's title as html_title (Sphinx's project stays its default).
    book = app.config.html_title or app.config.project
    text = page_description(doctree if isinstance(doctree, nodes.document) else None, title, book)
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />'
    context["metatags"] = f"{metatags}\n    {tag}" if metatags else tag


def setup(app: Sphinx) -> None:
    app.connect("config-inited", configure_favicon)
    app.connect("html-page-context", add_description)
