"""Command line: ``python -m osmcourse COMMAND``.

Commands:
  student --out DIR [--book DIR]   write the student copy of every lab into DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from osmcourse import classroom


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m osmcourse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    student = commands.add_parser("student", help="write student copies of the labs (no solutions)")
    student.add_argument("--out", required=True, type=Path, help="folder to write the copies to")
    student.add_argument("--book", default=Path("."), type=Path,
                         help="the book's root folder, with _config.yml and exercises/ (default: .)")

    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
