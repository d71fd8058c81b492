"""The ``lab-table`` directive: the instructors' table of labs, written from the lab registry.

The table (lab, label, master notebook, student copy, the lab's name in the grader's CSV) is
made from :data:`osmcourse.labs.LABS` at build time, so a new lab appears in it with no edit
to the page. The rows are MyST Markdown parsed in place, so ``{ref}`` links resolve and
every builder (HTML, LaTeX) renders an ordinary table.
"""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from osmcourse import labs

HEADER = "| Lab | Label | Master notebook | Student copy | Lab name in the grader's CSV |"


def lab_table_markdown(records: tuple[labs.LabRecord, ...] = labs.LABS) -> str:
    """The table of ``records`` as a MyST Markdown table, one row per lab in registry order."""
    rows = [HEADER, "| --- | --- | --- | --- | --- |"]
    for lab in records:
        rows.append(
            f"| {{ref}}`{lab.label}` | `{lab.label}` | `{lab.master_path}` "
            f"| `{labs.EXERCISES_DIR}/student/{lab.notebook}` | `{lab.id}` |"
        )
    return "\n".join(rows)


class LabTableDirective(SphinxDirective):
    """``{lab-table}`` (no arguments, no content): the table of the registered labs."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # A change to the registry rebuilds the page.
        self.env.note_dependency(labs.__file__)
        source, line = self.get_source_info()
        container = nodes.container()
        lines = StringList(lab_table_markdown().splitlines(), source=source)
        self.state.nested_parse(lines, self.content_offset, container)
        return list(container.children)


def setup(app: Sphinx) -> None:
    app.add_directive("lab-table", LabTableDirective)
