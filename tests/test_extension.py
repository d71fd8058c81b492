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

from osmcourse.book import assets, freshness, metadata, repairs, search, speed

TEMPLATES = Path(assets.TEMPLATES_DIR)


def theme_file(package: str, *parts: str) -> Path:
    import importlib

    module = importlib.import_module(package)
    path = Path(module.__file__).parent.joinpath("theme", package, *parts)
    assert path.is_file(), f"{package} no longer has {'/'.join(parts)}"
    return path


# --- Template overrides ------------------------------------------------------------------


def test_search_button_override_is_the_theme_template_without_its_label():
    upstream = theme_file(
        "pydata_sphinx_theme", "components", "search-button-field.html"
    ).read_text(encoding="utf-8")
    ours = (TEMPLATES / "search-button-field.html").read_text(encoding="utf-8")
    # Our file is our comment, then the theme's file with the label taken out.
    body = ours.split("-#}\n", 1)[1]
    label = " aria-label=\"{{ _('Search') }}\""
    assert label in upstream
    assert body == upstream.replace(label, "", 1)


def test_icon_script_override_drops_only_the_icon_script_preloads_and_theme_stylesheets():
    upstream = theme_file("pydata_sphinx_theme", "static", "webpack-macros.html").read_text(
        encoding="utf-8"
    )
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
    # The emptied head_pre_assets linked exactly the theme's two stylesheets, and the first
    # imports basic.css: the three files speed.py puts at the head of the page's one stylesheet.
    links = re.findall(r"<[^>]+>", re.sub(r"<!--.*?-->", "", macros["head_pre_assets"], flags=re.S))
    linked = [re.search(r"_static/([\w/.-]+\.css)", tag).group(1) for tag in links]
    assert linked == ["styles/theme.css", "styles/pydata-sphinx-theme.css"], links
    theme_css = theme_file("pydata_sphinx_theme", "static", "styles", "theme.css").read_text(
        encoding="utf-8"
    )
    assert re.findall(r"@import[^;]+;", theme_css) == ['@import "../basic.css";']
    assert speed.THEME_CSS == ("_static/basic.css", "_static/styles/pydata-sphinx-theme.css")
    assert re.search(r"{% macro head_pre_assets\(\) %}{% endmacro %}", ours)


def test_header_override_is_the_theme_header_without_its_sidebar_toggles():
    """The theme's script binds the first .primary-toggle/.secondary-toggle of a page; the
    header's (hidden under sphinx-book-theme) must not be there, or the visible ones are dead."""
    upstream = theme_file("pydata_sphinx_theme", "sections", "header.html").read_text(
        encoding="utf-8"
    )
    ours = (TEMPLATES / "sections" / "header.html").read_text(encoding="utf-8")
    body = ours.split("-#}\n", 1)[1]
    # The toggles are the only buttons the theme's header draws itself ...
    buttons = re.findall(
        r"[ \t]*(?:{% if [^%]*%}\s*)?<button class=\"pst-navbar-icon sidebar-toggle (?:primary|secondary)-toggle\""
        r".*?</button>\n(?:[ \t]*{% endif %}\n)?",
        upstream,
        flags=re.S,
    )
    assert len(buttons) == 2, (
        "the theme's header no longer has its two sidebar toggles: review the override"
    )
    assert "<button" not in body and "toggle" not in body
    # ... and everything else is the theme's file verbatim.
    expected = upstream
    for button in buttons:
        expected = expected.replace(button, "", 1)
    assert body == expected

    # The book theme still draws the toggles the page keeps.
    book = theme_file("sphinx_book_theme", "components", "toggle-primary-sidebar.html").read_text(
        encoding="utf-8"
    )
    assert "primary-toggle" in book
    book = theme_file("sphinx_book_theme", "components", "toggle-secondary-sidebar.html").read_text(
        encoding="utf-8"
    )
    assert "secondary-toggle" in book


def test_icon_script_is_where_the_icon_css_is_generated_from():
    script = theme_file("pydata_sphinx_theme", "static", "scripts", "fontawesome.js").read_text(
        encoding="utf-8"
    )
    icons = assets.fontawesome_icons(script)
    assert ("fas", "magnifying-glass") in icons and ("fab", "github") in icons
    css = assets.icon_css({"magnifying-glass"}, icons)
    assert ".fa-magnifying-glass::before" in css and "mask:" in css


# --- Pruned assets -----------------------------------------------------------------------


def test_sphinx_thebe_still_adds_the_assets_that_are_pruned():
    import sphinx_thebe

    source = Path(sphinx_thebe.__file__).read_text(encoding="utf-8")
    for name in assets.THEBE_FILES + assets.THEBE_MARKERS:
        assert name in source, (
            f"sphinx-thebe no longer adds {name}: review assets.prune_page_assets"
        )


