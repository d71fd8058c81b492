"""MyST Markdown → plain Markdown, for notebooks read outside the book.

The lab masters are pages of the book, so their Markdown cells use MyST: roles such as
``{ref}`¶3 <seed-002-p3>```, ``{cite:p}`bass1969``` and ``{term}`Noise```, ``(label)=``
targets and ``{note}`` directives. JupyterLab and Colab show those as they are. The student
copies are read there, so :func:`myst_to_markdown` rewrites them:

* cross-references (``{ref}``, ``{numref}``, ``{doc}``, ``{term}``) become ordinary links to
  the published book's page and anchor (the anchor is the id Sphinx gives the target);
* citations become author-year text, "(Bass, 1969)" or "Bass (1969)", linking to the
  work's entry on the book's bibliography page (its id comes from ``bibtex_cite_id``);
* ``(label)=`` lines and ``%`` comment lines disappear;
* admonitions (```` ```{note} ````, ``:::{admonition} Title``) become block quotes with a
  bold title.

Anything else MyST-only (an unknown role or directive, a ``{glue}`` value that only a book
build knows) raises :class:`MystConversionError` naming it, so no student copy is written
with syntax its reader would see raw.

:class:`BookIndex` holds what the conversion needs to know about the book: its published
address, where each label lives, the glossary's terms and the bibliography. It is read from
the book's sources (``_config.yml``, ``_toc.yml``, the pages, ``references.bib``), not from
a build, so ``python -m osmcourse student`` needs no build. The published address is
``book_url`` in ``_config.yml`` when set, otherwise the GitHub Pages address of
``repository.url`` (``https://github.com/ORG/REPO`` → ``https://ORG.github.io/REPO/``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from osmcourse.bookconfig import BIBLIOGRAPHY_PAGE, BookConfig

GLOSSARY_DIRECTIVE = "glossary"

# A MyST role: {name}`content` (names may hold ':' as in cite:p).
ROLE = re.compile(r"\{([A-Za-z][\w:+.-]*)\}`([^`]*)`")
# A role, or a code span (so roles inside code are not converted); roles are tried first.
INLINE = re.compile(
    r"\{(?P<role>[A-Za-z][\w:+.-]*)\}`(?P<content>[^`]*)`|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)"
)
# A MyST target line: (label)=
TARGET_LINE = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
# The opening line of a fenced block; a directive when a {name} follows the fence.
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
# Explicit text in a role: "text <target>".
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>\s*$", re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
SEED_TEXT = re.compile(r"^\s*(`{3,}|:{3,})\{seed-text\}\s+(?P<seed>\d+)\s*$", re.MULTILINE)
NAME_OPTION = re.compile(r"^\s*:name:\s*(?P<name>\S+)\s*$")

ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "admonition": "",
}


class MystConversionError(ValueError):
    """MyST syntax that has no plain Markdown form (or a reference to nothing)."""


@dataclass(frozen=True)
class Target:
    """Where a label points: a page (``chapters/glossary``, no suffix), an anchor, a title."""

    page: str
    anchor: str
    title: str


@dataclass
class BookIndex:
    """What converting a page's MyST needs to know about the book it belongs to."""

    base_url: str
    labels: dict[str, Target] = field(default_factory=dict)
    terms: dict[str, Target] = field(default_factory=dict)  # keyed by lower-case term
    page_titles: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: (authors, year)
    seed_pages: dict[str, str] = field(default_factory=dict)  # seed id: page showing its text
    # The id of a work's entry on the Bibliography page, from sphinxcontrib-bibtex's
    # bibtex_cite_id setting in _config.yml (the book's own anchors, so links land on the entry).
    citation_anchor: str = ""

    def url(self, page: str, anchor: str = "") -> str:
        """The published address of a page (and anchor)."""
        return f"{self.base_url}{page}.html" + (f"#{anchor}" if anchor else "")


# --- the book's address --------------------------------------------------------------------


