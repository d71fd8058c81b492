"""Offline assets: MathJax served from the book, the course's styles, icons as SVG masks."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

from osmcourse.book.repairs import postprocess_page

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ICONS_CSS = "osm-icons.css"
# MathJax is served from the book itself (no third-party request); these parts of the
# sphinx-mathjax-offline package's copy are what tex-chtml needs in a browser.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml", "ui", "a11y/assistive-mml.js", "input/tex/extensions")
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def configure_assets(app: Sphinx, config: object) -> None:
    """Serve MathJax and the course's own styles from ``_static``."""
    config.html_static_path.append(str(STATIC_DIR))
    config.mathjax_path = "mathjax/tex-chtml.js"


def fontawesome_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(pack, name) -> (width, height, SVG path) for every icon in the theme's icon script.

    The script defines three packs in order, each closed by a call naming it: brands
    (``fab``), regular (``far``) and solid (``fas``).
    """
    icons: dict[tuple[str, str], tuple[int, int, str]] = {}
    entry = re.compile(r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]')
    start = 0
    for pack in ("fab", "far", "fas"):
        end = script.find(f'd("{pack}",p)', start)
        if end < 0:
            raise ValueError(f"the theme's icon script has no {pack} pack: has its format changed?")
        for match in entry.finditer(script, start, end):
            name = match.group(1) or match.group(2)
            icons.setdefault((pack, name), (int(match.group(3)), int(match.group(4)), match.group(5)))
        start = end
    return icons


def icon_css(used: set[str], icons: dict[tuple[str, str], tuple[int, int, str]]) -> str:
    """CSS drawing each used icon (solid first, then brands, then regular) as an SVG mask."""
    from urllib.parse import quote

    rules = ["/* Generated at build time from the theme's icon set (Font Awesome Free, CC BY 4.0). */"]
    for name in sorted(used):
        found = next((icons[(pack, name)] for pack in ("fas", "fab", "far") if (pack, name) in icons), None)
        if found is None:
            continue
        width, height, path = found
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        url = f'url("data:image/svg+xml,{quote(svg, safe=" /:=,.-")}")'
        rules.append(
            f".fa-{name}::before{{content:\"\" !important;display:inline-block;"
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
        raise RuntimeError("the sphinx-mathjax-offline package (MathJax for offline use) is not installed")
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

    used: set[str] = set()
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        cleaned = postprocess_page(html)
        if cleaned != html:
            page.write_text(cleaned, encoding="utf-8")
        for classes in _CLASS_ATTRIBUTE.findall(cleaned):
            used.update(token[3:] for token in classes.split() if token.startswith("fa-"))
    import pydata_sphinx_theme

    script = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts" / "fontawesome.js"
    icons = fontawesome_icons(script.read_text(encoding="utf-8"))
    (Path(app.outdir) / "_static" / ICONS_CSS).write_text(icon_css(used, icons), encoding="utf-8")
    # The script itself is not needed any more; keep the published site small.
    for leftover in (Path(app.outdir) / "_static" / "scripts").glob("fontawesome.js*"):
        leftover.unlink()


def setup(app: Sphinx) -> None:
    app.connect("config-inited", configure_assets)
    app.add_css_file("osm.css")
    app.add_css_file(ICONS_CSS)
    app.add_css_file("osm-print.css", media="print")
    app.connect("build-finished", finish_html)
