"""The independent cascade model on Zachary's karate club: edge cases, determinism, errors."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from osmcourse.models.network import (
    STRATEGIES,
    independent_cascade,
    karate_club,
    mean_reach,
    reach_table,
    simulate_reach,
    top_degree_members,
)

CLUB = karate_club()
N = CLUB.number_of_nodes()


def test_the_shipped_network_is_zacharys_club():
    assert (CLUB.number_of_nodes(), CLUB.number_of_edges()) == (34, 78)
    assert nx.is_connected(CLUB)
    degrees = dict(CLUB.degree())
    assert (degrees[33], degrees[0], degrees[32]) == (17, 16, 12)
    # The instructor (member 0) and the president (member 33) ended up in different clubs.
    assert CLUB.nodes[0]["club"] != CLUB.nodes[33]["club"]


def test_top_degree_members_rank_by_ties_and_break_equal_counts_by_label():
    assert top_degree_members(CLUB, 3) == [33, 0, 32]
    assert top_degree_members(CLUB, 7) == [33, 0, 32, 2, 1, 3, 31]  # 3 and 31 both have 6
    star = nx.star_graph(4)  # centre 0, four leaves with one tie each
    assert top_degree_members(star, 3) == [0, 1, 2]


@pytest.mark.parametrize("strategy", ["top_degree", "random"])
def test_no_passing_reaches_only_the_seeds(strategy):
    shares = simulate_reach(CLUB, strategy, 3, 0.0, runs=50, seed=1)
    assert np.all(shares == 3 / N)


def test_no_passing_broadcast_reaches_only_whom_it_reaches_directly():
    shares = simulate_reach(CLUB, "broadcast", 3, 0.0, runs=2000, seed=1)
    counts = np.round(shares * N)
    assert np.allclose(shares * N, counts)
    # Each member is reached with probability 3/34: about 3 members on average, sometimes none.
    assert counts.mean() == pytest.approx(3, abs=0.15)
    assert counts.min() == 0 and counts.max() >= 7
    assert np.mean(counts == 0) == pytest.approx((1 - 3 / N) ** N, abs=0.015)


def test_no_passing_single_cascade_stops_at_the_seeds():
    rounds = independent_cascade(CLUB, [5, 0], 0.0, np.random.default_rng(3))
    assert rounds == [[0, 5]]


@pytest.mark.parametrize("strategy", ["top_degree", "random"])
def test_certain_passing_reaches_the_whole_connected_network(strategy):
    assert np.all(simulate_reach(CLUB, strategy, 1, 1.0, runs=50, seed=2) == 1.0)


def test_certain_passing_broadcast_reaches_everyone_unless_it_reaches_nobody():
    direct = simulate_reach(CLUB, "broadcast", 3, 0.0, runs=500, seed=4)
    final = simulate_reach(CLUB, "broadcast", 3, 1.0, runs=500, seed=4)
    assert np.array_equal(final == 0, direct == 0)
    assert np.all(final[direct > 0] == 1.0)


def test_certain_passing_single_cascade_moves_one_tie_per_round():
    path = nx.path_graph(5)
    assert independent_cascade(path, [0], 1.0, np.random.default_rng(0)) == [
        [0],
        [1],
        [2],
        [3],
        [4],
    ]
    rounds = independent_cascade(CLUB, [0], 1.0, np.random.default_rng(0))
    assert sorted(m for r in rounds for m in r) == list(range(N))
    distances = nx.single_source_shortest_path_length(CLUB, 0)
    for number, members in enumerate(rounds):
        assert all(distances[m] == number for m in members)


def test_certain_passing_stays_inside_the_seeds_component():
    two_parts = nx.Graph([(0, 1), (1, 2), (3, 4)])
    shares = simulate_reach(two_parts, "top_degree", 1, 1.0, runs=5, seed=0)  # seeds member 1
    assert np.all(shares == 3 / 5)


def test_same_seed_same_numbers_and_other_seed_other_numbers():
    first = simulate_reach(CLUB, "random", 3, 0.3, runs=200, seed=1977)
    again = simulate_reach(CLUB, "random", 3, 0.3, runs=200, seed=1977)
    other = simulate_reach(CLUB, "random", 3, 0.3, runs=200, seed=1978)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    one = independent_cascade(CLUB, [0], 0.3, np.random.default_rng(7))
    assert one == independent_cascade(CLUB, [0], 0.3, np.random.default_rng(7))


def test_the_lab_numbers_are_what_the_notebook_shows():
    # The lab's settings: K = 3, 300 runs, seed 1977 (see osmcourse/checks/network.py).
    assert round(mean_reach(CLUB, "top_degree", 3, 0.1, 300, 1977), 3) == 0.245
    table = reach_table(CLUB, [0.05, 0.5], 3, 300, 1977)
    assert list(table.columns) == list(STRATEGIES)
    assert table.loc[0.05].idxmax() == "top_degree"
    assert table.loc[0.5].idxmax() == "random"


def test_common_random_numbers_make_reach_grow_with_p_pass():
    table = reach_table(CLUB, [0.0, 0.1, 0.2, 0.4, 0.8, 1.0], 3, runs=100, seed=5)
    for strategy in STRATEGIES:
        assert table[strategy].is_monotonic_increasing, strategy


def test_the_fast_simulation_agrees_with_the_round_by_round_cascade():
    # Same model, two implementations: their mean reach must agree within sampling error.
    rng = np.random.default_rng(11)
    seeds = top_degree_members(CLUB, 3)
    slow = np.mean(
        [sum(map(len, independent_cascade(CLUB, seeds, 0.2, rng))) / N for _ in range(3000)]
    )
    fast = mean_reach(CLUB, "top_degree", 3, 0.2, runs=3000, seed=12)
    assert slow == pytest.approx(fast, abs=0.012)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: simulate_reach(CLUB, "billboard", 3, 0.1), "unknown strategy"),
        (lambda: simulate_reach(CLUB, "random", 0, 0.1), "k must be at least 1"),
        (lambda: simulate_reach(CLUB, "random", 35, 0.1), "at most the number of members"),
        (lambda: simulate_reach(CLUB, "random", 2.5, 0.1), "k must be a whole number"),
        (lambda: simulate_reach(CLUB, "random", True, 0.1), "k must be a whole number"),
        (lambda: simulate_reach(CLUB, "random", 3, -0.1), "between 0 and 1"),
        (lambda: simulate_reach(CLUB, "random", 3, 1.5), "between 0 and 1"),
        (lambda: simulate_reach(CLUB, "random", 3, float("nan")), "between 0 and 1"),
        (lambda: simulate_reach(CLUB, "random", 3, "0.2"), "between 0 and 1"),
        (lambda: simulate_reach(CLUB, "random", 3, 0.1, runs=0), "runs must be at least 1"),
        (lambda: simulate_reach(CLUB, "random", 3, 0.1, seed=-1), "seed must be at least 0"),
        (lambda: simulate_reach(nx.DiGraph([(0, 1)]), "random", 1, 0.1), "undirected"),
        (lambda: simulate_reach(nx.Graph(), "random", 1, 0.1), "no members"),
        (lambda: top_degree_members(CLUB, 0), "k must be at least 1"),
        (lambda: reach_table(CLUB, [], 3), "p_values is empty"),
        (lambda: reach_table(CLUB, [0.1, 2.0], 3), "between 0 and 1"),
        (lambda: independent_cascade(CLUB, [99], 0.1, np.random.default_rng(0)), "not members"),
        (lambda: independent_cascade(CLUB, [0], 1.1, np.random.default_rng(0)), "between 0 and 1"),
        (lambda: independent_cascade(CLUB, [0], 0.1, 1977), "numpy Generator"),
    ],
)
def test_bad_arguments_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_changed_karate_graph_is_reported(monkeypatch):
    monkeypatch.setattr(nx, "karate_club_graph", lambda: nx.path_graph(34))
    with pytest.raises(ValueError, match="34 members and 33 ties"):
        karate_club()


def _reference_simulate_reach(graph, strategy, k, p_pass, runs, seed):
    """The earlier implementation (float matrix product per round), kept as a slow reference."""
    nodes = sorted(graph.nodes)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted(tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v)
    senders = np.array([u for u, v in pairs] + [v for u, v in pairs], dtype=int)
    receivers = np.array([v for u, v in pairs] + [u for u, v in pairs], dtype=int)
    rng = np.random.default_rng(seed)
    passes = rng.random((runs, len(senders))) < p_pass
    draws = rng.random((runs, n))
    if strategy == "top_degree":
        active = np.zeros((runs, n), dtype=bool)
        active[:, [index[node] for node in top_degree_members(graph, k)]] = True
    elif strategy == "random":
        chosen = np.argsort(draws, axis=1, kind="stable")[:, :k]
        active = np.zeros((runs, n), dtype=bool)
        np.put_along_axis(active, chosen, True, axis=1)
    else:
        active = draws < k / n
    delivers = np.zeros((len(senders), n))
    delivers[np.arange(len(senders)), receivers] = 1.0
    while True:
        reached = ((active[:, senders] & passes).astype(float) @ delivers) > 0
        grown = active | reached
        if np.array_equal(grown, active):
            break
        active = grown
    return active.sum(axis=1) / n


@pytest.mark.parametrize("seed", [0, 5, 1977, 2024])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_fast_simulation_is_bit_identical_to_the_reference(seed, strategy):
    # Same random numbers in the same order: every run's reach must be exactly equal.
    for p_pass in (0.0, 0.05, 0.1, 0.35, 0.5, 1.0):
        fast = simulate_reach(CLUB, strategy, 3, p_pass, runs=200, seed=seed)
        slow = _reference_simulate_reach(CLUB, strategy, 3, p_pass, 200, seed)
        assert np.array_equal(fast, slow), (strategy, p_pass, seed)


def test_the_fast_simulation_handles_members_without_ties():
    graph = nx.Graph([(0, 1), (1, 2)])
    graph.add_node(3)  # a member with no ties: never reached by word of mouth
    for strategy in STRATEGIES:
        fast = simulate_reach(graph, strategy, 1, 0.7, runs=50, seed=3)
        assert np.array_equal(fast, _reference_simulate_reach(graph, strategy, 1, 0.7, 50, 3))


def test_the_stored_karate_layout_is_what_kamada_kawai_computes():
    from osmcourse.layouts import kamada_kawai_positions

    stored = kamada_kawai_positions(CLUB)
    computed = nx.kamada_kawai_layout(CLUB, weight=None)
    assert list(stored) == list(computed)
    for node, position in computed.items():
        assert np.allclose(stored[node], position, rtol=0, atol=1e-9), node
    # Another graph (one tie fewer) is laid out on the spot, not given the stored positions.
    other = CLUB.copy()
    other.remove_edge(0, 1)
    assert not np.array_equal(kamada_kawai_positions(other)[0], stored[0])
