"""The answer key of the lab "Broadcast or bazaar": plain targets, for the grader only."""

from __future__ import annotations

from osmcourse.checks.key import Choice, at, exact, within
from osmcourse.checks.network import COUNT, HIGH_P, K, LOW_P, REACH, RUNS, SEED, TASK3_P, TOP_SHARE
from osmcourse.models.network import karate_club, mean_reach, reach_table, top_degree_members


def targets() -> dict:
    graph = karate_club()
    n, ties = graph.number_of_nodes(), graph.number_of_edges()
    ends = sum(graph.degree(node) for node in top_degree_members(graph, K))
    share = ends / (2 * ties)
    reach = {
        strategy: mean_reach(graph, strategy, K, TASK3_P, RUNS, SEED)
        for strategy in ("top_degree", "random", "broadcast")
    }
    table = reach_table(graph, [LOW_P, HIGH_P], K, RUNS, SEED)
    out: dict = {
        "1.members": at(COUNT, n),
        "1.ties": at(COUNT, ties),
        "1.ends": at(COUNT, 2 * ties),
        "2.share": at(TOP_SHARE, share),
        "2.percent": within(100 * share, rel=0.01),
        "2.double": at(TOP_SHARE, 2 * share),
        "2.members": at(TOP_SHARE, K / n),
        "3.reach": at(REACH, reach["top_degree"]),
        "3.percent": within(100 * reach["top_degree"], rel=0.01),
        "3.count": within(n * reach["top_degree"], rel=0.01),
        "3.seeds": at(REACH, K / n),
        "3.random": at(REACH, reach["random"]),
        "3.broadcast": at(REACH, reach["broadcast"]),
        "4.low": exact(str(table.loc[LOW_P].idxmax())),
        "4.high": exact(str(table.loc[HIGH_P].idxmax())),
    }
    out["5"] = Choice(
        correct="b",
        right=(
            "Right: the model shows when seeding hubs helps in this network under its "
            "assumptions; it cannot say what works in a market."
        ),
        hints={
            "a": (
                "The broadcast here is given the same expected budget as the seeding strategies; "
                "a real broadcast reaches far more people for its cost. And one model cannot "
                "judge a claim about all of traditional marketing."
            ),
            "c": "Look at the figure at high p_pass: do the hubs stay ahead?",
            "d": (
                "p_pass is chosen by us, not measured; and the network is one club from the "
                "1970s, not a market."
            ),
        },
    )
    return out
