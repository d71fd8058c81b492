"""The Long Tail model (power law in sales rank) and the loader of the long-tail figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from osmcourse.data import DataFileError, load_long_tail_figures
from osmcourse.models import (
    RankSalesFit,
    catalogue_for_tail_share,
    demand_sum,
    rank_sales_from_figures,
    tail_share,
    weekly_units,
)

from conftest import copy_data_file, rewrite

SLOPE = -0.871  # the published slope, only to pin the tests to the file's value
HEAD = 130_000


# --- The loader ---------------------------------------------------------------------------


def test_figures_load_with_a_numeric_value_except_for_the_one_range():
    figures = load_long_tail_figures()
    assert len(figures) == 20
    assert list(figures.columns) == [
        "metric",
        "value",
        "value_low",
        "value_high",
        "value_text",
        "unit",
        "year_of_data",
        "citation",
        "confidence",
    ]
    missing = figures[figures["value"].isna()]
    assert missing["metric"].tolist() == ["amazon_book_sales_share_not_in_stores_bezos_estimate"]
    bezos = missing.iloc[0]
    assert (bezos["value_low"], bezos["value_high"], bezos["value_text"]) == (25.0, 30.0, "25-30")
    singles = figures.dropna(subset=["value"])
    assert (singles["value"] == singles["value_low"]).all()
    assert (singles["value"] == singles["value_high"]).all()


def test_figures_keep_the_published_values_and_confidence_notes():
    figures = load_long_tail_figures().set_index(["metric", "year_of_data"])
    assert figures.loc[("rank_sales_slope", "see_paper"), "value"] == SLOPE
    assert figures.loc[("rank_sales_intercept_ln_weekly_qty", "see_paper"), "value"] == 10.526
    assert figures.loc[("rank_sales_slope", "see_paper"), "confidence"] == "medium"
    assert figures.loc[("barnes_noble_avg_titles_carried", "2004"), "value"] == HEAD
    assert (
        figures.loc[("digital_tracks_selling_exactly_one_copy", "2007"), "confidence"]
        == "medium-low"
    )


@pytest.fixture
def figures_copy(tmp_path):
    return copy_data_file("long_tail_figures.csv", tmp_path)


def test_a_value_that_is_neither_number_nor_range_names_file_line_and_value(figures_copy):
    rewrite(figures_copy, "rank_sales_slope,-0.871,", "rank_sales_slope,steep,")
    with pytest.raises(
        DataFileError,
        match=r"^long_tail_figures\.csv: column 'value' must be a number or a 'low-high' range, "
        r"found 'steep' on line 10",
    ):
        load_long_tail_figures(figures_copy)


def test_a_backwards_range_is_rejected(figures_copy):
    rewrite(figures_copy, ",25-30,", ",30-25,")
    with pytest.raises(
        DataFileError, match=r"long_tail_figures\.csv: the range '30-25' on line 14 runs backwards"
    ):
        load_long_tail_figures(figures_copy)


def test_a_missing_column_is_rejected(figures_copy):
    rewrite(figures_copy, "metric,value,unit,", "metric,value,units,")
    with pytest.raises(
        DataFileError, match=r"long_tail_figures\.csv: missing column\(s\) \['unit'\]"
    ):
        load_long_tail_figures(figures_copy)


def test_an_unknown_confidence_level_is_rejected(figures_copy):
    rewrite(
        figures_copy,
        "see_paper,BHS2003 Appendix (secondary; forum quote gives -0.87),medium",
        "see_paper,BHS2003 Appendix (secondary; forum quote gives -0.87),trust me",
    )
    with pytest.raises(
        DataFileError, match=r"long_tail_figures\.csv: column 'confidence'.*'trust me'"
    ):
        load_long_tail_figures(figures_copy)


def test_a_repeated_metric_and_year_is_rejected(figures_copy):
    with figures_copy.open("a", encoding="utf-8") as handle:
        handle.write("rank_sales_slope,-0.9,elasticity,see_paper,a second copy,medium\n")
    with pytest.raises(
        DataFileError,
        match=r"long_tail_figures\.csv: repeated metric-year rows: \['rank_sales_slope'\]",
    ):
        load_long_tail_figures(figures_copy)


def test_a_missing_source_line_is_rejected(figures_copy):
    lines = figures_copy.read_text(encoding="utf-8").splitlines()[1:]
    figures_copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"long_tail_figures\.csv: .*source"):
        load_long_tail_figures(figures_copy)


# --- The rank-sales line ----------------------------------------------------------------


def test_the_line_is_read_from_the_file():
    fit = rank_sales_from_figures(load_long_tail_figures())
    assert fit == RankSalesFit(a=10.526, b=SLOPE)


def test_reading_the_line_needs_exactly_one_numeric_row():
    figures = load_long_tail_figures()
    with pytest.raises(KeyError, match="rank_sales_slope"):
        rank_sales_from_figures(figures[figures["metric"] != "rank_sales_slope"])
    slope_row = figures[figures["metric"] == "rank_sales_slope"]
    with pytest.raises(ValueError, match="2 'rank_sales_slope' rows"):
        rank_sales_from_figures(pd.concat([figures, slope_row]))
    blank = figures.copy()
    blank.loc[blank["metric"] == "rank_sales_slope", "value"] = float("nan")
    with pytest.raises(ValueError, match="not a single number"):
        rank_sales_from_figures(blank)


def test_weekly_units_follow_the_power_law():
    fit = RankSalesFit(10.526, SLOPE)
    assert fit.weekly_units(1) == pytest.approx(math.exp(10.526))
    assert fit.weekly_units(1) == pytest.approx(37272.09, rel=1e-6)
    assert fit.weekly_units(100_000) == pytest.approx(1.6458, rel=1e-4)
    # A tenfold rank divides sales by 10**0.871, at any rank.
    ranks = np.array([1.0, 10.0, 1e3, 1e4, 1e6])
    units = weekly_units(ranks, 10.526, SLOPE)
    assert units.shape == ranks.shape
    assert weekly_units(10 * ranks, 10.526, SLOPE) == pytest.approx(units / 10**0.871)
    assert isinstance(weekly_units(5, 10.526, SLOPE), float)


@pytest.mark.parametrize("rank", [0, -3, float("nan"), float("inf"), [1, 2, 0]])
def test_ranks_must_be_positive(rank):
    with pytest.raises(ValueError, match="ranks must be positive"):
        weekly_units(rank, 10.526, SLOPE)


# --- Sums and shares ----------------------------------------------------------------------


def test_exact_sum_adds_every_term_across_blocks():
    assert demand_sum(1, 10, SLOPE) == pytest.approx(sum(r**SLOPE for r in range(1, 11)))
    # b = 0 counts the titles: a catalogue longer than one block of a million.
    assert demand_sum(1, 2_500_001, 0.0) == 2_500_001
    assert demand_sum(7, 7, -2.0) == pytest.approx(1 / 49)


def test_integral_approximation_of_the_sum():
    # Midpoint rule: exact for b = 0 and b = 1, close elsewhere, worst on the first ranks.
    assert demand_sum(1, 1000, 0.0, method="integral") == pytest.approx(1000)
    assert demand_sum(1, 1000, 1.0, method="integral") == pytest.approx(1000 * 1001 / 2, rel=1e-6)
    assert demand_sum(1, 1000, -1.0, method="integral") == pytest.approx(math.log(1000.5 / 0.5))
    exact = demand_sum(1, 3_000_000, SLOPE)
    approx = demand_sum(1, 3_000_000, SLOPE, method="integral")
    assert approx == pytest.approx(exact, rel=0.005)
    assert approx != pytest.approx(exact, rel=1e-6)
    tail_exact = demand_sum(HEAD + 1, 3_000_000, SLOPE)
    tail_approx = demand_sum(HEAD + 1, 3_000_000, SLOPE, method="integral")
    assert tail_approx == pytest.approx(tail_exact, rel=1e-6)


@pytest.mark.parametrize("catalogue", [1_000_000, 3_000_000, 10_000_000])
def test_exact_and_integral_shares_agree_within_a_tenth_of_a_point(catalogue):
    exact = tail_share(HEAD, catalogue, SLOPE)
    approx = tail_share(HEAD, catalogue, SLOPE, method="integral")
    assert abs(exact - approx) < 0.001
    # The midpoint rule overstates the first ranks, so the head comes out a little too big.
    assert 0 < approx < exact < 1


def test_share_beyond_n_increases_with_catalogue_size():
    shares = [tail_share(HEAD, size, SLOPE) for size in (200_000, 1_000_000, 3_000_000, 10_000_000)]
    assert shares == sorted(shares) and len(set(shares)) == 4
    assert round(shares[1], 4) == 0.2742 and round(shares[2], 4) == 0.3851


def test_share_beyond_n_falls_as_the_head_grows():
    assert tail_share(40_000, 3_000_000, SLOPE) > tail_share(HEAD, 3_000_000, SLOPE)


def test_a_steeper_than_minus_one_slope_has_a_bounded_tail():
    # For b < -1 the tail share levels off as the catalogue grows.
    long, longer = tail_share(1000, 1_000_000, -1.5), tail_share(1000, 5_000_000, -1.5)
    assert 0 < longer - long < 0.001
    ceiling = (2 * 1000 + 1) ** (-1.5 + 1)  # of the integral form, as the catalogue grows
    assert tail_share(1000, 10**12, -1.5, method="integral") == pytest.approx(ceiling, rel=1e-4)
    assert tail_share(1000, 10**12, -1.5, method="integral") < ceiling
    with pytest.raises(ValueError, match="no catalogue"):
        catalogue_for_tail_share(0.5, 1000, -1.5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tail_share(HEAD, HEAD, SLOPE), "longer than the head"),
        (lambda: tail_share(0, 1000, SLOPE), "ranks must be positive"),
        (lambda: tail_share(10.5, 1000, SLOPE), "whole number"),
        (lambda: tail_share(10, 1000, SLOPE, method="guess"), "method"),
        (lambda: demand_sum(5, 4, SLOPE), "first <= last"),
        (lambda: demand_sum(1, 10**12, SLOPE), "method='integral'"),
        (lambda: catalogue_for_tail_share(50, HEAD, SLOPE), "0.5 for half"),
        (lambda: catalogue_for_tail_share(0.0, HEAD, SLOPE), "strictly between"),
    ],
)
def test_bad_inputs_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "share, slope",
    # Pairs whose catalogue stays short enough to sum exactly (b = -1 needs astronomically
    # long catalogues for large shares).
    [
        (0.25, SLOPE),
        (0.3, SLOPE),
        (0.5, SLOPE),
        (0.57, SLOPE),
        (0.25, -1.0),
        (0.3, -1.0),
        (0.5, -0.6),
        (0.57, -0.6),
    ],
)
def test_catalogue_for_share_inverts_the_integral_share(share, slope):
    size = catalogue_for_tail_share(share, HEAD, slope)
    assert size > HEAD
    assert tail_share(HEAD, round(size), slope, method="integral") == pytest.approx(share, abs=1e-6)
    # ...and the exact share at that size is close too.
    assert tail_share(HEAD, round(size), slope) == pytest.approx(share, abs=0.002)


def test_catalogue_sizes_for_the_published_claims():
    # The lab's Task 4: the Bezos range fits about a million titles, "half" needs ~12 million.
    assert catalogue_for_tail_share(0.25, HEAD, SLOPE) == pytest.approx(812_078, rel=1e-5)
    assert catalogue_for_tail_share(0.30, HEAD, SLOPE) == pytest.approx(1_277_048, rel=1e-5)
    assert catalogue_for_tail_share(0.50, HEAD, SLOPE) == pytest.approx(12_371_546, rel=1e-5)


def test_figure_has_log_axes_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from osmcourse.figures import long_tail_figure

    fig = long_tail_figure(10.526, SLOPE, HEAD, 3_000_000, marks=(1_000_000,))
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert "rank" in ax.get_xlabel() and "per week" in ax.get_ylabel()
    assert "medium confidence" in ax.get_title()
    plt.close(fig)
