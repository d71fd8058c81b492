"""Grade submitted lab notebooks: ``python -m osmcourse grade SUBMISSION... --out ...``.

How a submission is graded:

1. It is read (never written, never followed): anything that is not a regular file of at most
   :data:`MAX_NOTEBOOK_BYTES` (a folder, a link, a named pipe, a device...) gets one clear row
   without being opened as a stream; a file that is not a notebook gets one row too.
2. Its lab is found from the notebook itself (metadata, else the checks it imports, else its
   label), never from its file name.
3. Its code cells run in a fresh kernel of its own, inside a sandbox (:mod:`.sandbox`): it
   sees only its own private folder and the read-only course, with limits on memory,
   processes, files and CPU time. Whatever it does, every other submission gets the rows it
   would get alone, and the grader always ends and writes its CSV.
4. After every cell the grader reads the lab's answer variables from the kernel (type-tagged,
   :mod:`.answers`), keeping the last good set: answers computed before a cell that never
   ends still count. The student's own check cells are never trusted: the values are
   rebuilt as the same Python objects and judged here, in the grader's process, by the same
   code the check cells call (:mod:`osmcourse.checks`), so both give the same verdict.
5. A submission stopped only by the wall-clock backstop (the machine was overloaded), or kept
   from being graded by the machine (its kernel could not be prepared or start), is run
   again, alone; a second failure of the machine gets the status ``could not grade, regrade``
   (:data:`.rows.COULD_NOT_GRADE`), never a mark.

Rows: ``submission, lab, question, score, max_score, feedback``, one per question; a row with
question ``run`` reports problems running the notebook. Identical input gives an identical CSV.

The package itself imports nothing: each kernel imports :mod:`.answers` to send its answers,
and must not pay for the grader's own imports (nbformat alone brings in jsonschema's IRI
grammar, over a second of CPU per kernel). The public names load on first use (PEP 562).
"""

from __future__ import annotations

from typing import Any

# Each public name and the module it lives in: loaded from there on first use.
_HOMES = {
    "grade": "grader",
    "grade_notebook": "grader",
    "find_lab": "grader",
    "find_submissions": "grader",
    "read_submission": "grader",
    "display_name": "grader",
    "DEFAULT_TIMEOUT": "grader",
    "IsolationUnavailable": "grader",
    "Limits": "sandbox",
    "isolation_problem": "sandbox",
    "COLUMNS": "rows",
    "Row": "rows",
    "Submission": "rows",
    "status_counts": "report",
    "summary": "report",
    "write_csv": "report",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f"osmcourse.grading.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'osmcourse.grading' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
