"""Stored network layouts, so drawing a known network needs no optimisation at run time.

Kamada-Kawai (:func:`networkx.kamada_kawai_layout`) has no random start, so its result for a
given graph is fixed; but computing it imports :mod:`scipy.optimize` and runs an optimiser,
which costs more kernel time than the rest of the lab "Broadcast or bazaar" together. The
positions of Zachary's karate club below are that function's output (ties unweighted),
stored with every digit; ``tests/test_models_network.py`` recomputes them and compares.
Any other graph is laid out on the spot.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np

# nx.kamada_kawai_layout(karate_club(), weight=None), node -> (x, y).
KARATE_CLUB_POSITIONS: dict[int, tuple[float, float]] = {
    0: (0.025952638223014544, 0.33261790505921146),
    1: (-0.15415403496178148, 0.2510599394858116),
    2: (0.07281129054543224, -0.003398333253532401),
    3: (0.15120782328208174, 0.23250616011463995),
    4: (0.1931354342862772, 0.5744542902669457),
    5: (0.18996359888977354, 0.6790170208687766),
    6: (-0.004421959223491059, 0.6919575332834895),
    7: (0.28351951877667797, 0.2102357559600183),
    8: (-0.17565775324147442, -0.009901426315406274),
    9: (0.07061290336722444, -0.2892515858867714),
    10: (0.3798082502125354, 0.532623024143569),
    11: (-0.1877654650972349, 0.6332518962077363),
    12: (0.4337441206550692, 0.3795047161913696),
    13: (-0.08512009514299824, 0.05268195803963746),
    14: (-0.5000670230781364, -0.312444339638731),
    15: (-0.46577851083835325, -0.4290251385998986),
    16: (0.15957838269618016, 1.0),
    17: (-0.2793309966212861, 0.5142053313921485),
    18: (-0.3958997674215844, -0.5343966578036891),
    19: (-0.2753846988971044, 0.06921984651290461),
    20: (-0.2933750037037437, -0.6155425864255786),
    21: (-0.37319088096416475, 0.4363509361097349),
    22: (-0.15864174852326776, -0.6428020253713449),
    23: (0.23606482612425572, -0.5155009030699975),
    24: (0.5700811705836659, -0.2966538591542592),
    25: (0.548790287234604, -0.16639415063556875),
    26: (-0.04756329553695071, -0.7579202619487055),
    27: (0.284627412464816, -0.2898215436729333),
    28: (0.18539658799591802, -0.2927632857931721),
    29: (0.06851989544854888, -0.6204260233721072),
    30: (-0.3813747819697428, -0.08940134616108361),
    31: (0.19717885926787004, -0.07218862666733916),
    32: (-0.17231283272248063, -0.31221450999043887),
    33: (-0.10095415211014996, -0.33963970987543574),
}
# The ties those positions belong to: a graph with other ties is laid out afresh.
KARATE_CLUB_TIES: frozenset[tuple[int, int]] = frozenset(
    {
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (0, 6),
        (0, 7),
        (0, 8),
        (0, 10),
        (0, 11),
        (0, 12),
        (0, 13),
        (0, 17),
        (0, 19),
        (0, 21),
        (0, 31),
        (1, 2),
        (1, 3),
        (1, 7),
        (1, 13),
        (1, 17),
        (1, 19),
        (1, 21),
        (1, 30),
        (2, 3),
        (2, 7),
        (2, 8),
        (2, 9),
        (2, 13),
        (2, 27),
        (2, 28),
        (2, 32),
        (3, 7),
        (3, 12),
        (3, 13),
        (4, 6),
        (4, 10),
        (5, 6),
        (5, 10),
        (5, 16),
        (6, 16),
        (8, 30),
        (8, 32),
        (8, 33),
        (9, 33),
        (13, 33),
        (14, 32),
        (14, 33),
        (15, 32),
        (15, 33),
        (18, 32),
        (18, 33),
        (19, 33),
        (20, 32),
        (20, 33),
        (22, 32),
        (22, 33),
        (23, 25),
        (23, 27),
        (23, 29),
        (23, 32),
        (23, 33),
        (24, 25),
        (24, 27),
        (24, 31),
        (25, 31),
        (26, 29),
        (26, 33),
        (27, 33),
        (28, 31),
        (28, 33),
        (29, 32),
        (29, 33),
        (30, 32),
        (30, 33),
        (31, 32),
        (31, 33),
        (32, 33),
    }
)


def kamada_kawai_positions(graph: nx.Graph) -> dict[Hashable, np.ndarray]:
    """``nx.kamada_kawai_layout(graph, weight=None)``, from storage for the karate club."""
    ties = {tuple(sorted((u, v))) for u, v in graph.edges()}
    if set(graph.nodes) == set(KARATE_CLUB_POSITIONS) and ties == KARATE_CLUB_TIES:
        return {node: np.array(KARATE_CLUB_POSITIONS[node]) for node in graph.nodes}
    return nx.kamada_kawai_layout(graph, weight=None)  # deterministic: no random start
