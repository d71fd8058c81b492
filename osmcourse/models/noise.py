"""A small SYNTHETIC model of promotional "noise" in an online community (text 004, ¶2).

Text 004 claims that enterprises which "prey" on communities become a "noise" that "too
often results in the general collapse" of the community. This module turns that claim into
a toy model whose every parameter is the course's invention, not an estimate:

* a community has ``members`` out of a ``pool`` of people interested in its topic;
* a share ``s`` of its posts is promotional (the rest is useful content);
* each period every member leaves with a probability that rises with ``s``
  (:func:`leave_probability`);
* each period every outsider in the pool joins with probability
  ``join_rate * (1 - s) * members / pool``: newcomers arrive in proportion to the useful
  content, which grows with the community and shrinks with the promotional share.

So the expected number of joiners is ``join_rate * (1 - s) * N * (1 - N / pool)`` (logistic
growth driven by useful content) and the expected number of leavers is
``leave_probability(s) * N``.

The simulation draws random numbers with ``numpy.random.default_rng(seed)``, so a seed gives
the same run every time. All the random numbers are drawn before the run starts and do not
depend on ``s``: two runs with the same seed and different shares differ only because of the
share (common random numbers). Together with ``max_leave + join_rate <= 1`` this guarantees
that, for the same seed, a larger promotional share never ends with a larger community.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# What osmcourse.models exports from this model (it builds its names from each __all__).
__all__ = [
    "CommunityAssumptions",
    "final_members",
    "leave_probability",
    "shrink_threshold",
    "simulate_community",
]

DEFAULT_SEED = 4
DEFAULT_PERIODS = 24


@dataclass(frozen=True)
class CommunityAssumptions:
    """The invented parameters of the noise model (none of them is estimated from data).

    Attributes:
        members0: members at the start (period 0).
        pool: people interested in the community's topic, the most it can ever hold.
        base_leave: chance per period that a member leaves when no post is promotional.
        max_leave: chance per period that a member leaves when every post is promotional.
        leave_curve: how the leaving chance rises between the two: 1 is a straight line,
            above 1 members shrug off a little promotion and then leave quickly.
        join_rate: chance per period that an outsider joins when every post is useful and
            everyone in the pool is already a member (the scale of word of mouth).
    """

    members0: int = 200
    pool: int = 1000
    base_leave: float = 0.02
    max_leave: float = 0.30
    leave_curve: float = 1.0
    join_rate: float = 0.15

    def __post_init__(self) -> None:
        if isinstance(self.members0, bool) or int(self.members0) != self.members0:
            raise ValueError(f"members0 must be a whole number, not {self.members0!r}")
        if isinstance(self.pool, bool) or int(self.pool) != self.pool:
            raise ValueError(f"pool must be a whole number, not {self.pool!r}")
        if not 1 <= self.members0 <= self.pool:
            raise ValueError(
                f"need 1 <= members0 <= pool, got members0={self.members0}, pool={self.pool}"
            )
        if not 0 <= self.base_leave <= self.max_leave <= 1:
            raise ValueError(
                f"need 0 <= base_leave <= max_leave <= 1, got {self.base_leave} and {self.max_leave}"
            )
        if not self.leave_curve > 0:
            raise ValueError(f"leave_curve must be positive, not {self.leave_curve}")
        if not 0 <= self.join_rate <= 1:
            raise ValueError(f"join_rate must be between 0 and 1, not {self.join_rate}")
        if self.max_leave + self.join_rate > 1:
            raise ValueError(
                "max_leave + join_rate must not exceed 1 (per-period chances are meant to be "
                f"small), got {self.max_leave} + {self.join_rate}"
            )


def _check_share(share: float) -> float:
    if isinstance(share, bool):
        raise ValueError("the promotional share must be a number between 0 and 1, not True/False")
    value = float(share)
    if not 0 <= value <= 1:
        raise ValueError(f"the promotional share must be between 0 and 1, not {share}")
    return value


def _check_periods(periods: int) -> int:
    if isinstance(periods, bool) or int(periods) != periods or periods < 1:
        raise ValueError(f"periods must be a whole number of at least 1, not {periods!r}")
    return int(periods)


def leave_probability(share: float, assumptions: CommunityAssumptions | None = None) -> float:
    """Chance per period that a member leaves when a ``share`` of the posts is promotional.

    ``base_leave + (max_leave - base_leave) * share ** leave_curve``: it rises from
    ``base_leave`` (no promotion) to ``max_leave`` (nothing but promotion).
    """
    a = assumptions or CommunityAssumptions()
    s = _check_share(share)
    return float(a.base_leave + (a.max_leave - a.base_leave) * s**a.leave_curve)


def simulate_community(
    share: float,
    periods: int = DEFAULT_PERIODS,
    assumptions: CommunityAssumptions | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Run the SYNTHETIC community model for ``periods`` periods at a promotional ``share``.

    Args:
        share: the share of posts that are promotional, between 0 and 1.
        periods: how many periods to run (at least 1).
        assumptions: the model's parameters (:class:`CommunityAssumptions` by default).
        seed: seed for ``numpy.random.default_rng``; the same seed gives the same run.

    Returns:
        One row per period, 0 (the start) to ``periods``, indexed by ``period``, with the
        columns ``members`` (at the end of the period), ``joined`` and ``left`` (during it).
    """
    a = assumptions or CommunityAssumptions()
    s = _check_share(share)
    periods = _check_periods(periods)
    if isinstance(seed, bool) or int(seed) != seed:
        raise ValueError(f"seed must be a whole number, not {seed!r}")
    # One uniform number per person slot and period, drawn before the run: the same for every
    # share. Members fill slots 0..N-1: a member leaves if its number is below the leaving
    # chance; outsiders fill slots N..pool-1 and join if theirs is above 1 - joining chance.
    draws = np.random.default_rng(int(seed)).random((periods, a.pool))
    leave = leave_probability(s, a)
    members = int(a.members0)
    rows = [(0, members, 0, 0)]
    for period in range(1, periods + 1):
        u = draws[period - 1]
        join = a.join_rate * (1 - s) * members / a.pool
        left = int(np.count_nonzero(u[:members] < leave))
        joined = int(np.count_nonzero(u[members:] > 1 - join)) if join > 0 else 0
        members = members - left + joined
        rows.append((period, members, joined, left))
    return pd.DataFrame(rows, columns=["period", "members", "joined", "left"]).set_index("period")


