"""The Bass diffusion model (Bass 1969): adoption driven by external influence ``p`` (mass
media, advertising, anything outside the social system) and imitation ``q`` (word of mouth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# What osmcourse.models exports from this model (it builds its names from each __all__).
__all__ = [
    "BassFit",
    "bass_cumulative_share",
    "bass_peak_time",
    "fit_bass",
    "simulate_bass",
]

# --- Bass diffusion ---------------------------------------------------------------------


@dataclass(frozen=True)
class BassFit:
    """Bass parameters: ``p`` external influence, ``q`` imitation, ``m`` market potential."""

    p: float
    q: float
    m: float

    def peak_time(self) -> float:
        """Time of peak adoption, ``ln(q/p) / (p + q)`` (only meaningful when ``q > p``)."""
        return bass_peak_time(self.p, self.q)


def bass_peak_time(p: float, q: float) -> float:
    """Time (in model periods from launch) at which adoptions per period peak.

    For ``q <= p`` adoptions fall from launch, so the peak is at time 0.
    """
    _check_pq(p, q)
    if q <= p:
        return 0.0
    return float(np.log(q / p) / (p + q))


def bass_cumulative_share(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form share of the market that has adopted by time ``t`` (Bass 1969)."""
    _check_pq(p, q)
    t = np.asarray(t, dtype=float)
    decay = np.exp(-(p + q) * t)
    return (1 - decay) / (1 + (q / p) * decay)


def simulate_bass(p: float, q: float, m: float, periods: int) -> pd.DataFrame:
    """Discrete-time Bass model, period by period.

    In each period the remaining market ``m - N`` adopts at rate ``p + q N / m``: the ``p``
    part is adoption from external influence (advertising, mass media), the ``q N / m`` part
    from imitation of earlier adopters (word of mouth).

    Returns:
        One row per period (1..periods) with ``new_adopters``, ``from_external``,
        ``from_imitation`` and ``cumulative``.
    """
    _check_pq(p, q)
    if m <= 0:
        raise ValueError(f"market potential m must be positive, not {m}")
    if periods < 1:
        raise ValueError(f"periods must be at least 1, not {periods}")
    cumulative = 0.0
    rows = []
    for period in range(1, periods + 1):
        remaining = m - cumulative
        external = p * remaining
        imitation = q * (cumulative / m) * remaining
        cumulative += external + imitation
        rows.append((period, external + imitation, external, imitation, cumulative))
    columns = ["period", "new_adopters", "from_external", "from_imitation", "cumulative"]
    return pd.DataFrame(rows, columns=columns).set_index("period")


def fit_bass(sales: pd.Series, stock_before: float = 0.0) -> BassFit:
    """Fit p, q and m to a sales series by the regression Bass (1969) used.

    Ordinary least squares of sales in period t on the cumulative sales before t and its
    square, ``S_t = a + b Y_{t-1} + c Y_{t-1}^2``; then ``m`` solves ``c m^2 + b m + a = 0``,
    ``p = a / m`` and ``q = -c m``. The estimates printed in Bass's own table need not be
    reproduced: the course's series is a secondary copy not checked against his table, the
    regression is known to be biased on short series, and ``Y`` for the first period depends
    on the sales before the series starts, which most published series do not record.

    Args:
        sales: first purchases per period, oldest first.
        stock_before: cumulative sales before the first period (default 0, "the series starts
            at launch"). The intercept ``a = p m``, and so ``p``, is the estimate most sensitive
            to it; the lab shows by how much.

    Raises:
        ValueError: fewer than four periods, negative sales or stock, or the regression has no
            positive ``m``.
    """
    values = np.asarray(sales, dtype=float)
    if len(values) < 4:
        raise ValueError(f"need at least 4 periods of sales to fit 3 parameters, got {len(values)}")
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise ValueError("sales must be finite and non-negative")
    if not (np.isfinite(stock_before) and stock_before >= 0):
        raise ValueError(f"stock_before must be a finite, non-negative number, not {stock_before}")
    before = stock_before + np.concatenate([[0.0], np.cumsum(values)[:-1]])
    design = np.column_stack([np.ones_like(before), before, before**2])
    (a, b, c), *_ = np.linalg.lstsq(design, values, rcond=None)
    roots = np.roots([c, b, a])
    positive = [r.real for r in roots if abs(r.imag) < 1e-9 and r.real > 0]
    if not positive:
        raise ValueError("the regression gives no positive market potential m")
    m = max(positive)
    return BassFit(p=float(a / m), q=float(-c * m), m=float(m))


def _check_pq(p: float, q: float) -> None:
    if not (p > 0 and q >= 0):
        raise ValueError(f"need p > 0 and q >= 0, got p={p}, q={q}")
