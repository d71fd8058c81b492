"""Student copies of the labs, generated from the masters (grading is :mod:`osmcourse.grading`).

The lab notebooks in ``exercises/`` are the masters: they hold the worked solutions and their
outputs. A student copy is *generated* from a master, never edited by hand:

* every cell tagged ``solution`` becomes the stub in its ``metadata.osmcourse.stub``
  (``answer = ...``), or disappears if it has no stub (e.g. a model answer in prose);
* every output and execution count is cleared;
* the Colab set-up cell is written afresh from ``repository.url`` in ``_config.yml``;
* Markdown cells lose their MyST syntax (:mod:`osmcourse.student.markdown`): roles become
  links to the published book, so the copy reads cleanly in JupyterLab and Colab;
* the notebook's ``metadata.osmcourse.edition`` becomes ``"student"``.

``python -m osmcourse student --out DIR`` writes them; the copies committed in
``exercises/student/`` (the ones Binder and Colab open) are checked by a test to be exactly
what the command writes.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from osmcourse.bookconfig import BookConfig
from osmcourse.labs import EXERCISES_DIR, LABS, lab_for_notebook
from osmcourse.student.markdown import BookIndex, book_index, myst_to_markdown

SOLUTION_TAG = "solution"
COLAB_TAG = "colab-setup"
# Tags that only make sense on a solution cell in the book.
_BOOK_ONLY_TAGS = {SOLUTION_TAG, "hide-input", "hide-output", "hide-cell"}


def repository_url(book_root: Path | str = ".") -> str:
    """``repository.url`` from the book's ``_config.yml`` (the one setting launch links use)."""
    return BookConfig.read(book_root, "repository.url").https_repository_url()


def colab_setup_source(url: str) -> str:
    """The first code cell of every lab: installs the helper package in Colab only.

    Colab's own notebook server depends on the versions it ships (its ``notebook`` needs a
    ``jupyter_client`` older than 8, for one), so the cell pins every package Colab already
    has as a pip constraint: pip adds only what Colab lacks and never upgrades or downgrades
    one of Colab's packages. If that cannot be done, pip's own error lines are shown, then
    one sentence on what failed and what to do.
    """
    return (
        "# Colab only: Colab does not have this course's helper package, so this cell installs\n"
        "# it from the course repository. Everywhere else (Binder, JupyterHub, your own\n"
        "# computer) the package is already installed and this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "import tempfile\n"
        "from pathlib import Path\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    print("Colab: installing the course helper package from {url}")\n'
        "    # Every package Colab already has, pinned: pip may add what is missing, never change\n"
        "    # what Colab's own notebook server depends on.\n"
        '    listed = subprocess.run([sys.executable, "-m", "pip", "list", "--format=freeze"],\n'
        "                            capture_output=True, text=True).stdout\n"
        '    constraints = Path(tempfile.gettempdir()) / "osmcourse-colab-constraints.txt"\n'
        '    constraints.write_text("".join(line + "\\n" for line in listed.splitlines() if "==" in line))\n'
        "    install = subprocess.run(\n"
        '        [sys.executable, "-m", "pip", "install", "--quiet", "--constraint", str(constraints),\n'
        f'         "osmcourse @ git+{url}"],\n'
        "        capture_output=True, text=True,\n"
        "    )\n"
        "    if install.returncode != 0:\n"
        '        print(*[line for line in install.stderr.splitlines() if line.startswith("ERROR")][-5:], sep="\\n")\n'
        f'        print("Could not install the course helper package from {url} (pip\'s reason is above): "\n'
        '              "check that this notebook is connected to the internet and run this cell again.")'
    )


def colab_setup_cell(url: str) -> nbformat.NotebookNode:
    """A code cell holding :func:`colab_setup_source`, tagged so the book leaves it out."""
    cell = nbformat.v4.new_code_cell(colab_setup_source(url))
    cell.metadata["tags"] = [COLAB_TAG, "remove-cell"]
    return cell


def lab_name(notebook: nbformat.NotebookNode) -> str | None:
    """The lab a notebook belongs to, from its metadata (``None`` if it does not say)."""
    meta = notebook.get("metadata", {}).get("osmcourse", {})
    name = meta.get("lab") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else None


def make_student_copy(
    master: nbformat.NotebookNode, url: str, book: BookIndex | None = None
) -> nbformat.NotebookNode:
    """The student copy of a master lab notebook (the master is not changed).

    With ``book`` (see :func:`osmcourse.student.markdown.book_index`), Markdown cells are
    rewritten from MyST to plain Markdown, with links to the published book.
    """
    student = copy.deepcopy(master)
    cells = []
    for cell in student.cells:
        tags = list(cell.metadata.get("tags", []))
        if COLAB_TAG in tags:
            cell.source = colab_setup_source(url)
        if SOLUTION_TAG in tags:
            stub = cell.metadata.get("osmcourse", {}).get("stub")
            if stub is None:
                continue
            cell.source = stub
            # A written answer (tag "written") keeps its question id: the grader finds it by that.
            question = cell.metadata.get("osmcourse", {}).get("question")
            cell.metadata.pop("osmcourse", None)
            cell.metadata.pop("mystnb", None)
            tags = [tag for tag in tags if tag not in _BOOK_ONLY_TAGS]
            if "written" in tags and question:
                cell.metadata["osmcourse"] = {"question": question}
            else:
                tags.append("answer")
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        if book is not None and cell.cell_type == "markdown":
            cell.source = myst_to_markdown(cell.source, book)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    student.cells = cells
    student.metadata.setdefault("osmcourse", {})["edition"] = "student"
    return student


def master_notebooks(book_root: Path | str = ".") -> list[Path]:
    """The master lab notebooks of the lab registry (:data:`osmcourse.labs.LABS`), in name order.

    A notebook in ``exercises/`` that no lab record names is an error, not skipped: it would
    otherwise have no student copy and no checks, silently.
    """
    folder = Path(book_root) / EXERCISES_DIR
    unregistered = sorted(
        path.name for path in folder.glob("*.ipynb") if lab_for_notebook(path.name) is None
    )
    if unregistered:
        raise ValueError(
            f"{folder}: {', '.join(unregistered)} is not in the lab registry "
            "(add a record to LABS in osmcourse/labs.py)"
        )
    return sorted(folder / lab.notebook for lab in LABS)


def write_student_copies(out_dir: Path | str, book_root: Path | str = ".") -> list[Path]:
    """Write the student copy of every master lab into ``out_dir``; return their paths."""
    url = repository_url(book_root)
    book = book_index(book_root)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    masters = master_notebooks(book_root)
    missing = [path.name for path in masters if not path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{Path(book_root) / EXERCISES_DIR}: no {', '.join(missing)} "
            "(a lab in osmcourse/labs.py names it)"
        )
    for path in masters:
        master = nbformat.read(path, as_version=4)
        expected = lab_for_notebook(path.name)
        if lab_name(master) is None:
            raise ValueError(f"{path.name}: metadata.osmcourse.lab is missing")
        if expected is not None and lab_name(master) != expected.id:
            raise ValueError(
                f"{path.name}: metadata.osmcourse.lab is {lab_name(master)!r}, "
                f"but the lab registry says {expected.id!r}"
            )
        target = out / path.name
        nbformat.write(make_student_copy(master, url, book), target)
        written.append(target)
    return written