def final_members(
    share: float,
    periods: int = DEFAULT_PERIODS,
    assumptions: CommunityAssumptions | None = None,
    seed: int = DEFAULT_SEED,
) -> int:
    """Members at the end of :func:`simulate_community` (a convenience)."""
    return int(simulate_community(share, periods, assumptions, seed)["members"].iloc[-1])


def shrink_threshold(
    periods: int = DEFAULT_PERIODS,
    assumptions: CommunityAssumptions | None = None,
    seed: int = DEFAULT_SEED,
    step: float = 0.01,
) -> float | None:
    """The smallest promotional share, on the grid 0, step, 2 step, ..., 1, at which the
    community ends ``periods`` periods with fewer members than it started with.

    Because a larger share never gives a larger community for the same seed, every share
    from the threshold up shrinks the community and every share below it does not.
    Returns ``None`` if the community does not shrink even at share 1.
    """
    a = assumptions or CommunityAssumptions()
    periods = _check_periods(periods)
    if not 0 < step <= 1:
        raise ValueError(f"step must be in (0, 1], not {step}")
    steps = round(1 / step)
    if abs(steps * step - 1) > 1e-9:
        raise ValueError(f"step must divide 1 into whole steps (e.g. 0.01, 0.05), not {step}")
    for k in range(steps + 1):
        share = round(k / steps, 10)
        if final_members(share, periods, a, seed) < a.members0:
            return share
    return None
