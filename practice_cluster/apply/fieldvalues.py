"""Values as structured-merge-diff sees them: Go's JSON text, its order of values, and strict equality.

>>> print(go_json({"b": 1.0, "a": "<x>"}))
{"a":"\\u003cx\\u003e","b":1}
>>> compare_values(2, "a"), equal_values(True, 1), to_string("web")
(-1, False, '"web"')
"""

from __future__ import annotations

import json
from typing import Any


def go_json(value: Any) -> str:
    """Compact JSON as Go's encoder writes it: HTML-safe escapes, integral floats without ``.0``."""
    text = json.dumps(_go_numbers(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _go_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    return value


def _rank(value: Any) -> int:
    if isinstance(value, bool):
        return 2
    if isinstance(value, int | float):
        return 0
    if isinstance(value, str):
        return 1
    if isinstance(value, list):
        return 3
    if isinstance(value, dict):
        return 4
    return 5


def compare_values(a: Any, b: Any) -> int:
    """Order of two values as structured-merge-diff sorts them: numbers, strings, bools, lists, maps, null."""
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra in (0, 1, 2):
        return int(a > b) - int(a < b)
    if ra == 3:
        for x, y in zip(a, b, strict=False):
            c = compare_values(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if ra == 4:
        keys_a, keys_b = sorted(a), sorted(b)
        for ka, kb in zip(keys_a, keys_b, strict=False):
            if ka != kb:
                return -1 if ka < kb else 1
            c = compare_values(a[ka], b[kb])
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    return 0


def equal_values(a: Any, b: Any) -> bool:
    """Deep equality that, unlike ``==``, tells ``True`` from ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal_values(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def to_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(to_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={to_string(v)}" for k, v in sorted(value.items())) + "}"
    return go_json(value)
