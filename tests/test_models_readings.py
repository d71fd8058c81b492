"""The vocabulary lists and share of the lab "Reading the readings" count what they say."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from osmcourse.models.vocabulary import (
    CONTROL_EN,
    CONTROL_SV,
    CONVERSATION_EN,
    CONVERSATION_SV,
    VOCABULARIES,
    conversation_share,
    stem_matches,
    vocabulary,
)
from osmcourse.text import load_seed, seed_ids, term_counts

matplotlib.use("Agg")

ALL_LISTS = {
    "CONTROL_EN": CONTROL_EN,
    "CONVERSATION_EN": CONVERSATION_EN,
    "CONTROL_SV": CONTROL_SV,
    "CONVERSATION_SV": CONVERSATION_SV,
}


@pytest.mark.parametrize("name", sorted(ALL_LISTS))
def test_every_stem_list_is_non_empty_lower_case_and_without_repeats(name):
    stems = ALL_LISTS[name]
    assert len(stems) >= 5, name
    assert all(stem and stem == stem.lower() and stem == stem.strip() for stem in stems), name
    assert len(set(stems)) == len(stems), name


@pytest.mark.parametrize("language", sorted(VOCABULARIES))
def test_no_stem_swallows_another_so_no_word_is_counted_twice(language):
    stems = [stem for lists in VOCABULARIES[language].values() for stem in lists]
    for a in stems:
        for b in stems:
            assert a == b or not b.startswith(a), (language, a, b)


def test_vocabulary_gives_both_lists_as_fresh_copies_and_rejects_unknown_languages():
    english = vocabulary("en")
    assert list(english) == ["control", "conversation"]
    assert english["control"] == list(CONTROL_EN)
    english["control"].append("zzz")
    assert "zzz" not in vocabulary("en")["control"]
    assert vocabulary("sv")["conversation"] == list(CONVERSATION_SV)
    with pytest.raises(ValueError, match="'de'"):
        vocabulary("de")


def test_share_on_a_tiny_handmade_english_text():
    text = (
        "Our campaign targets a mass audience. "
        "Their community starts a conversation, and we listen."
    )
    counts = term_counts(text, vocabulary("en"))
    assert counts.to_dict() == {"control": 4, "conversation": 3}
    assert conversation_share(counts) == pytest.approx(3 / 7)
    assert conversation_share({"control": 4, "conversation": 3}) == pytest.approx(3 / 7)
    # A table row with a language column works too.
    row = pd.Series({"language": "en", "control": 1, "conversation": 3})
    assert conversation_share(row) == 0.75


def test_share_on_a_tiny_handmade_swedish_text():
    text = "Reklam i massmedia, eller dialog mellan människor i nätverket?"
    counts = term_counts(text, vocabulary("sv"))
    assert counts.to_dict() == {"control": 2, "conversation": 3}
    assert conversation_share(counts) == pytest.approx(0.6)
    # The English lists catch a false friend ("massmedia" starts with "mass") and miss the rest.
    assert term_counts(text, vocabulary("en")).to_dict() == {"control": 1, "conversation": 1}


def test_share_extremes_and_errors():
    assert conversation_share({"control": 0, "conversation": 2}) == 1.0
    assert conversation_share({"control": 5, "conversation": 0}) == 0.0
    with pytest.raises(ValueError, match="undefined"):
        conversation_share(term_counts("Nothing here matches.", vocabulary("en")))
    with pytest.raises(ValueError, match="negative"):
        conversation_share({"control": -1, "conversation": 2})
    with pytest.raises(ValueError, match="conversation"):
        conversation_share({"control": 1})


def test_stem_matches_lists_words_counts_and_paragraphs():
    paragraphs = ["Messages and messaging.", "No match here.", "A message, a MESSAGE."]
    table = stem_matches(paragraphs, ["zzz", "messag"])
    assert table.to_dict("records") == [
        {
            "stem": "messag",
            "count": 4,
            "words": "message ×2, messages ×1, messaging ×1",
            "paragraphs": "¶1, ¶3",
        }
    ]
    empty = stem_matches(paragraphs, ["zzz"])
    assert empty.empty and list(empty.columns) == ["stem", "count", "words", "paragraphs"]


@pytest.mark.parametrize("seed_id", seed_ids())
def test_stem_matches_agree_with_term_counts_on_every_text(seed_id):
    seed = load_seed(seed_id)
    body = "\n".join(seed.paragraphs)
    counts = term_counts(body, vocabulary(seed.language))
    for name, stems in vocabulary(seed.language).items():
        assert stem_matches(seed.paragraphs, stems)["count"].sum() == counts[name], (seed_id, name)


def test_the_facts_the_lab_prose_relies_on():
    # Text 002's control words sit in ¶2-¶4, and "controlled" is one of them.
    table = stem_matches(load_seed("002").paragraphs, CONTROL_EN).set_index("stem")
    assert table.loc["control", "words"] == "control ×1, controlled ×1"
    assert table.loc["control", "paragraphs"] == "¶3, ¶4"
    assert table.loc["command", "paragraphs"] == "¶3"
    # Text 003: ¶6 is the comment-count line that the lab's post/comments split skips, and
    # ¶13 quotes a sentence of ¶9, so its control words are counted twice.
    text_003 = load_seed("003")
    assert text_003.paragraphs[5] == "3 kommentarer"
    quoted = text_003.paragraphs[12].strip('”"')
    assert quoted in text_003.paragraphs[8]
    swedish = stem_matches(text_003.paragraphs, CONTROL_SV).set_index("stem")
    for stem in ("reklam", "massmedi", "publicitet"):
        assert swedish.loc[stem, "paragraphs"] == "¶9, ¶13"


def test_checks_compute_shares_for_the_english_texts_only():
    # The plain answer key lives with the grader (osmcourse.keys), not in the checks a kernel imports.
    from osmcourse.keys.readings import english_shares as _expected_english_shares
    from osmcourse.keys.readings import swedish_shares as _expected_swedish_shares

    shares = _expected_english_shares()
    # Every English text of the catalogue, in its order (the Swedish one has its own lists).
    english = [seed_id for seed_id in seed_ids() if load_seed(seed_id).language == "en"]
    assert list(shares) == english and "003" not in english
    assert shares["000"] == pytest.approx(10 / 12)
    assert shares["001"] == pytest.approx(1 / 5)
    assert _expected_swedish_shares() == pytest.approx({"post": 8 / 11, "comments": 7 / 14})


def test_vocabulary_figure_draws_both_counts_for_every_text_and_marks_the_swedish_lists():
    from osmcourse.figures import vocabulary_figure

    counts = pd.DataFrame(
        {"language": ["en", "sv"], "control": [4, 10], "conversation": [1, 15]},
        index=pd.Index(["001", "003"], name="seed_id"),
    )
    fig = vocabulary_figure(counts)
    ax = fig.axes[0]
    assert [bar.get_height() for bar in ax.patches] == [4, 10, 1, 15]
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels[0] == "text 001" and "Swedish lists" in labels[1]
    assert sorted(text.get_text() for text in ax.texts) == sorted(["4", "10", "1", "15"])
    assert ax.get_ylabel() and ax.get_title()
