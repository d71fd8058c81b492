"""The one reader of the book's ``_config.yml`` outside a Sphinx build, and where the book is.

Student copies, their plain-Markdown links and the publish check all need a few settings of
the book's configuration (where the repository is, where the book is published, how the
bibliography names its entries). They read them here, so the file is parsed in one way and a
missing or malformed file is reported once, naming it. Inside a build the Sphinx extension
(:mod:`osmcourse.book`) uses ``app.config``, which Jupyter Book has already made from it.

The book's folders that the package reads outside a build (the reading checks, for the LMS
export) are named here relative to the book's root, and :func:`find_book_root` finds that root
in one way for everyone. The seeds are found by :func:`osmcourse.text.find_seeds_dir`
instead: the wheel ships them, and the labs read them without this module's YAML dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAME = "_config.yml"
# The page that lists every work cited (``{bibliography}``): citations in the book and the
# student copies' author-year links both point at it. The extension's default for
# ``osm_bibliography_page``.
BIBLIOGRAPHY_PAGE = "chapters/bibliography"
TOC_NAME = "_toc.yml"
# The reading checks' question files, one per reading chapter (osmcourse.quizzes), relative to
# the book's root: book content beside the chapters, not package data.
QUIZZES_FOLDER = "chapters/readings/quizzes"


def find_book_root() -> Path:
    """The course repository's root: the folder holding the book's ``_config.yml`` and ``_toc.yml``.

    A checkout (and an editable install, which runs the checkout's code) has the package inside
    the book, so the root is the ``osmcourse`` folder's parent. An installed wheel has no book
    beside it; then the root is the current folder, when it is the course repository. If
    neither holds a book, the current folder is returned, so an error names a path that the
    user can check ("run this from the course repository").
    """
    checkout = Path(__file__).resolve().parent.parent
    for root in (checkout, Path.cwd()):
        if (root / CONFIG_NAME).is_file() and (root / TOC_NAME).is_file():
            return root
    return Path.cwd()


class BookConfigError(ValueError):
    """The book's ``_config.yml`` is missing, malformed, or lacks a setting; says which."""


@dataclass(frozen=True)
class BookConfig:
    """The parsed ``_config.yml`` of a book, with typed accessors for what callers use."""

    path: Path
    settings: dict[str, Any]

    @classmethod
    def read(cls, book_root: Path | str = ".", wanted: str = "") -> BookConfig:
        """The ``_config.yml`` in ``book_root``; ``wanted`` names the setting in errors."""
        return cls.from_file(Path(book_root) / CONFIG_NAME, wanted)

    @classmethod
    def from_file(cls, path: Path | str, wanted: str = "") -> BookConfig:
        """A configuration file at an explicit path (e.g. ``--config`` on a command line).

        ``wanted`` (such as ``"repository.url"``) is the setting the caller is after; an error
        names it as well as the file, so the reader knows what was being looked for.
        """
        path = Path(path)
        what = wanted or "the book's configuration"
        try:
            settings = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise BookConfigError(f"{path}: cannot read {what} ({error})") from error
        if not isinstance(settings, dict):
            raise BookConfigError(f"{path}: cannot read {what} (not a YAML mapping)")
        return cls(path, settings)

    def _section(self, name: str) -> dict[str, Any]:
        section = self.settings.get(name) or {}
        if not isinstance(section, dict):
            raise BookConfigError(f"{self.path}: {name} must be a mapping, not {section!r}")
        return section

    @property
    def title(self) -> str:
        """The book's title (empty when unset)."""
        return str(self.settings.get("title") or "")

    @property
    def repository_url(self) -> str:
        """``repository.url`` as written (stripped), the setting every launch link follows."""
        url = self._section("repository").get("url")
        if not url:
            raise BookConfigError(f"{self.path}: cannot read repository.url (it is not set)")
        return str(url).strip()

    def https_repository_url(self) -> str:
        """``repository.url`` without a trailing ``/``; it must be an https URL."""
        url = self.repository_url.rstrip("/")
        if not url.startswith("https://"):
            raise BookConfigError(f"{self.path}: repository.url must be an https URL, not {url!r}")
        return url

    @property
    def book_url(self) -> str:
        """Where the book is published, ending in ``/``.

        ``book_url`` when set; otherwise GitHub Pages' address for ``repository.url``
        (``https://github.com/ORG/REPO`` → ``https://ORG.github.io/REPO/``). Anything else is an
        error that says which setting to add.
        """
        return published_book_url(self.settings)

    @property
    def sphinx_config(self) -> dict[str, Any]:
        """``sphinx.config``: settings passed to Sphinx as they are."""
        sphinx = self._section("sphinx")
        config = sphinx.get("config") or {}
        if not isinstance(config, dict):
            raise BookConfigError(f"{self.path}: sphinx.config must be a mapping")
        return config

    @property
    def bibtex_cite_id(self) -> str:
        """sphinxcontrib-bibtex's ``bibtex_cite_id`` (the id of an entry's anchor), or ``""``."""
        return str(self.sphinx_config.get("bibtex_cite_id", "") or "")

    @property
    def bibtex_bibfiles(self) -> list[str]:
        """The BibTeX files of the bibliography, relative to the book's root."""
        files = self.settings.get("bibtex_bibfiles") or []
        if isinstance(files, str):
            files = [files]
        return [str(name) for name in files]


def published_book_url(settings: dict[str, Any]) -> str:
    """Where a book with these ``_config.yml`` settings is published, ending in ``/``."""
    explicit = settings.get("book_url")
    if explicit:
        url = str(explicit)
        if not url.startswith("https://"):
            raise BookConfigError(f"book_url in {CONFIG_NAME} must be an https URL, not {url!r}")
        return url.rstrip("/") + "/"
    repository = str((settings.get("repository") or {}).get("url", "")).rstrip("/")
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?", repository)
    if not match:
        raise BookConfigError(
            f"cannot tell where the book is published from repository.url {repository!r}: "
            f"set book_url in {CONFIG_NAME}"
        )
    org, repo = match.groups()
    return f"https://{org.lower()}.github.io/{repo}/"
