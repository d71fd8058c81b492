"""The grading journal: each submission's result saved the moment it is graded, so that a grader
that is killed (out of memory, a closed laptop, Ctrl-C) loses at most the submissions it was
running, and ``grade`` run again with the same ``--out`` carries on where it stopped.

The journal is the folder ``journal/`` in the output folder: one small JSON file per graded
submission, written atomically (a temporary file flushed to the disk, then renamed), so a file
in it is always whole. A file is named after a digest of the submission's path and holds the
digest of the notebook's bytes, the grading settings, the rows and the executed notebook
(structures nested deeper than :data:`~osmcourse.grading.export.MAX_DEPTH` cut). A later run
takes a saved result only when the file's bytes, the settings (lab, time and other limits,
isolation, the source of the checks, keys, models and data) and the grader's journal version are all the same;
anything else is graded again. Results that were not the notebook's doing (stopped only by the
wall clock, or marked for a regrade) are never taken from it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from osmcourse.grading.report import write_atomically
from osmcourse.grading.rows import Row, Submission

JOURNAL_FOLDER = "journal"
JOURNAL_VERSION = 1
# Words of a status that asks for the submission to be graded again rather than kept.
NOT_FINAL = ("regrade", "could not grade")


def settings_digest(settings: dict[str, Any]) -> str:
    """One digest of everything a result depends on besides the notebook itself: the settings
    given, and what judges the answers: the checks, the plain answer keys, the models the keys
    compute with and the data files they read (an edited check or a corrected key regrades)."""
    import osmcourse  # noqa: PLC0415

    package = Path(osmcourse.__file__).parent
    judges = ("checks/*.py", "keys/*.py", "models/*.py", "data/*.py", "data/*.csv")
    checks = hashlib.sha256()
    for source in sorted(path for pattern in judges for path in package.glob(pattern)):
        name = source.relative_to(package).as_posix()
        checks.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    data = json.dumps(
        {"settings": settings, "checks": checks.hexdigest()}, sort_keys=True, default=repr
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class Journal:
    """The results saved in ``folder/journal``, for the grading settings ``settings``."""

    def __init__(self, folder: Path, settings: dict[str, Any]) -> None:
        self.folder = folder / JOURNAL_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.settings = settings_digest(settings)
        self.reused = 0  # results taken from the journal in this run
        self.saved = 0
        self._taken: set[int] = set()  # the results lookup gave back (not saved again)

    def _file(self, path: Path) -> Path:
        return self.folder / (hashlib.sha256(os.fsencode(path)).hexdigest()[:40] + ".json")

    def lookup(self, path: Path) -> Submission | None:
        """The saved result for ``path``, if its bytes and the settings are those it was graded
        with; else ``None`` (grade it). Never raises."""
        try:
            record = json.loads(self._file(path).read_text(encoding="utf-8"))
            if (
                record.get("journal") != JOURNAL_VERSION
                or record.get("settings") != self.settings
                or record.get("path") != str(path)
                or any(w in record["status"] for w in NOT_FINAL)
            ):
                return None
            submission = self._rebuild(path, record)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if submission is not None:
            self.reused += 1
            self._taken.add(id(submission))
        return submission

    @staticmethod
    def _rebuild(path: Path, record: dict[str, Any]) -> Submission | None:
        import nbformat  # noqa: PLC0415 - the grader's process only

        from osmcourse.grading.grader import read_submission  # noqa: PLC0415 - a cycle otherwise

        raw = read_submission(path)  # the same bounded, link-refusing read the grader does
        if isinstance(raw, str) or hashlib.sha256(raw).hexdigest() != record["digest"]:
            return None  # gone, unreadable or changed since: grade it again
        notebook = None
        if record["parsed"]:
            notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        executed = (
            nbformat.from_dict(record["executed"]) if record["executed"] is not None else None
        )
        rows = [Row(*row) for row in record["rows"]]
        from osmcourse.grading.classdata import AnswerText  # noqa: PLC0415 - a cycle otherwise

        return Submission(
            path,
            record["status"],
            record["lab"],
            rows,
            record["digest"],
            notebook,
            executed,
            cpu_seconds=float(record["cpu_seconds"]),
            answers={
                str(task): AnswerText(text) for task, text in record.get("answers", {}).items()
            },
        )

    def record(self, submission: Submission) -> None:
        """Save one submission's result at once. Never raises: a journal that cannot be written
        costs only the resuming, never the grading."""
        if (
            id(submission) in self._taken
            or submission.wall_clock_stop
            or not submission.digest
            or any(w in submission.status for w in NOT_FINAL)
        ):
            return
        from osmcourse.grading.classdata import answer_text  # noqa: PLC0415 - a cycle otherwise
        from osmcourse.grading.export import bounded  # noqa: PLC0415 - a cycle otherwise

        try:
            record = {
                "journal": JOURNAL_VERSION,
                "settings": self.settings,
                "path": str(submission.path),
                "digest": submission.digest,
                "status": submission.status,
                "lab": submission.lab,
                "rows": [
                    [r.submission, r.lab, r.question, r.score, r.max_score, r.feedback]
                    for r in submission.rows
                ],
                "parsed": submission.notebook is not None,
                "cpu_seconds": submission.cpu_seconds,
                # As the class report shows them (short text), so a resumed run's report is the same.
                "answers": {
                    str(task): answer_text(value) for task, value in submission.answers.items()
                },
                "executed": None if submission.executed is None else bounded(submission.executed),
            }
            # ASCII JSON: a lone surrogate (an undecodable byte of a file name, or sent by a
            # kernel) is kept as its escape and read back exactly.
            data = json.dumps(record, ensure_ascii=True, sort_keys=True).encode("ascii")
            write_atomically(self._file(submission.path), data, durable=True)
            self.saved += 1
        except (OSError, ValueError, TypeError, RecursionError):
            return

    def forget(self) -> None:
        """Remove every saved result (``grade --fresh``)."""
        for path in self.folder.glob("*.json"):
            path.unlink(missing_ok=True)
