"""Server-side apply: merge an applied configuration into the live object and record who owns what.

Follows structured-merge-diff: the configuration's fields are set, fields the manager applied
before and no longer specifies are removed unless another manager owns them, associative lists
merge by key and atomic ones are replaced, and a field another manager owns with a different value
is a 409 conflict unless forced.

>>> cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
>>> out = server_side_apply(None, cm, "kubectl", "io.k8s.api.core.v1.ConfigMap", False, "v1", "2024-01-01T00:00:00Z")
>>> out["data"], [(e["manager"], e["operation"], e["fieldsV1"]) for e in out["metadata"]["managedFields"]]
({'a': '1'}, [('kubectl', 'Apply', {'f:data': {'f:a': {}}})])
"""

from __future__ import annotations

import copy
import json
from typing import Any

from practice_cluster.apply.fieldset import (
    MEMBER,
    BadItem,
    Path,
    Shape,
    Trie,
    child_shape,
    definition_shape,
    difference,
    element_shape,
    has,
    intersection,
    is_empty,
    item_element,
    items_by_element,
    members,
    named_fields_as_members,
    path_string,
    union,
    value_set,
)
from practice_cluster.apply.fieldvalues import equal_values, go_json
from practice_cluster.apply.managed import (
    LAST_APPLIED,
    SERVER_METADATA,
    Entry,
    Managed,
    compare,
    decode_managed,
    encode_managed,
    go_zero,
    strip_unowned,
    tracked,
)
from practice_cluster.errors import ApiError

_MISSING: Any = object()


# --- merge -------------------------------------------------------------------------------------


def _kind(shape: Shape, value: Any) -> str:
    if shape.kind != "deduced":
        return shape.kind
    return "map" if isinstance(value, dict) else "scalar"


def merge(lhs: Any, rhs: Any, shape: Shape) -> Any:
    """``rhs`` merged over ``lhs``: leaves and atomic values from ``rhs``, maps and keyed lists item by item."""
    if lhs is _MISSING:
        lhs = {} if isinstance(rhs, dict) else rhs
    kind = _kind(shape, rhs)
    if kind == "list" and not shape.atomic and isinstance(lhs, list) and isinstance(rhs, list):
        return _merge_list(lhs, rhs, shape)
    if kind in ("struct", "map") and not shape.atomic and isinstance(lhs, dict) and isinstance(rhs, dict):
        out = dict(lhs)
        for key, value in rhs.items():
            if value is None:
                # A null decodes to the field's zero value, which the stored object omits.
                out.pop(key, None)
                continue
            sub, _ = child_shape(shape, str(key))
            out[key] = merge(out.get(key, _MISSING), value, sub)
        return out
    return copy.deepcopy(rhs)


def _merge_list(lhs: list[Any], rhs: list[Any], shape: Shape) -> list[Any]:
    """Items in the order the merging walker emits them: the applied order, live-only items kept in place."""
    sub = element_shape(shape)
    left, right = items_by_element(shape, lhs), items_by_element(shape, rhs)
    left_items, right_items = dict(left), dict(right)
    left_order, right_order = [pe for pe, _ in left], [pe for pe, _ in right]
    shared = [pe for pe in right_order if pe in left_items]
    next_shared = shared.pop(0) if shared else None
    merged: set[str] = set()
    out: list[Any] = []
    li = ri = 0
    while li < len(left_order) or ri < len(right_order):
        if li < len(left_order) and ri < len(right_order):
            pe = left_order[li]
            if pe == right_order[ri]:
                merged.add(pe)
                out.append(merge(left_items[pe], right_items[pe], sub))
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in right_items and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(left_order):
            pe = left_order[li]
            if pe not in right_items:
                out.append(left_items[pe])
                li += 1
                continue
            if pe in merged:
                li += 1
                continue
        if ri < len(right_order):
            pe = right_order[ri]
            merged.add(pe)
            out.append(merge(left_items.get(pe, _MISSING), right_items[pe], sub))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out


# --- prune -------------------------------------------------------------------------------------


