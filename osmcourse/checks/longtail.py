"""Checks for the lab "Head and tail" (the Long Tail as a power law in sales rank).

Expected values are computed from the course's data file (``long_tail_figures.csv``) and the
model in :mod:`osmcourse.models.longtail`, never typed in, so a correction to the data file
corrects the checks too.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pandas as pd

from osmcourse.checks.core import (
    AnswerError, Lab, all_match, as_mapping, as_number, close, decimals, mismatched,
    multiple_choice, require_keys, significant,
)
from osmcourse.data import load_long_tail_figures
from osmcourse.models.longtail import (
    SLOPE_METRIC,
    RankSalesFit,
    catalogue_for_tail_share,
    rank_sales_from_figures,
    tail_share,
)

LAB = Lab("longtail", "Head and tail")
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written("w1", prompt="How many times more does the best seller sell than the title at rank 100,000?",
            points=1)
LAB.written("w2", prompt="Compare the catalogue sizes of Task 4 with those of Task 3: which claim fits a "
            "plausible catalogue?", points=2)

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


def _expected_weekly_units() -> dict[str, float]:
    return {key: float(fit().weekly_units(rank)) for key, rank in COMPARED_RANKS.items()}


@cache
def _expected_tail_shares(top_n: int | None = None) -> dict[int, float]:
    """Tail share beyond the head for each catalogue size of task 3 (exact sums)."""
    top_n = head_size() if top_n is None else top_n
    return {size: tail_share(top_n, size, fit().b) for size in CATALOGUES}


def published_shares() -> dict[str, float]:
    """Anderson's "more than half" and both ends of the Bezos 25-30% estimate, as shares."""
    bezos = _row(BEZOS_METRIC)
    return {
        "half": float(_row(ANDERSON_METRIC)["value"]) / 100,
        "bezos_low": float(bezos["value_low"]) / 100,
        "bezos_high": float(bezos["value_high"]) / 100,
    }


def _expected_catalogues(top_n: int | None = None) -> dict[str, float]:
    """Catalogue sizes at which the model's tail reaches each published share."""
    top_n = head_size() if top_n is None else top_n
    return {key: catalogue_for_tail_share(share, top_n, fit().b) for key, share in published_shares().items()}


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


@LAB.task(1, answer="slope_reading", description="the published slope and its confidence",
          precision=SLOPE)
