"""Field sets as structured-merge-diff keeps them: path elements, schema shapes, set algebra, ``fieldsV1``.

A set is a trie of serialized path elements (``f:spec``, ``k:{"name":"web"}``, ``v:"x"``, ``i:0``);
a node holding the key ``"."`` is itself a member of the set, which is exactly how ``fieldsV1``
marks a path that is both owned and has owned children.

>>> kind = shape_of({"$ref": "#/$defs/io.k8s.api.core.v1.ConfigMap"})
>>> to_fields_v1(value_set({"data": {"k": "v"}}, kind))
{'f:data': {'f:k': {}}}
>>> path_string(("f:spec", "f:containers", 'k:{"name":"web"}', "f:image"))
'.spec.containers[name="web"].image'
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from practice_cluster.apply.fieldvalues import compare_values, go_json, to_string
from practice_cluster.schema.definitions import definitions, field_schema, resolve

Trie = dict[str, Any]
Path = tuple[str, ...]
MEMBER = "."
# Key fields that the schemas default, so an item may omit them and still have an identity.
KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}
_SCALAR_TYPES = {"string", "integer", "number", "boolean"}


class BadItem(ValueError):
    """A list item that cannot be given a path element (a keyed item without its key, a duplicate)."""


# --- path elements -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _parse(pe: str) -> tuple[int, Any]:
    prefix, body = pe[:2], pe[2:]
    if prefix == "f:":
        return 0, body
    if prefix == "k:":
        pairs = json.loads(body, object_pairs_hook=list)
        if not isinstance(pairs, list) or not all(isinstance(p, tuple | list) for p in pairs):
            raise ValueError(f"invalid key path element {pe!r}")
        return 1, [(str(k), v) for k, v in pairs]
    if prefix == "v:":
        return 2, json.loads(body)
    if prefix == "i:":
        return 3, int(body)
    raise ValueError(f"unknown path element {pe!r}")


def check_element(pe: str) -> None:
    """Raise ValueError when a ``fieldsV1`` key is not a path element."""
    _parse(pe)


def compare_elements(a: str, b: str) -> int:
    """structured-merge-diff's order of path elements: fields, keys, values, indexes."""
    (ka, va), (kb, vb) = _parse(a), _parse(b)
    if ka != kb:
        return -1 if ka < kb else 1
    if ka == 1:
        for (na, xa), (nb, xb) in zip(va, vb, strict=False):
            if na != nb:
                return -1 if na < nb else 1
            c = compare_values(xa, xb)
            if c:
                return c
        return (len(va) > len(vb)) - (len(va) < len(vb))
    if ka == 2:
        return compare_values(va, vb)
    return int(va > vb) - int(va < vb)


def sorted_elements(keys: Any) -> list[str]:
    return sorted((k for k in keys if k != MEMBER), key=functools.cmp_to_key(compare_elements))


def element_string(pe: str) -> str:
    kind, body = _parse(pe)
    if kind == 0:
        return "." + str(body)
    if kind == 1:
        return "[" + ",".join(f"{name}={to_string(value)}" for name, value in body) + "]"
    if kind == 2:
        return "[=" + to_string(body) + "]"
    return f"[{body}]"


def path_string(path: Path) -> str:
    """A path as the apiserver prints it in conflicts: ``.spec.ports[port=80,protocol="TCP"]``."""
    return "".join(element_string(pe) for pe in path)


# --- schema shapes -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Shape:
    """How structured-merge-diff sees a schema: a scalar, struct, map, list, or an untyped (deduced) value."""

    kind: str
    atomic: bool = False
    keys: tuple[str, ...] = ()
    associative: bool = False
    schema: dict[str, Any] = field(default_factory=dict)
    element: dict[str, Any] | None = None


DEDUCED = Shape("deduced")


