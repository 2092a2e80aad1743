"""The three PATCH bodies the practice apiserver accepts, applied to plain JSON dicts.

* ``json_merge_patch``: ``application/merge-patch+json`` (RFC 7386), as the apiserver's library does it.
* ``json_patch``: ``application/json-patch+json`` (RFC 6902) with the apiserver's error wording.
* ``strategic_merge_patch``: ``application/strategic-merge-patch+json`` (see ``patch_strategic``).

Every function leaves its arguments untouched and raises only ``ApiError`` for a bad patch.

>>> json_merge_patch({"a": 1, "b": {"c": 2}}, {"b": {"c": None, "d": 3}})
{'a': 1, 'b': {'d': 3}}
>>> json_patch({"a": [1, 2]}, [{"op": "add", "path": "/a/-", "value": 3}])
{'a': [1, 2, 3]}
>>> json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
Traceback (most recent call last):
...
practice_cluster.patch.values.Unprocessable: the server rejected our request due to an error in our request
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.patch.strategic import strategic_merge_patch
from practice_cluster.patch.values import json_kind, same, unprocessable

__all__ = ["MAX_JSON_PATCH_OPERATIONS", "json_merge_patch", "json_patch", "strategic_merge_patch"]

MAX_JSON_PATCH_OPERATIONS = 10000
# Repeated ``copy`` operations double a document each time; the cap keeps a small patch from
# building a huge object.
MAX_COPY_GROWTH = 3 * 1024 * 1024
_INDEX = re.compile(r"[+-]?[0-9]+")
_ESCAPE = re.compile(r"~[01]")
_MISSING = "missing value"


# --- JSON merge patch ------------------------------------------------------------------------------


def json_merge_patch(original: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply an RFC 7386 merge patch; the patch must be a JSON object."""
    if not isinstance(patch, dict):
        raise ApiError.bad_request("Invalid JSON Patch")
    try:
        document = copy.deepcopy(original)
        _merge_docs(document, copy.deepcopy(patch))
    except RecursionError:
        raise ApiError.bad_request("Invalid JSON Patch") from None
    return document


