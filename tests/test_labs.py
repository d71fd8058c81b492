"""The lab registry (:mod:`osmcourse.labs`) is the one list of labs, and it tells the truth.

Every record's notebook, checks, key, models, data files, figures and reading links exist and
agree with the notebook itself; no lab notebook or checks module exists outside the registry;
the book's table of contents lists exactly the registered labs, in the registry's order.
"""

from __future__ import annotations

import json
import re
from importlib import import_module, util

import pytest
import yaml

from conftest import ROOT
from osmcourse import figures
from osmcourse.checks import LAB_MODULES, get_lab
from osmcourse.data import DATA_DIR
from osmcourse.labs import EXERCISES_DIR, LABS, LABS_BY_ID, LabRecord, lab_for_notebook, lab_record

# Modules of osmcourse/checks that are machinery, not a lab.
CHECKS_MACHINERY = {"__init__", "core", "key"}


def _notebook_text(lab: LabRecord) -> tuple[dict, str]:
    notebook = json.loads((ROOT / lab.master_path).read_text(encoding="utf-8"))
    return notebook, "\n".join("".join(cell["source"]) for cell in notebook["cells"])


def test_the_registry_is_the_list_of_labs_everywhere():
    assert len(LABS) == len(LABS_BY_ID) >= 1
    assert LAB_MODULES == {lab.id: lab.id for lab in LABS}
    masters = {path.name for path in (ROOT / EXERCISES_DIR).glob("*.ipynb")}
    assert masters == {lab.notebook for lab in LABS}
    checks = {p.stem for p in (ROOT / "osmcourse" / "checks").glob("*.py")} - CHECKS_MACHINERY
    assert checks == set(LABS_BY_ID)
    keys = {p.stem for p in (ROOT / "osmcourse" / "keys").glob("*.py")} - {"__init__", "__main__"}
    assert keys == set(LABS_BY_ID)


def test_the_table_of_contents_lists_the_registered_labs_in_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [
        chapter["file"]
        for part in toc["parts"]
        for chapter in part.get("chapters", [])
        if chapter["file"].startswith(f"{EXERCISES_DIR}/")
    ]
    assert files == [f"{EXERCISES_DIR}/{lab.stem}" for lab in LABS]


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_each_record_agrees_with_its_notebook_and_modules(lab):
    notebook, text = _notebook_text(lab)
    assert notebook["metadata"]["osmcourse"]["lab"] == lab.id
    assert re.search(rf"^\({re.escape(lab.label)}\)=", text, re.M), lab.label
    assert re.search(rf"^# Lab: {re.escape(lab.title)}\s*$", text, re.M), lab.title
    assert f"from osmcourse.checks import {lab.id} as check" in text
    checks = get_lab(lab.id)
    assert (checks.name, checks.title) == (lab.id, lab.title)
    assert import_module(lab.checks).LAB is checks
    assert callable(import_module(lab.keys).targets)
    assert (ROOT / "osmcourse" / "checks" / "keys" / f"{lab.id}.json").is_file()
    assert (ROOT / "tests" / f"{lab.cases}.py").is_file()
    for model in lab.models:
        assert util.find_spec(f"osmcourse.models.{model}") is not None, model
    for name in lab.data:
        assert (DATA_DIR / name).is_file(), name
    for name in lab.figures:
        assert callable(getattr(figures, name)), name
        assert name in text, name
    # A lab's figures are drawn in its own module, osmcourse/figures/<id>.py, which draws no
    # other lab's; the package exports them.
    if lab.figures:
        module = import_module(f"osmcourse.figures.{lab.id}")
        assert {name for name in module.__all__ if name.endswith("_figure")} == set(lab.figures)
        for name in lab.figures:
            assert getattr(figures, name) is getattr(module, name), name
    # The reading chapters it links to: exactly those the record names.
    linked = set(re.findall(r"\{ref\}`(?:[^`<]*<)?(reading-[\w-]+)>?`", text))
    chapters = {
        label
        for path in (ROOT / "chapters" / "readings").glob("*.md")
        for label in re.findall(r"^\((reading-[\w-]+)\)=", path.read_text(encoding="utf-8"), re.M)[
            :1
        ]
    }
    assert set(lab.readings) <= chapters
    assert linked & chapters == set(lab.readings)


def test_the_figures_modules_are_the_shared_style_the_timeline_and_the_labs_that_draw():
    # Every module of osmcourse/figures/ is exported by the package: none is left out because
    # its lab record names no figures, or because it is named other than its lab.
    shared = {"__init__", "style", "timeline"}
    modules = {path.stem for path in (ROOT / "osmcourse" / "figures").glob("*.py")} - shared
    assert modules == {lab.id for lab in LABS if lab.figures}
    assert set(figures.MODULES) == modules | (shared - {"__init__"})


def test_lookups_give_clear_errors():
    assert lab_record("bass").notebook == "mass-media-vs-word-of-mouth.ipynb"
    assert lab_for_notebook("head-and-tail.ipynb") is LABS_BY_ID["longtail"]
    assert lab_for_notebook("no-such-lab.ipynb") is None
    for bad in ("astrology", None, ["bass"]):
        with pytest.raises(KeyError, match="the labs are"):
            lab_record(bad)
        with pytest.raises(KeyError, match="the labs are"):
            get_lab(bad)
    with pytest.raises(Exception):  # frozen: a record cannot be changed in place
        LABS[0].id = "changed"


def test_the_instructors_table_of_labs_is_written_from_the_registry():
    # answer-keys.md holds the lab-table directive, not a hand-written list of labs.
    from osmcourse.book.labtable import lab_table_markdown

    page = (ROOT / "chapters" / "instructors" / "answer-keys.md").read_text(encoding="utf-8")
    assert "```{lab-table}\n```" in page
    assert "| {ref}`lab-" not in page
    rows = [line for line in lab_table_markdown().splitlines() if line.startswith("| {ref}")]
    assert rows == [
        f"| {{ref}}`{lab.label}` | `{lab.label}` | `{lab.master_path}` "
        f"| `{EXERCISES_DIR}/student/{lab.notebook}` | `{lab.id}` |"
        for lab in LABS
    ]


def test_a_lab_notebook_outside_the_registry_is_an_error_not_skipped(tmp_path):
    from osmcourse.student.copies import master_notebooks

    (tmp_path / EXERCISES_DIR).mkdir()
    assert [p.name for p in master_notebooks(tmp_path)] == sorted(lab.notebook for lab in LABS)
    (tmp_path / EXERCISES_DIR / "stray.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="stray.ipynb is not in the lab registry"):
        master_notebooks(tmp_path)
