"""The course's source texts (the seeds) as a small corpus.

The texts live in the repository's ``seeds/`` folder, byte for byte as the course received
them, with ``seeds/catalogue.csv`` describing each one. There is one copy and no symbolic
link (Git for Windows would check a link out as a text file): ``pyproject.toml`` ships that
folder as ``osmcourse/seeds`` inside the wheel (Colab installs the package and has no
repository), and a checkout or editable install reads it beside the package. See
:func:`find_seeds_dir`.

Paragraphs are what the reading chapters number (``¶3``). Most texts put one paragraph on a
line; text 002 hard-wraps its quoted passage, so there a paragraph is a block of lines
between blank lines. The catalogue's ``paragraph_mode`` column says which rule a text uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from osmcourse.checked_csv import DataFileError, read_csv_checked


def find_seeds_dir() -> Path:
    """The folder holding the seed texts and ``catalogue.csv``.

    An installed wheel has them in ``osmcourse/seeds``; a checkout (and an editable install,
    which runs the checkout's code) in ``seeds/`` beside the ``osmcourse`` folder. If neither
    has a catalogue, the wheel's place is returned, so the loaders' error names a real path.
    """
    package = Path(__file__).resolve().parent
    shipped, checkout = package / "seeds", package.parent / "seeds"
    for folder in (shipped, checkout):
        if (folder / "catalogue.csv").is_file():
            return folder
    return shipped


SEEDS_DIR = find_seeds_dir()
CATALOGUE_COLUMNS = {
    "seed_id": "string",
    "file": "string",
    "sha256": "string",
    "language": "string",
    "title": "string",
    "course_title": "string",
    "has_title_line": "bool",
    "paragraph_mode": "string",
    # The one place a text's inferred date lives: pages, figures and data files take it from
    # here (the earliest year the text's own words point to, and how the course words the date).
    "earliest_year": "int",
    "dating": "string",
    "dating_evidence": "string",
    "words": "int",
    "chapter": "string",
}

# Letters, digits, and the apostrophes and hyphens that sit inside words ("it's", "one-way").
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“”'(]*[A-ZÅÄÖ0-9])")


@dataclass(frozen=True)
class Seed:
    """One source text with its catalogue entry."""

    seed_id: str
    text: str
    language: str
    title: str
    course_title: str
    has_title_line: bool
    paragraph_mode: str
    earliest_year: int
    dating: str
    dating_evidence: str
    chapter: str

    @property
    def paragraphs(self) -> list[str]:
        """The numbered paragraphs (the title line, if any, is not one of them)."""
        return split_paragraphs(self.text, self.paragraph_mode, self.has_title_line)[1]

    @property
    def heading(self) -> str:
        """The text's own title line, or an empty string when it has none."""
        return split_paragraphs(self.text, self.paragraph_mode, self.has_title_line)[0]


def split_paragraphs(text: str, mode: str, has_title_line: bool) -> tuple[str, list[str]]:
    """Split a text into its title line and its paragraphs.

    ``mode`` is ``"line"`` (every non-empty line is a paragraph) or ``"blank"`` (blocks
    separated by blank lines; line breaks inside a block are kept). Paragraph text is
    stripped of surrounding white space only, so each one is a verbatim slice of the text.
    """
    if mode == "line":
        blocks = [line.strip() for line in text.splitlines()]
    elif mode == "blank":
        blocks = [block.strip() for block in re.split(r"\n\s*\n", text)]
    else:
        raise ValueError(f"paragraph mode must be 'line' or 'blank', not {mode!r}")
    blocks = [block for block in blocks if block]
    if has_title_line:
        return blocks[0], blocks[1:]
    return "", blocks


@lru_cache(maxsize=1)
def load_catalogue() -> pd.DataFrame:
    """The seed catalogue (one row per text), validated.

    Raises:
        DataFileError: the file is missing, has the wrong columns, or names an unknown
            paragraph mode; the message names the file.
    """
    path = SEEDS_DIR / "catalogue.csv"
    frame = read_csv_checked(path, CATALOGUE_COLUMNS, allow_missing=("title",))
    bad = frame.loc[~frame["paragraph_mode"].isin(["line", "blank"]), "seed_id"].tolist()
    if bad:
        raise DataFileError(path, f"paragraph_mode must be 'line' or 'blank' (seeds {bad})")
    return frame.fillna({"title": ""})


def seed_ids() -> list[str]:
    """The seed ids in the course's reading order (the catalogue's order).

    The catalogue is the one record of the readings: tests, checks and captions take the
    list (and its length) from here, so adding a reading is a catalogue row, not an edit
    wherever "five" or "000"–"004" used to be written out.
    """
    return load_catalogue()["seed_id"].tolist()


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def number_word(count: int) -> str:
    """A small count in words, as prose writes it ("five"); digits from 13 on ("13")."""
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)


def the_texts(count: int | None = None) -> str:
    """ "the five texts" for the catalogue's count of texts (or ``count`` texts)."""
    count = len(seed_ids()) if count is None else count
    return f"the {number_word(count)} text" + ("" if count == 1 else "s")


@lru_cache(maxsize=None)
def load_seed(seed_id: str) -> Seed:
    """Read one source text (e.g. ``load_seed("001")``) with its catalogue entry."""
    catalogue = load_catalogue().set_index("seed_id")
    if seed_id not in catalogue.index:
        raise KeyError(f"no seed {seed_id!r}; the seeds are {', '.join(catalogue.index)}")
    row = catalogue.loc[seed_id]
    text = (SEEDS_DIR / row["file"]).read_text(encoding="utf-8")
    return Seed(
        seed_id=seed_id,
        text=text,
        language=row["language"],
        title=row["title"],
        course_title=row["course_title"],
        has_title_line=bool(row["has_title_line"]),
        paragraph_mode=row["paragraph_mode"],
        earliest_year=int(row["earliest_year"]),
        dating=row["dating"],
        dating_evidence=row["dating_evidence"],
        chapter=row["chapter"],
    )


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, in order (URLs count as their parts)."""
    normalized = unicodedata.normalize("NFC", text)
    return [match.group(0).lower() for match in _WORD.finditer(normalized)]


def sentences(text: str) -> list[str]:
    """A simple sentence split: on ., ! or ? followed by space and a capital letter.

    Good enough to compare a few short blog posts; it does not know abbreviations.
    Title lines and line breaks also end a sentence.
    """
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            pieces.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return pieces


def term_counts(text: str, terms: dict[str, list[str]]) -> pd.Series:
    """How often each term occurs in a text.

    ``terms`` maps a term's name to the word stems that count for it (a stem matches any
    word that starts with it: ``"convers"`` counts "conversation" and "conversations").
    """
    counts = Counter(words(text))
    result = {
        name: sum(n for word, n in counts.items() if any(word.startswith(s) for s in stems))
        for name, stems in terms.items()
    }
    return pd.Series(result, dtype="int64", name="count")


def corpus_table() -> pd.DataFrame:
    """One row per text: id, language, title, words, sentences, paragraphs."""
    rows = []
    for seed_id in seed_ids():
        seed = load_seed(seed_id)
        rows.append(
            {
                "seed_id": seed_id,
                "language": seed.language,
                "title": seed.course_title,
                "words": len(words(seed.text)),
                "sentences": len(sentences(seed.text)),
                "paragraphs": len(seed.paragraphs),
            }
        )
    return pd.DataFrame(rows)
