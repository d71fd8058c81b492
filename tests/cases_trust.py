"""Answer cases for the lab "Trust and noise" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {"1", "5"}

CASES = {
    "1": (
        "recommendations_from_people_i_know",
        ["text_ads_on_mobile_phones", "earned", "branded_websites", "friends", 84],
    ),
    "2": (
        {"2007": 52, "2013": 42},
        [
            {"2007": 42, "2013": 52},
            {"2007": -52, "2013": -42},
            {"2007": 0.52, "2013": 0.42},
            {"2007": 3.0, "2013": 2.0},
            {"2013": 42},
            {"2007": 52, "2013": 26},
            42,
        ],
    ),
    "3": (
        {"earned": 73.0, "owned": 62.5, "paid_traditional": 58.625, "paid_digital": 44.667},
        [
            {"earned": 0.73, "owned": 0.625, "paid_traditional": 0.58625, "paid_digital": 0.44667},
            {"earned": 69.5, "owned": 54.5, "paid_traditional": 52.667, "paid_digital": 26.0},
            {"earned": 73.0, "owned": 62.5, "paid": 53.0},
            {"earned": 73.0, "owned": 62.5, "paid_traditional": 58.625, "paid_digital": 48.0},
            [73.0, 62.5, 58.625, 44.667],
        ],
    ),
    "4": (0.23, [23, 0.22, 0.77, 0.5, 0.0, 1.5]),
    "5": ("b", ["a", "c", "d", "e"]),
}


def exact_answers() -> dict:
    """Each numeric task's unrounded right answer, computed as the lab computes it."""
    from osmcourse.data import load_nielsen_trust
    from osmcourse.models.noise import DEFAULT_PERIODS, shrink_threshold

    trust = load_nielsen_trust().set_index("format")
    peer, banner = trust.loc["recommendations_from_people_i_know"], trust.loc["online_banner_ads"]
    means = trust.groupby("category")["pct_trust_2013"].mean()
    return {
        "2": {
            year: float(peer[f"pct_trust_{year}"] - banner[f"pct_trust_{year}"])
            for year in ("2007", "2013")
        },
        "3": {str(k): float(v) for k, v in means.items()},
        "4": shrink_threshold(DEFAULT_PERIODS, step=0.01),
    }


def other_settings() -> dict:
    """Answers computed with settings other than the lab's, which the checks must reject."""
    from osmcourse.data import load_nielsen_trust
    from osmcourse.models.noise import DEFAULT_PERIODS, shrink_threshold

    trust = load_nielsen_trust().set_index("format")
    peer, banner = trust.loc["recommendations_from_people_i_know"], trust.loc["online_banner_ads"]
    opinions = trust.loc["consumer_opinions_posted_online"]
    means_2007 = trust.groupby("category")["pct_trust_2007"].mean()
    medians = trust.groupby("category")["pct_trust_2013"].median()
    thresholds = [shrink_threshold(DEFAULT_PERIODS, step=0.01, seed=seed) for seed in range(1, 9)]
    thresholds += [shrink_threshold(periods, step=0.01) for periods in (12, 36)]
    return {
        "2": [
            {y: float(peer[f"pct_trust_{y}"] / banner[f"pct_trust_{y}"]) for y in ("2007", "2013")},
            {
                y: float(opinions[f"pct_trust_{y}"] - banner[f"pct_trust_{y}"])
                for y in ("2007", "2013")
            },
        ],
        "3": [
            {str(k): float(v) for k, v in means_2007.fillna(0).items()},
            {str(k): float(v) for k, v in medians.items()},
        ],
        "4": [share for share in thresholds if share is not None],
    }
