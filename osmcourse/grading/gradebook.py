"""The gradebook: one row per student, what an instructor hands back and imports into an LMS.

:func:`build_entries` turns what grading learned (:class:`~osmcourse.grading.rows.Submission`)
into :class:`Entry` records: one per submission, plus one per student on the roster who handed
in nothing. Each entry knows its student, the score of every task, the written answers (and
their marks once given), the problems running the notebook and the remarks an instructor should
see (a copy of a classmate's notebook, of the solutions master, an untouched student copy).

The entries are kept as ``gradebook.json`` in the output folder, so that ``merge`` can fold in
written marks and regraded students later, and every file is drawn from them
(:func:`write_outputs`): ``gradebook.csv`` and ``gradebook.xlsx``, ``written-LAB.csv``,
``feedback/KEY.html``. Same entries, byte-identical files.

Each entry's *key* names its feedback page, its executed notebook and its lines in the marking
sheets. Keys are unique (capitals aside, for case-insensitive disks), never made by dropping
characters in a way that lets one student take another's (a student whose id is already a safe
file name owns that name; any other id gets a readable form of it plus a digest of the exact id
when that form is taken), and kept in ``gradebook.json``: ``merge`` never recomputes them, and a
regraded student keeps theirs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat

from osmcourse.checks import get_lab
from osmcourse.labs import LABS_BY_ID
from osmcourse.grading import written as written_answers
from osmcourse.grading.report import csv_bytes, number, printable, write_atomically, xlsx_text
from osmcourse.grading.roster import Student, assign, ids_from_paths
from osmcourse.grading.rows import Row, Submission
from osmcourse.grading.written import WrittenAnswer, as_dict, as_list

STATE_FILE = "gradebook.json"
GRADEBOOK_CSV = "gradebook.csv"
GRADEBOOK_XLSX = "gradebook.xlsx"
FEEDBACK_FOLDER = "feedback"
STATE_VERSION = 1
NO_SUBMISSION = "no submission"
# Statuses where nothing of the notebook was graded: its written answers are not collected.
NOT_GRADED = ("not a notebook", "not a lab", "wrong lab", "empty folder", NO_SUBMISSION)
UNTOUCHED = "untouched student copy"
# Executed notebooks are written as JSON: structures nested deeper than this (a student's display
# metadata can nest hundreds of levels) are replaced by a note rather than crash the writer.
MAX_DEPTH = 64
TOO_DEEP = f"(nested deeper than {MAX_DEPTH} levels: left out by the grader)"


@dataclass
class TaskResult:
    """One task's score and the check's verdict and hint."""

    question: str
    score: float
    max_score: float
    feedback: str


@dataclass
class Entry:
    """One gradebook row: a student's submission of one lab (or the lack of one)."""

    key: str
    student: str
    name: str = ""
    lab: str = ""
    lab_title: str = ""
    file: str = ""
    status: str = "ok"
    on_roster: bool = True
    tasks: list[TaskResult] = field(default_factory=list)
    task_max: float = 0.0
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: list[WrittenAnswer] = field(default_factory=list)
    digest: str = ""
    fingerprint: str = ""
    notes: list[str] = field(default_factory=list)
    source: str = ""  # a digest of the submission's exact path (file names may not be UTF-8)

    @property
    def total(self) -> float:
        return sum(t.score for t in self.tasks) + sum(w.points or 0.0 for w in self.written)

    @property
    def maximum(self) -> float:
        return self.task_max + sum(w.max_points for w in self.written)

    @property
    def percent(self) -> float | None:
        return 100 * self.total / self.maximum if self.maximum else None

    @property
    def handed_in(self) -> bool:
        """Whether anything was handed in (a roster student without a submission has no file)."""
        return bool(self.file)

    @property
    def unmarked(self) -> int:
        """Written answers still waiting for the instructor's points."""
        return sum(1 for w in self.written if w.points is None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        names = {f.name for f in cls.__dataclass_fields__.values()}
        values = {k: v for k, v in data.items() if k in names}  # a newer grader's extra fields
        values["tasks"] = [TaskResult(**t) for t in data.get("tasks", [])]
        values["written"] = [WrittenAnswer(**w) for w in data.get("written", [])]
        return cls(**values)


# --- From submissions to entries --------------------------------------------------------


def as_submissions(result: Iterable[Submission | Row]) -> list[Submission]:
    """Submissions from what ``grading.grade`` returned: Submissions, or (from a grader that
    only reports rows) rows grouped by submission, their status read from the ``run`` row."""
    items = list(result)
    if all(isinstance(item, Submission) for item in items):
        return items  # type: ignore[return-value]
    grouped: dict[str, list[Row]] = {}
    for row in items:
        grouped.setdefault(row.submission, []).append(row)  # type: ignore[union-attr]
    submissions = []
    for name, rows in grouped.items():
        run = " ".join(r.feedback for r in rows if r.question == "run")
        status = "ok"
        for words, meaning in (
            ("Not a readable notebook", "not a notebook"),
            ("Not a valid notebook", "not a notebook"),
            ("not one of the course's labs", "not a lab"),
            ("This notebook is the lab", "wrong lab"),
            ("holds no .ipynb", "empty folder"),
            ("stopped after the", "timed out"),
        ):
            if words in run:
                status = meaning
                break
        submissions.append(Submission(Path(name), status, rows[0].lab, rows))
    return submissions


def load_masters(folder: Path | None) -> dict[str, nbformat.NotebookNode]:
    """The master lab notebooks in ``folder`` by lab name (none if it is missing)."""
    masters: dict[str, nbformat.NotebookNode] = {}
    if folder is None or not folder.is_dir():
        return masters
    for path in sorted(folder.glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a broken master only loses its comparisons
            continue
        lab = (notebook.metadata.get("osmcourse") or {}).get("lab")
        if isinstance(lab, str) and lab in LABS_BY_ID:
            masters[lab] = notebook
    return masters


def fingerprint(notebook: Any, stubs: set[str] = frozenset()) -> str:
    """A digest of what a student wrote: every code cell and written answer, whitespace at line
    ends and blank lines ignored; outputs, metadata and the Colab cell left out."""
    if not isinstance(notebook, dict):
        return ""
    parts = []
    for cell in as_list(notebook.get("cells")):
        if not isinstance(cell, dict):
            continue
        tags = as_list(as_dict(cell.get("metadata")).get("tags"))
        source = cell.get("source", "")
        source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and "colab-setup" not in tags and _normalise(source):
            parts.append("code:" + _normalise(source))
        elif cell.get("cell_type") == "markdown" and written_answers.WRITTEN_TAG in tags:
            parts.append(
                "written:" + ("" if written_answers.is_stub(source, stubs) else _normalise(source))
            )
    return hashlib.sha256("\n\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines() if line.strip())


def error_messages(executed: Any, limit: int = 400) -> list[str]:
    """Each error a code cell of the executed notebook raised: "Code cell 3: ZeroDivisionError: …"."""
    messages: list[str] = []
    if not isinstance(executed, dict):
        return messages
    number_ = 0
    for cell in as_list(executed.get("cells")):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if "__osm_" in ("".join(map(str, source)) if isinstance(source, list) else str(source)):
            continue  # the grader's own cell
        number_ += 1
        for output in as_list(cell.get("outputs")):
            if isinstance(output, dict) and output.get("output_type") == "error":
                value = _ANSI.sub("", str(output.get("evalue", "")))
                value = value if len(value) <= limit else value[:limit] + " …"
                messages.append(
                    f"Code cell {number_}: {output.get('ename', 'Error')}: {value}".rstrip(": ")
                )
    return messages


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class _Reference:
    solutions: str
    student: str
    stubs: set[str]
    master: Any


def _references(masters: dict[str, Any]) -> dict[str, _Reference]:
    from osmcourse.student import make_student_copy

    refs = {}
    for lab, master in masters.items():
        _, stubs = written_answers.rubrics(master)
        copy = make_student_copy(master, "")
        refs[lab] = _Reference(fingerprint(master, stubs), fingerprint(copy, stubs), stubs, master)
    return refs


def build_entries(
    submissions: list[Submission],
    roots: list[Path],
    roster: list[Student] | None = None,
    expected_lab: str | None = None,
    masters: dict[str, Any] | None = None,
) -> list[Entry]:
    """One entry per submission and one per roster student without any, in a stable order.

    ``roots`` are the files and folders given to the grader (student ids come from paths under
    them); ``masters`` the master notebooks by lab (for the rubric and the copy checks).
    """
    references = _references(masters or {})
    paths = [s.path for s in submissions]
    assigned, unassigned = assign(paths, roots, roster)
    strangers = ids_from_paths([p for p in paths if p not in assigned], roots)
    entries: list[Entry] = []
    for submission in sorted(submissions, key=lambda s: str(s.path)):
        student = assigned.get(submission.path)
        notes: list[str] = []
        if student is None:
            student = Student(strangers[submission.path])
            others = unassigned.get(submission.path) or []
            notes.append(
                "matches several students on the roster: " + ", ".join(s.id for s in others)
                if others
                else "not on the roster"
            )
        try:
            entry = _entry(
                submission, student, expected_lab, references, notes, on_roster=not notes
            )
        except Exception as error:  # noqa: BLE001 - one odd notebook never stops the reports
            entry = _entry(
                replace(submission, notebook=None, executed=None),
                student,
                expected_lab,
                references,
                notes + [f"its notebook could not be read for the report ({type(error).__name__})"],
                on_roster=not notes,
            )
        entries.append(entry)
    if roster is not None:
        handed_in = {e.student for e in entries if e.on_roster}
        for student in roster:
            if student.id not in handed_in:
                entries.append(_missing(student, expected_lab))
    return assign_keys(entries)


def _entry(
    submission: Submission,
    student: Student,
    expected_lab: str | None,
    references: dict[str, _Reference],
    notes: list[str],
    on_roster: bool,
) -> Entry:
    lab_id = expected_lab or submission.lab or ""
    lab = get_lab(lab_id) if lab_id in LABS_BY_ID else None
    status = submission.status or "ok"
    rows = submission.rows
    entry = Entry(
        key="",
        student=student.id,
        name=student.name,
        lab=lab_id,
        lab_title=lab.title if lab else "",
        file=printable(str(submission.path)),
        status=status,
        on_roster=on_roster,
        tasks=[
            TaskResult(r.question, float(r.score), float(r.max_score), r.feedback)
            for r in rows
            if r.question != "run" and submission.lab == lab_id
        ],
        problems=[r.feedback for r in rows if r.question == "run"],
        errors=error_messages(submission.executed),
        digest=submission.digest,
        notes=list(notes),
        source=source_id(submission.path),
    )
    entry.task_max = lab.max_points if lab else sum(t.max_score for t in entry.tasks)
    if submission.lab and submission.lab != lab_id:
        entry.notes.append(f"handed in the lab {submission.lab!r}")
    reference = references.get(submission.lab)
    stubs = reference.stubs if reference else set()
    entry.fingerprint = fingerprint(submission.notebook, stubs)
    if lab is not None and status not in NOT_GRADED:
        entry.written = written_answers.collect(
            submission.notebook, lab, reference.master if reference else None
        )
    meta = as_dict(as_dict(as_dict(submission.notebook).get("metadata")).get("osmcourse"))
    if meta.get("edition") == "solutions":
        entry.notes.append("a copy of the solutions master (its metadata says so)")
    elif reference and entry.fingerprint == reference.solutions:
        entry.notes.append("same code and written answers as the solutions master")
    if reference and entry.fingerprint == reference.student:
        entry.notes.append(UNTOUCHED)
    return entry


def source_id(path: Path) -> str:
    """A digest of a submission's exact path, bytes and all (two names that print alike differ)."""
    return hashlib.sha256(os.fsencode(path)).hexdigest()[:32]


def _missing(student: Student, expected_lab: str | None) -> Entry:
    lab = get_lab(expected_lab) if expected_lab in LABS_BY_ID else None
    entry = Entry(
        key="",
        student=student.id,
        name=student.name,
        lab=expected_lab or "",
        lab_title=lab.title if lab else "",
        status=NO_SUBMISSION,
        task_max=lab.max_points if lab else 0.0,
    )
    if lab is not None:
        entry.written = written_answers.collect(None, lab)
    return entry


def assign_keys(entries: list[Entry]) -> list[Entry]:
    """Sort entries and give each one without a key a unique key, safe as a file name.

    Keys already given (read back from ``gradebook.json``) are kept, so a key never moves from
    one student to another. A student whose id is itself a safe file name owns it (the first of
    their entries; the others get ``ID-LAB``, ``ID-LAB-2``...). Any other id is made safe (runs
    of other characters become ``_``) and, when that form is taken or is the form of another id,
    gets ``-`` and a digest of the exact id: ``_ada`` never takes ``ada``'s page, nor ``a da``.
    """
    entries.sort(key=lambda e: (e.student.lower(), e.student, e.lab, e.file))
    owner: dict[str, str] = {}  # each key given (lower case) -> the student it names
    for entry in entries:  # keys given before stay; a damaged or repeated one is given anew
        if entry.key and _safe_name(entry.key) and entry.key.lower() not in owner:
            owner[entry.key.lower()] = entry.student
        else:
            entry.key = ""
    pending = [e for e in entries if not e.key]
    for entry in pending:  # first, every safe id takes its own name (with its first entry)
        if _safe_name(entry.student) and entry.student.lower() not in owner:
            entry.key = entry.student
            owner[entry.key.lower()] = entry.student
    for entry in pending:
        if entry.key:
            continue
        entry.key = next(
            c for c in _candidates(entry, owner) if _safe_name(c) and c.lower() not in owner
        )
        owner[entry.key.lower()] = entry.student
    return entries


def _candidates(entry: Entry, owner: dict[str, str]) -> Iterable[str]:
    """Keys to try, in order, for an entry whose own name (or safe form) is taken."""
    student = entry.student
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
    lab = entry.lab or "x"
    if _safe_name(student):
        # Their own name is taken: by another entry of theirs (then ID-LAB), or by another
        # student, capitals aside ("Ada" when "ada" has it; then ID-DIGEST).
        if owner.get(student.lower()) == student:
            yield f"{student[:60]}-{lab}"
        stem = f"{student[:60]}-{digest[:8]}"
    else:
        base = _slug(student)
        yield base  # the safe form alone only while it is free
        stem = f"{base[:60]}-{digest[:8]}"
    yield stem
    for number_ in range(2, 1000):
        yield f"{stem}-{lab}-{number_}"
    yield f"student-{digest[:60]}"


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,79}")
# Names Windows keeps for devices, whatever follows a dot: a page named so cannot be opened there.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
}


def _safe_name(text: str) -> bool:
    """Whether ``text`` is a file name on every system as it is (ASCII letters, digits, ``._-``)."""
    return (
        bool(_SAFE_NAME.fullmatch(text))
        and not text.endswith(".")
        and text.split(".")[0].lower() not in _RESERVED
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:71].rstrip(".") or "student"
    return slug if _safe_name(slug) else f"student_{slug}"[:71]


# --- Remarks ----------------------------------------------------------------------------


def remarks(entries: list[Entry]) -> dict[str, list[str]]:
    """What the instructor should look at, per entry key: the entry's own notes, copies of a
    classmate's notebook (byte for byte, or the same code and written answers), several
    submissions from one student, written answers still to mark."""
    by_digest: dict[str, list[Entry]] = {}
    by_print: dict[str, list[Entry]] = {}
    by_student: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        if not entry.handed_in:
            continue
        by_student.setdefault((entry.student, entry.lab), []).append(entry)
        # Untouched copies and copies of the master are alike by design: their own note says so.
        if any(n == UNTOUCHED or "solutions master" in n for n in entry.notes):
            continue
        if entry.digest:
            by_digest.setdefault(entry.digest, []).append(entry)
        if entry.fingerprint and entry.status not in NOT_GRADED:
            by_print.setdefault(entry.fingerprint, []).append(entry)
    result = {entry.key: list(entry.notes) for entry in entries}
    for entry in entries:
        notes = result[entry.key]
        twins = (
            [e.key for e in by_digest.get(entry.digest, []) if e is not entry]
            if entry.digest
            else []
        )
        if twins and entry in by_digest.get(entry.digest, []):
            notes.append("byte-identical to " + ", ".join(twins))
        alike = [
            e.key
            for e in by_print.get(entry.fingerprint, [])
            if e is not entry and e.key not in twins
        ]
        if alike and entry in by_print.get(entry.fingerprint, []):
            notes.append("same code and written answers as " + ", ".join(alike))
        several = by_student.get((entry.student, entry.lab), [])
        if len(several) > 1 and entry.on_roster:
            notes.append(f"{len(several)} submissions for this lab")
        if entry.unmarked and entry.handed_in:
            notes.append(
                f"{entry.unmarked} written answer{'s' if entry.unmarked > 1 else ''} to mark"
            )
    return result


# --- The gradebook table ----------------------------------------------------------------


def columns(entries: list[Entry]) -> tuple[list[str], list[str]]:
    """The task and written-question columns: every one any entry's lab has, in order."""
    tasks: list[str] = []
    questions: list[str] = []
    for lab_id in sorted({e.lab for e in entries if e.lab in LABS_BY_ID}):
        lab = get_lab(lab_id)
        tasks.extend(t for t in lab.tasks if t not in tasks)
        questions.extend(q for q in written_answers.written_questions(lab) if q not in questions)
    for entry in entries:  # tasks of entries whose lab is unknown here
        tasks.extend(t.question for t in entry.tasks if t.question not in tasks)
        questions.extend(w.question for w in entry.written if w.question not in questions)
    tasks.sort(key=lambda t: (int(t), "") if t.isdigit() else (10**6, t))
    return tasks, questions


def table(entries: list[Entry]) -> tuple[list[str], list[list[Any]], set[int]]:
    """Header, rows (numbers as numbers, blanks as ``None``) and the numeric column indexes."""
    tasks, questions = columns(entries)
    header = [
        "student",
        "name",
        "lab",
        *(f"task {t}" for t in tasks),
        *questions,
        "total",
        "maximum",
        "percent",
        "status",
        "remarks",
        "file",
        "feedback",
    ]
    notes = remarks(entries)
    rows = []
    for entry in entries:
        scores = {t.question: t.score for t in entry.tasks}
        marks = {w.question: w.points for w in entry.written}
        percent = entry.percent
        rows.append(
            [
                entry.student,
                entry.name,
                entry.lab,
                *(scores.get(t) for t in tasks),
                *(marks.get(q) for q in questions),
                entry.total,
                entry.maximum,
                None if percent is None else round(percent, 1),
                entry.status,
                "; ".join(notes[entry.key]),
                entry.file,
                f"{FEEDBACK_FOLDER}/{entry.key}.html",
            ]
        )
    numeric = set(range(3, 3 + len(tasks) + len(questions) + 3))
    return header, rows, numeric


def gradebook_csv(entries: list[Entry]) -> bytes:
    header, rows, numeric = table(entries)
    records = [
        [("" if v is None else number(v)) if i in numeric else v for i, v in enumerate(row)]
        for row in rows
    ]
    return csv_bytes(header, records, numeric=numeric)


def gradebook_xlsx(entries: list[Entry]) -> bytes:
    """The gradebook as an Excel workbook (numbers are numbers; text is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows, numeric = table(entries)
    book = Workbook()
    sheet = book.active
    sheet.title = "gradebook"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[1]:
        cell.value = xlsx_text(cell.value)
    for row in rows:
        sheet.append([v if i in numeric else xlsx_text(v) for i, v in enumerate(row)])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
    sheet.freeze_panes = "B2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [min(len(str(r[index - 1] or "")), 60) for r in rows])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            max(8, width + 2), 60
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook, without the save time (in its properties and its zip entries)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", content
                )
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


# --- Saving, loading, writing everything ------------------------------------------------


def save_state(entries: list[Entry], folder: Path) -> None:
    data = {"version": STATE_VERSION, "entries": [asdict(e) for e in entries]}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomically(folder / STATE_FILE, printable(text).encode("utf-8"))


def load_state(folder: Path) -> list[Entry]:
    """The entries a grader run saved in ``folder``.

    Raises:
        FileNotFoundError: ``folder`` holds no gradebook.
        ValueError: the gradebook file is damaged or of another version.
    """
    path = folder / STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {STATE_FILE} in {folder}: is it a folder the grader wrote?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        entries = [Entry.from_dict(item) for item in data["entries"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} cannot be read ({error})") from None
    keys: dict[str, Entry] = {}
    for entry in entries:  # a key names one student's page and marks: never two entries
        other = keys.setdefault(entry.key.lower(), entry)
        if other is not entry or not entry.key:
            raise ValueError(
                f"{path} cannot be read: the key {entry.key!r} names two entries "
                f"({other.file or other.student} and {entry.file or entry.student})"
            )
    return entries


def write_outputs(entries: list[Entry], folder: Path) -> list[Path]:
    """Every file drawn from the entries: state, gradebook (CSV, XLSX), marking sheets, feedback."""
    from osmcourse.grading.feedback import feedback_html

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    save_state(entries, folder)
    written.append(folder / STATE_FILE)
    write_atomically(folder / GRADEBOOK_CSV, gradebook_csv(entries))
    written.append(folder / GRADEBOOK_CSV)
    if importlib.util.find_spec("openpyxl") is not None:  # pinned; without it, the CSV alone
        write_atomically(folder / GRADEBOOK_XLSX, gradebook_xlsx(entries))
        written.append(folder / GRADEBOOK_XLSX)
    sheets: dict[str, list[tuple[str, str, WrittenAnswer]]] = {}
    for entry in entries:
        if not entry.handed_in:
            continue
        for answer in entry.written:
            sheets.setdefault(entry.lab, []).append((entry.key, entry.name, answer))
    for lab, lines in sorted(sheets.items()):
        path = folder / f"written-{lab}.csv"
        written_answers.write_marking_sheet(path, lines)
        written.append(path)
    feedback = folder / FEEDBACK_FOLDER
    feedback.mkdir(exist_ok=True)
    for entry in entries:
        path = feedback / f"{entry.key}.html"
        write_atomically(path, feedback_html(entry).encode("utf-8"))
        written.append(path)
    return written


def write_executed(submissions: list[Submission], entries: list[Entry], folder: Path) -> list[Path]:
    """Each executed notebook, with its outputs and errors, as ``folder/KEY.ipynb``.

    What a notebook holds never stops the others being written: structures nested deeper than
    :data:`MAX_DEPTH` are replaced by a note, and a notebook that still cannot be written is
    left out (the others are written).
    """
    folder.mkdir(parents=True, exist_ok=True)
    keys = {entry.source: entry.key for entry in entries if entry.source}
    written = []
    for submission in submissions:
        key = keys.get(source_id(submission.path))
        if key is None or submission.executed is None:
            continue
        path = folder / f"{key}.ipynb"
        try:
            text = nbformat.writes(nbformat.from_dict(bounded(submission.executed)))
        except Exception:  # noqa: BLE001 - one odd notebook is left out, never the others
            continue
        write_atomically(path, printable(text).encode("utf-8"))
        written.append(path)
    return written


def bounded(value: Any, depth: int = MAX_DEPTH) -> Any:
    """A copy of a JSON-like ``value`` with every container nested deeper than ``depth``
    replaced by :data:`TOO_DEEP`; keys become text. Iterative: no depth can exhaust the stack."""

    def shallow(item: Any) -> Any:
        if isinstance(item, dict):
            return {}
        if isinstance(item, (list, tuple)):
            return []
        return item if item is None or isinstance(item, (str, int, float, bool)) else str(item)

    root = shallow(value)
    stack = [(value, root, 0)]
    while stack:
        source, target, level = stack.pop()
        if isinstance(source, dict):
            pairs = [(str(k), v) for k, v in source.items()]
        elif isinstance(source, (list, tuple)):
            pairs = list(enumerate(source))
        else:
            continue
        for name, item in pairs:
            nested = isinstance(item, (dict, list, tuple))
            copy = TOO_DEEP if nested and level + 1 >= depth else shallow(item)
            if isinstance(target, dict):
                target[name] = copy
            else:
                target.append(copy)
            if nested and copy is not TOO_DEEP:
                stack.append((item, copy, level + 1))
    return root


# --- Merging ----------------------------------------------------------------------------


class MergeError(ValueError):
    """Marks or regraded rows that cannot be merged; the message says which and why."""


def apply_marks(
    entries: list[Entry], marks: dict[tuple[str, str], tuple[float | None, str]]
) -> int:
    """Fold the instructor's written marks into the entries; return how many were given.

    Each mark must name exactly one entry by its key (capitals aside: keys are unique so). Raises
    :class:`MergeError`, naming the sheet's line where it is known, for a key that names nobody
    in the gradebook, a question the entry does not have, or points above its maximum; nothing
    is changed then.
    """
    by_key: dict[str, list[Entry]] = {}
    for entry in entries:
        by_key.setdefault(entry.key.lower(), []).append(entry)
    where = getattr(marks, "where", {})
    given = 0
    changes = []
    for (key, question), (points, comment) in sorted(marks.items()):
        line = f"{where[(key, question)]}: " if (key, question) in where else ""
        found = by_key.get(key.lower(), [])
        if len(found) != 1:
            raise MergeError(
                f"{line}the marking sheet names {key!r}, who is "
                + (
                    "not in the gradebook"
                    if not found
                    else f"{len(found)} entries in the gradebook"
                )
                + ": the student column must be a key the grader wrote, as it wrote it"
            )
        entry = found[0]
        answer = next((w for w in entry.written if w.question == question), None)
        if answer is None:
            raise MergeError(f"{line}{key} has no written question {question!r} in the gradebook")
        if points is not None and points > answer.max_points:
            raise MergeError(
                f"{line}{key}, {question}: {points:g} points is more than the {answer.max_points:g} "
                "the question is worth"
            )
        changes.append((answer, points, comment))
    for answer, points, comment in changes:  # all checked first: a refused sheet changes nothing
        answer.points, answer.comment = points, comment
        given += points is not None
    return given


def carry_over(previous: list[Entry], entries: list[Entry]) -> list[Entry]:
    """``entries`` of a new ``grade`` run into a folder an earlier run wrote (``previous``):
    each row of the same student, lab and file keeps its key, and each written answer whose text
    is unchanged keeps the mark and comment given, so running ``grade`` again loses no mark and
    moves no feedback page."""
    old: dict[tuple[str, str, str], Entry] = {}
    for entry in previous:
        old.setdefault((entry.student, entry.lab, entry.source or entry.file), entry)
    taken: dict[str, int] = {}
    matches = []
    for entry in entries:
        match = old.get((entry.student, entry.lab, entry.source or entry.file))
        matches.append(match)
        if match is not None:
            taken[match.key.lower()] = taken.get(match.key.lower(), 0) + 1
    for entry, match in zip(entries, matches):
        if match is None:
            continue
        if taken[match.key.lower()] == 1:
            entry.key = match.key
        marks = {(w.question, w.answer): (w.points, w.comment) for w in match.written}
        for answer in entry.written:
            mark = marks.get((answer.question, answer.answer))
            if mark is not None and (mark[0] is not None or mark[1]):
                answer.points, answer.comment = mark
    return assign_keys(entries)


def replace_students(entries: list[Entry], regraded: list[Entry]) -> tuple[list[Entry], list[str]]:
    """``entries`` with the rows of every student ``regraded`` has a submission for replaced.

    Roster students the regrade found no submission for are left as they were. A written mark
    already given is kept when the regraded answer is the same text.
    Returns the merged entries and the student ids replaced.
    """
    fresh = [e for e in regraded if e.handed_in]
    students = sorted({e.student for e in fresh})
    labs: dict[str, set[str]] = {}
    for e in fresh:
        labs.setdefault(e.student, set()).add(e.lab)
    old_marks = {
        (e.student, e.lab, w.question, w.answer): (w.points, w.comment)
        for e in entries
        for w in e.written
        if w.points is not None or w.comment
    }
    # A student's rows of the regraded labs go, and any row of theirs with no lab at all.
    gone = [e for e in entries if e.student in labs and (e.lab in labs[e.student] or not e.lab)]
    kept = [e for e in entries if not any(e is g for g in gone)]
    # The regraded rows take the keys of the rows they replace (same student and lab), so a
    # student's feedback page and marking-sheet lines keep their name; other keys are given anew.
    old_keys: dict[tuple[str, str], list[str]] = {}
    for e in sorted(gone, key=lambda e: e.key):
        old_keys.setdefault((e.student, e.lab), []).append(e.key)
    for entry in sorted(fresh, key=lambda e: (e.student, e.lab, e.file)):
        keys = old_keys.get((entry.student, entry.lab)) or []
        entry.key = keys.pop(0) if keys else ""
    for entry in fresh:
        for answer in entry.written:
            mark = old_marks.get((entry.student, entry.lab, answer.question, answer.answer))
            if mark is not None and answer.points is None:
                answer.points, answer.comment = mark
    return assign_keys(kept + fresh), students
