"""Answer cases for the lab "Mass media vs word of mouth" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {"5"}

CASES = {
    "1": (1956, [1961, 1949, "1956"]),
    "2": (23.83, [0.042, 1.0, -23.83]),
    "3": (0.1684, [16.84, 0.8316, 0.5]),
    "4": (
        {"base": 6.19, "double_p": 4.195, "double_q": 4.09},
        [{"base": 6.19, "double_p": 8.0, "double_q": 4.09}, {"base": 6.19}, [6.19, 4.2, 4.09]],
    ),
    "5": ("c", ["a", "b", "d", "e"]),
}


def exact_answers() -> dict:
    """Each numeric task's unrounded right answer, computed as the lab computes it."""
    from osmcourse.checks import bass as lab
    from osmcourse.data import load_bass_series
    from osmcourse.models import bass_peak_time, fit_bass, simulate_bass

    sales = load_bass_series(lab.PRODUCT)
    fit = fit_bass(sales)
    run = simulate_bass(fit.p, fit.q, fit.m, len(sales))
    p, q = lab.BENCHMARK_P, lab.BENCHMARK_Q
    return {
        "1": int(sales.idxmax()),
        "2": fit.q / fit.p,
        "3": float(run["from_external"].sum() / run["new_adopters"].sum()),
        "4": {
            "base": bass_peak_time(p, q),
            "double_p": bass_peak_time(2 * p, q),
            "double_q": bass_peak_time(p, 2 * q),
        },
    }


def other_settings() -> dict:
    """Answers computed with settings other than the lab's, which the checks must reject."""
    from osmcourse.checks import bass as lab
    from osmcourse.data import load_bass_series
    from osmcourse.models import bass_peak_time, fit_bass, simulate_bass

    sales = load_bass_series(lab.PRODUCT)
    fit = fit_bass(sales)
    others = [fit_bass(load_bass_series(name)) for name in ("color_televisions", "clothes_dryers")]
    shares = []
    for years in (len(sales) - 1, len(sales) + 1, 20):
        run = simulate_bass(fit.p, fit.q, fit.m, years)
        shares.append(float(run["from_external"].sum() / run["new_adopters"].sum()))
    fitted = {
        "base": bass_peak_time(fit.p, fit.q),
        "double_p": bass_peak_time(2 * fit.p, fit.q),
        "double_q": bass_peak_time(fit.p, 2 * fit.q),
    }
    return {
        "1": [int(sales.index.max()), int(sales.index.min())],
        "2": [fit.p / fit.q, lab.BENCHMARK_Q / lab.BENCHMARK_P] + [o.q / o.p for o in others],
        "3": shares,
        "4": [fitted],
    }
