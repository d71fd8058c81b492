"""Answer checks accept right answers, reject wrong ones with a hint, and never crash."""

from __future__ import annotations

from importlib import import_module

import numpy as np
import pandas as pd
import pytest

from osmcourse.checks import get_lab
from osmcourse.text import seed_ids
from osmcourse.checks.core import (
    CORRECT,
    INCORRECT,
    UNANSWERED,
    AnswerError,
    Lab,
    as_choice,
    as_mapping,
    as_number,
    as_text_list,
)
from osmcourse.labs import LABS, LABS_BY_ID

# For every lab in the registry, tests/cases_LAB.py holds CASES: task -> (a right answer,
# wrong answers that must be rejected). One file per lab, so each lab's cases sit beside
# nothing else.
CASES = {lab.id: import_module(lab.cases).CASES for lab in LABS}

ODD_VALUES = [object(), "", [], {}, float("nan"), True, np.array([1, 2]), pd.DataFrame()]


def test_every_lab_has_cases_and_cases_cover_every_task():
    # Every cases file belongs to a registered lab (a stray one would never run).
    files = {path.stem.removeprefix("cases_") for path in (ROOT / "tests").glob("cases_*.py")}
    assert files == set(LABS_BY_ID)
    assert set(CASES) == set(LABS_BY_ID)
    for name, cases in CASES.items():
        assert set(cases) == set(get_lab(name).tasks), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answers_pass(name):
    for task, (right, _) in CASES[name].items():
        feedback = get_lab(name).check(task, right)
        assert feedback.status == CORRECT, (task, str(feedback))
        assert feedback.points == feedback.max_points > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_answers_fail_with_a_hint(name):
    for task, (right, wrongs) in CASES[name].items():
        for wrong in wrongs:
            feedback = get_lab(name).check(task, wrong)
            assert feedback.status == INCORRECT, (task, wrong, str(feedback))
            assert feedback.points == 0
            assert len(feedback.message) > 15
            # A hint never gives the answer away (a choice list may name every letter, and a
            # hint may echo the student's own input).
            if not isinstance(right, str) and repr(right) not in repr(wrong):
                assert repr(right) not in feedback.message


@pytest.mark.parametrize("name", sorted(CASES))
def test_stubs_are_not_answered_yet_and_odd_values_do_not_crash(name):
    lab = get_lab(name)
    for task in lab.tasks:
        for stub in (..., None):
            feedback = lab.check(task, stub)
            assert feedback.status == UNANSWERED
            assert str(feedback).startswith(f"… Task {task}: not answered yet.")
        for odd in ODD_VALUES:
            assert lab.check(task, odd).status == INCORRECT


def test_feedback_prints_cleanly():
    feedback = get_lab("bass").check("1", 1956)
    assert str(feedback) == repr(feedback)
    assert str(feedback).startswith("✔ Task 1: correct.")
    assert "0x" not in repr(feedback)


def test_lab_registry_rejects_duplicates_and_unknown_tasks():
    lab = Lab("demo", "Demo")
    lab.task(1, answer="x")(lambda a: (a == 1, "ok"))
    with pytest.raises(ValueError, match="twice"):
        lab.task(1, answer="y")(lambda a: (True, ""))
    with pytest.raises(KeyError, match="no task 2"):
        lab.check(2, 1)
    with pytest.raises(KeyError, match="no lab"):
        get_lab("astrology")
    assert lab.answer_names == {"1": "x"} and lab.max_points == 1


def test_a_judge_that_raises_is_reported_not_raised():
    lab = Lab("demo", "Demo")
    lab.task(1, answer="x")(lambda a: 1 / 0)
    feedback = lab.check(1, 5)
    assert feedback.status == INCORRECT and "ZeroDivisionError" in feedback.message


def test_normalisers():
    assert as_number(np.float64(2.5)) == 2.5 and as_number([3]) == 3.0
    for bad in ("3", True, None, float("inf")):
        with pytest.raises(AnswerError):
            as_number(bad)
    assert as_choice(" B) ", "abc") == "b"
    with pytest.raises(AnswerError):
        as_choice(2, "abc")
    assert as_mapping(pd.Series({"a": 1})) == {"a": 1}
    with pytest.raises(AnswerError):
        as_mapping([1])
    assert as_text_list(pd.Index(["a", "b"])) == ["a", "b"]
    for bad in ("a", 5, [1, 2]):
        with pytest.raises(AnswerError):
            as_text_list(bad)


