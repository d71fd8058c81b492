"""The students' notebooks: ``python -m osmcourse student --out DIR``.

The master labs in ``exercises/`` hold the worked solutions; students get a copy generated
from each master, never edited by hand. Two modules make it:

* :mod:`.copies`: the student copy of a master (solutions become stubs, outputs cleared, the
  Colab set-up cell written afresh) and :func:`write_student_copies`, which writes them all;
* :mod:`.markdown`: MyST Markdown made plain, with links to the published book, so a copy
  reads cleanly in JupyterLab and Colab, outside the book;
* :mod:`.jupyter_server`: a Jupyter Server extension (imported by the server, not from here)
  that lets a lab open unmodified on any Python release.

Grading (:mod:`osmcourse.grading`) uses :func:`make_student_copy` to know what an untouched
copy looks like; this package imports nothing from the grader or from the book's Sphinx
extension (:mod:`osmcourse.book`), so making the copies needs neither.
"""

from __future__ import annotations

from osmcourse.student.copies import (
    COLAB_TAG,
    SOLUTION_TAG,
    colab_setup_cell,
    colab_setup_source,
    lab_name,
    make_student_copy,
    master_notebooks,
    repository_url,
    write_student_copies,
)
from osmcourse.student.markdown import (
    BookIndex,
    MystConversionError,
    book_index,
    myst_leftovers,
    myst_to_markdown,
)

__all__ = [
    "COLAB_TAG",
    "SOLUTION_TAG",
    "BookIndex",
    "MystConversionError",
    "book_index",
    "colab_setup_cell",
    "colab_setup_source",
    "lab_name",
    "make_student_copy",
    "master_notebooks",
    "myst_leftovers",
    "myst_to_markdown",
    "repository_url",
    "write_student_copies",
]
