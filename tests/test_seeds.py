"""The five source texts are in seeds/ byte for byte, and the catalogue describes them truly."""

from __future__ import annotations

import hashlib
import re

import pytest

from osmcourse.text import load_catalogue, load_seed, seed_ids, split_paragraphs, words

from conftest import ROOT

# Digests of the texts as the course received them (../shared/seeds/). Written here, not
# read from the catalogue, so that editing a seed and its catalogue row together still fails.
KNOWN_DIGESTS = {
    "000_d27dc1cd24634e4f.txt": "111cf8964320b0d5c7b6fa19738ca5b2f67aa3ea253d966dd2ed64f16956c4c1",
    "001_2c3e43ed21baa371.txt": "f2daf1ab8d6ac9bd76be5357d1f37cb8e551a95747054684581046649180fd04",
    "002_529576565779cbbc.txt": "065fe69f3fde940e9091e3e6508352551c2389790ee767bae5a33f2cb146d57a",
    "003_cda4a74fd7a2a732.txt": "88c5d1e5572e29546bf7a6e87ceec705daf63dfa791d2d425edf92d8673cf283",
    "004_ea671557368231f2.txt": "85d2a2ff989bc5d91b0985a5f68075504448735416be65f5618c33a66d486bf1",
}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(KNOWN_DIGESTS))
def test_seed_is_byte_identical(name):
    assert sha256(ROOT / "seeds" / name) == KNOWN_DIGESTS[name]


def test_no_other_texts_in_seeds():
    assert sorted(p.name for p in (ROOT / "seeds").glob("*.txt")) == sorted(KNOWN_DIGESTS)


def test_shared_originals_match_when_present():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert sha256(original) == KNOWN_DIGESTS[original.name], original.name


def test_package_reads_the_same_files():
    # The package reads seeds/ (shipped in the wheel as osmcourse/seeds): the very same bytes.
    for seed_id in seed_ids():
        seed = load_seed(seed_id)
        row = load_catalogue().set_index("seed_id").loc[seed_id]
        assert seed.text.encode("utf-8") == (ROOT / "seeds" / row["file"]).read_bytes()


def test_catalogue_matches_the_texts():
    catalogue = load_catalogue()
    assert sorted(catalogue["file"]) == sorted(KNOWN_DIGESTS)
    for _, row in catalogue.iterrows():
        text = (ROOT / "seeds" / row["file"]).read_text(encoding="utf-8")
        assert row["sha256"] == KNOWN_DIGESTS[row["file"]]
        assert row["words"] == len(words(text)), row["file"]
        assert row["file"].startswith(row["seed_id"] + "_")
        assert row["chapter"].startswith("reading-")
        assert row["dating_evidence"].startswith("Inferred from the text")
        if row["has_title_line"]:
            assert text.splitlines()[0].strip() == row["title"]


@pytest.mark.parametrize("seed_id", seed_ids())
def test_paragraphs_are_verbatim_and_cover_the_text(seed_id):
    seed = load_seed(seed_id)
    for paragraph in seed.paragraphs:
        assert paragraph in seed.text
    rebuilt = re.sub(r"\s+", "", seed.heading + "".join(seed.paragraphs))
    assert rebuilt == re.sub(r"\s+", "", seed.text)


def test_split_paragraphs_modes():
    text = "Title\n\nOne line\nstill one\n\nTwo\n"
    assert split_paragraphs(text, "blank", True) == ("Title", ["One line\nstill one", "Two"])
    assert split_paragraphs(text, "line", False) == ("", ["Title", "One line", "still one", "Two"])
    with pytest.raises(ValueError, match="paragraph mode"):
        split_paragraphs(text, "sentence", False)


def test_unknown_seed_is_a_clear_error():
    with pytest.raises(KeyError, match="no seed '999'"):
        load_seed("999")


def reading_pages() -> dict[str, str]:
    """The reading chapters in _toc.yml's "Readings" part, in order: docname -> page text."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    (part,) = [p for p in toc["parts"] if p.get("caption") == "Readings"]
    return {
        c["file"]: (ROOT / f"{c['file']}.md").read_text(encoding="utf-8") for c in part["chapters"]
    }


def test_each_reading_has_one_chapter_in_the_catalogues_order():
    # The catalogue names each text's chapter by its label; the table of contents must list
    # those chapters in the catalogue's (the course's reading) order, one text per chapter,
    # and each chapter must show its own text (the seed-text directive).
    pages = reading_pages()
    catalogue = load_catalogue()
    found = []
    for seed_id, label in zip(catalogue["seed_id"], catalogue["chapter"], strict=True):
        (docname,) = [d for d, text in pages.items() if f"\n({label})=\n" in f"\n{text}"]
        assert f"\n```{{seed-text}} {seed_id}\n" in pages[docname], (seed_id, docname)
        found.append(docname)
    assert found == list(pages), "the Readings part's order differs from the catalogue's"
