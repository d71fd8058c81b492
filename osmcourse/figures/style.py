"""The drawing style every figure of the course shares: its colours and its axes.

Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms
of colour blindness; lines also differ in style or marker, so no figure relies on colour
alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["COMMUNITY", "NEUTRAL", "OKABE_ITO", "TRADITIONAL", "new_axes"]

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


def new_axes(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    """A new figure of ``width`` by ``height`` inches with one set of axes, open at the top
    and right (the frame the course's figures share)."""
    fig, ax = plt.subplots(figsize=(width, height), dpi=100, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax
