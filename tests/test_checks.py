"""Answer checks accept right answers, reject wrong ones with a hint, and never crash."""

from __future__ import annotations

from importlib import import_module

import numpy as np
import pandas as pd
import pytest

from osmcourse.checks import LAB_MODULES, get_lab
from osmcourse.checks.core import (
    CORRECT, INCORRECT, UNANSWERED, AnswerError, Lab, as_choice, as_mapping, as_number, as_text_list,
)

# For every lab, tests/cases_LAB.py holds CASES: task -> (a right answer, wrong answers that
# must be rejected). One file per lab, so each lab's cases sit beside nothing else.
CASES = {lab: import_module(f"cases_{lab}").CASES for lab in LAB_MODULES}

ODD_VALUES = [object(), "", [], {}, float("nan"), True, np.array([1, 2]), pd.DataFrame()]


def test_every_lab_has_cases_and_cases_cover_every_task():
    assert set(CASES) == set(LAB_MODULES)
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
