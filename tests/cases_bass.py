"""Answer cases for the lab "Mass media vs word of mouth" (see test_checks.py)."""

CASES = {
    "1": (1956, [1961, 1949, "1956"]),
    "2": (23.83, [0.042, 1.0, -23.83]),
    "3": (0.1684, [16.84, 0.8316, 0.5]),
    "4": ({"base": 6.19, "double_p": 4.195, "double_q": 4.09},
          [{"base": 6.19, "double_p": 8.0, "double_q": 4.09}, {"base": 6.19}, [6.19, 4.2, 4.09]]),
    "5": ("c", ["a", "b", "d", "e"]),
}
