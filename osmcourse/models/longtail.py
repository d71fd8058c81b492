"""The Long Tail as a power law in sales rank.

Brynjolfsson, Hu & Smith (2003) related a book's weekly sales at Amazon to its sales rank by
a straight line on log-log axes, ``ln Q = a + b ln r``, that is ``Q(r) = exp(a) * r**b``.
With ``b`` between -1 and 0 the sum of ``r**b`` over all ranks grows without limit, so the
share of demand that lies beyond the top ``N`` titles is not a property of the curve alone:
it depends on where the catalogue ends. The functions here make that dependence explicit.

The parameters are never typed in here: :func:`rank_sales_from_figures` reads them from the
table that :func:`osmcourse.data.load_long_tail_figures` loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# What osmcourse.models exports from this model (it builds its names from each __all__).
__all__ = [
    "RankSalesFit",
    "catalogue_for_tail_share",
    "demand_sum",
    "rank_sales_from_figures",
    "tail_share",
    "weekly_units",
]

INTERCEPT_METRIC = "rank_sales_intercept_ln_weekly_qty"
SLOPE_METRIC = "rank_sales_slope"
METHODS = ("exact", "integral")
# Terms summed per block by the exact method (keeps memory small for long catalogues).
_BLOCK = 1_000_000
# Beyond this many terms the exact method would take minutes: use the integral instead.
MAX_EXACT_TERMS = 200_000_000


@dataclass(frozen=True)
class RankSalesFit:
    """``ln Q = a + b ln r``: weekly units ``Q`` of the title at sales rank ``r``."""

    a: float
    b: float

    def weekly_units(self, rank: np.ndarray | float) -> np.ndarray | float:
        """Predicted weekly units at ``rank`` (see :func:`weekly_units`)."""
        return weekly_units(rank, self.a, self.b)


def rank_sales_from_figures(figures: pd.DataFrame) -> RankSalesFit:
    """The published rank-sales line from the long-tail figures table.

    Args:
        figures: the frame from :func:`osmcourse.data.load_long_tail_figures` (columns
            ``metric`` and ``value`` at least).

    Raises:
        KeyError: the table lacks the intercept or the slope row.
        ValueError: one of them appears more than once or is not a number.
    """
    return RankSalesFit(
        a=_one_value(figures, INTERCEPT_METRIC), b=_one_value(figures, SLOPE_METRIC)
    )


def weekly_units(rank: np.ndarray | float, a: float, b: float) -> np.ndarray | float:
    """``exp(a) * rank**b``: weekly units sold by the title at sales rank ``rank``.

    Ranks are counted from 1 (the best seller) and must be positive; they need not be whole
    numbers, so the curve can be drawn smoothly. A scalar rank gives a float, an array an array.

    Raises:
        ValueError: a rank is zero, negative or not finite.
    """
    ranks = np.asarray(rank, dtype=float)
    if ranks.size and not (np.all(np.isfinite(ranks)) and np.all(ranks > 0)):
        raise ValueError("ranks must be positive (rank 1 is the best seller)")
    units = np.exp(a + b * np.log(ranks))
    return float(units) if units.ndim == 0 else units


def demand_sum(first: int, last: int, b: float, method: str = "exact") -> float:
    """``sum(r**b for r in first..last)``: demand of ranks ``first`` to ``last`` (inclusive).

    The common factor ``exp(a)`` is left out: it cancels in every share.

    Args:
        first, last: whole-number ranks with ``1 <= first <= last``.
        b: the rank-sales slope.
        method: ``"exact"`` adds the terms one by one (numpy's pairwise summation);
            ``"integral"`` uses the midpoint-rule approximation
            ``integral of x**b from first - 1/2 to last + 1/2``, a closed form that is very
            close to the exact sum except for the first few ranks.

    Raises:
        ValueError: ranks that are not whole, positive and in order, an unknown method, or
            more than ``MAX_EXACT_TERMS`` terms for the exact method.
    """
    first, last = _whole_rank(first, "first"), _whole_rank(last, "last")
    if first > last:
        raise ValueError(f"need first <= last, got first={first}, last={last}")
    if method == "exact":
        if last - first + 1 > MAX_EXACT_TERMS:
            raise ValueError(
                f"{last - first + 1:,} terms are too many to add one by one; use method='integral'"
            )
        total = 0.0
        for start in range(first, last + 1, _BLOCK):
            stop = min(start + _BLOCK, last + 1)
            total += float(np.sum(np.arange(start, stop, dtype=float) ** b))
        return total
    if method == "integral":
        return _power_integral(first - 0.5, last + 0.5, b)
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def tail_share(top_n: int, catalogue: int, b: float, method: str = "exact") -> float:
    """Share of all demand that falls beyond the top ``top_n`` titles of a catalogue.

    The catalogue holds the titles ranked 1 to ``catalogue``; the tail is ranks
    ``top_n + 1`` to ``catalogue``. The result is a number between 0 and 1, not a percentage.

    Raises:
        ValueError: unless ``1 <= top_n < catalogue`` (whole numbers), or for an unknown method.
    """
    top_n, catalogue = _whole_rank(top_n, "top_n"), _whole_rank(catalogue, "catalogue")
    if top_n >= catalogue:
        raise ValueError(f"the catalogue ({catalogue}) must be longer than the head ({top_n})")
    head = demand_sum(1, top_n, b, method)
    tail = demand_sum(top_n + 1, catalogue, b, method)
    return tail / (head + tail)


def catalogue_for_tail_share(share: float, top_n: int, b: float) -> float:
    """The catalogue size at which the tail beyond ``top_n`` holds ``share`` of demand.

    Solves the ``"integral"`` form of :func:`tail_share` for the catalogue size, in closed
    form, so the answer is a (large) real number of titles, not rounded. With the midpoint
    rule, ranks 1..C span ``x`` from 1/2 to ``C + 1/2``.

    Args:
        share: the tail's share of demand, strictly between 0 and 1 (0.5, not 50).
        top_n: the size of the head, in titles.
        b: the rank-sales slope.

    Raises:
        ValueError: ``share`` outside (0, 1), or larger than any catalogue can give (when
            ``b < -1`` the tail's share has a ceiling, however long the catalogue).
    """
    if not (0 < share < 1):
        raise ValueError(f"share must be strictly between 0 and 1 (0.5 for half), not {share}")
    top_n = _whole_rank(top_n, "top_n")
    lo, head_end = 0.5, top_n + 0.5
    if b == -1:
        end = math.exp((math.log(head_end) - share * math.log(lo)) / (1 - share))
    else:
        k = b + 1
        target = (head_end**k - share * lo**k) / (1 - share)
        if target <= 0:
            raise ValueError(f"with b = {b} no catalogue gives the tail a share of {share}")
        end = target ** (1 / k)
    return end - 0.5


def _power_integral(lo: float, hi: float, b: float) -> float:
    if b == -1:
        return math.log(hi / lo)
    k = b + 1
    return (hi**k - lo**k) / k


def _whole_rank(value: int, name: str) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or value < 1:
        raise ValueError(
            f"{name} must be a whole number of at least 1 (ranks must be positive), not {value!r}"
        )
    return int(value)


def _one_value(figures: pd.DataFrame, metric: str) -> float:
    rows = figures.loc[figures["metric"] == metric, "value"]
    if rows.empty:
        raise KeyError(f"the long-tail figures have no {metric!r} row")
    if len(rows) > 1:
        raise ValueError(f"the long-tail figures have {len(rows)} {metric!r} rows, expected one")
    value = float(rows.iloc[0])
    if not math.isfinite(value):
        raise ValueError(f"the {metric!r} row is not a single number")
    return value
