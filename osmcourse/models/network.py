"""Diffusion on a social network: the independent cascade model.

In the independent cascade model (in the form studied by Kempe, Kleinberg & Tardos 2003) a
message starts with a set of *seed* members, who are active. Each member who has just become
active gets one chance to pass the message to each neighbour who is not yet active, and
succeeds with probability ``p_pass``; the cascade stops when a round activates nobody new.

Each tie is tried at most once in each direction, at the moment its sender becomes active,
so the coin for it can be tossed in advance: a run of the cascade is the same as tossing one
coin for every directed tie ("does the message pass from u to v?") and activating everyone
the seeds can reach along ties whose coin came up "pass". :func:`simulate_reach` uses that
view to run many cascades at once with numpy; :func:`independent_cascade` runs one cascade
round by round, the way the model is usually told.

Three ways to spend a budget of ``k`` members (see :data:`STRATEGIES`):

* ``"top_degree"``: seed the ``k`` members with the most ties (ties broken by the smaller
  node label), the opinion-leader strategy;
* ``"random"``: seed ``k`` different members drawn at random, each set equally likely;
* ``"broadcast"``: reach each member directly and independently with probability ``k / n``,
  so the *expected* number reached is ``k`` (in a given run it may be more, fewer or none);
  then word of mouth spreads the message from everyone reached, as for the other two.

Pure functions: a graph and numbers in, numbers and frames out; no files, no plotting.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from numbers import Integral, Real

import networkx as nx
import numpy as np
import pandas as pd

# What osmcourse.models exports from this model (it builds its names from each __all__).
__all__ = [
    "STRATEGIES",
    "independent_cascade",
    "karate_club",
    "mean_reach",
    "reach_table",
    "simulate_reach",
    "top_degree_members",
]

STRATEGIES: tuple[str, ...] = ("top_degree", "random", "broadcast")
KARATE_MEMBERS, KARATE_TIES = 34, 78


def karate_club() -> nx.Graph:
    """Zachary's (1977) karate club network as shipped with networkx: 34 members, 78 ties.

    Members are numbered 0-33 (the paper numbers them 1-34). The graph is checked so that a
    change in a future networkx release shows up here as a clear error, not as different
    numbers in the lab.

    Raises:
        ValueError: the shipped graph does not have 34 members, 78 ties and one component.
    """
    graph = nx.karate_club_graph()
    members, ties = graph.number_of_nodes(), graph.number_of_edges()
    if (members, ties) != (KARATE_MEMBERS, KARATE_TIES) or not nx.is_connected(graph):
        raise ValueError(
            f"networkx's karate club graph has {members} members and {ties} ties; "
            f"expected {KARATE_MEMBERS} and {KARATE_TIES} in one connected network"
        )
    if sorted(graph.nodes) != list(range(KARATE_MEMBERS)):
        raise ValueError("networkx's karate club members are not numbered 0-33")
    return graph


def top_degree_members(graph: nx.Graph, k: int) -> list[Hashable]:
    """The ``k`` members with the most ties, most first; equal counts go to the smaller label."""
    nodes = _nodes(graph)
    k = _check_k(k, len(nodes))
    ranked = sorted(nodes, key=lambda node: (-graph.degree(node), node))
    return ranked[:k]


def independent_cascade(
    graph: nx.Graph,
    seeds: Iterable[Hashable],
    p_pass: float,
    rng: np.random.Generator,
) -> list[list[Hashable]]:
    """Run one cascade round by round.

    Args:
        graph: an undirected networkx graph with sortable node labels.
        seeds: the members who are active at the start.
        p_pass: chance that a newly active member passes the message to one inactive neighbour.
        rng: a numpy random generator, e.g. ``numpy.random.default_rng(1977)``.

    Returns:
        The members activated in each round, sorted: round 0 is the seeds, and the last
        round is the last one that activated anybody.

    Raises:
        ValueError: a bad graph, a seed that is not in the graph, or ``p_pass`` outside [0, 1].
    """
    nodes = _nodes(graph)
    p_pass = _check_p(p_pass)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. numpy.random.default_rng(1977)")
    known = set(nodes)
    start = sorted(set(seeds))
    strangers = [seed for seed in start if seed not in known]
    if strangers:
        raise ValueError(f"seeds {strangers} are not members of the graph")
    active = set(start)
    rounds = [start]
    frontier = start
    while frontier:
        newly: set[Hashable] = set()
        for sender in frontier:
            for neighbour in sorted(graph.neighbors(sender)):
                if neighbour not in active and neighbour not in newly and rng.random() < p_pass:
                    newly.add(neighbour)
        frontier = sorted(newly)
        active |= newly
        if frontier:
            rounds.append(frontier)
    return rounds


def simulate_reach(
    graph: nx.Graph,
    strategy: str,
    k: int,
    p_pass: float,
    runs: int = 300,
    seed: int = 1977,
) -> np.ndarray:
    """Final reach of many independent cascades: the share of members active at the end.

    The result depends only on the arguments: the same ``seed`` gives the same numbers on
    every run. It also gives every strategy (and every ``p_pass``) the same random numbers,
    so in run ``i`` each tie's coin is the same whichever strategy is used: differences
    between strategies come from whom they seed, not from luck on the ties.

    Args:
        graph: an undirected networkx graph with sortable node labels.
        strategy: ``"top_degree"``, ``"random"`` or ``"broadcast"`` (see the module docstring).
        k: the budget, a whole number of members between 1 and the number of members.
        p_pass: chance that a newly active member passes the message on along one tie, 0 to 1.
        runs: number of cascades to run.
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        One share (0 to 1) per run.

    Raises:
        ValueError: an unknown strategy or an argument out of range.
    """
    nodes = _nodes(graph)
    n = len(nodes)
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; the strategies are {list(STRATEGIES)}")
    k = _check_k(k, n)
    p_pass = _check_p(p_pass)
    runs = _check_whole(runs, "runs", low=1)
    seed = _check_whole(seed, "seed", low=0)

    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted(tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v)
    senders = np.array([u for u, v in pairs] + [v for u, v in pairs], dtype=int)
    receivers = np.array([v for u, v in pairs] + [u for u, v in pairs], dtype=int)

    # Only Generator.random() is used: its stream is the most stable across numpy versions.
    rng = np.random.default_rng(seed)
    passes = rng.random((runs, len(senders))) < p_pass  # one coin per directed tie and run
    draws = rng.random((runs, n))  # who is seeded (random) or reached (broadcast)

    if strategy == "top_degree":
        active = np.zeros((runs, n), dtype=bool)
        active[:, [index[node] for node in top_degree_members(graph, k)]] = True
    elif strategy == "random":
        chosen = np.argsort(draws, axis=1, kind="stable")[:, :k]
        active = np.zeros((runs, n), dtype=bool)
        np.put_along_axis(active, chosen, True, axis=1)
    else:  # broadcast
        active = draws < k / n

    # Spread along ties whose coin says "pass" until nobody new is reached. The directed
    # ties are grouped by receiver, so "reached" is one OR over each receiver's group
    # (np.logical_or.reduceat): pure boolean work, no float matrix product and no BLAS
    # threads. Every member has a tie or is skipped below, so no group is empty.
    by_receiver = np.argsort(receivers, kind="stable")
    group_senders, group_passes = senders[by_receiver], passes[:, by_receiver]
    receivers_sorted = receivers[by_receiver]
    has_ties = np.isin(np.arange(n), receivers_sorted)
    starts = np.searchsorted(receivers_sorted, np.flatnonzero(has_ties))
    while len(senders):
        reached = np.zeros((runs, n), dtype=bool)
        reached[:, has_ties] = np.logical_or.reduceat(
            active[:, group_senders] & group_passes, starts, axis=1
        )
        grown = active | reached
        if np.array_equal(grown, active):
            break
        active = grown
    return active.sum(axis=1) / n


def mean_reach(
    graph: nx.Graph,
    strategy: str,
    k: int,
    p_pass: float,
    runs: int = 300,
    seed: int = 1977,
) -> float:
    """Mean final reach (share of members, 0 to 1) over ``runs`` cascades of :func:`simulate_reach`."""
    return float(np.mean(simulate_reach(graph, strategy, k, p_pass, runs, seed)))


def reach_table(
    graph: nx.Graph,
    p_values: Sequence[float],
    k: int,
    runs: int = 300,
    seed: int = 1977,
    strategies: Sequence[str] = STRATEGIES,
) -> pd.DataFrame:
    """Mean final reach for each ``p_pass`` (rows) and strategy (columns), same seed throughout."""
    p_values = [_check_p(p) for p in p_values]
    if not p_values:
        raise ValueError("p_values is empty: give at least one p_pass")
    table = pd.DataFrame(
        {s: [mean_reach(graph, s, k, p, runs, seed) for p in p_values] for s in strategies},
        index=pd.Index(p_values, name="p_pass"),
    )
    table.columns.name = "strategy"
    return table


# --- argument checks ----------------------------------------------------------------------


def _nodes(graph: nx.Graph) -> list[Hashable]:
    if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
        raise ValueError("graph must be an undirected networkx Graph (not directed, not multi)")
    if graph.number_of_nodes() == 0:
        raise ValueError("graph has no members")
    try:
        return sorted(graph.nodes)
    except TypeError:
        raise ValueError("graph's node labels must be sortable (e.g. all numbers)") from None


def _check_whole(value: int, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, not {value}")
    return int(value)


def _check_k(k: int, n: int) -> int:
    k = _check_whole(k, "k", low=1)
    if k > n:
        raise ValueError(f"k must be at most the number of members ({n}), not {k}")
    return k


def _check_p(p_pass: float) -> float:
    if isinstance(p_pass, bool) or not isinstance(p_pass, Real) or not math.isfinite(p_pass):
        raise ValueError(f"p_pass must be a number between 0 and 1, not {p_pass!r}")
    if not 0 <= p_pass <= 1:
        raise ValueError(f"p_pass must be between 0 and 1, not {p_pass}")
    return float(p_pass)
