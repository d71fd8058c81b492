"""The notebook and the grader agree: a check cell and the grader give the same verdict.

Every answer in the check tests' case tables (``tests/cases_*.py``), and each of them in the
other shapes a student's code produces (numpy scalars, one-element lists and tuples, numpy
arrays, pandas Series, NaN...), is assigned in a real sandboxed kernel and checked there, as
a check cell does; the grader reads the same variable out of the kernel and checks it in its
own process. The two verdicts must be the same text.
"""

from __future__ import annotations

import json
import math
from importlib import import_module

import nbformat
import pytest

from osmcourse.checks import get_lab
from osmcourse.grading import Limits, isolation_problem
from osmcourse.grading.answers import Unsupported, decode_answers, encode_answers
from osmcourse.grading.sandbox import run_notebook
from osmcourse.labs import LABS, LABS_BY_ID

pytestmark = pytest.mark.slow
CASES = {lab.id: import_module(lab.cases).CASES for lab in LABS}

# Every registered lab's checks module, imported under the lab's id.
SETUP = (
    f"from osmcourse.checks import {', '.join(sorted(LABS_BY_ID))}\n"
    + """
import json
import numpy as np
import pandas as pd
sales = pd.Series([3, 9, 4], index=pd.Index([1955, 1956, 1957], name="year"), name="sales")
table = pd.DataFrame({"seed_id": ["000", "003", "004"], "words": [10, 679, 40]})
"""
)

# The shapes from the issue, each marked correct in the notebook and (before) wrong in the CSV.
SHAPES = [
    ("bass", "1", "sales.to_frame().idxmax()"),
    ("bass", "1", "[1956]"),
    ("bass", "1", "(1956,)"),
    ("bass", "1", "np.int64(1956)"),
    ("bass", "2", "float('nan')"),
    ("bass", "2", "np.float64('nan')"),
    ("bass", "2", "float('inf')"),
    ("readings", "1", 'table.loc[table.words == table.words.max(), "seed_id"]'),
    ("readings", "1", 'table.loc[table.words == table.words.max(), "seed_id"].values'),
    ("readings", "1", 'table.loc[table.words == table.words.max(), ["seed_id"]]'),
    ("bass", "4", "pd.Series({'base': 6.19, 'double_p': 4.195, 'double_q': 4.09})"),
    ("bass", "4", "{'base': np.float64(6.19), 'double_p': 4.195, 'double_q': float('nan')}"),
    ("bass", "5", "np.str_('c')"),
    ("bass", "5", "..."),
    ("bass", "5", "None"),
    ("bass", "5", "{'c'}"),
    ("longtail", "3", "pd.Series({1_000_000: 0.2742, 3_000_000: 0.3851})"),
    ("trust", "1", "pd.Index(['recommendations_from_people_i_know'])"),
]


def variants(value) -> list[str]:
    """``value`` as source, and in the other shapes student code gives it."""
    text = repr(value)
    out = [text]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        kind = "np.int64" if isinstance(value, int) else "np.float64"
        out += [
            f"{kind}({text})",
            f"[{text}]",
            f"({text},)",
            f"np.array([{text}])",
            f"pd.Series([{text}])",
            f"np.float32({text})",
        ]
    elif isinstance(value, str):
        out += [f"np.str_({text})", f"[{text}]", f"pd.Series([{text}])", f"np.array([{text}])"]
    elif isinstance(value, dict):
        out += [
            f"pd.Series({text})",
            f"tuple({text}.values())",
            f"pd.DataFrame([{text}])",
            f"{{k: np.float64(v) if isinstance(v, float) else v for k, v in {text}.items()}}",
        ]
    elif isinstance(value, list):
        out += [f"tuple({text})", f"np.array({text})", f"pd.Series({text})"]
    return out


def all_cases() -> list[tuple[str, str, str]]:
    cases = []
    for lab, table in CASES.items():
        for task, (right, wrongs) in table.items():
            for value in [right, *wrongs]:
                cases += [(lab, task, source) for source in variants(value)]
    return cases + SHAPES