def _page_assets(*scripts):
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    return {
        "script_files": [_JavaScript(name, **attrs) for name, attrs in scripts],
        "css_files": [
            _CascadingStyleSheet("_static/sphinx-thebe.css"),
            _CascadingStyleSheet("_static/osm.css"),
        ],
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
    app = SimpleNamespace(
        env=SimpleNamespace(get_domain=lambda name: math),
        config=SimpleNamespace(mathjax_path="mathjax/tex-chtml.js"),
    )
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
    config = nodes.raw(
        "", '<script type="text/x-thebe-config">{requestKernel: true}</script>', format="html"
    )
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

    node = HideCodeCellNode(
        classes=["above-input"],
        prompt_show="Show code cell source",
        prompt_hide="Hide code cell source",
    )
    upstream = _Translator()
    visit_HideCellInput(upstream, node)
    assert repairs.CELL_SUMMARY_UPSTREAM in upstream.body, "myst-nb's folded cell markup changed"

    ours = _Translator()
    repairs.cell_summary_visitor(visit_HideCellInput)(ours, node)
    assert repairs.CELL_SUMMARY in ours.body
    assert not any("aria-label" in chunk for chunk in ours.body)
    assert "".join(ours.body).replace(
        repairs.CELL_SUMMARY, repairs.CELL_SUMMARY_UPSTREAM
    ) == "".join(upstream.body)


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
        "</li></ul>",
        "html.parser",
    )
    add_collapse_checkboxes(soup)
    summaries = soup.select("summary")
    assert summaries, "the theme no longer folds sub-pages into <details><summary>"
    assert all(
        s.select_one("span.toctree-toggle") and not s.get_text(strip=True) for s in summaries
    ), "the theme's toggles now have text of their own: is the repair still needed?"
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
    assert (
        language.stem("tvåstegshypotesen")
        == language.stem("tvastegshypotesen")
        == "tvastegshypotesen"
    )
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


def test_layout_override_is_the_theme_extrahead_without_the_search_scripts():
    upstream = theme_file("pydata_sphinx_theme", "layout.html").read_text(encoding="utf-8")
    block = re.search(
        r"{%- block extrahead %}(.*?){%- endblock extrahead %}", upstream, flags=re.S
    ).group(1)
    search = re.search(r"\n  {% if pagename == 'search' %}.*?{% endif %}\n", block, flags=re.S)
    assert search and "searchindex.js" in search.group(0), (
        "the theme's extrahead changed: review layout.html"
    )
    ours = (TEMPLATES / "layout.html").read_text(encoding="utf-8")
    ours_block = re.search(
        r"{%- block extrahead %}(.*?){%- endblock extrahead %}", ours, flags=re.S
    ).group(1)
    assert ours_block == block.replace(search.group(0), "\n", 1)
    # The search scripts serve only the theme's search-as-you-type, which is off by default.
    theme_conf = theme_file("pydata_sphinx_theme", "theme.conf").read_text(encoding="utf-8")
    assert re.search(r"^search_as_you_type = False$", theme_conf, flags=re.M)
    book = theme_file("sphinx_book_theme", "layout.html").read_text(encoding="utf-8")
    assert "extrahead" not in book


def _speed_app(tmp_path):
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    speed.name_bundle(app)
    return app


def test_a_page_links_one_stylesheet_and_defers_its_scripts(tmp_path):
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    app = _speed_app(tmp_path)
    context = {
        "css_files": [
            _CascadingStyleSheet("_static/pygments.css"),
            _CascadingStyleSheet("_static/osm.css"),
            _CascadingStyleSheet("_static/osm-print.css", media="print"),
            _CascadingStyleSheet("https://example.org/remote.css"),
        ],
        "script_files": [
            _JavaScript("_static/documentation_options.js"),
            _JavaScript("_static/doctools.js"),
            _JavaScript("", body="var x = 1;"),
            _JavaScript("_static/a.js", **{"async": "async"}),
            _JavaScript("_static/mathjax/tex-chtml.js", defer="defer"),
        ],
    }
    speed.one_stylesheet_deferred_scripts(app, "page", "page.html", context, None)
    css = [(str(c.filename), c.attributes.get("media")) for c in context["css_files"]]
    assert css == [
        (speed.bundle_name(app), None),
        ("_static/osm-print.css", "print"),
        ("https://example.org/remote.css", None),
    ]
    assert list(speed._bundled(app)) == [
        *speed.THEME_CSS,
        "_static/pygments.css",
        "_static/osm.css",
    ]
    scripts = {str(js.filename): js.attributes for js in context["script_files"]}
    assert "defer" not in scripts["_static/documentation_options.js"]
    assert scripts["_static/doctools.js"]["defer"] == "defer"
    assert context["script_files"][2].attributes == {"body": "var x = 1;"}
    assert "defer" not in scripts["_static/a.js"]
    # MathJax: an inline loader in its place, which loads it when a formula is near.
    assert "_static/mathjax/tex-chtml.js" not in scripts
    loader = context["script_files"][-1]
    assert loader.filename == "" and '"_static/mathjax/tex-chtml.js"' in loader.attributes["body"]
    assert (
        "IntersectionObserver" in loader.attributes["body"]
        and "beforeprint" in loader.attributes["body"]
    )
    # The search page's template loads Sphinx's search scripts, which need doctools.js at once.
    search = {
        "script_files": [_JavaScript("_static/doctools.js"), _JavaScript("_static/copybutton.js")]
    }
    speed.one_stylesheet_deferred_scripts(app, "search", "search.html", search, None)
    assert [js.attributes for js in search["script_files"]] == [{}, {"defer": "defer"}]


