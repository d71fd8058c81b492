"""Offline assets: MathJax served from the book, the course's styles, icons as SVG masks;
no page loads what it does not use.

Every change goes through a supported way, never through the finished HTML:

* the course's styles and scripts, and MathJax's address: config values (``config-inited``);
* the theme's colour mode default: ``html_context["default_mode"]`` (pydata-sphinx-theme's
  documented setting; without it the theme logs "invalid theme mode" on every page);
* the theme's 1.5 MB icon script and the search button's label: template overrides in
  ``osmcourse/templates/`` (tests compare them with the installed theme's templates);
* Thebe (live code through Binder, switched off in this book, but sphinx-thebe still adds
  its scripts, a third-party address and a per-page config) and MathJax on pages without
  mathematics: pruned from each page's asset lists (``html-page-context``) and its doctree.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# sphinx-thebe's files and the inline script naming Thebe's third-party address.
THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")
THEBE_MARKERS = ("THEBE_JS_URL", "text/x-thebe-config")
ICONS_CSS = "osm-icons.css"
# MathJax is served from the book itself (no third-party request); these parts of the
# sphinx-mathjax-offline package's copy are what tex-chtml needs in a browser.
MATHJAX_PARTS = (
    "tex-chtml.js",
    "output/chtml",
    "ui",
    "a11y/assistive-mml.js",
    "input/tex/extensions",
)
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def configure_assets(app: Sphinx, config: object) -> None:
    """Serve MathJax and the course's own styles from ``_static``; our templates first."""
    config.html_static_path.append(str(STATIC_DIR))
    config.mathjax_path = "mathjax/tex-chtml.js"
    config.templates_path.insert(0, str(TEMPLATES_DIR))
    # pydata-sphinx-theme reads its default colour mode from the context ("auto": follow
    # the reader's system setting).
    config.html_context.setdefault("default_mode", "auto")


def _is_thebe(asset: object) -> bool:
    filename = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return filename.endswith(THEBE_FILES) or any(marker in body for marker in THEBE_MARKERS)


def _is_mathjax(asset: object, mathjax_path: str) -> bool:
    filename = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    # Sphinx stores a local script's address under "_static/".
    return filename in (mathjax_path, f"_static/{mathjax_path}") or body.startswith(
        "window.MathJax = "
    )


def prune_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Drop Thebe's assets from every page, and MathJax from pages without mathematics.

    Sphinx adds MathJax to a page whose table of contents includes a page with equations
    (the root page), not only to pages with equations of their own; here only a page's own
    equations count. Runs after Sphinx's MathJax handler (priority 500).
    """
    own_maths = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is None:
            continue
        kept = [
            asset
            for asset in assets
            if not _is_thebe(asset)
            and (own_maths or not _is_mathjax(asset, app.config.mathjax_path))
        ]
        assets[:] = kept


def remove_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-thebe puts a Thebe config (naming a Binder repository) into every page's
    doctree even with Thebe switched off; it runs at priority 500, this after it."""
    for raw in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in raw.astext() and raw.parent is not None:
            raw.parent.remove(raw)


def fontawesome_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(pack, name) -> (width, height, SVG path) for every icon in the theme's icon script.

    The script defines three packs in order, each closed by a call naming it: brands
    (``fab``), regular (``far``) and solid (``fas``).
    """
    icons: dict[tuple[str, str], tuple[int, int, str]] = {}
    entry = re.compile(
        r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]'
    )
    start = 0
    for pack in ("fab", "far", "fas"):
        end = script.find(f'd("{pack}",p)', start)
        if end < 0:
            raise ValueError(f"the theme's icon script has no {pack} pack: has its format changed?")
        for match in entry.finditer(script, start, end):
            name = match.group(1) or match.group(2)
            icons.setdefault(
                (pack, name), (int(match.group(3)), int(match.group(4)), match.group(5))
            )
        start = end
    return icons


def icon_css(used: set[str], icons: dict[tuple[str, str], tuple[int, int, str]]) -> str:
    """CSS drawing each used icon (solid first, then brands, then regular) as an SVG mask."""
    from urllib.parse import quote

    rules = [
        "/* Generated at build time from the theme's icon set (Font Awesome Free, CC BY 4.0). */"
    ]
    for name in sorted(used):
        found = next(
            (icons[(pack, name)] for pack in ("fas", "fab", "far") if (pack, name) in icons), None
        )
        if found is None:
            continue
        width, height, path = found
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        url = f'url("data:image/svg+xml,{quote(svg, safe=" /:=,.-")}")'
        rules.append(
            f'.fa-{name}::before{{content:"" !important;display:inline-block;'
            f"width:{width / height:.3f}em;height:1em;vertical-align:-0.125em;"
            f"background-color:currentColor;-webkit-mask:{url} no-repeat center/contain;"
            f"mask:{url} no-repeat center/contain}}"
        )
    # No element may ask for the icon font: Chrome downloads a font for any box that uses it.
    rules.append(".fa-solid,.fas,.fab,.fa-brands,.far,.fa-regular{font-family:inherit !important}")
    return "\n".join(rules) + "\n"


def finish_html(app: Sphinx, exception: Exception | None) -> None:
    """After an HTML build: copy MathJax, drop the icon script, write the icon styles."""
    if exception is not None or app.builder.format != "html":
        return
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "the sphinx-mathjax-offline package (MathJax for offline use) is not installed"
        )
    mathjax = Path(spec.origin).parent / "static" / "mathjax"
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = mathjax / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)

    # Sphinx 7.4 does not overwrite a changed static file in an incremental build; these
    # are ours, so copy them every time.
    for asset in STATIC_DIR.iterdir():
        shutil.copy2(asset, Path(app.outdir) / "_static" / asset.name)

    # The icons the pages use (read only: the pages are not rewritten).
    used: set[str] = set()
    for page in Path(app.outdir).rglob("*.html"):
        for classes in _CLASS_ATTRIBUTE.findall(page.read_text(encoding="utf-8")):
            used.update(token[3:] for token in classes.split() if token.startswith("fa-"))
    import pydata_sphinx_theme

    script = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme"
        / "pydata_sphinx_theme"
        / "static"
        / "scripts"
        / "fontawesome.js"
    )
    icons = fontawesome_icons(script.read_text(encoding="utf-8"))
    (Path(app.outdir) / "_static" / ICONS_CSS).write_text(icon_css(used, icons), encoding="utf-8")
    # The script itself is not loaded (templates/static/webpack-macros.html); keep the
    # published site small.
    for leftover in (Path(app.outdir) / "_static" / "scripts").glob("fontawesome.js*"):
        leftover.unlink()


def setup(app: Sphinx) -> None:
    app.connect("config-inited", configure_assets)
    app.connect("html-page-context", prune_page_assets, priority=600)
    app.connect("doctree-resolved", remove_thebe_config, priority=600)
    app.add_css_file("osm.css")
    app.add_css_file(ICONS_CSS)
    app.add_css_file("osm-print.css", media="print")
    # Folded reading prints open (see the script); tiny, and loaded without blocking the page.
    app.add_js_file("osm-print.js", loading_method="defer")
    app.connect("build-finished", finish_html)
