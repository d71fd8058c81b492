"""Answer cases for the lab "Trust and noise" (see test_checks.py)."""

CASES = {
    "1": ("recommendations_from_people_i_know",
          ["text_ads_on_mobile_phones", "earned", "branded_websites", "friends", 84]),
    "2": ({"2007": 52, "2013": 42},
          [{"2007": 42, "2013": 52}, {"2007": -52, "2013": -42}, {"2007": 0.52, "2013": 0.42},
           {"2007": 3.0, "2013": 2.0}, {"2013": 42}, {"2007": 52, "2013": 26}, 42]),
    "3": ({"earned": 73.0, "owned": 62.5, "paid_traditional": 58.625, "paid_digital": 44.667},
          [{"earned": 0.73, "owned": 0.625, "paid_traditional": 0.58625, "paid_digital": 0.44667},
           {"earned": 69.5, "owned": 54.5, "paid_traditional": 52.667, "paid_digital": 26.0},
           {"earned": 73.0, "owned": 62.5, "paid": 53.0},
           {"earned": 73.0, "owned": 62.5, "paid_traditional": 58.625, "paid_digital": 48.0},
           [73.0, 62.5, 58.625, 44.667]]),
    "4": (0.23, [23, 0.22, 0.77, 0.5, 0.0, 1.5]),
    "5": ("b", ["a", "c", "d", "e"]),
}
