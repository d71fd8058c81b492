"""Checks for the lab "Trust and noise" (Nielsen's trust survey and a SYNTHETIC community model).

The judges compare answers with the lab's key (:mod:`osmcourse.checks.key`): salted hashes
here, plain targets only in the grader's :mod:`osmcourse.keys.trust`, which computes them from
the course's data file and the package's model, never typed in.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from osmcourse.checks.core import AnswerError, Lab, as_mapping, as_number, decimals, keyed_choice
from osmcourse.data import NIELSEN_TRUST_CATEGORIES, load_nielsen_trust

LAB = Lab("trust", "Trust and noise")
KEY = LAB.key
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written(
    "w1",
    prompt="Compare the thresholds under the four other sets of assumptions with your "
    "answer to Task 4.",
    points=2,
)
# Task 2 compares these two formats (an earned and a paid digital one).
PEER, BANNER = "recommendations_from_people_i_know", "online_banner_ads"
YEARS = ("2007", "2013")
# Task 4: the grid of promotional shares the notebook tells students to search.
SHARE_STEP = 0.01
# Each numeric task's precision, stated in the lab's task text. The survey's percentages are
# whole numbers, so their gaps are too; task 4's grid has steps of 0.01.
GAP, MEAN, SHRINK = decimals(0), decimals(1), decimals(2)


def _trust() -> pd.DataFrame:
    return load_nielsen_trust().set_index("format")


def _as_format_name(answer: Any) -> str:
    """A format name from text such as "Ads on TV" or "ads_on_tv" (or a one-item list)."""
    if hasattr(answer, "tolist") and not isinstance(answer, str):
        answer = answer.tolist()
    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        raise AnswerError("Give the format's name as text, not its trust figure.")
    if not isinstance(answer, str):
        raise AnswerError('Give the name of one format as text, e.g. "ads_on_tv".')
    cleaned = answer.strip().strip("\"'").strip().lower()
    return "_".join(cleaned.replace("-", " ").split())


@LAB.task(1, answer="most_trusted", description="the most trusted format in 2013")
def task1(answer: Any) -> tuple[bool, str]:
    name = _as_format_name(answer)
    if KEY.exact("1.most", name):
        return True, (
            "Right: an earned format tops the table, as the readings would predict; "
            "the question is what 'trust' measures."
        )
    if name in NIELSEN_TRUST_CATEGORIES:
        return False, "That is a category. Give a format: one of the names in the format column."
    if name not in _trust().index:
        return (
            False,
            "That is not one of the formats in the table: copy a name from its format column.",
        )
    if KEY.exact("1.least", name):
        return (
            False,
            "That is the least trusted format: look for the largest pct_trust_2013 (idxmax).",
        )
    return (
        False,
        "That format is in the table but is not the most trusted in 2013: sort by pct_trust_2013.",
    )


@LAB.task(
    2,
    answer="gap_points",
    description="gap between peer recommendations and banner ads",
    precision=GAP,
)
def task2(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "2007" and "2013"')
    missing = [year for year in YEARS if year not in given]
    if missing:
        raise AnswerError(f"The dict needs the key(s) {missing} (years as text or whole numbers).")
    values = {
        year: as_number(given[year], f"the gap in {year} in percentage points") for year in YEARS
    }
    ok = {year: KEY.near(f"2.gap.{year}", values[year]) for year in YEARS}
    if all(ok.values()):
        return True, (
            "The gap narrowed: both formats gained trust, but banner ads gained more. "
            "Recommendations still lead by a wide margin."
        )
    if all(KEY.near(f"2.negative.{y}", values[y]) for y in YEARS):
        return False, "Those gaps have the wrong sign: subtract banner ads from recommendations."
    if all(KEY.near(f"2.share.{y}", values[y]) for y in YEARS):
        return (
            False,
            "Those look like shares: the percentages are already in points, do not divide by 100.",
        )
    if all(KEY.near(f"2.gap.{other}", values[y]) for y, other in zip(YEARS, YEARS[::-1])):
        return (
            False,
            'The years are swapped: use pct_trust_2007 for "2007" and pct_trust_2013 for "2013".',
        )
    if all(KEY.near(f"2.ratio.{y}", values[y]) for y in YEARS):
        return False, "Those are ratios. A gap in percentage points is a difference: subtract."
    wrong = [year for year in YEARS if not ok[year]]
    return False, (
        f"Check {', '.join(wrong)}: trust in recommendations from people I know minus "
        f"trust in online banner ads, in that year's column; give each gap {GAP.words}."
    )


@LAB.task(3, answer="mean_trust_2013", description="mean 2013 trust by category", precision=MEAN)
def task3(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, "a dict from category to mean trust")
    categories = sorted(NIELSEN_TRUST_CATEGORIES)  # the order groupby gives
    missing = sorted(set(categories) - set(given))
    if missing:
        raise AnswerError(f"The dict needs one entry per category; missing {missing}.")
    extra = sorted(set(given) - set(categories))
    if extra:
        raise AnswerError(f"Only the four categories are keys; remove {extra}.")
    values = {key: as_number(given[key], f"the mean trust for {key}") for key in categories}
    if all(KEY.near(f"3.mean.{k}", values[k]) for k in categories):
        return True, (
            "Earned formats lead and paid digital formats trail. These are averages over "
            "the formats Nielsen chose to ask about, each format counted once."
        )
    if all(KEY.near(f"3.share.{k}", values[k]) for k in categories):
        return False, "Those look like shares between 0 and 1: keep the percentages as they are."
    in_2007 = [k for k in categories if f"3.mean_2007.{k}" in KEY.targets]
    if all(KEY.near(f"3.mean_2007.{k}", values[k]) for k in in_2007):
        return False, "Those are the 2007 means: use the pct_trust_2013 column."
    wrong = [k for k in categories if not KEY.near(f"3.mean.{k}", values[k])]
    return False, (
        f"Check {', '.join(wrong)}: group the table by category and take the mean of "
        f"pct_trust_2013 (each format counts once); give each mean {MEAN.words}."
    )


@LAB.task(
    4,
    answer="shrink_share",
    description="promotional share at which the community shrinks",
    precision=SHRINK,
)
def task4(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    if KEY.near("4.share", value):
        return True, (
            "Right, for these invented assumptions and this seed. Below that share the "
            "synthetic community grows or holds; from it upwards it shrinks."
        )
    if KEY.near("4.percent", value):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if KEY.near("4.useful", value):
        return False, "That is a share of useful posts; the task asks for the promotional share."
    if not 0 <= value <= 1:
        return False, "A promotional share lies between 0 and 1."
    return False, (
        "Try every share 0.00, 0.01, ..., 1.00 with simulate_community(share, periods=24) "
        "and keep the first whose members in the last period are fewer than in period 0; give it "
        f"{SHRINK.words}."
    )


@LAB.task(5, answer="interpretation", description="what the survey and the simulation can show")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
