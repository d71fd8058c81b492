"""What crosses from a student's kernel to the grader: the lab's answer variables, as type-tagged plain data.

The student's check cell judges the live object (a pandas Series, a numpy scalar, a tuple,
``nan``...). The grader judges a copy in its own process, so the copy must be the same kind
of object, or the two verdicts disagree (a one-row Series flattened to a dict, a ``nan`` sent
as the text ``"nan"``). Each value is therefore encoded with a type tag
(:func:`encode_answers`, run inside the kernel) and rebuilt as the same Python object
(:func:`decode_answers`, run in the grader) before the check sees it.

The channel. The request never runs through the notebook's namespace: :func:`install` runs
in the kernel before any student cell (the sandbox's kernel launcher calls it) and registers
a handler for the grader's own shell message, ``osm_answers_request``, holding the functions
it needs from that moment. Defining ``__import__``, ``json`` or any other name in the
notebook changes nothing the grader receives. (Code that rewrites the kernel's own machinery
can still send anything; whatever it sends goes through the decoder below, bounded.)

The wire format, both ways:

* In the kernel, encoding runs no code the student defined: only exact built-in, numpy and
  pandas types are looked into (their data through the base types' own methods), anything
  else becomes an ``unsupported`` marker naming its type. A value holding more than its
  task's limit (:attr:`osmcourse.checks.core.Task.max_items`, sent with the request; a
  ``range`` or ``RangeIndex`` counts its virtual length) is never listed: a ``toolarge``
  marker goes instead. Depth and the whole text are capped.
* In the grader, decoding trusts nothing: plain JSON (no pickle, no ``literal_eval``), at most
  :data:`MAX_ENCODED_CHARS` and :data:`MAX_CONTAINERS` containers checked *before* parsing (so
  ``json.loads`` costs at most a few times the text's size), then a whitelist of tags and
  numpy dtypes (text dtypes of at most :data:`MAX_ITEMSIZE` characters), and a budget of
  values per answer that counts virtual lengths too. A value that breaks a rule becomes an
  :class:`Unsupported` or :class:`TooLarge` marker, which the checks reject with a hint.
* Every other message from a kernel is parsed by :func:`bounded_json_loads` (the grader's
  session's ``unpack``): size and container count first, then ``json.loads``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from osmcourse.checks.core import MAX_ANSWER_ITEMS, MAX_ANSWER_TEXT, TooLarge, answer_size

MAX_ITEMS = 10_000  # items per container (more is "unsupported": no answer is that big)
MAX_DEPTH = 8  # nesting kept
MAX_ENCODED_CHARS = 1_000_000  # the whole encoded text, both when made and when read
MAX_CONTAINERS = 50_000  # JSON arrays and objects in one text: bounds json.loads' memory
MAX_ITEMSIZE = 1_000  # characters per item of a numpy text dtype ("<U1000")
MAX_MESSAGE_CONTAINERS = 200_000  # in any one frame of any message from a kernel
REQUEST = "osm_answers_request"
REPLY = "osm_answers_reply"

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


def bounded_json_loads(data: bytes | str) -> Any:
    """``json.loads`` for a frame from a kernel, refused (``ValueError``) when it could cost much.

    A frame's size is capped by ZeroMQ before it arrives; the number of arrays and objects is
    counted here before parsing (a byte count, linear and cheap), so parsing costs at most a
    small multiple of the frame's size whatever it holds.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    data = bytes(data)
    if data.count(b"[") + data.count(b"{") > MAX_MESSAGE_CONTAINERS:
        raise ValueError("a message from the kernel with too many arrays and objects")
    return json.loads(data)


# --- In the kernel -------------------------------------------------------------------------