# --- Precision: one declared precision per numeric task, used by the judge and the text ---

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

from conftest import ROOT  # noqa: E402
from osmcourse.checks.core import Precision, decimals, significant  # noqa: E402

# Tasks whose answer is a choice or a name (every other task is numeric), declared in each
# lab's tests/cases_LAB.py beside its cases; the masters' names come from the lab registry.
NOT_NUMERIC = {lab.id: import_module(lab.cases).NOT_NUMERIC for lab in LABS}
MASTERS = {lab.id: lab.stem for lab in LABS}
EXACT = {lab.id: import_module(lab.cases).exact_answers() for lab in LABS}
OTHERS = {lab.id: import_module(lab.cases).other_settings() for lab in LABS}


def _round_to(value: float, precision: Precision, mode: str) -> float:
    unit = Decimal(str(precision.unit(value)))
    return float(Decimal(repr(float(value))).quantize(unit, rounding=mode))


def _rounded(answer, precision: Precision, mode: str = ROUND_HALF_EVEN):
    """Every number in ``answer`` (a number or a dict of them) rounded as the task asks."""
    if isinstance(answer, dict):
        return {key: _rounded(value, precision, mode) for key, value in answer.items()}
    if isinstance(answer, str):
        return answer
    return _round_to(float(answer), precision, mode)


def _numbers(answer) -> list[float]:
    if isinstance(answer, dict):
        return [float(v) for v in answer.values() if not isinstance(v, str)]
    return [float(answer)]


def test_every_numeric_task_declares_one_precision_and_only_those():
    for name in LABS_BY_ID:
        for number, task in get_lab(name).tasks.items():
            numeric = number not in NOT_NUMERIC[name]
            assert (task.precision is not None) == numeric, (name, number)
        # Every numeric task has its exact answer and other settings in tests/cases_LAB.py.
        numeric = set(get_lab(name).tasks) - NOT_NUMERIC[name]
        assert set(EXACT[name]) == numeric and set(OTHERS[name]) == numeric, name


def _task_text(name: str, number: str) -> str:
    """The master's Markdown from the task's heading down to its solution cell."""
    cells = json.loads((ROOT / "exercises" / f"{MASTERS[name]}.ipynb").read_text(encoding="utf-8"))[
        "cells"
    ]
    text, inside = [], False
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.search(rf"^## Task {number}\b", source, re.M):
            inside = True
            source = source[re.search(rf"^## Task {number}\b", source, re.M).start() :]
        elif inside and "solution" in cell.get("metadata", {}).get("tags", []):
            break
        if inside and cell["cell_type"] == "markdown":
            text.append(source)
    assert text, (name, number)
    return " ".join(" ".join(text).split())


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_each_task_text_states_the_precision_its_check_declares(name):
    for number, task in get_lab(name).tasks.items():
        if task.precision is not None:
            assert task.precision.words in _task_text(name, number), (
                name,
                number,
                task.precision.words,
            )


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_the_right_answer_rounded_as_asked_passes(name):
    lab = get_lab(name)
    for number, exact in EXACT[name].items():
        precision = lab.tasks[number].precision
        assert lab.check(number, exact).status == CORRECT, (name, number)
        for mode in (ROUND_HALF_EVEN, ROUND_HALF_UP):
            rounded = _rounded(exact, precision, mode)
            assert lab.check(number, rounded).status == CORRECT, (name, number, rounded)


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_values_from_other_settings_are_rejected(name):
    lab = get_lab(name)
    for number, answers in OTHERS[name].items():
        precision = lab.tasks[number].precision
        exact = EXACT[name][number]
        for answer in answers:
            if _numbers(answer) == pytest.approx(_numbers(exact), rel=1e-12):
                continue  # another setting that happens to give the same number: the same answer
            for given in (answer, _rounded(answer, precision)):
                feedback = lab.check(number, given)
                assert feedback.status == INCORRECT, (name, number, given, str(feedback))


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_the_right_answer_rounded_less_than_asked_is_rejected(name):
    # e.g. hub_reach = 0.24 when the task asks for four decimal places.
    lab = get_lab(name)
    for number, exact in EXACT[name].items():
        precision = lab.tasks[number].precision
        coarser = (
            Precision(decimals=precision.decimals - 1)
            if precision.decimals is not None
            else Precision(significant=max(1, precision.significant - 1))
        )
        if precision.decimals == 0:
            continue
        rounded = _rounded(exact, coarser)
        if all(precision.accepts(r, e) for r, e in zip(_numbers(rounded), _numbers(exact))):
            continue  # rounding further changes nothing (e.g. 22.4 to one place)
        assert lab.check(number, rounded).status == INCORRECT, (name, number, rounded)


