"""Strategic merge patch (``application/strategic-merge-patch+json``), driven by the object schemas.

The merge follows the apiserver's own algorithm: the ``x-kubernetes-patch-strategy`` and
``x-kubernetes-patch-merge-key`` of each field decide whether a list is merged by key, merged as a
set of primitives or replaced; maps merge by key and ``null`` deletes. The directives ``$patch``
(replace / delete, and in lists delete / replace), ``$retainKeys``, ``$setElementOrder/<field>`` and
``$deleteFromPrimitiveList/<field>`` are honoured. Parts of an object the schemas do not describe merge
like a JSON merge patch.

>>> live = {"spec": {"containers": [{"name": "a", "image": "v1"}, {"name": "b", "image": "v1"}]}}
>>> out = strategic_merge_patch(live, {"spec": {"containers": [{"name": "b", "image": "v2"}]}},
...                             "io.k8s.api.core.v1.Pod")
>>> [c["image"] for c in out["spec"]["containers"]]
['v1', 'v2']
"""

from __future__ import annotations

import copy
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.patch.order import (
    DIRECTIVE,
    element_kind,
    find,
    normalize_order,
    partition_maps,
    partition_primitives,
    without_deletions,
)
from practice_cluster.patch.values import (
    LIST_KIND,
    MAP_KIND,
    MergeError,
    bad_arg_type,
    go_s,
    go_type,
    go_v,
    json_kind,
    no_merge_key,
    same,
    unprocessable,
)
from practice_cluster.schema.definitions import definitions, resolve

RETAIN_KEYS = "$retainKeys"
DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList"
SET_ORDER_PREFIX = "$setElementOrder"

# Messages of the apiserver's merge library that it answers with 400; everything else it reports as a
# server error, which here becomes a 400 too, since the client's patch caused it.
BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ORDER = "invalid patch format of setElementOrder list"

Schema = dict[str, Any] | None


def strategic_merge_patch(original: dict[str, Any], patch: Any, definition: str) -> dict[str, Any]:
    """Apply a strategic merge patch to ``original`` (left untouched) for the schema ``definition``."""
    if not isinstance(patch, dict):
        raise ApiError.bad_request(f"json: cannot unmarshal {json_kind(patch)} into Go value of type {MAP_KIND}")
    schema: Schema = definitions().get(definition)
    try:
        return _merge_map(copy.deepcopy(original), copy.deepcopy(patch), schema)
    except MergeError as err:
        if err.code == 422:
            raise unprocessable(err.message) from None
        raise ApiError.bad_request(err.message) from None
    except RecursionError:
        raise ApiError.bad_request("the patch is nested too deeply") from None


# --- Schema lookups ---------------------------------------------------------------------------------


def _field(schema: Schema, key: str) -> tuple[Schema, str, str, bool]:
    """(field schema, patch strategy, merge key, retainKeys) of ``key``; an unknown field has no strategy."""
    if schema is None:
        return None, "", "", False
    resolved = resolve(schema)
    props = resolved.get("properties")
    if isinstance(props, dict) and isinstance(props.get(key), dict):
        prop: dict[str, Any] = props[key]
        strategies = [part for part in str(prop.get("x-kubernetes-patch-strategy", "")).split(",") if part]
        retain, strategy = _split_retain_keys(strategies)
        return prop, strategy, str(prop.get("x-kubernetes-patch-merge-key", "")), retain
    extra = resolved.get("additionalProperties")
    if isinstance(extra, dict):
        return extra, "", "", False
    return None, "", "", False


def _split_retain_keys(strategies: list[str]) -> tuple[bool, str]:
    if not strategies:
        return False, ""
    if len(strategies) == 1:
        return (True, "") if strategies[0] == "retainKeys" else (False, strategies[0])
    if len(strategies) == 2 and "retainKeys" in strategies:
        return True, strategies[1] if strategies[0] == "retainKeys" else strategies[0]
    raise MergeError(f"unexpected patch strategy: {go_v(strategies)}")


def _items(schema: Schema) -> Schema:
    if schema is None:
        return None
    items = resolve(schema).get("items")
    return items if isinstance(items, dict) else None


def _type_name(schema: Schema) -> str:
    """What the Go library calls the element type in messages (a struct, or a map for string maps)."""
    if schema is not None and "additionalProperties" in resolve(schema):
        return "map"
    return "struct"


# --- Maps -----------------------------------------------------------------------------------------


