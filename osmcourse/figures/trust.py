"""The figures of the lab "Trust and noise": trust by advertising format (Nielsen's surveys)
and the SYNTHETIC community model (:mod:`osmcourse.models.noise`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from osmcourse.figures.style import NEUTRAL, OKABE_ITO, new_axes

__all__ = [
    "TRUST_CATEGORY_STYLE",
    "TRUST_FORMAT_LABELS",
    "community_noise_figure",
    "trust_by_format_figure",
    "trust_format_label",
]

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
    fig, ax = new_axes(8.0, 0.32 * len(frame) + 1.8)
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
    fig, ax = new_axes(7.5, 4.5)
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