def test_precision_accepts_exactly_half_a_unit_either_side():
    three = decimals(3)
    assert three.words == "to three decimal places" and decimals(0).words == "as a whole number"
    assert (
        significant(3).words == "to three significant figures"
        and decimals(1).words == "to one decimal place"
    )
    assert three.accepts(0.2447, 0.2447) and three.accepts(0.245, 0.24470588)
    assert not three.accepts(0.244, 0.24470588) and not three.accepts(0.2456, 0.24470588)
    assert three.accepts(0.124, 0.1235) and three.accepts(0.123, 0.1235)  # a tie: either way
    assert significant(3).accepts(12_400_000, 12_371_546) and not significant(3).accepts(
        12_300_000, 12_371_546
    )
    assert significant(3).rounded(12_371_546) == 12_400_000 and decimals(2).rounded(4.195061) == 4.2
    for bad in (dict(), dict(decimals=1, significant=2), dict(significant=0)):
        with pytest.raises(ValueError):
            Precision(**bad)
    assert not math.isnan(three.unit(0.0))


# --- Hints: never the answer, never how close, never down to one choice ------------------

# Words that would tell a student how near the answer is, or in which direction it lies.
NEARNESS = re.compile(
    r"\b(close|closer|just|almost|nearly|slightly|higher|lower|too (high|low|big|small|far)"
    r"|above|below|bigger|more than the answer|less than the answer|rounded too)\b",
    re.I,
)


def _wrong_answers(name: str) -> list[tuple[str, object]]:
    """Every wrong answer the tests know for a lab: the cases and the other settings."""
    answers = [(task, wrong) for task, (_, wrongs) in CASES[name].items() for wrong in wrongs]
    for task, others in OTHERS[name].items():
        precision = get_lab(name).tasks[task].precision
        answers += [(task, _rounded(other, precision)) for other in others]
    return answers


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_no_hint_says_how_close_or_in_which_direction(name):
    lab = get_lab(name)
    for task, wrong in _wrong_answers(name):
        feedback = lab.check(task, wrong)
        if feedback.status == INCORRECT:
            assert not NEARNESS.search(feedback.message), (name, task, wrong, feedback.message)
    # The right answer nudged off by a little and by a lot gets no nearness hint either.
    for task, exact in EXACT[name].items():
        if isinstance(exact, dict):
            continue
        for factor in (0.97, 0.999, 1.001, 1.03, 1.5):
            feedback = lab.check(task, exact * factor)
            if feedback.status == INCORRECT:
                assert not NEARNESS.search(feedback.message), (name, task, factor, feedback.message)


# The readings lab's task 1 chooses among the catalogue's seed ids (however many there are).
CHOICE_TASKS = {"readings": ("1", seed_ids()), "trust": ("1", None)}


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_no_choice_hint_names_or_narrows_down_to_the_right_choice(name):
    lab = get_lab(name)
    right, wrongs = CASES[name]["5"]
    letter = re.compile(
        rf"(\*\*{right}\b|\b(statement|option|choice|letter) {right}\b|\({right}\)|\"{right}\")",
        re.I,
    )
    for wrong in wrongs:
        feedback = lab.check("5", wrong)
        assert not letter.search(feedback.message), (name, wrong, feedback.message)
    if name == "readings":
        # Which text is longest: every wrong seed id gets the same hint, so no hint can
        # describe its choice in a way that leaves one other ("the longest English text").
        longest = CASES[name]["1"][0]
        ids = [seed_id for seed_id in CHOICE_TASKS[name][1] if seed_id != longest]
        assert len(ids) == len(seed_ids()) - 1
        messages = {lab.check("1", seed_id).message for seed_id in ids}
        assert len(messages) == 1, messages
        assert longest not in messages.pop()


