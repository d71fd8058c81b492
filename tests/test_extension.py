"""The book's Sphinx extension (osmcourse/book/), each part against the installed upstream code.

Each repair and template override is run against what the upstream package renders today
(its visitor, its sidebar tree builder, its template file), so a test here fails as soon as
an upgrade changes the markup a repair expects. No book build: these run in seconds.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from osmcourse.book import assets, freshness, repairs, search

TEMPLATES = Path(assets.TEMPLATES_DIR)


def theme_file(package: str, *parts: str) -> Path:
    import importlib

    module = importlib.import_module(package)
    path = Path(module.__file__).parent.joinpath("theme", package, *parts)
    assert path.is_file(), f"{package} no longer has {'/'.join(parts)}"
    return path


# --- Template overrides ------------------------------------------------------------------

def test_search_button_override_is_the_theme_template_without_its_label():
    upstream = theme_file("pydata_sphinx_theme", "components", "search-button-field.html").read_text(encoding="utf-8")
    ours = (TEMPLATES / "search-button-field.html").read_text(encoding="utf-8")
    # Our file is our comment, then the theme's file with the label taken out.
    body = ours.split("-#}\n", 1)[1]
    label = " aria-label=\"{{ _('Search') }}\""
    assert label in upstream
    assert body == upstream.replace(label, "", 1)


def test_icon_script_override_drops_only_the_icon_script_and_preloads():
    upstream = theme_file("pydata_sphinx_theme", "static", "webpack-macros.html").read_text(encoding="utf-8")
    macros = dict(re.findall(r"{% macro (\w+)\(\) %}(.*?){% endmacro %}", upstream, flags=re.S))
    # The theme's macros are the three we pass on or replace ...
    assert set(macros) == {"head_pre_assets", "head_js_preload", "body_post"}
    ours = (TEMPLATES / "static" / "webpack-macros.html").read_text(encoding="utf-8")
    assert set(re.findall(r"{% macro (\w+)\(\)", ours)) == set(macros)
    # ... and the one we empty loads the icon script and preloads scripts body_post loads.
    preload = re.sub(r"<!--.*?-->", "", macros["head_js_preload"], flags=re.S)
    tags = re.findall(r"<[^>]+>", preload)
    assert any("scripts/fontawesome.js" in tag for tag in tags)
    for tag in tags:
        if "fontawesome.js" in tag or tag.startswith("</script"):
            continue
        assert 'rel="preload"' in tag, f"the theme's head_js_preload now also has {tag}"
        script = re.search(r"_static/(scripts/[\w.-]+\.js)", tag).group(1)
        assert script in macros["body_post"], f"{script} is preloaded but not loaded by body_post"


def test_header_override_is_the_theme_header_without_its_sidebar_toggles():
    """The theme's script binds the first .primary-toggle/.secondary-toggle of a page; the
    header's (hidden under sphinx-book-theme) must not be there, or the visible ones are dead."""
    upstream = theme_file("pydata_sphinx_theme", "sections", "header.html").read_text(encoding="utf-8")
    ours = (TEMPLATES / "sections" / "header.html").read_text(encoding="utf-8")
    body = ours.split("-#}\n", 1)[1]
    # The toggles are the only buttons the theme's header draws itself ...
    buttons = re.findall(r"[ \t]*(?:{% if [^%]*%}\s*)?<button class=\"pst-navbar-icon sidebar-toggle (?:primary|secondary)-toggle\""
                         r".*?</button>\n(?:[ \t]*{% endif %}\n)?", upstream, flags=re.S)
    assert len(buttons) == 2, "the theme's header no longer has its two sidebar toggles: review the override"
    assert "<button" not in body and "toggle" not in body
    # ... and everything else is the theme's file verbatim.
    expected = upstream
    for button in buttons:
        expected = expected.replace(button, "", 1)
    assert body == expected

    # The book theme still draws the toggles the page keeps.
    book = theme_file("sphinx_book_theme", "components", "toggle-primary-sidebar.html").read_text(encoding="utf-8")
    assert "primary-toggle" in book
    book = theme_file("sphinx_book_theme", "components", "toggle-secondary-sidebar.html").read_text(encoding="utf-8")
    assert "secondary-toggle" in book


def test_icon_script_is_where_the_icon_css_is_generated_from():
    script = theme_file("pydata_sphinx_theme", "static", "scripts", "fontawesome.js").read_text(encoding="utf-8")
    icons = assets.fontawesome_icons(script)
    assert ("fas", "magnifying-glass") in icons and ("fab", "github") in icons
    css = assets.icon_css({"magnifying-glass"}, icons)
    assert ".fa-magnifying-glass::before" in css and "mask:" in css


# --- Pruned assets -----------------------------------------------------------------------

def test_sphinx_thebe_still_adds_the_assets_that_are_pruned():
    import sphinx_thebe

    source = Path(sphinx_thebe.__file__).read_text(encoding="utf-8")
    for name in assets.THEBE_FILES + assets.THEBE_MARKERS:
        assert name in source, f"sphinx-thebe no longer adds {name}: review assets.prune_page_assets"


