"""A page paints as soon as its one stylesheet has arrived: nothing else blocks the first paint.

Lighthouse's mobile audit (slow 4G, a slower CPU) found every page waiting for about a dozen
stylesheets, one of them fetched only after another (the theme's ``theme.css`` imports
Sphinx's ``basic.css``), and for ten scripts loaded in the page's head before anything showed,
among them the search index, which only the search page uses. What this module changes,
each through a supported hook, never in finished HTML:

* **One stylesheet.** Every screen stylesheet a page lists (``css_files`` in
  ``html-page-context``), and the theme's own two (its ``head_pre_assets`` macro, emptied in
  ``osmcourse/templates/static/webpack-macros.html``), are replaced by one file,
  ``_static/osm-bundle-<hash>.css``, written at the end of the build: the same files, in the
  order the page listed them, their relative ``url()`` addresses rewritten, less the rules
  that can match nothing in the book (below: nine tenths of it is Bootstrap the book never
  uses; tests/test_browser.py checks every element is styled as by the whole). The name changes
  with the build, so a browser never keeps a stale copy. The print stylesheet stays apart
  (``media="print"`` does not block the first paint).
* **Scripts after the page.** Every script file a page loads is deferred (``defer``: fetched
  in parallel, run in order once the page is parsed, before ``DOMContentLoaded``, which is when
  these scripts act). ``documentation_options.js`` stays as it is: the inline scripts after it
  set its fields.
* **MathJax when the mathematics is near.** MathJax (a megabyte of script, and typesetting a
  page's formulas at once a long task on a phone) loads when a formula comes within half a
  screen of the view, or before printing, not with the page: most formulas are far down a
  lab. It then typesets each formula as it comes near, not all at once (``startup.typeset``
  off, MathJax's documented ``pageReady`` hook). Until then a formula shows as its TeX
  source. The script tag Sphinx adds is replaced by this small inline loader; MathJax's
  configuration (Sphinx's ``window.MathJax``) is kept and extended.
* **The search index on the search page only.** pydata-sphinx-theme loads Sphinx's search
  scripts and the whole index on every page for its search-as-you-type option, which this
  book leaves off; the template override ``osmcourse/templates/layout.html`` drops them
  elsewhere (the search box sends the query to the search page, which loads them).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

BUNDLE_PREFIX = "osm-bundle-"
# The theme's own stylesheets, linked by its head_pre_assets macro (basic.css through
# theme.css's @import), first in the bundle as they were first on the page.
THEME_CSS = ("_static/basic.css", "_static/styles/pydata-sphinx-theme.css")
# Inline scripts after this one assign to the object it defines: it must run first.
KEEP_BLOCKING = ("_static/documentation_options.js",)
# The search page's own search scripts (in its template, not deferred) call doctools.js's
# _ready as they load.
KEEP_BLOCKING_ON_SEARCH = KEEP_BLOCKING + ("_static/doctools.js",)
_SCREEN = (None, "all", "screen")
MATHJAX_SCRIPT = "mathjax/tex-chtml.js"
# Loads MathJax (Sphinx's config, window.MathJax, is set by an inline script before this one)
# once a formula is within half a screen of the view, or before printing.
MATHJAX_LOADER = (
    """(() => {
  // Typeset a formula when it comes near the view, not every formula of the page at once.
  const config = window.MathJax = window.MathJax || {};
  const typesetNear = () => {
    if (!("IntersectionObserver" in window)) return MathJax.typesetPromise();
    let queue = Promise.resolve();
    const near = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        near.unobserve(entry.target);
        queue = queue.then(() => MathJax.typesetPromise([entry.target]));
      }
    }, { rootMargin: "50%% 0px" });
    document.querySelectorAll(".math").forEach((math) => near.observe(math));
    window.addEventListener("beforeprint", () => { near.disconnect(); MathJax.typeset(); });
  };
  config.startup = Object.assign(config.startup || {}, {
    typeset: false,
    pageReady: () => MathJax.startup.defaultPageReady().then(typesetNear),
  });
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    const script = document.createElement("script");
    script.src = document.documentElement.dataset.content_root + "_static/%s";
    document.head.appendChild(script);
  };
  window.addEventListener("beforeprint", load);
  document.addEventListener("DOMContentLoaded", () => {
    const maths = document.querySelectorAll(".math");
    if (!maths.length || !("IntersectionObserver" in window)) return load();
    const near = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) { near.disconnect(); load(); }
    }, { rootMargin: "50%% 0px" });
    maths.forEach((math) => near.observe(math));
  });
})();"""
    % MATHJAX_SCRIPT
)
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_DROP = re.compile(r"@charset[^;]*;|/\*# sourceMappingURL=[^*]*\*/")


def _bundled(app: Sphinx) -> dict[str, None]:
    """The stylesheets in the bundle, in page order (an ordered set kept on the app)."""
    if not hasattr(app, "_osm_bundled"):
        app._osm_bundled = dict.fromkeys(THEME_CSS)  # type: ignore[attr-defined]
    return app._osm_bundled  # type: ignore[attr-defined]


def name_bundle(app: Sphinx) -> None:
    """This build's bundle name (``builder-inited``): it changes with every build, so a browser
    never keeps a stale copy. The pages list their stylesheets to this process as they are
    written: Jupyter Book writes them in one process (no ``-j``)."""
    import time

    stamp = hashlib.sha1(f"{time.time_ns()}{app.outdir}".encode()).hexdigest()[:10]
    app._osm_bundle_name = f"_static/{BUNDLE_PREFIX}{stamp}.css"  # type: ignore[attr-defined]


def bundle_name(app: Sphinx) -> str:
    return app._osm_bundle_name  # type: ignore[attr-defined]


def _is_local(filename: str) -> bool:
    return bool(filename) and "://" not in filename and not filename.startswith("//")


def one_stylesheet_deferred_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Replace a page's screen stylesheets by the bundle and defer its script files."""
    if app.builder.format != "html":
        return
    css = context.get("css_files")
    if css is not None:
        bundled, kept = _bundled(app), []
        for sheet in css:
            filename = str(getattr(sheet, "filename", sheet) or "")
            media = getattr(sheet, "attributes", {}).get("media")
            if _is_local(filename) and media in _SCREEN and filename.endswith(".css"):
                bundled.setdefault(filename)
            else:
                kept.append(sheet)
        css[:] = [
            _CascadingStyleSheet(bundle_name(app), priority=0, rel="stylesheet", type="text/css"),
            *kept,
        ]
    scripts = context.get("script_files")
    if scripts is not None:
        blocking = KEEP_BLOCKING_ON_SEARCH if templatename == "search.html" else KEEP_BLOCKING
        deferred = []
        for script in scripts:
            filename = str(getattr(script, "filename", "") or "")
            attributes = dict(getattr(script, "attributes", {}))
            if filename.endswith(MATHJAX_SCRIPT):
                script = _JavaScript("", priority=script.priority, body=MATHJAX_LOADER)
            elif (
                filename
                and filename not in blocking
                and "async" not in attributes
                and "defer" not in attributes
            ):
                script = _JavaScript(
                    filename, priority=script.priority, **{**attributes, "defer": "defer"}
                )
            deferred.append(script)
        scripts[:] = deferred


