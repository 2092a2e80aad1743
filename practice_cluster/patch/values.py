"""Go's view of decoded JSON values, shared by the patch modules: types, equality, message wording.

The apiserver's patch libraries are Go; their messages print values with ``%v`` and their checks
compare Go types, so 1 and 1.0 (int64 and float64) or true and 1 differ.

>>> go_v({"b": [1, None], "a": True}), go_type(1.0), same(1, 1.0)
('map[a:true b:[1 <nil>]]', 'float64', False)
"""

from __future__ import annotations

from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.schema.validation_convert import go_value, json_token

#: Go's ``%v`` of a decoded JSON value: the schema's printer, so patch and validation messages agree.
go_v = go_value
MAP_KIND = "map[string]interface {}"
LIST_KIND = "[]interface {}"


class MergeError(Exception):
    """A failure inside the merge, turned into an ``ApiError`` at the entry point."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Unprocessable(ApiError):
    """The apiserver's generic 422 (``NewGenericServerResponse`` with ``isUnexpectedResponse`` false): the
    Status says only that the request was rejected, with empty details; the patch library's message is kept
    here as ``cause`` and not sent."""

    def __init__(self, cause: str) -> None:
        super().__init__(422, "the server rejected our request due to an error in our request", details={})
        self.cause = cause


def unprocessable(message: str) -> Unprocessable:
    """The generic 422 of a patch that does not apply; ``message`` is the library's."""
    return Unprocessable(message)


def go_type(value: Any) -> str:
    """The Go type a decoded JSON value has in the apiserver (numbers: int64 when integral)."""
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return MAP_KIND
    if isinstance(value, list):
        return LIST_KIND
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    return "string"


def json_kind(value: Any) -> str:
    """How Go's JSON decoder names a value it cannot store: null, object, array, number, ..."""
    return "null" if value is None else json_token(value)


def go_s(value: Any) -> str:
    """Go's ``%s``: strings as they are, anything else flagged the way fmt flags a wrong verb."""
    if isinstance(value, str):
        return value
    if value is None:
        return "%!s(<nil>)"
    return f"%!s({go_type(value)}={go_v(value)})"


def same(left: Any, right: Any) -> bool:
    """Equality as the merge library compares values: 1 and 1.0 or true and 1 are different."""
    if go_type(left) != go_type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


def bad_arg_type(expected: str, actual: Any) -> MergeError:
    shown = "%!s(<nil>)" if actual is None else go_type(actual)
    return MergeError(f"expected a {expected}, but received a {shown}")


def no_merge_key(item: dict[str, Any], merge_key: str) -> MergeError:
    return MergeError(f"map: {go_v(item)} does not contain declared merge key: {merge_key}")
