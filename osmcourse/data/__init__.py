"""Validated loaders for the course's small data files.

``osmcourse.data`` is the folder ``osmcourse/data/``: this module and, beside it, the data
files it loads (:data:`DATA_DIR`). Every CSV there has a ``# source:`` first line that says
where its figures come from; ``osmcourse/data/SOURCES.md`` adds the licence and confidence
notes. The loaders check columns, types and ranges and raise
:class:`DataFileError`, naming the file and the problem, instead of handing a lab a frame
that is quietly wrong. They never change the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# The CSV checks live in their own module, shared with the seed catalogue; they are imported
# here too because labs and tests import them from osmcourse.data.
from osmcourse.checked_csv import DataFileError, Range, read_csv_checked, read_source_line
from osmcourse.text import load_catalogue

# The CSVs sit beside this module, in the package folder itself (shipped as package data).
DATA_DIR = Path(__file__).resolve().parent

__all__ = [
    "DATA_DIR",
    "NIELSEN_TRUST_CATEGORIES",
    "DataFileError",
    "Range",
    "load_bass_sales",
    "load_bass_series",
    "load_long_tail_figures",
    "load_nielsen_trust",
    "load_timeline",
    "read_csv_checked",
    "read_source_line",
]


# --- The course's data sets -------------------------------------------------------------


def load_bass_sales(path: Path | str | None = None) -> pd.DataFrame:
    """Annual US unit sales (thousands) of three consumer durables, the classic Bass series.

    Columns: ``product``, ``year``, ``sales_thousands``. Secondary source: see the file's
    source line and ``SOURCES.md`` (medium-low confidence; not checked against Bass 1969).
    """
    path = Path(path) if path else DATA_DIR / "bass_classic_sales.csv"
    frame = read_csv_checked(
        path,
        {"product": "string", "year": "int", "sales_thousands": "float"},
        {"year": Range(1900, 2100), "sales_thousands": Range(0, None)},
        require_source=True,
    )
    duplicated = frame.duplicated(["product", "year"])
    if duplicated.any():
        raise DataFileError(
            path, f"repeated product-year rows: {frame[duplicated].values.tolist()}"
        )
    return frame.sort_values(["product", "year"], ignore_index=True)


def load_bass_series(product: str, path: Path | str | None = None) -> pd.Series:
    """One product's annual sales (thousands), indexed by year."""
    frame = load_bass_sales(path)
    known = sorted(frame["product"].unique())
    if product not in known:
        raise KeyError(f"no product {product!r}; the file has {known}")
    one = frame[frame["product"] == product]
    return pd.Series(
        one["sales_thousands"].to_numpy(dtype=float),
        index=pd.Index(one["year"].astype(int), name="year"),
        name=product,
    )


def load_timeline(path: Path | str | None = None) -> pd.DataFrame:
    """The course's texts (earliest year their words point to) and the works they cite.

    Columns: ``label``, ``year``, ``kind`` (``seed`` or ``cited``), ``seed_id`` (the text
    that is, or cites, the row), ``citation`` (a ``references.bib`` key for cited works,
    missing for the texts). The cited works come from the file; the texts' rows come from
    the seed catalogue (``earliest_year``), the one place a text's inferred date is kept, so
    the timeline cannot disagree with the pages that date the texts.

    Raises:
        DataFileError: the file is malformed, or a work is cited by a text that does not exist.
    """
    path = Path(path) if path else DATA_DIR / "timeline.csv"
    cited = read_csv_checked(
        path,
        {"label": "string", "year": "int", "seed_id": "string", "citation": "string"},
        {"year": Range(1900, 2030)},
        require_source=True,
    )
    catalogue = load_catalogue()
    unknown = sorted(set(cited["seed_id"]) - set(catalogue["seed_id"]))
    if unknown:
        raise DataFileError(path, f"seed_id names no text in the seed catalogue: {unknown}")
    seeds = pd.DataFrame(
        {
            "label": "Text " + catalogue["seed_id"],
            "year": catalogue["earliest_year"].astype("Int64"),
            "kind": "seed",
            "seed_id": catalogue["seed_id"],
            "citation": pd.Series(pd.NA, index=catalogue.index, dtype="string"),
        }
    )
    cited = cited.assign(kind="cited")
    frame = pd.concat([seeds, cited[list(seeds.columns)]], ignore_index=True)
    frame["label"] = frame["label"].astype("string")
    frame["kind"] = frame["kind"].astype("string")
    frame["seed_id"] = frame["seed_id"].astype("string")
    return frame


# --- Lab "Head and tail": published long-tail figures -----------------------------------


