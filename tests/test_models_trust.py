"""Lab "Trust and noise": the Nielsen loader and the SYNTHETIC community model."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from osmcourse.data import DataFileError, load_nielsen_trust
from osmcourse.models.noise import (
    CommunityAssumptions,
    final_members,
    leave_probability,
    shrink_threshold,
    simulate_community,
)

from conftest import copy_data_file, rewrite

NIELSEN = "nielsen_trust_in_advertising_2007_2013.csv"


# --- The loader -----------------------------------------------------------------------------


def test_nielsen_table_loads_with_the_published_figures():
    frame = load_nielsen_trust().set_index("format")
    assert len(frame) == 19
    assert set(frame["category"]) == {"earned", "owned", "paid_traditional", "paid_digital"}
    assert frame.loc["recommendations_from_people_i_know", "pct_trust_2013"] == 84
    assert frame.loc["recommendations_from_people_i_know", "pct_trust_2007"] == 78
    assert frame.loc["online_banner_ads", ["pct_trust_2007", "pct_trust_2013"]].tolist() == [26, 42]
    # Formats not asked in 2007 are empty, not zero.
    not_asked = frame.index[frame["pct_trust_2007"].isna()].tolist()
    assert "ads_on_social_networks" in not_asked and len(not_asked) == 6
    assert frame["pct_trust_2013"].notna().all()
    assert frame["pct_trust_2013"].is_monotonic_decreasing


@pytest.fixture
def nielsen_copy(tmp_path):
    return copy_data_file(NIELSEN, tmp_path)


def test_unknown_category_names_the_file_and_the_value(nielsen_copy):
    rewrite(nielsen_copy, "ads_on_tv,paid_traditional,", "ads_on_tv,paid,")
    with pytest.raises(
        DataFileError, match=rf"^{NIELSEN}: column 'category' must be one of .*\['paid'\]"
    ):
        load_nielsen_trust(nielsen_copy)


def test_percentage_above_100_is_rejected(nielsen_copy):
    rewrite(
        nielsen_copy,
        "online_banner_ads,paid_digital,26,42",
        "online_banner_ads,paid_digital,26,420",
    )
    with pytest.raises(
        DataFileError,
        match=rf"^{NIELSEN}: column 'pct_trust_2013' has value\(s\) \[420.0\] outside",
    ):
        load_nielsen_trust(nielsen_copy)


def test_empty_2013_cell_is_rejected_but_empty_2007_is_allowed(nielsen_copy):
    rewrite(
        nielsen_copy, "online_banner_ads,paid_digital,26,42", "online_banner_ads,paid_digital,,"
    )
    with pytest.raises(
        DataFileError, match=rf"^{NIELSEN}: column 'pct_trust_2013' is empty on line\(s\) \[20\]"
    ):
        load_nielsen_trust(nielsen_copy)


def test_missing_column_and_repeated_format_are_rejected(nielsen_copy):
    original = nielsen_copy.read_text(encoding="utf-8")
    rewrite(nielsen_copy, "pct_trust_2007,", "trust_2007,")
    with pytest.raises(
        DataFileError, match=rf"^{NIELSEN}: missing column\(s\) \['pct_trust_2007'\]"
    ):
        load_nielsen_trust(nielsen_copy)
    nielsen_copy.write_text(original + "ads_on_tv,paid_traditional,56,62\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"^{NIELSEN}: repeated format\(s\): \['ads_on_tv'\]"):
        load_nielsen_trust(nielsen_copy)


def test_text_in_a_number_column_names_the_line(nielsen_copy):
    rewrite(nielsen_copy, "ads_on_tv,paid_traditional,56,62", "ads_on_tv,paid_traditional,56,sixty")
    with pytest.raises(
        DataFileError,
        match=rf"^{NIELSEN}: column 'pct_trust_2013' must be numeric, found 'sixty' on line 7",
    ):
        load_nielsen_trust(nielsen_copy)


# --- The synthetic model --------------------------------------------------------------------


def test_leave_probability_runs_from_base_to_max():
    a = CommunityAssumptions()
    assert leave_probability(0) == pytest.approx(a.base_leave)
    assert leave_probability(1) == pytest.approx(a.max_leave)
    assert leave_probability(0.5) == pytest.approx((a.base_leave + a.max_leave) / 2)
    curved = CommunityAssumptions(leave_curve=3.0)
    assert leave_probability(0.5, curved) == pytest.approx(
        a.base_leave + (a.max_leave - a.base_leave) / 8
    )
    values = [leave_probability(s / 20) for s in range(21)]
    assert values == sorted(values)


def test_simulation_is_deterministic_and_consistent():
    first, second = simulate_community(0.2), simulate_community(0.2)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == ["members", "joined", "left"]
    assert first.index.tolist() == list(range(25))
    assert first.loc[0].tolist() == [200, 0, 0]
    # Members change by exactly those who joined minus those who left.
    change = first["members"].diff().iloc[1:]
    assert (change == first["joined"].iloc[1:] - first["left"].iloc[1:]).all()
    assert first["members"].between(0, 1000).all()
    # The seed matters: another seed gives another run.
    assert not simulate_community(0.2, seed=5)["members"].equals(first["members"])


def test_the_default_run_has_the_values_the_lab_shows():
    finals = {share: final_members(share) for share in (0.0, 0.1, 0.2, 0.3, 0.5)}
    assert finals == {0.0: 738, 0.1: 442, 0.2: 236, 0.3: 109, 0.5: 15}
    assert shrink_threshold() == 0.23


def test_only_promotion_means_nobody_joins_and_no_promotion_grows():
    all_ads = simulate_community(1.0)
    assert (all_ads["joined"] == 0).all()
    assert all_ads["members"].is_monotonic_decreasing
    assert simulate_community(0.0)["members"].iloc[-1] > 2 * 200


@pytest.mark.parametrize("seed", [0, 1, 4, 2024])
@pytest.mark.parametrize(
    "assumptions",
    [
        CommunityAssumptions(),
        CommunityAssumptions(leave_curve=3.0),
        CommunityAssumptions(members0=900, join_rate=0.6, max_leave=0.4),
    ],
)
def test_more_promotion_never_gives_a_larger_community(seed, assumptions):
    shares = np.linspace(0, 1, 51)
    runs = [simulate_community(s, 30, assumptions, seed)["members"].to_numpy() for s in shares]
    # Not only the final size: at every period, a larger share leaves no more members.
    for smaller, larger in zip(runs, runs[1:]):
        assert (larger <= smaller).all()
    assert runs[0][-1] > runs[-1][-1]


def test_shrink_threshold_separates_shrinking_from_not_shrinking():
    a = CommunityAssumptions()
    threshold = shrink_threshold(24, a)
    assert 0 < threshold < 1
    assert final_members(threshold, 24, a) < a.members0
    assert final_members(round(threshold - 0.01, 2), 24, a) >= a.members0
    # More newcomers tolerate more promotion; a steeper leaving curve too.
    assert shrink_threshold(24, CommunityAssumptions(join_rate=0.25)) > threshold
    assert shrink_threshold(24, CommunityAssumptions(leave_curve=3.0)) > threshold
    # A coarser grid gives a grid point at or above the fine one.
    coarse = shrink_threshold(24, a, step=0.05)
    assert threshold <= coarse < threshold + 0.05 + 1e-12
    # Nobody leaves, everybody stays: the community can never shrink.
    assert shrink_threshold(24, CommunityAssumptions(base_leave=0.0, max_leave=0.0)) is None


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: simulate_community(1.5), "between 0 and 1"),
        (lambda: simulate_community(-0.1), "between 0 and 1"),
        (lambda: simulate_community(True), "True/False"),
        (lambda: leave_probability(2), "between 0 and 1"),
        (lambda: simulate_community(0.2, periods=0), "periods"),
        (lambda: simulate_community(0.2, periods=2.5), "periods"),
        (lambda: simulate_community(0.2, seed=1.5), "seed"),
        (lambda: shrink_threshold(step=0.03), "whole steps"),
        (lambda: shrink_threshold(step=0), "step"),
        (lambda: CommunityAssumptions(members0=0), "members0"),
        (lambda: CommunityAssumptions(members0=2000), "members0"),
        (lambda: CommunityAssumptions(members0=10.5), "whole number"),
        (lambda: CommunityAssumptions(base_leave=0.5, max_leave=0.3), "base_leave <= max_leave"),
        (lambda: CommunityAssumptions(leave_curve=0), "leave_curve"),
        (lambda: CommunityAssumptions(join_rate=-0.1), "join_rate"),
        (lambda: CommunityAssumptions(max_leave=0.6, join_rate=0.6), "must not exceed 1"),
    ],
)
def test_bad_arguments_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
