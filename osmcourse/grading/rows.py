"""One graded row: a question of one submission (``run`` rows report problems running it)."""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = ("submission", "lab", "question", "score", "max_score", "feedback")


@dataclass(frozen=True)
class Row:
    submission: str
    lab: str
    question: str
    score: float
    max_score: float
    feedback: str
