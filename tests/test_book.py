"""The book builds with zero warnings, and the built pages show what they promise."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from osmcourse.text import load_seed, seed_ids

from conftest import ROOT, build_book, rewrite

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
    problems = [
        line for line in log.splitlines() if re.search(r"(^|: )(WARNING|ERROR|CRITICAL): ", line)
    ]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("seed_id", seed_ids())
def test_every_paragraph_of_every_seed_is_on_its_chapter_page(built, seed_id):
    seed = load_seed(seed_id)
    pages = [
        p
        for p in (built / "chapters" / "readings").glob("*.html")
        if f'id="{seed.chapter}"' in p.read_text(encoding="utf-8")
    ]
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
        links = re.findall(
            r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"', page
        )
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
                lines += [
                    line.strip()
                    for line in cell.source.splitlines()
                    if "=" in line and not line.strip().startswith("#")
                ]
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
        links.update(
            re.findall(
                r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"',
                page.read_text(encoding="utf-8"),
            )
        )
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


# --- A rebuild never publishes a stale page ---------------------------------------------


def copy_of_the_book(folder: Path) -> Path:
    """The repository's files (no build output, environment or browser modules) in ``folder``."""
    import shutil

    target = folder / "book"
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(
            "_build",
            ".venv",
            ".venv-*",
            "node_modules",
            ".git",
            "__pycache__",
            ".pytest_cache",
            ".cache",
        ),
    )
    return target


def rebuild(copy: Path) -> str:
    """`make build` in the copy, as the README says, with the copy's own package.

    PYTHONPATH puts the copy's ``osmcourse`` ahead of the editable install (which points at
    this checkout), both for Sphinx and for the kernels that execute the pages.
    """
    import os
    import subprocess
    import sys

    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(copy), "build", f"VENV={Path(sys.prefix)}"],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(copy), "OSM_EDITION": "full"},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    return log


@pytest.fixture(scope="module")
def copied_book(tmp_path_factory) -> Path:
    """A copy of the book, built once; tests edit it and build it again."""
    copy = copy_of_the_book(tmp_path_factory.mktemp("copied-book"))
    rebuild(copy)
    return copy


TRUST_ROW = re.compile(
    r"<th>recommendations_from_people_i_know</th>\s*<td>earned</td>\s*"
    r"<td>[\d.]+</td>\s*<td>([\d.]+)</td>"
)


def test_a_data_edit_reaches_the_page_that_shows_it(copied_book):
    page = copied_book / "_build" / "html" / "exercises" / "trust-and-noise.html"
    assert TRUST_ROW.findall(page.read_text(encoding="utf-8")) == ["84.0"]
    rewrite(
        copied_book / "osmcourse" / "data" / "nielsen_trust_in_advertising_2007_2013.csv",
        "recommendations_from_people_i_know,earned,78,84",
        "recommendations_from_people_i_know,earned,78,91",
    )
    log = rebuild(copied_book)
    assert TRUST_ROW.findall(page.read_text(encoding="utf-8")) == ["91.0"], log[-3000:]


def test_a_code_edit_executes_the_pages_again(copied_book):
    # A comment changes no output but is an edit to the package: every page with code runs.
    module = copied_book / "osmcourse" / "figures" / "style.py"
    module.write_text(
        module.read_text(encoding="utf-8") + "\n# edited by a test\n", encoding="utf-8"
    )
    log = rebuild(copied_book)
    assert "Using cached notebook" not in log
    assert "trust-and-noise.ipynb: Executed notebook" in log