def remove_items(value: Any, trie: Trie, shape: Shape) -> Any:
    """``value`` without the members of ``trie`` (and all below them); ``_MISSING`` when nothing is left."""
    kind = _kind(shape, value)
    if kind == "list" and not shape.atomic and isinstance(value, list) and value:
        sub = element_shape(shape)
        items: list[Any] = []
        for index, item in enumerate(value):
            try:
                pe = item_element(shape, item, index)
            except BadItem:
                pe = f"i:{index}"
            node = trie.get(pe)
            if node is not None and MEMBER in node:
                continue
            if node:
                item = remove_items(item, node, sub)
            if item is not _MISSING:
                items.append(item)
        return items if items else _MISSING
    if kind in ("struct", "map") and not shape.atomic and isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            node = trie.get("f:" + str(key))
            if node is not None and MEMBER in node:
                continue
            if node:
                item = remove_items(item, node, child_shape(shape, str(key))[0])
            if item is not _MISSING:
                out[key] = item
        return out if out else _MISSING
    return value


def _removed(value: Any, trie: Trie, shape: Shape) -> Any:
    out = remove_items(value, trie, shape)
    return {} if out is _MISSING else out


def _prune(merged: dict[str, Any], managed: Managed, last: Trie, shape: Shape, identity: Trie) -> dict[str, Any]:
    """Drop what the applier owned last time and no longer applies, unless some manager still owns it.

    ``identity`` is the name and namespace the configuration gives: the apiserver strips them from the
    managed fields only after the merge, so while pruning they are the applier's and stay."""

    def named(trie: Trie) -> Trie:
        return named_fields_as_members(trie, shape)

    owned: Trie = identity
    for entry in managed.values():
        owned = union(owned, entry.fields)
    last_named = named(last)
    merged_set = named(value_set(merged, shape))
    pruned = _removed(merged, last_named, shape)
    owned_back = difference(merged_set, union(named(value_set(pruned, shape)), named(owned)))
    pruned = _removed(merged, owned_back, shape)
    dangling = intersection(difference(merged_set, named(value_set(pruned, shape))), last_named)
    out: dict[str, Any] = _removed(merged, dangling, shape)
    return out


# --- conflicts ---------------------------------------------------------------------------------


def _print_manager(entry: Entry) -> str:
    text = json.dumps(entry.manager, ensure_ascii=False)
    if entry.subresource:
        text += f" with subresource {json.dumps(entry.subresource, ensure_ascii=False)}"
    if entry.operation == "Update":
        text += f" using {entry.api_version}"
    return text


def conflict_error(conflicts: list[tuple[Entry, Path]]) -> ApiError:
    """The apiserver's 409 for apply conflicts, with one ``FieldManagerConflict`` cause per field."""
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_print_manager(e)}",
               "field": path_string(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_print_manager(entry)}: {path_string(path)}"
    else:
        lines: list[str] = []
        for identity in sorted({e.identity for e, _ in conflicts}):
            entries = [(e, p) for e, p in conflicts if e.identity == identity]
            lines.append(f"conflicts with {_print_manager(entries[0][0])}:")
            lines.extend(f"- {path_string(p)}" for _, p in entries)
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, message, reason="Conflict", details={"causes": causes})


def _last_applied_set(live: dict[str, Any], shape: Shape) -> Trie:
    """Fields the client-side apply annotation lists; kubectl's server-side apply may take them over."""
    meta = live.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    text = annotations.get(LAST_APPLIED) if isinstance(annotations, dict) else None
    if not isinstance(text, str) or not text:
        return {}
    try:
        applied = json.loads(text)
    except ValueError:
        return {}
    return value_set(tracked(applied), shape) if isinstance(applied, dict) else {}


# --- apply -------------------------------------------------------------------------------------


def _config(applied: dict[str, Any]) -> dict[str, Any]:
    """The applied configuration without what the server owns: status and server metadata."""
    config = {k: v for k, v in copy.deepcopy(applied).items() if k != "status"}
    meta = config.get("metadata")
    if isinstance(meta, dict):
        config["metadata"] = {k: v for k, v in meta.items()
                              if k not in SERVER_METADATA or k in ("name", "namespace")}
    return config


