"""Sphinx extension for the book: the source texts, shown verbatim with numbered paragraphs.

In a chapter::

    ```{seed-text} 001
    ```

renders text 001 from ``seeds/`` with its paragraphs numbered ¶1, ¶2, … Each paragraph gets
a label ``seed-001-p3`` so commentary can point at it with ``{ref}`¶3 <seed-001-p3>```.
With ``:translation: path/to/file.txt`` (one paragraph a line, in the same order) it shows
the original and the course team's translation side by side, the translation marked as ours.

The text is read from ``seeds/`` at build time, never pasted into a chapter, so the book
cannot drift from the seeds (a test compares the built pages against them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from osmcourse.text import load_seed

TRANSLATION_NOTE = "Translation by the course team, not by the original author."


def read_translation(path: Path) -> tuple[str, list[str]]:
    """A translation file: its first line translates the title, each further non-empty line
    one paragraph, in the original's order."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{path.name}: the translation file is empty")
    return lines[0], lines[1:]


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph node holding ``text`` literally, its line breaks kept."""
    para = nodes.paragraph(classes=["seed-paragraph"])
    for i, line in enumerate(text.split("\n")):
        if i:
            para += nodes.raw("", "<br/>", format="html")
            para += nodes.Text("\n")
        para += nodes.Text(line)
    return para


class SeedTextDirective(SphinxDirective):
    """Show one source text verbatim, paragraphs numbered and labelled."""

    required_arguments = 1
    has_content = False
    option_spec = {"translation": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        seed_id = self.arguments[0]
        try:
            seed = load_seed(seed_id)
        except KeyError as error:
            raise self.error(str(error)) from error
        self.env.note_dependency(str(Path(__file__).parent / "data" / "seeds" / "catalogue.csv"))

        translation: list[str] | None = None
        translated_title = ""
        if "translation" in self.options:
            rel, path = self.env.relfn2path(self.options["translation"], self.env.docname)
            self.env.note_dependency(rel)
            try:
                translated_title, translation = read_translation(Path(path))
            except (OSError, ValueError) as error:
                raise self.error(f"translation {rel}: {error}") from error
            if len(translation) != len(seed.paragraphs):
                raise self.error(
                    f"translation {rel} has {len(translation)} paragraphs, "
                    f"text {seed_id} has {len(seed.paragraphs)}"
                )

        box = nodes.container(classes=["seed-text", f"seed-{seed_id}"])
        # Verbatim means verbatim: no "smart" quotes, dashes or ellipses from Sphinx.
        box["support_smartquotes"] = False
        if seed.heading:
            title = nodes.paragraph(classes=["seed-title"])
            title += nodes.strong(text=seed.heading)
            box += title
            if translated_title:
                box += nodes.paragraph(text=f"({translated_title})", classes=["seed-title-translation"])
        if translation is not None:
            box += nodes.paragraph(text=TRANSLATION_NOTE, classes=["seed-translation-note"])

        for number, text in enumerate(seed.paragraphs, start=1):
            label = f"seed-{seed_id}-p{number}"
            row = nodes.container(classes=["seed-row"], ids=[label], names=[label])
            self.state.document.note_explicit_target(row)
            marker = nodes.paragraph(text=f"¶{number}", classes=["seed-number"])
            original = nodes.container(classes=["seed-original"])
            if seed.language != "en":
                # Screen readers and translators need to know the original's language.
                original += nodes.raw("", f'<div lang="{seed.language}">', format="html")
                original += _paragraph(text)
                original += nodes.raw("", "</div>", format="html")
            else:
                original += _paragraph(text)
            row += [marker, original]
            if translation is not None:
                ours = nodes.container(classes=["seed-translation"])
                ours += _paragraph(translation[number - 1])
                row += ours
            box += row
        return [box]


def point_launch_buttons_at_student_copies(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Launch buttons (Binder, Colab) open the student copy of a lab, never the solutions.

    sphinx-book-theme builds its launch links from the page's own source path; a lab page's
    source is the master notebook with the solutions. Here (after the theme, priority 502)
    ``exercises/NAME.ipynb`` becomes ``exercises/student/NAME.ipynb``. Pages that are not labs
    lose their launch buttons: a chapter is MyST Markdown, which Binder and Colab cannot run.
    """
    buttons = context.get("header_buttons")
    if not buttons:
        return
    lab_prefix = app.config.osm_lab_dir.strip("/") + "/"
    is_lab = pagename.startswith(lab_prefix) and "/" not in pagename[len(lab_prefix):]
    student_dir = app.config.osm_student_dir.strip("/")
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        if not is_lab:
            buttons.remove(group)
            continue
        name = pagename[len(lab_prefix):]
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = button["url"].replace(
                    f"{lab_prefix}{name}.ipynb", f"{student_dir}/{name}.ipynb"
                )


# Lab cells tagged "solution" (myst-nb: class tag_solution) and model answers in chapters
# (a dropdown with ":class-container: solution").
SOLUTION_CLASSES = {"tag_solution", "solution"}
STUDENT_NOTE = "This page is for instructors and is left out of the student edition."


def student_edition(app: Sphinx) -> bool:
    return app.config.osm_edition == "student"


def remove_solutions(app: Sphinx, doctree: nodes.document) -> None:
    """Student edition: drop every solution cell, and the instructors' pages' content.

    myst-nb gives each cell container a ``tag_<tag>`` class; lab cells tagged ``solution``
    hold worked answers; chapters mark model answers with the class ``solution``. Instructors' pages keep their title (so links still resolve) and
    get a one-line note instead of their content.
    """
    if not student_edition(app):
        return
    for node in list(doctree.findall(nodes.Element)):
        # sphinx-design keeps a dropdown's classes in "container_classes" until it renders.
        classes = set(node.get("classes", [])) | set(node.get("container_classes", []))
        if SOLUTION_CLASSES & classes and node.parent is not None:
            node.parent.remove(node)
    docname = app.env.docname
    if docname.startswith(app.config.osm_instructor_dir.strip("/") + "/"):
        for section in doctree.findall(nodes.section):
            # Keep the title, targets and the part's table of contents (so the book's
            # navigation still holds together); drop everything else.
            keep = [child for child in section.children
                    if isinstance(child, (nodes.title, nodes.target))
                    or any(True for _ in child.findall(addnodes.toctree))]
            section.children = []
            for child in keep:
                section += child
            section += nodes.paragraph(text=STUDENT_NOTE)
            break


STATIC_DIR = Path(__file__).resolve().parent / "static"
ICONS_CSS = "osm-icons.css"
# MathJax is served from the book itself (no third-party request); these parts of the
# sphinx-mathjax-offline package's copy are what tex-chtml needs in a browser.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml", "ui", "a11y/assistive-mml.js", "input/tex/extensions")
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


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", configure_assets)
    app.add_css_file("osm.css")
    app.add_css_file(ICONS_CSS)
    app.add_css_file("osm-print.css", media="print")
    app.connect("build-finished", finish_html)
    # The student edition is one switch: OSM_EDITION=student when building (`make student-book`).
    app.add_config_value("osm_edition", os.environ.get("OSM_EDITION", "full"), "env")
    app.add_config_value("osm_instructor_dir", "chapters/instructors", "env")
    # Before Sphinx's own collectors (priority 500) read the page's table of contents.
    app.connect("doctree-read", remove_solutions, priority=400)
    app.add_directive("seed-text", SeedTextDirective)
    app.add_config_value("osm_lab_dir", "exercises", "html")
    app.add_config_value("osm_student_dir", "exercises/student", "html")
    app.connect("html-page-context", point_launch_buttons_at_student_copies, priority=502)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
