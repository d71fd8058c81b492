"""The book builds with zero warnings, and the built pages show what they promise."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from osmcourse.text import load_seed

from conftest import ROOT, build_book

pytestmark = pytest.mark.slow


def page_text(path: Path) -> str:
    """A page's visible text, tags stripped and entities decoded, white space folded."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"\s+", " ", text)


def test_build_has_zero_warnings(built):
    log = (built.parent.parent / "build.log").read_text(encoding="utf-8")
    assert "build succeeded" in log
    # Sphinx's own warnings and errors ("file:line: WARNING: ..."). The kernels' start-up
    # notices ("[IPKernelApp] WARNING | ...") are not about the book and -W ignores them.
    problems = [line for line in log.splitlines()
                if re.search(r"(^|: )(WARNING|ERROR|CRITICAL): ", line)]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("seed_id", ["000", "001", "002", "003", "004"])
def test_every_paragraph_of_every_seed_is_on_its_chapter_page(built, seed_id):
    seed = load_seed(seed_id)
    pages = [p for p in (built / "chapters" / "readings").glob("*.html")
             if f'id="{seed.chapter}"' in p.read_text(encoding="utf-8")]
    assert len(pages) == 1, f"one chapter page should carry the label {seed.chapter}"
    text = page_text(pages[0])
    for number, paragraph in enumerate(seed.paragraphs, start=1):
        assert re.sub(r"\s+", " ", paragraph) in text, f"¶{number} of {seed_id} is missing"
        assert f'id="seed-{seed_id}-p{number}"' in pages[0].read_text(encoding="utf-8")
    if seed.heading:
        assert re.sub(r"\s+", " ", seed.heading) in text


def test_lab_launch_buttons_open_the_student_copy(built):
    labs = sorted((ROOT / "exercises").glob("*.ipynb"))
    for lab in labs:
        page = (built / "exercises" / f"{lab.stem}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"', page)
        assert len(links) == 2, lab.name
        for link in links:
            assert link.endswith(f"exercises/student/{lab.name}"), link
            assert (ROOT / "exercises" / "student" / lab.name).is_file()


def test_chapter_pages_have_no_launch_buttons(built):
    for page in (built / "chapters").rglob("*.html"):
        assert "mybinder.org" not in page.read_text(encoding="utf-8"), page.name


def test_every_image_has_alt_text(built):
    for page in built.rglob("*.html"):
        for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8")):
            alt = re.search(r'\balt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), f"{page.relative_to(built)}: {tag[:120]}"


def test_solutions_are_folded_on_lab_pages(built):
    page = (built / "exercises" / "mass-media-vs-word-of-mouth.html").read_text(encoding="utf-8")
    assert "peak_sales_year = int(sales.idxmax())" in html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "tag_hide-input" in page


@pytest.fixture(scope="session")
def built_student(tmp_path_factory) -> Path:
    """The student edition: the same build with OSM_EDITION=student (`make student-book`)."""
    return build_book(tmp_path_factory.mktemp("student-book"), {"OSM_EDITION": "student"})


def solution_lines() -> list[str]:
    """Every line of worked solution in the master labs (longer than a bare name)."""
    import nbformat

    lines = []
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in cell.metadata.get("tags", []):
                lines += [l.strip() for l in cell.source.splitlines()
                          if "=" in l and not l.strip().startswith("#")]
    return lines


def test_student_edition_leaves_out_every_solution(built, built_student):
    lines = solution_lines()
    assert lines
    full = " ".join(page_text(p) for p in (built / "exercises").glob("*.html"))
    student = " ".join(page_text(p) for p in (built_student / "exercises").glob("*.html"))
    assert any(line in full for line in lines), "the full edition should show the solutions"
    for line in lines:
        assert line not in student, f"solution in the student edition: {line}"


def test_every_internal_link_and_anchor_resolves(built):
    ids_cache: dict[Path, set[str]] = {}

    def ids(page: Path) -> set[str]:
        if page not in ids_cache:
            ids_cache[page] = set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))
        return ids_cache[page]

    broken = []
    for page in built.rglob("*.html"):
        if "_static" in page.parts:  # the theme's template fragments, not pages
            continue
        for href in re.findall(r'\bhref="([^"]+)"', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target, _, anchor = html.unescape(href).partition("#")
            target = target.split("?")[0]
            path = (page.parent / target).resolve() if target else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(built)} -> {href}")
            elif anchor and path.suffix == ".html" and anchor not in ids(path):
                broken.append(f"{page.relative_to(built)} -> {href} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


def test_every_launch_link_opens_a_notebook_in_the_repository(built):
    import json

    links = set()
    for page in built.rglob("*.html"):
        links.update(re.findall(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"',
                                page.read_text(encoding="utf-8")))
    assert links
    for link in links:
        path = re.search(r"(?:urlpath=lab/tree/|/blob/main/)(.+)$", html.unescape(link)).group(1)
        assert path.endswith(".ipynb"), f"launch link to a non-notebook: {link}"
        notebook = ROOT / path
        assert notebook.is_file(), link
        assert json.loads(notebook.read_text(encoding="utf-8"))["nbformat"] == 4


def test_student_edition_leaves_out_model_answers_and_answer_keys(built, built_student):
    def pages_text(root: Path) -> str:
        return " ".join(page_text(p) for p in (root / "chapters").rglob("*.html"))

    assert "Model answer" in pages_text(built)
    student = pages_text(built_student)
    assert "Model answer" not in student
    keys = page_text(built_student / "chapters" / "instructors" / "answer-keys.html")
    assert "left out of the student edition" in keys
