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
    ax.plot(years, sales.to_numpy(), color=NEUTRAL, marker="o", linewidth=1.5, label="observed sales")
    ax.set_title(f"{label}: observed sales and the fitted Bass model")
    ax.set_xlabel("year")
    ax.set_ylabel("units sold per year (thousands)")
    ax.legend(frameon=False, loc="upper left")
    return fig


def timeline_figure(timeline: pd.DataFrame | None = None) -> Figure:
    """The five texts and the works they cite, one row each, ordered by year.

    A line joins each text to each work it cites, so the reader sees how far back the
    "new" ideas reach.
    """
    from osmcourse.data import load_timeline

    frame = (load_timeline() if timeline is None else timeline).copy()
    frame = frame.sort_values(["year", "kind", "label"], ascending=[True, False, True], ignore_index=True)
    frame["row"] = range(len(frame))
    fig, ax = _new_axes(8.0, 0.42 * len(frame) + 1.2)
    seeds = frame[frame["kind"] == "seed"].set_index("seed_id")
    cited = frame[frame["kind"] == "cited"]
    for _, work in cited.iterrows():
        text = seeds.loc[work["seed_id"]]
        ax.plot([work["year"], text["year"]], [work["row"], text["row"]],
                color=OKABE_ITO["sky_blue"], linewidth=1, zorder=1)
    ax.scatter(cited["year"], cited["row"], s=60, marker="s", facecolor="white",
               edgecolor=TRADITIONAL, linewidth=2, zorder=2, label="a work it cites")
    ax.scatter(seeds["year"], seeds["row"], s=70, marker="o", color=COMMUNITY, zorder=3,
               label="a text (earliest possible year)")
    ax.set_yticks(frame["row"], frame["label"])
    ax.invert_yaxis()
    ax.set_xlabel("year")
    ax.set_title("The five texts and the works they cite")
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.legend(frameon=False, loc="lower left")
    return fig
