"""A build never publishes a stale page: the execution cache follows the package, and every
build writes every page.

Two ways a page went stale, and what this module does about each:

* **Outputs from old code or data.** myst-nb's execution cache (jupyter-cache) keys a page on
  its own code cells only, so an edit to ``osmcourse/`` (a loader, a model, a data file) or to
  the seed texts left every page showing the old outputs ("Using cached notebook"). Here the
  cache lives in a folder named after a fingerprint (a hash) of everything the pages' code
  reads: the package's files and the seeds. Another fingerprint, another folder: the pages
  are executed afresh, and folders of older fingerprints are removed. Each package file is
  also noted as a dependency of every page (Sphinx's own mechanism), so an edit marks the
  pages outdated and Sphinx reads them again instead of reusing their old doctrees.
* **Navigation from an old build.** The sidebar (every part's and page's title) is in every
  page, but Sphinx writes only the pages it read again. After a title or table-of-contents
  edit the other pages kept the old sidebar. Here the ``env-get-updated`` event hands Sphinx
  every page, so every build writes all of them (as ``sphinx-build -a`` does); reading and
  executing still happen only for what changed, so a rebuild stays fast.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

import osmcourse
from osmcourse.text import SEEDS_DIR

PACKAGE_DIR = Path(osmcourse.__file__).resolve().parent
FINGERPRINT_PREFIX = "osm-"
# Files that are not read by the pages' code: Python's byte-code caches.
_IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def package_files(package_dir: Path = PACKAGE_DIR, seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """Every file the pages' code can read: the package's code and data, and the seeds."""
    files: set[Path] = set()
    for folder in (package_dir, seeds_dir):
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not _IGNORED_PARTS & set(path.parts) and path.suffix != ".pyc":
                files.add(path.resolve())
    return sorted(files)


def fingerprint(files: list[Path], base: Path) -> str:
    """A short hash of the files' names (relative to ``base``) and contents."""
    digest = hashlib.sha256()
    for path in files:
        try:
            name = path.relative_to(base).as_posix()
        except ValueError:
            name = path.as_posix()
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def cache_folder(base: Path, print_: str) -> Path:
    """The execution cache for one fingerprint, inside the usual cache folder."""
    return base / f"{FINGERPRINT_PREFIX}{print_}"


def remove_stale_caches(base: Path, keep: Path) -> list[Path]:
    """Remove the cache folders of other fingerprints; return what was removed."""
    removed = []
    if base.is_dir():
        for folder in base.iterdir():
            if folder.is_dir() and folder.name.startswith(FINGERPRINT_PREFIX) and folder != keep:
                shutil.rmtree(folder)
                removed.append(folder)
    return removed


def key_cache_on_package(app: Sphinx, config: object) -> None:
    """Point myst-nb's execution cache at the folder of the package's current fingerprint.

    ``config-inited`` runs before myst-nb reads ``nb_execution_cache_path`` (at
    ``builder-inited``). An explicit ``execute.cache`` in ``_config.yml`` is kept as the base.
    """
    files = package_files()
    app.osm_package_files = files  # type: ignore[attr-defined]
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    current = cache_folder(base.resolve(), fingerprint(files, PACKAGE_DIR.parent))
    remove_stale_caches(current.parent, current)
    config.nb_execution_cache_path = str(current)


def note_package_dependencies(app: Sphinx, doctree: object) -> None:
    """Every page depends on every package file: an edit to one makes Sphinx read it again."""
    for path in getattr(app, "osm_package_files", []):
        app.env.note_dependency(str(path))


def write_every_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page is written on every build: the sidebar in each must match the others."""
    return sorted(env.found_docs)


def setup(app: Sphinx) -> None:
    # After jupyter-book's and myst-nb's own config-inited handlers (priority 500).
    app.connect("config-inited", key_cache_on_package, priority=800)
    app.connect("doctree-read", note_package_dependencies)
    app.connect("env-get-updated", write_every_page)
