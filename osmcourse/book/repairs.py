"""Accessibility repairs of markup that upstream packages render and no setting can change.

Where the theme or Sphinx offers a supported way, the book uses it instead (see
:mod:`osmcourse.book.assets`: a colour-mode default in ``html_context``, template overrides
in ``osmcourse/templates/``, unused scripts pruned from each page's asset list). What is
left is below: each repair works on the markup before it is written (a node visitor, the
theme's sidebar tree), never on finished HTML files, says why no supported way exists, and
fails the build loudly if the upstream markup it expects is not there any more. Each has a
test in ``tests/test_extension.py`` run against the installed upstream code.

Found by axe-core (the browser tests): summary-name, label-content-name-mismatch and
aria-required-parent.
"""

from __future__ import annotations

from typing import Any, Callable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

PART_TOGGLE_LABEL = "Show or hide the pages in this part"
# What myst-nb writes at the top of a folded code cell, and what it becomes.
CELL_SUMMARY_UPSTREAM = '<summary aria-label="Toggle hidden content">\n'
CELL_SUMMARY = "<summary>\n"
CITATION_ROLE_UPSTREAM = 'role="doc-biblioentry"'
CITATION_ROLE = 'role="listitem"'


class UpstreamMarkupChanged(RuntimeError):
    """An upstream package no longer renders the markup a repair expects: review the repair."""


def _replace_in_last_chunk(body: list[str], old: str, new: str, since: int, what: str) -> None:
    """Replace ``old`` in the one chunk an upstream visitor appended to ``body`` after ``since``."""
    for index in range(len(body) - 1, since - 1, -1):
        if old in body[index]:
            body[index] = body[index].replace(old, new, 1)
            return
    raise UpstreamMarkupChanged(f"{what}: the upstream markup no longer contains {old!r}")


# --- Folded code cells (myst-nb) ---------------------------------------------------------


def cell_summary_visitor(
    upstream: Callable[[Any, nodes.Element], None],
) -> Callable[[Any, nodes.Element], None]:
    """myst-nb's visitor for a folded code cell, with the summary's accessible name left to
    its visible text.

    myst-nb names the summary "Toggle hidden content" while it shows "Show code cell source"
    (axe-core: label-content-name-mismatch). The label is a literal in myst-nb's visitor
    (``myst_nb.sphinx_.visit_HideCellInput``); no option changes it. Sphinx's supported way
    to change a node's HTML is ``app.add_node(..., override=True)``: this runs myst-nb's own
    visitor and then drops the label from the summary it wrote.
    """

    def visit(self: Any, node: nodes.Element) -> None:
        start = len(self.body)
        upstream(self, node)
        _replace_in_last_chunk(
            self.body, CELL_SUMMARY_UPSTREAM, CELL_SUMMARY, start, "myst-nb folded cell"
        )

    return visit


# --- Reference list entries (docutils) ---------------------------------------------------


def visit_citation(self: HTML5Translator, node: nodes.Element) -> None:
    """docutils' visitor for a reference list entry, with role ``listitem``.

    docutils gives each entry the DPUB role ``doc-biblioentry``, which ARIA 1.2 deprecates
    and which needs a ``doc-bibliography`` ancestor that Sphinx does not write (axe-core:
    aria-required-parent). The entries already sit in docutils' ``<div role="list">``, so
    ``listitem`` is the right role. docutils has no setting for it; this is registered with
    ``app.add_node(nodes.citation, override=True)``.
    """
    start = len(self.body)
    # The translator's own method (the class attribute), not this override on the instance.
    type(self).visit_citation(self, node)
    _replace_in_last_chunk(
        self.body, CITATION_ROLE_UPSTREAM, CITATION_ROLE, start, "docutils citation"
    )


def depart_citation(self: HTML5Translator, node: nodes.Element) -> None:
    type(self).depart_citation(self, node)


# --- The sidebar's part toggles (pydata-sphinx-theme) ------------------------------------


def label_part_toggles(tree: Any) -> Any:
    """The theme's sidebar tree with a name on each toggle that has no text of its own.

    pydata-sphinx-theme (``toctree.add_collapse_checkboxes``) folds each page with sub-pages
    into ``<details><summary><span class="toctree-toggle" role="presentation">``: a summary
    with nothing to read out (axe-core: summary-name). The tree is built in Python, not in a
    template, and has no option for a label; the theme hands it to its templates through
    the page context (``generate_toctree_html``), which is wrapped here so the label is
    added to the tree (a BeautifulSoup object) before it is written.
    """
    if not hasattr(tree, "select"):
        return tree
    for summary in tree.select("summary"):
        toggle = summary.select_one("span.toctree-toggle")
        if (
            toggle is not None
            and not summary.get_text(strip=True)
            and not summary.get("aria-label")
        ):
            summary["aria-label"] = PART_TOGGLE_LABEL
    return tree


def wrap_sidebar_tree(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """After the theme (priority 500) puts ``generate_toctree_html`` into the page context."""
    upstream = context.get("generate_toctree_html")
    if upstream is None:
        raise UpstreamMarkupChanged("the theme no longer provides generate_toctree_html")
    if getattr(upstream, "osm_labelled", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        return label_part_toggles(upstream(*args, **kwargs))

    generate_toctree_html.osm_labelled = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> None:
    app.setup_extension("myst_nb")
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(cell_summary_visitor(visit_HideCellInput), depart_HideCellInput),
    )
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("html-page-context", wrap_sidebar_tree, priority=600)
