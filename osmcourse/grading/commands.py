"""The grader's two commands, ``grade`` and ``merge``, as functions of plain typed options.

``python -m osmcourse`` parses its arguments into :class:`GradeOptions` or :class:`MergeOptions`
and calls :func:`grade` or :func:`merge`; each prints what it did and returns the exit code (0,
or 2 with a message on standard error that says why). Everything printed is printable text: a
file name or an error name from a submission cannot send escape sequences to the terminal or
start a line of its own (:func:`say`, ``report.terminal_text``).

The options' names are the command line's (``--canvas-assignment`` is ``canvas_assignment``):
the hooks of :mod:`.classdata` (shards, LMS layouts) read them by those names.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from osmcourse.labs import LABS_BY_ID
from osmcourse.grading import classdata
from osmcourse.grading.build import as_submissions, build_entries, load_masters, remarks
from osmcourse.grading.entries import Entry
from osmcourse.grading.export import FEEDBACK_FOLDER, write_executed, write_outputs
from osmcourse.grading.grader import DEFAULT_TIMEOUT, grade as grade_submissions
from osmcourse.grading.journal import Journal
from osmcourse.grading.remarks import COPIES, any_of
from osmcourse.grading.report import status_counts, summary, terminal_text
from osmcourse.grading.roster import RosterError, read_roster
from osmcourse.grading.state import (
    STATE_FILE,
    apply_marks,
    carry_over,
    load_state,
    replace_students,
)
from osmcourse.grading.written import read_marks

QUESTIONS_CSV = "questions.csv"


@dataclass
class GradeOptions:
    """What ``grade`` is asked to do (the command line's options, by the same names)."""

    submissions: list[Path]
    out: Path
    lab: str | None = None
    roster: Path | None = None
    keep_executed: Path | None = None
    masters: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    jobs: int | None = None
    isolate: bool = True
    fresh: bool = False
    shard: str | None = None  # "K/N": grade only this shard's share
    lms: list[str] = field(default_factory=list)  # LMS layouts to write: "canvas", "moodle"
    canvas_assignment: list[str] = field(default_factory=list)  # "LAB=ID" items


@dataclass
class MergeOptions:
    """What ``merge`` is asked to do (the command line's options, by the same names)."""

    folder: Path
    regraded: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    shards: list[Path] = field(default_factory=list)
    lms_roster: Path | None = None
    lms: list[str] = field(default_factory=list)
    canvas_assignment: list[str] = field(default_factory=list)


def say(text: str, stream: TextIO | None = None) -> None:
    """Print ``text`` as one line of printable text (see ``report.terminal_text``): a name in
    it that holds a line break or an escape sequence shows them as ``\\x0a``, ``\\x1b``."""
    print(terminal_text(text), file=stream or sys.stdout)


def output_paths(out: Path) -> tuple[Path, Path]:
    """The output folder and the per-question CSV for ``--out``: a folder, or a ``.csv`` file."""
    if out.suffix.lower() == ".csv" and not out.is_dir():
        return out.parent, out
    return out, out / QUESTIONS_CSV


def _writable_folder(folder: Path, create: bool) -> bool:
    """Whether the output folder is writable (or, with ``create``, can be made in its parent)."""
    if folder.exists():
        return folder.is_dir() and os.access(folder, os.W_OK)
    parent = folder.resolve().parent
    return create and parent.is_dir() and os.access(parent, os.W_OK)


def default_masters() -> Path | None:
    """The course's master notebooks, when the package runs from the course repository."""
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (root / "exercises").is_dir() and (root / "_toc.yml").is_file():
            return root / "exercises"
    return None


def grade(options: GradeOptions) -> int:
    """Grade the submissions and write the gradebook; the exit code."""
    folder, questions = output_paths(options.out)
    # A folder named by --out is made if need be; the folder of a .csv file must exist.
    if not _writable_folder(folder, create=folder == options.out) or questions.is_dir():
        say(f"osmcourse grade: cannot write {options.out}", sys.stderr)
        return 2
    if options.timeout <= 0:
        say("osmcourse grade: --timeout must be positive", sys.stderr)
        return 2
    if options.lab is not None and options.lab not in LABS_BY_ID:
        say(
            f"osmcourse grade: no lab {options.lab!r}; the labs are {', '.join(sorted(LABS_BY_ID))}",
            sys.stderr,
        )
        return 2
    try:
        roster = read_roster(options.roster) if options.roster is not None else None
    except RosterError as error:
        say(f"osmcourse grade: {error}", sys.stderr)
        return 2
    try:
        previous = previous_run(folder)
    except (ValueError, OSError) as error:
        say(
            f"osmcourse grade: {folder} holds the gradebook of an earlier run, and {error}. Fix the marking "
            "sheet (then run merge), or choose another --out: nothing was graded, nothing changed",
            sys.stderr,
        )
        return 2
    made = not folder.exists()
    folder.mkdir(exist_ok=True)
    try:
        # The results depend on these and on the checks (which the journal adds): the same
        # command run again takes what an interrupted run saved; a changed one grades again.
        paths = classdata.grade_paths(
            options
        )  # lms hook: all the submissions, or this shard's share
        settings = {"lab": options.lab, "timeout": options.timeout, "isolate": options.isolate}
        journal = Journal(folder, settings)
        if options.fresh:
            journal.forget()
        result = grade_submissions(
            paths,
            questions,
            timeout=options.timeout,
            jobs=options.jobs,
            lab=options.lab,
            isolate=options.isolate,
            progress=sys.stderr,
            journal=journal,
        )
    except (FileNotFoundError, ValueError) as error:
        if made and not any(folder.iterdir()):
            folder.rmdir()  # nothing was graded: leave no empty folder behind
        say(f"osmcourse grade: {error}", sys.stderr)
        return 2
    except OSError as error:
        say(f"osmcourse grade: cannot write {questions} ({error.strerror})", sys.stderr)
        return 2
    submissions = as_submissions(result)
    masters = load_masters(options.masters or default_masters())
    entries = build_entries(submissions, list(options.submissions), roster, options.lab, masters)
    if previous:
        entries = carry_over(previous, entries)
    try:
        extra = classdata.before_grade_outputs(
            options, submissions, entries, masters, folder
        )  # lms hook
        files = write_outputs(entries, folder)
        files += classdata.after_outputs(
            entries, extra, folder
        )  # lms hook: class reports, LMS files
        if options.keep_executed is not None:
            write_executed(submissions, entries, options.keep_executed)
    except OSError as error:
        say(
            f"osmcourse grade: cannot write the gradebook in {folder} ({error.strerror})",
            sys.stderr,
        )
        return 2
    except ValueError as error:  # lms hook: a bad --canvas-assignment or LMS roster
        print(f"osmcourse grade: {error}", file=sys.stderr)
        return 2
    rows = [row for submission in submissions for row in submission.rows]
    print(summary(rows))  # one printable line per submission (report.summary escapes each)
    counts = status_counts(rows)
    say(
        f"{counts['correct']} correct, {counts['incorrect']} wrong, {counts['unanswered']} unanswered; "
        f"wrote {questions}"
    )
    if journal.reused:
        say(
            f"{journal.reused} submissions were graded by an earlier run with the same settings and have not "
            f"changed: their results come from {folder / 'journal'} (--fresh grades everything again)"
        )
    print(gradebook_summary(entries, folder, files))  # printable lines (escaped there)
    return 0


def previous_run(folder: Path) -> list[Entry]:
    """The entries an earlier run left in ``folder``, with the marks entered in its marking
    sheets since (not merged yet): a new run into the same folder keeps them, never drops them.

    Raises ValueError (a damaged gradebook, a mark that cannot be used) or OSError.
    """
    if not (folder / STATE_FILE).is_file():
        return []
    entries = load_state(folder)
    for sheet in sorted(folder.glob("written-*.csv")):
        apply_marks(entries, read_marks(sheet))
    return entries


def gradebook_summary(entries: list[Entry], folder: Path, files: list[Path]) -> str:
    """What ``grade`` and ``merge`` print about the gradebook: its size and files, who handed in
    nothing or matches no one, the copies to look at, the written answers to mark."""
    students = {e.student for e in entries}
    missing = sorted(e.key for e in entries if not e.handed_in)
    strangers = sorted(e.file for e in entries if not e.on_roster)
    to_mark = sum(e.unmarked for e in entries if e.handed_in)
    notes = remarks(entries)
    flagged = sorted(key for key, items in notes.items() if any_of(items, COPIES))
    names = [p.name for p in files if p.parent == folder and p.name != STATE_FILE]
    lines = [
        f"gradebook: {len(students)} students, {len(entries)} rows; wrote into {folder}: "
        f"{', '.join(names)}, {FEEDBACK_FOLDER}/ (one page per student)"
    ]
    if missing:
        lines.append(f"no submission: {', '.join(missing)}")
    if strangers:
        lines.append(f"matching no one on the roster: {', '.join(strangers)}")
    if flagged:
        lines.append(f"to look at (copies): {', '.join(flagged)}")
    if to_mark:
        lines.append(
            f"{to_mark} written answers to mark: fill in the written-LAB.csv files, then run merge"
        )
    # Keys and file names come from students: each line printable, a newline in a name shown as \x0a.
    return "\n".join(terminal_text(line) for line in lines)


def merge(options: MergeOptions) -> int:
    """Fold written marks, regraded students and shards into the gradebook; the exit code."""
    folder = options.folder
    try:
        entries = classdata.merge_entries(options)  # lms hook: the shards' entries, combined
        entries = load_state(folder) if entries is None else entries
        sheets = options.written or sorted(folder.glob("written-*.csv"))
        given = 0
        for sheet in sheets:
            given += apply_marks(entries, read_marks(sheet))
        replaced: list[str] = []
        for other in options.regraded:
            entries, students = replace_students(entries, load_state(other))
            replaced += students
        extra = classdata.before_merge_outputs(options, entries, folder)  # lms hook
        files = write_outputs(entries, folder)
        files += classdata.after_outputs(
            entries, extra, folder
        )  # lms hook: class reports, LMS files
    except (FileNotFoundError, ValueError) as error:  # MarkError and MergeError are ValueErrors
        say(f"osmcourse merge: {error}", sys.stderr)
        return 2
    except OSError as error:
        say(f"osmcourse merge: cannot read or write in {folder} ({error.strerror})", sys.stderr)
        return 2
    say(
        f"merged {given} written marks from {len(sheets)} marking sheets"
        + (f"; replaced the rows of {', '.join(sorted(set(replaced)))}" if replaced else "")
    )
    print(gradebook_summary(entries, folder, files))
    return 0
