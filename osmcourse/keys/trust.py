"""The answer key of the lab "Trust and noise": plain targets, for the grader only."""

from __future__ import annotations

from osmcourse.checks.key import Choice, at, exact, within
from osmcourse.checks.trust import BANNER, GAP, MEAN, PEER, SHARE_STEP, SHRINK, YEARS
from osmcourse.data import load_nielsen_trust
from osmcourse.models.noise import DEFAULT_PERIODS, shrink_threshold


def targets() -> dict:
    trust = load_nielsen_trust().set_index("format")
    out: dict = {
        "1.most": exact(str(trust["pct_trust_2013"].idxmax())),
        "1.least": exact(str(trust["pct_trust_2013"].idxmin())),
    }
    for year in YEARS:
        peer, banner = trust.loc[PEER, f"pct_trust_{year}"], trust.loc[BANNER, f"pct_trust_{year}"]
        gap = float(peer - banner)
        out[f"2.gap.{year}"] = at(GAP, gap)
        out[f"2.negative.{year}"] = at(GAP, -gap)
        out[f"2.share.{year}"] = within(gap / 100, rel=0, abs_tol=0.0005)
        out[f"2.ratio.{year}"] = within(float(peer / banner), rel=0.01)
    means = trust.groupby("category")["pct_trust_2013"].mean()
    means_2007 = trust.groupby("category")["pct_trust_2007"].mean()
    for category, value in means.items():
        out[f"3.mean.{category}"] = at(MEAN, float(value))
        out[f"3.share.{category}"] = within(float(value) / 100, rel=0.002)
        if not means_2007.isna()[category]:
            out[f"3.mean_2007.{category}"] = at(MEAN, float(means_2007[category]))
    share = shrink_threshold(DEFAULT_PERIODS, step=SHARE_STEP)
    if share is None:  # pragma: no cover - the default assumptions always shrink at share 1
        raise RuntimeError("the default community never shrinks: the task has no answer")
    out["4.share"] = at(SHRINK, share)
    out["4.percent"] = within(100 * share, rel=0, abs_tol=100 * SHARE_STEP / 2)
    out["4.useful"] = at(SHRINK, 1 - share)
    out["5"] = Choice(
        correct="b",
        right=(
            "Right: the survey measures stated trust, the simulation shows what its "
            "assumptions imply; text 004's collapse claim needs observations of real "
            "communities."
        ),
        hints={
            "a": "The survey asked people how far they trust formats; it did not observe anyone "
            "leaving a community.",
            "c": "The simulation's parameters are the course's invention, not estimates: it shows "
            "what those assumptions imply, not what real communities do.",
            "d": "Compare the two formats' 2013 figures in Task 2: the gap narrowed but stayed wide.",
        },
    )
    return out