def install(kernel: Any) -> None:
    """Register the grader's answer request in ``kernel`` (an ipykernel ``IPythonKernel``).

    Called by the kernel launcher before the first student cell: the handler keeps the
    namespace dict, the session's ``send`` and this module's encoder as they are now, so
    nothing a notebook later defines or shadows is on its path.
    """
    namespace = kernel.shell.user_ns
    send = kernel.session.send
    encode = encode_answers
    getitem, isinstance_, str_, int_, min_ = dict.get, isinstance, str, int, min

    def handler(stream: Any, idents: Any, parent: dict[str, Any]) -> None:
        content = parent.get("content") if isinstance_(parent, dict) else None
        names = getitem(content, "names") if isinstance_(content, dict) else None
        caps = {}
        if isinstance_(names, dict):
            for name, cap in list(names.items())[:MAX_ITEMS]:
                if isinstance_(name, str_) and isinstance_(cap, int_):
                    caps[name] = min_(max(cap, 1), MAX_ANSWER_ITEMS)
        try:
            text = encode(namespace, caps)
        except Exception:  # noqa: BLE001 - never leave the grader waiting
            text = "{}"
        send(stream, REPLY, {"status": "ok", "answers": text}, parent, ident=idents)

    kernel.shell_handlers[REQUEST] = handler


def encode_answers(namespace: dict[str, Any], names: list[str] | dict[str, int]) -> str:
    """JSON text of ``{name: tagged value}`` for each of ``names`` defined in ``namespace``.

    ``names`` maps each name to its task's limit on values (a list: the default limit). A
    value over its limit is sent as a ``toolarge`` marker, never listed.
    """
    caps = names if isinstance(names, dict) else dict.fromkeys(names, MAX_ANSWER_ITEMS)
    found: dict[str, Any] = {}
    for name, cap in caps.items():
        if not dict.__contains__(namespace, name):
            continue
        value = dict.__getitem__(namespace, name)
        try:
            if answer_size(value, cap) > cap:
                found[name] = {"t": "toolarge"}
                continue
            found[name] = _encode(value, 0)
        except _TooBig:
            found[name] = {"t": "toolarge"}
        except Exception as error:  # noqa: BLE001 - an odd value is marked, never a crash
            found[name] = {"t": "unsupported", "type": type(error).__name__}
    text = _dumps(found, allow_nan=False)
    if len(text) > MAX_ENCODED_CHARS:
        text = _dumps({name: {"t": "toolarge"} for name in found})
    return text


