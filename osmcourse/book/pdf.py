"""The PDF file: its name per edition, and its publication after the LaTeX run (a command line).

``make pdf`` (and ``make student-pdf``) runs ``python -m osmcourse.book.pdf BUILD_DIR EDITION``
after the LaTeX build: it checks the LaTeX log (:func:`latex_log_problems`: no errors, no
missing glyphs, no dangling links) and copies the PDF to ``BUILD_DIR/pdf/``, where the HTML
build finds it (:mod:`osmcourse.book.pdf_link`). The LaTeX settings are in
:mod:`osmcourse.book.latex`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

PDF_STEM = "open-source-marketing"
# Where `make pdf` puts the checked PDF, relative to the build folder (BUILD_OUT/_build).
PDF_DIR = "pdf"


def pdf_name(edition: str) -> str:
    """The PDF's file name for an edition ("full" or "student")."""
    return f"{PDF_STEM}.pdf" if edition != "student" else f"{PDF_STEM}-student.pdf"


# --- After the LaTeX run: check its log, publish the PDF. ---

# What in XeLaTeX's log makes a PDF wrong: errors ("! ..."), glyphs no font has, and links or
# references that point nowhere.
LOG_PROBLEMS = re.compile(
    r"^!.*$"
    r"|^Missing character: .*$"
    r"|^LaTeX Warning: (?:Reference|Hyper reference|Citation) .* undefined.*$"
    r"|^LaTeX Warning: There were undefined references.*$"
    r"|^Package hyperref Warning: .*$",
    re.M,
)


def latex_log_problems(log: str) -> list[str]:
    """Every line of a LaTeX log that reports an error, a missing glyph or a dangling link."""
    return [match.group(0).strip() for match in LOG_PROBLEMS.finditer(log)]


def publish_pdf(build_dir: Path, edition: str) -> Path:
    """Check the LaTeX build in ``build_dir/latex`` and copy its PDF to ``build_dir/pdf/``.

    Raises:
        RuntimeError: no PDF, or the log reports problems (listed in the message).
    """
    name = pdf_name(edition)
    latex_dir = build_dir / "latex"
    pdf = latex_dir / name
    log = latex_dir / name.replace(".pdf", ".log")
    if not pdf.is_file() or not log.is_file():
        raise RuntimeError(f"no {pdf} (or its log): did the LaTeX build run?")
    problems = latex_log_problems(log.read_text(encoding="utf-8", errors="replace"))
    if problems:
        raise RuntimeError(
            f"{log} reports {len(problems)} problem(s):\n" + "\n".join(problems[:40])
        )
    target = build_dir / PDF_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, target)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m osmcourse.book.pdf BUILD_DIR [EDITION]``: check and publish the PDF."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m osmcourse.book.pdf BUILD_DIR [full|student]", file=sys.stderr)
        return 2
    edition = args[1] if len(args) > 1 else os.environ.get("OSM_EDITION", "full")
    try:
        target = publish_pdf(Path(args[0]), edition)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"PDF: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