def shape_of(schema: dict[str, Any] | None) -> Shape:
    """The shape of a property schema; extensions on the property win over those on its definition."""
    if not schema:
        return DEDUCED
    target = resolve(schema)
    ext = {k: v for k, v in target.items() if k.startswith("x-kubernetes-")}
    ext.update((k, v) for k, v in schema.items() if k.startswith("x-kubernetes-"))
    types = target.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    if "properties" in target:
        return Shape("struct", ext.get("x-kubernetes-map-type") == "atomic", schema=target)
    if "array" in types or "items" in target:
        items = target.get("items") if isinstance(target.get("items"), dict) else None
        list_type = ext.get("x-kubernetes-list-type")
        strategy = str(ext.get("x-kubernetes-patch-strategy", "")).split(",")
        merge_key = ext.get("x-kubernetes-patch-merge-key")
        if list_type == "map":
            keys = tuple(ext.get("x-kubernetes-list-map-keys") or ([merge_key] if merge_key else []))
            return Shape("list", keys=keys, associative=True, element=items)
        if list_type == "set":
            return Shape("list", associative=True, element=items)
        if list_type is None and "merge" in strategy:
            return Shape("list", keys=(merge_key,) if merge_key else (), associative=True, element=items)
        return Shape("list", atomic=True, element=items)
    additional = target.get("additionalProperties")
    if isinstance(additional, dict):
        return Shape("map", ext.get("x-kubernetes-map-type") == "atomic", element=additional)
    if types & _SCALAR_TYPES or "oneOf" in target or ext.get("x-kubernetes-int-or-string"):
        return Shape("scalar")
    return DEDUCED


def definition_shape(definition: str) -> Shape:
    return shape_of(definitions()[definition]) if definition in definitions() else DEDUCED


def child_shape(shape: Shape, key: str) -> tuple[Shape, bool]:
    """The shape of a map entry and whether it is a declared struct field."""
    if shape.kind == "struct":
        prop = field_schema(shape.schema, key)
        return (shape_of(prop), True) if prop is not None else (DEDUCED, False)
    if shape.kind == "map":
        return shape_of(shape.element), False
    return DEDUCED, False


def element_shape(shape: Shape) -> Shape:
    return shape_of(shape.element)


def item_element(shape: Shape, item: Any, index: int) -> str:
    """The path element of a list item; BadItem when a keyed item lacks a key."""
    if shape.keys:
        if not isinstance(item, dict):
            raise BadItem("associative list with keys may not have non-map elements")
        fields = []
        for name in shape.keys:
            if name in item:
                fields.append((name, item[name]))
            elif name in KEY_DEFAULTS:
                fields.append((name, KEY_DEFAULTS[name]))
            else:
                raise BadItem(f'associative list with keys has an element that omits key field "{name}" '
                              "(and doesn't have default value)")
        fields.sort(key=lambda pair: pair[0])
        return "k:{" + ",".join(f"{json.dumps(n, ensure_ascii=False)}:{go_json(v)}" for n, v in fields) + "}"
    if shape.associative:
        if isinstance(item, dict | list):
            raise BadItem("associative list without keys has an element that's a map type")
        return "v:" + go_json(item)
    return f"i:{index}"


def items_by_element(shape: Shape, items: list[Any], strict: bool = False) -> list[tuple[str, Any]]:
    """(path element, item) pairs, first occurrence of a duplicate kept (or BadItem when ``strict``)."""
    seen: dict[str, Any] = {}
    for index, item in enumerate(items):
        try:
            pe = item_element(shape, item, index)
        except BadItem as exc:
            if strict:
                raise BadItem(f"element {index}: {exc}") from None
            pe = f"i:{index}"
        if pe in seen:
            if strict:
                raise BadItem(f"duplicate entries for key {element_string(pe)}")
            continue
        seen[pe] = item
    return list(seen.items())


# --- set algebra -------------------------------------------------------------------------------


def insert(trie: Trie, path: Path) -> None:
    node = trie
    for pe in path:
        node = node.setdefault(pe, {})
    if path:
        node[MEMBER] = {}


def has(trie: Trie, path: Path) -> bool:
    node = trie
    for pe in path:
        if pe not in node:
            return False
        node = node[pe]
    return bool(path) and MEMBER in node


def is_empty(trie: Trie) -> bool:
    return not any(k == MEMBER or not is_empty(v) for k, v in trie.items())


def union(a: Trie, b: Trie) -> Trie:
    out: Trie = {}
    for key in {**a, **b}:
        if key == MEMBER:
            out[MEMBER] = {}
        else:
            out[key] = union(a.get(key, {}), b.get(key, {}))
    return out


