"""What people read: the per-question CSV and the summary printed after grading."""

from __future__ import annotations

import csv
from dataclasses import astuple
from pathlib import Path

from osmcourse.checks.core import CORRECT, UNANSWERED
from osmcourse.grading.rows import COLUMNS, Row


def write_csv(rows: list[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            values = astuple(row)
            writer.writerow([*values[:3], f"{row.score:g}", f"{row.max_score:g}", values[5]])


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
