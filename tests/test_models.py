"""The models agree with their closed forms and recover known parameters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from osmcourse.models import bass_cumulative_share, bass_peak_time, fit_bass, simulate_bass


def test_simulation_splits_adopters_into_two_sources():
    run = simulate_bass(0.03, 0.38, 1000, 30)
    assert np.allclose(run["from_external"] + run["from_imitation"], run["new_adopters"])
    assert run["cumulative"].iloc[-1] < 1000
    assert run["cumulative"].is_monotonic_increasing
    # Period 1: nobody has adopted yet, so every adopter comes from external influence.
    assert run["from_imitation"].iloc[0] == 0
    assert run["from_external"].iloc[0] == pytest.approx(30)


def test_simulation_is_close_to_the_closed_form_for_small_steps():
    p, q, m = 0.01, 0.2, 1.0
    run = simulate_bass(p, q, m, 60)
    closed = bass_cumulative_share(np.arange(1, 61), p, q)
    assert np.max(np.abs(run["cumulative"].to_numpy() - closed)) < 0.05


def test_peak_time_formula_and_its_edge_case():
    assert bass_peak_time(0.03, 0.38) == pytest.approx(math.log(0.38 / 0.03) / 0.41)
    assert bass_peak_time(0.5, 0.1) == 0.0
    # The density of the closed form peaks where the formula says.
    t = np.linspace(0, 20, 200001)
    density = np.gradient(bass_cumulative_share(t, 0.03, 0.38), t)
    assert t[np.argmax(density)] == pytest.approx(bass_peak_time(0.03, 0.38), abs=1e-3)


def test_fit_recovers_the_parameters_of_the_discrete_model_exactly():
    run = simulate_bass(0.02, 0.45, 5000.0, 15)
    fit = fit_bass(run["new_adopters"])
    assert (fit.p, fit.q, fit.m) == pytest.approx((0.02, 0.45, 5000.0), rel=1e-6)
    assert fit.peak_time() == pytest.approx(bass_peak_time(0.02, 0.45))


def test_fit_is_only_approximate_on_a_continuous_curve():
    # Bass's discrete regression on yearly sales of a continuous curve: m and q come out
    # close, p is overestimated. The lab's "going further" asks students to notice this.
    cumulative = 5000.0 * bass_cumulative_share(np.arange(0, 16), 0.02, 0.45)
    fit = fit_bass(pd.Series(np.diff(cumulative)))
    assert fit.m == pytest.approx(5000.0, rel=0.05)
    assert fit.q == pytest.approx(0.45, rel=0.15)
    assert fit.p > 0.02


def test_fit_on_the_room_air_conditioner_series_matches_the_compiled_values():
    # ../shared/data/bass_pq_benchmarks.csv records this fit (p 0.0170, q 0.4049, m 17091).
    from osmcourse.data import load_bass_series

    fit = fit_bass(load_bass_series("room_air_conditioners"))
    assert (round(fit.p, 4), round(fit.q, 4), round(fit.m)) == (0.0170, 0.4049, 17091)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: simulate_bass(0, 0.3, 100, 5), "p > 0"),
        (lambda: simulate_bass(0.03, 0.3, -1, 5), "market potential"),
        (lambda: simulate_bass(0.03, 0.3, 100, 0), "periods"),
        (lambda: fit_bass([1, 2, 3]), "at least 4"),
        (lambda: fit_bass([1, -2, 3, 4]), "non-negative"),
    ],
)
def test_bad_inputs_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_fit_without_a_positive_market_is_an_error():
    with pytest.raises(ValueError, match="no positive market"):
        fit_bass([1, 2, 4, 8, 16])  # pure exponential growth: no saturation in sight


def test_models_load_lazily_and_every_listed_name_resolves():
    # A lab pays only for the models it uses: the Bass, long-tail, noise and vocabulary labs,
    # their checks and the figures module never import networkx or scipy (grading cost).
    import subprocess
    import sys

    code = (
        "import sys; from osmcourse.models import simulate_bass, tail_share, simulate_community, "
        "vocabulary; import osmcourse.figures, osmcourse.checks.bass, osmcourse.checks.trust, "
        "osmcourse.checks.longtail, osmcourse.checks.readings; "
        "print(sorted(m for m in ('networkx', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"MPLBACKEND": "agg", "PATH": ""},
        check=True,
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
    # Every listed name is the model's own object, whichever module was imported first
    # ("vocabulary" names both a module and a function: the function must win).
    code = (
        "import osmcourse.models.vocabulary, osmcourse.models.network; import osmcourse.models as m; "
        "from osmcourse.models import vocabulary, mean_reach; "
        "assert callable(vocabulary) and callable(mean_reach); "
        "assert all(getattr(m, n) is not None for n in m.__all__); "
        "assert not hasattr(m, 'no_such_model'); print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"MPLBACKEND": "agg", "PATH": ""},
    )
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


def test_the_stock_before_the_series_moves_p_most_and_bad_stock_is_refused():
    # Bass's regression needs the cumulative sales before the first year; the course's series
    # starts in 1949, when room air conditioners were already on sale (issue 19).
    from osmcourse.data import load_bass_series

    sales = load_bass_series("room_air_conditioners")
    base, shifted = fit_bass(sales), fit_bass(sales, stock_before=250)
    assert fit_bass(sales, stock_before=0) == base
    assert shifted.p < 0.75 * base.p  # p, the intercept's share, moves a lot ...
    assert abs(shifted.q - base.q) < 0.02 * base.q  # ... q hardly at all
    assert shifted.m == pytest.approx(base.m + 250)
    for bad in (-1, float("nan")):
        with pytest.raises(ValueError, match="stock_before"):
            fit_bass(sales, stock_before=bad)


# The names `from osmcourse.models import ...` gives, listed from dir(osmcourse.models) before
# the package built its exports from its modules' __all__ (issue 20): a refactoring of the
# package must keep every one, with the same object behind it.
PACKAGE_NAMES = {
    "bass": (
        "BassFit",
        "bass_cumulative_share",
        "bass_peak_time",
        "fit_bass",
        "simulate_bass",
    ),
    "longtail": (
        "RankSalesFit",
        "catalogue_for_tail_share",
        "demand_sum",
        "rank_sales_from_figures",
        "tail_share",
        "weekly_units",
    ),
    "network": (
        "STRATEGIES",
        "independent_cascade",
        "karate_club",
        "mean_reach",
        "reach_table",
        "simulate_reach",
        "top_degree_members",
    ),
    "noise": (
        "CommunityAssumptions",
        "final_members",
        "leave_probability",
        "shrink_threshold",
        "simulate_community",
    ),
    "vocabulary": (
        "CONTROL_EN",
        "CONTROL_SV",
        "CONVERSATION_EN",
        "CONVERSATION_SV",
        "VOCABULARIES",
        "conversation_share",
        "stem_matches",
        "vocabulary",
    ),
}


def test_the_package_exports_the_same_names_as_before_each_its_models_own():
    from importlib import import_module

    import osmcourse.models as package

    listed = sorted(name for names in PACKAGE_NAMES.values() for name in names)
    assert sorted(package.__all__) == listed
    for module_name, names in PACKAGE_NAMES.items():
        module = import_module(f"osmcourse.models.{module_name}")
        for name in names:
            assert getattr(package, name) is getattr(module, name), name
    # The submodules are importable from the package by name, as before ("vocabulary" is the
    # function, checked above: the module is reached as osmcourse.models.vocabulary).
    from osmcourse.models import bass, longtail, network, noise

    for module in (bass, longtail, network, noise):
        assert module is import_module(module.__name__)
        assert module.__name__.rpartition(".")[2] in PACKAGE_NAMES
