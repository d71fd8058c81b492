"""Command line: ``python -m osmcourse COMMAND``.

Commands:
  student --out DIR [--book DIR]   write the student copy of every lab into DIR
  grade SUBMISSION... --out DIR [--lab LAB] [--roster FILE] [--keep-executed DIR]
        [--timeout SECONDS] [--jobs N] [--no-isolation] [--fresh]
                                   grade notebooks (files or folders), each in a fresh sandboxed
                                   kernel; write into DIR the gradebook (CSV and XLSX), the
                                   per-question CSV, one feedback page per student and the
                                   written answers to mark. Each result is saved in DIR/journal/
                                   as soon as it is graded: run the same command again after an
                                   interruption and only what was not graded (or has changed)
                                   runs again
  merge DIR [REGRADED_DIR...] [--written FILE...]
                                   fold the written marks (DIR/written-LAB.csv) and the students
                                   regraded into REGRADED_DIR into the gradebook in DIR, and
                                   write its files and feedback pages again
  quiz-export OUT.gift [--chapter NAME...] [--format gift|qti]
                                   write the reading checks as a Moodle GIFT file (or, with
                                   --format qti, a QTI 1.2 zip that Canvas imports)

With ``--out FILE.csv`` (as in earlier versions) the per-question CSV is FILE.csv and the other
files are written beside it.

Everything printed is printable text: a file name or an error name from a submission cannot
send escape sequences to the terminal or start a line of its own (``report.terminal_text``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from osmcourse import grading
from osmcourse.bookconfig import QUIZZES_FOLDER
from osmcourse.labs import LABS_BY_ID
from osmcourse.student import write_student_copies
from osmcourse.grading import classdata, gradebook
from osmcourse.grading.journal import Journal
from osmcourse.grading.report import status_counts, summary, terminal_text
from osmcourse.grading.roster import RosterError, read_roster
from osmcourse.grading.written import read_marks
from osmcourse.quizzes import export as quiz_formats

QUESTIONS_CSV = "questions.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m osmcourse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    student = commands.add_parser("student", help="write student copies of the labs (no solutions)")
    student.add_argument("--out", required=True, type=Path, help="folder to write the copies to")
    student.add_argument(
        "--book",
        default=Path("."),
        type=Path,
        help="the book's root folder, with _config.yml and exercises/ (default: .)",
    )

    grade = commands.add_parser("grade", help="grade submitted lab notebooks into a gradebook")
    grade.add_argument(
        "submissions", nargs="+", type=Path, help="notebook files or folders of them"
    )
    grade.add_argument(
        "--out",
        required=True,
        type=Path,
        help="the folder to write into (or a .csv file: the per-question CSV, the rest beside it)",
    )
    grade.add_argument(
        "--lab",
        default=None,
        help="the lab the class was set; notebooks of other labs get a row saying so",
    )
    grade.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV of the class (columns id, name, pattern): every student gets a row",
    )
    grade.add_argument(
        "--keep-executed",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep each executed notebook, with its outputs and errors, in DIR",
    )
    grade.add_argument(
        "--masters",
        type=Path,
        default=None,
        metavar="DIR",
        help="the master lab notebooks, to spot copies of them (default: the course's exercises/)",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=grading.DEFAULT_TIMEOUT,
        help="processor seconds one notebook may use (default: %(default)s)",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at once (default: one more than the cores)",
    )
    grade.add_argument(
        "--no-isolation",
        action="store_true",
        help="run students' code without a sandbox, where none exists (every row says so)",
    )
    grade.add_argument(
        "--fresh",
        action="store_true",
        help="grade everything again, ignoring the results saved in DIR/journal/ by an earlier run",
    )

    merge = commands.add_parser(
        "merge", help="fold written marks and regraded students into a gradebook"
    )
    merge.add_argument("folder", type=Path, help="the folder a `grade` run wrote")
    merge.add_argument(
        "regraded",
        nargs="*",
        type=Path,
        help="folders of later `grade` runs: their students' rows replace the old ones",
    )
    merge.add_argument(
        "--written",
        nargs="*",
        type=Path,
        default=[],
        metavar="FILE",
        help="marking sheets to read (default: the written-LAB.csv files in the folder)",
    )

    # lms hook: --shard, --lms, --canvas-assignment (grade); --shards, --roster, --lms (merge)
    classdata.add_grade_options(grade)
    classdata.add_merge_options(merge)

    quiz_export = commands.add_parser(
        "quiz-export", help="write the reading checks as a Moodle GIFT file"
    )
    quiz_export.add_argument(
        "out", type=Path, help="the GIFT file to write (e.g. reading-checks.gift)"
    )
    quiz_export.add_argument(
        "--chapter",
        nargs="*",
        default=[],
        metavar="NAME",
        help=f"only these chapters' questions (file names in {QUIZZES_FOLDER}/)",
    )
    quiz_export.add_argument(
        "--format",
        choices=tuple(quiz_formats.FORMATS),  # the registry: a new format needs no edit here
        default=quiz_formats.DEFAULT_FORMAT,  # lms hook
        help=quiz_formats.formats_help(),
    )

    args = parser.parse_args(argv)
    for stream in (
        sys.stdout,
        sys.stderr,
    ):  # a terminal that cannot show a character gets its escape
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
    if args.command == "quiz-export":
        return _quiz_export(args)
    if args.command == "grade":
        return _grade(args)
    if args.command == "merge":
        return _merge(args)
    if args.command == "student":
        try:
            written = write_student_copies(args.out, args.book)
        except (OSError, ValueError) as error:
            _say(f"osmcourse student: {error}", sys.stderr)
            return 2
        for path in written:
            _say(f"wrote {path}")
        return 0
    return 2  # unreachable: argparse requires a command


def _say(text: str, stream=None) -> None:  # noqa: ANN001 - a text stream
    """Print ``text`` as one line of printable text (see ``report.terminal_text``): a name in
    it that holds a line break or an escape sequence shows them as ``\\x0a``, ``\\x1b``."""
    print(terminal_text(text), file=stream or sys.stdout)


def _quiz_export(args: argparse.Namespace) -> int:
    from osmcourse.quizzes import QuizError

    try:
        written = quiz_formats.write_export(args.out, args.chapter, args.format)
    except (OSError, ValueError, QuizError) as error:
        _say(f"osmcourse quiz-export: {error}", sys.stderr)
        return 2
    _say(f"wrote {written}")
    return 0


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


def _default_masters() -> Path | None:
    """The course's master notebooks, when the package runs from the course repository."""
    for root in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (root / "exercises").is_dir() and (root / "_toc.yml").is_file():
            return root / "exercises"
    return None


