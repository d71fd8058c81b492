"""What crosses from a kernel to the grader, and the answer key (issue 17, items 3 and 7).

* No expected value is readable from anything a graded kernel can import: a blank copy that
  calls the old ``check._expected_*()`` functions, or imports the plain key, scores nothing.
* The answer request does not run through the notebook's namespace: a notebook that defines
  ``__import__`` cannot change what the grader receives.
* The grader's own process stays bounded (peak memory, CPU) whatever a batch of hostile
  copies sends: a virtual ``RangeIndex`` answer, 41 replies of 4 MB, an 18 MB notebook of
  empty cells; each gets a fixed-text row.
* A graded-only task gives no verdict in the notebook and is still graded.
* The sealed keys shipped with the checks are up to date and hold no plain answer.

Every attack is a real student copy (``exercises/student/``) with attack cells appended
(:mod:`grading_attacks`).
"""

from __future__ import annotations

import dataclasses
import json
from importlib import import_module

import nbformat
import pytest

import grading_attacks as attacks
from osmcourse.checks import LAB_MODULES, get_lab
from osmcourse.checks.core import CORRECT, INCORRECT, RECORDED, UNANSWERED
from osmcourse.checks.key import KEYS_DIR, SealedKey
from osmcourse.grading import Limits, isolation_problem
from osmcourse.grading.answers import decode_answers
from osmcourse.keys import grading_key, sealed_key

sandboxed = pytest.mark.skipif(
    isolation_problem() is not None, reason=f"no sandbox: {isolation_problem()}"
)

# Bounds for the grading process itself (a fresh one per batch), with wide margins: this batch
# of nine copies peaks near 200 MB and uses about 15 s of the grader's CPU (mostly watching its
# kernels). The old grader needed gigabytes for any one of the RangeIndex, 4 MB-reply and
# 18 MB-notebook attacks, and minutes of CPU for the replies alone.
MAX_GRADER_MB = 700
MAX_GRADER_CPU = 120


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    return attacks.measure_grader(attacks.attack_batch(folder), folder / "grades.csv")


def rows_of(batch: dict, name: str) -> dict:
    return {question: (score, feedback) for question, score, feedback in batch["rows"][name]}


# --- The answer key ------------------------------------------------------------------------------


@sandboxed
@pytest.mark.slow
@pytest.mark.parametrize("lab", sorted(LAB_MODULES))
def test_reading_the_key_from_a_graded_kernel_scores_nothing(attacked, lab):
    rows = rows_of(attacked, f"expected_{lab}.ipynb")
    assert [rows[task][0] for task in attacks.EXPECTED_TASKS[lab]] == [0.0] * len(
        attacks.EXPECTED_TASKS[lab]
    ), rows
    # Not a crash that happens to score 0: each of those answers is simply not there.
    assert all("not answered yet" in rows[task][1] for task in attacks.EXPECTED_TASKS[lab]), rows


def test_no_check_module_holds_a_plain_target():
    """The modules a kernel imports hold no private ``_expected_*`` and no plain key."""
    for lab, module in LAB_MODULES.items():
        checks = import_module(f"osmcourse.checks.{module}")
        assert not [name for name in vars(checks) if "expected" in name.lower()], lab
        assert not hasattr(checks, "targets")


def test_the_shipped_keys_are_up_to_date_and_hold_no_plain_answer():
    cases = {lab: import_module(f"cases_{lab}") for lab in LAB_MODULES}
    for lab in LAB_MODULES:
        shipped = (KEYS_DIR / f"{lab}.json").read_text(encoding="utf-8")
        assert shipped == sealed_key(lab, for_notebooks=True).to_json(), (
            f"{lab}: the sealed key is stale: run `python -m osmcourse.keys`"
        )
        numbers = []
        for value in cases[lab].exact_answers().values():
            numbers += list(value.values()) if isinstance(value, dict) else [value]
        right = cases[lab].CASES
        texts = [v for v, _ in right.values() if isinstance(v, str) and len(v) > 1]
        texts += [n for n in numbers if isinstance(n, str)]
        for number in [n for n in numbers if not isinstance(n, str)]:
            assert repr(float(number)) not in shipped and f'"{number}"' not in shipped, (
                lab,
                number,
            )
        for text in texts:
            assert f'"{text}"' not in shipped, (lab, text)


