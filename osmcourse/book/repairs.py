"""Repairs of the finished HTML that no template override or config value can do.

Each pattern names what it fixes; ``postprocess_page`` applies them to one page.
"""

from __future__ import annotations

import re

# What finish_html takes out of every page, and why.
_STRIP = [
    # The theme's 1.5 MB icon script: the icons the pages use are drawn by osm-icons.css.
    re.compile(r'\s*(<!-- So that users can add custom icons -->\s*)?<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'),
    # Thebe (live code through Binder) is switched off in this book, but sphinx-thebe still
    # adds its config twice (a console error) and a third-party script address.
    re.compile(r'\s*<script>const THEBE_JS_URL = [^<]*</script>'),
    re.compile(r'\s*<script async="async" src="[^"]*_static/sphinx-thebe\.js[^"]*"></script>'),
    re.compile(r'\s*<link rel="stylesheet" type="text/css" href="[^"]*_static/sphinx-thebe\.css[^"]*" />'),
    re.compile(r'\s*<script type="text/x-thebe-config">.*?</script>', re.S),
]
# MathJax only where there is mathematics (Sphinx also adds it to the root page, because
# the root's toctree includes pages with equations).
_MATHJAX = [
    re.compile(r'\s*<script>window\.MathJax = [^<]*</script>'),
    re.compile(r'\s*<script defer="defer" src="[^"]*_static/mathjax/tex-chtml\.js[^"]*"></script>'),
]
# Accessibility repairs of the theme's markup (axe-core: label-content-name-mismatch,
# summary-name, aria-required-children).
_A11Y = [
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'), r"\1"),
    (re.compile(r"<summary><span class=\"toctree-toggle\""), '<summary aria-label="Show or hide the pages in this part"><span class="toctree-toggle"'),
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
    # Without a default colour mode the theme logs "invalid theme mode" on every page.
    (re.compile(r'<body data-default-mode="">'), '<body data-default-mode="auto">'),
    (re.compile(r'localStorage\.getItem\("mode"\) \|\| ""'), 'localStorage.getItem("mode") || "auto"'),
    # sphinx-togglebutton's summary says "Toggle hidden content" but shows "Show code cell
    # source": the visible text is the better name.
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
]


def postprocess_page(html: str) -> str:
    """One built page with the third-party, unused and inaccessible bits taken out."""
    for pattern in _STRIP:
        html = pattern.sub("", html)
    if 'class="math' not in html:
        for pattern in _MATHJAX:
            html = pattern.sub("", html)
    for pattern, replacement in _A11Y:
        html = pattern.sub(replacement, html)
    return html