def difference(a: Trie, b: Trie, recursive: bool = False) -> Trie:
    """Members of ``a`` not in ``b``; ``recursive`` also drops everything below a member of ``b``."""
    out: Trie = {}
    for key, node in a.items():
        if key == MEMBER:
            continue
        other = b.get(key, {})
        if recursive and MEMBER in other:
            continue
        child = difference(node, other, recursive)
        if MEMBER in node and MEMBER not in other:
            child[MEMBER] = {}
        if child:
            out[key] = child
    return out


def intersection(a: Trie, b: Trie) -> Trie:
    out: Trie = {}
    for key, node in a.items():
        if key == MEMBER or key not in b:
            continue
        child = intersection(node, b[key])
        if MEMBER in node and MEMBER in b[key]:
            child[MEMBER] = {}
        if child:
            out[key] = child
    return out


def members(trie: Trie, prefix: Path = ()) -> list[Path]:
    """Member paths in structured-merge-diff's iteration order (a level's members, then its children)."""
    keys = sorted_elements(trie)
    out = [(*prefix, k) for k in keys if MEMBER in trie[k]]
    for k in keys:
        out.extend(members(trie[k], (*prefix, k)))
    return out


def to_fields_v1(trie: Trie) -> dict[str, Any]:
    """The ``fieldsV1`` JSON of a set, keys in the apiserver's order."""
    out: dict[str, Any] = {}
    for key in sorted_elements(trie):
        node = trie[key]
        inner = to_fields_v1(node)
        if MEMBER in node and inner:
            inner = {MEMBER: {}, **inner}
        if inner or MEMBER in node:
            out[key] = inner
    return out


def from_fields_v1(fields: Any) -> Trie:
    """A set from ``fieldsV1``; ValueError when it is not one."""
    if not isinstance(fields, dict):
        raise ValueError("fieldsV1 must be an object")
    out: Trie = {}
    for key, value in fields.items():
        if key == MEMBER:
            continue
        check_element(key)
        child = from_fields_v1(value)
        if not value or MEMBER in value:
            child[MEMBER] = {}
        out[key] = child
    return out


# --- sets of values ----------------------------------------------------------------------------


def value_set(value: Any, shape: Shape, strict: bool = False) -> Trie:
    """The fields a value sets (structured-merge-diff's ``ToFieldSet``); ``strict`` raises BadItem on bad lists."""
    out: Trie = {}
    _walk_set(value, shape, (), out, strict)
    return out


def _walk_set(value: Any, shape: Shape, path: Path, out: Trie, strict: bool) -> None:
    if shape.kind == "list" and isinstance(value, list):
        if shape.atomic:
            insert(out, path)
            return
        try:
            pairs = items_by_element(shape, value, strict)
        except BadItem as exc:
            raise BadItem(f"{path_string(path)}: {exc}") from None
        for pe, item in pairs:
            _walk_set(item, element_shape(shape), (*path, pe), out, strict)
            insert(out, (*path, pe))
    elif shape.kind in ("struct", "map", "deduced") and isinstance(value, dict):
        if shape.atomic:
            insert(out, path)
            return
        for key, item in value.items():
            sub, declared = child_shape(shape, str(key))
            child = (*path, "f:" + str(key))
            _walk_set(item, sub, child, out, strict)
            if item is None or item == {} or not declared:
                insert(out, child)
    elif value is not None or shape.atomic or shape.kind in ("scalar", "deduced"):
        insert(out, path)


def named_fields_as_members(trie: Trie, shape: Shape) -> Trie:
    """Struct fields with owned children become members too (``EnsureNamedFieldsAreMembers``)."""
    out: Trie = {}
    for key, node in trie.items():
        if key == MEMBER:
            out[MEMBER] = {}
            continue
        if key.startswith("f:"):
            sub, declared = child_shape(shape, key[2:])
        else:
            sub, declared = (element_shape(shape) if shape.kind == "list" else DEDUCED), False
        child = named_fields_as_members(node, sub)
        if declared and shape.kind == "struct":
            child[MEMBER] = {}
        out[key] = child
    return out
