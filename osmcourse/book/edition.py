"""The student edition switch: ``OSM_EDITION=student`` drops solutions and answer keys."""

from __future__ import annotations

import os

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

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


def setup(app: Sphinx) -> None:
    # The student edition is one switch: OSM_EDITION=student when building (`make student-book`).
    app.add_config_value("osm_edition", os.environ.get("OSM_EDITION", "full"), "env")
    app.add_config_value("osm_instructor_dir", "chapters/instructors", "env")
    # Before Sphinx's own collectors (priority 500) read the page's table of contents.
    app.connect("doctree-read", remove_solutions, priority=400)
