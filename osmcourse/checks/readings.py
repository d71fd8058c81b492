"""Checks for the lab "Reading the readings" (the course's texts as data).

The judges compare answers with the lab's key (:mod:`osmcourse.checks.key`): salted hashes
here, plain targets only in the grader's :mod:`osmcourse.keys.readings`, computed from the
seed texts, the course's text tools and the stem lists in :mod:`osmcourse.models.vocabulary`,
never typed in.
"""

from __future__ import annotations

from typing import Any

from osmcourse.checks.core import AnswerError, Lab, as_mapping, as_number, decimals, keyed_choice
from osmcourse.models.vocabulary import conversation_share, vocabulary
from osmcourse.text import corpus_table, load_seed, number_word, term_counts

LAB = Lab("readings", "Reading the readings")
KEY = LAB.key
# Written questions, answered in Markdown cells and graded by a person (ids in notebook order).
LAB.written(
    "w1",
    prompt="Is text 001's low conversation share a fault of the text or of the word lists?",
    points=1,
)
LAB.written(
    "w2",
    prompt="Which English text leans most to conversation, and on how many matched words "
    "does its share rest?",
    points=2,
)
SENTENCE_TEXT = "004"  # Task 2 asks for this text's words per sentence.
SWEDISH_TEXT = "003"
# Text 003: the post is its title line and ¶1-¶5; ¶6 is the line "3 kommentarer"; the
# comments are ¶7-¶14 (list positions 6 onwards).
POST_PARAGRAPHS = slice(0, 5)
COMMENT_PARAGRAPHS = slice(6, None)
# Each numeric task's precision, stated in the lab's task text.
PER_SENTENCE, SHARE = decimals(2), decimals(3)


def _table():
    return corpus_table().set_index("seed_id")


def english_ids() -> list[str]:
    """The seed ids of the English texts, in reading order."""
    table = _table()
    return table.index[table["language"] == "en"].tolist()


def swedish_parts(with_title: bool = True) -> dict[str, str]:
    """Text 003 split into the post and its comments (see the lab's Task 4)."""
    seed = load_seed(SWEDISH_TEXT)
    post = list(seed.paragraphs[POST_PARAGRAPHS])
    if with_title:
        post.insert(0, seed.heading)
    return {"post": "\n".join(post), "comments": "\n".join(seed.paragraphs[COMMENT_PARAGRAPHS])}


def _share(text: str, language: str) -> float:
    try:
        return conversation_share(term_counts(text, vocabulary(language)))
    except ValueError:
        return float("nan")


def _seed_id(answer: Any) -> str | float:
    """A seed id as text, or a number (handled by the judge with a hint)."""
    if isinstance(answer, bool):
        raise AnswerError('Expected a seed id as text, such as "001", got True/False.')
    if hasattr(answer, "item") and getattr(answer, "size", 1) == 1:
        answer = answer.item()
    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return float(answer)
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError('Expected one seed id as text, such as "001".')
    return answer.strip()


@LAB.task(1, answer="longest_text", description="the text with the most words")
def task1(answer: Any) -> tuple[bool, str]:
    value = _seed_id(answer)
    if isinstance(value, float):
        if KEY.exact("1.row", value):
            return False, (
                "That looks like a row number of the table, not a seed id: take the "
                "value in the seed_id column of that row."
            )
        if KEY.exact("1.words", value):
            return False, "That is a number of words; the task asks which text has it."
        return False, 'Seed ids are text with three digits, such as "001": put the id in quotes.'
    if KEY.exact("1.longest", value):
        return True, (
            "Right. Before reading anything into its length, ask what the count "
            "includes: the language, a title line, other people's comments."
        )
    if value.isdigit() and KEY.exact("1.digits", value.lstrip("0")):
        return False, "Write the seed id with all three digits, as the seed_id column does."
    row = corpus_table().set_index("seed_id")
    titles = {str(title).casefold() for title in row["title"]}
    titles |= {load_seed(seed_id).title.casefold() for seed_id in row.index}
    titles.discard("")
    if value.casefold() in titles:
        return False, "That is a title: give the text's seed id instead."
    if value not in row.index:
        return False, f"{value!r} is not a seed id; the ids are {', '.join(row.index)}."
    # One hint for every wrong seed id: a hint that described the choice ("the longest of the
    # English texts") would leave only one other.
    return (
        False,
        f"Not the longest: compare the words column of all {number_word(len(row))} texts "
        "(or use .idxmax() on it).",
    )


