"""The answer key of the lab "Mass media vs word of mouth": plain targets, for the grader only."""

from __future__ import annotations

from osmcourse.checks.bass import BENCHMARK_P, BENCHMARK_Q, PEAK, PRODUCT, RATIO, SHARE, YEAR
from osmcourse.checks.key import Choice, at, within
from osmcourse.data import load_bass_series
from osmcourse.models import bass_peak_time, fit_bass, simulate_bass


def targets() -> dict:
    sales = load_bass_series(PRODUCT)
    fit = fit_bass(sales)
    run = simulate_bass(fit.p, fit.q, fit.m, len(sales))
    share = float(run["from_external"].sum() / run["new_adopters"].sum())
    p, q = BENCHMARK_P, BENCHMARK_Q
    peaks = {
        "base": bass_peak_time(p, q),
        "double_p": bass_peak_time(2 * p, q),
        "double_q": bass_peak_time(p, 2 * q),
    }
    out: dict = {
        "1.peak": at(YEAR, int(sales.idxmax())),
        "1.last": at(YEAR, int(sales.index.max())),
        "2.ratio": at(RATIO, fit.q / fit.p),
        "2.inverse": within(fit.p / fit.q),
        "3.share": at(SHARE, share),
        "3.percent": within(100 * share, rel=0.02),
        "3.imitation": at(SHARE, 1 - share),
        **{f"4.{key}": at(PEAK, value) for key, value in peaks.items()},
    }
    out["5"] = Choice(
        correct="c",
        right=(
            "Right: in the fitted model most adopters imitate earlier adopters, but "
            "the model does not say advertising is useless; p starts the process."
        ),
        hints={
            "a": "Task 3 shows external influence accounts for a small share: re-read it.",
            "b": "The fit cannot tell us what advertising caused: p lumps together every outside influence.",
            "d": "Task 4 shows that both changes bring the peak forward, not later.",
        },
    )
    return out
