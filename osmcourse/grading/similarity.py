"""Similar code across a class, beyond identical copies: normalised tokens, winnowed fingerprints.

The gradebook already flags byte-identical notebooks and notebooks with the same code and
written answers. A copy with renamed variables and its cells in another order passes those
checks; this module finds it, in the way MOSS does (Schleimer, Wilkerson and Aiken, "Winnowing:
local algorithms for document fingerprinting", SIGMOD 2003):

1. Each code cell is tokenised with Python's own :mod:`tokenize` (a cell that does not tokenise,
   e.g. half-typed code, is read line by line and keeps what tokenises). Comments are dropped,
   every string becomes ``"S"`` (its content is not the code's shape), every name the student
   chose becomes ``V`` (renaming changes nothing), while keywords, built-ins, attribute names
   (``.groupby``, ``.mean``: the library's API) and numbers are kept.
2. The k-grams of tokens (:data:`K` tokens) of each cell are hashed; winnowing keeps the smallest
   hash of every window of :data:`WINDOW` consecutive hashes. A cell's fingerprints never
   cross into the next cell, so the order of the cells does not matter.
3. Fingerprints of the *baseline* are removed: the student copy every student starts from
   (``exercises/student/``, made from the master: its imports, check cells and scaffolding) and
   the master's solution code, the lines the lab leads to (two students who both write them
   are not alike; a copy of the master is flagged by the gradebook on its own). What is left
   is what the student wrote in their own way.
4. Two submissions' similarity is the Jaccard index of what is left (shared fingerprints over
   all their fingerprints). Pairs at or above :data:`THRESHOLD` with at least
   :data:`MIN_FINGERPRINTS` each are reported as "similar to X (NN %)": a pointer for the
   instructor to look, never a verdict (short tasks have few ways to be solved).

Only the fingerprints (hashes) are kept in the output folder, never the students' code.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from osmcourse.grading import remarks
from osmcourse.grading.remarks import Remark

K = 5  # tokens per k-gram: shorter finds common idioms everywhere, longer misses edited copies
WINDOW = 4  # winnowing window: any shared run of K + WINDOW - 1 tokens is certainly found
THRESHOLD = 0.6  # Jaccard index at which a pair is listed (calibrated in tests/test_lms.py)
MIN_FINGERPRINTS = 8  # below this, too little own code to compare meaningfully

_KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def tokens(source: str) -> list[str]:
    """The normalised tokens of one code cell (see the module's docstring, step 1)."""
    source = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        return _tokens(source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Half-typed code: keep what tokenises, line by line (never an error for the class).
        out: list[str] = []
        for line in source.splitlines():
            try:
                out.extend(_tokens(line.strip()))
            except (tokenize.TokenError, IndentationError, SyntaxError):
                continue
        return out


def _tokens(source: str) -> list[str]:
    out: list[str] = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text = token.type, token.string
        if kind in _SKIP:
            continue
        if kind == tokenize.NAME:
            out.append(text if text in _KEEP_NAMES or previous == "." else "V")
        elif kind == tokenize.STRING or kind in _FSTRING_TYPES:
            if not out or out[-1] != "S":  # an f-string's parts count as one string
                out.append("S")
        elif kind == tokenize.NEWLINE:
            out.append(";")
        elif kind == tokenize.INDENT:
            out.append("{")
        elif kind == tokenize.DEDENT:
            out.append("}")
        else:
            out.append(text)
        previous = text
    return out


_FSTRING_TYPES = {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}


def _hash(gram: Iterable[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(gram).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def winnow(hashes: list[int], window: int = WINDOW) -> set[int]:
    """The winnowed fingerprints: the smallest hash of every window (rightmost on ties)."""
    if len(hashes) <= window:
        return {min(hashes)} if hashes else set()
    chosen: set[int] = set()
    for start in range(len(hashes) - window + 1):
        part = hashes[start : start + window]
        chosen.add(min(part))
    return chosen


def cell_fingerprints(source: str, k: int = K, window: int = WINDOW) -> set[int]:
    """The fingerprints of one code cell (a cell shorter than ``k`` tokens gives one hash)."""
    items = tokens(source)
    if not items:
        return set()
    if len(items) < k:
        return {_hash(items)}
    return winnow([_hash(items[i : i + k]) for i in range(len(items) - k + 1)], window)


def code_cells(notebook: Any) -> list[str]:
    """The code cells of a notebook as text (the Colab set-up cell left out); never raises."""
    if not isinstance(notebook, Mapping):
        return []
    cells = notebook.get("cells")
    sources = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, Mapping) else None
        if isinstance(tags, list) and "colab-setup" in tags:
            continue
        source = cell.get("source", "")
        source = (
            "".join(part for part in source if isinstance(part, str))
            if isinstance(source, list)
            else source
        )
        if isinstance(source, str) and "__osm_" not in source:
            sources.append(source)
    return sources


def fingerprints(notebook: Any, baseline: set[int] = frozenset()) -> list[int]:
    """Sorted fingerprints of a notebook's own code: every code cell's, less the baseline's."""
    found: set[int] = set()
    for source in code_cells(notebook):
        found |= cell_fingerprints(source)
    return sorted(found - baseline)


def baseline(notebook: Any) -> set[int]:
    """The fingerprints of the code every student starts from (the student copy)."""
    return set(fingerprints(notebook))


def similarity(first: Iterable[int], second: Iterable[int]) -> float:
    """The Jaccard index of two fingerprint sets (0 when either is too small to compare)."""
    a, b = set(first), set(second)
    if len(a) < MIN_FINGERPRINTS or len(b) < MIN_FINGERPRINTS:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Pair:
    """Two submissions (by key) whose own code is similar, with the Jaccard index."""

    first: str
    second: str
    score: float

    @property
    def percent(self) -> int:
        return int(self.score * 100 + 0.5)


def similar_pairs(
    prints: Mapping[str, Iterable[int]],
    threshold: float = THRESHOLD,
    skip: Iterable[frozenset[str]] = (),
) -> list[Pair]:
    """Every pair of keys at or above ``threshold``, most similar first (then by key).

    ``skip`` names pairs already reported otherwise (identical copies). An inverted index
    limits the work to pairs sharing at least one fingerprint (a class of 1,000 is ~500,000
    pairs otherwise).
    """
    sets = {key: set(values) for key, values in prints.items()}
    owners: dict[int, list[str]] = {}
    for key in sorted(sets):
        for value in sets[key]:
            owners.setdefault(value, []).append(key)
    candidates: set[tuple[str, str]] = set()
    for keys in owners.values():
        if len(keys) > 1:
            candidates.update((a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    skipped = set(skip)
    pairs = []
    for a, b in candidates:
        if frozenset((a, b)) in skipped:
            continue
        score = similarity(sets[a], sets[b])
        if score >= threshold:
            pairs.append(Pair(a, b, score))
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs


def notes(pairs: Iterable[Pair]) -> dict[str, list[Remark]]:
    """The gradebook remark for each key: "similar to X (NN %)", most similar first."""
    result: dict[str, list[Remark]] = {}
    for pair in pairs:
        result.setdefault(pair.first, []).append(remarks.similar(pair.second, pair.percent))
        result.setdefault(pair.second, []).append(remarks.similar(pair.first, pair.percent))
    return result
