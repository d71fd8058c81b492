"""Adding a sixth lab touches only the lab's own files, one registry entry and the contents.

In a temporary copy of the repository (its tracked files), a tiny lab is added from a template
as a maintainer would: a master notebook (four numeric tasks and a choice, as every lab has),
a checks module, a key module, a test-cases module, a record in ``osmcourse/labs.py`` and a
line in ``_toc.yml``. Then, with no other edit, the registry, the sealed keys, the student-copy
maker, the grader's lab lookup, the instructors' table of labs, the checks' own tests and nbval
all pick it up. The test also counts the files the addition touched, by hand
and generated (six by hand, the issue's goal).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from osmcourse.checks.core import decimals
from osmcourse.student.copies import colab_setup_cell, repository_url

pytestmark = pytest.mark.slow

LAB_ID, NOTEBOOK, TITLE = "tiny", "tiny-mean.ipynb", "Tiny mean"

# The template follows the course's rules for a lab: at least four tasks, each numeric one with
# a declared precision its text states, ending with an interpretation choice (task 5).
TASKS = {  # number: (variable, what it is, the solution's code, precision)
    "1": ("mean_value", "the mean", "sum(NUMBERS) / len(NUMBERS)", decimals(2)),
    "2": ("median_value", "the median", "sorted(NUMBERS)[1]", decimals(0)),
    "3": ("total", "the sum", "sum(NUMBERS)", decimals(0)),
    "4": ("spread", "the largest minus the smallest", "max(NUMBERS) - min(NUMBERS)", decimals(0)),
}

CHECKS = f'''\
"""Checks for the lab "{TITLE}" (a template: four numeric tasks and a choice)."""

from __future__ import annotations

from typing import Any

from osmcourse.checks.core import Lab, as_number, decimals, keyed_choice

LAB = Lab("{LAB_ID}", "{TITLE}")
KEY = LAB.key
NUMBERS = (2, 4, 10)
MEAN, WHOLE = decimals(2), decimals(0)


def _numeric(number: str, answer: Any, what: str, precision) -> tuple[bool, str]:
    value = as_number(answer, what)
    if KEY.near(f"{{number}}.value", value):
        return True, f"Right: that is {{what}} of the numbers."
    return False, f"Compute {{what}} of NUMBERS and give it {{precision.words}}."


@LAB.task(1, answer="mean_value", description="the mean", precision=MEAN)
def task1(answer: Any) -> tuple[bool, str]:
    return _numeric("1", answer, "the mean", MEAN)


@LAB.task(2, answer="median_value", description="the median", precision=WHOLE)
def task2(answer: Any) -> tuple[bool, str]:
    return _numeric("2", answer, "the median", WHOLE)


@LAB.task(3, answer="total", description="the sum", precision=WHOLE)
def task3(answer: Any) -> tuple[bool, str]:
    return _numeric("3", answer, "the sum", WHOLE)


@LAB.task(4, answer="spread", description="the largest minus the smallest", precision=WHOLE)
def task4(answer: Any) -> tuple[bool, str]:
    return _numeric("4", answer, "the largest minus the smallest", WHOLE)


@LAB.task(5, answer="interpretation", description="which statistic the largest number moves")
def task5(answer: Any) -> tuple[bool, str]:
    return keyed_choice(answer, KEY, "5")
'''

KEYS = f'''\
"""The answer key of the lab "{TITLE}": plain targets, for the grader only."""

from __future__ import annotations

from osmcourse.checks.key import Choice, at
from osmcourse.checks.{LAB_ID} import MEAN, NUMBERS, WHOLE


def targets() -> dict:
    return {{
        "1.value": at(MEAN, sum(NUMBERS) / len(NUMBERS)),
        "2.value": at(WHOLE, sorted(NUMBERS)[1]),
        "3.value": at(WHOLE, sum(NUMBERS)),
        "4.value": at(WHOLE, max(NUMBERS) - min(NUMBERS)),
        "5": Choice(
            correct="a",
            right="Right: every number counts in the mean, so one large number pulls it up.",
            hints={{"b": "The median is the middle number: re-read tasks 1 and 2."}},
        ),
    }}
'''

CASES = f'''\
"""Answer cases for the lab "{TITLE}" (see test_checks.py)."""

# Tasks whose answer is a choice or a name: every other task is numeric.
NOT_NUMERIC = {{"5"}}

CASES = {{
    "1": (5.33, [16, 5.3, 4, "5.33"]),
    "2": (4, [5.33, 16, "4"]),
    "3": (16, [5.33, 4, 8]),
    "4": (8, [10, 2, 16]),
    "5": ("a", ["b"]),
}}


def exact_answers() -> dict:
    from osmcourse.checks.{LAB_ID} import NUMBERS

    return {{
        "1": sum(NUMBERS) / len(NUMBERS),
        "2": sorted(NUMBERS)[1],
        "3": sum(NUMBERS),
        "4": max(NUMBERS) - min(NUMBERS),
    }}


def other_settings() -> dict:
    """Each task's answer computed as another task asks: the checks must reject it."""
    return {{"1": [4.0, 16.0], "2": [5.333, 16.0], "3": [5.333, 4.0], "4": [10.0, 2.0]}}