def read_config(book_root: Path | str = ".") -> dict:
    """The book's ``_config.yml`` as a dict (read by :mod:`osmcourse.bookconfig`)."""
    return BookConfig.read(book_root).settings


# --- reading the book's sources -------------------------------------------------------------


def toc_pages(book_root: Path | str = ".") -> list[str]:
    """Every page in ``_toc.yml`` (document names such as ``chapters/glossary``)."""
    path = Path(book_root) / "_toc.yml"
    toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    pages: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    pages.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return list(dict.fromkeys(pages))


def page_markdown(book_root: Path, page: str) -> str:
    """A page's MyST Markdown: the ``.md`` file, or a notebook's Markdown cells joined."""
    markdown = book_root / f"{page}.md"
    if markdown.is_file():
        return markdown.read_text(encoding="utf-8")
    notebook = book_root / f"{page}.ipynb"
    if notebook.is_file():
        cells = nbformat.read(notebook, as_version=4).cells
        return "\n\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    raise FileNotFoundError(f"_toc.yml names {page}, but there is no {page}.md or .ipynb")


def sphinx_id(text: str) -> str:
    """The id Sphinx makes from a text (``sphinx.util.nodes._make_id``): ``Long Tail`` →
    ``Long-Tail``. Capitals are kept; accents dropped; other non-alphanumerics become '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ident = re.sub(r"[^A-Za-z0-9_.]+", "-", " ".join(ascii_text.split()))
    return re.sub(r"^[^A-Za-z]+|[^A-Za-z0-9]+$", "", ident)


def _strip_inline_markup(text: str) -> str:
    """A heading's text as Sphinx shows it in a reference: roles keep their visible text."""

    def visible(match: re.Match[str]) -> str:
        explicit = EXPLICIT.match(match.group(2))
        return explicit.group("text") if explicit and explicit.group("text") else match.group(2)

    return re.sub(r"[*_`]", "", ROLE.sub(visible, text)).strip()


def _index_page(index: BookIndex, page: str, source: str) -> None:
    lines = source.splitlines()
    for number, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading and page not in index.page_titles:
            index.page_titles[page] = _strip_inline_markup(heading.group("title"))
        target = TARGET_LINE.match(line)
        if target:
            title = next(
                (
                    _strip_inline_markup(h.group("title"))
                    for later in lines[number + 1 :]
                    if (h := HEADING.match(later))
                ),
                target.group(1),
            )
            index.labels[target.group(1)] = Target(page, target.group(1), title)
        name = NAME_OPTION.match(line)
        if name:
            index.labels[name.group("name")] = Target(page, name.group("name"), name.group("name"))
    for match in SEED_TEXT.finditer(source):
        # The seed-text directive labels every paragraph seed-NNN-pK (osmcourse.book.seeds).
        index.seed_pages[match.group("seed")] = page
    if f"{{{GLOSSARY_DIRECTIVE}}}" in source:
        for term in glossary_terms(source):
            index.terms[term.lower()] = Target(page, f"term-{sphinx_id(term)}", term)


def glossary_terms(source: str) -> list[str]:
    """The terms defined in a page's ``{glossary}`` directive (unindented lines in it)."""
    terms: list[str] = []
    inside, fence = False, ""
    for line in source.splitlines():
        opening = FENCE_OPEN.match(line)
        if not inside:
            if opening and opening.group("info").strip().startswith(f"{{{GLOSSARY_DIRECTIVE}}}"):
                inside, fence = True, opening.group("fence")
            continue
        if line.strip() == fence or (
            line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0])
        ):
            inside = False
        elif line and not line[0].isspace() and not line.startswith(":"):
            terms.append(line.strip())
    return terms