def test_a_retitled_page_is_retitled_in_every_page_sidebar(copied_book):
    rewrite(
        copied_book / "chapters" / "glossary.md", "# Glossary\n", "# Glossary of retitled terms\n"
    )
    rebuild(copied_book)
    html_dir = copied_book / "_build" / "html"
    # index.html is jupyter-book's redirect to the first page, not a page.
    pages = [
        p
        for p in html_dir.rglob("*.html")
        if "_static" not in p.parts and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")
    ]
    assert len(pages) > 20
    stale = []
    for page in pages:
        sidebar = page.read_text(encoding="utf-8").split('class="bd-sidebar-primary', 1)
        assert len(sidebar) == 2, f"{page.name}: no sidebar (has the theme's markup changed?)"
        if "Glossary of retitled terms" not in sidebar[1].split("</nav>", 1)[0]:
            stale.append(str(page.relative_to(html_dir)))
    assert not stale, f"{len(stale)} of {len(pages)} pages show the old title: {stale[:10]}"


def test_every_citation_lands_on_its_entry_on_its_own_page_or_the_bibliography(built):
    """Follow each citation link: the entry it lands on is the cited work, on the citing page
    (if that page has a reference list) or on the Bibliography page."""
    bibliography = (built / "chapters" / "bibliography.html").resolve()
    entries: dict[Path, dict[str, str]] = {}

    def entries_on(page: Path) -> dict[str, str]:
        if page not in entries:
            raw = page.read_text(encoding="utf-8")
            entries[page] = {
                anchor: re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", body))).strip()
                for anchor, body in re.findall(
                    r'<div class="citation" id="([^"]+)"[^>]*>.*?<p>(.*?)</p>', raw, flags=re.S
                )
            }
        return entries[page]

    followed, wrong = 0, []
    for page in sorted(built.rglob("*.html")):
        if "_static" in page.parts:
            continue
        raw = page.read_text(encoding="utf-8")
        for citation in re.findall(
            r'<span class="bibtex-citation"[^>]*>(.*?)</span>', raw, flags=re.S
        ):
            for href, title, label in re.findall(
                r'<a class="reference internal" href="([^"]*)" title="([^"]*)">(.*?)</a>',
                citation,
                flags=re.S,
            ):
                followed += 1
                target, _, anchor = href.partition("#")
                landing = (page.parent / target).resolve() if target else page.resolve()
                where = f"{page.relative_to(built)}: {label} -> {href}"
                if landing not in (page.resolve(), bibliography):
                    wrong.append(f"{where} (another chapter's list)")
                    continue
                entry = entries_on(landing).get(anchor)
                expected = re.sub(r"\s+", " ", html.unescape(title)).strip()
                if entry is None:
                    wrong.append(f"{where} (no reference list entry there)")
                elif not entry.startswith(expected[:60]):
                    wrong.append(f"{where} (lands on {entry[:60]!r})")
    assert followed > 50, "citations should be links with the work as their title"
    assert not wrong, "\n".join(wrong[:30])


def test_every_page_has_a_favicon_that_exists_and_a_description(built):
    """Issue 18: each built page (search and index pages too) links a favicon file that is in the
    build and carries a non-empty meta description."""
    from urllib.parse import unquote, urlsplit

    # Not pages: the theme's template macros in _static/, and index.html, Jupyter Book's one-line
    # redirect to the first page.
    pages = sorted(
        page
        for page in built.rglob("*.html")
        if page.relative_to(built).parts[0] != "_static" and page != built / "index.html"
    )
    assert len(pages) > 10
    for page in pages:
        where = page.relative_to(built)
        raw = page.read_text(encoding="utf-8")
        links = [
            tag
            for tag in re.findall(r"<link\b[^>]*>", raw)
            if re.search(r"""\brel=["'](?:shortcut )?icon["']""", tag)
        ]
        assert links, f"{where}: no favicon link"
        for tag in links:
            href = re.search(r"""\bhref=["']([^"']+)["']""", tag).group(1)
            target = (page.parent / unquote(urlsplit(href).path)).resolve()
            assert target.is_file(), f"{where}: favicon {href} is not in the build"
        description = re.search(
            r"""<meta\b[^>]*\bname=["']description["'][^>]*\bcontent=["']([^"']*)["']""", raw
        ) or re.search(
            r"""<meta\b[^>]*\bcontent=["']([^"']*)["'][^>]*\bname=["']description["']""", raw
        )
        assert description and description.group(1).strip(), f"{where}: no meta description"