'''

RECORD = f"""\
    LabRecord(
        id="{LAB_ID}",
        title="{TITLE}",
        notebook="{NOTEBOOK}",
    ),
"""


def _master(url: str) -> nbformat.NotebookNode:
    """The template's master notebook: a label and title, the set-up, the tasks."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["osmcourse"] = {"edition": "solutions", "lab": LAB_ID}
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"(lab-{LAB_ID})=\n# Lab: {TITLE}\n\nA template lab (no data file)."
        ),
        colab_setup_cell(url),
        nbformat.v4.new_code_cell(
            f"from osmcourse.checks import {LAB_ID} as check\n\nNUMBERS = (2, 4, 10)"
        ),
    ]
    tasks = [
        (n, name, what, code, precision.words) for n, (name, what, code, precision) in TASKS.items()
    ]
    tasks.append(("5", "interpretation", "", '"a"', ""))
    for number, name, what, code, words in tasks:
        if number == "5":
            text = (
                "Which statistic does the largest number move more: (a) the mean or "
                f"(b) the median? Store the letter in `{name}`."
            )
        else:
            text = f"What is {what} of `NUMBERS`? Store it, {words}, in `{name}`."
        solution = nbformat.v4.new_code_cell(f"{name} = {code}\n{name}")
        solution.metadata["tags"] = ["solution"]
        solution.metadata["osmcourse"] = {"stub": f"{name} = ..."}
        nb.cells += [
            nbformat.v4.new_markdown_cell(f"## Task {number}\n\n{text}"),
            solution,
            nbformat.v4.new_code_cell(f"check.task{number}({name})"),
        ]
    return nb


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".pytest" not in path.name
    }


def _add_the_lab(repo: Path) -> None:
    """The maintainer's edits, following the checklist: the lab's own files and two entries."""
    (repo / "osmcourse" / "checks" / f"{LAB_ID}.py").write_text(CHECKS, encoding="utf-8")
    (repo / "osmcourse" / "keys" / f"{LAB_ID}.py").write_text(KEYS, encoding="utf-8")
    (repo / "tests" / f"cases_{LAB_ID}.py").write_text(CASES, encoding="utf-8")
    nbformat.write(_master(repository_url(repo)), repo / "exercises" / NOTEBOOK)
    registry = repo / "osmcourse" / "labs.py"
    text = registry.read_text(encoding="utf-8")
    end = "\n)\n\nLABS_BY_ID"
    assert text.count(end) == 1, "the registry's LABS tuple no longer ends as the template expects"
    registry.write_text(text.replace(end, "\n" + RECORD.rstrip("\n") + end), encoding="utf-8")
    toc = repo / "_toc.yml"
    text = toc.read_text(encoding="utf-8")
    last = "      - file: exercises/trust-and-noise\n"
    assert text.count(last) == 1
    toc.write_text(text.replace(last, last + f"      - file: exercises/{NOTEBOOK[:-6]}\n"), "utf-8")


VERIFY = textwrap.dedent(
    f"""
    from pathlib import Path

    import nbformat

    import osmcourse
    from osmcourse.checks import LAB_MODULES, get_lab
    from osmcourse.checks.core import CORRECT, INCORRECT
    from osmcourse.student.copies import master_notebooks
    from osmcourse.grading.grader import find_lab
    from osmcourse.keys import use_grading_key
    from osmcourse.labs import LAB_IDS

    here = Path.cwd().resolve()
    assert Path(osmcourse.__file__).resolve().is_relative_to(here), osmcourse.__file__
    assert len(LAB_IDS) == 6 and LAB_IDS[-1] == "{LAB_ID}", LAB_IDS
    assert "{LAB_ID}" in LAB_MODULES
    assert here / "exercises" / "{NOTEBOOK}" in [p.resolve() for p in master_notebooks(here)]
    for path in ("exercises/{NOTEBOOK}", "exercises/student/{NOTEBOOK}"):
        assert find_lab(nbformat.read(path, as_version=4)) == "{LAB_ID}", path
    lab = get_lab("{LAB_ID}")
    # The notebooks' sealed key, then the grader's key built from the plain targets.
    for _ in range(2):
        assert lab.check("1", 5.33).status == CORRECT
        assert lab.check("1", 16).status == INCORRECT
        assert lab.check("5", "a").status == CORRECT
        assert lab.check("5", "b").status == INCORRECT
        use_grading_key("{LAB_ID}")
    print("verified")
    """
)


def test_a_sixth_lab_needs_its_own_files_and_one_registry_entry(tmp_path):
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    repo = tmp_path / "course"
    for name in filter(None, tracked.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    before = _snapshot(repo)
    _add_the_lab(repo)
    by_hand = {name for name, data in _snapshot(repo).items() if before.get(name) != data}

    # The copy's package, not the installed one, for every process (kernels included).
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    # Generated, never by hand: the sealed key, the master's outputs, the student copy.
    run("-m", "osmcourse.keys")
    run("-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
        f"exercises/{NOTEBOOK}")  # fmt: skip
    run("-m", "osmcourse", "student", "--out", "exercises/student", "--book", ".")
    assert "verified" in run("-c", VERIFY)
    # The instructors' table of labs (the lab-table directive) has the new lab's row.
    table = run("-c", "from osmcourse.book.labtable import lab_table_markdown as t; print(t())")
    assert f"`exercises/student/{NOTEBOOK}` | `{LAB_ID}` |" in table

    # The course's own tests pick the lab up: the registry, the checks (with tests/cases_tiny.py),
    # the student copies; and nbval runs the new master.
    out = run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
        "tests/test_labs.py", "tests/test_checks.py", "tests/test_student_copies.py",
        "-k", f"{LAB_ID} or registry or every or committed or table_of_contents",
    )  # fmt: skip
    assert " passed" in out and "failed" not in out, out
    assert "tiny" in run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
                         "tests/test_checks.py")  # fmt: skip
    out = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", f"exercises/{NOTEBOOK}")
    assert " passed" in out and "failed" not in out, out

    after = _snapshot(repo)
    touched = {name for name, data in after.items() if before.get(name) != data}
    generated = touched - by_hand
    assert by_hand == {
        "_toc.yml",
        f"exercises/{NOTEBOOK}",
        "osmcourse/labs.py",
        f"osmcourse/checks/{LAB_ID}.py",
        f"osmcourse/keys/{LAB_ID}.py",
        f"tests/cases_{LAB_ID}.py",
    }, sorted(by_hand)
    assert generated == {
        f"osmcourse/checks/keys/{LAB_ID}.json",
        f"exercises/student/{NOTEBOOK}",
    }, sorted(generated)
    assert len(by_hand) <= 6  # the goal for a lab
