"""Checks for the lab "Mass media vs word of mouth" (the Bass diffusion model).

The judges compare answers with the lab's key (:mod:`osmcourse.checks.key`): salted hashes
here, plain targets only in the grader's :mod:`osmcourse.keys.bass`, computed from the
course's data and models, never typed in.
"""

from __future__ import annotations

from typing import Any

from osmcourse.checks.core import Lab, as_mapping, as_number, decimals, keyed_choice, require_keys

LAB = Lab("bass", "Mass media vs word of mouth")
KEY = LAB.key
PRODUCT = "room_air_conditioners"
# Sultan, Farley & Lehmann (1990): average p and q over published applications.
BENCHMARK_P, BENCHMARK_Q = 0.03, 0.38
# Each numeric task's precision, stated in the lab's task text.
YEAR, RATIO, SHARE, PEAK = decimals(0), decimals(1), decimals(3), decimals(2)


@LAB.task(1, answer="peak_sales_year", description="year of highest sales", precision=YEAR)
def task1(answer: Any) -> tuple[bool, str]:
    year = as_number(answer, "a year such as 1950")
    if KEY.near("1.peak", year):
        return True, "Sales peaked in that year, then fell back: the hump the Bass model describes."
    if KEY.near("1.last", year):
        return (
            False,
            "That is the last year in the table, not the year with the most sales: try .idxmax().",
        )
    return False, "Look for the year with the largest value of sales_thousands (Series.idxmax())."


@LAB.task(
    2, answer="q_over_p", description="ratio of imitation to external influence", precision=RATIO
)
def task2(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "the number q / p")
    if KEY.near("2.ratio", value):
        return True, "Imitation outweighs external influence by more than an order of magnitude."
    if KEY.near("2.inverse", value):
        return False, "That is p / q, upside down: divide q by p."
    return (
        False,
        f"Fit with fit_bass(sales), divide the fit's q by its p, and give it {RATIO.words}.",
    )


@LAB.task(
    3,
    answer="share_external",
    description="share of adoptions from external influence",
    precision=SHARE,
)
def task3(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    if KEY.near("3.share", value):
        return True, "Only a small share of adopters came 'from the media'; the rest imitated."
    if KEY.near("3.percent", value):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if KEY.near("3.imitation", value):
        return False, "That is the imitation share; the task asks for the external (p) share."
    return False, (
        "Sum from_external over all periods, divide by the sum of new_adopters, and "
        f"give the share {SHARE.words}."
    )


@LAB.task(4, answer="peak_times", description="peak time after doubling p or q", precision=PEAK)
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with keys "base", "double_p" and "double_q"')
    keys = ("base", "double_p", "double_q")
    require_keys(given, set(keys))
    wrong = [key for key in keys if not KEY.near(f"4.{key}", as_number(given[key]))]
    if not wrong:
        return True, "Both changes bring the peak forward; compare by how much."
    return False, (
        f"Check {', '.join(wrong)}: use bass_peak_time(p, q) with p = 0.03 and q = 0.38; give "
        f"each {PEAK.words}."
    )


@LAB.task(5, answer="interpretation", description="what the numbers support")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
