"""What leaves the student's kernel: the lab's answer variables, as type-tagged plain data.

The student's check cell judges the live object (a pandas Series, a numpy scalar, a tuple,
``nan``...). The grader judges a copy in its own process, so the copy must be the same kind
of object, or the two verdicts disagree (a one-row Series flattened to a dict, a ``nan`` sent
as the text ``"nan"``). Each value is therefore encoded with a type tag
(:func:`encode_answers`, run inside the kernel) and rebuilt as the same Python object
(:func:`decode_answers`, run in the grader) before the check sees it.

Safety, both ways:

* In the kernel, encoding runs no code the student defined: only exact built-in, numpy and
  pandas types are looked into (their data through the base types' own methods), anything
  else becomes an ``unsupported`` marker naming its type. Sizes and depth are capped.
* In the grader, decoding trusts nothing: plain JSON (no pickle), a size cap before parsing,
  a whitelist of tags and numpy dtypes, the same caps on items and depth. A value that breaks
  a rule becomes an :class:`Unsupported` marker, which the checks reject with a hint.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_ITEMS = 10_000       # items kept per container (more is "unsupported": no answer is that big)
MAX_DEPTH = 8            # nesting kept
MAX_ENCODED_CHARS = 1_000_000  # the whole encoded text, both when made and when read

# The numpy dtype kinds an answer may have: bool, ints, floats, complex, text, objects.
_DTYPE_KINDS = frozenset("biufcUO")


class Unsupported:
    """Stands in for an answer the grader cannot rebuild; checks reject it with a hint."""

    def __init__(self, type_name: str) -> None:
        self.type_name = str(type_name)[:80]

    def __repr__(self) -> str:
        return f"<{self.type_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unsupported) and other.type_name == self.type_name

    __hash__ = None  # type: ignore[assignment]


class _TooBig(Exception):
    pass


# --- In the kernel -------------------------------------------------------------------------


def extract_expression(names: list[str]) -> str:
    """The expression the grader evaluates in the kernel (as a ``user_expression``).

    It imports this module afresh by name, so nothing the student defined is called.
    """
    return f"__import__('osmcourse.grading.answers', fromlist=['_']).encode_answers(globals(), {list(names)!r})"


def encode_answers(namespace: dict[str, Any], names: list[str]) -> str:
    """JSON text of ``{name: tagged value}`` for each of ``names`` defined in ``namespace``."""
    found: dict[str, Any] = {}
    for name in names:
        if not dict.__contains__(namespace, name):
            continue
        try:
            found[name] = _encode(dict.__getitem__(namespace, name), 0)
        except _TooBig:
            found[name] = {"t": "unsupported", "type": "a value too big to grade"}
        except Exception as error:  # noqa: BLE001 - an odd value is marked, never a crash
            found[name] = {"t": "unsupported", "type": type(error).__name__}
    text = json.dumps(found, allow_nan=False)
    if len(text) > MAX_ENCODED_CHARS:
        text = json.dumps({name: {"t": "unsupported", "type": "a value too big to grade"} for name in found})
    return text


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"t": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _encode(value: Any, depth: int) -> Any:  # noqa: C901 - one flat dispatch on exact types
    if depth > MAX_DEPTH:
        raise _TooBig
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if value is ...:
        return {"t": "ellipsis"}
    if kind is int:
        return value if abs(value) < 2**53 else {"t": "int", "v": str(value)}
    if kind is float:
        return _float(value)
    if kind is complex:
        return {"t": "complex", "re": _float(value.real), "im": _float(value.imag)}
    if kind in (list, tuple, set, frozenset):
        items = (list.copy(value) if kind is list else tuple.__iter__(value) if kind is tuple
                 else set.__iter__(value) if kind is set else frozenset.__iter__(value))
        encoded = [_encode(item, depth + 1) for item in _capped(items)]
        if kind in (set, frozenset):
            # Sets have no order: sort the encodings (never the student's objects).
            encoded.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return {"t": kind.__name__, "v": encoded}
    if kind is dict:
        pairs = [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in _capped(dict.items(value))]
        return {"t": "dict", "v": pairs}
    if kind is range:
        return {"t": "range", "v": [value.start, value.stop, value.step]}
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        return _encode_numpy(value, depth)
    if module.startswith("pandas"):
        return _encode_pandas(value, depth)
    return {"t": "unsupported", "type": kind.__name__}


def _capped(items: Any) -> list[Any]:
    out = []
    for item in items:
        if len(out) >= MAX_ITEMS:
            raise _TooBig
        out.append(item)
    return out


def _encode_numpy(value: Any, depth: int) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        if value.dtype.kind not in _DTYPE_KINDS or value.dtype.kind == "O":
            return {"t": "unsupported", "type": type(value).__name__}
        return {"t": "np.scalar", "dtype": value.dtype.str, "v": _encode(value.item(), depth + 1)}
    if type(value) is np.ndarray:
        return _encode_array(value, depth)
    return {"t": "unsupported", "type": type(value).__name__}


def _encode_array(array: Any, depth: int) -> dict[str, Any]:
    if array.dtype.kind not in _DTYPE_KINDS or array.size > MAX_ITEMS:
        raise _TooBig if array.size > MAX_ITEMS else ValueError("dtype")
    # ``tolist`` gives Python scalars (or, for an object array, the objects themselves).
    items = [_encode(item, depth + 1) for item in array.ravel().tolist()]
    return {"t": "np.array", "dtype": array.dtype.str, "shape": list(array.shape), "v": items}


def _encode_index(index: Any, depth: int) -> dict[str, Any]:
    import pandas as pd

    name = _encode(index.name, depth + 1)
    if type(index) is pd.RangeIndex:
        return {"t": "pd.RangeIndex", "v": [index.start, index.stop, index.step], "name": name}
    if type(index) is pd.MultiIndex:
        return {"t": "pd.MultiIndex", "v": _encode(list(index), depth + 1),
                "names": [_encode(n, depth + 1) for n in index.names]}
    values = index.to_numpy()
    if values.dtype.kind not in _DTYPE_KINDS:
        raise ValueError("index dtype")
    return {"t": "pd.Index", "values": _encode_array(values, depth + 1), "dtype": str(index.dtype), "name": name}


def _encode_pandas(value: Any, depth: int) -> Any:
    import pandas as pd

    kind = type(value)
    if kind is pd.Series:
        values = value.to_numpy()
        return {"t": "pd.Series", "values": _encode_array(values, depth + 1), "dtype": str(value.dtype),
                "index": _encode_index(value.index, depth + 1), "name": _encode(value.name, depth + 1)}
    if kind is pd.DataFrame:
        if value.size > MAX_ITEMS:
            raise _TooBig
        columns = [{"values": _encode_array(value.iloc[:, i].to_numpy(), depth + 1),
                    "dtype": str(value.dtypes.iloc[i])} for i in range(value.shape[1])]
        return {"t": "pd.DataFrame", "columns": columns, "column_index": _encode_index(value.columns, depth + 1),
                "index": _encode_index(value.index, depth + 1)}
    if kind in (pd.Index, pd.RangeIndex, pd.MultiIndex):
        return _encode_index(value, depth)
    if value is pd.NA:
        return {"t": "pd.NA"}
    if isinstance(value, pd.api.extensions.ExtensionArray):  # e.g. a text column's ``.values``
        if len(value) > MAX_ITEMS:
            raise _TooBig
        items = [_encode(item, depth + 1) for item in value.to_numpy(dtype=object).tolist()]
        return {"t": "pd.array", "v": items, "dtype": str(value.dtype)}
    return {"t": "unsupported", "type": kind.__name__}


# --- In the grader -------------------------------------------------------------------------


def decode_answers(text: str) -> dict[str, Any]:
    """The answers a kernel sent, rebuilt as Python objects (never raises)."""
    if not isinstance(text, str) or len(text) > MAX_ENCODED_CHARS:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(name): decode(value) for name, value in data.items() if isinstance(name, str)}


def decode(data: Any) -> Any:
    """One tagged value rebuilt; anything malformed becomes :class:`Unsupported`."""
    try:
        return _decode(data, 0)
    except Exception:  # noqa: BLE001 - malformed input from a kernel is a marker, not a crash
        return Unsupported("a value the grader could not read")


_STRING_DTYPES = {"str", "string", "object"}


def _decode(data: Any, depth: int) -> Any:  # noqa: C901 - one flat dispatch on tags
    if depth > MAX_DEPTH + 4:
        raise ValueError("too deep")
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if not isinstance(data, dict):
        raise ValueError("untagged")
    tag = data.get("t")
    if tag == "ellipsis":
        return ...
    if tag == "unsupported":
        return Unsupported(str(data.get("type", "unknown")))
    if tag == "int":
        text = str(data["v"])
        if len(text) > 400:
            raise ValueError("int too long")
        return int(text)
    if tag == "float":
        return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[data["v"]])
    if tag == "complex":
        return complex(_decode(data["re"], depth + 1), _decode(data["im"], depth + 1))
    if tag in ("list", "tuple", "set", "frozenset"):
        items = [_decode(item, depth + 1) for item in _items(data["v"])]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in _items(data["v"])}
    if tag == "range":
        start, stop, step = (int(x) for x in data["v"])
        return range(start, stop, step)
    if tag == "np.scalar":
        import numpy as np

        return np.array(_decode(data["v"], depth + 1), dtype=_dtype(data["dtype"]))[()]
    if tag == "np.array":
        return _array(data, depth)
    if tag in ("pd.Index", "pd.RangeIndex", "pd.MultiIndex"):
        return _index(data, depth)
    if tag == "pd.NA":
        import pandas as pd

        return pd.NA
    if tag == "pd.array":
        import pandas as pd

        return pd.array([_decode(item, depth + 1) for item in _items(data["v"])], dtype=_pandas_dtype(data["dtype"]))
    if tag == "pd.Series":
        import pandas as pd

        return pd.Series(_array(data["values"], depth + 1), index=_index(data["index"], depth + 1),
                         name=_decode(data["name"], depth + 1), dtype=_pandas_dtype(data["dtype"]))
    if tag == "pd.DataFrame":
        import pandas as pd

        columns = _index(data["column_index"], depth + 1)
        index = _index(data["index"], depth + 1)
        frame = pd.DataFrame(index=index)
        parts = [pd.Series(_array(col["values"], depth + 1), index=index, dtype=_pandas_dtype(col["dtype"]))
                 for col in _items(data["columns"])]
        if len(parts) != len(columns):
            raise ValueError("columns")
        if parts:
            frame = pd.concat(parts, axis=1)
        frame.columns = columns
        return frame
    raise ValueError(f"unknown tag {tag!r}")


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise ValueError("not a list, or too long")
    return value


def _dtype(text: Any) -> Any:
    import numpy as np

    dtype = np.dtype(str(text)[:20])
    if dtype.kind not in _DTYPE_KINDS:
        raise ValueError("dtype")
    return dtype


def _pandas_dtype(text: Any) -> Any:
    text = str(text)[:40]
    if text in _STRING_DTYPES:
        return {"str": "str", "object": None, "string": "string"}[text]
    if text == "category":
        return text
    if text.startswith(("int", "uint", "float", "bool", "complex", "Int", "UInt", "Float", "boolean")):
        return text
    return None


def _array(data: dict[str, Any], depth: int) -> Any:
    import numpy as np

    dtype = _dtype(data["dtype"])
    shape = tuple(int(n) for n in _items(data["shape"]))
    items = [_decode(item, depth + 1) for item in _items(data["v"])]
    if math.prod(shape) != len(items):
        raise ValueError("shape")
    if dtype.kind == "O":
        array = np.empty(len(items), dtype=object)
        array[:] = items if items else []
        return array.reshape(shape)
    return np.array(items, dtype=dtype).reshape(shape)


def _index(data: dict[str, Any], depth: int) -> Any:
    import pandas as pd

    tag = data["t"]
    if tag == "pd.RangeIndex":
        start, stop, step = (int(x) for x in data["v"])
        if step == 0:
            raise ValueError("step")
        return pd.RangeIndex(start, stop, step, name=_decode(data["name"], depth + 1))
    if tag == "pd.MultiIndex":
        tuples = _decode(data["v"], depth + 1)
        names = [_decode(n, depth + 1) for n in _items(data["names"])]
        return pd.MultiIndex.from_tuples(tuples, names=names)
    if tag != "pd.Index":
        raise ValueError("index")
    values = _array(data["values"], depth + 1)
    return pd.Index(values, dtype=_pandas_dtype(data["dtype"]), name=_decode(data["name"], depth + 1))
