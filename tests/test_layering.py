"""The package's imports run one way: no cycles, no module shadowing a folder."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from conftest import ROOT
from osmcourse.labs import LAB_IDS


def imported_after(module: str) -> set[str]:
    """The osmcourse modules a fresh interpreter has loaded after ``import module``."""
    code = (
        f"import sys, {module}\n"
        "print('\\n'.join(name for name in sys.modules if name.startswith('osmcourse')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    ("module", "must_not_load"),
    [
        # The seed catalogue reads its CSV through the shared checks, not through the data sets.
        ("osmcourse.text", "osmcourse.data"),
        ("osmcourse.checked_csv", "osmcourse.text"),
        ("osmcourse.checked_csv", "osmcourse.data"),
        # Student copies read the book's configuration without loading Sphinx's extension.
        ("osmcourse.bookconfig", "osmcourse.book"),
        ("osmcourse.student.markdown", "osmcourse.book"),
        # The students' notebooks are made without the grader or the book's Sphinx extension
        # (the grader uses osmcourse.student, never the other way round).
        ("osmcourse.student", "osmcourse.grading"),
        ("osmcourse.student", "osmcourse.book"),
        # The reading checks (data, formats, the export seam) are below the book and the grader.
        *(
            (module, higher)
            for module in ("osmcourse.quizzes", "osmcourse.quizzes.export")
            for higher in ("osmcourse.book", "osmcourse.grading")
        ),
    ],
)
def test_lower_layers_do_not_import_higher_ones(module, must_not_load):
    assert must_not_load not in imported_after(module)


# The grader's lower half, lowest layer first: a module may import those in its own layer's
# left or below, never one above (what a graded kernel imports, `answers`, sits at the bottom).
GRADER_LAYERS = [
    [
        "answers",
        "confine",
        "limits",
        "zmtp",
    ],  # what crosses from a kernel (and its wire); the Linux kernel's limits
    ["bubblewrap"],  # the sandbox: is one available, its command line, mounts, uid
    ["launch"],  # what starts a kernel
    ["kernel_client"],  # the grader's side of a running kernel
    ["cell_runner"],  # executing cells under the limits
    ["sandbox"],  # run one notebook: the entry point the grader calls
    ["grader"],
]


@pytest.mark.parametrize(
    "layer", range(len(GRADER_LAYERS) - 1), ids=lambda i: "+".join(GRADER_LAYERS[i])
)
def test_the_graders_lower_layers_do_not_import_higher_ones(layer):
    above = {f"osmcourse.grading.{name}" for names in GRADER_LAYERS[layer + 1 :] for name in names}
    for name in GRADER_LAYERS[layer]:
        loaded = imported_after(f"osmcourse.grading.{name}")
        assert not loaded & above, (name, sorted(loaded & above))


def test_the_graders_lower_half_uses_no_other_modules_private_names():
    """A private name (``_x``) is used only by its own module, or as ``self._x`` in its class."""
    for names in GRADER_LAYERS:
        for name in names:
            path = ROOT / "osmcourse" / "grading" / f"{name}.py"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("osmcourse"):
                    assert not [a.name for a in node.names if a.name.startswith("_")], (
                        name,
                        node.lineno,
                    )
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                ):
                    owner = node.value
                    assert isinstance(owner, ast.Name) and owner.id in ("self", "cls"), (
                        name,
                        node.lineno,
                        ast.unparse(node),
                    )


def test_osmcourse_data_is_one_package_with_its_csvs_beside_it():
    import osmcourse.data
    from osmcourse.data import DATA_DIR

    package = ROOT / "osmcourse" / "data"
    assert not (ROOT / "osmcourse" / "data.py").exists(), "a module would shadow the folder"
    assert osmcourse.data.__file__ == str(package / "__init__.py")
    assert DATA_DIR == package
    assert (DATA_DIR / "bass_classic_sales.csv").is_file()


def test_osmcourse_quizzes_is_one_package_and_its_formats_are_registered():
    from osmcourse.quizzes import export

    package = ROOT / "osmcourse" / "quizzes"
    for old in ("quizzes.py", "quiz_export.py", "quiz_qti.py"):
        assert not (ROOT / "osmcourse" / old).exists(), f"{old}: the quizzes are one package"
    # export imports every format module, so the layering rule above covers each of them.
    formats = {entry.write.__module__ for entry in export.FORMATS.values()}
    modules = {f"osmcourse.quizzes.{p.stem}" for p in package.glob("*.py")}
    assert modules - formats == {"osmcourse.quizzes.__init__", "osmcourse.quizzes.export"}


def test_grading_a_lab_does_not_load_the_figures():
    # The checks and keys judge numbers; matplotlib and the figures are the notebook's cost.
    modules = ", ".join(f"osmcourse.checks.{lab}, osmcourse.keys.{lab}" for lab in LAB_IDS)
    assert "osmcourse.figures" not in imported_after(modules)


def test_the_figures_modules_share_only_the_style():
    # One module per lab (and the timeline's): each may import the shared style, never another
    # lab's figures, so a lab's module can be read, changed or removed on its own.
    folder = ROOT / "osmcourse" / "figures"
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            # A relative import (level 1: from .trust import ...) is one of the package's own.
            f"osmcourse.figures.{node.module or ''}" if node.level else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        imported |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        figures = {name for name in imported if name.startswith("osmcourse.figures")}
        assert figures <= {"osmcourse.figures.style"}, (path.name, figures)


# The grader's upper half, lowest first: remarks (kinds and words) <- entries (the records) <-
# copies, build (entries from submissions) <- state (kept, merged) <- export (every file) <-
# classdata hooks, class report, LMS <- commands (grade, merge) <- __main__ (arguments only).
GRADEBOOK_LAYERS = {
    "remarks": ("entries", "report", "written", "rows"),
    "entries": (
        "build",
        "copies",
        "export",
        "state",
        "feedback",
        "classreport",
        "lms",
        "classdata",
        "shards",
        "commands",
    ),
    "build": ("export", "state", "feedback", "commands"),
    "state": ("build", "export", "feedback", "commands"),
    "export": ("classdata", "classreport", "lms", "commands"),
    "classdata": ("commands",),
}


@pytest.mark.parametrize("module", sorted(GRADEBOOK_LAYERS))
def test_the_gradebook_layers_import_downwards_only(module):
    loaded = imported_after(f"osmcourse.grading.{module}")
    above = {f"osmcourse.grading.{name}" for name in GRADEBOOK_LAYERS[module]}
    assert not loaded & above


def test_nothing_in_grading_imports_the_command_line():
    """``__main__`` parses arguments and calls ``grading.commands``: never the other way."""
    modules = sorted(path.stem for path in (ROOT / "osmcourse" / "grading").glob("*.py"))
    loaded = imported_after(", ".join(f"osmcourse.grading.{m}" for m in modules if m != "__init__"))
    assert "osmcourse.grading.commands" in loaded
    assert "osmcourse.__main__" not in loaded
