"""Citations link to the reference list on their own page, or else to the Bibliography page.

Each chapter ends with its own reference list and the Bibliography page lists every work, so
most works are in several lists. sphinxcontrib-bibtex resolves a citation to the list on the
citing page when there is one, and otherwise to whichever list it met last: a citation on a
page without a list (the glossary, the labs) jumped into some other chapter's list. The
extension has no setting for this; its domain is replaced (``app.add_domain(...,
override=True)``, Sphinx's supported way to extend a domain) by a subclass that resolves each
citation among the lists on the citing page and the Bibliography page only.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain

BIBLIOGRAPHY_PAGE = "chapters/bibliography"


class OwnPageOrBibliographyDomain(BibtexDomain):
    """sphinxcontrib-bibtex's domain, with citations resolved to their page or the Bibliography."""

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):  # type: ignore[override]
        every = self.data["citations"]
        keys = {citation_target.key for citation_target in parse_citation_targets(target)}
        allowed = {fromdocname, env.config.osm_bibliography_page}
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


def setup(app: Sphinx) -> None:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value("osm_bibliography_page", BIBLIOGRAPHY_PAGE, "env")
    app.add_domain(OwnPageOrBibliographyDomain, override=True)
