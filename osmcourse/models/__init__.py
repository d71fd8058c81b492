"""Small models that put the readings' claims to numbers, one module per model.

Pure functions: numbers and frames in, numbers and frames out; no files, no plotting.
"""

from osmcourse.models.bass import (
    BassFit,
    bass_cumulative_share,
    bass_peak_time,
    fit_bass,
    simulate_bass,
)

__all__ = ["BassFit", "bass_cumulative_share", "bass_peak_time", "fit_bass", "simulate_bass"]
from osmcourse.models.longtail import (  # noqa: E402
    RankSalesFit,
    catalogue_for_tail_share,
    demand_sum,
    rank_sales_from_figures,
    tail_share,
    weekly_units,
)
from osmcourse.models.noise import (  # noqa: E402 - lab "Trust and noise" (SYNTHETIC model)
    CommunityAssumptions,
    final_members,
    leave_probability,
    shrink_threshold,
    simulate_community,
)

from osmcourse.models.network import (  # noqa: E402
    STRATEGIES,
    independent_cascade,
    karate_club,
    mean_reach,
    reach_table,
    simulate_reach,
    top_degree_members,
)
from osmcourse.models.vocabulary import CONTROL_EN, CONTROL_SV, CONVERSATION_EN, CONVERSATION_SV, VOCABULARIES, conversation_share, stem_matches, vocabulary  # noqa: E402,F401
