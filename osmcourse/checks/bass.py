"""Checks for the lab "Mass media vs word of mouth" (the Bass diffusion model).

Expected values are computed from the course's data and models, never typed in, so a
correction to the data file corrects the checks too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from osmcourse.checks.core import (
    Lab, as_mapping, as_number, close, mismatched, multiple_choice, require_keys,
)
from osmcourse.data import load_bass_series
from osmcourse.models import BassFit, bass_peak_time, fit_bass, simulate_bass

LAB = Lab("bass", "Mass media vs word of mouth")
PRODUCT = "room_air_conditioners"
# Sultan, Farley & Lehmann (1990): average p and q over published applications.
BENCHMARK_P, BENCHMARK_Q = 0.03, 0.38


@cache
def _fit() -> BassFit:
    return fit_bass(load_bass_series(PRODUCT))


@cache
def expected_external_share() -> float:
    """Share of adoptions over the observed years that the fitted model credits to p."""
    fit = _fit()
    years = len(load_bass_series(PRODUCT))
    run = simulate_bass(fit.p, fit.q, fit.m, years)
    return float(run["from_external"].sum() / run["new_adopters"].sum())


def expected_peak_times() -> dict[str, float]:
    p, q = BENCHMARK_P, BENCHMARK_Q
    return {
        "base": bass_peak_time(p, q),
        "double_p": bass_peak_time(2 * p, q),
        "double_q": bass_peak_time(p, 2 * q),
    }


@LAB.task(1, answer="peak_sales_year", description="year of highest sales")
def task1(answer: Any) -> tuple[bool, str]:
    sales = load_bass_series(PRODUCT)
    year = as_number(answer, "a year such as 1950")
    if year == int(sales.idxmax()):
        return True, "Sales peaked in that year, then fell back: the hump the Bass model describes."
    if year == int(sales.index.max()):
        return False, "That is the last year in the table, not the year with the most sales: try .idxmax()."
    return False, "Look for the year with the largest value of sales_thousands (Series.idxmax())."


@LAB.task(2, answer="q_over_p", description="ratio of imitation to external influence")
def task2(answer: Any) -> tuple[bool, str]:
    fit = _fit()
    value = as_number(answer, "the number q / p")
    if close(value, fit.q / fit.p):
        return True, "Imitation outweighs external influence by more than an order of magnitude."
    if close(value, fit.p / fit.q):
        return False, "That is p / q, upside down: divide q by p."
    return False, "Fit with fit_bass(sales) and divide the fit's q by its p."


@LAB.task(3, answer="share_external", description="share of adoptions from external influence")
def task3(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    expected = expected_external_share()
    if close(value, expected, rel=0.02):
        return True, "Only a small share of adopters came 'from the media'; the rest imitated."
    if close(value, 100 * expected, rel=0.02):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if close(value, 1 - expected, rel=0.02):
        return False, "That is the imitation share; the task asks for the external (p) share."
    return False, "Sum from_external over all periods and divide by the sum of new_adopters."


@LAB.task(4, answer="peak_times", description="peak time after doubling p or q")
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with keys "base", "double_p" and "double_q"')
    expected = expected_peak_times()
    require_keys(given, set(expected))
    wrong = mismatched(given, expected, rel=0.01)
    if not wrong:
        return True, "Both changes bring the peak forward; compare by how much."
    return False, f"Check {', '.join(wrong)}: use bass_peak_time(p, q) with p = 0.03 and q = 0.38."


@LAB.task(5, answer="interpretation", description="what the numbers support")
def task5(answer: Any) -> tuple[bool, str]:
    return multiple_choice(
        answer,
        correct="c",
        right=("Right: in the fitted model most adopters imitate earlier adopters, but "
                      "the model does not say advertising is useless; p starts the process."),
        hints={
            "a": "Task 3 shows external influence accounts for a small share: re-read it.",
            "b": "The fit cannot tell us what advertising caused: p lumps together every outside influence.",
            "d": "Task 4 shows that both changes bring the peak forward, not later.",
        },
    )
