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
