"""One graded row: a question of one submission (``run`` rows report problems running it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

COLUMNS = ("submission", "lab", "question", "score", "max_score", "feedback")
# The status of a submission the machine, not the student, kept from being graded (its kernel
# could not be prepared or did not start, or the grader failed), even after a retry alone: it
# has no mark, only a "run" row saying why; grade it again.
COULD_NOT_GRADE = "could not grade, regrade"


@dataclass(frozen=True)
class Row:
    submission: str
    lab: str
    question: str
    score: float
    max_score: float
    feedback: str


@dataclass
class Submission:
    """Everything grading learned about one submission, for the reports downstream.

    ``status`` is short and fixed-vocabulary, for the gradebook's status column: ``ok``,
    ``not a notebook``, ``not a lab``, ``wrong lab``, ``no submission``, ``empty folder``,
    ``timed out``, ``limit reached``, ``ran without isolation`` (and combinations joined by
    ``"; "``), or :data:`COULD_NOT_GRADE` alone. ``notebook`` is the submission as read (never modified); ``executed`` is the copy
    as it ran, with outputs and errors (``None`` when nothing ran). ``wall_clock_stop`` is true
    when only the wall-clock backstop stopped it (the grader retries such a run once, alone).
    """

    path: Path
    status: str
    lab: str
    rows: list[Row] = field(default_factory=list)
    digest: str = ""
    notebook: NotebookNode | None = None
    executed: NotebookNode | None = None
    wall_clock_stop: bool = False
    cpu_seconds: float = 0.0  # CPU time its kernel used, start-up included (0 when nothing ran)
    # The answers as the checks judged them, by task (for the class report's wrong answers).
    answers: dict[str, Any] = field(default_factory=dict)