def _identity_set(config: dict[str, Any], shape: Shape) -> Trie:
    """The fields of the configuration's name and namespace (as the merge sees them, before they are stripped)."""
    meta = config.get("metadata")
    if not isinstance(meta, dict):
        return {}
    return value_set({"metadata": {k: meta[k] for k in ("name", "namespace") if meta.get(k) is not None}}, shape)


def _typed_error(applied: dict[str, Any], detail: str) -> ApiError:
    meta = applied.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    where = f"{meta.get('namespace', '')}/{meta.get('name', '')}; {applied.get('apiVersion', '')}, " \
            f"Kind={applied.get('kind', '')}"
    return ApiError(400, f"failed to create typed patch object ({where}): {detail}")


def _content(obj: dict[str, Any]) -> dict[str, Any]:
    """An object as compared for a no-op: metadata left empty once managed fields are set aside is no content."""
    return {k: v for k, v in obj.items() if not (k == "metadata" and v == {})}


def _with_last_applied(obj: dict[str, Any], applied: dict[str, Any]) -> dict[str, Any]:
    """kubectl's server-side apply keeps an existing client-side apply annotation in step with the config."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or LAST_APPLIED not in annotations:
        return obj
    sent = copy.deepcopy(applied)
    sent_annotations = (sent.get("metadata") or {}).get("annotations")
    if isinstance(sent_annotations, dict):
        sent_annotations.pop(LAST_APPLIED, None)
    obj["metadata"]["annotations"] = {**annotations, LAST_APPLIED: go_json(sent) + "\n"}
    return obj


def server_side_apply(
    live: dict[str, Any] | None,
    applied: dict[str, Any],
    manager: str,
    definition: str,
    force: bool,
    api_version: str,
    now: str,
) -> dict[str, Any]:
    """The object after ``manager`` applies ``applied`` to ``live`` (None: the object is created).

    Raises ApiError 409 ``Conflict`` when another manager owns a field the configuration changes
    and ``force`` is not set, and 400 when the configuration is not a valid object.
    """
    if not isinstance(applied, dict):
        raise ApiError(400, "the applied configuration must be an object")
    meta = applied.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise _typed_error(applied, ".metadata: expected map, got " + type(meta).__name__)
    if isinstance(meta, dict) and meta.get("managedFields") is not None:
        raise ApiError(400, "metadata.managedFields must be nil")
    shape = definition_shape(definition)
    config = _config(applied)
    try:
        new_set = strip_unowned(value_set(tracked(config), shape, strict=True))
    except BadItem as exc:
        raise _typed_error(applied, str(exc)) from None
    base = copy.deepcopy(live) if isinstance(live, dict) else {}
    base_meta = base.get("metadata")
    try:
        managed = decode_managed(base_meta.get("managedFields") if isinstance(base_meta, dict) else None)
    except ValueError:
        managed = {}
    if isinstance(base_meta, dict):
        base_meta.pop("managedFields", None)
    me = Entry(manager, "Apply", api_version, "", None, new_set)
    last = managed.get(me.identity)
    me.time = last.time if last else None
    managed[me.identity] = me
    merged = merge(base, config, shape)
    if last is not None and not is_empty(last.fields):
        merged = _prune(merged, managed, last.fields, shape, _identity_set(config, shape))
    changed = compare(go_zero(tracked(base), definition), go_zero(tracked(merged), definition), shape)
    touched = union(changed.added, changed.modified)
    conflicts: list[tuple[Entry, Path]] = []
    for identity in sorted(managed):
        entry = managed[identity]
        if identity != me.identity:
            conflicts.extend((entry, path) for path in members(intersection(entry.fields, touched)))
    if conflicts and not force:
        allowed = _last_applied_set(base, shape) if manager == "kubectl" else {}
        remaining = [(e, p) for e, p in conflicts if not has(allowed, p)]
        if remaining:
            raise conflict_error(remaining)
    lost = union(touched, changed.removed)
    for identity in list(managed):
        if identity != me.identity:
            managed[identity].fields = difference(managed[identity].fields, lost)
    if live is None or not equal_values(_content(base), _content(merged)):
        me.time = now
    result: dict[str, Any] = _with_last_applied(merged, applied) if manager == "kubectl" else merged
    entries = encode_managed(managed)
    if entries:
        result.setdefault("metadata", {})["managedFields"] = entries
    return result
