"""Adding a sixth reading: four files, and the course picks it up with no other edit.

In a temporary copy of the repository (its tracked files), the test adds a short SYNTHETIC
reading by the checklist below and shows that the catalogue's loaders, the checks, the
figures, the ``seed-text`` directive (a small Sphinx build) and the seed tests' lists all
take it in. The reading exists only in the copy: this checkout's ``seeds/`` keeps exactly the
five texts the course received (``tests/test_seeds.py`` compares them byte for byte).

The checklist for a reading (the four files a sixth reading touches):

1. ``seeds/NNN_<first 16 hex digits of its SHA-256>.txt``: the text, verbatim;
2. ``seeds/catalogue.csv``: one row (its place in the file is its place in the reading order);
3. ``chapters/readings/NAME.md``: the chapter, labelled as the row's ``chapter`` says, showing
   the text with ``{seed-text} NNN``;
4. ``_toc.yml``: the chapter in the "Readings" part, in the catalogue's order.

A real text (not a synthetic one) also gets its digest in ``tests/test_seeds.py``'s
``KNOWN_DIGESTS``, on purpose: that record is kept apart from the catalogue, so editing a text
and its catalogue row together still fails. This test shows the guard notices a text it does
not know.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from osmcourse.text import seed_ids, words

from conftest import ROOT

pytestmark = pytest.mark.slow  # copies the repository, runs Sphinx and pytest in it

NEW_ID = "005"
CHAPTER = "synthetic-reading"
# Synthetic, and says so in its own words: no author, no date, no quotation from anyone.
SYNTHETIC_TEXT = (
    "A synthetic reading for the course's tests\n"
    "This text is SYNTHETIC. The course's tests wrote it to show how a sixth reading is "
    "added; it is not a real blog post and has no author.\n"
    "A second paragraph gives the numbering something to count.\n"
)


def copy_of_the_course(dest: Path) -> Path:
    """The repository's tracked files, copied to ``dest`` (no build output, no venv)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot list the course's files")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is still listed
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def add_a_reading(course: Path) -> list[str]:
    """Add the synthetic reading by the checklist; return the files touched."""
    data = SYNTHETIC_TEXT.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    seed_file = f"{NEW_ID}_{digest[:16]}.txt"
    (course / "seeds" / seed_file).write_bytes(data)

    catalogue = course / "seeds" / "catalogue.csv"
    title = SYNTHETIC_TEXT.splitlines()[0]
    row = {
        "seed_id": NEW_ID,
        "file": seed_file,
        "sha256": digest,
        "language": "en",
        "title": title,
        "course_title": title,
        "has_title_line": "true",
        "paragraph_mode": "line",
        # Written the day the test runs: the one year that is true of a synthetic text.
        "earliest_year": str(datetime.date.today().year),
        "dating": "synthetic text, written for the tests",
        "dating_evidence": "Inferred from the text: it says it is synthetic",
        "words": str(len(words(SYNTHETIC_TEXT))),
        "chapter": f"reading-{CHAPTER}",
    }
    with catalogue.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    with catalogue.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([row[c] for c in columns])

    chapter = course / "chapters" / "readings" / f"{CHAPTER}.md"
    chapter.write_text(
        textwrap.dedent(
            f"""\
            (reading-{CHAPTER})=
            # {title}

            A stub written by the course's tests. The text below is synthetic.

            ```{{seed-text}} {NEW_ID}
            ```
            """
        ),
        encoding="utf-8",
    )

    toc = course / "_toc.yml"
    last = "      - file: chapters/readings/marketing-2-0\n"
    text = toc.read_text(encoding="utf-8")
    assert text.count(last) == 1, "the Readings part of _toc.yml has moved"
    toc.write_text(
        text.replace(last, last + f"      - file: chapters/readings/{CHAPTER}\n"),
        encoding="utf-8",
    )
    return [
        f"seeds/{seed_file}",
        "seeds/catalogue.csv",
        f"chapters/readings/{CHAPTER}.md",
        "_toc.yml",
    ]


