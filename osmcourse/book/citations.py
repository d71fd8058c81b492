"""Citations link to the reference list on their own page, or else to the Bibliography page.

Each chapter ends with its own reference list and the Bibliography page lists every work, so
most works are in several lists. sphinxcontrib-bibtex resolves a citation to the list on the
citing page when there is one, and otherwise to whichever list it met last: a citation on a
page without a list (the glossary, the labs) jumped into some other chapter's list. The
extension has no setting for this; its domain is replaced (``app.add_domain(...,
override=True)``, Sphinx's supported way to extend a domain) by a subclass that resolves each
citation among the lists on the citing page and the Bibliography page only.

**In print** (the PDF) a book has one bibliography. Sphinx's LaTeX writer gathers every
citation of every list into one ``thebibliography`` at the end of the book (its
``BibliographyTransform``), so the chapters' lists left empty "References" sections behind
and the end list printed each work once per list, its numbering restarting with each list
(sphinxcontrib-bibtex #367). In a LaTeX build, :class:`OneBibliographyInPrint` keeps the
Bibliography page's list only, printed where it stands (in its chapter, numbered once),
drops the chapters' lists and the sections they leave empty, and every citation resolves to
the Bibliography page's entry.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.latex import LaTeXTranslator
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain

from osmcourse.bookconfig import BIBLIOGRAPHY_PAGE


class OwnPageOrBibliographyDomain(BibtexDomain):
    """sphinxcontrib-bibtex's domain, with citations resolved to their page or the Bibliography."""

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):  # type: ignore[override]
        every = self.data["citations"]
        keys = {citation_target.key for citation_target in parse_citation_targets(target)}
        # In print there is one list, the Bibliography page's (OneBibliographyInPrint).
        page = env.config.osm_bibliography_page
        allowed = {page} if builder.format == "latex" else {fromdocname, page}
        chosen = [c for c in every if c.key in keys and c.bibliography_key.docname in allowed]
        # A work on neither page keeps the upstream behaviour (any list that has it), so the
        # link still resolves; the book's tests check that this never happens.
        found = {c.key for c in chosen}
        chosen += [c for c in every if c.key in keys - found]
        # The parent reads self.citations (self.data["citations"]) while resolving.
        self.data["citations"] = chosen
        try:
            return super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
        finally:
            self.data["citations"] = every


class printed_citation(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """One entry of the printed bibliography. Attributes: ``label`` (its number),
    ``docname`` and ``citation_id`` (its LaTeX key, which citations link to)."""


def visit_printed_citation(self: LaTeXTranslator, node: printed_citation) -> None:
    # As Sphinx writes a citation (LaTeXTranslator.visit_citation): hyperref makes the
    # \bibitem the target of \hyperlink{cite.KEY}, which the in-text citations use.
    self.body.append(
        rf"\bibitem[{self.encode(node['label'])}]{{{node['docname']}:{node['citation_id']}}}"
    )


def depart_printed_citation(self: LaTeXTranslator, node: printed_citation) -> None:
    pass


class printed_bibliography(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """The bibliography, printed in place (``osmbibliography``, osmcourse.book.latex's class).
    Attribute ``widest``: its widest label."""


def visit_printed_bibliography(self: LaTeXTranslator, node: printed_bibliography) -> None:
    self.body.append("\n\\begin{osmbibliography}{" + self.encode(node["widest"]) + "}\n")


def depart_printed_bibliography(self: LaTeXTranslator, node: printed_bibliography) -> None:
    self.body.append("\n\\end{osmbibliography}\n")


# What a section may hold and still be empty in print: its heading and labels, and the pages
# the book's table of contents places after it (in a LaTeX build, Sphinx inlines the next
# documents where the toctree stands, often in a page's last section).
_NOT_CONTENT = (nodes.title, nodes.target, addnodes.start_of_file, addnodes.toctree, nodes.comment)


def _is_empty_heading(section: nodes.Element) -> bool:
    return isinstance(section, nodes.section) and all(
        isinstance(child, _NOT_CONTENT)
        or (isinstance(child, nodes.compound) and "toctree-wrapper" in child.get("classes", []))
        for child in section.children
    )


def _drop_heading(section: nodes.section) -> None:
    """An empty section's heading goes; what follows it in the book (inlined pages) stays."""
    rest = [child for child in section.children if not isinstance(child, nodes.title)]
    for child in rest:
        section.remove(child)
    section.replace_self(rest) if rest else section.parent.remove(section)


class OneBibliographyInPrint(SphinxPostTransform):
    """LaTeX builds: the Bibliography page's list, printed in place; no other list.

    Runs after sphinxcontrib-bibtex has turned each list into citation nodes (priority 5) and
    the references have been resolved (10), before Sphinx's LaTeX ``BibliographyTransform``
    (750) would move every citation to the end of the book.
    """

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs: object) -> None:
        page = self.config.osm_bibliography_page
        kept: list[nodes.citation] = []
        for citation in list(self.document.findall(nodes.citation)):
            if citation.get("docname") == page:
                kept.append(citation)
                continue
            parent = citation.parent
            parent.remove(citation)
            # The list's own container, left empty, goes; so does the heading of a chapter's
            # "References" section, which held the list only (else an empty heading prints).
            while (
                isinstance(parent, nodes.container)
                and not parent.children
                and parent.parent is not None
            ):
                grandparent = parent.parent
                grandparent.remove(parent)
                parent = grandparent
            if _is_empty_heading(parent) and parent.parent is not None:
                _drop_heading(parent)
        if not kept:
            return
        parent = kept[0].parent
        at = parent.index(kept[0])
        labels = [
            citation[0].astext() if isinstance(citation[0], nodes.label) else ""
            for citation in kept
        ]
        printed = printed_bibliography(widest=max(labels, key=len))
        for citation, label in zip(kept, labels):
            entry = printed_citation(
                label=label, docname=citation["docname"], citation_id=citation["ids"][0]
            )
            entry.extend(child for child in citation.children if not isinstance(child, nodes.label))
            printed += entry
            citation.parent.remove(citation)
        parent.insert(at, printed)


def setup(app: Sphinx) -> None:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value("osm_bibliography_page", BIBLIOGRAPHY_PAGE, "env")
    app.add_domain(OwnPageOrBibliographyDomain, override=True)
    app.add_node(printed_citation, latex=(visit_printed_citation, depart_printed_citation))
    app.add_node(
        printed_bibliography, latex=(visit_printed_bibliography, depart_printed_bibliography)
    )
    app.add_post_transform(OneBibliographyInPrint)
