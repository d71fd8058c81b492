"""The course's labs, each declared once: THE list every other part derives from.

A lab is one record here. Everything per lab follows from its ``id`` by convention, so adding
a lab means adding a record and the files it names, not editing lists elsewhere:

* ``exercises/<notebook>``: the master notebook (worked solutions), whose metadata says
  ``{"osmcourse": {"lab": "<id>"}}``; its student copy ``exercises/student/<notebook>`` is
  generated from it (:mod:`osmcourse.student`);
* ``osmcourse/checks/<id>.py``: the answer checks, defining ``LAB`` (:mod:`osmcourse.checks`);
* ``osmcourse/keys/<id>.py``: the plain answer key for the grader (:mod:`osmcourse.keys`);
* ``osmcourse/figures/<id>.py``: the lab's figures, if it draws any (:mod:`osmcourse.figures`);
* ``tests/cases_<id>.py``: right and wrong answers for the check tests.

This module imports nothing from the rest of the package, so anything may import it (the
checks, the grader, the student-copy maker, the tests) without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

EXERCISES_DIR = "exercises"


@dataclass(frozen=True)
class LabRecord:
    """One lab: what it is called, where its parts live and what it reads and links to."""

    id: str
    """The lab's id, e.g. ``"bass"``: what the notebook's metadata names, and the name of its
    checks, key and test-cases modules."""
    title: str
    """The lab's title as the book shows it (without the "Lab: " prefix)."""
    notebook: str
    """The master notebook's file name in ``exercises/``."""
    models: tuple[str, ...] = ()
    """The modules of :mod:`osmcourse.models` the lab uses."""
    data: tuple[str, ...] = ()
    """The files of ``osmcourse/data/`` the lab loads (empty: none, e.g. data built in code)."""
    figures: tuple[str, ...] = ()
    """The functions of :mod:`osmcourse.figures` the lab draws with, defined in its module
    ``osmcourse/figures/<id>.py``."""
    readings: tuple[str, ...] = ()
    """The labels of the reading chapters the lab links to (``reading-...``)."""

    @property
    def checks(self) -> str:
        """The module of the lab's answer checks."""
        return f"osmcourse.checks.{self.id}"

    @property
    def keys(self) -> str:
        """The module of the lab's plain answer key (the grader's process only)."""
        return f"osmcourse.keys.{self.id}"

    @property
    def cases(self) -> str:
        """The test-cases module, ``tests/cases_<id>.py``."""
        return f"cases_{self.id}"

    @property
    def label(self) -> str:
        """The MyST label on top of the lab's notebook."""
        return f"lab-{self.id}"

    @property
    def stem(self) -> str:
        """The notebook's file name without ``.ipynb`` (its page name in the book)."""
        return self.notebook.removesuffix(".ipynb")

    @property
    def master_path(self) -> str:
        """The master notebook's path from the book's root."""
        return f"{EXERCISES_DIR}/{self.notebook}"


# In the order the book presents them (_toc.yml's "Data labs").
LABS: tuple[LabRecord, ...] = (
    LabRecord(
        id="readings",
        title="Reading the readings",
        notebook="reading-the-readings.ipynb",
        models=("vocabulary",),
        data=(),  # reads the seed texts through osmcourse.text, no data file
        figures=("vocabulary_figure",),
        readings=(
            "reading-open-source-marketing",
            "reading-cathedral-bazaar",
            "reading-lyssna",
            "reading-communities",
            "reading-marketing-2-0",
        ),
    ),
    LabRecord(
        id="bass",
        title="Mass media vs word of mouth",
        notebook="mass-media-vs-word-of-mouth.ipynb",
        models=("bass",),
        data=("bass_classic_sales.csv",),
        figures=("bass_fit_figure",),
        readings=("reading-open-source-marketing", "reading-lyssna"),
    ),
    LabRecord(
        id="network",
        title="Broadcast or bazaar",
        notebook="broadcast-or-bazaar.ipynb",
        models=("network",),
        data=(),  # Zachary's karate club ships with networkx
        figures=("club_network_figure", "reach_curve_figure"),
        readings=("reading-cathedral-bazaar", "reading-lyssna"),
    ),
    LabRecord(
        id="longtail",
        title="Head and tail",
        notebook="head-and-tail.ipynb",
        models=("longtail",),
        data=("long_tail_figures.csv",),
        figures=("long_tail_figure",),
        readings=("reading-marketing-2-0",),
    ),
    LabRecord(
        id="trust",
        title="Trust and noise",
        notebook="trust-and-noise.ipynb",
        models=("noise",),
        data=("nielsen_trust_in_advertising_2007_2013.csv",),
        figures=("community_noise_figure", "trust_by_format_figure"),
        readings=("reading-open-source-marketing", "reading-communities"),
    ),
)

LABS_BY_ID: dict[str, LabRecord] = {lab.id: lab for lab in LABS}
LAB_IDS: tuple[str, ...] = tuple(LABS_BY_ID)


def lab_record(lab_id: str) -> LabRecord:
    """The record of lab ``lab_id``; a clear :class:`KeyError` naming the labs if none."""
    try:
        return LABS_BY_ID[lab_id]
    except (KeyError, TypeError):
        raise KeyError(f"no lab {lab_id!r}; the labs are {sorted(LABS_BY_ID)}") from None


def lab_for_notebook(name: str) -> LabRecord | None:
    """The lab whose master notebook is called ``name`` (a file name), if any."""
    for lab in LABS:
        if lab.notebook == name:
            return lab
    return None


def _check_registry() -> None:
    """Ids, notebooks and labels must be unique: a duplicate would hide a lab."""
    for what in ("id", "notebook"):
        values = [getattr(lab, what) for lab in LABS]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"osmcourse.labs: two labs share the {what} {duplicates}")
    for lab in LABS:
        if not lab.id.isidentifier():
            raise ValueError(f"osmcourse.labs: lab id {lab.id!r} must be a Python identifier")
        if not lab.notebook.endswith(".ipynb") or "/" in lab.notebook:
            raise ValueError(f"osmcourse.labs: {lab.id}: notebook must be a .ipynb file name")


_check_registry()

__all__ = [
    "EXERCISES_DIR",
    "LABS",
    "LABS_BY_ID",
    "LAB_IDS",
    "LabRecord",
    "lab_for_notebook",
    "lab_record",
]