def read_citations(bib_path: Path) -> dict[str, tuple[str, str]]:
    """``key: (authors, year)`` for every entry of a BibTeX file, as the book cites them:
    "Bass", "Katz and Lazarsfeld", "Lazarsfeld et al." (three or more)."""
    # pybtex is a book-building dependency (the "book" extra), not a student one.
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    citations = {}
    for key, entry in parse_file(str(bib_path), bib_format="bibtex").entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [
            Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")
            for person in people
        ]
        if not names:
            authors = Text.from_latex(entry.fields.get("organization", key)).render_as("text")
        elif len(names) <= 2:
            authors = " and ".join(names)
        else:
            authors = f"{names[0]} et al."
        citations[key] = (authors, entry.fields.get("year", "n.d."))
    return citations


def book_index(book_root: Path | str = ".") -> BookIndex:
    """Read a book's address, labels, glossary terms and citations from its sources."""
    root = Path(book_root)
    config = BookConfig.read(root)
    index = BookIndex(base_url=config.book_url)
    anchor = config.bibtex_cite_id
    if "{key}" not in anchor or "{bibliography_count}" in anchor:
        raise ValueError(
            "_config.yml: sphinx.config.bibtex_cite_id must make an entry's id "
            'from its key alone (such as "cite-{key}"), so that links from '
            f"the student notebooks can land on it; it is {anchor!r}"
        )
    index.citation_anchor = anchor
    for page in toc_pages(root):
        _index_page(index, page, page_markdown(root, page))
    for bib in config.bibtex_bibfiles:
        index.citations.update(read_citations(root / bib))
    return index


# --- the conversion -------------------------------------------------------------------------


