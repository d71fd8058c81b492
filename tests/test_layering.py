"""The package's imports run one way: no cycles, no module shadowing a folder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


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
        ("osmcourse.notebook_markdown", "osmcourse.book"),
    ],
)
def test_lower_layers_do_not_import_higher_ones(module, must_not_load):
    assert must_not_load not in imported_after(module)


def test_osmcourse_data_is_one_package_with_its_csvs_beside_it():
    import osmcourse.data
    from osmcourse.data import DATA_DIR

    package = ROOT / "osmcourse" / "data"
    assert not (ROOT / "osmcourse" / "data.py").exists(), "a module would shadow the folder"
    assert osmcourse.data.__file__ == str(package / "__init__.py")
    assert DATA_DIR == package
    assert (DATA_DIR / "bass_classic_sales.csv").is_file()


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
