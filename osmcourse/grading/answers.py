"""What leaves the student's kernel: the values of the lab's answer variables, as plain data.

The grader appends :data:`EXTRACT` (plus a call) as the last cell of the notebook it runs.
"""

from __future__ import annotations

# The grader's own last cell. It runs in the student's kernel, so it relies on nothing the
# student defined: builtins are fetched fresh, values are converted to plain JSON.
EXTRACT = r'''
def __osm_extract(names, path):
    import builtins, json, math
    def plain(value, depth=0):
        if depth > 4:
            return None
        if value is ... or value is None or isinstance(value, (bool, str)):
            return {"ellipsis": True} if value is ... else value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else repr(value)
        if hasattr(value, "to_dict") and not isinstance(value, dict):
            try:
                value = value.to_dict()
            except Exception:
                return None
        if hasattr(value, "tolist"):
            try:
                return plain(value.tolist(), depth + 1)
            except Exception:
                return None
        if isinstance(value, dict):
            return {builtins.str(k): plain(v, depth + 1) for k, v in builtins.list(value.items())[:1000]}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            return [plain(v, depth + 1) for v in builtins.list(items)[:1000]]
        return {"unsupported": type(value).__name__}
    found = {}
    space = globals()
    for name in names:
        if name in space:
            try:
                found[name] = plain(space[name])
            except Exception:
                found[name] = {"unsupported": "error"}
    with builtins.open(path, "w", encoding="utf-8") as handle:
        json.dump(found, handle)
'''
