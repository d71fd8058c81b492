"""The answer key as a notebook sees it: salted hashes of the right values, never the values.

Each lab's judges compare a student's value with named *targets* through a key
(``LAB.key.near("2.gap.2007", value)``); the plain targets are computed only by the grader,
in :mod:`osmcourse.keys` (a folder the sandbox does not show a graded kernel). What ships
next to the checks, ``osmcourse/checks/keys/LAB.json``, holds for each target only:

* a number (:class:`Near`): a grid step and the salted hashes of the grid points that lie
  within the target's half-width of the value. A student's value is rounded to the nearest
  grid point and its hash looked up. The step is a power of ten at most a tenth of the
  half-width, so the window is the declared one to within a twentieth of its width, and all
  the step says about the value is its order of magnitude (as the task's stated precision does);
* a text or an exact number (:class:`Exact`): the hashes of the accepted forms;
* a lettered choice (:class:`Choice`): the hash of the right letter, and each letter's
  message under the hash of its letter.

The grader builds the same key, in its own process, from the plain targets (with the same
salt), so the notebook's verdict and the grader's agree by construction; tasks an instructor
marks ``graded_only`` are simply left out of the shipped file.

What this protects, and what it does not: the values cannot be *read* from anything a graded
kernel can import. A check that says right or wrong is still an oracle: a notebook can try
every value on a small grid (every letter of a choice) against it, as it could try them on
the check itself. That is what graded-only tasks are for.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYS_DIR = Path(__file__).resolve().parent / "keys"
_HASH_CHARS = (
    16  # 64 bits of SHA-256: collisions between a few hundred grid points are out of reach
)


class MissingTarget(KeyError):
    """The key has no such target: its task is graded only by the grader."""


# --- Plain targets (built by the grader's osmcourse.keys only) ------------------------------


@dataclass(frozen=True)
class Near:
    """A number: values within ``half`` of ``value`` match."""

    value: float
    half: float


@dataclass(frozen=True)
class Exact:
    """Texts or numbers that match exactly (after the judge's own normalising)."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Choice:
    """A lettered choice: the right letter, its message, and a hint for every other letter."""

    correct: str
    right: str
    hints: dict[str, str] = field(default_factory=dict)


def at(precision: Any, value: float) -> Near:
    """``value`` at a task's declared precision: half a unit in the last place asked, plus the
    float slack :meth:`osmcourse.checks.core.Precision.accepts` allows."""
    unit = precision.unit(value)
    slack = 1e-9 * unit + 8 * sys.float_info.epsilon * max(abs(value), 1.0)
    return Near(float(value), unit / 2 + slack)


def within(value: float, rel: float = 0.01, abs_tol: float = 1e-9) -> Near:
    """``value`` within a relative tolerance (what :func:`osmcourse.checks.core.close` accepts):
    only for recognising a wrong answer's likely cause."""
    return Near(float(value), max(rel * abs(value), abs_tol))


def exact(*values: Any) -> Exact:
    return Exact(tuple(values))


# --- Canonical forms and hashes ------------------------------------------------------------------


def _canonical(value: Any) -> str:
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, bool):
        return "b:" + repr(value)
    return "n:" + repr(float(value))


def _hash(salt: str, label: str, text: str) -> str:
    return hashlib.sha256(
        f"{salt}\x00{label}\x00{text}".encode("utf-8", "surrogatepass")
    ).hexdigest()[:_HASH_CHARS]


def _step(half: float) -> float:
    """The grid step for a half-width: a power of ten, at most a tenth of it."""
    if not half > 0 or not math.isfinite(half):
        return 1.0
    return 10.0 ** (math.floor(math.log10(half)) - 1)


def _cell(value: float, step: float) -> int | None:
    if not math.isfinite(value) or abs(value / step) > 1e15:
        return None
    return int(round(value / step))


# --- The sealed key ---------------------------------------------------------------------------------