def _merge_map(original: dict[str, Any] | None, patch: dict[str, Any], schema: Schema) -> dict[str, Any]:
    if DIRECTIVE in patch:
        return _map_directive(patch[DIRECTIVE], patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, schema)
    # Go walks the patch in random order; deletion lists go last so that a list and its deletion
    # list in one patch act the same on every run.
    keys = sorted(patch, key=lambda name: name.startswith(DELETE_PRIMITIVE_PREFIX))
    for patch_key in keys:
        value = patch[patch_key]
        key, is_delete_list = patch_key, False
        if patch_key.startswith(DELETE_PRIMITIVE_PREFIX):
            key, is_delete_list = _strip_prefix(patch_key, DELETE_PRIMITIVE_PREFIX, BAD_PRIMITIVE_LIST), True
        if value is None:
            original.pop(key, None)
            continue
        if key not in original or go_type(original[key]) != go_type(value):
            if not is_delete_list:
                _discard_nulls(value)
                cleaned, keep = remove_directives(value)
                if keep:
                    original[key] = cleaned
                else:
                    original.pop(key, None)
            continue
        current = original[key]
        if isinstance(current, dict):
            sub, strategy, _, _ = _field(schema, key)
            original[key] = value if strategy == "replace" else _merge_map(current, value, sub)
        elif isinstance(current, list):
            sub, strategy, merge_key, _ = _field(schema, key)
            original[key] = _merge_list_field(current, value, _items(sub), strategy, merge_key, is_delete_list)
        else:
            original[key] = value
    return original


def _map_directive(directive: Any, patch: dict[str, Any]) -> dict[str, Any]:
    if directive == "replace":
        del patch[DIRECTIVE]
        return patch
    if directive == "delete":
        return {}
    raise MergeError(f"unknown patch type: {go_s(directive)} in map: {go_v(patch)}")