# --- Expected values stay private ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_no_public_name_of_a_check_module_holds_an_expected_value(name):
    import inspect

    module = import_module(LABS_BY_ID[name].checks)
    public = [n for n in dir(module) if not n.startswith("_")]
    assert not [n for n in public if "expected" in n.lower()], public
    # No public function that takes no arguments returns a right answer, and no public
    # constant is one.
    lab = get_lab(name)
    for attribute in public:
        value = getattr(module, attribute)
        if inspect.isclass(value) or inspect.ismodule(value):
            continue
        if callable(value):
            try:
                signature = inspect.signature(value)
            except (TypeError, ValueError):
                continue
            if any(
                p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                for p in signature.parameters.values()
            ):
                continue
            try:
                value = value()
            except Exception:  # noqa: BLE001 - a function that needs arguments reveals nothing
                continue
        for task in lab.tasks:
            if task == "5" or (name, task) in {("readings", "1"), ("trust", "1")}:
                continue  # a lettered choice or a name: any public text could be one
            assert lab.check(task, value).status != CORRECT, (name, attribute, task)


# --- Written answers: one Markdown cell per registered question, in master and student copy ---

STUB = "**Your answer ({}):** _write here_"


def _written_cells(path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [cell for cell in cells if "written" in cell.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("name", sorted(LABS_BY_ID))
def test_every_written_question_has_one_answer_cell_in_master_and_student_copy(name):
    from osmcourse.student.copies import make_student_copy
    import nbformat

    questions = get_lab(name).written_questions
    assert list(questions) == [f"w{i}" for i in range(1, len(questions) + 1)]
    assert all(q.prompt and q.points > 0 for q in questions.values())
    master_path = ROOT / "exercises" / f"{MASTERS[name]}.ipynb"
    master = _written_cells(master_path)
    # In notebook order, each id once, and no cell for a question the checks do not know.
    assert [c["metadata"]["osmcourse"]["question"] for c in master] == list(questions)
    for cell in master:
        qid = cell["metadata"]["osmcourse"]["question"]
        assert cell["cell_type"] == "markdown"
        assert set(cell["metadata"]["tags"]) >= {"written", "solution"}
        assert cell["metadata"]["osmcourse"]["stub"] == STUB.format(qid)
        # A model answer, in a dropdown the student edition of the book leaves out.
        assert "".join(cell["source"]).startswith(
            f":::{{dropdown}} Model answer ({qid})\n:class-container: solution\n"
        )
    # The committed student copy and a freshly made one: the stub, tag "written", the id kept.
    fresh = make_student_copy(nbformat.read(master_path, as_version=4), "https://example.org/repo")
    committed = _written_cells(ROOT / "exercises" / "student" / f"{MASTERS[name]}.ipynb")
    fresh_cells = [c for c in fresh.cells if "written" in c.metadata.get("tags", [])]
    for student in (committed, fresh_cells):
        assert [c["metadata"]["osmcourse"]["question"] for c in student] == list(questions)
        for cell in student:
            qid = cell["metadata"]["osmcourse"]["question"]
            assert cell["cell_type"] == "markdown"
            assert "".join(cell["source"]) == STUB.format(qid)
            assert "solution" not in cell["metadata"]["tags"]


def test_written_questions_are_registered_once_with_ids_w1_w2():
    lab = Lab("demo", "Demo")
    question = lab.written("w1", prompt="Compare the two.", points=2)
    assert lab.written_questions == {"w1": question} and question.points == 2
    with pytest.raises(ValueError, match="twice"):
        lab.written("w1", prompt="Again.")
    with pytest.raises(ValueError, match="w1, w2"):
        lab.written("q1", prompt="Wrong id.")