def _page_assets(*scripts):
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    return {
        "script_files": [_JavaScript(name, **attrs) for name, attrs in scripts],
        "css_files": [_CascadingStyleSheet("_static/sphinx-thebe.css"), _CascadingStyleSheet("_static/osm.css")],
    }


@pytest.mark.parametrize("has_maths", [False, True])
def test_thebe_goes_from_every_page_and_mathjax_from_pages_without_maths(has_maths):
    context = _page_assets(
        ("_static/doctools.js", {}),
        ("", {"body": 'const THEBE_JS_URL = "https://unpkg.com/thebe"'}),
        ("_static/sphinx-thebe.js", {"async": "async"}),
        ("", {"body": "window.MathJax = {}"}),
        ("_static/mathjax/tex-chtml.js", {"defer": "defer"}),
    )
    math = SimpleNamespace(data={"has_equations": {"page": has_maths}})
    app = SimpleNamespace(env=SimpleNamespace(get_domain=lambda name: math),
                          config=SimpleNamespace(mathjax_path="mathjax/tex-chtml.js"))
    assets.prune_page_assets(app, "page", "page.html", context, None)
    scripts = [str(js.filename) for js in context["script_files"]]
    expected = ["_static/doctools.js"] + (["", "_static/mathjax/tex-chtml.js"] if has_maths else [])
    assert scripts == expected
    assert [str(css.filename) for css in context["css_files"]] == ["_static/osm.css"]


def test_the_thebe_config_leaves_the_page_and_nothing_else_does():
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    document = new_document("page", get_default_settings(Parser))
    config = nodes.raw("", '<script type="text/x-thebe-config">{requestKernel: true}</script>', format="html")
    other = nodes.raw("", "<div>kept</div>", format="html")
    document += [config, other]
    assets.remove_thebe_config(None, document, "page")
    assert [raw.astext() for raw in document.findall(nodes.raw)] == ["<div>kept</div>"]


# --- Repairs, each against the upstream renderer -----------------------------------------

class _Translator:
    """Just enough of a translator for a node visitor: a body and docutils' starttag."""

    def __init__(self) -> None:
        self.body: list[str] = []


def test_folded_cell_summary_loses_its_mismatched_label():
    from myst_nb.sphinx_ import HideCodeCellNode, visit_HideCellInput

    node = HideCodeCellNode(classes=["above-input"], prompt_show="Show code cell source",
                            prompt_hide="Hide code cell source")
    upstream = _Translator()
    visit_HideCellInput(upstream, node)
    assert repairs.CELL_SUMMARY_UPSTREAM in upstream.body, "myst-nb's folded cell markup changed"

    ours = _Translator()
    repairs.cell_summary_visitor(visit_HideCellInput)(ours, node)
    assert repairs.CELL_SUMMARY in ours.body
    assert not any("aria-label" in chunk for chunk in ours.body)
    assert "".join(ours.body).replace(repairs.CELL_SUMMARY, repairs.CELL_SUMMARY_UPSTREAM) == "".join(upstream.body)


def test_a_repair_fails_loudly_when_the_upstream_markup_is_gone():
    def changed_upstream(self, node):
        self.body.append("<summary>\n")

    with pytest.raises(repairs.UpstreamMarkupChanged):
        repairs.cell_summary_visitor(changed_upstream)(_Translator(), None)


def test_reference_list_entries_become_list_items():
    from docutils.core import publish_parts
    from docutils.writers.html5_polyglot import HTMLTranslator, Writer
    from types import MethodType

    class RepairedTranslator(HTMLTranslator):
        def __init__(self, document):
            super().__init__(document)
            # As Sphinx registers app.add_node(..., override=True): on the instance.
            self.visit_citation = MethodType(repairs.visit_citation, self)
            self.depart_citation = MethodType(repairs.depart_citation, self)

    source = "Cited [CIT2002]_.\n\n.. [CIT2002] A work.\n"
    upstream = publish_parts(source, writer=Writer())["body"]
    assert repairs.CITATION_ROLE_UPSTREAM in upstream, "docutils' citation markup changed"
    writer = Writer()
    writer.translator_class = RepairedTranslator
    ours = publish_parts(source, writer=writer)["body"]
    assert repairs.CITATION_ROLE in ours and repairs.CITATION_ROLE_UPSTREAM not in ours
    assert '<div role="list" class="citation-list">' in ours
    assert ours.replace(repairs.CITATION_ROLE, repairs.CITATION_ROLE_UPSTREAM) == upstream


def test_sphinx_renders_citations_with_the_docutils_visitor():
    from docutils.writers._html_base import HTMLTranslator
    from sphinx.writers.html5 import HTML5Translator

    assert HTML5Translator.visit_citation is HTMLTranslator.visit_citation


