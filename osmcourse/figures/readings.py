"""The figure of the lab "Reading the readings" (:mod:`osmcourse.models.vocabulary`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from osmcourse.figures.style import COMMUNITY, NEUTRAL, TRADITIONAL, new_axes
from osmcourse.text import the_texts

__all__ = ["vocabulary_figure"]


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
    fig, ax = new_axes(7.5, 4.2)
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