_dumps = (
    json.dumps
)  # kept as imported: a notebook that later replaces json.dumps changes nothing here


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"t": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _encode(value: Any, depth: int) -> Any:  # noqa: C901 - one flat dispatch on exact types
    if depth > MAX_DEPTH:
        raise _TooBig
    kind = type(value)
    if kind is str and str.__len__(value) > MAX_ANSWER_TEXT:
        raise _TooBig
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
        items = (
            list.copy(value)
            if kind is list
            else tuple.__iter__(value)
            if kind is tuple
            else set.__iter__(value)
            if kind is set
            else frozenset.__iter__(value)
        )
        encoded = [_encode(item, depth + 1) for item in _capped(items)]
        if kind in (set, frozenset):
            # Sets have no order: sort the encodings (never the student's objects).
            encoded.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return {"t": kind.__name__, "v": encoded}
    if kind is dict:
        pairs = [
            [_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in _capped(dict.items(value))
        ]
        return {"t": "dict", "v": pairs}
    if kind is range:
        if range.__len__(value) > MAX_ITEMS:
            raise _TooBig
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
        if len(index) > MAX_ITEMS:
            raise _TooBig
        return {"t": "pd.RangeIndex", "v": [index.start, index.stop, index.step], "name": name}
    if type(index) is pd.MultiIndex:
        return {
            "t": "pd.MultiIndex",
            "v": _encode(list(index), depth + 1),
            "names": [_encode(n, depth + 1) for n in index.names],
        }
    values = index.to_numpy()
    if values.dtype.kind not in _DTYPE_KINDS:
        raise ValueError("index dtype")
    return {
        "t": "pd.Index",
        "values": _encode_array(values, depth + 1),
        "dtype": str(index.dtype),
        "name": name,
    }


def _encode_pandas(value: Any, depth: int) -> Any:
    import pandas as pd

    kind = type(value)
    if kind is pd.Series:
        values = value.to_numpy()
        return {
            "t": "pd.Series",
            "values": _encode_array(values, depth + 1),
            "dtype": str(value.dtype),
            "index": _encode_index(value.index, depth + 1),
            "name": _encode(value.name, depth + 1),
        }
    if kind is pd.DataFrame:
        if value.size > MAX_ITEMS:
            raise _TooBig
        columns = [
            {
                "values": _encode_array(value.iloc[:, i].to_numpy(), depth + 1),
                "dtype": str(value.dtypes.iloc[i]),
            }
            for i in range(value.shape[1])
        ]
        return {
            "t": "pd.DataFrame",
            "columns": columns,
            "column_index": _encode_index(value.columns, depth + 1),
            "index": _encode_index(value.index, depth + 1),
        }
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


class TooLargeAnswer(Unsupported, TooLarge):
    """The grader's copy of an answer over its task's limit (the check gives the size hint)."""

    def __init__(self) -> None:
        super().__init__("an answer too large to check")

    __eq__ = TooLarge.__eq__
    __hash__ = None  # type: ignore[assignment]


class _Budget:
    """Values one answer may still hold while it is rebuilt (virtual lengths count too)."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= max(int(count), 0)
        if self.left < 0:
            raise _TooBig


def decode_answers(text: Any, caps: dict[str, int] | None = None) -> dict[str, Any]:
    """The answers a kernel sent, rebuilt as Python objects (never raises).

    ``caps`` maps each name to its task's limit on values (default :data:`MAX_ANSWER_ITEMS`);
    names not in ``caps`` are dropped when it is given. The text's length and its number of
    arrays and objects are checked before it is parsed.
    """
    if not isinstance(text, str) or len(text) > MAX_ENCODED_CHARS:
        return {}
    if text.count("[") + text.count("{") > MAX_CONTAINERS:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    answers = {}
    for name, value in data.items():
        if not isinstance(name, str) or (caps is not None and name not in caps):
            continue
        answers[name] = decode(value, (caps or {}).get(name, MAX_ANSWER_ITEMS))
    return answers


def decode(data: Any, limit: int = MAX_ANSWER_ITEMS) -> Any:
    """One tagged value rebuilt; anything malformed becomes :class:`Unsupported`, anything over
    ``limit`` values :class:`TooLargeAnswer`."""
    try:
        # The check counts the rebuilt value exactly as the notebook counts the live one; this
        # budget only keeps rebuilding bounded, so it leaves room for the encoding's own items.
        return _decode(data, 0, _Budget(4 * min(limit, MAX_ANSWER_ITEMS) + 16))
    except _TooBig:
        return TooLargeAnswer()
    except Exception:  # noqa: BLE001 - malformed input from a kernel is a marker, not a crash
        return Unsupported("a value the grader could not read")


_STRING_DTYPES = {"str", "string", "object"}


def _decode(data: Any, depth: int, budget: _Budget) -> Any:  # noqa: C901 - one flat dispatch on tags
    if depth > MAX_DEPTH + 4:
        raise ValueError("too deep")
    if isinstance(data, str):
        if len(data) > MAX_ANSWER_TEXT:
            raise _TooBig
        budget.take(1)
        return data
    if data is None or isinstance(data, (bool, int, float)):
        budget.take(1)
        return data
    if not isinstance(data, dict):
        raise ValueError("untagged")
    tag = data.get("t")
    if tag == "toolarge":
        raise _TooBig
    if tag == "ellipsis":
        return ...
    if tag == "unsupported":
        return Unsupported(str(data.get("type", "unknown")))
    if tag == "int":
        text = str(data["v"])
        if len(text) > 400:
            raise ValueError("int too long")
        budget.take(1)
        return int(text)
    if tag == "float":
        budget.take(1)
        return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[data["v"]])
    if tag == "complex":
        return complex(
            _decode(data["re"], depth + 1, budget), _decode(data["im"], depth + 1, budget)
        )
    if tag in ("list", "tuple", "set", "frozenset"):
        items = _items(data["v"], budget)
        items = [_decode(item, depth + 1, budget) for item in items]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        pairs = _items(data["v"], budget)
        return {_decode(k, depth + 1, budget): _decode(v, depth + 1, budget) for k, v in pairs}
    if tag == "range":
        start, stop, step = (_small_int(x) for x in data["v"])
        value = range(start, stop, step)
        budget.take(len(value))
        return value
    if tag == "np.scalar":
        import numpy as np

        return np.array(_decode(data["v"], depth + 1, budget), dtype=_dtype(data["dtype"]))[()]
    if tag == "np.array":
        return _array(data, depth, budget)
    if tag in ("pd.Index", "pd.RangeIndex", "pd.MultiIndex"):
        return _index(data, depth, budget)
    if tag == "pd.NA":
        import pandas as pd

        return pd.NA
    if tag == "pd.array":
        import pandas as pd

        items = [_decode(item, depth + 1, budget) for item in _items(data["v"], budget)]
        return pd.array(items, dtype=_pandas_dtype(data["dtype"]))
    if tag == "pd.Series":
        import pandas as pd

        values = _array(data["values"], depth + 1, budget)
        return pd.Series(
            values,
            index=_index(data["index"], depth + 1, budget),
            name=_decode(data["name"], depth + 1, budget),
            dtype=_pandas_dtype(data["dtype"]),
        )
    if tag == "pd.DataFrame":
        import pandas as pd

        columns = _index(data["column_index"], depth + 1, budget)
        index = _index(data["index"], depth + 1, budget)
        frame = pd.DataFrame(index=index)
        parts = [
            pd.Series(
                _array(col["values"], depth + 1, budget),
                index=index,
                dtype=_pandas_dtype(col["dtype"]),
            )
            for col in _items(data["columns"], budget)
        ]
        if len(parts) != len(columns):
            raise ValueError("columns")
        if parts:
            frame = pd.concat(parts, axis=1)
        frame.columns = columns
        return frame
    raise ValueError(f"unknown tag {tag!r}")


def _small_int(value: Any) -> int:
    if type(value) is not int or abs(value) > 2**53:
        raise ValueError("not a small int")
    return value


def _items(value: Any, budget: _Budget) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    if len(value) > MAX_ITEMS:
        raise _TooBig
    budget.take(len(value))
    return value


def _dtype(text: Any) -> Any:
    import numpy as np

    dtype = np.dtype(str(text)[:20])
    if dtype.kind not in _DTYPE_KINDS:
        raise ValueError("dtype")
    if dtype.kind == "U" and dtype.itemsize > 4 * MAX_ITEMSIZE:
        raise _TooBig  # "<U99999999999" would make numpy allocate that much per item
    return dtype


def _pandas_dtype(text: Any) -> Any:
    text = str(text)[:40]
    if text in _STRING_DTYPES:
        return {"str": "str", "object": None, "string": "string"}[text]
    if text == "category":
        return text
    if text.startswith(
        ("int", "uint", "float", "bool", "complex", "Int", "UInt", "Float", "boolean")
    ):
        return text
    return None


def _array(data: dict[str, Any], depth: int, budget: _Budget) -> Any:
    import numpy as np

    dtype = _dtype(data["dtype"])
    shape_items = data["shape"]
    if not isinstance(shape_items, list) or len(shape_items) > MAX_DEPTH:
        raise ValueError("shape")
    shape = tuple(_small_int(n) for n in shape_items)
    if any(n < 0 for n in shape):
        raise ValueError("shape")
    items = [_decode(item, depth + 1, budget) for item in _items(data["v"], budget)]
    if math.prod(shape) != len(items):
        raise ValueError("shape")
    if dtype.kind == "O":
        array = np.empty(len(items), dtype=object)
        array[:] = items if items else []
        return array.reshape(shape)
    return np.array(items, dtype=dtype).reshape(shape)


def _index(data: dict[str, Any], depth: int, budget: _Budget) -> Any:
    import pandas as pd

    tag = data["t"]
    if tag == "pd.RangeIndex":
        start, stop, step = (_small_int(x) for x in data["v"])
        if step == 0:
            raise ValueError("step")
        # Its virtual length counts: a RangeIndex(150_000_000) costs nothing until listed.
        budget.take(len(range(start, stop, step)))
        return pd.RangeIndex(start, stop, step, name=_decode(data["name"], depth + 1, budget))
    if tag == "pd.MultiIndex":
        tuples = _decode(data["v"], depth + 1, budget)
        names = [_decode(n, depth + 1, budget) for n in _items(data["names"], budget)]
        return pd.MultiIndex.from_tuples(tuples, names=names)
    if tag != "pd.Index":
        raise ValueError("index")
    values = _array(data["values"], depth + 1, budget)
    return pd.Index(
        values, dtype=_pandas_dtype(data["dtype"]), name=_decode(data["name"], depth + 1, budget)
    )