@pytest.mark.skipif(isolation_problem() is not None, reason="no sandbox here")
def test_check_cells_and_the_grader_agree_on_every_case():
    cases = all_cases()
    names = [f"case_{i}" for i in range(len(cases))]
    cells = [nbformat.v4.new_code_cell(SETUP)]
    by_lab: dict[str, list[str]] = {}
    for name, (lab, task, source) in zip(names, cases):
        by_lab.setdefault(lab, []).append(
            f"{name} = {source}\nprint(json.dumps([{name!r}, str({lab}.task{task}({name}))]))"
        )
    cells += [nbformat.v4.new_code_cell("\n".join(lines)) for lines in by_lab.values()]
    result = run_notebook(nbformat.v4.new_notebook(cells=cells), names, Limits.from_timeout(120))
    assert result.problems == []
    in_notebook = {}
    for cell in result.executed.cells[1:]:
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        in_notebook.update(json.loads(line) for line in text.splitlines())
    assert set(in_notebook) == set(names)
    disagreements = []
    for name, (lab, task, source) in zip(names, cases):
        by_grader = str(get_lab(lab).tasks[task].check(result.answers[name]))
        if by_grader != in_notebook[name]:
            disagreements.append((lab, task, source, in_notebook[name], by_grader))
    assert disagreements == []
    # Not vacuous: the right answers are right both ways, in every shape.
    right = [
        name
        for name, (lab, task, source) in zip(names, cases)
        if source == repr(CASES[lab][task][0])
    ]
    assert right and all(in_notebook[name].startswith("✔") for name in right)
    assert in_notebook[names[cases.index(SHAPES[0])]].startswith("✔")


def test_encoding_round_trips_the_shapes_in_process():
    import numpy as np
    import pandas as pd

    values = {
        "series": pd.Series([1956], index=["sales"]),
        "nan": float("nan"),
        "tuple": (1, "a"),
        "scalar": np.float32(0.5),
        "frame": pd.DataFrame({"a": [1, 2]}, index=["x", "y"]),
        "keys": {1_000_000: 0.27},
        "set": {"b", "a"},
        "big": 2**70,
        "stub": ...,
        "array": np.array([[1, 2], [3, 4]]),
        "index": pd.Index(["a"], name="n"),
    }
    back = decode_answers(encode_answers(values, list(values)))
    assert back["series"].equals(values["series"]) and back["series"].index.tolist() == ["sales"]
    assert math.isnan(back["nan"]) and back["tuple"] == (1, "a") and back["stub"] is ...
    assert type(back["scalar"]) is np.float32 and back["keys"] == {1_000_000: 0.27}
    assert (
        back["frame"].equals(values["frame"]) and back["set"] == {"a", "b"} and back["big"] == 2**70
    )
    assert (back["array"] == values["array"]).all() and back["index"].equals(values["index"])


def test_decoding_trusts_nothing():
    class Odd:
        pass

    sent = encode_answers(
        {"odd": Odd(), "deep": [[[[[[[[[[[1]]]]]]]]]]], "long": list(range(100_000))},
        ["odd", "deep", "long", "missing"],
    )
    back = decode_answers(sent)
    assert set(back) == {"odd", "deep", "long"}
    assert all(isinstance(value, Unsupported) for value in back.values())
    for forged in [
        '{"x": {"t": "np.array", "dtype": "V8", "shape": [1], "v": [1]}}',
        '{"x": {"t": "pickle", "v": "..."}}',
        '{"x": {"t": "int", "v": "' + "9" * 5000 + '"}}',
        "[1, 2]",
        "not json",
        '{"x": {"t": "np.array", "dtype": "<i8", "shape": [99], "v": [1]}}',
    ]:
        assert all(isinstance(v, Unsupported) for v in decode_answers(forged).values()), forged
