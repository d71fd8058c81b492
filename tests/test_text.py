"""The text tools count what they say they count."""

from __future__ import annotations

from osmcourse.text import corpus_table, seed_ids, sentences, term_counts, words


def test_words_keep_inner_apostrophes_and_hyphens():
    assert words("It’s one-way — not two-way! (2005)") == [
        "it’s",
        "one-way",
        "not",
        "two-way",
        "2005",
    ]
    assert words("Marknadsföring är förlegad") == ["marknadsföring", "är", "förlegad"]


def test_sentences_split_on_end_punctuation_before_a_capital():
    text = "Blogs grow. RSS too! Is it hype? maybe not.\nA new line"
    assert sentences(text) == ["Blogs grow.", "RSS too!", "Is it hype? maybe not.", "A new line"]


def test_term_counts_match_stems():
    counts = term_counts(
        "Conversations and a conversation; control, controlled.",
        {"conversation": ["convers"], "control": ["control"], "absent": ["zzz"]},
    )
    assert counts.to_dict() == {"conversation": 2, "control": 2, "absent": 0}


def test_corpus_table_has_one_row_per_text():
    table = corpus_table()
    # The catalogue's reading order, one row per catalogue entry.
    assert table["seed_id"].tolist() == seed_ids()
    assert (table["words"] > 300).all()
    assert table.set_index("seed_id").loc["003", "language"] == "sv"