@LAB.task(
    2,
    answer="words_per_sentence",
    description="average sentence length of text 004",
    precision=PER_SENTENCE,
)
def task2(answer: Any) -> tuple[bool, str]:
    table = _table()
    value = as_number(answer, "a number of words per sentence")
    if KEY.near("2.per_sentence", value):
        return True, (
            "Right. Compare the other texts: which write in longer sentences, and "
            "does the simple sentence splitter treat them all alike?"
        )
    if KEY.near("2.per_word", value):
        return False, "That is sentences per word, upside down: divide words by sentences."
    if KEY.near("2.per_paragraph", value):
        return False, "That is words per paragraph: divide by the number of sentences."
    others = [
        seed_id
        for seed_id in table.index
        if seed_id != SENTENCE_TEXT and KEY.near(f"2.other.{seed_id}", value)
    ]
    if others:
        return False, (
            f"That is the figure for text {others[0]}: use the row of text {SENTENCE_TEXT}."
        )
    return False, (
        f"Take the words and the sentences of text {SENTENCE_TEXT} from corpus_table(), "
        f"divide, and give the result {PER_SENTENCE.words}."
    )


def _shares(answer: Any, required: list[str], what: str) -> dict[str, float]:
    given = as_mapping(answer, what)
    missing = [key for key in required if key not in given]
    if missing:
        if all(key.isdigit() and len(key) < 3 for key in given) and given:
            raise AnswerError(
                "The keys look like row numbers: key the dict by seed id "
                '(e.g. "001"), for example with .set_index("seed_id").'
            )
        raise AnswerError(f"The dict needs the keys {missing}.")
    return {key: as_number(value, "a share between 0 and 1") for key, value in given.items()}


def _all(given: dict[str, float], prefix: str) -> bool:
    """True if every value matches its key's target ``prefix + key`` (a share to the precision)."""
    return all(KEY.near(f"{prefix}{key}", value) for key, value in given.items())


@LAB.task(
    3,
    answer="conversation_shares",
    description="conversation share of each English text",
    precision=SHARE,
)
def task3(answer: Any) -> tuple[bool, str]:
    ids = english_ids()
    given = _shares(answer, ids, "a dict from seed id to share")
    if SWEDISH_TEXT in given:
        return False, (
            f"Leave out text {SWEDISH_TEXT}: it is counted with other (Swedish) lists, "
            "so its share does not belong in this comparison."
        )
    extra = sorted(set(given) - set(ids))
    if extra:
        return False, f"Only the four English texts belong in the dict, not {extra}."
    given = {key: given[key] for key in ids}
    if _all(given, "3."):
        return True, (
            "Right. Note how few matched words each share rests on: with so few, "
            "one word more or less moves a share a long way."
        )
    if _all(given, "3.percent."):
        return False, "Those look like percentages: give shares between 0 and 1."
    if _all(given, "3.control."):
        return False, "Those are the control shares: put conversation on top of the fraction."
    if _all(given, "3.per_word."):
        return False, (
            "That divides by all the words of the text; the share is out of the "
            "matched words only (control + conversation)."
        )
    wrong = [key for key in ids if not KEY.near(f"3.{key}", given[key])]
    return False, (
        f"Check {', '.join(wrong)}: conversation / (control + conversation), from "
        f"the counts table or with conversation_share(); give each share {SHARE.words}."
    )


@LAB.task(
    4,
    answer="swedish_shares",
    description="conversation share of text 003's post and comments",
    precision=SHARE,
)
def task4(answer: Any) -> tuple[bool, str]:
    parts = ["post", "comments"]
    given = _shares(answer, parts, 'a dict with the keys "post" and "comments"')
    given = {key: given[key] for key in parts}
    if _all(given, "4."):
        return True, (
            "Right, counted on the original Swedish. Now read where the comments' "
            "words sit before deciding what the difference means."
        )
    if KEY.near("4.comments", given["post"]) and KEY.near("4.post", given["comments"]):
        return False, "The post and the comments are swapped."
    if _all(given, "4.percent."):
        return False, "Those look like percentages: give shares between 0 and 1."
    if _all(given, "4.control."):
        return False, "Those are the control shares: put conversation on top of the fraction."
    if _all(given, "4.english."):
        return False, (
            "Those come from the English lists: count text 003 with its own Swedish "
            'lists, vocabulary("sv").'
        )
    if all(KEY.near("4.whole", value) for value in given.values()):
        return False, (
            "That is the whole text's share twice: count post_text and comments_text separately."
        )
    if KEY.near("4.untitled", given["post"]):
        return (
            False,
            "The post includes its title line: use post_text as the lab defines it before Task 4.",
        )
    wrong = [key for key in parts if not KEY.near(f"4.{key}", given[key])]
    return False, (
        f'Check {", ".join(wrong)}: term_counts(..., vocabulary("sv")) on that part, '
        f"then conversation_share(); give each share {SHARE.words}."
    )


@LAB.task(5, answer="interpretation", description="what word counts can and cannot show")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
