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
