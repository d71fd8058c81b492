"""What people read: the per-question CSV, the summary printed after grading, and the safe
writing every CSV of the grader shares.

Every CSV the grader writes opens correctly in a spreadsheet with its defaults: UTF-8 with a
byte-order mark (so Excel and LibreOffice read ✔ and accented names as they are), and no cell
can start a formula, whatever separator the spreadsheet splits on. A text cell starting with
``= + - @`` (or their full-width forms), a tab or a carriage return gets a leading apostrophe,
as OWASP advises against CSV injection; so does every place *inside* a text where another
reader could start a cell: after a comma, a semicolon (the separator of German and French
spreadsheets), a tab, a ``|``, a quote or a line break, spaces allowed between. A file named
``mallory;=1+1;.ipynb`` is therefore ``mallory;'=1+1;.ipynb`` in every CSV, text in any locale.

The other readers get their own safe forms: :func:`xlsx_text` for the workbook (no character
XML or Excel rejects, no cell beyond Excel's length), :func:`terminal_text` for the screen
(control characters, escape sequences, bidirectional controls and line breaks shown as
``\\x1b``-style escapes, so nothing a student names can drive or forge the instructor's
terminal). Files are written to a temporary file beside the target and then renamed, so a
half-written file is never left behind.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from osmcourse.checks.core import CORRECT, UNANSWERED
from osmcourse.grading.rows import COLUMNS, Row

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What a formula can start with (the full-width forms too: some spreadsheets read them so).
_FORMULA_CHARS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
# Where another reader may start a cell inside one of our fields: after any common separator
# (, ; tab |), a quote or a line break, spaces allowed between. The apostrophe goes right
# after the separator, so the cell another reader sees starts with it.
_CELL_STARTS = re.compile(f'(^|[,;\\t|"\\n\\r\\u2028\\u2029])([ \\u00a0]*)(?=[{_FORMULA_CHARS}])')
_NEUTRALISED = re.compile(
    f"([,;\\t|\"\\n\\r\\u2028\\u2029][ \\u00a0]*)'(?=[ \\u00a0]*[{_FORMULA_CHARS}])"
)
XLSX_MAX_CHARS = (
    32_767  # Excel's limit for one cell: a longer text makes the workbook "need repair"
)
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


def html_text(value: object) -> str:
    """Free text from a submission (answers, messages, hints) for an HTML page: escaped, with
    no lone surrogate (UTF-8 cannot hold one) and no control character or noncharacter."""
    text = "".join(
        "\ufffd"
        if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r") or noncharacter(ord(ch))
        else ch
        for ch in printable(str(value))
    )
    return html.escape(text, quote=True)


def safe_text(value: object, inner: bool = True) -> str:
    """``value`` as text that no spreadsheet reads as a formula, with undecodable bytes of
    file names replaced and control characters (which spreadsheets reject) made spaces.

    With ``inner`` (for CSV files) every place inside the text where a reader splitting on
    another separator would start a cell is neutralised too; a workbook's cells are never
    split, so :func:`xlsx_text` needs only the start.
    """
    text = printable(value)
    text = "".join(" " if (ord(ch) < 32 and ch not in "\t\n\r") else ch for ch in text)
    if inner:
        text = _CELL_STARTS.sub(lambda m: m.group(1) + "'" + m.group(2), text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_text(text: str) -> str:
    """Undo :func:`safe_text`: the text an instructor's spreadsheet saved back, without the
    apostrophes the writer put before what a spreadsheet would read as a formula."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    elif text.startswith("'") and _CELL_STARTS.match(text[1:]):
        text = text[1:]
    return _NEUTRALISED.sub(lambda m: m.group(1), text)


def noncharacter(code: int) -> bool:
    """Whether ``code`` is one of Unicode's 66 noncharacters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF)."""
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def xlsx_text(value: object) -> str:
    """``value`` as a workbook cell can hold it: text only (never a formula: a leading
    apostrophe where a spreadsheet would read one), no character that XML 1.0 or Excel rejects
    (control characters become spaces; lone surrogates, U+FFFE, U+FFFF and the other
    noncharacters become U+FFFD) and at most Excel's 32,767 characters."""
    text = "".join(
        "\ufffd" if noncharacter(ord(ch)) else ch for ch in safe_text(value, inner=False)
    )
    if len(text) > XLSX_MAX_CHARS:
        text = text[: XLSX_MAX_CHARS - 2] + " …"
    return text


def terminal_text(value: object) -> str:
    """``value`` as one line of printable text for a terminal.

    Every character that is not printable (control characters, hence every escape sequence
    that sets a window title, hides text or writes the clipboard; format characters, hence
    bidirectional overrides; line and paragraph separators, hence forged lines; surrogates,
    unassigned code points and noncharacters) is shown as a Python-style escape, ``\\x1b``.
    """
    out = []
    for ch in str(value):
        code = ord(ch)
        if (
            unicodedata.category(ch)[0] == "C"
            or unicodedata.category(ch) in ("Zl", "Zp")
            or noncharacter(code)
        ):
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(ch)
    return "".join(out)


def number(value: float) -> str:
    """A number as the CSVs write it: no trailing zeros, at most four decimals."""
    return f"{round(value, 4):g}"


def write_atomically(out: Path, data: bytes, durable: bool = False) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder, then rename.

    ``durable`` also flushes the file to the disk before the rename (for the grading journal,
    which must survive a crash of the machine, not only of the grader).
    """
    handle, temporary = tempfile.mkstemp(
        prefix=f".{out.name[:60]}.", suffix=".part", dir=out.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        umask = os.umask(0)  # mkstemp makes the file private; give it the usual permissions
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def csv_bytes(
    header: Sequence[str], records: Iterable[Sequence[object]], numeric: Iterable[int] = ()
) -> bytes:
    """A whole CSV file: header and records, every text cell made safe (columns ``numeric``
    hold numbers the grader computed and are written as they are)."""
    keep = set(numeric)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_text(name) for name in header])
    for record in records:
        writer.writerow(
            [value if index in keep else safe_text(value) for index, value in enumerate(record)]
        )
    return buffer.getvalue().encode(CSV_ENCODING)


def without_symbol(feedback: str) -> str:
    """A check's verdict without its leading ✔ ✘ … (the score column says as much, and a
    spreadsheet that guesses the wrong encoding garbles them)."""
    for symbol in CHECK_SYMBOLS:
        if feedback.startswith(symbol + " "):
            return feedback[len(symbol) + 1 :]
    return feedback


def write_csv(rows: list[Row], out: Path) -> None:
    """The per-question CSV: one row per question of each submission, ``run`` rows for problems."""
    records = [
        (
            row.submission,
            row.lab,
            row.question,
            number(row.score),
            number(row.max_score),
            without_symbol(row.feedback),
        )
        for row in rows
    ]
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
        # Names and notes come from students: one printable line each, whatever they hold.
        note = f"  ({terminal_text(notes[name])})" if name in notes else ""
        lines.append(f"{terminal_text(name)}: {terminal_text(labs[name])} {got:g}/{best:g}{note}")
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