def run_in(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run this Python in the copy, importing the copy's ``osmcourse`` (and its seeds)."""
    env = {**os.environ, "PYTHONPATH": str(course), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, *args], cwd=course, env=env, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        pytest.fail(f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = copy_of_the_course(tmp_path_factory.mktemp("course"))
    touched = add_a_reading(course)
    assert len(touched) == 4, touched  # the goal: a reading touches at most four files
    return course


def test_the_loaders_checks_and_figures_take_in_the_new_reading(course):
    script = textwrap.dedent(
        """\
        import json
        import osmcourse
        from osmcourse.checks import get_lab
        from osmcourse.figures import timeline_figure
        from osmcourse.text import corpus_table, load_seed, seed_ids, the_texts

        lab = get_lab("readings")
        seed = load_seed("005")
        print(json.dumps({
            "package": osmcourse.__file__,
            "ids": seed_ids(),
            "phrase": the_texts(),
            "paragraphs": seed.paragraphs,
            "heading": seed.heading,
            "table": corpus_table()["seed_id"].tolist(),
            "title": timeline_figure().axes[0].get_title(),
            "hint": lab.check("1", "005").message,
            "right": str(lab.check("1", "003").status),
        }))
        """
    )
    seen = json.loads(run_in(course, "-c", script).stdout.strip().splitlines()[-1])
    assert Path(seen["package"]).is_relative_to(course)  # the copy's package, not ours
    assert seen["ids"] == [*seed_ids(), NEW_ID]
    assert seen["table"] == seen["ids"]
    assert seen["phrase"] == "the six texts"
    assert seen["title"] == "The six texts and the works they cite"
    assert seen["heading"] == SYNTHETIC_TEXT.splitlines()[0]
    assert seen["paragraphs"] == SYNTHETIC_TEXT.splitlines()[1:]
    # A wrong choice in the readings lab: a seed id it knows, counted among six texts; the
    # lab's answer (the longest text) is unchanged by a short sixth one.
    assert "is not a seed id" not in seen["hint"]
    assert "all six texts" in seen["hint"]
    assert seen["right"] == "correct", seen["right"]


def test_the_seed_directive_shows_the_new_reading(course, tmp_path):
    # A small Sphinx project (the seed-text directive and MyST) built with -W, from the copy's
    # package; the chapter stub is its one page.
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "extensions = ['myst_parser', 'osmcourse.book.seeds']\n"
        "myst_enable_extensions = ['colon_fence']\n",
        encoding="utf-8",
    )
    shutil.copy(course / "chapters" / "readings" / f"{CHAPTER}.md", source / "index.md")
    out = tmp_path / "html"
    run_in(course, "-m", "sphinx", "-E", "-W", "-q", "-b", "html", str(source), str(out))
    html = (out / "index.html").read_text(encoding="utf-8")
    for number, paragraph in enumerate(SYNTHETIC_TEXT.splitlines()[1:], start=1):
        assert f'id="seed-{NEW_ID}-p{number}"' in html
        assert paragraph.split(";")[0] in html
    assert f'id="seed-{NEW_ID}-p3"' not in html


def test_the_seed_tests_lists_take_in_the_new_reading(course):
    tests = [
        "tests/test_seeds.py::test_paragraphs_are_verbatim_and_cover_the_text",
        "tests/test_seeds.py::test_package_reads_the_same_files",
        "tests/test_seeds.py::test_each_reading_has_one_chapter_in_the_catalogues_order",
    ]  # (tests/test_text.py's length check is about the real five: the synthetic text is short)
    result = run_in(course, "-m", "pytest", "-p", "no:cacheprovider", "-v", *tests)
    assert f"test_paragraphs_are_verbatim_and_cover_the_text[{NEW_ID}] PASSED" in result.stdout
    # The built book's test (not run here: it builds the whole book) lists it too.
    collected = run_in(
        course,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--collect-only",
        "-q",
        "tests/test_book.py",
        "tests/test_pdf.py",
    ).stdout
    assert f"test_every_paragraph_of_every_seed_is_on_its_chapter_page[{NEW_ID}]" in collected


def test_the_verbatim_guard_notices_a_text_it_does_not_know(course):
    # KNOWN_DIGESTS is the course's own record of the texts it received, apart from the
    # catalogue: a new text must be entered there too (a real one; this one stays synthetic).
    result = run_in(
        course,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "tests/test_seeds.py::test_no_other_texts_in_seeds",
        check=False,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert f"{NEW_ID}_" in result.stdout
