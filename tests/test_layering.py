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
        ("osmcourse.student.markdown", "osmcourse.book"),
        # The students' notebooks are made without the grader or the book's Sphinx extension
        # (the grader uses osmcourse.student, never the other way round).
        ("osmcourse.student", "osmcourse.grading"),
        ("osmcourse.student", "osmcourse.book"),
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
