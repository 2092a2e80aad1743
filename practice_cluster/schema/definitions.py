"""The Kubernetes object schemas, read from the ``kubernetes-validate`` package (one pinned version).

Every schema-driven part of the practice cluster (OpenAPI documents, strict field validation,
strategic-merge keys, server-side apply list types) reads them from here.

>>> defs = definitions()
>>> name = definition_name("apps", "v1", "Deployment")
>>> name, "spec" in defs[name]["properties"]
('io.k8s.api.apps.v1.Deployment', True)
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

SCHEMA_VERSION = "v1.37.0-local-strict"
REF_PREFIX = "#/$defs/"


@functools.cache
def definitions() -> dict[str, dict[str, Any]]:
    """Definition name (``io.k8s.api.core.v1.Pod``) to its JSON schema, loaded once."""
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema" / SCHEMA_VERSION / "_definitions.json"
    with root.open("rb") as handle:
        document = json.load(handle)
    defs: dict[str, dict[str, Any]] = document["$defs"]
    return defs


@functools.cache
def _by_gvk() -> dict[tuple[str, str, str], str]:
    table: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            table.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    return table


def definition_name(group: str, version: str, kind: str) -> str | None:
    """The definition of a kind, or None when the schemas do not have it."""
    return _by_gvk().get((group, version, kind))


def ref_name(schema: dict[str, Any]) -> str | None:
    """The definition a ``$ref`` schema points to (``allOf: [{$ref}]`` included)."""
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf", ())) == 1:
        ref = schema["allOf"][0].get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return ref[len(REF_PREFIX) :]
    return None


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` to the definition it names; any other schema is returned as it is."""
    name = ref_name(schema)
    if name is None:
        return schema
    return definitions().get(name, schema)


def field_schema(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The resolved schema of ``key`` in an object schema, or None when it has no such field."""
    prop = resolve(schema).get("properties", {}).get(key)
    return None if prop is None else prop
