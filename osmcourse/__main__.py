"""Command line: ``python -m osmcourse COMMAND``.

Commands:
  student --out DIR [--book DIR]   write the student copy of every lab into DIR
  grade SUBMISSION... --out grades.csv [--lab LAB] [--timeout SECONDS] [--jobs N]
                                   grade notebooks (files or folders) in fresh kernels
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from osmcourse import classroom, grading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m osmcourse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    student = commands.add_parser("student", help="write student copies of the labs (no solutions)")
    student.add_argument("--out", required=True, type=Path, help="folder to write the copies to")
    student.add_argument("--book", default=Path("."), type=Path,
                         help="the book's root folder, with _config.yml and exercises/ (default: .)")

    grade = commands.add_parser("grade", help="grade submitted lab notebooks into a CSV")
    grade.add_argument("submissions", nargs="+", type=Path, help="notebook files or folders of them")
    grade.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    grade.add_argument("--lab", default=None,
                       help="the lab the class was set; notebooks of other labs get a row saying so")
    grade.add_argument("--timeout", type=float, default=grading.DEFAULT_TIMEOUT,
                       help="seconds one notebook may run (default: %(default)s)")
    grade.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: one more than the cores)")

    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "student":
        try:
            written = classroom.write_student_copies(args.out, args.book)
        except (OSError, ValueError) as error:
            print(f"osmcourse student: {error}", file=sys.stderr)
            return 2
        for path in written:
            print(f"wrote {path}")
        return 0
    return 2  # unreachable: argparse requires a command


def _grade(args: argparse.Namespace) -> int:
    out: Path = args.out
    parent = out.resolve().parent
    if out.is_dir() or not parent.is_dir() or not os.access(parent, os.W_OK):
        print(f"osmcourse grade: cannot write {out}", file=sys.stderr)
        return 2
    if args.timeout <= 0:
        print("osmcourse grade: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        rows = grading.grade(args.submissions, out, timeout=args.timeout, jobs=args.jobs, lab=args.lab)
    except (FileNotFoundError, ValueError) as error:
        print(f"osmcourse grade: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"osmcourse grade: cannot write {out} ({error.strerror})", file=sys.stderr)
        return 2
    print(grading.summary(rows))
    counts = grading.status_counts(rows)
    print(f"{counts['correct']} correct, {counts['incorrect']} wrong, "
          f"{counts['unanswered']} unanswered; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
