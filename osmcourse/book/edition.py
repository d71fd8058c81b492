"""The student edition switch: ``OSM_EDITION=student`` drops solutions and answer keys.

Two steps, one rule (what the edition removes from a page is gone from every file it
publishes):

* **The pages** (:func:`remove_solutions`, on each doctree as it is read): solution cells,
  model answers and the instructors' pages' content leave the doctree, so the HTML pages, the
  search index and the PDF never see them.
* **The files published beside the pages** (:func:`publish_student_sources`, after the HTML
  build): Sphinx copies each page's *source* into ``_sources/`` for the download button, and
  sphinx-book-theme copies the executed notebook of each Markdown page there too (from the
  build's ``jupyter_execute/`` folder, which myst-nb fills with the executed masters). Those
  are the full sources. In the student edition a lab's ``.ipynb`` becomes its student copy
  (``exercises/student/``, what the launch buttons open), and the Markdown sources and
  executed notebooks lose the same solution blocks and instructors' content as the pages
  (:func:`student_markdown`, :func:`student_notebook`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Lab cells tagged "solution" (myst-nb: class tag_solution) and model answers in chapters
# (a dropdown with ":class-container: solution").
SOLUTION_CLASSES = {"tag_solution", "solution"}
STUDENT_NOTE = "This page is for instructors and is left out of the student edition."
# A MyST directive fence (``:::{dropdown} ...`` or a backtick fence) and its option lines.
_FENCE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{[\w:-]+\}")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")
_SOLUTION_OPTIONS = {"class", "class-container"}


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
            keep = [
                child
                for child in section.children
                if isinstance(child, (nodes.title, nodes.target))
                or any(True for _ in child.findall(addnodes.toctree))
            ]
            section.children = []
            for child in keep:
                section += child
            section += nodes.paragraph(text=STUDENT_NOTE)
            break


def _is_solution_fence(lines: list[str], start: int) -> bool:
    """Whether the directive opening at ``lines[start]`` carries the class ``solution``."""
    for line in lines[start + 1 :]:
        option = _OPTION.match(line.strip())
        if option is None:
            return False
        if option["name"] in _SOLUTION_OPTIONS and SOLUTION_CLASSES & set(option["value"].split()):
            return True
    return False


def strip_solution_blocks(text: str) -> str:
    """MyST Markdown without its solution directives (``:class-container: solution`` or
    ``:class: solution``): the source-level twin of :func:`remove_solutions`.

    A directive ends at the first fence of the same character at least as long as the one
    that opened it (MyST's rule: an inner directive uses a shorter fence).
    """
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index].strip())
        if opening and _is_solution_fence(lines, index):
            fence = opening["fence"]
            closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
            index += 1
            while index < len(lines) and not closing.match(lines[index].strip()):
                index += 1
            index += 1  # the closing fence (or the end of an unclosed block: all of it goes)
            continue
        kept.append(lines[index])
        index += 1
    return "\n".join(kept)


def instructor_stub(text: str) -> str:
    """An instructors' page as the student edition shows it: its labels and title, the note."""
    kept = []
    for line in text.split("\n"):
        kept.append(line)
        if line.startswith("# "):
            return "\n".join(kept) + f"\n\n{STUDENT_NOTE}\n"
    return STUDENT_NOTE + "\n"


def student_markdown(text: str, instructors_page: bool) -> str:
    """A page's MyST source as the student edition publishes it."""
    return instructor_stub(text) if instructors_page else strip_solution_blocks(text)


def student_notebook(notebook: dict, instructors_page: bool) -> dict:
    """A notebook (a page's executed notebook) as the student edition publishes it: no cell
    tagged ``solution``, no solution block in Markdown cells; an instructors' page keeps only
    the cell with its title, cut down to the title and the note."""
    cells = []
    for cell in notebook.get("cells", []):
        if SOLUTION_CLASSES & {f"tag_{tag}" for tag in cell.get("metadata", {}).get("tags", [])}:
            continue
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if instructors_page:
                if not re.search(r"^# ", source, re.M):
                    continue
                cell = {**cell, "source": instructor_stub(source)}
                cells.append(cell)
                break
            cell = {**cell, "source": strip_solution_blocks(source)}
        elif instructors_page:
            continue
        cells.append(cell)
    return {**notebook, "cells": cells}


def publish_student_sources(app: Sphinx, exception: Exception | None) -> None:
    """Student edition, after a build: the sources and executed notebooks published
    beside the pages lose what the pages lost (see the module's docstring)."""
    if exception is not None or not student_edition(app):
        return
    outdir = Path(app.outdir)
    # myst-nb's folder of executed notebooks (beside every builder's output, the PDF's too)
    # and the HTML pages' sources (both fixed names in myst-nb and Sphinx).
    folders = [outdir.parent / "jupyter_execute"]
    if app.builder.format == "html":
        folders.append(outdir / "_sources")
    instructor_prefix = app.config.osm_instructor_dir.strip("/") + "/"
    lab_prefix = app.config.osm_lab_dir.strip("/") + "/"
    student_dir = Path(app.srcdir) / app.config.osm_student_dir
    for docname in sorted(app.env.found_docs):
        instructors_page = docname.startswith(instructor_prefix)
        is_lab = docname.startswith(lab_prefix) and "/" not in docname[len(lab_prefix) :]
        for folder in folders:
            for path in (folder / (docname + ".md"), folder / (docname + ".ipynb")):
                if not path.is_file():
                    continue
                if path.suffix == ".md":
                    text = path.read_text(encoding="utf-8")
                    path.write_text(student_markdown(text, instructors_page), encoding="utf-8")
                elif is_lab:
                    copy = student_dir / path.name
                    if not copy.is_file():
                        # Never publish the master in its place.
                        path.unlink()
                        logger.warning(
                            "no student copy %s of the lab %s (make student): its "
                            "notebook is left out of the student edition",
                            copy,
                            docname,
                        )
                        continue
                    path.write_bytes(copy.read_bytes())
                else:
                    notebook = json.loads(path.read_text(encoding="utf-8"))
                    path.write_text(
                        json.dumps(
                            student_notebook(notebook, instructors_page),
                            ensure_ascii=False,
                            indent=1,
                        )
                        + "\n",
                        encoding="utf-8",
                    )


def setup(app: Sphinx) -> None:
    # The labs' and student copies' folders are the launch buttons' settings (one home); the
    # book's extension sets launch up itself, a small book that loads this module alone does not.
    if "osm_lab_dir" not in app.config:
        app.setup_extension("osmcourse.book.launch")
    # The student edition is one switch: OSM_EDITION=student when building (`make student-book`).
    app.add_config_value("osm_edition", os.environ.get("OSM_EDITION", "full"), "env")
    app.add_config_value("osm_instructor_dir", "chapters/instructors", "env")
    # Before Sphinx's own collectors (priority 500) read the page's table of contents.
    app.connect("doctree-read", remove_solutions, priority=400)
    app.connect("build-finished", publish_student_sources)
