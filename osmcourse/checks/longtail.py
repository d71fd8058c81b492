"""Checks for the lab "Head and tail" (the Long Tail as a power law in sales rank).

The judges compare answers with the lab's key (:mod:`osmcourse.checks.key`): salted hashes
here, plain targets only in the grader's :mod:`osmcourse.keys.longtail`, computed from the
course's data file (``long_tail_figures.csv``) and the model in
:mod:`osmcourse.models.longtail`, never typed in.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pandas as pd

from osmcourse.checks.core import (
    AnswerError,
    Lab,
    as_mapping,
    as_number,
    decimals,
    keyed_choice,
    require_keys,
    significant,
)
from osmcourse.data import load_long_tail_figures
from osmcourse.models.longtail import RankSalesFit, rank_sales_from_figures

LAB = Lab("longtail", "Head and tail")
KEY = LAB.key
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written(
    "w1",
    prompt="How many times more does the best seller sell than the title at rank 100,000?",
    points=1,
)
LAB.written(
    "w2",
    prompt="Compare the catalogue sizes of Task 4 with those of Task 3: which claim fits a "
    "plausible catalogue?",
    points=2,
)

# The rows of long_tail_figures.csv the lab uses.
HEAD_METRIC = "barnes_noble_avg_titles_carried"
ANDERSON_METRIC = "amazon_book_sales_share_outside_top_130000"
BEZOS_METRIC = "amazon_book_sales_share_not_in_stores_bezos_estimate"
# The lab's choices (not published figures): the ranks compared in task 2 and the two
# catalogue sizes of task 3.
COMPARED_RANKS = {"rank_1": 1, "rank_100000": 100_000}
CATALOGUES = (1_000_000, 3_000_000)
# The top-N cut used by a student who takes the brief's round 100,000 instead of the table's.
ROUND_HEAD = 100_000
# Each numeric task's precision, stated in the lab's task text. Catalogue sizes to three
# significant figures: a round head of 100,000 titles or the exact-sum search instead of
# catalogue_for_tail_share's closed form moves them by 1% or more.
SLOPE, UNITS, TAIL, TITLES = decimals(3), decimals(2), decimals(3), significant(3)


@cache
def _figures() -> pd.DataFrame:
    return load_long_tail_figures()


def _row(metric: str) -> pd.Series:
    rows = _figures()[_figures()["metric"] == metric]
    if len(rows) != 1:
        raise KeyError(f"expected one {metric!r} row in long_tail_figures.csv, found {len(rows)}")
    return rows.iloc[0]


@cache
def fit() -> RankSalesFit:
    """The published rank-sales line, read from the data file."""
    return rank_sales_from_figures(_figures())


def head_size() -> int:
    """The top-N cut: the average Barnes & Noble's stock in titles (Anderson 2004)."""
    return int(_row(HEAD_METRIC)["value"])


def published_shares() -> dict[str, float]:
    """Anderson's "more than half" and both ends of the Bezos 25-30% estimate, as shares."""
    bezos = _row(BEZOS_METRIC)
    return {
        "half": float(_row(ANDERSON_METRIC)["value"]) / 100,
        "bezos_low": float(bezos["value_low"]) / 100,
        "bezos_high": float(bezos["value_high"]) / 100,
    }


def _keys_as_sizes(given: dict[str, Any]) -> dict[int, Any]:
    sizes = {}
    for key, value in given.items():
        try:
            number = float(str(key).replace("_", ""))
        except ValueError:
            raise AnswerError(
                f"Use the catalogue sizes as the dict's keys, e.g. {{{CATALOGUES[0]}: ...}}, not {key!r}."
            ) from None
        if math.isfinite(number) and number.is_integer():
            sizes[int(number)] = value
    return sizes


