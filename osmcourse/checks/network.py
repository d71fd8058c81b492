"""Checks for the lab "Broadcast or bazaar" (independent cascades on Zachary's karate club).

The judges compare answers with the lab's key (:mod:`osmcourse.checks.key`): salted hashes
here, plain targets only in the grader's :mod:`osmcourse.keys.network`, computed from
networkx's karate club graph and the course's cascade model with the lab's settings below,
never typed in. The simulation is deterministic for a
given seed, so a student who calls the model with the lab's settings gets exactly the
expected number, and each task accepts that number rounded to its declared precision.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from osmcourse.checks.core import (
    AnswerError,
    Lab,
    as_mapping,
    as_number,
    decimals,
    keyed_choice,
    require_keys,
)
from osmcourse.models.network import STRATEGIES, karate_club

LAB = Lab("network", "Broadcast or bazaar")
KEY = LAB.key
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written(
    "w1",
    prompt="Compare the top three members' share of the tie ends with their share of the members.",
    points=1,
)

# The lab's settings: the notebook states the same values.
K, RUNS, SEED = 3, 300, 1977
TASK3_P = 0.1
LOW_P, HIGH_P = 0.05, 0.5
# Each numeric task's precision, stated in the lab's task text. Four places for task 3: a
# mean over 300 runs moves in steps of 1/10,200, and 299 or 301 runs move it by about 0.0003.
COUNT, TOP_SHARE, REACH = decimals(0), decimals(3), decimals(4)


@cache
def _members() -> int:
    return karate_club().number_of_nodes()


def _strategy(value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"Name each strategy as text, one of {list(STRATEGIES)}.")
    name = value.strip().lower().replace("-", "_").replace(" ", "_")
    if name not in STRATEGIES:
        raise AnswerError(f"{value[:40]!r} is not one of the strategies {list(STRATEGIES)}.")
    return name


@LAB.task(1, answer="club_size", description="members and ties of the network", precision=COUNT)
def task1(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "members" and "ties"')
    require_keys(given, {"members", "ties"})
    members = as_number(given["members"], "a number of members")
    ties = as_number(given["ties"], "a number of ties")
    right_members = KEY.near("1.members", members)
    right_ties = KEY.near("1.ties", ties)
    if right_members and right_ties:
        return True, "A small network: few enough members to draw, enough ties to spread a message."
    if KEY.near("1.ends", ties):
        return False, (
            "That counts every tie twice, once from each end: the sum of all members' "
            "ties is twice the number of ties. Use club.number_of_edges()."
        )
    if not right_members:
        return False, "Count the members (nodes) with club.number_of_nodes()."
    return False, "Count the ties (edges) with club.number_of_edges()."


@LAB.task(
    2,
    answer="top3_share",
    description="share of tie ends held by the best-connected",
    precision=TOP_SHARE,
)
def task2(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    if KEY.near("2.share", value):
        return True, (
            f"The {K} best-connected members hold far more of the tie ends than their "
            f"{K}-in-{_members()} share of the members."
        )
    if KEY.near("2.percent", value):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if KEY.near("2.double", value):
        return False, (
            "Every tie has two ends, so the tie ends number twice the ties: divide by "
            "the sum of all members' ties, not by the number of ties."
        )
    if KEY.near("2.members", value):
        return (
            False,
            "That is the top members' share of the members; the task asks for their share of the tie ends.",
        )
    return False, (
        "Add up the ties of the top members and divide by the sum of the ties of all "
        f"members; give the share {TOP_SHARE.words}."
    )


@LAB.task(
    3, answer="hub_reach", description="mean reach of seeding the best-connected", precision=REACH
)
def task3(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    if KEY.near("3.reach", value):
        return (
            True,
            "The message spreads well beyond the seeds, yet at this p_pass most members never hear it.",
        )
    if KEY.near("3.percent", value):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if KEY.near("3.count", value):
        return (
            False,
            "That looks like a number of members: give the share of members (divide by the number of members).",
        )
    if KEY.near("3.seeds", value):
        return (
            False,
            "That is only the seeds themselves: did the message get a chance to spread (p_pass)?",
        )
    if any(KEY.near(f"3.{other}", value) for other in ("random", "broadcast")):
        return False, 'That is another strategy\'s reach: the task asks for strategy "top_degree".'
    return False, (
        f'Call mean_reach(club, "top_degree", k={K}, p_pass={TASK3_P}, '
        f"runs={RUNS}, seed={SEED}), check every argument, and give the share "
        f"{REACH.words}."
    )


@LAB.task(4, answer="best_strategy", description="which strategy reaches furthest, low and high p")
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "low" and "high"')
    require_keys(given, {"low", "high"})
    choice = {key: _strategy(given[key]) for key in ("low", "high")}
    wrong = [key for key in ("low", "high") if not KEY.exact(f"4.{key}", choice[key])]
    if not wrong:
        return True, (
            "The ranking depends on p_pass: the hubs' head start matters most when "
            "messages rarely pass on, and fades when they pass on easily."
        )
    if choice["low"] == choice["high"]:
        return False, (
            f"Compare the rows p_pass = {LOW_P} and p_pass = {HIGH_P} again, column "
            "by column: is the largest value in the same column in both rows?"
        )
    rows = {"low": LOW_P, "high": HIGH_P}
    detail = ", ".join(f"{key!r} (row p_pass = {rows[key]})" for key in wrong)
    where = "that row" if len(wrong) == 1 else "each of those rows"
    return False, f"Check {detail}: find the column with the largest value in {where}."


@LAB.task(5, answer="interpretation", description="what the simulation can and cannot say")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
