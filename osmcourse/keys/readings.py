"""The answer key of the lab "Reading the readings": plain targets, for the grader only."""

from __future__ import annotations

from osmcourse.checks.key import Choice, at, exact, within
from osmcourse.checks.readings import (
    PER_SENTENCE,
    SENTENCE_TEXT,
    SHARE,
    SWEDISH_TEXT,
    _share,
    _table,
    english_ids,
    swedish_parts,
)
from osmcourse.models.vocabulary import vocabulary
from osmcourse.text import corpus_table, load_seed, term_counts, words


def english_shares() -> dict[str, float]:
    """Task 3's answer: the conversation share of each English text."""
    return {seed_id: _share(load_seed(seed_id).text, "en") for seed_id in english_ids()}


def swedish_shares() -> dict[str, float]:
    """Task 4's answer: the conversation share of text 003's post and of its comments."""
    return {part: _share(text, "sv") for part, text in swedish_parts().items()}


def targets() -> dict:
    table = corpus_table()
    position = int(table["words"].idxmax())
    longest = str(table.loc[position, "seed_id"])
    out: dict = {
        "1.longest": exact(longest),
        "1.digits": exact(longest.lstrip("0")),
        "1.row": exact(float(position)),
        "1.words": exact(float(int(table["words"].max()))),
    }
    indexed = _table()
    row = indexed.loc[SENTENCE_TEXT]
    out["2.per_sentence"] = at(PER_SENTENCE, row["words"] / row["sentences"])
    out["2.per_word"] = within(row["sentences"] / row["words"])
    out["2.per_paragraph"] = within(row["words"] / row["paragraphs"])
    for seed_id in indexed.index:
        if seed_id != SENTENCE_TEXT:
            out[f"2.other.{seed_id}"] = at(
                PER_SENTENCE, indexed.loc[seed_id, "words"] / indexed.loc[seed_id, "sentences"]
            )
    for seed_id, share in english_shares().items():
        text = load_seed(seed_id).text
        counts = term_counts(text, vocabulary("en"))
        out[f"3.{seed_id}"] = at(SHARE, share)
        out[f"3.percent.{seed_id}"] = within(100 * share, rel=0.01, abs_tol=1e-6)
        out[f"3.control.{seed_id}"] = at(SHARE, 1 - share)
        out[f"3.per_word.{seed_id}"] = at(SHARE, counts["conversation"] / len(words(text)))
    for part, share in swedish_shares().items():
        out[f"4.{part}"] = at(SHARE, share)
        out[f"4.percent.{part}"] = within(100 * share, rel=0.01, abs_tol=1e-6)
        out[f"4.control.{part}"] = at(SHARE, 1 - share)
    for part, text in swedish_parts().items():
        out[f"4.english.{part}"] = at(SHARE, _share(text, "en"))
    out["4.whole"] = at(SHARE, _share(load_seed(SWEDISH_TEXT).text, "sv"))
    out["4.untitled"] = at(SHARE, _share(swedish_parts(with_title=False)["post"], "sv"))
    out["5"] = Choice(
        correct="c",
        right=(
            "Right: the counts say which words a text uses, and where to reread. "
            "Whether it argues for or against what those words name is a question "
            "for reading, not counting."
        ),
        hints={
            "a": "A share counts words, not reasons: read which words gave text 000 its share, and "
            "ask whether any of them is an argument.",
            "b": "Look at where text 002's control words sit and what the sentences around them say "
            "about control.",
            "d": "The two shares come from different word lists in two languages: they are not "
            "strictly comparable.",
            "e": "Ask who wrote the comments of text 003, and what ¶13 quotes.",
        },
    )
    return out
