"""One grading cycle end to end, as an instructor runs it on a small class: grade with a roster,
mark the written answers, merge, regrade one student, merge again."""

from __future__ import annotations

import csv
import io
import shutil

import nbformat
import pytest

from osmcourse.__main__ import main
from osmcourse.checks import get_lab
from osmcourse.checks.core import WrittenQuestion
from osmcourse.student.copies import make_student_copy, repository_url
from osmcourse.grading.report import read_csv

from conftest import ROOT
from test_gradebook import STUB, with_written

pytestmark = pytest.mark.slow
MASTER_FILE = ROOT / "exercises" / "mass-media-vs-word-of-mouth.ipynb"


def solved(master, note="  # my answer"):
    """The master's solutions typed into the student's own copy (so not byte for byte the master)."""
    notebook = nbformat.reads(nbformat.writes(master), as_version=4)
    for cell in notebook.cells:
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
            cell.source += note
    notebook.metadata["osmcourse"]["edition"] = "student"
    return with_written(notebook, "Imitation: q is many times p.")


def by_student(folder):
    return {row["student"]: row for row in read_csv(folder / "gradebook.csv")}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    # One written question worth 2 points, whatever the lab registers (the grader runs in this
    # process; the kernels never read it).
    bass = get_lab("bass")
    registered = bass.written_questions
    bass.written_questions = {"w1": WrittenQuestion("w1", "Compare p and q in words.", 2.0)}
    try:
        yield _run_cycle(tmp_path_factory.mktemp("class"))
    finally:
        bass.written_questions = registered


def _run_cycle(base):
    master = with_written(nbformat.read(MASTER_FILE, as_version=4), "Model answer.", solution=True)
    untouched = with_written(make_student_copy(master, repository_url(ROOT)), STUB)
    good = solved(master)
    broken = solved(master, note="  # mine")
    broken.cells.insert(4, nbformat.v4.new_code_cell("1 / 0"))
    inbox = base / "inbox"
    for name, notebook in {
        "ada/lab.ipynb": good,
        "cy.ipynb": broken,
        "dee.ipynb": untouched,
        "eve.ipynb": master,
        "zed.ipynb": untouched,
    }.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, inbox / name)
    shutil.copy(inbox / "ada" / "lab.ipynb", inbox / "bob.ipynb")  # a byte-identical copy
    masters = base / "masters"
    masters.mkdir()
    nbformat.write(master, masters / MASTER_FILE.name)
    roster = base / "roster.csv"
    roster.write_text(
        "id,name,pattern\nada,Ada,ada/\nbob,Bob,\ncy,Cy,\ndee,Dee,\neve,Eve,\nfred,Fred,\n",
        encoding="utf-8",
    )
    out, executed = base / "grades", base / "executed"
    code = main(
        [
            "grade",
            str(inbox),
            "--out",
            str(out),
            "--lab",
            "bass",
            "--roster",
            str(roster),
            "--keep-executed",
            str(executed),
            "--masters",
            str(masters),
            "--timeout",
            "60",
            "--jobs",
            "2",
        ]
    )
    first = by_student(out)
    first_page = (out / "feedback" / "cy.html").read_text(encoding="utf-8")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())

    # The instructor marks the written answers in the sheet (a spreadsheet saves it back).
    sheet = out / "written-bass.csv"
    rows = read_csv(sheet)
    marks = {"ada": "2", "bob": "2", "cy": "1"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        row["points"] = marks.get(row["student"], row["points"])
        writer.writerow(row)
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    merged_code = main(["merge", str(out)])
    marked = by_student(out)

    # Cy fixes the error and hands in again: grade Cy alone, merge just that row.
    late = base / "late"
    late.mkdir()
    fixed = solved(master, note="  # mine")
    nbformat.write(fixed, late / "cy.ipynb")
    regrade_code = main(
        [
            "grade",
            str(late),
            "--out",
            str(base / "regrade"),
            "--lab",
            "bass",
            "--roster",
            str(roster),
            "--masters",
            str(masters),
            "--timeout",
            "60",
        ]
    )
    final_code = main(["merge", str(out), str(base / "regrade")])
    return {
        "codes": (code, merged_code, regrade_code, final_code),
        "first": first,
        "marked": marked,
        "final": by_student(out),
        "files": files,
        "first_page": first_page,
        "out": out,
        "executed": executed,
    }


def test_every_command_succeeds_and_writes_the_files(cycle):
    assert cycle["codes"] == (0, 0, 0, 0)
    assert {
        "questions.csv",
        "gradebook.csv",
        "gradebook.xlsx",
        "gradebook.json",
        "written-bass.csv",
        "feedback/ada.html",
        "feedback/fred.html",
        "feedback/zed.html",
    } <= set(cycle["files"])


def test_the_gradebook_has_every_student_and_the_right_figures(cycle):
    first = cycle["first"]
    assert sorted(first) == ["ada", "bob", "cy", "dee", "eve", "fred", "zed"]
    assert (first["ada"]["total"], first["ada"]["maximum"], first["ada"]["status"]) == (
        "5",
        "7",
        "ok",
    )
    assert first["fred"]["status"] == "no submission" and first["fred"]["total"] == "0"
    assert first["dee"]["total"] == "0" and "untouched student copy" in first["dee"]["remarks"]
    assert "byte-identical to bob" in first["ada"]["remarks"]
    assert "solutions master" in first["eve"]["remarks"]
    assert "not on the roster" in first["zed"]["remarks"]
    assert first["cy"]["task 5"] == "1"  # the error does not stop the later tasks


def test_the_feedback_shows_the_error_and_the_executed_notebook_keeps_it(cycle):
    assert "ZeroDivisionError: division by zero" in cycle["first_page"]
    kept = nbformat.read(cycle["executed"] / "cy.ipynb", as_version=4)
    errors = [
        o
        for c in kept.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"


def test_merging_written_marks_and_a_regrade_changes_only_what_it_should(cycle):
    marked, final = cycle["marked"], cycle["final"]
    assert (marked["ada"]["w1"], marked["ada"]["total"]) == ("2", "7")
    assert (marked["cy"]["w1"], marked["cy"]["total"]) == ("1", "6")
    assert "ZeroDivisionError" not in (cycle["out"] / "feedback" / "cy.html").read_text(
        encoding="utf-8"
    )
    assert (
        final["cy"]["file"].endswith("late/cy.ipynb") and final["cy"]["w1"] == "1"
    )  # same answer, same mark
    assert {k: v for k, v in final.items() if k != "cy"} == {
        k: v for k, v in marked.items() if k != "cy"
    }