def concatenate(outdir: Path, files: list[str], bundle: str) -> str:
    """The stylesheets ``files`` (paths under ``outdir``) as one, for ``outdir/bundle``:
    relative ``url()`` addresses rewritten, ``@charset`` and source-map comments dropped."""
    base = posixpath.dirname(bundle)
    parts = [
        '@charset "UTF-8";\n/* Open Source Marketing: the page\'s stylesheets in one file '
        "(osmcourse/book/speed.py). */"
    ]
    for name in files:
        path = outdir / name
        if not path.is_file():
            raise FileNotFoundError(f"{name}, listed by a page, is not in the built book")
        text = _DROP.sub("", path.read_text(encoding="utf-8"))
        if "@import" in text:
            raise ValueError(
                f"{name} imports another stylesheet: add that one to the bundle instead"
            )
        folder = posixpath.dirname(name)

        def rebase(match: re.Match[str], folder: str = folder) -> str:
            address = match.group(2).strip()
            if address.startswith(("data:", "#", "/")) or "://" in address:
                return match.group(0)
            return f'url("{posixpath.relpath(posixpath.normpath(posixpath.join(folder, address)), base)}")'

        parts.append(f"/* {name} */\n" + _URL.sub(rebase, text).strip())
    return "\n".join(parts) + "\n"


