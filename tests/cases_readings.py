"""Answer cases for the lab "Reading the readings" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {"1", "5"}

CASES = {
    "1": (
        "003",
        [
            2,
            3,
            "3",
            679,
            "000",
            "002",
            "001",
            "Time to start listening to consumers (Swedish)",
            "text three",
        ],
    ),
    "2": (22.4, [0.0446, 84.0, 25.69, 17.48, 22, -22.4]),
    "3": (
        {"001": 0.2, "002": 0.2, "004": 0.583, "000": 0.833},
        [
            {"001": 20.0, "002": 20.0, "004": 58.33, "000": 83.33},
            {"001": 0.8, "002": 0.8, "004": 0.417, "000": 0.167},
            {"001": 0.2, "002": 0.2, "003": 0.6, "004": 0.583, "000": 0.833},
            {"0": 0.2, "1": 0.2, "3": 0.583, "4": 0.833},
            {"001": 0.002725, "002": 0.003096, "004": 0.04167, "000": 0.02433},
            {"001": 0.2, "002": 0.2, "004": 0.583, "000": 0.5},
            {"001": 0.2},
            [0.2, 0.2, 0.583, 0.833],
        ],
    ),
    "4": (
        {"post": 0.727, "comments": 0.5},
        [
            {"post": 0.5, "comments": 0.727},
            {"post": 72.7, "comments": 50.0},
            {"post": 0.273, "comments": 0.5},
            {"post": 0.667, "comments": 0.0},
            {"post": 0.6, "comments": 0.6},
            {"post": 0.7, "comments": 0.5},
            {"post": 0.727},
            [0.727, 0.5],
        ],
    ),
    "5": ("c", ["a", "b", "d", "e", "f"]),
}


def exact_answers() -> dict:
    """Each numeric task's unrounded right answer, computed as the lab computes it."""
    from osmcourse.checks import readings as lab
    from osmcourse.models.vocabulary import conversation_share, vocabulary
    from osmcourse.text import corpus_table, load_seed, term_counts

    row = corpus_table().set_index("seed_id").loc["004"]
    parts = lab.swedish_parts()
    return {
        "2": row["words"] / row["sentences"],
        "3": {
            s: conversation_share(term_counts(load_seed(s).text, vocabulary("en")))
            for s in lab.english_ids()
        },
        "4": {
            part: conversation_share(term_counts(text, vocabulary("sv")))
            for part, text in parts.items()
        },
    }


def other_settings() -> dict:
    """Answers computed with settings other than the lab's, which the checks must reject."""
    from osmcourse.checks import readings as lab
    from osmcourse.models.vocabulary import conversation_share, vocabulary
    from osmcourse.text import corpus_table, load_seed, term_counts

    table = corpus_table().set_index("seed_id")
    english = lab.english_ids()
    untitled = lab.swedish_parts(with_title=False)
    parts = lab.swedish_parts()
    share = lambda text, language: conversation_share(term_counts(text, vocabulary(language)))  # noqa: E731
    return {
        "2": [table.loc[s, "words"] / table.loc[s, "sentences"] for s in table.index if s != "004"]
        + [table.loc["004", "words"] / table.loc["004", "paragraphs"]],
        "3": [{s: 1 - share(load_seed(s).text, "en") for s in english}],
        "4": [
            {"post": share(untitled["post"], "sv"), "comments": share(parts["comments"], "sv")},
            {part: share(text, "en") for part, text in parts.items()},
        ],
    }
