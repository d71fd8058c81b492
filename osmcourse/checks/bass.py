"""Checks for the lab "Mass media vs word of mouth" (the Bass diffusion model).

Expected values are computed from the course's data and models, never typed in, so a
correction to the data file corrects the checks too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from osmcourse.checks.core import (
    Lab, as_mapping, as_number, close, decimals, mismatched, multiple_choice,
    require_keys,
)
from osmcourse.data import load_bass_series
from osmcourse.models import BassFit, bass_peak_time, fit_bass, simulate_bass

LAB = Lab("bass", "Mass media vs word of mouth")
PRODUCT = "room_air_conditioners"
# Sultan, Farley & Lehmann (1990): average p and q over published applications.
BENCHMARK_P, BENCHMARK_Q = 0.03, 0.38
# Each numeric task's precision, stated in the lab's task text.
YEAR, RATIO, SHARE, PEAK = decimals(0), decimals(1), decimals(3), decimals(2)


@cache
def _fit() -> BassFit:
    return fit_bass(load_bass_series(PRODUCT))


@cache
def _expected_external_share() -> float:
    """Share of adoptions over the observed years that the fitted model credits to p."""
    fit = _fit()
    years = len(load_bass_series(PRODUCT))
    run = simulate_bass(fit.p, fit.q, fit.m, years)
    return float(run["from_external"].sum() / run["new_adopters"].sum())


def _expected_peak_times() -> dict[str, float]:
    p, q = BENCHMARK_P, BENCHMARK_Q
    return {
        "base": bass_peak_time(p, q),
        "double_p": bass_peak_time(2 * p, q),
        "double_q": bass_peak_time(p, 2 * q),
    }


@LAB.task(1, answer="peak_sales_year", description="year of highest sales", precision=YEAR)
def task1(answer: Any) -> tuple[bool, str]:
    sales = load_bass_series(PRODUCT)
    year = as_number(answer, "a year such as 1950")
    if YEAR.accepts(year, int(sales.idxmax())):
        return True, "Sales peaked in that year, then fell back: the hump the Bass model describes."
    if YEAR.accepts(year, int(sales.index.max())):
        return False, "That is the last year in the table, not the year with the most sales: try .idxmax()."
    return False, "Look for the year with the largest value of sales_thousands (Series.idxmax())."


@LAB.task(2, answer="q_over_p", description="ratio of imitation to external influence",
          precision=RATIO)
def task2(answer: Any) -> tuple[bool, str]:
    fit = _fit()
    value = as_number(answer, "the number q / p")
    if RATIO.accepts(value, fit.q / fit.p):
        return True, "Imitation outweighs external influence by more than an order of magnitude."
    if close(value, fit.p / fit.q):
        return False, "That is p / q, upside down: divide q by p."
    return False, f"Fit with fit_bass(sales), divide the fit's q by its p, and give it {RATIO.words}."


@LAB.task(3, answer="share_external", description="share of adoptions from external influence",
          precision=SHARE)
def task3(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    expected = _expected_external_share()
    if SHARE.accepts(value, expected):
        return True, "Only a small share of adopters came 'from the media'; the rest imitated."
    if close(value, 100 * expected, rel=0.02):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if SHARE.accepts(value, 1 - expected):
        return False, "That is the imitation share; the task asks for the external (p) share."
    return False, ("Sum from_external over all periods, divide by the sum of new_adopters, and "
                   f"give the share {SHARE.words}.")


@LAB.task(4, answer="peak_times", description="peak time after doubling p or q", precision=PEAK)
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with keys "base", "double_p" and "double_q"')
    expected = _expected_peak_times()
    require_keys(given, set(expected))
    wrong = mismatched(given, expected, PEAK)
    if not wrong:
        return True, "Both changes bring the peak forward; compare by how much."
    return False, (f"Check {', '.join(wrong)}: use bass_peak_time(p, q) with p = 0.03 and q = 0.38; give "
                   f"each {PEAK.words}.")


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
