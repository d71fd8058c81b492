"""Answer cases for the lab "Broadcast or bazaar" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {"4", "5"}

CASES = {
    "1": (
        {"members": 34, "ties": 78},
        [{"members": 34, "ties": 156}, {"members": 33, "ties": 78}, {"members": 34}, [34, 78]],
    ),
    "2": (0.2885, [28.85, 0.5769, 0.0882, 0.5]),
    "3": (0.2447, [24.47, 8.32, 0.0882, 0.1607, 0.5]),
    "4": (
        {"low": "top_degree", "high": "random"},
        [
            {"low": "top_degree", "high": "top_degree"},
            {"low": "random", "high": "top_degree"},
            {"low": "broadcast", "high": "random"},
            {"low": "hubs", "high": "random"},
            {"low": "top_degree"},
            ["top_degree", "random"],
        ],
    ),
    "5": ("b", ["a", "c", "d", "e"]),
}


def exact_answers() -> dict:
    """Each numeric task's unrounded right answer, computed as the lab computes it."""
    from osmcourse.checks import network as lab
    from osmcourse.models.network import karate_club, mean_reach, top_degree_members

    club = karate_club()
    top = top_degree_members(club, lab.K)
    return {
        "1": {"members": club.number_of_nodes(), "ties": club.number_of_edges()},
        "2": sum(club.degree(m) for m in top) / sum(d for _, d in club.degree()),
        "3": mean_reach(club, "top_degree", lab.K, lab.TASK3_P, lab.RUNS, lab.SEED),
    }


def other_settings() -> dict:
    """Answers computed with settings other than the lab's, which the checks must reject."""
    from osmcourse.checks import network as lab
    from osmcourse.models.network import karate_club, mean_reach, top_degree_members

    club = karate_club()
    K, P, RUNS, SEED = lab.K, lab.TASK3_P, lab.RUNS, lab.SEED
    ends = sum(d for _, d in club.degree())
    reach = [mean_reach(club, "top_degree", K, P, RUNS, seed) for seed in range(20)]
    reach += [mean_reach(club, "top_degree", K, P, runs, SEED) for runs in (100, 299, 301, 1000)]
    reach += [mean_reach(club, "top_degree", K, p, RUNS, SEED) for p in (0.09, 0.11, 0.2)]
    reach += [mean_reach(club, "top_degree", k, P, RUNS, SEED) for k in (2, 4)]
    reach += [mean_reach(club, s, K, P, RUNS, SEED) for s in ("random", "broadcast")]
    return {
        "1": [{"members": 34, "ties": 2 * club.number_of_edges()}],
        "2": [sum(club.degree(m) for m in top_degree_members(club, k)) / ends for k in (2, 4)]
        + [K / club.number_of_nodes()],
        "3": reach,
    }
