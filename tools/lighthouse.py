"""Lighthouse (mobile) on the built book, served with gzip as GitHub Pages serves it.

    python tools/lighthouse.py _build/html                 # every page, one run each
    python tools/lighthouse.py _build/html --runs 3 intro.html

Lighthouse comes from npm (``npm ci --prefix tests/browser``, pinned in its package.json) and
runs against Debian's Chromium (``CHROME_PATH=/usr/bin/chromium``), never a downloaded
browser. Its default mobile profile: simulated slow 4G and a 4x slower CPU. Simulated
throttling still scales with the machine's own CPU: measure when the machine is quiet, run
several times and take the median. ``tools/benchmark.py --only lighthouse`` uses this module
for the book and a blank default book built in the same run; the browser tests use it for the
deterministic categories (accessibility, best practices, SEO) only.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import mimetypes
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# What GitHub Pages compresses (text); images are served as they are.
COMPRESSED = (
    ".html",
    ".css",
    ".js",
    ".json",
    ".svg",
    ".txt",
    ".xml",
    ".map",
    ".inv",
    ".ipynb",
    ".md",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class GzipHandler(_QuietHandler):
    """Static files, gzip-compressed when the client accepts it (as GitHub Pages does), with
    the cache lifetime GitHub Pages sends (10 minutes)."""

    _cache: dict[Path, bytes] = {}

    def send_head(self):  # noqa: ANN201 - the base class's signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's address
            path = path / "index.html"
        if (
            not path.is_file()
            or path.suffix not in COMPRESSED
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        body = self._cache.get(path)
        if body is None:
            body = self._cache[path] = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in (
            "application/javascript",
            "image/svg+xml",
            "application/json",
        ):
            kind += "; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a connection early (Lighthouse does, for /favicon.ico, which
        # the book does not have: its pages name their icon) is not a fault of the book.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class GzipSite:
    """A built book served on 127.0.0.1 (a free port) until ``close``: with gzip, as GitHub
    Pages serves it, or (``compress=False``) as the files are, for tests that weigh them."""

    def __init__(self, folder: Path, compress: bool = True) -> None:
        handler = functools.partial(
            GzipHandler if compress else _QuietHandler, directory=str(folder)
        )
        self.server = _QuietServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}/"
        self.folder = Path(folder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pages(self) -> list[str]:
        """Every HTML page of the book (not the theme's static files)."""
        return sorted(
            str(p.relative_to(self.folder))
            for p in self.folder.rglob("*.html")
            if "_static" not in p.parts
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> GzipSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def audit(
    url: str, categories: tuple[str, ...] = CATEGORIES, timeout: float = 300
) -> dict[str, float]:
    """One Lighthouse run (mobile) on ``url``: each category's score (0-100), and
    ``fcp``/``lcp`` (seconds) and ``tbt`` (ms) when performance is among ``categories``."""
    if not LIGHTHOUSE.exists():
        raise SystemExit(
            f"Lighthouse is not installed: npm ci --prefix {LIGHTHOUSE.parents[2].relative_to(ROOT)}"
        )
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="osm-lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(categories)}",
            f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        ]
        # Lighthouse's Chrome launcher keeps a profile in TMPDIR; keep it in ours.
        env = {**os.environ, "CHROME_PATH": str(CHROMIUM), "TMPDIR": tmp}
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        if result.returncode != 0 or not report.exists():
            raise RuntimeError(
                f"lighthouse failed on {url}:\n{(result.stdout + result.stderr)[-2000:]}"
            )
        data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {data['runtimeError']}")
    scores = {name: round(100 * (data["categories"][name]["score"] or 0)) for name in categories}
    if "performance" in categories:
        audits = data["audits"]
        scores["fcp"] = audits["first-contentful-paint"]["numericValue"] / 1000
        scores["lcp"] = audits["largest-contentful-paint"]["numericValue"] / 1000
        scores["tbt"] = audits["total-blocking-time"]["numericValue"]
    scores["failed"] = sorted(  # type: ignore[assignment]
        f"{name}: {audit_['title']}"
        for name, audit_ in data["audits"].items()
        if audit_.get("score") is not None
        and audit_["score"] < 1
        and audit_.get("scoreDisplayMode") == "binary"
    )
    return scores


def audit_median(url: str, runs: int) -> dict[str, float]:
    """The median of ``runs`` Lighthouse runs, measure by measure."""
    results = [audit(url) for _ in range(runs)]
    merged: dict[str, float] = {
        key: statistics.median(r[key] for r in results) for key in results[0] if key != "failed"
    }
    merged["failed"] = sorted({f for r in results for f in r["failed"]})  # type: ignore[assignment]
    return merged


def audit_site(
    folder: Path, runs: int = 1, pages: list[str] | None = None, progress=None
) -> dict[str, dict[str, float]]:
    """Each page of the built book at ``folder``, served with gzip: its median scores."""
    with GzipSite(folder) as site:
        results = {}
        for page in pages or site.pages():
            results[page] = audit_median(site.base + page, runs)
            if progress:
                progress(page, results[page])
        return results


def summary(results: dict[str, dict[str, float]]) -> dict[str, str]:
    """One line per measure: min/median of each category, max of FCP and LCP (the worst page)."""
    line = {}
    for name in CATEGORIES:
        values = [r[name] for r in results.values()]
        line[name] = f"{min(values):.0f} / {statistics.median(values):.0f}"
    for name in ("fcp", "lcp"):
        line[name] = f"{max(r[name] for r in results.values()):.1f} s"
    line["tbt"] = f"{max(r['tbt'] for r in results.values()):.0f} ms"
    return line


def _print(page: str, scores: dict[str, float]) -> None:
    print(
        f"{page:<48} perf {scores['performance']:3.0f}  a11y {scores['accessibility']:3.0f}  "
        f"bp {scores['best-practices']:3.0f}  seo {scores['seo']:3.0f}  FCP {scores['fcp']:.2f} s  "
        f"LCP {scores['lcp']:.2f} s  TBT {scores['tbt']:.0f} ms"
        + (f"\n    failed: {'; '.join(scores['failed'])}" if scores["failed"] else ""),
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the built HTML book (_build/html)")
    parser.add_argument("pages", nargs="*", help="pages to audit (default: every page)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is reported")
    args = parser.parse_args(argv)
    results = audit_site(args.folder, args.runs, args.pages or None, progress=_print)
    print(json.dumps(summary(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
