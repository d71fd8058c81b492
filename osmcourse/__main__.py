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
import sys
from pathlib import Path

from osmcourse.bookconfig import QUIZZES_FOLDER
from osmcourse.grading import classdata
from osmcourse.grading import commands as grading_commands
from osmcourse.grading.commands import say
from osmcourse.quizzes import export as quiz_formats
from osmcourse.student import write_student_copies


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
        default=grading_commands.DEFAULT_TIMEOUT,
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
        return grading_commands.grade(_grade_options(args))
    if args.command == "merge":
        return grading_commands.merge(_merge_options(args))
    if args.command == "student":
        try:
            written = write_student_copies(args.out, args.book)
        except (OSError, ValueError) as error:
            say(f"osmcourse student: {error}", sys.stderr)
            return 2
        for path in written:
            say(f"wrote {path}")
        return 0
    return 2  # unreachable: argparse requires a command


def _quiz_export(args: argparse.Namespace) -> int:
    from osmcourse.quizzes import QuizError

    try:
        written = quiz_formats.write_export(args.out, args.chapter, args.format)
    except (OSError, ValueError, QuizError) as error:
        say(f"osmcourse quiz-export: {error}", sys.stderr)
        return 2
    say(f"wrote {written}")
    return 0


def _grade_options(args: argparse.Namespace) -> grading_commands.GradeOptions:
    """The parsed ``grade`` arguments as the command's options (``--no-isolation``: ``isolate``)."""
    return grading_commands.GradeOptions(
        submissions=list(args.submissions),
        out=args.out,
        lab=args.lab,
        roster=args.roster,
        keep_executed=args.keep_executed,
        masters=args.masters,
        timeout=args.timeout,
        jobs=args.jobs,
        isolate=not args.no_isolation,
        fresh=args.fresh,
        shard=args.shard,
        lms=list(args.lms),
        canvas_assignment=list(args.canvas_assignment),
    )


def _merge_options(args: argparse.Namespace) -> grading_commands.MergeOptions:
    """The parsed ``merge`` arguments as the command's options."""
    return grading_commands.MergeOptions(
        folder=args.folder,
        regraded=list(args.regraded),
        written=list(args.written),
        shards=list(args.shards),
        lms_roster=args.lms_roster,
        lms=list(args.lms),
        canvas_assignment=list(args.canvas_assignment),
    )


if __name__ == "__main__":
    sys.exit(main())
