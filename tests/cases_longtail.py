"""Answer cases for the lab "Head and tail" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {"5"}

CASES = {
    "1": (
        {"slope": -0.871, "confidence": "medium"},
        [
            {"slope": 0.871, "confidence": "medium"},
            {"slope": 10.526, "confidence": "medium"},
            {"slope": -0.871, "confidence": "high"},
            {"slope": -0.871},
            -0.871,
        ],
    ),
    "2": (
        {"rank_1": 37272.09, "rank_100000": 1.646},
        [
            {"rank_1": 10.526, "rank_100000": 0.498},
            {"rank_1": 1.646, "rank_100000": 37272.09},
            {"rank_1": 37272.09, "rank_100000": 22646.4},
            {"rank_1": 37272.09},
            [37272.09, 1.646],
        ],
    ),
    "3": (
        {1_000_000: 0.2742, 3_000_000: 0.3851},
        [
            {1_000_000: 27.42, 3_000_000: 38.51},
            {1_000_000: 0.7258, 3_000_000: 0.6149},
            {1_000_000: 0.3045, 3_000_000: 0.4108},
            {1_000_000: 0.3851, 3_000_000: 0.2742},
            {1_000_000: 0.2742},
            {"one million": 0.2742, "three million": 0.3851},
        ],
    ),
    "4": (
        {"half": 12_371_546, "bezos_low": 812_078, "bezos_high": 1_277_048},
        [
            {"half": 12.37, "bezos_low": 0.812, "bezos_high": 1.277},
            {"half": 9_237_723, "bezos_low": 615_947, "bezos_high": 965_719},
            {"half": 12_371_546, "bezos_low": 1_277_048, "bezos_high": 812_078},
            {"half": 12_371_546, "bezos_low": 812_078},
            [12_371_546, 812_078, 1_277_048],
        ],
    ),
    "5": ("c", ["a", "b", "d", "e"]),
}


def exact_answers() -> dict:
    """Each numeric task's unrounded right answer, computed as the lab computes it."""
    import numpy as np

    from osmcourse.checks import longtail as lab
    from osmcourse.models.longtail import catalogue_for_tail_share, tail_share

    fit, top_n = lab.fit(), lab.head_size()
    shares = lab.published_shares()
    return {
        "1": {"slope": fit.b, "confidence": "medium"},
        "2": {
            "rank_1": float(np.exp(fit.a)),
            "rank_100000": float(np.exp(fit.a + fit.b * np.log(100_000))),
        },
        "3": {size: tail_share(top_n, size, fit.b) for size in lab.CATALOGUES},
        "4": {key: catalogue_for_tail_share(share, top_n, fit.b) for key, share in shares.items()},
    }


def other_settings() -> dict:
    """Answers computed with settings other than the lab's, which the checks must reject."""
    import numpy as np

    from osmcourse.checks import longtail as lab
    from osmcourse.models.longtail import catalogue_for_tail_share, tail_share

    fit, top_n = lab.fit(), lab.head_size()
    shares = lab.published_shares()
    return {
        "1": [{"slope": -fit.b, "confidence": "medium"}, {"slope": fit.a, "confidence": "medium"}],
        "2": [
            {"rank_1": float(10**fit.a), "rank_100000": float(10 ** (fit.a + fit.b * 5))},
            {
                "rank_1": float(np.exp(fit.a)),
                "rank_100000": float(np.exp(fit.a + fit.b * np.log(10_000))),
            },
        ],
        "3": [
            {size: tail_share(lab.ROUND_HEAD, size, fit.b) for size in lab.CATALOGUES},
            {size: tail_share(top_n, size, fit.b, method="integral") for size in lab.CATALOGUES},
        ],
        "4": [
            {
                key: catalogue_for_tail_share(share, lab.ROUND_HEAD, fit.b)
                for key, share in shares.items()
            },
            {
                key: 1.01 * catalogue_for_tail_share(share, top_n, fit.b)
                for key, share in shares.items()
            },
        ],
    }
