"""Grading past one machine: ``grade --shard K/N`` and ``merge OUT --shards DIR...``.

Each submission belongs to exactly one of N shards, chosen by a hash of its identity (its path
under the folder given to the grader, e.g. ``ada/lab.ipynb``), never by its place in a list:
a shard's share does not change when other submissions arrive or a folder is listed in
another order, and every node computes the same split without talking to the others.

A shard's output folder is an ordinary gradebook folder (it can be read on its own) plus its
shard number in ``class.json``. ``merge OUT --shards DIR1 ... DIRN`` checks that the N
folders are the N shards of one split, each once, and combines them into exactly the
gradebook a single run writes: the same entries, keys, remarks and bytes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from osmcourse.grading.report import csv_bytes, number, read_csv, write_atomically
from osmcourse.grading.roster import relative_path
from osmcourse.grading.rows import COLUMNS

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 10_000


class ShardError(ValueError):
    """A shard argument or a set of shard folders that cannot be used; the message says why."""


def parse(text: str) -> tuple[int, int]:
    """``"K/N"`` as (K, N), with 1 <= K <= N.

    Raises:
        ShardError: not of that form.
    """
    match = _SHARD.match(text or "")
    if not match:
        raise ShardError(f"--shard must look like K/N (e.g. 2/8), not {text!r}")
    k, n = int(match.group(1)), int(match.group(2))
    if not 1 <= k <= n or n > MAX_SHARDS:
        raise ShardError(f"--shard {text}: K must be between 1 and N (N at most {MAX_SHARDS})")
    return k, n


def identity(path: Path, roots: list[Path]) -> str:
    """What a submission is, whatever machine grades it: its path under the folder given."""
    return relative_path(path, roots).as_posix()


def shard_of(ident: str, n: int) -> int:
    """The shard (1 to n) a submission of this identity belongs to."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def select(roots: list[Path], k: int, n: int) -> list[Path]:
    """The paths shard ``k`` of ``n`` grades: its notebooks, and its empty folders (which get a
    row saying so), from the files and folders given to the grader.

    Raises:
        FileNotFoundError: a path given does not exist.
    """
    from osmcourse.grading.grader import find_submissions

    found, empty = find_submissions(roots)
    chosen = [path for path in found if shard_of(identity(path, roots), n) == k]
    for row in empty:
        folder = Path(row.submission)
        if shard_of(identity(folder, roots), n) == k:
            chosen.append(folder)
    return chosen


def check_complete(shards: dict[Path, tuple[int, int] | None]) -> None:
    """Refuse folders that are not the N shards of one split, each exactly once.

    Raises:
        ShardError: a folder that is no shard, shards of different splits, one missing or twice.
    """
    sizes = set()
    seen: dict[int, Path] = {}
    for folder, shard in shards.items():
        if shard is None:
            raise ShardError(f"{folder} was not graded with --shard")
        k, n = shard
        sizes.add(n)
        if k in seen:
            raise ShardError(f"{seen[k]} and {folder} are both shard {k}/{n}")
        seen[k] = folder
    if len(sizes) != 1:
        raise ShardError(f"the folders are shards of different splits (N = {sorted(sizes)})")
    n = sizes.pop()
    missing = sorted(set(range(1, n + 1)) - set(seen))
    if missing:
        raise ShardError(
            f"shard{'s' if len(missing) > 1 else ''} {', '.join(f'{k}/{n}' for k in missing)} "
            "missing: give every shard's folder"
        )


def _question_order(question: str) -> tuple[int, str]:
    return (int(question), "") if question.isdigit() else (10**6, question)


def merge_questions(folders: list[Path], out: Path) -> None:
    """One per-question CSV from the shards' ones, in the order a single run writes it."""
    rows = []
    for folder in folders:
        path = folder / "questions.csv"
        if path.is_file():
            rows.extend(read_csv(path))
    rows.sort(key=lambda r: (r["submission"], _question_order(r["question"])))
    records = [
        [
            r["submission"],
            r["lab"],
            r["question"],
            number(float(r["score"])),
            number(float(r["max_score"])),
            r["feedback"],
        ]
        for r in rows
    ]
    # The text cells were made safe when the shards wrote them: written again as they are.
    # Cells the shards made safe start with an apostrophe now, so making them safe again
    # changes nothing: the bytes are the ones a single run writes.
    write_atomically(out, csv_bytes(COLUMNS, records, numeric=(3, 4)))