def test_sidebar_toggles_without_text_get_a_name():
    from bs4 import BeautifulSoup
    from pydata_sphinx_theme.toctree import add_collapse_checkboxes

    soup = BeautifulSoup(
        '<ul><li class="toctree-l1"><a class="reference internal" href="a.html">Part page</a>'
        '<ul><li class="toctree-l2"><a class="reference internal" href="b.html">Sub-page</a></li></ul>'
        "</li></ul>", "html.parser")
    add_collapse_checkboxes(soup)
    summaries = soup.select("summary")
    assert summaries, "the theme no longer folds sub-pages into <details><summary>"
    assert all(s.select_one("span.toctree-toggle") and not s.get_text(strip=True) for s in summaries), \
        "the theme's toggles now have text of their own: is the repair still needed?"
    repairs.label_part_toggles(soup)
    assert all(s["aria-label"] == repairs.PART_TOGGLE_LABEL for s in soup.select("summary"))


def test_the_theme_still_hands_its_sidebar_tree_to_templates():
    import inspect

    from pydata_sphinx_theme import toctree

    source = inspect.getsource(toctree.add_toctree_functions)
    assert 'context["generate_toctree_html"] = generate_toctree_html' in source
    context = {"generate_toctree_html": lambda *a, **k: "not a tree"}
    repairs.wrap_sidebar_tree(None, "page", "page.html", context, None)
    assert context["generate_toctree_html"]() == "not a tree"
    with pytest.raises(repairs.UpstreamMarkupChanged):
        repairs.wrap_sidebar_tree(None, "page", "page.html", {}, None)


# --- Print: folded reading opens ---------------------------------------------------------

def test_print_script_opens_the_dropdowns_sphinx_design_writes():
    import sphinx_design

    dropdown = (Path(sphinx_design.__file__).parent / "dropdown.py").read_text(encoding="utf-8")
    assert '"sd-dropdown"' in dropdown, "sphinx-design's dropdown class changed"
    script = (assets.STATIC_DIR / "osm-print.js").read_text(encoding="utf-8")
    assert "details.sd-dropdown" in script and "beforeprint" in script and "afterprint" in script


# --- Search folds accents ----------------------------------------------------------------

def test_index_terms_are_the_same_with_or_without_accents():
    language = search.AccentFoldingEnglish({})
    assert search.fold_accents("tvåstegshypotesen") == "tvastegshypotesen"
    assert language.stem("tvåstegshypotesen") == language.stem("tvastegshypotesen") == "tvastegshypotesen"
    assert language.stem("Åsikter") == language.stem("asikter")
    assert language.stem("communities") == "commun"  # English stemming still works


def test_the_query_is_folded_in_front_of_sphinx_stemmer():
    from sphinx.search.en import SearchEnglish

    assert "var Stemmer = function" in SearchEnglish.js_stemmer_code, "Sphinx's JS stemmer changed"
    code = search.AccentFoldingEnglish.js_stemmer_code
    assert code.startswith(SearchEnglish.js_stemmer_code)
    assert 'normalize("NFD")' in code and "\\p{M}" in code


# --- Freshness: the execution cache follows the package ----------------------------------

def _package(tmp_path: Path) -> Path:
    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "code.py").write_text("VALUE = 1\n", encoding="utf-8")
    (package / "data" / "table.csv").write_text("year,value\n2013,84\n", encoding="utf-8")
    (package / "__pycache__" / "code.cpython-311.pyc").write_bytes(b"\0")
    return package


def test_the_fingerprint_follows_code_and_data_but_not_byte_code(tmp_path):
    package = _package(tmp_path)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "catalogue.csv").write_text("seed_id\n001\n", encoding="utf-8")

    def current() -> str:
        return freshness.fingerprint(freshness.package_files(package, seeds), tmp_path)

    files = freshness.package_files(package, seeds)
    assert [f.name for f in files] == ["code.py", "table.csv", "catalogue.csv"]
    first = current()
    (package / "__pycache__" / "code.cpython-311.pyc").write_bytes(b"\1")
    assert current() == first
    (package / "data" / "table.csv").write_text("year,value\n2013,91\n", encoding="utf-8")
    second = current()
    assert second != first
    (package / "code.py").write_text("VALUE = 2\n", encoding="utf-8")
    assert current() not in (first, second)
    (seeds / "catalogue.csv").write_text("seed_id\n002\n", encoding="utf-8")
    assert current() not in (first, second)


def test_only_the_current_fingerprint_cache_is_kept(tmp_path):
    base = tmp_path / ".jupyter_cache"
    old, current = freshness.cache_folder(base, "aaaa"), freshness.cache_folder(base, "bbbb")
    for folder in (old, current, base / "unrelated"):
        folder.mkdir(parents=True)
    assert freshness.remove_stale_caches(base, current) == [old]
    assert sorted(p.name for p in base.iterdir()) == ["osm-bbbb", "unrelated"]


def test_every_page_is_written_on_every_build():
    env = SimpleNamespace(found_docs={"b", "a"})
    assert freshness.write_every_page(None, env) == ["a", "b"]