def _strip_prefix(key: str, prefix: str, error: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise MergeError(error)
    return rest


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [key for key, item in value.items() if item is None]:
            del value[key]
        for item in value.values():
            _discard_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def remove_directives(value: Any) -> tuple[Any, bool]:
    """A patch value stripped of ``$patch`` maps, and whether anything of it is left to keep."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            cleaned, keep = remove_directives(value[key])
            if keep:
                value[key] = cleaned
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = [remove_directives(item) for item in value]
        return [cleaned for cleaned, keep in kept if keep], True
    return value, True


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not isinstance(retain, list):
        raise MergeError(BAD_RETAIN_KEYS)
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_PRIMITIVE_PREFIX, SET_ORDER_PREFIX)):
            continue
        if not any(same(key, item) for item in retain):
            raise MergeError(BAD_RETAIN_KEYS)
    for key in [key for key in original if not any(same(key, item) for item in retain)]:
        del original[key]


# --- $setElementOrder -----------------------------------------------------------------------------


def _merge_ordered_lists(original: dict[str, Any], patch: dict[str, Any], schema: Schema) -> None:
    for directive_key in [key for key in patch if key.startswith(SET_ORDER_PREFIX)]:
        order = patch.pop(directive_key)
        if not isinstance(order, list):
            raise bad_arg_type(LIST_KIND, order)
        key = _strip_prefix(directive_key, SET_ORDER_PREFIX, BAD_SET_ORDER)
        found_original, found_patch = key in original, key in patch
        original_list: list[Any] = []
        patch_list: list[Any] = []
        if found_original:
            if not isinstance(original[key], list):
                raise bad_arg_type(LIST_KIND, original[key])
            original_list = original[key]
        if found_patch:
            if not isinstance(patch[key], list):
                raise bad_arg_type(LIST_KIND, patch[key])
            patch_list = patch[key]
        sub, strategy, merge_key, _ = _field(schema, key)
        _check_set_order(patch_list, order, merge_key)
        if found_original and found_patch:
            merged = _merge_list_field(original_list, patch_list, _items(sub), strategy, merge_key, False)
        elif found_original:
            merged = original_list
        elif found_patch:
            merged = remove_directives(patch_list)[0]
        else:
            continue
        if merge_key:
            in_order, server_only = partition_maps(merged, order, merge_key)
        else:
            in_order, server_only = partition_primitives(merged, order)
        kind = element_kind(original_list, patch_list)
        original[key] = normalize_order(in_order, server_only, order, original_list, merge_key, kind)
        patch.pop(key, None)


def _check_set_order(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """The patch list must follow the ``$setElementOrder`` list (deletions aside)."""
    if not order or not patch_list:
        return
    items = without_deletions(patch_list)[0] if merge_key else patch_list
    at, order_at = 0, 0
    while at < len(items) and order_at < len(order):
        if isinstance(items[at], dict) and DIRECTIVE in items[at]:
            at += 1
            continue
        if _merge_key_equal(items[at], order[order_at], merge_key):
            at += 1
        order_at += 1
    if at < len(items):
        raise MergeError(
            f"The order in patch list:\n{go_v(patch_list)}\n doesn't match {SET_ORDER_PREFIX} list:\n{go_v(order)}"
        )


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return same(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise bad_arg_type(MAP_KIND, item)
        if merge_key not in item:
            raise no_merge_key(item, merge_key)
    return same(left[merge_key], right[merge_key])


# --- Lists ----------------------------------------------------------------------------------------


def _merge_list_field(
    original: list[Any], patch: list[Any], items: Schema, strategy: str, merge_key: str, is_delete_list: bool
) -> list[Any]:
    if strategy == "merge" or is_delete_list:
        return _merge_list(original, patch, items, merge_key, is_delete_list)
    return patch


def _merge_list(
    original: list[Any], patch: list[Any], items: Schema, merge_key: str, is_delete_list: bool
) -> list[Any]:
    """Merge a list patch; for lists of maps ``original`` is left as Go leaves the slice it shares.

    Go deletes elements by shifting the rest left inside the same array and appends new elements
    into the freed tail, so a caller that still holds the old slice (the ``$setElementOrder`` step)
    sees those writes. ``original`` keeps its length and receives the same writes here, which keeps
    the final order of the live-only elements identical to the apiserver's.
    """
    if not original and not patch:
        return original
    kind = element_kind(original, patch)
    if kind != MAP_KIND:
        if is_delete_list:
            return [value for value in original if not any(same(value, gone) for gone in patch)]
        merged: list[Any] = []
        for value in original + patch:
            if not any(same(value, seen) for seen in merged):
                merged.append(value)
        in_patch, server_only = partition_primitives(merged, patch)
        return normalize_order(in_patch, server_only, patch, original, merge_key, kind)
    if not merge_key:
        raise MergeError(f"cannot merge lists without merge key for {_type_name(items)}")
    length, plain, replace = _special_elements(original, patch, merge_key)
    if replace:
        return normalize_order([], list(plain), [], plain, merge_key, kind)
    server_order = original[:length]
    merged = _merge_by_key(original, length, plain, merge_key, items)
    in_patch, server_only = partition_maps(merged, plain, merge_key)
    return normalize_order(in_patch, server_only, plain, server_order, merge_key, kind)


def _special_elements(original: list[Any], patch: list[Any], merge_key: str) -> tuple[int, list[Any], bool]:
    """Apply the ``$patch`` elements of a list patch to ``original`` in place, the way Go's slices do.

    Returns the live length left after the deletions, the plain patch elements and whether the
    patch replaces the whole list.
    """
    plain: list[Any] = []
    replace = False
    length = len(original)
    for element in patch:
        if DIRECTIVE not in element:
            plain.append(element)
            continue
        directive = element[DIRECTIVE]
        if directive == "delete":
            if merge_key not in element:
                raise no_merge_key(element, merge_key)
            while (index := find(original[:length], merge_key, element[merge_key])) >= 0:
                original[index : length - 1] = original[index + 1 : length]
                length -= 1
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise MergeError("merging lists cannot yet be specified in the patch")
        else:
            raise MergeError(f"unknown patch type: {go_s(directive)} in map: {go_v(element)}")
    return length, plain, replace


def _merge_by_key(
    original: list[Any], length: int, patch: list[Any], merge_key: str, items: Schema
) -> list[Any]:
    """Merge elements by key into ``original[:length]``; new ones fill the freed tail first."""
    overflow: list[Any] = []
    for element in patch:
        if merge_key not in element:
            raise no_merge_key(element, merge_key)
        current = original[:length] + overflow
        index = find(current, merge_key, element[merge_key])
        if index < 0:
            if length < len(original):
                original[length] = element
                length += 1
            else:
                overflow.append(element)
        elif index < length:
            original[index] = _merge_map(original[index], element, items)
        else:
            overflow[index - length] = _merge_map(overflow[index - length], element, items)
    return original[:length] + overflow


