"""The reports an instructor hands back: gradebook, roster, feedback, written marks, merging.

Unit tests on Submission records built here from the real student copy (no kernels run); the
grader's own end-to-end run is in ``test_gradebook_cli.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import string
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from osmcourse.checks import get_lab
from osmcourse.checks.core import WrittenQuestion
from osmcourse.grading import build, classdata, classreport, export, remarks, state
from osmcourse.grading.commands import gradebook_summary
from osmcourse.student.copies import make_student_copy, repository_url
from osmcourse.grading.feedback import feedback_html
from osmcourse.grading.remarks import texts
from osmcourse.grading.report import read_csv, safe_text, write_csv
from osmcourse.grading.roster import RosterError, Student, assign, id_from_path, read_roster
from osmcourse.grading.rows import Row, Submission
from osmcourse.grading.written import read_marks

from conftest import ROOT

MASTER_FILE = ROOT / "exercises" / "mass-media-vs-word-of-mouth.ipynb"
TASKS = "12345"
STUB = "**Your answer (w1):** _write here_"


@pytest.fixture
def lab(monkeypatch):
    """The bass lab with one written question, w1 worth 2 points, whatever the lab registers."""
    bass = get_lab("bass")
    monkeypatch.setattr(
        bass, "written_questions", {"w1": WrittenQuestion("w1", "Compare p and q in words.", 2.0)}
    )
    return bass


def with_written(notebook, text, solution=False):
    """``notebook`` with its w1 answer cell holding ``text`` (the cell is added if missing)."""
    for cell in notebook.cells:
        if (cell.metadata.get("osmcourse") or {}).get("question") == "w1":
            cell.source = text
            return notebook
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["written", "solution"] if solution else ["written"]
    cell.metadata["osmcourse"] = {"question": "w1", **({"stub": STUB} if solution else {})}
    notebook.cells.append(cell)
    return notebook


@pytest.fixture
def master(lab):
    notebook = nbformat.read(MASTER_FILE, as_version=4)
    return with_written(
        notebook, "q is far larger than p: imitation drove adoption.", solution=True
    )


@pytest.fixture
def student(master):
    copy = make_student_copy(master, repository_url(ROOT))
    return with_written(copy, STUB)


def answered(student, code, written=STUB):
    notebook = nbformat.reads(nbformat.writes(student), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(code))
    return with_written(notebook, written)


def submission(
    path, notebook, scores=(1, 1, 1, 1, 1), status="ok", lab="bass", problems=(), executed=None
):
    """A Submission as the grader makes it, for a notebook saved at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = (
        nbformat.writes(notebook).encode("utf-8", "surrogatepass")
        if notebook is not None
        else b"{not json"
    )
    path.write_bytes(raw)
    rows = (
        [
            Row(
                str(path),
                lab,
                q,
                s,
                1,
                f"✔ Task {q}: correct. Good." if s else f"✘ Task {q}: not yet. Look again.",
            )
            for q, s in zip(TASKS, scores)
        ]
        if status == "ok"
        else []
    )
    rows += [Row(str(path), lab, "run", 0, 0, p) for p in problems]
    return Submission(path, status, lab, rows, hashlib.sha256(raw).hexdigest(), notebook, executed)


def texts_by_key(notes):
    """The remarks' texts by entry key (what the gradebook's remarks column shows)."""
    return {key: texts(items) for key, items in notes.items()}


def figures(entries):
    return {e.key: (e.status, e.total, e.maximum) for e in entries}


# --- Student ids and the roster -------------------------------------------------------------


def test_ids_come_from_the_folder_under_the_one_given_else_the_file_name(tmp_path):
    root = tmp_path / "submitted"
    assert (
        id_from_path(root / "ada" / "bass" / "lab.ipynb", [root]) == "ada"
    )  # one folder per student
    assert id_from_path(root / "bea.ipynb", [root]) == "bea"  # one file per student
    single = tmp_path / "kim.ipynb"
    assert id_from_path(single, [single]) == "kim"


