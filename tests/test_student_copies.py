"""Student copies: generated from the masters, free of solutions, current, and runnable."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from osmcourse.__main__ import main
from osmcourse.checks import get_lab
from osmcourse.student.copies import (
    COLAB_TAG,
    SOLUTION_TAG,
    colab_setup_source,
    lab_name,
    make_student_copy,
    master_notebooks,
    repository_url,
)

from conftest import ROOT

MASTERS = master_notebooks(ROOT)
URL = repository_url(ROOT)


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_masters_and_each_names_its_lab():
    assert MASTERS
    for path in MASTERS:
        assert get_lab(lab_name(read(path))).tasks


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.stem)
def test_master_has_checked_tasks_and_a_current_colab_cell(path):
    master = read(path)
    lab = get_lab(lab_name(master))
    sources = [cell.source for cell in master.cells]
    assert len(lab.tasks) >= 4
    for number, answer in lab.answer_names.items():
        assert f"check.task{number}({answer})" in sources, f"no check cell for task {number}"
    colab = [c for c in master.cells if COLAB_TAG in c.metadata.get("tags", [])]
    assert len(colab) == 1 and colab[0].source == colab_setup_source(URL)
    assert master.cells.index(colab[0]) == 1, "the Colab cell must be the first code cell"


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.stem)
def test_student_copy_has_no_solution_code(path):
    master = read(path)
    student = make_student_copy(master, URL)
    solutions = [c.source for c in master.cells if SOLUTION_TAG in c.metadata.get("tags", [])]
    assert solutions
    student_sources = "\n".join(c.source for c in student.cells)
    for solution in solutions:
        # Every line that computes something (not a bare name echoed for display).
        code_lines = [
            line.strip()
            for line in solution.splitlines()
            if len(line.strip()) > 3
            and not line.lstrip().startswith("#")
            and not line.strip().isidentifier()
        ]
        assert code_lines
        for line in code_lines:
            assert line not in student_sources, f"solution line leaked: {line!r}"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert student.metadata["osmcourse"]["edition"] == "student"
    assert read(path) == master, "making a student copy must not change the master"


def test_committed_student_copies_are_exactly_what_the_command_writes(tmp_path):
    assert main(["student", "--out", str(tmp_path), "--book", str(ROOT)]) == 0
    committed = sorted((ROOT / "exercises" / "student").glob("*.ipynb"))
    assert [p.name for p in committed] == [p.name for p in MASTERS]
    for path in committed:
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), (
            f"{path.name} is stale: run `make student` and commit the result"
        )


@pytest.mark.slow
@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.stem)
def test_untouched_student_copy_runs_and_reports_not_answered(path):
    student = make_student_copy(read(path), URL)
    NotebookClient(
        student,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "exercises")}},
    ).execute()
    lab = get_lab(lab_name(student))
    check_outputs = []
    for cell in student.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", cell.source
        if cell.source.startswith("check.task"):
            text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            check_outputs.append(text)
    assert len(check_outputs) == len(lab.tasks)
    assert all("not answered yet" in text for text in check_outputs), check_outputs


def test_student_command_fails_cleanly_without_a_book(tmp_path, capsys):
    assert main(["student", "--out", str(tmp_path / "out"), "--book", str(tmp_path)]) == 2
    assert "repository.url" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path",
    [*MASTERS, *sorted((ROOT / "exercises" / "student").glob("*.ipynb"))],
    ids=lambda p: p.relative_to(ROOT / "exercises").as_posix(),
)
def test_notebook_names_the_kernel_as_jupyterlab_will(path):
    # JupyterLab writes the running kernel's spec and language into the notebook when it opens
    # it; if they differ from what the file holds, an untouched lab opens modified (and
    # nbgitpuller then treats it as a local edit). tests/test_jupyterlab.py opens them for real.
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    metadata = read(path).metadata
    assert metadata.kernelspec == {
        "name": KERNEL_NAME,
        "display_name": spec["display_name"],
        "language": spec["language"],
    }
    # The patch level is the executing machine's; the course's Python is 3.11.
    assert metadata.language_info["version"].rsplit(".", 1)[0] == "3.11", (
        "executed with another Python than the course's"
    )
