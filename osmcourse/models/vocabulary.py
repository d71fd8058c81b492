"""A vocabulary of control and a vocabulary of conversation, as word-stem lists.

The readings contrast two ways of doing marketing: planned, one-way campaigns aimed at an
audience ("the command and control mindset", as the manifesto quoted in text 002 puts it)
and two-way exchange in and with communities (the Cluetrain idea that markets are
conversations). This module turns that contrast into two short lists of word stems, one
pair for English and one for Swedish, and into a share: of all the words a text has that
match either list, the part that matches the conversation list.

The lists are the course's own choice, not a validated dictionary from the research
literature. They are a rough instrument, made to be argued with:

* a stem matches any word that *starts* with it (``"communit"`` counts "community" and
  "communities"), so it also counts words used in another sense ("share" in "they share the
  common thread") and misses compounds that put the stem in the middle;
* a word counts the same whether the text endorses it, rejects it or quotes someone else;
* the English and the Swedish lists are separate lists in two languages with different
  word formation (Swedish writes compounds as one word), so a share from one is not
  strictly comparable with a share from the other.

Counting uses the word splitter of :mod:`osmcourse.text`, so labs and chapters count alike.
It is imported inside the functions that need it, which keeps importing the models free
of the modules that read files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

# What osmcourse.models exports from this model (it builds its names from each __all__).
__all__ = [
    "CONTROL_EN",
    "CONTROL_SV",
    "CONVERSATION_EN",
    "CONVERSATION_SV",
    "VOCABULARIES",
    "conversation_share",
    "stem_matches",
    "vocabulary",
]

# English: one-way, planned, aimed-at marketing.
CONTROL_EN: tuple[str, ...] = (
    "target",
    "campaign",
    "control",
    "command",
    "audience",
    "mass",
    "messag",
    "segment",
    "broadcast",
    "advertis",
)
# English: two-way exchange, community, trust.
CONVERSATION_EN: tuple[str, ...] = (
    "convers",
    "communit",
    "dialog",
    "listen",
    "participat",
    "share",
    "relationship",
    "trust",
    "human",
    "peer",
    "interact",
    "collaborat",
)
# Swedish (for text 003, counted on the original): channel, advertising, mass media, message,
# segment(ation), control, publicity.
CONTROL_SV: tuple[str, ...] = (
    "kanal",
    "reklam",
    "massmedi",
    "budskap",
    "segment",
    "kontroll",
    "publicitet",
)
# Swedish: dialogue, listen, network, relation(ship), human/people, community, conversation.
CONVERSATION_SV: tuple[str, ...] = (
    "dialog",
    "lyssna",
    "nätverk",
    "relation",
    "människ",
    "gemenskap",
    "samtal",
)

VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"control": CONTROL_EN, "conversation": CONVERSATION_EN},
    "sv": {"control": CONTROL_SV, "conversation": CONVERSATION_SV},
}


def vocabulary(language: str) -> dict[str, list[str]]:
    """The two stem lists for a language, ready for :func:`osmcourse.text.term_counts`.

    Args:
        language: ``"en"`` or ``"sv"`` (the catalogue's language codes).

    Returns:
        ``{"control": [...], "conversation": [...]}``, a fresh copy each call.

    Raises:
        ValueError: the course has no lists for ``language``.
    """
    if language not in VOCABULARIES:
        raise ValueError(
            f"no stem lists for language {language!r}; the course has {sorted(VOCABULARIES)}"
        )
    return {name: list(stems) for name, stems in VOCABULARIES[language].items()}


def conversation_share(counts: Mapping[str, Any] | pd.Series) -> float:
    """The share of conversation terms among all matched terms.

    ``conversation / (control + conversation)``: 1 means every matched word is on the
    conversation list, 0 means every one is on the control list. Other keys in ``counts``
    (such as a ``language`` column of a table row) are ignored.

    Raises:
        ValueError: a count is missing or negative, or nothing matched either list (the
            share of nothing is undefined, not 0.5).
    """
    try:
        control, conversation = float(counts["control"]), float(counts["conversation"])
    except KeyError as error:
        raise ValueError(f"counts need 'control' and 'conversation', missing {error}") from None
    if control < 0 or conversation < 0:
        raise ValueError("counts cannot be negative")
    if control + conversation == 0:
        raise ValueError("no word matched either list, so the share is undefined")
    return conversation / (control + conversation)


def stem_matches(paragraphs: Sequence[str], stems: Iterable[str]) -> pd.DataFrame:
    """What each stem matched: which words, how often, and in which numbered paragraphs.

    Use it to read a count back into the text before trusting it.

    Args:
        paragraphs: the numbered paragraphs of a text (``Seed.paragraphs``; a title line is
            not a numbered paragraph, so it is not searched here).
        stems: the stems to look for, e.g. ``CONTROL_EN``.

    Returns:
        One row per stem that matched at least once, in the order of ``stems``, with the
        columns ``stem``, ``count`` (matching words), ``words`` (e.g. ``"audience ×2,
        audiences ×1"``, most frequent first) and ``paragraphs`` (e.g. ``"¶1, ¶4"``).
    """
    from osmcourse.text import words

    tokens = [words(paragraph) for paragraph in paragraphs]
    rows = []
    for stem in stems:
        found: Counter[str] = Counter()
        where: list[int] = []
        for number, paragraph_words in enumerate(tokens, start=1):
            hits = [word for word in paragraph_words if word.startswith(stem)]
            if hits:
                found.update(hits)
                where.append(number)
        if found:
            ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
            rows.append(
                {
                    "stem": stem,
                    "count": sum(found.values()),
                    "words": ", ".join(f"{word} ×{n}" for word, n in ordered),
                    "paragraphs": ", ".join(f"¶{number}" for number in where),
                }
            )
    return pd.DataFrame(rows, columns=["stem", "count", "words", "paragraphs"]).astype(
        {"count": "int64"}
    )
