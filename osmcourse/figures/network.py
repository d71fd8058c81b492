"""The figures of the lab "Broadcast or bazaar": the karate club and the reach of three
seeding strategies (:mod:`osmcourse.models.network`).

networkx is imported only when a network is drawn, so importing this module (as
:mod:`osmcourse.figures` does) costs a lab that never draws a network nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from osmcourse.figures.style import NEUTRAL, OKABE_ITO, new_axes

if TYPE_CHECKING:  # networkx is imported only when a network is drawn: most labs never need it
    import networkx as nx

__all__ = ["NETWORK_STYLES", "club_network_figure", "reach_curve_figure"]

# Each strategy keeps one colour, line style and marker wherever it is drawn.
NETWORK_STYLES = {
    "top_degree": dict(
        color=OKABE_ITO["blue"], linestyle="-", marker="o", label="seed the best-connected members"
    ),
    "random": dict(
        color=OKABE_ITO["green"], linestyle="-.", marker="^", label="seed members at random"
    ),
    "broadcast": dict(
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        marker="s",
        label="broadcast, then word of mouth",
    ),
}


def club_network_figure(
    graph: nx.Graph,
    highlight: Iterable[Hashable] = (),
    title: str = "Zachary's karate club",
    highlight_label: str | None = None,
) -> Figure:
    """A network drawing: circles sized by number of ties; ``highlight`` members as squares.

    The layout (Kamada-Kawai, ties unweighted) has no random start, so it is the same on
    every run.
    """
    import networkx as nx

    from osmcourse.layouts import kamada_kawai_positions

    positions = kamada_kawai_positions(graph)  # the karate club's is stored: no optimiser run
    highlight = list(highlight)
    others = [node for node in graph.nodes if node not in highlight]
    fig, ax = new_axes(7.0, 5.6)
    nx.draw_networkx_edges(graph, positions, ax=ax, edge_color="#999999", width=0.8)
    for nodes, shape, colour, label in (
        (others, "o", OKABE_ITO["sky_blue"], "member (size: number of ties)"),
        (
            highlight,
            "s",
            OKABE_ITO["vermillion"],
            highlight_label or f"the {len(highlight)} best-connected members",
        ),
    ):
        if nodes:
            nx.draw_networkx_nodes(
                graph,
                positions,
                nodelist=nodes,
                ax=ax,
                node_shape=shape,
                node_color=colour,
                edgecolors=NEUTRAL,
                linewidths=0.8,
                node_size=[40 + 30 * graph.degree(n) for n in nodes],
                label=label,
            )
    nx.draw_networkx_labels(graph, positions, ax=ax, font_size=7)
    ax.set_title(title)
    ax.set_axis_off()
    ax.legend(
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=2,
        markerscale=0.6,
        fontsize=9,
    )
    return fig


def reach_curve_figure(table: pd.DataFrame, k: int, title: str | None = None) -> Figure:
    """Mean final reach (share of members) against ``p_pass``, one line per strategy."""
    fig, ax = new_axes()
    for strategy in table.columns:
        style = NETWORK_STYLES.get(
            strategy, dict(color=NEUTRAL, linestyle=":", marker="x", label=strategy)
        )
        ax.plot(
            table.index.to_numpy(), table[strategy].to_numpy(), linewidth=1.8, markersize=5, **style
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("p_pass: chance a newly active member passes the message along one tie")
    ax.set_ylabel("mean final reach (share of members)")
    ax.set_title(title or f"Simulated final reach: three ways to spend a budget of {k} members")
    ax.grid(color="#dddddd", linewidth=0.8)
    ax.legend(frameon=False, loc="lower right")
    return fig