def test_every_check_rejects_wrong_answers_with_the_sealed_key_and_the_graders():
    """The notebook's key (hashes) and the grader's (built from the plain values) judge alike."""
    for lab in LAB_MODULES:
        checks = get_lab(lab)
        shipped = SealedKey.load(lab)
        for number, (right, wrongs) in import_module(f"cases_{lab}").CASES.items():
            verdicts = []
            for key in (shipped, grading_key(lab)):
                checks.use_key(key)
                verdicts.append([str(checks.check(number, value)) for value in (right, *wrongs)])
                assert checks.check(number, right).status == CORRECT, (lab, number)
                assert all(checks.check(number, wrong).status == INCORRECT for wrong in wrongs), (
                    lab,
                    number,
                )
            assert verdicts[0] == verdicts[1], (lab, number)
        checks.use_key(shipped)


# --- The channel ------------------------------------------------------------------------------------


@sandboxed
@pytest.mark.slow
def test_defining_import_in_the_notebook_does_not_change_what_the_grader_receives(attacked):
    rows = rows_of(attacked, "intercept.ipynb")
    # The notebook holds peak_sales_year = 1900 (wrong) and nothing else; the forged reply held
    # three right answers.
    assert rows["1"][0] == 0.0 and "largest value of sales" in rows["1"][1], rows
    assert rows["2"][0] == rows["5"][0] == 0.0 and "not answered yet" in rows["2"][1], rows
    assert attacked["statuses"]["intercept.ipynb"] == "ok"


@sandboxed
@pytest.mark.slow
def test_hostile_answers_and_notebooks_get_fixed_rows_and_the_grader_stays_bounded(attacked):
    assert attacked["maxrss_mb"] < MAX_GRADER_MB, attacked["maxrss_mb"]
    assert attacked["cpu"] < MAX_GRADER_CPU, attacked["cpu"]
    ranged = rows_of(attacked, "rangeindex.ipynb")
    assert ranged["1"] == (
        0.0,
        "✘ Task 1: not yet. This answer holds more than 1,000 values (or a very long "
        "text): the task asks for far fewer.",
    )
    huge = rows_of(attacked, "huge.ipynb")
    assert huge == {"run": (0, "This notebook has more than 2,000 cells: it was not read.")}
    assert rows_of(attacked, "escaped_cells.ipynb") == huge
    replies = rows_of(attacked, "replies.ipynb")
    assert [replies[q][0] for q in "12345"] == [0] * 5
    # Its replies are refused unread, so each request waits: that wait is charged to its idle
    # budget (or, on a machine so busy that it is not idle time, ends the grader's wait).
    assert (
        "request for the answers was never answered" in replies["run"][1]
        or "beyond its wall-clock limit on waiting, 30 s" in replies["run"][1]
    )


def test_the_decoder_refuses_virtual_and_oversized_values_without_building_them():
    import tracemalloc

    import numpy  # noqa: F401 - imported before measuring: a first import is not the decoder's
    import pandas  # noqa: F401

    forged = {
        "range_index": {"t": "pd.RangeIndex", "v": [0, 150_000_000, 1], "name": None},
        "range": {"t": "range", "v": [0, 10**15, 1]},
        "text_dtype": {"t": "np.array", "dtype": "<U100000", "shape": [1], "v": ["x"]},
        "frame": {
            "t": "pd.DataFrame",
            "columns": [],
            "column_index": {"t": "pd.RangeIndex", "v": [0, 0, 1], "name": None},
            "index": {"t": "pd.RangeIndex", "v": [0, 10**9, 1], "name": None},
        },
        "long_text": "x" * 20_000,
    }
    tracemalloc.start()
    back = decode_answers(json.dumps(forged))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20_000_000
    assert all(
        type(value).__name__ in ("TooLargeAnswer", "Unsupported") for value in back.values()
    ), back
    assert decode_answers("[" * 600_000) == {}  # too many containers: never parsed
    assert decode_answers('{"x": 1}', {"y": 10}) == {}  # only the names asked for


