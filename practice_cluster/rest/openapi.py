"""The OpenAPI v3 documents the practice cluster serves at ``/openapi/v3`` and ``/openapi/v3/<group-version>``.

kubectl reads them for ``explain``, to decide whether the server validates fields itself
(``apply``, ``create -f``, ``replace``, ``edit``) and for client-side apply merge keys. Each
group-version document carries the schemas of ``definitions.py`` in OpenAPI 3.0 form (with the enum
values of ``data/openapi_enums.json``, taken from a real apiserver) and the REST paths of the resources in
``resources.py``; documents are built on first use and cached.

>>> import json
>>> entry = json.loads(index())["paths"]["apis/apps/v1"]["serverRelativeURL"]
>>> entry.startswith("/openapi/v3/apis/apps/v1?hash=")
True
>>> doc = json.loads(document("apis/apps/v1") or b"{}")
>>> doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]["type"]
'object'
>>> document("apis/nope/v1") is None
True
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from practice_cluster.schema import definitions as defs
from practice_cluster.schema.resources import RESOURCES, Resource

REF_PREFIX = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."

def _convert(schema: Any, top_level: bool = False) -> Any:
    """One JSON-schema node in OpenAPI 3.0 form, the way the apiserver writes it."""
    if isinstance(schema, list):
        return [_convert(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = defs.ref_name(schema) if "$ref" in schema else None
    out: dict[str, Any] = {}
    if ref is not None:
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if not siblings:
            return {"$ref": REF_PREFIX + ref}
        # OpenAPI 3.0 ignores siblings of a bare $ref, so the apiserver wraps it in allOf.
        out["allOf"] = [{"$ref": REF_PREFIX + ref}]
        schema = siblings
    for key, value in schema.items():
        if key == "type":
            if isinstance(value, list):
                kinds = [v for v in value if v != "null"]
                value = kinds[0] if len(kinds) == 1 else kinds
            out["type"] = value
        elif key == "additionalProperties":
            if value is False:
                continue
            out[key] = _convert(value) if isinstance(value, dict) else value
        elif key == "properties":
            out[key] = {name: _convert(prop) for name, prop in value.items()}
        elif key in ("items", "allOf", "anyOf", "not"):
            out[key] = _convert(value)
        elif key == "oneOf":
            return _one_of(schema)
        else:
            out[key] = value
    return out


def _one_of(schema: dict[str, Any]) -> dict[str, Any]:
    # IntOrString and Quantity are the only unions in the schema file. The apiserver keeps them as a
    # type-less oneOf, which is what makes kubectl explain print <IntOrString> and <Quantity>.
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "oneOf"}
    branches = [{"type": t} for branch in schema["oneOf"] for t in _types(branch)]
    if {b["type"] for b in branches} == {"integer", "string"}:
        out["format"] = "int-or-string"
        branches.sort(key=lambda b: b["type"])
    out["oneOf"] = branches
    return out


def _types(schema: dict[str, Any]) -> list[str]:
    value = schema.get("type", [])
    return [value] if isinstance(value, str) else [v for v in value if v != "null"]


# The schema file drops the descriptions of the two union types; these are the apiserver's own first sentences.
_DESCRIPTIONS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (
        "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and "
        "unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field "
        "that can accept a name or number."
    ),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (
        "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in "
        "JSON and YAML, in addition to String() and AsInt64() accessors."
    ),
}


@functools.cache
def _enums() -> dict[str, dict[str, dict[str, Any]]]:
    """The enum fields of the API types, as a real kube-apiserver documents them (tools/openapi_enums.py)."""
    table: dict[str, dict[str, dict[str, Any]]] = json.loads(
        (Path(__file__).parent.parent / "data" / "openapi_enums.json").read_text(encoding="utf-8"))
    return table


def _component(name: str) -> dict[str, Any]:
    source = defs.definitions()[name]
    out: dict[str, Any] = _convert(source)
    if name in _DESCRIPTIONS and "description" not in out:
        out["description"] = _DESCRIPTIONS[name]
    props = out.get("properties", {})
    for key, found in _enums().get(name, {}).items():  # what a real apiserver's documents say of enum fields
        if isinstance(props.get(key), dict):
            props[key]["enum"] = found["enum"]
            if found.get("description"):
                props[key]["description"] = found["description"]
    for key in ("apiVersion", "kind"):
        if isinstance(props.get(key), dict):
            # The schema file pins apiVersion/kind with an enum; the apiserver's documents do not.
            props[key].pop("enum", None)
    if "x-kubernetes-group-version-kind" in source and "required" in out:
        # The schema file marks ``spec`` of top-level kinds required where the apiserver's documents do not;
        # kubectl explain would print ``-required-`` next to it.
        required = [r for r in out["required"] if r != "spec"]
        if required:
            out["required"] = required
        else:
            del out["required"]
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(defs.REF_PREFIX):
            found.add(ref[len(defs.REF_PREFIX) :])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _closure(roots: set[str]) -> set[str]:
    table = defs.definitions()
    seen: set[str] = set()
    todo = [r for r in roots if r in table]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        _refs(table[name], found)
        todo.extend(n for n in found if n in table and n not in seen)
    return seen


# ---------------------------------------------------------------------------------------------- paths

_P_DRY_RUN = (
    "dryRun",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun "
    "directive will result in an error response and no further processing of the request. Valid values are: "
    "- All: all dry run stages will be processed",
    "string",
)
_P_FIELD_MANAGER = (
    "fieldManager",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be "
    "less than or 128 characters long, and only contain printable characters, as defined by "
    "https://golang.org/pkg/unicode/#IsPrint.",
    "string",
)
_P_FIELD_VALIDATION = (
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing "
    "unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are "
    "silently dropped from the object, and will ignore all but the last duplicate field that the decoder "
    "encounters. - Warn: This will send a warning via the standard warning response header for each unknown "
    "field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This "
    "will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or "
    "if any duplicate fields are present. The error returned from the server will contain all unknown and "
    "duplicate fields encountered.",
    "string",
)
_P_FORCE = (
    "force",
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other '
    "people. Force flag must be unset for non-apply patch requests.",
    "boolean",
)
_P_LIST = (
    ("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
     "string"),
    ("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
     "string"),
    ("watch", "Watch for changes to the described resources and return them as a stream of add, update, and "
     "remove notifications. Specify resourceVersion.", "boolean"),
    ("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served "
     "from.", "string"),
    ("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
    ("continue", "The continue option should be set when retrieving more results from the server.", "string"),
    ("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
)
_P_DELETE = (
    ("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer"),
    ("propagationPolicy", "Whether and how garbage collection will be performed.", "string"),
    _P_DRY_RUN,
)
_WRITE = (_P_DRY_RUN, _P_FIELD_MANAGER, _P_FIELD_VALIDATION)


def _query(params: tuple[tuple[str, str, str], ...]) -> list[dict[str, Any]]:
    return [
        {"description": text, "in": "query", "name": name, "schema": {"type": kind, "uniqueItems": True}}
        for name, text, kind in params
    ]


def _path_param(name: str, text: str) -> dict[str, Any]:
    return {"description": text, "in": "path", "name": name, "required": True,
            "schema": {"type": "string", "uniqueItems": True}}


def _content(schema: str | None, media: tuple[str, ...] = ("application/json", "application/yaml")) -> dict[str, Any]:
    body = {"type": "string"} if schema is None else {"$ref": REF_PREFIX + schema}
    return {m: {"schema": body} for m in media}


def _gvk(kind_ref: tuple[str, str, str]) -> dict[str, str]:
    return {"group": kind_ref[0], "kind": kind_ref[2], "version": kind_ref[1]}


def _op(verb: str, action: str, text: str, op_id: str, tag: str, gvk: tuple[str, str, str], response: str | None,
        params: tuple[tuple[str, str, str], ...] = (), body: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"description": text, "operationId": op_id}
    if params:
        op["parameters"] = _query(params)
    if body is not None:
        op["requestBody"] = {"content": {"*/*": {"schema": {"$ref": REF_PREFIX + body}}}, "required": True}
    codes = {"get": ("200",), "put": ("200", "201"), "patch": ("200", "201"), "post": ("200", "201", "202"),
             "delete": ("200", "202")}[verb]
    names = {"200": "OK", "201": "Created", "202": "Accepted"}
    op["responses"] = {c: {"content": _content(response), "description": names[c]} for c in codes}
    op["tags"] = [tag]
    op["x-kubernetes-action"] = action
    op["x-kubernetes-group-version-kind"] = _gvk(gvk)
    return op


_SUBRESOURCE_KINDS = {
    "scale": ("autoscaling", "v1", "Scale", "io.k8s.api.autoscaling.v1.Scale"),
    "eviction": ("policy", "v1", "Eviction", "io.k8s.api.policy.v1.Eviction"),
    "binding": ("", "v1", "Binding", "io.k8s.api.core.v1.Binding"),
}


#: Subresources that upgrade the connection to a stream (no object schema).
_CONNECT = ("exec", "attach", "portforward")


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in text.replace(".", "-").split("-"))


def _paths(resource: Resource) -> tuple[dict[str, Any], set[str]]:
    """The REST paths of one resource and the schemas they reference."""
    name = defs.definition_name(resource.group, resource.version, resource.kind)
    if name is None:
        return {}, set()
    list_name = defs.definition_name(resource.group, resource.version, resource.kind + "List")
    gvk = (resource.group, resource.version, resource.kind)
    base = f"/apis/{resource.group}/{resource.version}" if resource.group else f"/api/{resource.version}"
    group_id = _camel(resource.group.split(".")[0]) if resource.group else "Core"
    tag = f"{resource.group.split('.')[0]}_{resource.version}" if resource.group else f"core_{resource.version}"
    scope = "Namespaced" if resource.namespaced else ""
    op_kind = f"{group_id}{_camel(resource.version)}{scope}{resource.kind}"
    collection = f"{base}/namespaces/{{namespace}}/{resource.plural}" if resource.namespaced \
        else f"{base}/{resource.plural}"
    item = collection + "/{name}"
    ns_param = [_path_param("namespace", "object name and auth scope, such as for teams and projects")] \
        if resource.namespaced else []
    pretty = {"description": "If 'true', then the output is pretty printed.", "in": "query", "name": "pretty",
              "schema": {"type": "string", "uniqueItems": True}}
    verbs = set(resource.verbs)
    used = {name, META + "Status", META + "DeleteOptions", META + "Patch"}
    paths: dict[str, Any] = {}

    coll: dict[str, Any] = {}
    if "list" in verbs and list_name:
        used.add(list_name)
        coll["get"] = _op("get", "list", f"list or watch objects of kind {resource.kind}",
                          "list" + op_kind, tag, gvk, list_name, _P_LIST)
    if "create" in verbs:
        coll["post"] = _op("post", "post", f"create a {resource.kind}", "create" + op_kind, tag, gvk, name,
                           _WRITE, body=name)
    if "deletecollection" in verbs:
        coll["delete"] = _op("delete", "deletecollection", f"delete collection of {resource.kind}",
                             "deletecollection" + op_kind, tag, gvk, META + "Status", _P_DELETE + _P_LIST)
    if coll:
        coll["parameters"] = [*ns_param, pretty]
        paths[collection] = coll

    one: dict[str, Any] = {}
    if "get" in verbs:
        one["get"] = _op("get", "get", f"read the specified {resource.kind}", "read" + op_kind, tag, gvk, name)
    if "update" in verbs:
        one["put"] = _op("put", "put", f"replace the specified {resource.kind}", "replace" + op_kind, tag, gvk,
                         name, _WRITE, body=name)
    if "patch" in verbs:
        one["patch"] = _op("patch", "patch", f"partially update the specified {resource.kind}", "patch" + op_kind,
                           tag, gvk, name, (*_WRITE, _P_FORCE), body=META + "Patch")
    if "delete" in verbs:
        one["delete"] = _op("delete", "delete", f"delete a {resource.kind}", "delete" + op_kind, tag, gvk,
                            META + "Status", _P_DELETE)
    if one:
        one["parameters"] = [_path_param("name", f"name of the {resource.kind}"), *ns_param, pretty]
        paths[item] = one

    if resource.namespaced and "list" in verbs and list_name:
        paths[f"{base}/{resource.plural}"] = {
            "get": _op("get", "list", f"list or watch objects of kind {resource.kind}",
                       f"list{group_id}{_camel(resource.version)}{resource.kind}ForAllNamespaces", tag, gvk,
                       list_name, _P_LIST),
            "parameters": [pretty],
        }

    for sub in resource.subresources:
        sub_path = f"{item}/{sub}"
        params = [_path_param("name", f"name of the {resource.kind}"), *ns_param, pretty]
        sub_id = op_kind + _camel(sub)
        if sub in _CONNECT:
            continue  # streaming connections: kubectl reads no schema for them
        if sub == "log":
            paths[sub_path] = {"get": _op("get", "get", f"read log of the specified {resource.kind}",
                                          "read" + sub_id, tag, gvk, None), "parameters": params}
            continue
        if sub in _SUBRESOURCE_KINDS:
            group, version, sub_kind, schema = _SUBRESOURCE_KINDS[sub]
            sub_gvk = (group, version, sub_kind)
        else:
            schema, sub_gvk, sub_kind = name, gvk, resource.kind
        used.add(schema)
        entry: dict[str, Any] = {}
        if sub in ("eviction", "binding"):
            entry["post"] = _op("post", "post", f"create {sub_kind} of a {resource.kind}", "create" + sub_id, tag,
                                sub_gvk, schema, _WRITE, body=schema)
        elif sub == "finalize":
            entry["put"] = _op("put", "put", f"replace finalize of the specified {resource.kind}",
                               "replace" + sub_id, tag, sub_gvk, schema, _WRITE, body=schema)
        else:
            entry["get"] = _op("get", "get", f"read {sub} of the specified {resource.kind}", "read" + sub_id, tag,
                               sub_gvk, schema)
            entry["put"] = _op("put", "put", f"replace {sub} of the specified {resource.kind}", "replace" + sub_id,
                               tag, sub_gvk, schema, _WRITE, body=schema)
            entry["patch"] = _op("patch", "patch", f"partially update {sub} of the specified {resource.kind}",
                                 "patch" + sub_id, tag, sub_gvk, schema, (*_WRITE, _P_FORCE), body=META + "Patch")
        entry["parameters"] = params
        paths[sub_path] = entry
    return paths, used


# ------------------------------------------------------------------------------------------ documents


def _group_versions() -> dict[str, list[Resource]]:
    table: dict[str, list[Resource]] = {}
    for resource in RESOURCES.values():
        key = f"apis/{resource.group}/{resource.version}" if resource.group else f"api/{resource.version}"
        table.setdefault(key, []).append(resource)
    return table


@functools.cache
def _document_bytes(path: str) -> bytes | None:
    resources = _group_versions().get(path)
    if resources is None:
        return None
    paths: dict[str, Any] = {}
    roots: set[str] = set()
    for resource in resources:
        more, used = _paths(resource)
        paths.update(more)
        roots |= used
    schemas = {name: _component(name) for name in sorted(_closure(roots))}
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.37.0"},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas},
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()


def _normalise(path: str) -> str:
    path = path.split("?", 1)[0].strip("/")
    if path.startswith("openapi/v3/"):
        path = path[len("openapi/v3/") :]
    return path


def document(path: str) -> bytes | None:
    """The JSON body of ``/openapi/v3/<path>`` (``api/v1``, ``apis/apps/v1``), or None when not served."""
    return _document_bytes(_normalise(path))


def content_hash(path: str) -> str | None:
    """The hash kubectl sees in ``serverRelativeURL``: SHA-512 of the document, upper-case hex."""
    body = document(path)
    return None if body is None else hashlib.sha512(body).hexdigest().upper()


@functools.cache
def index() -> bytes:
    """The JSON body of ``/openapi/v3``: each served group version with its content-hashed URL."""
    entries = {
        path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={content_hash(path)}"}
        for path in sorted(_group_versions())
    }
    return json.dumps({"paths": entries}, separators=(",", ":")).encode()
