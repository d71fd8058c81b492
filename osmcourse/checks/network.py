"""Checks for the lab "Broadcast or bazaar" (independent cascades on Zachary's karate club).

Expected values are computed from networkx's karate club graph and the course's cascade
model with the lab's settings below, never typed in. The simulation is deterministic for a
given seed, so a student who calls the model with the lab's settings gets exactly the
expected number, and each task accepts that number rounded to its declared precision.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import networkx as nx

from osmcourse.checks.core import (
    AnswerError, Lab, as_mapping, as_number, close, decimals, multiple_choice, require_keys,
)
from osmcourse.models.network import (
    STRATEGIES,
    karate_club,
    mean_reach,
    reach_table,
    top_degree_members,
)

LAB = Lab("network", "Broadcast or bazaar")
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written("w1", prompt="Compare the top three members' share of the tie ends with their share of the "
            "members.", points=1)

# The lab's settings: the notebook states the same values.
K, RUNS, SEED = 3, 300, 1977
TASK3_P = 0.1
LOW_P, HIGH_P = 0.05, 0.5
# Each numeric task's precision, stated in the lab's task text. Four places for task 3: a
# mean over 300 runs moves in steps of 1/10,200, and 299 or 301 runs move it by about 0.0003.
COUNT, TOP_SHARE, REACH = decimals(0), decimals(3), decimals(4)


@cache
def _club() -> nx.Graph:
    return karate_club()


def _expected_top_share() -> float:
    """Share of all tie ends held by the K best-connected members."""
    graph = _club()
    ends = sum(graph.degree(node) for node in top_degree_members(graph, K))
    return ends / (2 * graph.number_of_edges())


@cache
def _expected_reach(strategy: str, p_pass: float) -> float:
    return mean_reach(_club(), strategy, K, p_pass, RUNS, SEED)


@cache
def _expected_winners() -> dict[str, str]:
    """The strategy with the highest mean reach at the low and at the high ``p_pass``."""
    table = reach_table(_club(), [LOW_P, HIGH_P], K, RUNS, SEED)
    return {"low": str(table.loc[LOW_P].idxmax()), "high": str(table.loc[HIGH_P].idxmax())}


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
    graph = _club()
    members = as_number(given["members"], "a number of members")
    ties = as_number(given["ties"], "a number of ties")
    right_members = COUNT.accepts(members, graph.number_of_nodes())
    right_ties = COUNT.accepts(ties, graph.number_of_edges())
    if right_members and right_ties:
        return True, "A small network: few enough members to draw, enough ties to spread a message."
    if COUNT.accepts(ties, 2 * graph.number_of_edges()):
        return False, ("That counts every tie twice, once from each end: the sum of all members' "
                       "ties is twice the number of ties. Use club.number_of_edges().")
    if not right_members:
        return False, "Count the members (nodes) with club.number_of_nodes()."
    return False, "Count the ties (edges) with club.number_of_edges()."


@LAB.task(2, answer="top3_share", description="share of tie ends held by the best-connected",
          precision=TOP_SHARE)
def task2(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    expected = _expected_top_share()
    graph = _club()
    if TOP_SHARE.accepts(value, expected):
        return True, (f"The {K} best-connected members hold far more of the tie ends than their "
                      f"{K}-in-{graph.number_of_nodes()} share of the members.")
    if close(value, 100 * expected, rel=0.01):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if TOP_SHARE.accepts(value, 2 * expected):
        return False, ("Every tie has two ends, so the tie ends number twice the ties: divide by "
                       "the sum of all members' ties, not by the number of ties.")
    if TOP_SHARE.accepts(value, K / graph.number_of_nodes()):
        return False, "That is the top members' share of the members; the task asks for their share of the tie ends."
    return False, ("Add up the ties of the top members and divide by the sum of the ties of all "
                   f"members; give the share {TOP_SHARE.words}.")


@LAB.task(3, answer="hub_reach", description="mean reach of seeding the best-connected",
          precision=REACH)
def task3(answer: Any) -> tuple[bool, str]:
    value = as_number(answer, "a share between 0 and 1")
    expected = _expected_reach("top_degree", TASK3_P)
    n = _club().number_of_nodes()
    if REACH.accepts(value, expected):
        return True, "The message spreads well beyond the seeds, yet at this p_pass most members never hear it."
    if close(value, 100 * expected, rel=0.01):
        return False, "That looks like a percentage: give the share as a number between 0 and 1."
    if close(value, n * expected, rel=0.01):
        return False, "That looks like a number of members: give the share of members (divide by the number of members)."
    if REACH.accepts(value, K / n):
        return False, "That is only the seeds themselves: did the message get a chance to spread (p_pass)?"
    if any(REACH.accepts(value, _expected_reach(other, TASK3_P)) for other in ("random", "broadcast")):
        return False, 'That is another strategy\'s reach: the task asks for strategy "top_degree".'
    return False, (f"Call mean_reach(club, \"top_degree\", k={K}, p_pass={TASK3_P}, "
                   f"runs={RUNS}, seed={SEED}), check every argument, and give the share "
                   f"{REACH.words}.")


@LAB.task(4, answer="best_strategy", description="which strategy reaches furthest, low and high p")
def task4(answer: Any) -> tuple[bool, str]:
    given = as_mapping(answer, 'a dict with the keys "low" and "high"')
    require_keys(given, {"low", "high"})
    choice = {key: _strategy(given[key]) for key in ("low", "high")}
    expected = _expected_winners()
    if choice == expected:
        return True, ("The ranking depends on p_pass: the hubs' head start matters most when "
                      "messages rarely pass on, and fades when they pass on easily.")
    if choice["low"] == choice["high"]:
        return False, (f"Compare the rows p_pass = {LOW_P} and p_pass = {HIGH_P} again, column "
                       "by column: is the largest value in the same column in both rows?")
    wrong = [key for key in ("low", "high") if choice[key] != expected[key]]
    rows = {"low": LOW_P, "high": HIGH_P}
    detail = ", ".join(f"{key!r} (row p_pass = {rows[key]})" for key in wrong)
    where = "that row" if len(wrong) == 1 else "each of those rows"
    return False, f"Check {detail}: find the column with the largest value in {where}."


@LAB.task(5, answer="interpretation", description="what the simulation can and cannot say")
def task5(answer: Any) -> tuple[bool, str]:
    return multiple_choice(
        answer,
        correct="b",
        right=("Right: the model shows when seeding hubs helps in this network under its "
                      "assumptions; it cannot say what works in a market."),
        hints={
            "a": ("The broadcast here is given the same expected budget as the seeding strategies; "
                  "a real broadcast reaches far more people for its cost. And one model cannot "
                  "judge a claim about all of traditional marketing."),
            "c": "Look at the figure at high p_pass: do the hubs stay ahead?",
            "d": ("p_pass is chosen by us, not measured; and the network is one club from the "
                  "1970s, not a market."),
        },
    )