def test_cells_spelled_with_escapes_are_counted_and_the_notebook_is_refused_unparsed(
    tmp_path, monkeypatch
):
    import nbformat as nbformat_module

    from osmcourse.grading.grader import MAX_CELLS, grade_notebook

    path = attacks.escaped_cells_notebook(tmp_path)
    raw = path.read_bytes()
    assert raw.count(b'"cell_type"') < MAX_CELLS < len(json.loads(raw)["cells"])

    def never(*args, **kwargs):
        raise AssertionError("nbformat read a notebook of too many cells")

    monkeypatch.setattr(nbformat_module, "reads", never)
    submission = grade_notebook(path)
    assert [(r.question, r.feedback) for r in submission.rows] == [
        ("run", "This notebook has more than 2,000 cells: it was not read.")
    ]
    assert submission.status == "not a notebook"


@sandboxed
@pytest.mark.slow
def test_a_message_of_many_frames_is_bounded_whole_and_stops_the_kernel(tmp_path):
    """200 frames of 8 MB in one reply (each under the per-frame cap): the grader keeps at most
    one message's bound of it, and the row is the fixed limit text."""
    path = tmp_path / "many_frames.ipynb"
    nbformat.write(attacks.many_frames_attack(), path)
    batch = attacks.measure_grader([path], tmp_path / "grades.csv")
    # The message itself is 1.6 GB; a grader that buffered it whole peaked at 3,160 MB. The
    # whole grading process stays far below one copy of it: 123 MB measured alone, 403 MB once
    # in a loaded CI run (not understood yet), so the bound is the message, not a tight figure.
    assert batch["maxrss_mb"] < 1000, batch["maxrss_mb"]
    assert batch["statuses"]["many_frames.ipynb"] == "limit reached", batch
    assert (
        "The notebook sent the grader a message larger than 9 MB and was stopped."
        in rows_of(batch, "many_frames.ipynb")["run"][1]
    )


# --- Graded-only tasks --------------------------------------------------------------------------


@pytest.fixture
def trust_task5_graded_only():
    """Task 5 of the trust lab marked graded-only, as an instructor would in its check module."""
    lab = get_lab("trust")
    original = lab.tasks["5"]
    lab.tasks["5"] = dataclasses.replace(original, graded_only=True)
    try:
        yield lab
    finally:
        lab.tasks["5"] = original
        lab.use_key(SealedKey.load("trust"))


def test_a_graded_only_task_has_no_verdict_in_the_notebook_but_is_graded(trust_task5_graded_only):
    lab = trust_task5_graded_only
    notebook_key = sealed_key("trust", for_notebooks=True)
    assert not notebook_key.has_task("5") and notebook_key.has_task("4")
    lab.use_key(notebook_key)
    for letter in "abcd":
        feedback = lab.check("5", letter)
        assert feedback.status == RECORDED and "graded after you hand" in str(feedback)
    assert lab.check("5", ...).status == UNANSWERED
    assert lab.check("4", 0.23).status == CORRECT  # the other tasks still check as before
    lab.use_key(grading_key("trust"))
    assert lab.check("5", "b").status == CORRECT and lab.check("5", "a").status == INCORRECT


@sandboxed
@pytest.mark.slow
def test_a_graded_only_task_in_a_real_kernel(trust_task5_graded_only):
    """In a sandboxed kernel, with the notebook's key lacking task 5, the check cell says
    nothing of right or wrong; the grader judges the same answer with its own key."""
    from osmcourse.grading.sandbox import run_notebook

    sealed = sealed_key("trust", for_notebooks=True).to_json()
    cells = [
        nbformat.v4.new_code_cell(
            "import json\nfrom osmcourse.checks import trust as check\nfrom osmcourse.checks.key import SealedKey\n"
            f"data = json.loads({sealed!r})\ncheck.LAB.use_key(SealedKey(data['lab'], data['salt'], data['targets']))\n"
            "interpretation = 'b'\nprint(check.task5(interpretation))"
        )
    ]
    result = run_notebook(
        nbformat.v4.new_notebook(cells=cells), {"interpretation": 1000}, Limits.from_timeout(60)
    )
    printed = "".join(o.get("text", "") for o in result.executed.cells[0].outputs)
    assert printed.startswith("• Task 5: answered. This task is graded after you hand"), printed
    assert "correct" not in printed and "not yet" not in printed
    trust_task5_graded_only.use_key(grading_key("trust"))
    assert (
        trust_task5_graded_only.tasks["5"].check(result.answers["interpretation"]).status == CORRECT
    )
