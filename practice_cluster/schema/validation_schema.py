"""Decoding checks against the object schemas: unknown fields and JSON type mismatches, in the apiserver's words.

The apiserver decodes a request body into Go structs before anything else: a value of the wrong
JSON type fails the request (400), and with ``fieldValidation=Strict`` so does a field the struct
does not have (``Warn`` turns each into a warning header instead).

>>> obj = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicasx": 2, "replicas": "3"}}
>>> unknown_fields(obj, "io.k8s.api.apps.v1.Deployment")
['spec.replicasx']
>>> decode_errors(obj, "io.k8s.api.apps.v1.Deployment")[0]
'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'
>>> strict_message(["spec.replicasx"])
'strict decoding error: unknown field "spec.replicasx"'
"""

from __future__ import annotations

from typing import Any

from practice_cluster.schema import definitions as defs
from practice_cluster.schema import validation_convert as convert

_ALWAYS_KNOWN = ("apiVersion", "kind")


def _types(schema: dict[str, Any]) -> set[str]:
    value = schema.get("type")
    if value is None:
        return set()
    return {value} if isinstance(value, str) else {v for v in value if v != "null"}


def _is_struct(schema: dict[str, Any]) -> bool:
    return "properties" in schema


def unknown_fields(obj: dict[str, Any], definition: str) -> list[str]:
    """Every field of ``obj`` its schema does not have, as dotted paths with list indexes."""
    schema = defs.definitions().get(definition)
    if schema is None or not isinstance(obj, dict):
        return []
    found: list[str] = []
    _walk_unknown(obj, schema, "", found)
    return found


def _walk_unknown(value: Any, schema: dict[str, Any], path: str, found: list[str]) -> None:
    schema = defs.resolve(schema)
    if isinstance(value, dict):
        props = schema.get("properties")
        if props is not None:
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if key in props:
                    _walk_unknown(child, props[key], child_path, found)
                elif not (path == "" and key in _ALWAYS_KNOWN):
                    found.append(child_path)
        elif isinstance(schema.get("additionalProperties"), dict):
            for key, child in value.items():
                _walk_unknown(child, schema["additionalProperties"], f"{path}[{key}]", found)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _walk_unknown(item, schema["items"], f"{path}[{i}]", found)


def strict_message(fields: list[str]) -> str:
    """The 400 text with ``fieldValidation=Strict``: ``strict decoding error: unknown field "a", ...``."""
    return "strict decoding error: " + ", ".join(warning_text(f) for f in fields)


def warning_text(field: str) -> str:
    """One ``Warning:`` header with ``fieldValidation=Warn``: ``unknown field "spec.replicasx"``."""
    return f'unknown field "{field}"'


def decode_failure(kind: str, version: str, detail: str) -> str:
    """How a create/update body that fails to decode is reported (400 BadRequest)."""
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {detail}'


# ------------------------------------------------------------------------------------- type errors


def _go_type(schema: dict[str, Any]) -> str:
    name = defs.ref_name(schema)
    if name is not None:
        target = defs.definitions().get(name, {})
        if _is_struct(target):
            return "v1." + name.rsplit(".", 1)[-1]
        schema = target
    kinds = _types(schema)
    if "array" in kinds:
        items = schema.get("items")
        return "[]" + (_go_type(items) if isinstance(items, dict) else "interface {}")
    if "object" in kinds:
        extra = schema.get("additionalProperties")
        inner = _go_type(extra) if isinstance(extra, dict) else "interface {}"
        return f"map[string]{inner}"
    if "integer" in kinds:
        return "int64" if schema.get("format") == "int64" else "int32"
    if "number" in kinds:
        return "float64"
    if "boolean" in kinds:
        return "bool"
    if "string" in kinds:
        return "[]uint8" if schema.get("format") == "byte" else "string"
    return "interface {}"


def _accepts(schema: dict[str, Any], value: Any) -> bool:
    if "oneOf" in schema:  # IntOrString, Quantity
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    kinds = _types(schema)
    if not kinds:
        return True
    kind = convert.json_token(value)
    if kind == "number":
        if "number" in kinds:
            return True
        return "integer" in kinds and isinstance(value, int)  # Go's decoder refuses 2.0 for an integer
    return {"bool": "boolean", "string": "string", "array": "array", "object": "object"}[kind] in kinds


def decode_errors(obj: dict[str, Any], definition: str) -> list[str]:
    """Values Go's decoder rejects (wrong JSON type, bad base64), in its words; the apiserver reports the first."""
    schema = defs.definitions().get(definition)
    if schema is None or not isinstance(obj, dict):
        return []
    found: list[str] = []
    _walk_types(obj, schema, definition.rsplit(".", 1)[-1], "", found)
    return found


def base64_error(text: str) -> str | None:
    """Go's complaint about a ``[]byte`` field (Secret data) that is not standard base64, or None."""
    position = 0
    quantum = 0
    padded = False
    for char in text:
        if char in "\r\n":
            continue
        if char == "=":
            if quantum < 2:
                return f"illegal base64 data at input byte {position}"
            padded = True
        elif padded or not (char.isascii() and (char.isalnum() or char in "+/")):
            return f"illegal base64 data at input byte {position}"
        quantum = (quantum + 1) % 4
        position += 1
    if quantum:
        return f"illegal base64 data at input byte {position - quantum}"
    return None


def _self_decoding(value: Any, name: str | None, struct: str, path: str) -> str | None:
    """The decoder's error for a Quantity, Time or IntOrString value, which decode themselves."""
    if name == convert.INT_OR_STRING:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return None
        kind = f"number {value}" if isinstance(value, float) else convert.json_token(value)
        return f"json: cannot unmarshal {kind} into Go struct field {struct}.{path} of type int32"
    if name == convert.QUANTITY:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        return convert.quantity_error(value.strip()) if isinstance(value, str) else convert.QUANTITY_FORMAT
    if not isinstance(value, str):
        return f"json: cannot unmarshal {convert.json_token(value)} into Go value of type string"
    return convert.time_error(value)


def _walk_types(value: Any, schema: dict[str, Any], struct: str, path: str, found: list[str]) -> None:
    if value is None:
        return
    name = defs.ref_name(schema)
    if name in (convert.INT_OR_STRING, convert.QUANTITY, *convert.TIMES):
        problem = _self_decoding(value, name, struct, path)
        if problem:
            found.append(problem)
        return
    target = defs.resolve(schema)
    if isinstance(value, str) and target.get("format") == "byte":
        problem = base64_error(value)
        if problem:
            found.append(problem)
        return
    if not _accepts(target, value):
        kind = convert.json_token(value)
        if kind == "number" and "integer" in _types(target):
            kind = f"number {value}"
        where = f"Go struct field {struct}.{path}" if path else "Go value"
        go_type = _go_type(schema)
        if go_type == "string":
            go_type = convert.named_string(struct, path.rsplit(".", 1)[-1])
        found.append(f"json: cannot unmarshal {kind} into {where} of type {go_type}")
        return
    if isinstance(value, dict):
        props = target.get("properties")
        if props is not None:
            name = defs.ref_name(schema)
            own = name.rsplit(".", 1)[-1] if name else struct
            for key, child in value.items():
                if key in props:
                    _walk_types(child, props[key], own, f"{path}.{key}" if path else key, found)
        elif isinstance(target.get("additionalProperties"), dict):
            for child in value.values():
                _walk_types(child, target["additionalProperties"], struct, path, found)
    elif isinstance(value, list) and isinstance(target.get("items"), dict):
        for item in value:
            _walk_types(item, target["items"], struct, path, found)
