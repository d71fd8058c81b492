"""What people read: the per-question CSV, the summary printed after grading, and the safe
writing every CSV of the grader shares.

Every CSV the grader writes opens correctly in a spreadsheet with its defaults: UTF-8 with a
byte-order mark (so Excel and LibreOffice read ✔ and accented names as they are), and no cell
can start a formula (a text cell starting with ``= + - @``, a tab or a carriage return gets a
leading apostrophe, as OWASP advises against CSV injection). Files are written to a temporary
file beside the target and then renamed, so a half-written file is never left behind.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from osmcourse.checks.core import CORRECT, UNANSWERED
from osmcourse.grading.rows import COLUMNS, Row

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHECK_SYMBOLS = ("✔", "✘", "…")
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: what spreadsheets detect


def printable(value: object) -> str:
    """``value`` as text that can be written as UTF-8: the undecodable bytes of a file name
    (surrogate escapes), and any other lone surrogate, become U+FFFD."""
    text = str(value)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte, e.g. from JSON
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def safe_text(value: object) -> str:
    """``value`` as text that no spreadsheet reads as a formula, with undecodable bytes of
    file names replaced and control characters (which spreadsheets reject) made spaces."""
    text = printable(value)
    text = "".join(" " if (ord(ch) < 32 and ch not in "\t\n\r") else ch for ch in text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number(value: float) -> str:
    """A number as the CSVs write it: no trailing zeros, at most four decimals."""
    return f"{round(value, 4):g}"


def write_atomically(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder, then rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)  # mkstemp makes the file private; give it the usual permissions
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def csv_bytes(header: Sequence[str], records: Iterable[Sequence[object]], numeric: Iterable[int] = ()) -> bytes:
    """A whole CSV file: header and records, every text cell made safe (columns ``numeric``
    hold numbers the grader computed and are written as they are)."""
    keep = set(numeric)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_text(name) for name in header])
    for record in records:
        writer.writerow([value if index in keep else safe_text(value) for index, value in enumerate(record)])
    return buffer.getvalue().encode(CSV_ENCODING)


def without_symbol(feedback: str) -> str:
    """A check's verdict without its leading ✔ ✘ … (the score column says as much, and a
    spreadsheet that guesses the wrong encoding garbles them)."""
    for symbol in CHECK_SYMBOLS:
        if feedback.startswith(symbol + " "):
            return feedback[len(symbol) + 1:]
    return feedback


def write_csv(rows: list[Row], out: Path) -> None:
    """The per-question CSV: one row per question of each submission, ``run`` rows for problems."""
    records = [(row.submission, row.lab, row.question, number(row.score), number(row.max_score),
                without_symbol(row.feedback)) for row in rows]
    write_atomically(out, csv_bytes(COLUMNS, records, numeric=(3, 4)))


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV the grader wrote (or a spreadsheet saved back), leading apostrophes kept."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def summary(rows: list[Row]) -> str:
    """A readable summary: one line per submission with its score."""
    totals: dict[str, list[float]] = {}
    labs: dict[str, str] = {}
    notes: dict[str, str] = {}
    for row in rows:
        score = totals.setdefault(row.submission, [0.0, 0.0])
        score[0] += row.score
        score[1] += row.max_score
        labs[row.submission] = row.lab or "-"
        if row.question == "run":
            notes[row.submission] = row.feedback
    lines = []
    for name, (got, best) in totals.items():
        note = f"  ({notes[name]})" if name in notes else ""
        lines.append(f"{name}: {labs[name]} {got:g}/{best:g}{note}")
    return "\n".join(lines)


def status_counts(rows: list[Row]) -> dict[str, int]:
    """How many question rows were correct, wrong or unanswered (for the summary line)."""
    counts = {CORRECT: 0, "incorrect": 0, UNANSWERED: 0}
    for row in rows:
        if row.question == "run":
            continue
        if row.score > 0:
            counts[CORRECT] += 1
        elif "not answered yet" in row.feedback or "No variable" in row.feedback:
            counts[UNANSWERED] += 1
        else:
            counts["incorrect"] += 1
    return counts