@LAB.task(
    1, answer="slope_reading", description="the published slope and its confidence", precision=SLOPE
)
def task1(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "slope" and "confidence"')
    require_keys(given, {"slope", "confidence"})
    slope = as_number(given["slope"], "the slope as a number")
    if not KEY.near("1.slope", slope):
        if KEY.near("1.negative", slope):
            return (
                False,
                "Check the sign: sales fall as the rank number grows, so the slope is negative.",
            )
        if KEY.near("1.intercept", slope):
            return (
                False,
                "That is the intercept (ln of weekly units at rank 1); the task asks for the slope.",
            )
        return False, "Find the row whose metric is rank_sales_slope and read its value column."
    confidence = given["confidence"]
    if not isinstance(confidence, str):
        raise AnswerError(
            'Give the confidence as text, exactly as the table writes it, e.g. "low".'
        )
    if not KEY.exact("1.confidence", confidence.strip().lower()):
        return False, "The slope is right; read the confidence column of the same row again."
    return True, (
        "Right, and note the confidence: the course saw this slope only second-hand, so "
        "every number you derive from it inherits that uncertainty."
    )


@LAB.task(
    2, answer="weekly_units_at", description="predicted weekly units at two ranks", precision=UNITS
)
def task2(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "rank_1" and "rank_100000"')
    require_keys(given, set(COMPARED_RANKS))
    values = {key: as_number(given[key]) for key in COMPARED_RANKS}
    if all(KEY.near(f"2.{key}", values[key]) for key in COMPARED_RANKS):
        return True, (
            "The best seller sells tens of thousands of copies a week; the title at rank "
            "100,000 sells a copy or two."
        )
    if all(KEY.near(f"2.log.{key}", values[key]) for key in COMPARED_RANKS):
        return (
            False,
            "These look like ln Q, not Q: the model gives the logarithm of weekly units, so take exp().",
        )
    if KEY.near("2.rank_100000", values["rank_1"]) and KEY.near("2.rank_1", values["rank_100000"]):
        return False, "The two values are swapped: rank 1 is the best seller."
    if KEY.near("2.rank_1", values["rank_1"]):
        return False, (
            "rank_1 is right; recompute rank_100000 with r = 100,000 (natural log, slope "
            f"with its sign) and give it {UNITS.words}."
        )
    return False, (
        "Use Q(r) = exp(a + b ln r) with a and b from the table; np.log is the natural "
        f"logarithm (not log10). Give each value {UNITS.words}."
    )


@LAB.task(
    3,
    answer="tail_shares",
    description="share of demand beyond the top N, two catalogue sizes",
    precision=TAIL,
)
def task3(answer: Any) -> tuple[bool, str]:
    given = _keys_as_sizes(as_mapping(answer, "a dict from catalogue size to tail share"))
    missing = [size for size in CATALOGUES if size not in given]
    if missing:
        raise AnswerError(f"The dict needs one entry per catalogue size: missing {missing}.")
    values = {size: as_number(given[size], "a share between 0 and 1") for size in CATALOGUES}
    if all(KEY.near(f"3.{size}", values[size]) for size in CATALOGUES):
        return True, (
            "The tail's share grows with the catalogue: the same curve gives different "
            "answers depending on where the list of titles ends."
        )
    if all(KEY.near(f"3.percent.{size}", values[size]) for size in CATALOGUES):
        return False, "Those look like percentages: give shares between 0 and 1."
    if all(KEY.near(f"3.head.{size}", values[size]) for size in CATALOGUES):
        return False, "That is the head's share (the top N); the task asks for the share beyond it."
    if all(KEY.near(f"3.round.{size}", values[size]) for size in CATALOGUES):
        return False, "Take N from the table (the Barnes & Noble row), not a round 100,000."
    if KEY.near(f"3.{CATALOGUES[1]}", values[CATALOGUES[0]]):
        return False, "The values seem attached to the wrong catalogue sizes."
    return False, (
        "Use tail_share(N, catalogue, b) with N from the table and each catalogue size in "
        f"turn; give each share {TAIL.words}."
    )


@LAB.task(
    4,
    answer="catalogue_needed",
    description="catalogue size that matches each published share",
    precision=TITLES,
)
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "half", "bezos_low" and "bezos_high"')
    keys = list(published_shares())
    require_keys(given, set(keys))
    values = {key: as_number(given[key], "a number of titles") for key in keys}
    if all(KEY.near(f"4.{key}", values[key]) for key in keys):
        return True, (
            "The Bezos estimate fits a catalogue of about a million titles; 'more than "
            "half' needs a catalogue an order of magnitude longer, or a flatter curve."
        )
    if all(KEY.near(f"4.millions.{key}", values[key]) for key in keys):
        return False, "Those look like millions of titles: give the number of titles itself."
    if all(KEY.near(f"4.round.{key}", values[key]) for key in keys):
        return False, "Take N from the table (the Barnes & Noble row), not a round 100,000."
    if KEY.near("4.bezos_high", values["bezos_low"]):
        return (
            False,
            "bezos_low and bezos_high seem swapped: a smaller tail share needs a shorter catalogue.",
        )
    wrong = [key for key in keys if not KEY.near(f"4.{key}", values[key])]
    return False, (
        f"Check {', '.join(wrong)}: pass the share as a number between 0 and 1 to "
        f"catalogue_for_tail_share(share, N, b), and give each size {TITLES.words}."
    )


@LAB.task(5, answer="interpretation", description="head and tail marketing")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
