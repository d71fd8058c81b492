"""The labs' answer keys in plain values: for the grader's process only.

One module per lab, each with ``targets()``: every value a judge compares a student's answer
with (right answers and the wrong answers' likely causes), computed from the course's data
and models, never typed in. A graded kernel never sees this folder: the sandbox mounts an
empty, read-only folder over it (:mod:`osmcourse.grading.bubblewrap`). What a notebook's checks
see instead is the sealed key, ``osmcourse/checks/keys/LAB.json`` (:mod:`osmcourse.checks.key`),
written from these targets by ``python -m osmcourse.keys`` and checked up to date by the tests.

The course is open source: its solution notebooks are public, so this protects graded runs,
not the secrecy of the answers.
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path

from osmcourse.checks import get_lab
from osmcourse.checks.key import KEYS_DIR, SealedKey
from osmcourse.labs import LABS, lab_record

_lock = threading.Lock()
_grading_keys: dict[str, SealedKey] = {}


def plain_targets(lab: str) -> dict:
    """The lab's targets in plain values."""
    return import_module(lab_record(lab).keys).targets()


def _salt(lab: str, folder: Path) -> str | None:
    try:
        return SealedKey.load(lab, folder).salt
    except (OSError, ValueError, KeyError):
        return None


def sealed_key(lab: str, *, for_notebooks: bool, folder: Path = KEYS_DIR) -> SealedKey:
    """The lab's key sealed with its shipped salt; ``for_notebooks`` leaves graded-only tasks out."""
    tasks = get_lab(lab).tasks
    leave_out = tuple(n for n, t in tasks.items() if t.graded_only) if for_notebooks else ()
    return SealedKey.seal(lab, plain_targets(lab), _salt(lab, folder), leave_out)


def grading_key(lab: str) -> SealedKey:
    """The key the grader judges with: every task's targets, built here from the plain values
    (once per process), so a stale shipped file can never change a grade."""
    with _lock:
        if lab not in _grading_keys:
            _grading_keys[lab] = sealed_key(lab, for_notebooks=False)
        return _grading_keys[lab]


def use_grading_key(lab: str) -> None:
    """Make the lab's judges use :func:`grading_key` in this process (the grader's)."""
    get_lab(lab).use_key(grading_key(lab))


def write_keys(folder: Path = KEYS_DIR) -> list[Path]:
    """Write every lab's sealed key for notebooks; returns the files that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for lab in (record.id for record in LABS):
        path = folder / f"{lab}.json"
        text = sealed_key(lab, for_notebooks=True, folder=folder).to_json()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


__all__ = ["grading_key", "plain_targets", "sealed_key", "use_grading_key", "write_keys"]
