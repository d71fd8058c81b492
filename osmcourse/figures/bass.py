"""The figure of the lab "Mass media vs word of mouth" (:mod:`osmcourse.models.bass`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from osmcourse.figures.style import COMMUNITY, NEUTRAL, TRADITIONAL, new_axes
from osmcourse.models.bass import BassFit, simulate_bass

__all__ = ["bass_fit_figure"]


def bass_fit_figure(sales: pd.Series, fit: BassFit, label: str) -> Figure:
    """Observed annual sales against the fitted Bass model, split into its two sources."""
    run = simulate_bass(fit.p, fit.q, fit.m, len(sales))
    years = sales.index.to_numpy()
    fig, ax = new_axes()
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
