"""Element order of merged lists, as the apiserver's strategic merge settles it.

Patch elements keep the patch's order (or ``$setElementOrder``'s), elements only the live object has
keep the live order, and the two interleave by their live positions.

>>> normalize_order(["b"], ["a", "c"], ["b"], ["a", "b", "c"], "", "string")
['a', 'b', 'c']
"""

from __future__ import annotations

from typing import Any

from practice_cluster.patch.values import MAP_KIND, MergeError, bad_arg_type, go_type, go_v, no_merge_key, same

DIRECTIVE = "$patch"
NO_LIST_OF_LISTS = "lists of lists are not supported"


def element_kind(*lists: list[Any]) -> str:
    kind: str | None = None
    for values in lists:
        for value in values:
            this = go_type(value)
            if kind is None:
                if value is None:
                    raise MergeError("list elements must not be null")
                if isinstance(value, list):
                    raise MergeError(NO_LIST_OF_LISTS, 422)
                kind = this
            elif kind != this:
                raise MergeError(f"list element types are not identical: {go_v(list(lists))}")
    if kind is None:
        raise MergeError("no elements in any of the given slices")
    return kind


def find(values: list[Any], merge_key: str, wanted: Any) -> int:
    """Index of the first map whose merge key equals ``wanted``, or -1."""
    for index, item in enumerate(values):
        if not isinstance(item, dict):
            raise MergeError(f"value for key {index} is not a map.")
        if merge_key in item and same(item[merge_key], wanted):
            return index
    return -1


def partition_primitives(merged: list[Any], order: list[Any]) -> tuple[list[Any], list[Any]]:
    inside = [value for value in merged if any(same(value, item) for item in order)]
    outside = [value for value in merged if not any(same(value, item) for item in order)]
    return inside, outside


def partition_maps(merged: list[Any], order: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    inside: list[Any] = []
    outside: list[Any] = []
    for value in merged:
        if not isinstance(value, dict):
            raise bad_arg_type(MAP_KIND, value)
        if merge_key not in value:
            raise no_merge_key(value, merge_key)
        found = find(order, merge_key, value[merge_key]) >= 0
        (inside if found else outside).append(value)
    return inside, outside


def normalize_order(
    in_patch: list[Any], server_only: list[Any], patch_order: list[Any], server_order: list[Any],
    merge_key: str, kind: str,
) -> list[Any]:
    """Patch items in patch order, server-only items in live order, interleaved by the live order."""
    in_patch = _sort_by(in_patch, patch_order, merge_key, kind)
    server_only = _sort_by(server_only, server_order, merge_key, kind)
    merged: list[Any] = []
    left, right = 0, 0
    while left < len(server_only) and right < len(in_patch):
        li = _index(server_order, server_only[left], merge_key, kind)
        ri = _index(server_order, in_patch[right], merge_key, kind)
        if li >= 0 and ri >= 0 and li < ri:
            merged.append(server_only[left])
            left += 1
        else:
            merged.append(in_patch[right])
            right += 1
    return merged + server_only[left:] + in_patch[right:]


def _index(values: list[Any], wanted: Any, merge_key: str, kind: str) -> int:
    def key(item: Any) -> Any:
        if kind != MAP_KIND:
            return item
        return item.get(merge_key) if isinstance(item, dict) else None

    target = key(wanted)
    for index, value in enumerate(values):
        if same(key(value), target):
            return index
    return -1


def without_deletions(values: list[Any]) -> tuple[list[Any], list[Any]]:
    kept: list[Any] = []
    deleted: list[Any] = []
    for value in values:
        if not isinstance(value, dict):
            raise bad_arg_type(MAP_KIND, value)
        (deleted if value.get(DIRECTIVE) == "delete" else kept).append(value)
    return kept, deleted


def _sort_by(values: list[Any], order: list[Any], merge_key: str, kind: str) -> list[Any]:
    deleted: list[Any] = []
    if kind == MAP_KIND:
        for value in values + order:
            if not isinstance(value, dict):
                raise bad_arg_type(MAP_KIND, value)
            if merge_key not in value:
                raise no_merge_key(value, merge_key)
        values, deleted = without_deletions(values)
    result = list(values)

    # The insertion sort Go's stable sort runs on short lists, with the same odd comparator: an item
    # missing from ``order`` compares as smaller than anything.
    def less(first: Any, second: Any) -> bool:
        fi = _index(order, first, merge_key, kind)
        if fi >= 0:
            si = _index(order, second, merge_key, kind)
            if si >= 0:
                return fi < si
        return True

    for start in range(1, len(result)):
        at = start
        while at > 0 and less(result[at], result[at - 1]):
            result[at], result[at - 1] = result[at - 1], result[at]
            at -= 1
    return result + deleted
