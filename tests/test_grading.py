"""The grader: right scores for good work, a clear row (never a crash or a hang) for bad input."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys

import nbformat
import pytest

from osmcourse.__main__ import main
from osmcourse.student.copies import make_student_copy, repository_url
from osmcourse.grading import find_lab

from conftest import ROOT

pytestmark = pytest.mark.slow
LAB_FILE = ROOT / "exercises" / "mass-media-vs-word-of-mouth.ipynb"


def master():
    return nbformat.read(LAB_FILE, as_version=4)


def student():
    return make_student_copy(master(), repository_url(ROOT))


def save(notebook, path):
    nbformat.write(notebook, path)
    return path


def with_cell(notebook, source, position=None):
    cell = nbformat.v4.new_code_cell(source)
    notebook.cells.insert(len(notebook.cells) if position is None else position, cell)
    return notebook


def read_rows(path):
    with path.open(encoding="utf-8-sig") as handle:  # the CSV starts with a byte-order mark
        return list(csv.DictReader(handle))


def scores(rows, name):
    return {
        r["question"]: (r["score"], r["feedback"]) for r in rows if r["submission"].endswith(name)
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grader run over a folder holding one submission of every kind."""
    folder = tmp_path_factory.mktemp("submissions")
    save(master(), folder / "full_marks.ipynb")
    save(student(), folder / "untouched.ipynb")
    (folder / "not_json.ipynb").write_text("{this is not json", encoding="utf-8")
    (folder / "not_a_notebook.ipynb").write_text(json.dumps({"hello": 1}), encoding="utf-8")
    save(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), folder / "other.ipynb"
    )
    save(with_cell(master(), "1 / 0", position=3), folder / "raises.ipynb")
    save(with_cell(master(), "while True:\n    pass", position=3), folder / "endless.ipynb")
    save(
        with_cell(
            master(), "print('x' * 1_000_000)\nfor _ in range(5):\n    print('y' * 1_000_000)"
        ),
        folder / "huge_output.ipynb",
    )
    no_checks = master()
    no_checks.cells = [c for c in no_checks.cells if not c.source.startswith("check.")]
    no_checks.metadata.pop("osmcourse")  # the lab must still be found, from the notebook itself
    save(no_checks, folder / "renamed_and_no_checks.ipynb")
    cheat = student()
    cheat = with_cell(
        cheat,
        "check.task1 = lambda answer: 'correct'\npeak_sales_year = 1961\n"
        "import osmcourse.checks.bass as b\nb.LAB.tasks.clear()",
    )
    save(cheat, folder / "cheat.ipynb")
    (tmp_path_factory.mktemp("empty")).mkdir(exist_ok=True)
    empty = tmp_path_factory.mktemp("empty_folder")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = folder.parent / "grades.csv"
    code = main(["grade", str(folder), str(empty), "--out", str(out), "--timeout", "20"])
    return {
        "code": code,
        "rows": read_rows(out),
        "out": out,
        "folder": folder,
        "empty": empty,
        "digests": digests,
    }


def test_grader_exits_zero_and_writes_the_columns(graded):
    assert graded["code"] == 0
    assert list(graded["rows"][0]) == [
        "submission",
        "lab",
        "question",
        "score",
        "max_score",
        "feedback",
    ]


def test_full_marks_and_untouched(graded):
    full = scores(graded["rows"], "full_marks.ipynb")
    assert [full[q][0] for q in "12345"] == ["1"] * 5
    blank = scores(graded["rows"], "untouched.ipynb")
    assert all(blank[q][0] == "0" and "not answered yet" in blank[q][1] for q in "12345")
    assert "run" not in blank


def test_files_that_are_not_lab_notebooks_get_one_clear_row(graded):
    for name, words in [
        ("not_json.ipynb", "Not a readable notebook"),
        ("not_a_notebook.ipynb", "Not a"),
        ("other.ipynb", "not one of the course's labs"),
    ]:
        rows = scores(graded["rows"], name)
        assert list(rows) == ["run"] and words in rows["run"][1], (name, rows)


def test_a_raising_cell_is_reported_and_the_rest_still_graded(graded):
    rows = scores(graded["rows"], "raises.ipynb")
    assert "raised ZeroDivisionError" in rows["run"][1]
    assert rows["5"][0] == "1"


