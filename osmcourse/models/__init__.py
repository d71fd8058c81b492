"""Small models that put the readings' claims to numbers, one module per model.

Pure functions: numbers and frames in, numbers and frames out; no files, no plotting.

* ``bass``: Bass diffusion, external influence vs imitation (lab "Mass media vs word of mouth");
* ``network``: independent cascades on Zachary's karate club (lab "Broadcast or bazaar");
* ``longtail``: a power-law rank–sales curve (lab "Head and tail");
* ``noise``: a SYNTHETIC community that loses members to promotion (lab "Trust and noise");
* ``vocabulary``: the course's word lists of control and conversation (lab "Reading the readings").

The network model's names are loaded on first use (PEP 562): it needs networkx, which costs
more start-up time than the other labs' whole computation, and only one lab uses it. The
other models are light and imported at once (``vocabulary`` must be: it names both a module
and a function, and an eager import makes the function win, whatever is imported first).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from osmcourse.models.bass import (
    BassFit,
    bass_cumulative_share,
    bass_peak_time,
    fit_bass,
    simulate_bass,
)
from osmcourse.models.longtail import (
    RankSalesFit,
    catalogue_for_tail_share,
    demand_sum,
    rank_sales_from_figures,
    tail_share,
    weekly_units,
)
from osmcourse.models.noise import (
    CommunityAssumptions,
    final_members,
    leave_probability,
    shrink_threshold,
    simulate_community,
)
from osmcourse.models.vocabulary import (
    CONTROL_EN,
    CONTROL_SV,
    CONVERSATION_EN,
    CONVERSATION_SV,
    VOCABULARIES,
    conversation_share,
    stem_matches,
    vocabulary,
)

# Names of the network model, imported from osmcourse.models.network when first used.
_NETWORK_NAMES = (
    "STRATEGIES",
    "independent_cascade",
    "karate_club",
    "mean_reach",
    "reach_table",
    "simulate_reach",
    "top_degree_members",
)

__all__ = [
    "BassFit",
    "bass_cumulative_share",
    "bass_peak_time",
    "fit_bass",
    "simulate_bass",
    "RankSalesFit",
    "catalogue_for_tail_share",
    "demand_sum",
    "rank_sales_from_figures",
    "tail_share",
    "weekly_units",
    *_NETWORK_NAMES,
    "CommunityAssumptions",
    "final_members",
    "leave_probability",
    "shrink_threshold",
    "simulate_community",
    "CONTROL_EN",
    "CONTROL_SV",
    "CONVERSATION_EN",
    "CONVERSATION_SV",
    "VOCABULARIES",
    "conversation_share",
    "stem_matches",
    "vocabulary",
]


def __getattr__(name: str) -> Any:
    if name not in _NETWORK_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.network"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
