"""The answer key of the lab "Head and tail": plain targets, for the grader only."""

from __future__ import annotations

import math

from osmcourse.checks.key import Choice, at, exact, within
from osmcourse.checks.longtail import (
    CATALOGUES,
    COMPARED_RANKS,
    ROUND_HEAD,
    SLOPE,
    TAIL,
    TITLES,
    UNITS,
    _row,
    fit,
    head_size,
    published_shares,
)
from osmcourse.models.longtail import SLOPE_METRIC, catalogue_for_tail_share, tail_share


def _tail_shares(top_n: int) -> dict[int, float]:
    return {size: tail_share(top_n, size, fit().b) for size in CATALOGUES}


def _catalogues(top_n: int) -> dict[str, float]:
    return {
        key: catalogue_for_tail_share(share, top_n, fit().b)
        for key, share in published_shares().items()
    }


def targets() -> dict:
    row = _row(SLOPE_METRIC)
    slope = float(row["value"])
    units = {key: float(fit().weekly_units(rank)) for key, rank in COMPARED_RANKS.items()}
    out: dict = {
        "1.slope": at(SLOPE, slope),
        "1.negative": at(SLOPE, -slope),
        "1.intercept": at(SLOPE, fit().a),
        "1.confidence": exact(str(row["confidence"]).strip().lower()),
    }
    for key, value in units.items():
        out[f"2.{key}"] = at(UNITS, value)
        out[f"2.log.{key}"] = within(math.log(value), rel=0.01, abs_tol=0.01)
    shares, rounded = _tail_shares(head_size()), _tail_shares(ROUND_HEAD)
    for size, share in shares.items():
        out[f"3.{size}"] = at(TAIL, share)
        out[f"3.percent.{size}"] = within(100 * share, rel=0.01)
        out[f"3.head.{size}"] = at(TAIL, 1 - share)
        out[f"3.round.{size}"] = at(TAIL, rounded[size])
    catalogues, rounded_catalogues = _catalogues(head_size()), _catalogues(ROUND_HEAD)
    for key, size in catalogues.items():
        out[f"4.{key}"] = at(TITLES, size)
        out[f"4.millions.{key}"] = within(size / 1e6, rel=0.01)
        out[f"4.round.{key}"] = at(TITLES, rounded_catalogues[key])
    out["5"] = Choice(
        correct="c",
        right=(
            "Right: the model says where demand sits, not what caused it, and how big the "
            "tail is depends on assumptions; Elberse's counts are the caution."
        ),
        hints={
            "a": "How big the tail is depends on the catalogue size you assume (Tasks 3 and 4); and a "
            "share of demand says nothing about which marketing works.",
            "b": "The power law describes how sales fall with rank; it says nothing about why a title sells.",
            "d": "A title that sells little can still be part of a tail that adds up to a large share: "
            "compare Task 3.",
        },
    )
    return out