class SealedKey:
    """A lab's targets as salted hashes; answers the judges' questions without holding values."""

    def __init__(self, lab: str, salt: str, targets: dict[str, dict[str, Any]]) -> None:
        self.lab = lab
        self.salt = salt
        self.targets = targets

    # -- building (grader) and storing

    @classmethod
    def seal(
        cls,
        lab: str,
        plain: dict[str, Near | Exact | Choice],
        salt: str | None = None,
        leave_out: tuple[str, ...] = (),
    ) -> "SealedKey":
        """Seal ``plain`` targets; labels starting ``"N."`` for a task N in ``leave_out`` are dropped."""
        salt = salt or secrets.token_hex(16)
        targets: dict[str, dict[str, Any]] = {}
        for label, target in sorted(plain.items()):
            if label.split(".", 1)[0] in leave_out:
                continue
            if isinstance(target, Near) and not (
                math.isfinite(target.value) and math.isfinite(target.half)
            ):
                targets[label] = {"kind": "near", "step": 1.0, "cells": []}  # nothing matches a NaN
            elif isinstance(target, Near):
                step = _step(target.half)
                low = math.floor((target.value - target.half) / step) - 1
                high = math.ceil((target.value + target.half) / step) + 1
                cells = [
                    k for k in range(low, high + 1) if abs(k * step - target.value) <= target.half
                ]
                targets[label] = {
                    "kind": "near",
                    "step": step,
                    "cells": sorted(_hash(salt, label, str(k)) for k in cells),
                }
            elif isinstance(target, Exact):
                targets[label] = {
                    "kind": "exact",
                    "hashes": sorted({_hash(salt, label, _canonical(v)) for v in target.values}),
                }
            elif isinstance(target, Choice):
                letters = sorted({target.correct, *target.hints})
                messages = {
                    _hash(salt, label, letter): target.right
                    if letter == target.correct
                    else target.hints[letter]
                    for letter in letters
                }
                targets[label] = {
                    "kind": "choice",
                    "letters": letters,
                    "correct": _hash(salt, label, target.correct),
                    "messages": dict(sorted(messages.items())),
                }
            else:
                raise TypeError(f"target {label!r} of lab {lab!r}: not a Near, Exact or Choice")
        return cls(lab, salt, targets)

    def to_json(self) -> str:
        return (
            json.dumps(
                {"lab": self.lab, "salt": self.salt, "targets": self.targets},
                indent=1,
                sort_keys=True,
                ensure_ascii=False,
            )
            + "\n"
        )

    @classmethod
    def load(cls, lab: str, folder: Path = KEYS_DIR) -> "SealedKey":
        """The lab's shipped key; a lab that ships none (a lab being written, a test's lab) gets
        an empty key, whose judges find no target (tests check that every course lab ships one)."""
        path = folder / f"{lab}.json"
        if not path.exists():
            return cls(lab, "", {})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["lab"], data["salt"], data["targets"])

    @property
    def empty(self) -> bool:
        """True for a lab that ships no key: every task is judged as it comes."""
        return not self.targets

    # -- questions the judges ask

    def _target(self, label: str, kind: str) -> dict[str, Any]:
        target = self.targets.get(label)
        if target is None:
            raise MissingTarget(label)
        if target["kind"] != kind:
            raise TypeError(f"target {label!r} is a {target['kind']}, not a {kind}")
        return target

    def has_task(self, number: str) -> bool:
        """True if the key holds any target of task ``number`` (False: it is graded only)."""
        return any(label.split(".", 1)[0] == str(number) for label in self.targets)

    def near(self, label: str, value: float) -> bool:
        """True if ``value`` lies within the target's window (to the grid's resolution)."""
        target = self._target(label, "near")
        cell = _cell(float(value), target["step"])
        return cell is not None and _hash(self.salt, label, str(cell)) in target["cells"]

    def exact(self, label: str, value: Any) -> bool:
        """True if ``value`` is one of the target's accepted forms."""
        return _hash(self.salt, label, _canonical(value)) in self._target(label, "exact")["hashes"]

    def letters(self, label: str) -> list[str]:
        return list(self._target(label, "choice")["letters"])

    def choice(self, label: str, letter: str) -> tuple[bool, str]:
        """(right?, message) for a letter already checked to be one of :meth:`letters`."""
        target = self._target(label, "choice")
        digest = _hash(self.salt, label, letter)
        return digest == target["correct"], target["messages"][digest]


class KeyProxy:
    """What a lab module's judges hold: the key the lab uses now (see :meth:`Lab.use_key`)."""

    def __init__(self, lab: Any) -> None:
        self._lab = lab

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lab.active_key(), name)


__all__ = [
    "Choice",
    "Exact",
    "KeyProxy",
    "MissingTarget",
    "Near",
    "SealedKey",
    "at",
    "exact",
    "within",
]
