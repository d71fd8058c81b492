"""Answer cases for the lab "Broadcast or bazaar" (see test_checks.py)."""

CASES = {
    "1": ({"members": 34, "ties": 78},
          [{"members": 34, "ties": 156}, {"members": 33, "ties": 78}, {"members": 34}, [34, 78]]),
    "2": (0.2885, [28.85, 0.5769, 0.0882, 0.5]),
    "3": (0.2447, [24.47, 8.32, 0.0882, 0.1607, 0.5]),
    "4": ({"low": "top_degree", "high": "random"},
          [{"low": "top_degree", "high": "top_degree"}, {"low": "random", "high": "top_degree"},
           {"low": "broadcast", "high": "random"}, {"low": "hubs", "high": "random"},
           {"low": "top_degree"}, ["top_degree", "random"]]),
    "5": ("b", ["a", "c", "d", "e"]),
}