def _escape_link_text(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def _split_explicit(content: str) -> tuple[str | None, str]:
    explicit = EXPLICIT.match(content)
    if explicit and explicit.group("text"):
        return explicit.group("text"), explicit.group("target").strip()
    return None, content.strip()


def _label(index: BookIndex, label: str) -> Target:
    if label in index.labels:
        return index.labels[label]
    seed = re.fullmatch(r"seed-(\d+)-p\d+", label)
    if seed and seed.group(1) in index.seed_pages:
        return Target(index.seed_pages[seed.group(1)], label, label)
    raise MystConversionError(f"no page of the book has the label {label!r}")


def _link(text: str, url: str) -> str:
    return f"[{_escape_link_text(text)}]({url})"


def _citation(index: BookIndex, role: str, content: str) -> str:
    keys = [key.strip() for key in content.split(",") if key.strip()]
    unknown = [key for key in keys if key not in index.citations]
    if unknown:
        raise MystConversionError(f"references.bib has no entry {', '.join(unknown)}")
    urls = {
        key: index.url(BIBLIOGRAPHY_PAGE, index.citation_anchor.format(key=key)) for key in keys
    }
    if role == "cite:t":
        return "; ".join(
            _link(f"{index.citations[key][0]} ({index.citations[key][1]})", urls[key])
            for key in keys
        )
    inner = "; ".join(
        _link(f"{index.citations[key][0]}, {index.citations[key][1]}", urls[key]) for key in keys
    )
    return f"({inner})"


def convert_role(index: BookIndex, role: str, content: str) -> str:
    """One MyST role as plain Markdown (a link, or author-year text with a link)."""
    if role in ("ref", "numref"):
        text, label = _split_explicit(content)
        target = _label(index, label)
        if text is None:
            text = target.title if role == "ref" else "this figure"
        # {numref} numbers ("Fig. %s") exist only in a build; keep the words around them.
        text = re.sub(r"\s*(%s|\{number\})", "", text).strip() or target.title
        return _link(text, index.url(target.page, target.anchor))
    if role == "doc":
        text, page = _split_explicit(content)
        page = page.removesuffix(".md").removesuffix(".ipynb").lstrip("/")
        if page not in index.page_titles:
            raise MystConversionError(f"{{doc}} names {page!r}, which is not a page of the book")
        return _link(text or index.page_titles[page], index.url(page))
    if role == "term":
        text, term = _split_explicit(content)
        target = index.terms.get(term.lower())
        if target is None:
            raise MystConversionError(f"the glossary has no term {term!r}")
        return _link(text or term, index.url(target.page, target.anchor))
    if role in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts"):
        return _citation(index, role.removesuffix("s") if role.endswith("s") else role, content)
    if role == "math":
        return f"${content}$"
    if role in ("sub", "sup"):
        return f"<{role}>{content}</{role}>"
    if role.startswith("glue"):
        raise MystConversionError(
            f"{{{role}}}`{content}` shows a value only a book build knows; "
            "write the value in the text or compute it in a code cell"
        )
    raise MystConversionError(f"no plain Markdown form for the MyST role {{{role}}}")


def convert_inline(index: BookIndex, text: str) -> str:
    """Replace every MyST role in a stretch of Markdown (code spans are left alone)."""

    def replace(match: re.Match[str]) -> str:
        if match.group("role"):
            return convert_role(index, match.group("role"), match.group("content"))
        return match.group(0)  # a code span: shown as it is

    return INLINE.sub(replace, text)


def _blockquote(title: str, body: str) -> str:
    lines = [f"> **{title}**" if title else None, ">" if title and body.strip() else None]
    lines = [line for line in lines if line is not None]
    lines += [f"> {line}" if line.strip() else ">" for line in body.strip("\n").splitlines()]
    return "\n".join(lines)


def myst_to_markdown(source: str, index: BookIndex) -> str:
    """A Markdown cell's MyST as plain Markdown (see the module's docstring)."""
    lines = source.splitlines()
    out: list[str] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        opening = FENCE_OPEN.match(line)
        if opening:
            fence, indent = opening.group("fence"), opening.group("indent")
            end = number + 1
            while end < len(lines) and not re.fullmatch(
                rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*", lines[end]
            ):
                end += 1
            body_lines = lines[number + 1 : end]
            directive = DIRECTIVE_INFO.match(opening.group("info").strip())
            if directive is None:  # an ordinary code block: copied as it is
                out.extend(lines[number : end + 1])
            else:
                out.append(
                    indent
                    + _directive(
                        index, directive.group("name"), directive.group("argument"), body_lines
                    ).replace("\n", "\n" + indent)
                )
            number = end + 1
            continue
        if TARGET_LINE.match(line) or re.match(r"^\s*%", line):
            number += 1
            continue
        out.append(convert_inline(index, line))
        number += 1
    return "\n".join(out).strip("\n")


def _directive(index: BookIndex, name: str, argument: str, body: list[str]) -> str:
    if name not in ADMONITIONS:
        raise MystConversionError(f"no plain Markdown form for the MyST directive {{{name}}}")
    # Options (":class: tip") or a YAML block at the top of the body configure the book only.
    if body and body[0].strip() == "---":
        closing = next((i for i, line in enumerate(body[1:], 1) if line.strip() == "---"), 0)
        body = body[closing + 1 :]
    while body and re.match(r"^\s*:[\w-]+:", body[0]):
        body = body[1:]
    title = convert_inline(index, argument.strip()) if argument.strip() else ADMONITIONS[name]
    return _blockquote(title, myst_to_markdown("\n".join(body), index))


# --- checking the result --------------------------------------------------------------------

MYST_LEFTOVERS = {
    "target": re.compile(r"^\s*\([^()\s]+\)=\s*$", re.MULTILINE),
    "directive": re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{", re.MULTILINE),
    "comment": re.compile(r"^%", re.MULTILINE),
}
CODE_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[^{\n]*\n.*?^(?P=fence)\s*$", re.MULTILINE | re.DOTALL
)


def myst_leftovers(markdown: str) -> list[str]:
    """MyST-only syntax left in Markdown (empty when a plain Markdown reader shows it right).

    Code blocks and code spans are skipped: MyST shown as code is meant to be seen.
    """
    markdown = CODE_BLOCK.sub("", markdown)
    found = [f"role: {m.group(0)}" for m in INLINE.finditer(markdown) if m.group("role")]
    prose = INLINE.sub("", markdown)
    for kind, pattern in MYST_LEFTOVERS.items():
        found += [f"{kind}: {match.group(0).strip()}" for match in pattern.finditer(prose)]
    return found