def test_roster_maps_patterns_folders_and_ids(tmp_path):
    roster_file = tmp_path / "roster.csv"
    roster_file.write_bytes(
        "id,name,pattern\nS1,Student A,ada_*.ipynb\nS2,Student B,bea/\nkim,Kim,\n"
        "S4,Nobody,\n".encode("utf-8-sig")
    )
    roster = read_roster(roster_file)
    assert [s.id for s in roster] == ["S1", "S2", "kim", "S4"]
    root = tmp_path / "in"
    paths = [
        root / "ada_lab.ipynb",
        root / "bea" / "x.ipynb",
        root / "KIM.ipynb",
        root / "eve.ipynb",
    ]
    assigned, unassigned = assign(paths, [root], roster)
    assert {p.name: s.id for p, s in assigned.items()} == {
        "ada_lab.ipynb": "S1",
        "x.ipynb": "S2",
        "KIM.ipynb": "kim",
    }
    assert list(unassigned) == [root / "eve.ipynb"]


def test_a_roster_saved_by_a_spreadsheet_with_semicolons_reads(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("ID;Name\r\nS1;Jos\xe9\r\n".encode("cp1252"))
    assert read_roster(path) == [Student("S1", "José", "")]


def test_a_roster_without_ids_or_with_a_twice_listed_id_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name\nAda\n", encoding="utf-8")
    with pytest.raises(RosterError, match="'id' column"):
        read_roster(path)
    path.write_text("id\nS1\ns1\n", encoding="utf-8")
    with pytest.raises(RosterError, match="twice"):
        read_roster(path)


def test_every_roster_student_and_every_submission_gets_a_row(tmp_path, student, master):
    root = tmp_path / "in"
    subs = [
        submission(root / "S1.ipynb", answered(student, "x = 1")),
        submission(root / "stranger.ipynb", answered(student, "y = 2"), scores=(1, 0, 0, 0, 0)),
    ]
    roster = [Student("S1", "Ada"), Student("S2", "Bea")]
    entries = build.build_entries(subs, [root], roster, "bass", {"bass": master})
    assert figures(entries) == {
        "S1": ("ok", 5, 7),
        "S2": ("no submission", 0, 7),
        "stranger": ("ok", 1, 7),
    }
    notes = texts_by_key(build.remarks(entries))
    assert "not on the roster" in notes["stranger"]
    assert [e.name for e in entries] == ["Ada", "Bea", ""]


# --- The gradebook files ----------------------------------------------------------------------


@pytest.fixture
def klass(tmp_path, student, master):
    """A small class: good work, a copy of it, a solved master, an untouched copy, a broken file,
    a wrong lab, a file named like a formula, and an error while running."""
    root = tmp_path / "in"
    good = answered(student, "peak_sales_year = 1956", "Imitation: q/p is about 40.")
    executed = nbformat.reads(nbformat.writes(good), as_version=4)
    executed.cells[-1].outputs = [
        nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero <b>", traceback=[]
        )
    ]
    code_cells = sum(cell.cell_type == "code" for cell in executed.cells)
    subs = [
        submission(
            root / "ada.ipynb",
            good,
            executed=executed,
            problems=[f"Code cell {code_cells} raised ZeroDivisionError."],
        ),
        submission(root / "bob.ipynb", good),  # byte for byte Ada's
        submission(
            root / "cy.ipynb", answered(good, "", "Imitation: q/p is about 40.")
        ),  # plus an empty cell
        submission(root / "dee.ipynb", master),
        submission(root / "eve.ipynb", student, scores=(0, 0, 0, 0, 0)),
        submission(
            root / "fay.ipynb",
            None,
            status="not a notebook",
            lab="",
            problems=["Not a readable notebook (NotJSONError): nothing was run."],
        ),
        submission(
            root / "gus.ipynb",
            answered(student, "z = 1"),
            status="wrong lab",
            lab="trust",
            problems=["This notebook is the lab 'trust', not 'bass': nothing was graded."],
        ),
        submission(
            root / "=HYPERLINK(1).ipynb", answered(student, "w = 1"), scores=(1, 1, 0, 0, 0)
        ),
    ]
    roster = [Student(n) for n in ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal")]
    entries = build.build_entries(subs, [root], roster, "bass", {"bass": master})
    out = tmp_path / "grades"
    export.write_outputs(entries, out)
    return {"entries": entries, "out": out, "subs": subs, "root": root, "error_cell": code_cells}


def test_flags_copies_the_solutions_master_and_untouched_copies(klass):
    notes = texts_by_key(build.remarks(klass["entries"]))
    assert "byte-identical to bob" in notes["ada"] and "byte-identical to ada" in notes["bob"]
    assert "same code and written answers as ada, bob" in notes["cy"]
    assert any("solutions master" in n for n in notes["dee"])
    assert "untouched student copy" in notes["eve"]
    assert not any(
        "identical" in n or "same code" in n
        for n in notes["eve"] + notes["gus"] + notes["HYPERLINK_1"]
    )
    assert [e.key for e in klass["entries"]][0] == "HYPERLINK_1"  # a file name, whatever the id


# Every decision that reads remarks, and who it flags: the copies ``grade`` lists, the class
# report's "Worth a look", the pairs compared for similar code, each entry's remark kinds.
def flagged(klass, master, folder):
    roster = [Student(n) for n in ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal")]
    entries = build.build_entries(klass["subs"], [klass["root"]], roster, "bass", {"bass": master})
    # ada and the stranger share their own code; dee (the master) and eve (untouched) too, but
    # copies alike by design are never compared.
    alike = {
        e.file: list(range(100, 130))
        for e in entries
        if e.key in ("ada", "dee", "eve", "HYPERLINK_1")
    }
    data = classdata.ClassData(prints=alike)
    classdata.annotate(entries, data)
    classdata.annotate(entries, data)  # as merge does: the similar remarks replaced, not doubled
    summary = gradebook_summary(entries, folder, [])
    copies = [line for line in summary.splitlines() if line.startswith("to look at (copies)")]
    page = classreport.report_html(entries, "bass", data)
    return {
        "kinds": {k: [n.kind for n in v] for k, v in build.remarks(entries).items()},
        "copies": copies,
        "worth a look": re.findall(r"<tr><td>([^<]*)</td><td>", page[page.index("Worth a look") :]),
        "similar": [(p.first, p.second) for p in classdata.similar_pairs(entries, data)],
        "texts": texts_by_key(build.remarks(entries)),
    }


def reworded(flag_words: str) -> dict[str, str]:
    """Every remark's template said otherwise (``flag_words`` and a number), its fields kept."""
    wording = {}
    for number_, (name, template) in enumerate(remarks.WORDING.items()):
        fields = [
            "{" + name_ + (f"!{conversion}" if conversion else "") + "}"
            for _, name_, _, conversion in string.Formatter().parse(template)
            if name_ is not None
        ]
        wording[name] = " ".join([f"{flag_words}remark {number_}", *fields])
    return wording


@pytest.mark.parametrize(
    "flag_words",
    [
        "",
        "byte-identical, same code as the solutions master, untouched, 2 submissions for this lab: ",
    ],
    ids=["other words", "every remark in the words of a flag"],
)
def test_rewording_a_remark_changes_no_one_flagged(
    klass, master, tmp_path, monkeypatch, flag_words
):
    before = flagged(klass, master, tmp_path)
    assert before["copies"] == ["to look at (copies): ada, bob, cy, dee"]
    assert before["worth a look"] == ["HYPERLINK_1", "ada", "bob", "cy", "dee", "eve"]
    assert before["similar"] == [("HYPERLINK_1", "ada")]
    monkeypatch.setattr(remarks, "WORDING", reworded(flag_words))
    after = flagged(klass, master, tmp_path)
    assert after["texts"] != before["texts"]  # the words changed ...
    assert after["texts"]["HYPERLINK_1"][0].startswith(f"{flag_words}remark 0")
    del before["texts"], after["texts"]
    assert after == before  # ... and no one else is flagged, no one less


def test_gradebook_csv_has_one_row_per_student_with_tasks_written_total_and_status(klass):
    raw = (klass["out"] / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: spreadsheets read it as UTF-8
    rows = read_csv(klass["out"] / "gradebook.csv")
    assert list(rows[0]) == [
        "student",
        "name",
        "lab",
        "task 1",
        "task 2",
        "task 3",
        "task 4",
        "task 5",
        "w1",
        "total",
        "maximum",
        "percent",
        "status",
        "remarks",
        "file",
        "feedback",
    ]
    by_id = {r["student"]: r for r in rows}
    assert len(rows) == 9  # eight on the roster (hal: no submission) and the formula-named file
    assert (by_id["ada"]["total"], by_id["ada"]["maximum"], by_id["ada"]["percent"]) == (
        "5",
        "7",
        "71.4",
    )
    assert by_id["hal"]["status"] == "no submission" and by_id["hal"]["total"] == "0"
    assert by_id["fay"]["status"] == "not a notebook" and by_id["gus"]["status"] == "wrong lab"
    assert by_id["ada"]["w1"] == "" and "1 written answer to mark" in by_id["ada"]["remarks"]
    assert by_id["'=HYPERLINK(1)"]["file"].endswith("=HYPERLINK(1).ipynb")
    assert by_id["'=HYPERLINK(1)"]["feedback"] == "feedback/HYPERLINK_1.html"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_the_per_question_csv_is_safe_too(tmp_path):
    out = tmp_path / "q.csv"
    write_csv(
        [
            Row("=cmd|' /C calc'!A0", "bass", "1", 1, 1, "✔ Task 1: correct. -5 is fine"),
            Row("in/a\udcff.ipynb", "bass", "run", 0, 0, "@SUM(1)"),
        ],
        out,
    )
    rows = read_csv(out)
    assert rows[0]["submission"] == "'=cmd|' /C calc'!A0" and rows[0]["feedback"].startswith(
        "Task 1"
    )
    assert rows[1]["submission"] == "in/a\ufffd.ipynb" and rows[1]["feedback"] == "'@SUM(1)"
    assert safe_text("-1") == "'-1" and safe_text("\tx") == "'\tx" and safe_text("ok") == "ok"


def test_the_xlsx_gradebook_holds_the_same_figures_as_numbers_and_no_formula(klass):
    sheet = load_workbook(klass["out"] / "gradebook.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert (
        by_id["ada"]["total"] == 5 and by_id["ada"]["maximum"] == 7 and by_id["ada"]["task 1"] == 1
    )
    assert by_id["hal"]["status"] == "no submission"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def libreoffice(source: Path, work: Path, infilter: str | None = None) -> list[tuple]:
    """Open ``source`` in LibreOffice (headless), save it as .xlsx, and read that back."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "make test installs Debian's libreoffice-calc-nogui for this test"
    work.mkdir()
    shutil.copy(source, work / source.name)
    out = work / "out"
    command = [
        soffice,
        f"-env:UserInstallation=file://{work / 'profile'}",
        "--headless",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(out),
        str(work / source.name),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    converted = out / (source.stem + ".xlsx")
    assert converted.exists(), result.stdout + result.stderr
    sheet = load_workbook(converted).active
    assert all(
        cell.data_type != "f" for row in sheet.iter_rows() for cell in row
    )  # no formula anywhere
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.slow
def test_libreoffice_reads_the_gradebook_figures_and_no_formula(klass, tmp_path):
    """The .xlsx with LibreOffice's defaults; the CSV read as UTF-8 (what its import dialog offers
    for a file with a byte-order mark; headless, LibreOffice 7.4 assumes Latin-1 unless told)."""
    for name, infilter in (("gradebook.xlsx", None), ("gradebook.csv", "CSV:44,34,76")):
        rows = libreoffice(klass["out"] / name, tmp_path / name.replace(".", "_"), infilter)
        assert rows[0][:4] == ("student", "name", "lab", "task 1"), (
            name
        )  # no stray BOM in the first cell
        by_id = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
        assert by_id["ada"]["total"] == 5 and by_id["ada"]["percent"] == pytest.approx(71.4), name
        assert (
            by_id["fay"]["status"] == "not a notebook" and by_id["hal"]["status"] == "no submission"
        ), name
        assert by_id["'=HYPERLINK(1)"]["file"].endswith("=HYPERLINK(1).ipynb"), name


def test_the_per_question_csv_leaves_out_the_check_symbols(tmp_path):
    out = tmp_path / "q.csv"
    write_csv(
        [
            Row("a.ipynb", "bass", "1", 1, 1, "✔ Task 1: correct. Good."),
            Row("a.ipynb", "bass", "2", 0, 1, "✘ Task 2: not yet. Look again."),
            Row("a.ipynb", "bass", "3", 0, 1, "… Task 3: not answered yet."),
        ],
        out,
    )
    assert [r["feedback"] for r in read_csv(out)] == [
        "Task 1: correct. Good.",
        "Task 2: not yet. Look again.",
        "Task 3: not answered yet.",
    ]


def test_outputs_are_byte_identical_for_the_same_entries(klass, tmp_path):
    again = tmp_path / "again"
    export.write_outputs(state.load_state(klass["out"]), again)
    for path in sorted(klass["out"].rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(klass["out"])).read_bytes(), (
                path.name
            )
    with zipfile.ZipFile(klass["out"] / "gradebook.xlsx") as book:
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in book.infolist())


# --- Feedback and written answers ------------------------------------------------------------


def test_feedback_page_shows_verdicts_errors_and_written_answers_escaped(klass):
    page = (klass["out"] / "feedback" / "ada.html").read_text(encoding="utf-8")
    assert "✔ Task 1: correct." in page
    assert f"Code cell {klass['error_cell']}: ZeroDivisionError: division by zero &lt;b&gt;" in page
    assert "Imitation: q/p is about 40." in page and "not marked yet" in page
    assert (
        "<script" not in page
        and "src=" not in page
        and "http" not in page.replace("http-equiv", "")
    )
    assert "default-src 'none'" in page
    hal = (klass["out"] / "feedback" / "hal.html").read_text(encoding="utf-8")
    assert "No submission was found" in hal
    assert "byte-identical" not in page  # remarks are for the instructor, not the student


def test_hostile_text_in_a_submission_is_escaped(tmp_path, student, master):
    evil = '<script>alert(1)</script><img src="http://x/y.png">'
    sub = submission(tmp_path / "in" / "mal.ipynb", answered(student, "a = 1", evil))
    entry = build.build_entries([sub], [tmp_path / "in"], None, "bass", {"bass": master})[0]
    entry.tasks[0].feedback = evil
    page = feedback_html(entry)
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_marking_sheet_round_trip_folds_marks_into_gradebook_and_feedback(klass, tmp_path):
    sheet = klass["out"] / "written-bass.csv"
    rows = read_csv(sheet)
    assert list(rows[0]) == [
        "student",
        "name",
        "question",
        "prompt",
        "max_points",
        "rubric",
        "answer",
        "points",
        "comment",
    ]
    ada = next(r for r in rows if r["student"] == "ada")
    assert ada["answer"] == "Imitation: q/p is about 40." and ada["rubric"].startswith(
        "q is far larger"
    )
    eve = next(r for r in rows if r["student"] == "eve")
    assert (eve["answer"], eve["points"], eve["comment"]) == (
        "",
        "0",
        "No answer.",
    )  # the stub is no answer
    # The instructor fills in points and a comment, and a spreadsheet saves it with semicolons.
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    for row in rows:
        if row["student"] == "ada":
            row.update(points="1,5", comment="Right idea; say why.")
        writer.writerow(row)
    sheet.write_bytes(buffer.getvalue().encode("cp1252"))
    entries = state.load_state(klass["out"])
    assert state.apply_marks(entries, read_marks(sheet)) == 3  # Ada's, and 0 for each blank answer
    export.write_outputs(entries, klass["out"])
    by_id = {r["student"]: r for r in read_csv(klass["out"] / "gradebook.csv")}
    assert (by_id["ada"]["w1"], by_id["ada"]["total"]) == ("1.5", "6.5")
    page = (klass["out"] / "feedback" / "ada.html").read_text(encoding="utf-8")
    assert "Points: 1.5 / 2" in page and "Right idea; say why." in page
    again = {r["student"]: r for r in read_csv(klass["out"] / "written-bass.csv")}
    assert (again["ada"]["points"], again["eve"]["points"], again["bob"]["points"]) == (
        "1.5",
        "0",
        "",
    )


def test_marks_above_the_maximum_or_not_numbers_are_refused(klass):
    entries = state.load_state(klass["out"])
    with pytest.raises(state.MergeError, match="more than the 2"):
        state.apply_marks(entries, {("ada", "w1"): (3.0, "")})
    sheet = klass["out"] / "written-bass.csv"
    sheet.write_text("student,question,points\nada,w1,lots\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a number"):
        read_marks(sheet)


def test_a_partial_regrade_replaces_only_those_students_and_keeps_unchanged_marks(
    klass, tmp_path, student, master
):
    entries = state.load_state(klass["out"])
    state.apply_marks(entries, {("ada", "w1"): (2.0, "Good."), ("eve", "w1"): (0.0, "")})
    root = tmp_path / "late"
    again = answered(student, "peak_sales_year = 1956", "Imitation: q/p is about 40.")
    regraded = build.build_entries(
        [
            submission(root / "ada.ipynb", again),
            submission(root / "hal.ipynb", answered(student, "h = 1"), scores=(0, 1, 0, 0, 0)),
        ],
        [root],
        [Student(n) for n in ("ada", "bob", "hal")],
        "bass",
        {"bass": master},
    )
    merged, replaced = state.replace_students(entries, regraded)
    assert replaced == ["ada", "hal"]
    before, after = figures(entries), figures(merged)
    assert after["hal"] == ("ok", 1, 7) and after["ada"] == (
        "ok",
        7,
        7,
    )  # Ada's unchanged answer keeps its mark
    assert {k: v for k, v in after.items() if k not in ("ada", "hal")} == {
        k: v for k, v in before.items() if k not in ("ada", "hal")
    }
    assert len(merged) == len(entries)


def test_executed_notebooks_are_kept_under_the_student_key(klass, tmp_path):
    written = export.write_executed(klass["subs"], klass["entries"], tmp_path / "executed")
    assert [p.name for p in written] == ["ada.ipynb"]
    kept = nbformat.read(written[0], as_version=4)
    assert kept.cells[-1].outputs[0]["ename"] == "ZeroDivisionError"


def test_rows_from_an_older_grader_become_submissions():
    rows = [
        Row("a.ipynb", "bass", "1", 1, 1, "ok"),
        Row("b.ipynb", "", "run", 0, 0, "Not a readable notebook (X)."),
    ]
    subs = build.as_submissions(rows)
    assert [(s.path.name, s.status) for s in subs] == [
        ("a.ipynb", "ok"),
        ("b.ipynb", "not a notebook"),
    ]
    assert build.as_submissions(subs) == subs


def test_odd_text_and_file_names_never_stop_the_reports(tmp_path, student, master):
    """A lone surrogate and control characters in an answer, a file name that is not UTF-8."""
    root = tmp_path / "in"
    odd = answered(student, "a = 1", "half \ud800 a pair, a bell \x07, a NUL \x00")
    sub = submission(root / "ok.ipynb", odd)
    sub.path = root / "caf\udce9.ipynb"  # the byte 0xE9, as Python names such a file
    entries = build.build_entries([sub], [root], None, "bass", {"bass": master})
    export.write_outputs(entries, tmp_path / "out")
    sheet = read_csv(tmp_path / "out" / "written-bass.csv")
    assert (
        sheet[0]["student"] == "caf"
        and sheet[0]["answer"].rstrip() == "half \ufffd a pair, a bell  , a NUL"
    )
    assert load_workbook(tmp_path / "out" / "gradebook.xlsx").active["A2"].value == "caf\ufffd"
    assert "half \ufffd a pair" in (tmp_path / "out" / "feedback" / "caf.html").read_text(
        encoding="utf-8"
    )


def test_a_gradebook_kept_before_remarks_had_kinds_still_reads(klass, tmp_path):
    """A version 1 ``gradebook.json`` (remarks as plain text) reads with every remark's kind,
    and gives the same files."""
    saved = json.loads((klass["out"] / "gradebook.json").read_text(encoding="utf-8"))
    assert saved["version"] == 2
    saved["version"] = 1
    for item in saved["entries"]:
        item["notes"] = [note["text"] for note in item["notes"]]
    old = tmp_path / "old"
    old.mkdir()
    (old / "gradebook.json").write_text(json.dumps(saved), encoding="utf-8")
    entries = state.load_state(old)
    kinds = {e.key: [n.kind for n in e.notes] for e in entries}
    assert kinds == {e.key: [n.kind for n in e.notes] for e in state.load_state(klass["out"])}
    assert any(kinds.values())
    export.write_outputs(entries, old)
    assert (old / "gradebook.csv").read_bytes() == (klass["out"] / "gradebook.csv").read_bytes()
    saved["entries"][0]["notes"] = ["a remark no grader wrote"]
    (old / "gradebook.json").write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown remark"):
        state.load_state(old)


def test_merge_refuses_a_bad_mark_and_changes_nothing(klass, tmp_path, capsys):
    from osmcourse.__main__ import main

    before = {p.name: p.read_bytes() for p in klass["out"].iterdir() if p.is_file()}
    sheet = klass["out"] / "written-bass.csv"
    rows = read_csv(sheet)
    rows[0]["points"] = "5"  # w1 is worth 2
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    assert main(["merge", str(klass["out"])]) == 2
    assert "more than the 2" in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in klass["out"].iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != sheet.name} == {
        k: v for k, v in before.items() if k != sheet.name
    }
    assert main(["merge", str(tmp_path / "nowhere")]) == 2
    assert "no gradebook.json" in capsys.readouterr().err


def test_a_notebook_of_odd_structure_still_gets_its_row(tmp_path, master):
    odd = nbformat.from_dict(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": [],
            "cells": [
                {"cell_type": "markdown", "metadata": "x", "source": 5},
                {
                    "cell_type": "code",
                    "metadata": {"tags": "written"},
                    "source": ["a", 1],
                    "outputs": 7,
                },
                "not a cell",
            ],
        }
    )
    sub = Submission(
        tmp_path / "odd.ipynb",
        "ok",
        "bass",
        [Row("odd.ipynb", "bass", "1", 0, 1, "✘ no")],
        "d",
        odd,
        odd,
    )
    entries = build.build_entries([sub], [tmp_path], None, "bass", {"bass": master})
    export.write_outputs(entries, tmp_path / "out")
    assert figures(entries) == {"odd": ("ok", 0, 7)}


def test_the_stub_around_a_written_answer_is_left_out():
    from osmcourse.grading.written import clean_answer, is_stub

    assert (
        clean_answer("**Your answer (w1):** _write here_\nq is 40 times p.") == "q is 40 times p."
    )
    assert clean_answer("**Your answer (w2):** It rose.") == "It rose."
    assert clean_answer("No stub at all.") == "No stub at all."
    assert is_stub("**Your answer (w2):** _write here_") and not is_stub("**Your answer (w2):** x")
