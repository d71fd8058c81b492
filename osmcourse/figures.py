"""Figures for the chapters and labs, drawn the same way everywhere.

Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms
of colour blindness; lines also differ in style or marker, so no figure relies on colour
alone. Every function returns the matplotlib ``Figure`` and leaves showing it to the caller.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from osmcourse.models import BassFit, simulate_bass
from osmcourse.text import the_texts

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
TRADITIONAL, COMMUNITY, NEUTRAL = OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["black"]


def _new_axes(width: float = 7.0, height: float = 4.0):
    fig, ax = plt.subplots(figsize=(width, height), dpi=100, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def bass_fit_figure(sales: pd.Series, fit: BassFit, label: str) -> Figure:
    """Observed annual sales against the fitted Bass model, split into its two sources."""
    run = simulate_bass(fit.p, fit.q, fit.m, len(sales))
    years = sales.index.to_numpy()
    fig, ax = _new_axes()
    ax.stackplot(
        years,
        run["from_external"].to_numpy(),
        run["from_imitation"].to_numpy(),
        labels=["model: external influence (p)", "model: imitation (q)"],
        colors=[TRADITIONAL, COMMUNITY],
        alpha=0.55,
    )
    ax.plot(
        years, sales.to_numpy(), color=NEUTRAL, marker="o", linewidth=1.5, label="observed sales"
    )
    ax.set_title(f"{label}: observed sales and the fitted Bass model")
    ax.set_xlabel("year")
    ax.set_ylabel("units sold per year (thousands)")
    ax.legend(frameon=False, loc="upper left")
    return fig


def timeline_figure(timeline: pd.DataFrame | None = None) -> Figure:
    """The texts and the works they cite, one row each, ordered by year.

    A line joins each text to each work it cites, so the reader sees how far back the
    "new" ideas reach.
    """
    from osmcourse.data import load_timeline

    frame = (load_timeline() if timeline is None else timeline).copy()
    frame = frame.sort_values(
        ["year", "kind", "label"], ascending=[True, False, True], ignore_index=True
    )
    frame["row"] = range(len(frame))
    fig, ax = _new_axes(8.0, 0.42 * len(frame) + 1.2)
    seeds = frame[frame["kind"] == "seed"].set_index("seed_id")
    cited = frame[frame["kind"] == "cited"]
    for _, work in cited.iterrows():
        text = seeds.loc[work["seed_id"]]
        ax.plot(
            [work["year"], text["year"]],
            [work["row"], text["row"]],
            color=OKABE_ITO["sky_blue"],
            linewidth=1,
            zorder=1,
        )
    ax.scatter(
        cited["year"],
        cited["row"],
        s=60,
        marker="s",
        facecolor="white",
        edgecolor=TRADITIONAL,
        linewidth=2,
        zorder=2,
        label="a work it cites",
    )
    ax.scatter(
        seeds["year"],
        seeds["row"],
        s=70,
        marker="o",
        color=COMMUNITY,
        zorder=3,
        label="a text (the year the course dates it to)",
    )
    ax.set_yticks(frame["row"], frame["label"])
    ax.invert_yaxis()
    ax.set_xlabel("year")
    # The count comes from the data shown, so a course with a sixth reading says "six".
    ax.set_title(f"{the_texts(len(seeds)).capitalize()} and the works they cite")
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.legend(frameon=False, loc="lower left")
    return fig


# --- Lab "Head and tail" -----------------------------------------------------------------


def long_tail_figure(
    a: float, b: float, top_n: int, catalogue: int, marks: tuple[int, ...] = ()
) -> Figure:
    """Predicted weekly sales against sales rank on log-log axes, head and tail marked.

    Args:
        a, b: the rank-sales line ``ln Q = a + b ln r`` (Brynjolfsson, Hu & Smith 2003).
        top_n: where the head ends (a dashed line); the tail beyond it is shaded and hatched.
        catalogue: the last rank drawn (the end of the assumed catalogue).
        marks: other catalogue sizes to mark with dotted lines.
    """
    import numpy as np

    from osmcourse.models.longtail import weekly_units

    ranks = np.geomspace(1, catalogue, 400)
    units = weekly_units(ranks, a, b)
    fig, ax = _new_axes(7.5, 4.6)
    sign = "-" if b < 0 else "+"
    ax.plot(
        ranks,
        units,
        color=NEUTRAL,
        linewidth=2,
        label=f"model: ln Q = {a:.3f} {sign} {abs(b):.3f} ln r",
    )
    tail = ranks >= top_n
    ax.fill_between(
        ranks[tail],
        units[tail],
        0.05,
        facecolor=COMMUNITY,
        alpha=0.25,
        edgecolor=COMMUNITY,
        hatch="//",
        linewidth=0,
        label=f"tail: ranks {top_n:,} to {catalogue:,}",
    )
    ax.axvline(
        top_n,
        color=TRADITIONAL,
        linestyle="--",
        linewidth=1.8,
        label=f"cut after the top {top_n:,} titles",
    )
    for size in marks:
        ax.axvline(size, color=OKABE_ITO["sky_blue"], linestyle=":", linewidth=1.8)
        ax.text(
            size,
            units[0] / 3,
            f"catalogue\nof {size:,}",
            ha="right",
            va="top",
            fontsize=9,
            color=NEUTRAL,
        )
    ax.text(
        top_n**0.5,
        units[0] / 3,
        "HEAD",
        ha="center",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=TRADITIONAL,
    )
    ax.text(
        top_n * 2.7,
        0.3,
        "TAIL",
        ha="center",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=COMMUNITY,
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(0.05, units[0] * 2)
    ax.set_xlim(1, catalogue * 1.05)
    ax.set_xlabel("sales rank r (1 = best seller; log scale)")
    ax.set_ylabel("predicted units sold per week (log scale)")
    ax.set_title(
        "Book sales by sales rank: the Brynjolfsson-Hu-Smith power law\n"
        "(model curve, not observed sales; parameters of medium confidence)"
    )
    ax.grid(which="major", color="#dddddd", linewidth=0.8)
    ax.legend(frameon=False, loc="lower left")
    return fig


# --- Lab "Trust and noise" ----------------------------------------------------------------

# Category -> (label, colour, hatch): colour AND hatching tell the categories apart.
TRUST_CATEGORY_STYLE = {
    "earned": ("earned (people, other consumers, editorial)", OKABE_ITO["blue"], ""),
    "owned": ("owned (the brand's own channels)", OKABE_ITO["green"], ".."),
    "paid_traditional": ("paid, traditional media", OKABE_ITO["orange"], "//"),
    "paid_digital": ("paid, digital media", OKABE_ITO["vermillion"], "xx"),
}


# Labels the generic rule in trust_format_label would garble.
TRUST_FORMAT_LABELS = {
    "editorial_content_newspaper_articles": "Editorial content such as newspaper articles",
    "billboards_outdoor": "Billboards and outdoor advertising",
}


def trust_format_label(name: str) -> str:
    """A readable label for a format name such as ``ads_on_tv`` ("Ads on TV")."""
    if name in TRUST_FORMAT_LABELS:
        return TRUST_FORMAT_LABELS[name]
    words = [{"i": "I", "tv": "TV"}.get(word, word) for word in str(name).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def trust_by_format_figure(trust: pd.DataFrame) -> Figure:
    """Horizontal bars of 2013 trust by format, styled by category, 2007 values as markers.

    ``trust`` has the columns of :func:`osmcourse.data.load_nielsen_trust` (``format`` may be
    a column or the index).
    """
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    frame = trust.reset_index() if "format" not in trust.columns else trust.copy()
    frame = frame.sort_values("pct_trust_2013", ascending=True, kind="stable", ignore_index=True)
    fig, ax = _new_axes(8.0, 0.32 * len(frame) + 1.8)
    rows = range(len(frame))
    for row, item in zip(rows, frame.itertuples(index=False)):
        _, colour, hatch = TRUST_CATEGORY_STYLE[item.category]
        ax.barh(
            row, item.pct_trust_2013, color=colour, hatch=hatch, edgecolor="white", linewidth=0.0
        )
        ax.barh(row, item.pct_trust_2013, color="none", edgecolor=colour, linewidth=1.0)
        reach = (
            item.pct_trust_2013
            if pd.isna(item.pct_trust_2007)
            else max(item.pct_trust_2013, item.pct_trust_2007)
        )
        ax.text(reach + 1.5, row, f"{item.pct_trust_2013:.0f}", va="center", fontsize=9)
    was_asked = frame["pct_trust_2007"].notna()
    ax.scatter(
        frame.loc[was_asked, "pct_trust_2007"],
        frame.index[was_asked],
        marker="D",
        s=30,
        color=NEUTRAL,
        edgecolor="white",
        linewidth=0.8,
        zorder=3,
    )
    ax.set_yticks(list(rows), [trust_format_label(name) for name in frame["format"]])
    ax.set_xlim(0, 100)
    ax.set_xlabel("respondents who completely or somewhat trust the format (%)")
    ax.set_title("Trust in advertising formats, 2013 (2007 where asked)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    handles = [
        Patch(facecolor=colour, hatch=hatch, edgecolor="white", label=label)
        for label, colour, hatch in TRUST_CATEGORY_STYLE.values()
    ]
    handles.append(
        Line2D([], [], marker="D", linestyle="none", color=NEUTRAL, label="2007 (where asked)")
    )
    ax.legend(
        handles=handles,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.4, -0.09),
        ncol=2,
        fontsize=9,
    )
    return fig


def community_noise_figure(runs: dict[float, pd.DataFrame]) -> Figure:
    """Members over time in the SYNTHETIC community model, one line per promotional share.

    ``runs`` maps a promotional share to the frame :func:`osmcourse.models.simulate_community`
    returns. Lines differ in colour, line style and marker, and each is labelled at its end.
    """
    colours = [
        OKABE_ITO[k]
        for k in ("blue", "sky_blue", "green", "orange", "vermillion", "purple", "black")
    ]
    styles = ["-", "--", "-.", ":", "-", "--", "-."]
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    fig, ax = _new_axes(7.5, 4.5)
    start = None
    for k, (share, run) in enumerate(sorted(runs.items())):
        periods, members = run.index.to_numpy(), run["members"].to_numpy()
        start = members[0]
        ax.plot(
            periods,
            members,
            color=colours[k % 7],
            linestyle=styles[k % 7],
            marker=markers[k % 7],
            markevery=4,
            linewidth=1.8,
            label=f"{share:.0%} promotional",
        )
        ax.annotate(
            f"{share:.0%}",
            (periods[-1], members[-1]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=NEUTRAL,
        )
    if start is not None:
        ax.axhline(
            start,
            color="#777777",
            linewidth=1,
            linestyle=(0, (1, 2)),
            zorder=0,
            label=f"starting size ({start:.0f} members)",
        )
    ax.set_title("SYNTHETIC community: members over time, by share of promotional posts")
    ax.set_xlabel("period (model time steps)")
    ax.set_ylabel("members (people)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return fig


# --- Lab "Broadcast or bazaar" (network diffusion) ----------------------------------------

from collections.abc import Hashable, Iterable  # noqa: E402

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:  # networkx is imported only when a network is drawn: most labs never need it
    import networkx as nx

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
    fig, ax = _new_axes(7.0, 5.6)
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
    fig, ax = _new_axes()
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


def vocabulary_figure(counts: pd.DataFrame) -> Figure:
    """Control and conversation word counts per text, as paired bars with their numbers.

    ``counts`` has one row per text, indexed by seed id, with the integer columns
    ``control`` and ``conversation`` and, optionally, ``language``. Texts counted with
    other than the English lists are labelled with their language under the bars, because
    lists in two languages are not strictly comparable. Control bars are hatched, so the
    two series differ by pattern as well as by colour.
    """
    import numpy as np

    names = {"en": "English lists", "sv": "Swedish lists"}
    languages = counts["language"] if "language" in counts else pd.Series("en", index=counts.index)
    labels = [
        f"text {seed_id}"
        if languages[seed_id] == "en"
        else f"text {seed_id}\n({names.get(languages[seed_id], languages[seed_id])})"
        for seed_id in counts.index
    ]
    x = np.arange(len(counts))
    width = 0.38
    fig, ax = _new_axes(7.5, 4.2)
    control = ax.bar(
        x - width / 2,
        counts["control"].to_numpy(),
        width,
        label="control words",
        color=TRADITIONAL,
        edgecolor=NEUTRAL,
        linewidth=0.8,
        hatch="//",
    )
    conversation = ax.bar(
        x + width / 2,
        counts["conversation"].to_numpy(),
        width,
        label="conversation words",
        color=COMMUNITY,
        edgecolor=NEUTRAL,
        linewidth=0.8,
    )
    ax.bar_label(control, padding=2)
    ax.bar_label(conversation, padding=2)
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.15 * float(max(counts["control"].max(), counts["conversation"].max(), 1)))
    ax.set_xlabel("text, in the course's reading order")
    ax.set_ylabel("matched words in the text (count)")
    ax.set_title(f"Control and conversation vocabulary in {the_texts(len(counts))}")
    ax.legend(frameon=False, loc="upper left")
    return fig
