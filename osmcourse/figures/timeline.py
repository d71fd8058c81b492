"""The figure of the introduction's timeline: the texts and the works they cite."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from osmcourse.figures.style import COMMUNITY, OKABE_ITO, TRADITIONAL, new_axes
from osmcourse.text import the_texts

__all__ = ["timeline_figure"]


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
    fig, ax = new_axes(8.0, 0.42 * len(frame) + 1.2)
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
