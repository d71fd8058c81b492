"""Checks for the lab "Trust and noise" (Nielsen's trust survey and a SYNTHETIC community model).

Expected values are computed from the course's data file and the package's model, never typed
in, so a correction to the data or the model corrects the checks too.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from osmcourse.checks.core import (
    AnswerError, Lab, all_match, as_mapping, as_number, close, decimals, mismatched,
    multiple_choice,
)
from osmcourse.data import NIELSEN_TRUST_CATEGORIES, load_nielsen_trust
from osmcourse.models.noise import DEFAULT_PERIODS
from osmcourse.models.noise import shrink_threshold as _shrink_threshold  # private: it gives the answer

LAB = Lab("trust", "Trust and noise")
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written("w1", prompt="Compare the thresholds under the four other sets of assumptions with your "
            "answer to Task 4.", points=2)
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


def _expected_most_trusted() -> str:
    return str(_trust()["pct_trust_2013"].idxmax())


def _expected_gaps() -> dict[str, float]:
    trust = _trust()
    return {
        year: float(trust.loc[PEER, f"pct_trust_{year}"] - trust.loc[BANNER, f"pct_trust_{year}"])
        for year in YEARS
    }


def _expected_category_means(year: str = "2013") -> dict[str, float]:
    means = _trust().groupby("category")[f"pct_trust_{year}"].mean()
    return {str(key): float(value) for key, value in means.items()}


def _expected_shrink_share() -> float:
    share = _shrink_threshold(DEFAULT_PERIODS, step=SHARE_STEP)
    if share is None:  # pragma: no cover - the default assumptions always shrink at share 1
        raise RuntimeError("the default community never shrinks: the task has no answer")
    return share


@LAB.task(1, answer="most_trusted", description="the most trusted format in 2013")
def task1(answer: Any) -> tuple[bool, str]:
    name = _as_format_name(answer)
    trust = _trust()
    if name == _expected_most_trusted():
        return True, ("Right: an earned format tops the table, as the readings would predict; "
                      "the question is what 'trust' measures.")
    if name in NIELSEN_TRUST_CATEGORIES:
        return False, "That is a category. Give a format: one of the names in the format column."
    if name not in trust.index:
        return False, "That is not one of the formats in the table: copy a name from its format column."
    if name == str(trust["pct_trust_2013"].idxmin()):
        return False, "That is the least trusted format: look for the largest pct_trust_2013 (idxmax)."
    return False, "That format is in the table but is not the most trusted in 2013: sort by pct_trust_2013."


@LAB.task(2, answer="gap_points", description="gap between peer recommendations and banner ads",
          precision=GAP)
def task2(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "2007" and "2013"')
    missing = [year for year in YEARS if year not in given]
    if missing:
        raise AnswerError(f"The dict needs the key(s) {missing} (years as text or whole numbers).")
    values = {year: as_number(given[year], f"the gap in {year} in percentage points") for year in YEARS}
    expected = _expected_gaps()
    ok = {year: GAP.accepts(values[year], expected[year]) for year in YEARS}
    if all(ok.values()):
        return True, ("The gap narrowed: both formats gained trust, but banner ads gained more. "
                      "Recommendations still lead by a wide margin.")
    if all(GAP.accepts(values[y], -expected[y]) for y in YEARS):
        return False, "Those gaps have the wrong sign: subtract banner ads from recommendations."
    if all(close(values[y], expected[y] / 100, rel=0, abs_tol=0.0005) for y in YEARS):
        return False, "Those look like shares: the percentages are already in points, do not divide by 100."
    if all(GAP.accepts(values[y], expected[other]) for y, other in zip(YEARS, YEARS[::-1])):
        return False, "The years are swapped: use pct_trust_2007 for \"2007\" and pct_trust_2013 for \"2013\"."
    trust = _trust()
    ratios = {y: trust.loc[PEER, f"pct_trust_{y}"] / trust.loc[BANNER, f"pct_trust_{y}"] for y in YEARS}
    if all(close(values[y], float(ratios[y]), rel=0.01) for y in YEARS):
        return False, "Those are ratios. A gap in percentage points is a difference: subtract."
    wrong = [year for year in YEARS if not ok[year]]
    return False, (f"Check {', '.join(wrong)}: trust in recommendations from people I know minus "
                   f"trust in online banner ads, in that year's column; give each gap {GAP.words}.")


@LAB.task(3, answer="mean_trust_2013", description="mean 2013 trust by category", precision=MEAN)
def task3(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, "a dict from category to mean trust")
    expected = _expected_category_means("2013")
    missing = sorted(set(expected) - set(given))
    if missing:
        raise AnswerError(f"The dict needs one entry per category; missing {missing}.")
    extra = sorted(set(given) - set(expected))
    if extra:
        raise AnswerError(f"Only the four categories are keys; remove {extra}.")
    values = {key: as_number(given[key], f"the mean trust for {key}") for key in expected}
    if all_match(values, expected, MEAN):
        return True, ("Earned formats lead and paid digital formats trail. These are averages over "
                      "the formats Nielsen chose to ask about, each format counted once.")
    if all(close(values[k], expected[k] / 100, rel=0.002) for k in expected):
        return False, "Those look like shares between 0 and 1: keep the percentages as they are."
    in_2007 = _expected_category_means("2007")
    if all(MEAN.accepts(values[k], in_2007[k]) for k in expected if not pd.isna(in_2007[k])):
        return False, "Those are the 2007 means: use the pct_trust_2013 column."
    wrong = mismatched(values, expected, MEAN)
    return False, (f"Check {', '.join(wrong)}: group the table by category and take the mean of "
                   f"pct_trust_2013 (each format counts once); give each mean {MEAN.words}.")


@LAB.task(4, answer="shrink_share", description="promotional share at which the community shrinks",
          precision=SHRINK)
def task4(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    expected = _expected_shrink_share()
    if SHRINK.accepts(value, expected):
        return True, ("Right, for these invented assumptions and this seed. Below that share the "
                      "synthetic community grows or holds; from it upwards it shrinks.")
    if close(value, 100 * expected, rel=0, abs_tol=100 * SHARE_STEP / 2):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if SHRINK.accepts(value, 1 - expected):
        return False, "That is a share of useful posts; the task asks for the promotional share."
    if not 0 <= value <= 1:
        return False, "A promotional share lies between 0 and 1."
    return False, ("Try every share 0.00, 0.01, ..., 1.00 with simulate_community(share, periods=24) "
                   "and keep the first whose members in the last period are fewer than in period 0; give it "
                   f"{SHRINK.words}.")


@LAB.task(5, answer="interpretation", description="what the survey and the simulation can show")
def task5(answer: Any) -> tuple[bool, str]:
    return multiple_choice(
        answer,
        correct="b",
        right=("Right: the survey measures stated trust, the simulation shows what its "
                      "assumptions imply; text 004's collapse claim needs observations of real "
                      "communities."),
        hints={
            "a": "The survey asked people how far they trust formats; it did not observe anyone "
                 "leaving a community.",
            "c": "The simulation's parameters are the course's invention, not estimates: it shows "
                 "what those assumptions imply, not what real communities do.",
            "d": "Compare the two formats' 2013 figures in Task 2: the gap narrowed but stayed wide.",
        },
    )
