"""Small models that put the readings' claims to numbers, one module per model.

Pure functions: numbers and frames in, numbers and frames out; no files, no plotting.

* ``bass``: Bass diffusion, external influence vs imitation (lab "Mass media vs word of mouth");
* ``network``: independent cascades on Zachary's karate club (lab "Broadcast or bazaar");
* ``longtail``: a power-law rank–sales curve (lab "Head and tail");
* ``noise``: a SYNTHETIC community that loses members to promotion (lab "Trust and noise");
* ``vocabulary``: the course's word lists of control and conversation (lab "Reading the readings").
"""

from osmcourse.models.bass import BassFit, bass_cumulative_share, bass_peak_time, fit_bass, simulate_bass
from osmcourse.models.longtail import (
    RankSalesFit,
    catalogue_for_tail_share,
    demand_sum,
    rank_sales_from_figures,
    tail_share,
    weekly_units,
)
from osmcourse.models.network import (
    STRATEGIES,
    independent_cascade,
    karate_club,
    mean_reach,
    reach_table,
    simulate_reach,
    top_degree_members,
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

__all__ = [
    "BassFit", "bass_cumulative_share", "bass_peak_time", "fit_bass", "simulate_bass",
    "RankSalesFit", "catalogue_for_tail_share", "demand_sum", "rank_sales_from_figures",
    "tail_share", "weekly_units",
    "STRATEGIES", "independent_cascade", "karate_club", "mean_reach", "reach_table",
    "simulate_reach", "top_degree_members",
    "CommunityAssumptions", "final_members", "leave_probability", "shrink_threshold",
    "simulate_community",
    "CONTROL_EN", "CONTROL_SV", "CONVERSATION_EN", "CONVERSATION_SV", "VOCABULARIES",
    "conversation_share", "stem_matches", "vocabulary",
]