def test_an_endless_cell_is_stopped_and_reported(graded):
    rows = scores(graded["rows"], "endless.ipynb")
    assert "never finished" in rows["run"][1] or "limit" in rows["run"][1]
    assert set("12345") <= set(rows)


def test_huge_output_is_capped_and_still_graded(graded):
    rows = scores(graded["rows"], "huge_output.ipynb")
    assert "dropped" in rows["run"][1]
    assert rows["1"][0] == "1"


def test_lab_is_found_without_metadata_or_check_cells(graded):
    rows = scores(graded["rows"], "renamed_and_no_checks.ipynb")
    assert [rows[q][0] for q in "12345"] == ["1"] * 5


def test_redefining_the_checks_in_the_notebook_gains_nothing(graded):
    rows = scores(graded["rows"], "cheat.ipynb")
    assert rows["1"][0] == "0" and "not yet" in rows["1"][1]


def test_empty_folder_gets_a_row(graded):
    rows = [r for r in graded["rows"] if r["submission"] == str(graded["empty"])]
    assert len(rows) == 1 and "no .ipynb" in rows[0]["feedback"]


def test_submissions_are_never_modified_and_a_second_run_is_identical(graded, tmp_path):
    folder = graded["folder"]
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == graded[
        "digests"
    ]
    out = tmp_path / "again.csv"
    # The deterministic subset (no endless cell, so this stays quick).
    assert (
        main(
            [
                "grade",
                str(folder / "full_marks.ipynb"),
                str(folder / "not_json.ipynb"),
                str(graded["empty"]),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    first = [
        r
        for r in graded["rows"]
        if r["submission"].endswith(("full_marks.ipynb", "not_json.ipynb"))
        or r["submission"] == str(graded["empty"])
    ]
    assert read_rows(out) == first


def test_the_grader_refuses_to_run_without_input_or_output(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    # (The output's own folder may be created; its parent must exist.)
    assert main(["grade", str(LAB_FILE), "--out", str(tmp_path / "no" / "such" / "g.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


def test_find_lab_reads_the_notebook_not_the_name():
    notebook = master()
    assert find_lab(notebook) == "bass"
    notebook.metadata["osmcourse"] = {"lab": "astrology"}
    assert find_lab(notebook) == "bass"  # from its imports
    assert find_lab(nbformat.v4.new_notebook()) is None


def test_a_notebook_of_another_lab_gets_a_row_when_the_lab_is_named(tmp_path, capsys):
    other = ROOT / "exercises" / "trust-and-noise.ipynb"
    out = tmp_path / "g.csv"
    assert (
        main(
            [
                "grade",
                str(other),
                str(LAB_FILE),
                "--lab",
                "bass",
                "--out",
                str(out),
                "--timeout",
                "30",
            ]
        )
        == 0
    )
    rows = read_rows(out)
    assert scores(rows, "trust-and-noise.ipynb") == {
        "run": ("0", "This notebook is the lab 'trust', not 'bass': nothing was graded.")
    }
    assert scores(rows, "mass-media-vs-word-of-mouth.ipynb")["1"][0] == "1"
    assert main(["grade", str(LAB_FILE), "--lab", "astrology", "--out", str(out)]) == 2
    assert "no lab 'astrology'" in capsys.readouterr().err


def test_same_grades_on_a_loaded_machine(tmp_path):
    """A class of 12 graded twice, the second time with 3 busy processes per core: same bytes."""
    from osmcourse.grading import grade, isolation_problem

    if isolation_problem() is not None:
        pytest.skip(f"no sandbox: {isolation_problem()}")
    folder = tmp_path / "class"
    folder.mkdir()
    for number in range(7):
        save(master(), folder / f"solved{number}.ipynb")
    for number in range(2):
        save(student(), folder / f"blank{number}.ipynb")
    save(with_cell(master(), "while True:\n    pass", position=3), folder / "endless.ipynb")
    save(with_cell(master(), "1 / 0", position=3), folder / "raises.ipynb")
    stubborn = with_cell(student(), "peak_sales_year = 1956\nq_over_p = 23.8")
    save(
        with_cell(
            stubborn,
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        ),
        folder / "stubborn.ipynb",
    )
    grade([folder], tmp_path / "quiet.csv", timeout=10, progress=None)
    # Bounded: each busy process ends by itself after 15 minutes even if this test dies.
    busy = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import time\nend = time.time() + 900\nwhile time.time() < end: pass",
            ]
        )
        for _ in range(3 * (os.cpu_count() or 1))
    ]
    try:
        grade([folder], tmp_path / "loaded.csv", timeout=10, progress=None)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    assert (tmp_path / "quiet.csv").read_bytes() == (tmp_path / "loaded.csv").read_bytes()
    rows = read_rows(tmp_path / "loaded.csv")
    assert [r["score"] for r in rows if r["submission"].endswith("solved0.ipynb")] == ["1"] * 5
    stubborn = scores(rows, "stubborn.ipynb")
    assert stubborn["1"][0] == "1" and "ignored the interrupt" in stubborn["run"][1]


def test_without_a_sandbox_the_grader_refuses_unless_told(tmp_path, monkeypatch):
    import io

    import osmcourse.grading as grading
    from osmcourse.grading import grader

    monkeypatch.setattr(grader, "isolation_problem", lambda: "no sandbox on testos")
    out = tmp_path / "g.csv"
    with pytest.raises(grading.IsolationUnavailable, match="--no-isolation"):
        grading.grade([LAB_FILE], out, progress=None)
    assert not out.exists()
    said = io.StringIO()
    [submission] = grading.grade([LAB_FILE], out, progress=said, isolate=False)
    assert "WITHOUT isolation" in said.getvalue()
    assert submission.status == "ran without isolation"
    assert [row.score for row in submission.rows[:5]] == [1.0] * 5
    assert "without isolation" in scores(read_rows(out), LAB_FILE.name)["run"][1]


def test_a_kernel_sends_its_answers_without_the_graders_own_imports():
    """After every cell each kernel imports ``osmcourse.grading.answers`` to send its answers.

    That import must not pull in the grader: nbformat alone brings jsonschema's IRI grammar
    (over a second of CPU, charged to every submission). A fresh interpreter imports what
    the labs import plus the answers module and encodes answers as the kernel's handler does.
    """
    from osmcourse.checks import LAB_MODULES

    labs = "; ".join(f"import osmcourse.checks.{module}" for module in LAB_MODULES.values())
    grader_only = [
        "nbformat",
        "jsonschema",
        "rfc3987_syntax",
        "psutil",
        "zmq",
        "openpyxl",
        "osmcourse.grading.grader",
        "osmcourse.grading.sandbox",
        "debugpy",
    ]
    code = (
        f"import sys, json; {labs}; "
        "from osmcourse.grading.answers import encode_answers, install; "
        "club_size = {'members': 34}; sent = encode_answers(globals(), ['club_size', 'absent']); "
        f"print(json.dumps([sent, [m for m in {grader_only!r} if m in sys.modules]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": "agg"},
        cwd=ROOT,
    )
    sent, loaded = json.loads(result.stdout)
    from osmcourse.grading.answers import decode_answers

    assert decode_answers(sent) == {"club_size": {"members": 34}}
    assert loaded == []
    # The package's public names still load on first use, each from its module.
    import osmcourse.grading as grading

    assert callable(grading.grade) and grading.Limits is not None
    assert all(getattr(grading, name) is not None for name in grading.__all__)
    with pytest.raises(AttributeError):
        grading.no_such_name  # noqa: B018


@pytest.mark.slow
def test_without_a_sandbox_the_kernel_is_ended_directly(monkeypatch):
    """Without bubblewrap, the process the grader started is the kernel itself: it is the
    student's, so it is counted and killed at once, never left for a 5-second wait and a
    process-group kill (which made every unsandboxed notebook 5 s slower)."""
    from osmcourse.grading import kernel_client
    from osmcourse.grading.sandbox import Limits, run_notebook

    group_kills = []
    real_killpg = os.killpg
    monkeypatch.setattr(
        kernel_client.os, "killpg", lambda *args: (group_kills.append(args), real_killpg(*args))
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 6 * 7")])
    result = run_notebook(notebook, ["answer"], Limits(), isolate=False)
    assert result.answers.get("answer") == 42, result
    assert group_kills == [], "the kernel outlived the grader's kill and its 5-second wait"
