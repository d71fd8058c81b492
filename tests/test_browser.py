"""The built book in a real browser: Debian's Chromium, driven by Playwright, on localhost.

Every request that does not go to the local server is blocked and recorded, so these tests
also prove the book loads nothing from third parties. Needs /usr/bin/chromium (Debian's
`chromium` package, installed by .ci/run) and axe-core (`npm ci --prefix tests/browser`).
"""

from __future__ import annotations

import functools
import gzip
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, tool

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


# A folder served on 127.0.0.1 for the duration of the tests, uncompressed: the tests weigh
# the files as they are (Lighthouse, in the benchmark, is served them with gzip).
Site = functools.partial(tool("lighthouse").GzipSite, compress=False)


@pytest.fixture(scope="module")
def site(built):
    served = Site(built)
    yield served
    served.close()


class Visit:
    """One page load: console errors, blocked third-party requests, bytes transferred."""

    def __init__(self, browser, site: Site, page_path: str, media: str | None = None) -> None:
        # A fresh context per visit: an empty cache, so every asset counts.
        self.context = browser.new_context()
        self.page = self.context.new_page()
        if media:
            self.page.emulate_media(media=media)
        self.errors: list[str] = []
        self.third_party: list[str] = []
        self.failed: list[str] = []
        self.loaded: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "requestfailed",
            lambda r: self.failed.append(r.url) if r.url.startswith(site.base) else None,
        )
        self.page.on("response", self._record)
        self.page.route("**/*", functools.partial(self._route, site.base))
        response = self.page.goto(site.base + page_path, wait_until="networkidle")
        self.status = response.status if response else 0
        self.gzip_bytes = self._weigh(site)

    def _route(self, base: str, route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            self.third_party.append(route.request.url)
            route.abort()

    def _record(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")
        else:
            self.loaded.append(response.url)

    def _weigh(self, site: Site) -> int:
        """Bytes of everything the page loaded, each file gzip-compressed (as a server would)."""
        total = 0
        for url in dict.fromkeys(self.loaded):
            if not url.startswith(site.base):
                continue
            local = site.folder / url[len(site.base) :].split("?")[0].split("#")[0]
            if local.is_dir():
                local = local / "index.html"
            if local.is_file():
                total += len(gzip.compress(local.read_bytes(), compresslevel=6))
        return total

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visits(browser, site):
    """Every page of the book, loaded once."""
    result = {path: Visit(browser, site, path) for path in site.pages()}
    yield result
    for visit in result.values():
        visit.close()


def test_every_page_loads_without_errors_or_third_party_requests(visits):
    problems = []
    for path, visit in visits.items():
        if visit.status != 200:
            problems.append(f"{path}: HTTP {visit.status}")
        problems += [f"{path}: console error: {e}" for e in visit.errors]
        problems += [f"{path}: third-party request: {u}" for u in visit.third_party]
        problems += [f"{path}: failed request: {u}" for u in visit.failed]
    assert len(visits) > 20
    assert not problems, "\n".join(problems[:40])


def test_images_load_with_alt_text_and_styles_fonts_maths_render_offline(visits):
    for path, visit in visits.items():
        broken = visit.page.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        assert not broken, f"{path}: broken images {broken}"
        missing = visit.page.evaluate(
            "() => [...document.images].filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
        )
        assert not missing, f"{path}: images without alt text: {missing}"
        # The theme's stylesheet applied: the article column is laid out by it.
        assert visit.page.evaluate("() => getComputedStyle(document.body).fontFamily") != "", path
        fonts = visit.page.evaluate("() => document.fonts.status")
        assert fonts == "loaded", path
    bass = visits["exercises/mass-media-vs-word-of-mouth.html"].page
    # MathJax loads when a formula comes near the view (osmcourse/book/speed.py), not before.
    assert bass.evaluate("() => document.querySelectorAll('mjx-container').length") == 0
    bass.locator(".math").first.scroll_into_view_if_needed()
    bass.wait_for_selector("mjx-container", timeout=15000)
    assert bass.evaluate("() => document.querySelectorAll('mjx-container').length") >= 2


@pytest.mark.parametrize("query", ["tvåstegshypotesen", "tvastegshypotesen", "TVÅSTEGSHYPOTESEN"])
def test_search_finds_a_chapter_by_a_term_from_it_with_or_without_accents(browser, site, query):
    visit = Visit(browser, site, f"search.html?q={query}")
    visit.page.wait_for_selector("#search-results li a", timeout=15000)
    hits = visit.page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    visit.close()
    assert any("readings/lyssna.html" in hit for hit in hits), hits


def test_a_solution_dropdown_opens(browser, site):
    visit = Visit(browser, site, "exercises/mass-media-vs-word-of-mouth.html")
    page = visit.page
    solution = page.locator(".tag_solution details").first
    assert solution.evaluate("d => d.open") is False
    code = solution.locator("pre").first
    assert not code.is_visible()
    solution.locator("summary").click()
    assert solution.evaluate("d => d.open") is True
    assert code.is_visible() and "peak_sales_year" in code.inner_text()
    visit.close()


def test_lab_launch_buttons_point_at_the_student_notebook(visits):
    for path, visit in visits.items():
        links = visit.page.eval_on_selector_all(
            "a[href*='mybinder.org'], a[href*='colab.research.google.com']",
            "els => els.map(e => e.href)",
        )
        if path.startswith("exercises/"):
            name = Path(path).with_suffix(".ipynb").name
            assert len(links) == 2, path
            assert all(link.endswith(f"exercises/student/{name}") for link in links), links
            assert (ROOT / "exercises" / "student" / name).is_file()
        else:
            assert links == [], f"{path} has launch links but is not a lab"


def test_no_serious_or_critical_accessibility_violations(visits):
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed: npm ci --prefix {AXE.parents[2].relative_to(ROOT)}"
        )
    script = AXE.read_text(encoding="utf-8")
    problems = []
    for path, visit in visits.items():
        visit.page.add_script_tag(content=script)
        violations = visit.page.evaluate(
            """async () => (await axe.run()).violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
        )
        problems += [f"{path}: {v}" for v in violations]
    assert not problems, "\n".join(problems[:30])


def test_print_stylesheet_gives_one_clean_column_and_a_pdf(browser, site, tmp_path):
    visit = Visit(browser, site, "chapters/readings/lyssna.html", media="print")
    page = visit.page
    for selector in (".bd-sidebar-primary", ".bd-header", ".bd-sidebar-secondary"):
        if page.locator(selector).count():
            assert page.eval_on_selector(selector, "e => getComputedStyle(e).display") == "none", (
                selector
            )
    assert page.locator(".seed-row").first.is_visible()
    pdf = tmp_path / "lyssna.pdf"
    page.pdf(path=str(pdf), format="A4")
    visit.close()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


def test_printing_the_answer_keys_prints_the_folded_answers(browser, site, tmp_path):
    """Model answers are folded on screen; on paper every word of them is there."""
    visit = Visit(browser, site, "chapters/instructors/answer-keys.html")
    page = visit.page
    dropdowns = "[...document.querySelectorAll('details.sd-dropdown')]"
    assert page.evaluate(f"() => {dropdowns}.length") >= 5
    assert page.evaluate(f"() => {dropdowns}.every(d => !d.open)"), (
        "answers should be folded on screen"
    )
    # Every word of the article, folded or not (textContent includes closed <details>).
    words = page.evaluate(
        "() => document.querySelector('article').textContent.split(/\\s+/).filter(Boolean).length"
    )

    # The script: opens them before printing, folds them again afterwards.
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(f"() => {dropdowns}.every(d => d.open)")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate(f"() => {dropdowns}.every(d => !d.open)")

    # The printed PDF, as a reader's "Print" makes it, counted with pdftotext.
    page.emulate_media(media="print")
    pdf = tmp_path / "answer-keys.pdf"
    page.pdf(path=str(pdf), format="A4")
    visit.close()
    printed = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    print(f"\nanswer keys: {len(printed.split())} words printed of {words} in the article")
    assert len(printed.split()) >= 0.9 * words


@pytest.fixture(scope="module")
def default_book(tmp_path_factory) -> Path:
    """A blank default Jupyter Book 1 book, built in the same run for comparison."""
    folder = tmp_path_factory.mktemp("default-book")
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    subprocess.run([jupyter_book, "create", str(folder / "book")], check=True, capture_output=True)
    subprocess.run(
        [jupyter_book, "build", str(folder / "book")], check=True, capture_output=True, timeout=600
    )
    return folder / "book" / "_build" / "html"


def test_pages_weigh_at_most_half_of_a_default_book(browser, site, visits, default_book):
    ours = [v.gzip_bytes for p, v in visits.items() if p.startswith(("chapters/", "exercises/"))]
    default_site = Site(default_book)
    theirs = []
    for path in default_site.pages():
        if path in ("genindex.html", "search.html"):
            continue
        visit = Visit(browser, default_site, path)
        theirs.append(visit.gzip_bytes)
        visit.close()
    default_site.close()
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(
        f"\npage weight (gzip, all assets): ours median {ours_median / 1024:.0f} KiB over "
        f"{len(ours)} pages, default book median {theirs_median / 1024:.0f} KiB over {len(theirs)} pages"
    )
    assert ours_median <= 0.5 * theirs_median


def test_figures_are_compressed_png_or_small_svg(built):
    for image in list(built.rglob("*.png")) + list(built.rglob("*.svg")):
        if "_static" in image.parts:
            continue
        limit = 250_000 if image.suffix == ".png" else 100_000
        assert image.stat().st_size < limit, f"{image.name}: {image.stat().st_size} bytes"


# One page of each template: a reading chapter, a lab (a notebook page) and an instructor page.
PHONE_PAGES = {
    "chapter": "chapters/readings/lyssna.html",
    "lab": "exercises/head-and-tail.html",
    "instructor": "chapters/instructors/lessons.html",
}


def _phone(browser, site: Site, path: str, width: int):
    """A touch-screen context ``width`` CSS pixels wide (a phone at 390, a small tablet at 800)."""
    context = browser.new_context(
        viewport={"width": width, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.base + path, wait_until="networkidle")
    return context, page, errors


def _is_open(page, dialog: str) -> bool:
    return page.evaluate(f"() => document.getElementById('{dialog}').open")


@pytest.mark.parametrize("width", [390, 800])
@pytest.mark.parametrize("template", list(PHONE_PAGES))
def test_on_a_phone_tapping_the_menu_opens_the_contents_and_a_link_navigates(
    browser, site, template, width
):
    path = PHONE_PAGES[template]
    context, page, errors = _phone(browser, site, path, width)
    menu = page.locator(".primary-toggle:visible")
    assert menu.count() == 1, f"{path}: {menu.count()} visible menu buttons at {width} px"
    assert not _is_open(page, "pst-primary-sidebar-modal")
    nav = page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav a.reference.internal:visible")
    assert nav.count() == 0, "the table of contents shows before the menu is tapped"

    menu.tap()
    page.wait_for_function(
        "() => document.getElementById('pst-primary-sidebar-modal').open", timeout=5000
    )
    assert nav.count() > 10, f"{path} at {width} px: the menu opened but shows {nav.count()} links"
    # A page other than this one, near the top of the list so it is on screen without scrolling.
    hrefs = nav.evaluate_all("links => links.map(a => a.href)")
    here = site.base + path
    target = next(i for i, href in enumerate(hrefs) if href.split("#")[0] != here)
    destination = hrefs[target].split("#")[0]
    nav.nth(target).tap()
    page.wait_for_url(destination, timeout=10000)
    assert page.url.split("#")[0] == destination
    assert not errors, errors
    context.close()


@pytest.mark.parametrize("width", [390, 800])
@pytest.mark.parametrize("template", list(PHONE_PAGES))
def test_on_a_phone_tapping_contents_opens_on_this_page(browser, site, template, width):
    path = PHONE_PAGES[template]
    context, page, errors = _phone(browser, site, path, width)
    contents = page.locator(".secondary-toggle:visible")
    assert contents.count() == 1, (
        f"{path}: {contents.count()} visible contents buttons at {width} px"
    )
    toc = page.locator("#pst-secondary-sidebar-modal #pst-page-toc-nav a:visible")
    assert toc.count() == 0

    contents.tap()
    page.wait_for_function(
        "() => document.getElementById('pst-secondary-sidebar-modal').open", timeout=5000
    )
    assert toc.count() >= 2, f"{path} at {width} px: 'on this page' shows {toc.count()} links"
    assert (
        "On this page" in page.locator("#pst-secondary-sidebar-modal").inner_text()
        or "Contents" in page.locator("#pst-secondary-sidebar-modal").inner_text()
    )
    # Tapping an entry goes to that section of the page.
    anchor = toc.nth(1).get_attribute("href")
    assert anchor.startswith("#")
    toc.nth(1).tap()
    page.wait_for_function(f"() => location.hash === {anchor!r}", timeout=5000)
    assert not errors, errors
    context.close()


LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "lighthouse"


@pytest.mark.parametrize("template", ["chapter", "lab"])
def test_lighthouse_accessibility_best_practices_and_seo_are_100(built, template):
    """Lighthouse's deterministic categories on a page of each kind, served with gzip as GitHub
    Pages serves it (performance and timings depend on the machine: benchmarks only)."""
    if not LIGHTHOUSE.exists():
        pytest.fail(
            f"Lighthouse is not installed: npm ci --prefix {LIGHTHOUSE.parents[2].relative_to(ROOT)}"
        )
    lighthouse = tool("lighthouse")
    with lighthouse.GzipSite(built) as site:
        scores = lighthouse.audit(
            site.base + PHONE_PAGES[template], categories=("accessibility", "best-practices", "seo")
        )
    assert (scores["accessibility"], scores["best-practices"], scores["seo"]) == (100, 100, 100), (
        scores["failed"]
    )


# Every element's box and the properties that draw it (pseudo-elements too: the icons), as
# one line per element. Custom properties are left out: they are inputs, and what they change
# shows in these.
_STYLE_SNAPSHOT = """() => {
  const drawn = ['display', 'visibility', 'position', 'color', 'background-color', 'background-image',
    'font-family', 'font-size', 'font-weight', 'font-style', 'line-height', 'text-decoration-line',
    'border-top-width', 'border-top-color', 'border-left-width', 'border-left-color', 'border-radius',
    'opacity', 'content', 'mask-image', 'box-shadow', 'white-space', 'overflow-x', 'z-index', 'transform'];
  return [...document.querySelectorAll('*')].flatMap((element, index) => {
    const box = element.getBoundingClientRect();
    return [null, '::before', '::after'].map(pseudo => {
      const style = getComputedStyle(element, pseudo);
      return `${index} ${element.tagName}${pseudo || ''} ${pseudo ? '' : [box.x, box.y, box.width, box.height].map(Math.round)} `
        + drawn.map(name => `${name}:${style.getPropertyValue(name)}`).join(';');
    });
  });
}"""


def _serve_css(css: str, route) -> None:
    route.fulfill(body=css, content_type="text/css")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_trimmed_stylesheet_styles_every_element_as_the_whole_one(browser, site, width):
    """The page's one stylesheet drops the rules that match nothing in the book
    (osmcourse/book/speed.py): every element, on a page of each template, at phone and desktop
    width, with the menu closed and open, is styled exactly as by the whole stylesheet."""
    from osmcourse.book import speed

    bundle = next((site.folder / "_static").glob(f"{speed.BUNDLE_PREFIX}*.css"))
    trimmed = bundle.read_text(encoding="utf-8")
    files = re.search(r"/\* bundled: ([^*]+) \*/", trimmed).group(1).split()
    whole = speed.concatenate(site.folder, files, f"_static/{bundle.name}")
    assert len(trimmed) < 0.5 * len(whole)
    # Pages without formulas: MathJax typesets when it is ready, so a page with formulas is
    # laid out differently from one moment to the next.
    for path in [
        "chapters/readings/lyssna.html",
        "exercises/reading-the-readings.html",
        PHONE_PAGES["instructor"],
        "search.html",
    ]:
        snapshots = []
        for css in (trimmed, whole):
            context = browser.new_context(viewport={"width": width, "height": 844}, has_touch=True)
            page = context.new_page()
            page.route(f"**/{bundle.name}", functools.partial(_serve_css, css))
            page.goto(site.base + path, wait_until="networkidle")
            shots = [page.evaluate(_STYLE_SNAPSHOT)]
            page.locator(".primary-toggle:visible").first.tap()
            page.wait_for_timeout(300)
            shots.append(page.evaluate(_STYLE_SNAPSHOT))
            snapshots.append(shots)
            context.close()
        for state, (ours, theirs) in zip(("menu closed", "menu open"), zip(*snapshots)):
            assert len(ours) == len(theirs), f"{path} ({state}): the pages differ in length"
            differences = [(a, b) for a, b in zip(ours, theirs) if a != b]
            assert not differences, (
                f"{path} at {width} px ({state}): {len(differences)} elements styled "
                f"differently, first: {differences[0][0][:300]} ... vs ... {differences[0][1][:300]}"
            )
