"""External links of the built book: list them, or check them when a network is there.

    python tools/links.py                 # list every external link in _build/html, with its pages
    python tools/links.py --check         # also request each one (needs a network); exit 1 if any fail
    python tools/links.py --check DIR     # another build folder

Internal links and cross-references are checked by the test suite on every run
(tests/test_book.py); external ones can only be checked online, so they are listed here.
The launch links (Binder, Colab) are left out: they point at the repository named in
_config.yml, which a test checks instead.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = ("https://mybinder.org/", "https://colab.research.google.com/")


def external_links(build: Path) -> dict[str, list[str]]:
    """URL -> the pages (relative paths) that link to it."""
    found: dict[str, set[str]] = defaultdict(set)
    for page in sorted(build.rglob("*.html")):
        if "_static" in page.parts:
            continue
        for url in re.findall(r'href="(https?://[^"]+)"', page.read_text(encoding="utf-8")):
            url = url.replace("&amp;", "&")
            if not url.startswith(SKIP):
                found[url].add(str(page.relative_to(build)))
    return {url: sorted(pages) for url, pages in sorted(found.items())}


def check(url: str, timeout: float = 15.0) -> str | None:
    """None if the URL answers with a success status, else a short reason."""
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "osm-linkcheck"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError as error:
        if error.code in (403, 405, 429):  # some servers refuse HEAD or robots: try GET once
            try:
                with urllib.request.urlopen(url, timeout=timeout):
                    return None
            except Exception as retry:  # noqa: BLE001
                return str(retry)
        return f"HTTP {error.code}"
    except Exception as error:  # noqa: BLE001 - any failure is a line in the report
        return str(error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--check", action="store_true", help="request every link (needs a network)")
    args = parser.parse_args(argv)
    if not args.build.is_dir():
        print(f"links: no built book in {args.build} (run `make book` first)", file=sys.stderr)
        return 2
    links = external_links(args.build)
    if not args.check:
        for url, pages in links.items():
            print(f"{url}\t{', '.join(pages)}")
        print(f"{len(links)} external links", file=sys.stderr)
        return 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(zip(links, pool.map(check, links)))
    failures = {url: reason for url, reason in results.items() if reason}
    for url, reason in failures.items():
        print(f"FAIL {url}: {reason} (on {', '.join(links[url])})")
    print(f"{len(links) - len(failures)} of {len(links)} external links answered")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