def test_the_bundle_rewrites_relative_addresses_and_refuses_imports(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text("a{background:url(file.png)}", encoding="utf-8")
    (static / "styles" / "theme.css").write_text(
        '@charset "UTF-8";\n@font-face{src:url(../vendor/f.woff2)}b{mask:url("data:image/svg+xml,x")}'
        "\n/*# sourceMappingURL=theme.css.map */",
        encoding="utf-8",
    )
    text = speed.concatenate(
        tmp_path, ["_static/basic.css", "_static/styles/theme.css"], "_static/osm-bundle-x.css"
    )
    assert 'url("file.png")' in text and 'url("vendor/f.woff2")' in text
    assert 'url("data:image/svg+xml,x")' in text
    assert (
        text.count("@charset") == 1
        and text.startswith("@charset")
        and "sourceMappingURL" not in text
    )
    (static / "styles" / "theme.css").write_text('@import "../basic.css";', encoding="utf-8")
    with pytest.raises(ValueError, match="imports"):
        speed.concatenate(tmp_path, ["_static/styles/theme.css"], "_static/osm-bundle-x.css")
    with pytest.raises(FileNotFoundError):
        speed.concatenate(tmp_path, ["_static/missing.css"], "_static/osm-bundle-x.css")


def _doctree(markdown_like: list[tuple[str, str]]):
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("page", get_default_settings(Parser))
    section = nodes.section()
    document += section
    for kind, text in markdown_like:
        if kind == "note":
            section += nodes.note("", nodes.paragraph(text=text))
        elif kind == "cell":
            section += nodes.container("", nodes.paragraph(text=text), classes=["cell"])
        else:
            section += nodes.paragraph(text=text)
    return document


def test_the_description_is_the_first_paragraph_of_prose_shortened():
    long = "The first real paragraph of the page says what the page is about, " * 4
    tree = _doctree(
        [
            ("p", "Short label."),
            ("note", "A boxed note that is long enough to be chosen " * 3),
            ("cell", "Output of a code cell that is long enough to be chosen " * 3),
            ("p", long),
        ]
    )
    text = metadata.page_description(tree, "Title", "Book")
    assert text.startswith("The first real paragraph") and text.endswith("…")
    assert len(text) <= metadata.DESCRIPTION_LIMIT
    assert (
        metadata.page_description(_doctree([("p", "Only a short one.")]), "T", "B")
        == "Only a short one."
    )
    assert (
        metadata.page_description(None, "Search", "Open Source Marketing")
        == "Search: Open Source Marketing"
    )


def test_a_page_keeps_its_own_description_and_others_get_one_escaped():
    app = SimpleNamespace(config=SimpleNamespace(html_title="Book", project="Project name not set"))
    own = {"metatags": '<meta content="Ours" name="description" />', "title": "T"}
    metadata.add_description(app, "page", "page.html", own, None)
    assert own["metatags"].count("description") == 1
    tree = _doctree(
        [("p", 'He said "quote" & <left> — a paragraph that is long enough to describe it.')]
    )
    context = {"metatags": "", "title": "T"}
    metadata.add_description(app, "page", "page.html", context, tree)
    assert "&quot;quote&quot; &amp; &lt;left&gt;" in context["metatags"]
    assert context["metatags"].startswith('<meta name="description" content="He said')
    index = {"title": "Index"}
    metadata.add_description(app, "genindex", "genindex.html", index, None)
    assert 'content="Index: Book"' in index["metatags"]


def test_the_favicon_is_the_course_s_unless_the_book_names_one():
    config = SimpleNamespace(html_favicon="")
    metadata.configure_favicon(None, config)
    assert config.html_favicon == str(metadata.FAVICON) and metadata.FAVICON.is_file()
    assert metadata.FAVICON.stat().st_size < 2000
    config = SimpleNamespace(html_favicon="ours.ico")
    metadata.configure_favicon(None, config)
    assert config.html_favicon == "ours.ico"