# --- Unused rules --------------------------------------------------------------------------
# The theme's stylesheet carries all of Bootstrap (forms, grids, utilities): about nine tenths of
# the bundle match nothing the book has. A rule goes only when every one of its selectors names
# a class or id that appears nowhere in the book: in no page and in no script (scripts add
# classes: "show", "pst-sidebar-hidden", "scrolled"). Anything the check cannot read (escaped
# characters, :is(), :where(), :has()) stays.
_WORD = re.compile(r"[A-Za-z0-9_-]+")
_NAMES = re.compile(r"[.#](-?[A-Za-z_][\w-]*)")
_KEEP_SELECTOR = ("\\", ":is(", ":where(", ":has(", ":host", "::slotted")
# At-rules whose body holds rules to check; the others (@font-face, @keyframes, @page, ...)
# are kept whole.
_NESTED_AT = ("@media", "@supports", "@layer", "@container")


def book_words(outdir: Path) -> set[str]:
    """Every word in the book's pages and scripts: the class and id names it can ever use."""
    words: set[str] = set()
    for pattern in ("*.html", "*.js"):
        for path in outdir.rglob(pattern):
            words.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def _selector_may_match(selector: str, words: set[str]) -> bool:
    if any(marker in selector for marker in _KEEP_SELECTOR):
        return True
    # What :not() excludes need not exist; attribute values are not class names.
    selector = re.sub(r":not\([^()]*\)", "", selector)
    selector = re.sub(r"\[[^\]]*\]", "", selector)
    return all(name in words for name in _NAMES.findall(selector))


def _matching_brace(text: str, start: int) -> int:
    """The index of the brace closing the one at ``start`` (strings and nesting respected)."""
    depth, index, quote = 0, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError("unbalanced braces in a stylesheet")


def drop_unused_rules(css: str, words: set[str]) -> str:
    """``css`` without the rules no selector of which can match anything in the book."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    kept: list[str] = []
    index = 0
    while index < len(css):
        brace = css.find("{", index)
        semicolon = css.find(";", index)
        if brace < 0:
            kept.append(css[index:].strip())
            break
        if 0 <= semicolon < brace and css[index:semicolon].lstrip().startswith("@"):
            kept.append(css[index : semicolon + 1].strip())  # @charset, @import, @layer a, b;
            index = semicolon + 1
            continue
        end = _matching_brace(css, brace)
        prelude, body = css[index:brace].strip(), css[brace + 1 : end]
        index = end + 1
        if prelude.startswith(_NESTED_AT):
            inner = drop_unused_rules(body, words)
            if inner.strip():
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@") or any(
            _selector_may_match(s, words) for s in prelude.split(",")
        ):
            kept.append(f"{prelude}{{{body}}}")
    return "\n".join(part for part in kept if part)


def write_bundle(app: Sphinx, exception: Exception | None) -> None:
    """Write this build's bundle (after every page and the icon styles are written)."""
    if (
        exception is not None
        or app.builder.format != "html"
        or not hasattr(app, "_osm_bundle_name")
    ):
        return
    outdir = Path(app.outdir)
    for stale in (outdir / "_static").glob(f"{BUNDLE_PREFIX}*.css"):
        stale.unlink()
    bundle = bundle_name(app)
    files = list(_bundled(app))
    css = drop_unused_rules(concatenate(outdir, files, bundle), book_words(outdir))
    # The files it was made from, for the browser test that compares the two.
    (outdir / bundle).write_text(f"{css}\n/* bundled: {' '.join(files)} */\n", encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", name_bundle)
    # After every other handler has added or pruned its assets (assets.py prunes at 600).
    app.connect("html-page-context", one_stylesheet_deferred_scripts, priority=900)
    # After assets.finish_html (priority 500), which writes the icon styles the bundle holds.
    app.connect("build-finished", write_bundle, priority=900)