def _merge_docs(document: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            document.pop(key, None)
        elif document.get(key) is None:
            _prune_nulls(value)
            document[key] = value
        else:
            document[key] = _merge_value(document[key], value)


def _merge_value(current: Any, patch: Any) -> Any:
    if not isinstance(current, dict):
        _prune_nulls(patch)
        return patch
    if not isinstance(patch, dict):
        return patch
    _merge_docs(current, patch)
    return current


def _prune_nulls(value: Any) -> None:
    # Nulls go from objects at every depth, but an array keeps its null elements.
    if isinstance(value, dict):
        for key in [key for key, item in value.items() if item is None]:
            del value[key]
        for item in value.values():
            _prune_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _prune_nulls(item)


# --- JSON patch -----------------------------------------------------------------------------------


class _OpError(Exception):
    """A failed operation; the message is the library's, wrapped step by step as it is in Go."""


def _wrap(message: str, cause: str) -> _OpError:
    return _OpError(f"{message}: {cause}")


def json_patch(original: dict[str, Any], operations: Any) -> dict[str, Any]:
    """Apply an RFC 6902 patch; a failing operation is a 422 carrying the library's message."""
    if operations is None:
        operations = []
    if not isinstance(operations, list):
        raise ApiError.bad_request(
            f"json: cannot unmarshal {json_kind(operations)} into Go value of type jsonpatch.Patch"
        )
    for operation in operations:
        if operation is not None and not isinstance(operation, dict):
            raise ApiError.bad_request(
                f"json: cannot unmarshal {json_kind(operation)} into Go value of type jsonpatch.Operation"
            )
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise ApiError(
            413,
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
            f"got {len(operations)}",
        )
    copied = [0]
    try:
        document: dict[str, Any] = copy.deepcopy(original)
        for operation in operations:
            _apply(document, operation or {}, copied)
    except _OpError as err:
        raise unprocessable(str(err)) from None
    except RecursionError:
        raise unprocessable("the document is nested too deeply") from None
    return document


def _apply(document: dict[str, Any], operation: dict[str, Any], copied: list[int]) -> None:
    kind = operation.get("op")
    if not isinstance(kind, str):
        kind = "unknown"
    if kind == "add":
        _op_add(document, operation)
    elif kind == "remove":
        _op_remove(document, operation)
    elif kind == "replace":
        _op_replace(document, operation)
    elif kind == "move":
        _op_move(document, operation)
    elif kind == "test":
        _op_test(document, operation)
    elif kind == "copy":
        _op_copy(document, operation, copied)
    else:
        raise _OpError(f"Unexpected kind: {kind}")


def _string_field(operation: dict[str, Any], name: str, missing: str) -> str:
    value = operation.get(name)
    if value is None:
        raise _wrap(missing, _MISSING)
    if not isinstance(value, str):
        raise _OpError(f"json: cannot unmarshal {json_kind(value)} into Go value of type string")
    return value


def _path(operation: dict[str, Any]) -> str:
    return _string_field(operation, "path", "operation missing path field")


def _from(operation: dict[str, Any]) -> str:
    return _string_field(operation, "from", "operation, missing from field")


def _decode_key(key: str) -> str:
    return _ESCAPE.sub(lambda match: "/" if match.group() == "~1" else "~", key)


def _find_container(document: dict[str, Any], path: str) -> tuple[dict[str, Any] | list[Any] | None, str]:
    """The object or array holding the last step of ``path`` and that step, or (None, "")."""
    steps = path.split("/")
    if len(steps) < 2:
        return None, ""
    container: dict[str, Any] | list[Any] = document
    # The first step is skipped unread, as the library does: "a/b" means "/b".
    for step in steps[1:-1]:
        try:
            found = _get(container, _decode_key(step))
        except _OpError:
            return None, ""
        if not isinstance(found, dict | list):
            return None, ""
        container = found
    return container, _decode_key(steps[-1])


def _atoi(key: str) -> int:
    if not _INDEX.fullmatch(key):
        raise _OpError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    number = int(key)
    if not -(2**63) <= number < 2**63:
        raise _OpError(f'strconv.Atoi: parsing "{key}": value out of range')
    return number


def _invalid_index(index: int) -> _OpError:
    return _wrap(f"Unable to access invalid index: {index}", "invalid index referenced")


def _list_index(values: list[Any], key: str) -> int:
    index = _atoi(key)
    if index >= len(values) or index < -len(values):
        raise _invalid_index(index)
    return index + len(values) if index < 0 else index


def _get(container: dict[str, Any] | list[Any], key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    return container[_list_index(container, key)]


def _add(container: dict[str, Any] | list[Any], key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
        return
    if key == "-":
        container.append(value)
        return
    try:
        index = _atoi(key)
    except _OpError as err:
        raise _wrap(f"value was not a proper array index: '{key}'", str(err)) from None
    size = len(container) + 1
    if index >= size or index < -size:
        raise _invalid_index(index)
    container.insert(index + size if index < 0 else index, value)


def _remove(container: dict[str, Any] | list[Any], key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise _wrap(f"Unable to remove nonexistent key: {key}", _MISSING)
        del container[key]
        return
    del container[_list_index(container, key)]


def _path_or(operation: dict[str, Any], message: str, keep_cause: bool) -> str:
    try:
        return _path(operation)
    except _OpError as err:
        raise _wrap(message, str(err) if keep_cause else _MISSING) from None


def _op_add(document: dict[str, Any], operation: dict[str, Any]) -> None:
    path = _path_or(operation, "add operation failed to decode path", False)
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f'add operation does not apply: doc is missing path: "{path}"', _MISSING)
    try:
        _add(container, key, copy.deepcopy(operation.get("value")))
    except _OpError as err:
        raise _wrap(f"error in add for path: '{path}'", str(err)) from None


def _op_remove(document: dict[str, Any], operation: dict[str, Any]) -> None:
    path = _path_or(operation, "remove operation failed to decode path", False)
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f'remove operation does not apply: doc is missing path: "{path}"', _MISSING)
    try:
        _remove(container, key)
    except _OpError as err:
        raise _wrap(f"error in remove for path: '{path}'", str(err)) from None


def _op_replace(document: dict[str, Any], operation: dict[str, Any]) -> None:
    path = _path_or(operation, "replace operation failed to decode path", True)
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f"replace operation does not apply: doc is missing path: {path}", _MISSING)
    value = copy.deepcopy(operation.get("value"))
    if isinstance(container, dict):
        # The library replaces a missing member by adding it.
        container[key] = value
        return
    try:
        index = _list_index(container, key)
    except _OpError:
        raise _wrap(f"replace operation does not apply: doc is missing key: {path}", _MISSING) from None
    container[index] = value


def _op_move(document: dict[str, Any], operation: dict[str, Any]) -> None:
    try:
        source = _from(operation)
    except _OpError as err:
        raise _wrap("move operation failed to decode from", str(err)) from None
    container, key = _find_container(document, source)
    if container is None:
        raise _wrap(f"move operation does not apply: doc is missing from path: {source}", _MISSING)
    try:
        value = _get(container, key)
        _remove(container, key)
    except _OpError as err:
        raise _wrap(f"error in move for path: '{key}'", str(err)) from None
    path = _path_or(operation, "move operation failed to decode path", True)
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f"move operation does not apply: doc is missing destination path: {path}", _MISSING)
    try:
        _add(container, key, value)
    except _OpError as err:
        raise _wrap(f"error in move for path: '{path}'", str(err)) from None