def _grade(args: argparse.Namespace) -> int:
    folder, questions = output_paths(args.out)
    # A folder named by --out is made if need be; the folder of a .csv file must exist.
    if not _writable_folder(folder, create=folder == args.out) or questions.is_dir():
        _say(f"osmcourse grade: cannot write {args.out}", sys.stderr)
        return 2
    if args.timeout <= 0:
        _say("osmcourse grade: --timeout must be positive", sys.stderr)
        return 2
    if args.lab is not None and args.lab not in LABS_BY_ID:
        _say(
            f"osmcourse grade: no lab {args.lab!r}; the labs are {', '.join(sorted(LABS_BY_ID))}",
            sys.stderr,
        )
        return 2
    try:
        roster = read_roster(args.roster) if args.roster is not None else None
    except RosterError as error:
        _say(f"osmcourse grade: {error}", sys.stderr)
        return 2
    try:
        previous = _previous_run(folder)
    except (ValueError, OSError) as error:
        _say(
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
        paths = classdata.grade_paths(args)  # lms hook: all the submissions, or this shard's share
        settings = {"lab": args.lab, "timeout": args.timeout, "isolate": not args.no_isolation}
        journal = Journal(folder, settings)
        if args.fresh:
            journal.forget()
        result = grading.grade(
            paths,
            questions,
            timeout=args.timeout,
            jobs=args.jobs,
            lab=args.lab,
            isolate=not args.no_isolation,
            progress=sys.stderr,
            journal=journal,
        )
    except (FileNotFoundError, ValueError) as error:
        if made and not any(folder.iterdir()):
            folder.rmdir()  # nothing was graded: leave no empty folder behind
        _say(f"osmcourse grade: {error}", sys.stderr)
        return 2
    except OSError as error:
        _say(f"osmcourse grade: cannot write {questions} ({error.strerror})", sys.stderr)
        return 2
    submissions = gradebook.as_submissions(result)
    masters = gradebook.load_masters(args.masters or _default_masters())
    entries = gradebook.build_entries(
        submissions, list(args.submissions), roster, args.lab, masters
    )
    if previous:
        entries = gradebook.carry_over(previous, entries)
    try:
        extra = classdata.before_grade_outputs(
            args, submissions, entries, masters, folder
        )  # lms hook
        files = gradebook.write_outputs(entries, folder)
        files += classdata.after_outputs(
            entries, extra, folder
        )  # lms hook: class reports, LMS files
        if args.keep_executed is not None:
            gradebook.write_executed(submissions, entries, args.keep_executed)
    except OSError as error:
        _say(
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
    _say(
        f"{counts['correct']} correct, {counts['incorrect']} wrong, {counts['unanswered']} unanswered; "
        f"wrote {questions}"
    )
    if journal.reused:
        _say(
            f"{journal.reused} submissions were graded by an earlier run with the same settings and have not "
            f"changed: their results come from {folder / 'journal'} (--fresh grades everything again)"
        )
    print(_gradebook_summary(entries, folder, files))  # printable lines (escaped there)
    return 0


def _previous_run(folder: Path) -> list[gradebook.Entry]:
    """The entries an earlier run left in ``folder``, with the marks entered in its marking
    sheets since (not merged yet): a new run into the same folder keeps them, never drops them.

    Raises ValueError (a damaged gradebook, a mark that cannot be used) or OSError.
    """
    if not (folder / gradebook.STATE_FILE).is_file():
        return []
    entries = gradebook.load_state(folder)
    for sheet in sorted(folder.glob("written-*.csv")):
        gradebook.apply_marks(entries, read_marks(sheet))
    return entries


def _gradebook_summary(entries: list[gradebook.Entry], folder: Path, files: list[Path]) -> str:
    students = {e.student for e in entries}
    missing = sorted(e.key for e in entries if not e.handed_in)
    strangers = sorted(e.file for e in entries if not e.on_roster)
    to_mark = sum(e.unmarked for e in entries if e.handed_in)
    notes = gradebook.remarks(entries)
    flagged = sorted(
        key
        for key, items in notes.items()
        if any("identical" in n or "same code" in n or "solutions master" in n for n in items)
    )
    names = [p.name for p in files if p.parent == folder and p.name != gradebook.STATE_FILE]
    lines = [
        f"gradebook: {len(students)} students, {len(entries)} rows; wrote into {folder}: "
        f"{', '.join(names)}, {gradebook.FEEDBACK_FOLDER}/ (one page per student)"
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


def _merge(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    try:
        entries = classdata.merge_entries(args)  # lms hook: the shards' entries, combined
        entries = gradebook.load_state(folder) if entries is None else entries
        sheets = args.written or sorted(folder.glob("written-*.csv"))
        given = 0
        for sheet in sheets:
            given += gradebook.apply_marks(entries, read_marks(sheet))
        replaced: list[str] = []
        for other in args.regraded:
            entries, students = gradebook.replace_students(entries, gradebook.load_state(other))
            replaced += students
        extra = classdata.before_merge_outputs(args, entries, folder)  # lms hook
        files = gradebook.write_outputs(entries, folder)
        files += classdata.after_outputs(
            entries, extra, folder
        )  # lms hook: class reports, LMS files
    except (FileNotFoundError, ValueError) as error:  # MarkError and MergeError are ValueErrors
        _say(f"osmcourse merge: {error}", sys.stderr)
        return 2
    except OSError as error:
        _say(f"osmcourse merge: cannot read or write in {folder} ({error.strerror})", sys.stderr)
        return 2
    _say(
        f"merged {given} written marks from {len(sheets)} marking sheets"
        + (f"; replaced the rows of {', '.join(sorted(set(replaced)))}" if replaced else "")
    )
    print(_gradebook_summary(entries, folder, files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
