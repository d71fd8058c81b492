"""The figure of the lab "Head and tail" (:mod:`osmcourse.models.longtail`)."""

from __future__ import annotations

from matplotlib.figure import Figure

from osmcourse.figures.style import COMMUNITY, NEUTRAL, OKABE_ITO, TRADITIONAL, new_axes

__all__ = ["long_tail_figure"]


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
    fig, ax = new_axes(7.5, 4.6)
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