def _op_copy(document: dict[str, Any], operation: dict[str, Any], copied: list[int]) -> None:
    try:
        source = _from(operation)
    except _OpError as err:
        raise _wrap("copy operation failed to decode from", str(err)) from None
    container, key = _find_container(document, source)
    if container is None:
        raise _wrap(f"copy operation does not apply: doc is missing from path: {source}", _MISSING)
    try:
        value = _get(container, key)
    except _OpError as err:
        raise _wrap(f"error in copy for from: '{source}'", str(err)) from None
    path = _path_or(operation, "copy operation failed to decode path", False)
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f"copy operation does not apply: doc is missing destination path: {path}", _MISSING)
    copied[0] += len(json.dumps(value, separators=(",", ":")))
    if copied[0] > MAX_COPY_GROWTH:
        raise _OpError(
            f"Unable to complete the copy, the accumulated size increase of copy is {copied[0]}, "
            f"exceeding the limit {MAX_COPY_GROWTH}"
        )
    try:
        _add(container, key, copy.deepcopy(value))
    except _OpError as err:
        raise _wrap("error while adding value during copy", str(err)) from None


def _op_test(document: dict[str, Any], operation: dict[str, Any]) -> None:
    path = _path_or(operation, "test operation failed to decode path", True)
    if path == "":
        if not _json_equal(document, operation.get("value")):
            raise _wrap(f"testing value {path} failed", "test failed")
        return
    container, key = _find_container(document, path)
    if container is None:
        raise _wrap(f"test operation does not apply: is missing path: {path}", _MISSING)
    try:
        value = _get(container, key)
    except _OpError as err:
        raise _wrap(f"error in test for path: '{path}'", str(err)) from None
    # A missing member and a null one look alike to the library; both pass a test for null.
    if not _json_equal(value, operation.get("value")):
        raise _wrap(f"testing value {path} failed", "test failed")


def _json_equal(left: Any, right: Any) -> bool:
    """Equality of decoded JSON: numbers by value (1 equals 1.0), booleans apart from numbers."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return bool(left == right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right, strict=True))
    return same(left, right)
