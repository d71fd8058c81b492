"""Reading a small CSV against a schema, for the course's data files and the seed catalogue.

:func:`read_csv_checked` checks a file's columns, types and ranges (and, for a data set, its
``# source:`` first line) and raises :class:`DataFileError`, naming the file and the problem,
instead of handing its caller a frame that is quietly wrong. It never changes the file.
The data loaders (:mod:`osmcourse.data`) and the seed catalogue (:mod:`osmcourse.text`) both
read through it; it imports neither, so they do not import each other to share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class DataFileError(ValueError):
    """A data file is missing or malformed; the message starts with the file's name."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}")


@dataclass(frozen=True)
class Range:
    """Inclusive bounds a numeric column must respect (``None`` means unbounded)."""

    low: float | None = None
    high: float | None = None


def read_source_line(path: Path | str) -> str:
    """The text of a data file's ``# source:`` first line."""
    path = Path(path)
    try:
        first = path.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"cannot read its source line ({error})") from error
    if not first.startswith("# source:"):
        raise DataFileError(path, "the first line must be a '# source:' comment")
    return first.removeprefix("# source:").strip()


def read_csv_checked(
    path: Path | str,
    columns: Mapping[str, str],
    ranges: Mapping[str, Range] | None = None,
    *,
    require_source: bool = False,
    allow_missing: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Read a CSV and check it against a small schema.

    Args:
        path: the file.
        columns: column name -> ``"string"``, ``"int"``, ``"float"`` or ``"bool"``; the file
            must have exactly these columns, in any order.
        ranges: numeric bounds per column.
        require_source: the first line must be a ``# source:`` comment.
        allow_missing: columns that may have empty cells (others may not).

    Raises:
        DataFileError: naming the file and what is wrong with it.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, f"no such file in {path.parent}")
    if require_source:
        read_source_line(path)
    try:
        frame = pd.read_csv(path, comment=None, skiprows=1 if require_source else 0, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"not a readable CSV table ({error})") from error

    expected, found = set(columns), set(frame.columns)
    if expected != found:
        parts = []
        if expected - found:
            parts.append(f"missing column(s) {sorted(expected - found)}")
        if found - expected:
            parts.append(f"unexpected column(s) {sorted(found - expected)}")
        raise DataFileError(path, "; ".join(parts))

    for name, kind in columns.items():
        empty = frame[name].isna()
        if empty.any() and name not in allow_missing:
            rows = (frame.index[empty] + 2 + int(require_source)).tolist()
            raise DataFileError(path, f"column {name!r} is empty on line(s) {rows}")
        frame[name] = _convert(path, frame[name], name, kind, require_source)

    for name, bounds in (ranges or {}).items():
        values = frame[name].dropna()
        outside = values[
            ((values < bounds.low) if bounds.low is not None else False)
            | ((values > bounds.high) if bounds.high is not None else False)
        ]
        if len(outside):
            raise DataFileError(
                path,
                f"column {name!r} has value(s) {outside.tolist()} outside "
                f"[{bounds.low}, {bounds.high}]",
            )
    return frame[list(columns)]


def _convert(path: Path, values: pd.Series, name: str, kind: str, has_source: bool) -> pd.Series:
    if kind == "string":
        return values.astype("string")
    if kind == "bool":
        lowered = values.str.strip().str.lower()
        bad = ~lowered.isin(["true", "false"]) & lowered.notna()
        if bad.any():
            raise DataFileError(
                path, f"column {name!r} must be true/false, found {values[bad].tolist()}"
            )
        return lowered.map({"true": True, "false": False})
    if kind in ("int", "float"):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna()
        if bad.any():
            line = int(values.index[bad][0]) + 2 + int(has_source)
            raise DataFileError(
                path,
                f"column {name!r} must be numeric, found {values[bad].iloc[0]!r} on line {line}",
            )
        if kind == "int":
            if (numbers.dropna() % 1 != 0).any():
                raise DataFileError(path, f"column {name!r} must hold whole numbers")
            return numbers.astype("Int64")
        return numbers.astype("float64")
    raise ValueError(f"unknown column kind {kind!r} for {name!r}")