def load_long_tail_figures(path: Path | str | None = None) -> pd.DataFrame:
    """Published Long Tail figures (Brynjolfsson, Hu & Smith 2003; Anderson 2004; later reports).

    The file keeps each figure exactly as published, in a text column ``value``, because one
    figure is a range ("25-30", Jeff Bezos's estimate as quoted by Anderson). The loader
    returns:

    * ``value``: the figure as a number, and NaN **only** for a range row;
    * ``value_low`` / ``value_high``: both ends of a range (for a single number, both equal it);
    * ``value_text``: the figure exactly as the file has it;
    * ``metric``, ``unit``, ``year_of_data``, ``citation`` and ``confidence`` unchanged.

    The confidence column must start with high, medium or low; see ``SOURCES.md`` (the
    rank-sales slope and intercept are medium confidence, seen second-hand).

    Raises:
        DataFileError: naming the file and the problem (a value that is neither a number nor a
            "low-high" range, a range whose ends are reversed, an unknown confidence level, a
            metric repeated for the same year, ...).
    """
    import re

    path = Path(path) if path else DATA_DIR / "long_tail_figures.csv"
    text_columns = ("metric", "value", "unit", "year_of_data", "citation", "confidence")
    frame = read_csv_checked(path, {name: "string" for name in text_columns}, require_source=True)

    number = r"[-+]?\d+(?:\.\d+)?"
    lows, highs, singles = [], [], []
    for position, raw in enumerate(frame["value"]):
        line = position + 3  # the source line and the header come first
        text = str(raw).strip()
        if re.fullmatch(number, text):
            low = high = float(text)
            singles.append(True)
        elif match := re.fullmatch(rf"({number})\s*-\s*({number})", text):
            low, high = float(match.group(1)), float(match.group(2))
            if low > high:
                raise DataFileError(path, f"the range {text!r} on line {line} runs backwards")
            singles.append(False)
        else:
            raise DataFileError(
                path,
                f"column 'value' must be a number or a 'low-high' range, "
                f"found {text!r} on line {line}",
            )
        lows.append(low)
        highs.append(high)

    levels = frame["confidence"].str.strip().str.lower()
    unknown = ~levels.str.match(r"^(high|medium|low)")
    if unknown.any():
        found = frame["confidence"][unknown].tolist()
        raise DataFileError(
            path, f"column 'confidence' must start with high, medium or low, found {found}"
        )
    repeated = frame.duplicated(["metric", "year_of_data"])
    if repeated.any():
        names = frame.loc[repeated, "metric"].tolist()
        raise DataFileError(path, f"repeated metric-year rows: {names}")

    low_values = pd.Series(lows, index=frame.index, dtype="float64")
    high_values = pd.Series(highs, index=frame.index, dtype="float64")
    result = pd.DataFrame(
        {
            "metric": frame["metric"],
            "value": low_values.where(pd.Series(singles, index=frame.index)),
            "value_low": low_values,
            "value_high": high_values,
            "value_text": frame["value"],
            "unit": frame["unit"],
            "year_of_data": frame["year_of_data"],
            "citation": frame["citation"],
            "confidence": frame["confidence"],
        }
    )
    return result


# --- Lab "Trust and noise": Nielsen's Global Trust in Advertising survey ------------------

NIELSEN_TRUST_CATEGORIES = ("earned", "owned", "paid_traditional", "paid_digital")


def load_nielsen_trust(path: Path | str | None = None) -> pd.DataFrame:
    """Nielsen Global Trust in Advertising, 2013 with the 2007 comparison (Nielsen 2013).

    Columns: ``format`` (e.g. ``recommendations_from_people_i_know``), ``category`` (one of
    ``earned``, ``owned``, ``paid_traditional``, ``paid_digital``), ``pct_trust_2007`` and
    ``pct_trust_2013``: the percentage of online respondents who said they completely or
    somewhat trust the format. ``pct_trust_2007`` is empty (NaN) for formats not asked in
    2007. Rows in the file's order (2013 trust, highest first). High confidence for the
    figures as reported; online, global, self-reported, not a probability sample.
    """
    path = Path(path) if path else DATA_DIR / "nielsen_trust_in_advertising_2007_2013.csv"
    frame = read_csv_checked(
        path,
        {
            "format": "string",
            "category": "string",
            "pct_trust_2007": "float",
            "pct_trust_2013": "float",
        },
        {"pct_trust_2007": Range(0, 100), "pct_trust_2013": Range(0, 100)},
        require_source=True,
        allow_missing=("pct_trust_2007",),
    )
    unknown = sorted(set(frame["category"]) - set(NIELSEN_TRUST_CATEGORIES))
    if unknown:
        raise DataFileError(
            path,
            f"column 'category' must be one of {list(NIELSEN_TRUST_CATEGORIES)}, found {unknown}",
        )
    repeated = frame["format"].duplicated()
    if repeated.any():
        raise DataFileError(path, f"repeated format(s): {frame.loc[repeated, 'format'].tolist()}")
    return frame.reset_index(drop=True)
