"""Every page of the HTML book links to the course PDF, when ``make pdf`` has made one.

When an HTML build finds the checked PDF of its edition beside it (``_build/pdf/``,
:mod:`osmcourse.book.pdf`), every page's download menu offers it and the PDF is copied into
the HTML folder (so the link never 404s and the publish workflow ships it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

from osmcourse.book.pdf import PDF_DIR, pdf_name


def built_pdf(app: Sphinx) -> Path | None:
    """The checked PDF of this edition beside this build (``_build/pdf/``), if there is one."""
    path = Path(app.outdir).parent / PDF_DIR / pdf_name(app.config.osm_edition)
    return path if path.is_file() else None


def add_pdf_download_button(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Every page's download menu offers "the whole course as a PDF", when there is one.

    Runs after sphinx-book-theme has made the menu (its priority 501). The link points at the
    copy :func:`copy_pdf_into_html` puts in the HTML folder's root.
    """
    if app.builder.format != "html" or built_pdf(app) is None:
        return
    button = {
        "type": "link",
        "url": context["pathto"](pdf_name(app.config.osm_edition), 1),
        "text": "Course PDF",
        "tooltip": "Download the whole course as one PDF",
        "icon": "fas fa-book",
        "label": "download-course-pdf-button",
    }
    buttons = context.setdefault("header_buttons", [])
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].append(button)
            return
    # Pages without a source (the index, search) have no download menu: give them one.
    buttons.insert(
        0,
        {
            "type": "group",
            "tooltip": "Download",
            "icon": "fas fa-download",
            "buttons": [button],
            "label": "download-buttons",
        },
    )


def copy_pdf_into_html(app: Sphinx, exception: Exception | None) -> None:
    """After an HTML build: the PDF the pages link to, copied into the HTML folder."""
    if exception is not None or app.builder.format != "html":
        return
    source = built_pdf(app)
    if source is not None:
        shutil.copy2(source, Path(app.outdir) / source.name)


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", add_pdf_download_button, priority=503)
    app.connect("build-finished", copy_pdf_into_html)