def task1(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "slope" and "confidence"')
    require_keys(given, {"slope", "confidence"})
    slope = as_number(given["slope"], "the slope as a number")
    row = _row(SLOPE_METRIC)
    expected = float(row["value"])
    if not SLOPE.accepts(slope, expected):
        if SLOPE.accepts(slope, -expected):
            return False, "Check the sign: sales fall as the rank number grows, so the slope is negative."
        if SLOPE.accepts(slope, fit().a):
            return False, "That is the intercept (ln of weekly units at rank 1); the task asks for the slope."
        return False, "Find the row whose metric is rank_sales_slope and read its value column."
    confidence = given["confidence"]
    if not isinstance(confidence, str):
        raise AnswerError('Give the confidence as text, exactly as the table writes it, e.g. "low".')
    if confidence.strip().lower() != str(row["confidence"]).strip().lower():
        return False, "The slope is right; read the confidence column of the same row again."
    return True, ("Right, and note the confidence: the course saw this slope only second-hand, so "
                  "every number you derive from it inherits that uncertainty.")


@LAB.task(2, answer="weekly_units_at", description="predicted weekly units at two ranks",
          precision=UNITS)
def task2(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "rank_1" and "rank_100000"')
    require_keys(given, set(COMPARED_RANKS))
    values = {key: as_number(given[key]) for key in COMPARED_RANKS}
    expected = _expected_weekly_units()
    if all_match(values, expected, UNITS):
        return True, ("The best seller sells tens of thousands of copies a week; the title at rank "
                      "100,000 sells a copy or two.")
    if all(close(values[key], math.log(expected[key]), rel=0.01, abs_tol=0.01) for key in expected):
        return False, "These look like ln Q, not Q: the model gives the logarithm of weekly units, so take exp()."
    if UNITS.accepts(values["rank_1"], expected["rank_100000"]) and UNITS.accepts(
        values["rank_100000"], expected["rank_1"]
    ):
        return False, "The two values are swapped: rank 1 is the best seller."
    if UNITS.accepts(values["rank_1"], expected["rank_1"]):
        return False, ("rank_1 is right; recompute rank_100000 with r = 100,000 (natural log, slope "
                       f"with its sign) and give it {UNITS.words}.")
    return False, ("Use Q(r) = exp(a + b ln r) with a and b from the table; np.log is the natural "
                   f"logarithm (not log10). Give each value {UNITS.words}.")


@LAB.task(3, answer="tail_shares", description="share of demand beyond the top N, two catalogue sizes",
          precision=TAIL)
def task3(answer: Any) -> tuple[bool, str]:
    given = _keys_as_sizes(as_mapping(answer, "a dict from catalogue size to tail share"))
    expected = _expected_tail_shares()
    missing = [size for size in expected if size not in given]
    if missing:
        raise AnswerError(f"The dict needs one entry per catalogue size: missing {missing}.")
    values = {size: as_number(given[size], "a share between 0 and 1") for size in expected}
    if all_match(values, expected, TAIL):
        return True, ("The tail's share grows with the catalogue: the same curve gives different "
                      "answers depending on where the list of titles ends.")
    if all(close(values[size], 100 * expected[size], rel=0.01) for size in expected):
        return False, "Those look like percentages: give shares between 0 and 1."
    if all_match(values, {size: 1 - share for size, share in expected.items()}, TAIL):
        return False, "That is the head's share (the top N); the task asks for the share beyond it."
    rounded = _expected_tail_shares(ROUND_HEAD)
    if all_match(values, rounded, TAIL):
        return False, "Take N from the table (the Barnes & Noble row), not a round 100,000."
    if TAIL.accepts(values[CATALOGUES[0]], expected[CATALOGUES[1]]):
        return False, "The values seem attached to the wrong catalogue sizes."
    return False, ("Use tail_share(N, catalogue, b) with N from the table and each catalogue size in "
                   f"turn; give each share {TAIL.words}.")


@LAB.task(4, answer="catalogue_needed", description="catalogue size that matches each published share",
          precision=TITLES)
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "half", "bezos_low" and "bezos_high"')
    expected = _expected_catalogues()
    require_keys(given, set(expected))
    values = {key: as_number(given[key], "a number of titles") for key in expected}
    if all_match(values, expected, TITLES):
        return True, ("The Bezos estimate fits a catalogue of about a million titles; 'more than "
                      "half' needs a catalogue an order of magnitude longer, or a flatter curve.")
    if all(close(values[key] * 1e6, expected[key], rel=0.01) for key in expected):
        return False, "Those look like millions of titles: give the number of titles itself."
    rounded = _expected_catalogues(ROUND_HEAD)
    if all_match(values, rounded, TITLES):
        return False, "Take N from the table (the Barnes & Noble row), not a round 100,000."
    if TITLES.accepts(values["bezos_low"], expected["bezos_high"]):
        return False, "bezos_low and bezos_high seem swapped: a smaller tail share needs a shorter catalogue."
    wrong = mismatched(values, expected, TITLES)
    return False, (f"Check {', '.join(wrong)}: pass the share as a number between 0 and 1 to "
                   f"catalogue_for_tail_share(share, N, b), and give each size {TITLES.words}.")


@LAB.task(5, answer="interpretation", description="head and tail marketing")
def task5(answer: Any) -> tuple[bool, str]:
    return multiple_choice(
        answer,
        correct="c",
        right=("Right: the model says where demand sits, not what caused it, and how big the "
                      "tail is depends on assumptions; Elberse's counts are the caution."),
        hints={
            "a": "How big the tail is depends on the catalogue size you assume (Tasks 3 and 4); and a "
                 "share of demand says nothing about which marketing works.",
            "b": "The power law describes how sales fall with rank; it says nothing about why a title sells.",
            "d": "A title that sells little can still be part of a tail that adds up to a large share: "
                 "compare Task 3.",
        },
    )
