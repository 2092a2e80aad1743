"""The REST API: one request in, one response out, over the store (no sockets here).

Routes discovery, OpenAPI, and ``/api/v1/...`` and ``/apis/{group}/{version}/...`` to get, list, watch,
create, update, patch and delete, with the apiserver's decoding, validation, defaulting, admission,
managedFields and dry runs. ``server`` turns HTTP into ``Request`` and writes the ``Response``.

>>> from practice_cluster.cluster import Cluster
>>> cluster = Cluster.simulated()
>>> cluster.api.handle(Request("GET", "/api/v1/namespaces/default", {}, {}, b"")).status
200
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from practice_cluster.errors import ApiError
from practice_cluster.rest import discovery
from practice_cluster.rest.deletion import delete_collection, delete_object
from practice_cluster.rest.writes import Writes, scale_of, strip_owned
from practice_cluster.schema.resources import RESOURCES, Resource, lookup
from practice_cluster.selectors import parse_field_selector, parse_label_selector
from practice_cluster.storage.store import Obj
from practice_cluster.wire import (
    JSON,
    Request,
    Response,
    Target,
    check_body_type,
    decode_body,
    is_table,
    query_dry_run,
    warning_header,
)

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

SERVER_VERSION = {
    "major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37", "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "36", "gitVersion": "v1.37.0", "gitCommit": "practice", "gitTreeState": "clean",
    "buildDate": "2026-08-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc", "platform": "linux/amd64",
}
#: ``/openapi/v2`` as protobuf: an empty document. kubectl reads it when a manifest's kind is not in
#: ``/openapi/v3`` and then reports the kind as unknown ("no matches for kind ..."), as against a real
#: server; the schemas themselves are served in v3.
OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
OPENAPI_V2_JSON = {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.37.0"}, "paths": {},
                   "definitions": {}}
#: Deprecated resources: every request to them gets this warning (the apiserver's deprecated-API warning).
DEPRECATED = {("", "v1", "endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"}



class Api:
    """The request handler of one practice cluster."""

    def __init__(self, cluster: Parts) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.writes = Writes(cluster.store, cluster.clock)

    # -- entry ---------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        """Answer one request; every ApiError becomes its Status, anything else a 500 Status."""
        try:
            return self._route(req)
        except ApiError as err:
            return Response.json(err.status(), err.code)
        except RecursionError:
            return Response.json(ApiError.bad_request("the request nests too deeply").status(), 400)

    def _route(self, req: Request) -> Response:
        parts = unquote(req.path).split("/")[1:]
        if parts and parts[-1] == "":  # one trailing slash is the same path; an empty segment is no path
            parts.pop()
        if "" in parts:
            raise ApiError(404, "the server could not find the requested resource", details={})
        match parts:
            case ["version"]:
                return Response.json(SERVER_VERSION)
            case ["healthz" | "readyz" | "livez", *_]:
                return Response(200, b"ok", "text/plain; charset=utf-8")
            case ["api"] | ["apis"]:
                return self._discovery_root(parts[0], req)
            case ["api", "v1"]:
                return Response.json(discovery.api_resource_list("", "v1"))
            case ["apis", group]:
                if group not in {r.group for r in RESOURCES.values()}:
                    raise ApiError(404, "the server could not find the requested resource")
                return Response.json(discovery.api_group(group))
            case ["apis", group, version] if discovery.api_resource_list(group, version) is not None:
                return Response.json(discovery.api_resource_list(group, version))
            case ["openapi", "v2"]:
                if "protobuf" in req.accept:
                    return Response(200, b"", OPENAPI_V2_PROTOBUF)
                return Response.json(OPENAPI_V2_JSON)
            case ["openapi", "v3"]:
                from practice_cluster.rest import openapi

                return Response(200, openapi.index(), JSON)
            case ["openapi", "v3", *rest]:
                from practice_cluster.rest import openapi

                document = openapi.document("/".join(rest))
                if document is None:
                    raise ApiError(404, "the server could not find the requested resource")
                return Response(200, document, JSON)
        target = self._target(parts)
        if target is None:
            raise ApiError(404, "the server could not find the requested resource", details={})
        _check_path_names(req, target)
        r = target.resource
        deprecated = DEPRECATED.get((r.group, r.version, r.plural))
        if deprecated is None:
            return self._resource(req, target)
        try:
            response = self._resource(req, target)
        except ApiError as err:
            response = Response.json(err.status(), err.code)
        response.headers.append(warning_header(deprecated))
        return response

    def _discovery_root(self, root: str, req: Request) -> Response:
        version = discovery.wanted_aggregated_version(req.accept)
        if version is not None:
            content_type = f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
            return Response.json(discovery.aggregated(root, version), content_type=content_type)
        if root == "api":
            return Response.json(discovery.api_versions(self.cluster.address))
        return Response.json(discovery.api_group_list())

    def _target(self, parts: list[str]) -> Target | None:
        if parts[:2] == ["api", "v1"]:
            group, rest = "", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, rest = parts[1], parts[3:]
            if not any(r.group == group and r.version == parts[2] for r in RESOURCES.values()):
                return None
        else:
            return None
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and group == "":
            candidate = lookup(group, rest[2])
            if candidate is not None and candidate.namespaced:
                namespace, rest = rest[1], rest[2:]
        elif len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            return None
        resource = lookup(group, rest[0])
        if resource is None:
            return None
        if namespace is not None and not resource.namespaced:
            return None
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in resource.subresources:
            return None
        return Target(resource, namespace, name, sub)

    # -- resources -----------------------------------------------------------------------------------

    def _resource(self, req: Request, t: Target) -> Response:
        r = t.resource
        ns = t.namespace if r.namespaced else ""
        dry_run = query_dry_run(req) if req.method in ("POST", "PUT", "PATCH") else False
        if t.name is None:
            if req.method == "GET":
                if req.query.get("watch") in ("1", "true"):
                    from practice_cluster.rest.watch import watch_response

                    return watch_response(self.cluster, req, r, t.namespace)
                return self._list(req, r, t.namespace)
            if req.method == "POST":
                if r.namespaced and ns is None:
                    raise ApiError(404, "the server could not find the requested resource")
                return self._create(req, r, ns or "", dry_run)
            if req.method == "DELETE":
                return delete_collection(self.writes, req, r, t.namespace)
            raise ApiError(405, f"the server does not allow this method on the requested resource ({req.method})")
        name = t.name
        namespace = ns or ""
        if r.namespaced and t.namespace is None:
            raise ApiError(404, "the server could not find the requested resource")
        if t.subresource == "log" and req.method == "GET":
            from practice_cluster.rest.logs import log_response

            return log_response(self.cluster, req, namespace, name)
        if t.subresource == "eviction" and req.method == "POST":
            delete_object(self.writes, req, r, namespace, name, eviction_options(req, dry_run))
            return Response.json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}, 201)
        match req.method:
            case "GET":
                obj = self.store.get(r.plural, namespace, name)
                if t.subresource == "scale":
                    return Response.json(scale_of(r, obj))
                if is_table(req.accept):
                    return Response.json(self._table(req, r, [obj]))
                return Response.json(obj)
            case "PUT":
                return self._put(req, r, namespace, name, t.subresource, dry_run)
            case "PATCH":
                from practice_cluster.rest.patching import patch_object

                warnings: list[str] = []
                patched = Response.json(patch_object(self.writes, req, r, namespace, name, t.subresource, dry_run,
                                                     warnings))
                patched.headers += [warning_header(w) for w in dict.fromkeys(warnings)]
                return patched
            case "DELETE":
                return Response.json(delete_object(self.writes, req, r, namespace, name))
        raise ApiError(405, f"the server does not allow this method on the requested resource ({req.method})")

    def _table(self, req: Request, r: Resource, items: list[Obj], rv: str = "") -> dict[str, Any]:
        from practice_cluster.tables import tables

        include = req.query.get("includeObject", "Metadata")
        return tables.table(r, items, self.cluster.clock.now(), include_object=include, resource_version=rv)

    def _list(self, req: Request, r: Resource, namespace: str | None) -> Response:
        check_list_options(req)
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"), r.plural)
        items, rv = self.store.list(
            r.plural, namespace, lambda o: labels.matches(o["metadata"].get("labels")) and fields(o)
        )
        if is_table(req.accept):
            return Response.json(self._table(req, r, items, str(rv)))
        return Response.json({"kind": f"{r.kind}List", "apiVersion": r.api_version,
                              "metadata": {"resourceVersion": str(rv)}, "items": items})

    # -- writes --------------------------------------------------------------------------------------

    def _create(self, req: Request, r: Resource, namespace: str, dry_run: bool) -> Response:
        check_body_type(req)
        obj = self.writes.check_envelope(r, decode_body(req), namespace)
        warnings = self.writes.check_fields(req, r, obj)
        strip_owned(obj["metadata"])
        if "status" in r.subresources:
            obj.pop("status", None)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        meta["uid"] = str(uuid.uuid4())
        self.writes.prepare(r, obj, None)
        self.writes.record(req, r, None, obj)
        stored = self.store.create(r.plural, obj, dry_run=dry_run)
        response = Response.json(stored, 201)
        response.headers += [warning_header(w) for w in warnings]
        return response

    def _put(self, req: Request, r: Resource, namespace: str, name: str, sub: str | None, dry_run: bool) -> Response:
        check_body_type(req)
        body = decode_body(req)
        old = self.store.get(r.plural, namespace, name)
        if sub == "scale":
            return Response.json(self.writes.write_scale(req, r, old, body, dry_run))
        obj = self.writes.check_envelope(r, body, namespace)
        warnings = self.writes.check_fields(req, r, obj)
        if obj["metadata"].get("name") != name:
            raise ApiError.bad_request(
                f"the name of the object ({obj['metadata'].get('name')}) does not match the name on the URL ({name})"
            )
        if not obj["metadata"].get("resourceVersion") and r.kind in ("Deployment", "Service", "Pod"):
            raise ApiError.invalid(r.kind, name, [(
                "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")], r.group)
        stored = self.writes.write_update(req, r, old, obj, sub or "", dry_run)
        response = Response.json(stored)
        response.headers += [warning_header(w) for w in warnings]
        return response


def _check_path_names(req: Request, t: Target) -> None:
    """A name or namespace in the path that cannot be a key, answered as the apiserver answers it.

    A name of ``.`` or ``..`` or with ``%`` is a 400; a namespace of ``.`` or ``..`` fails at the
    storage key (a 500, without a reason) or, on a create, at the name check of the store.
    """
    for name in (t.name, t.namespace if t.resource.namespaced else None):
        if name is None:
            continue
        if name in (".", ".."):
            problem = f"may not be '{name}'"
        elif "%" in name:
            problem = "may not contain '%'"
        else:
            continue
        if name == t.name:
            raise ApiError.bad_request(f'Name parameter invalid: "{name}": {problem}')
        if req.method == "POST" and t.name is None:
            cause = f'invalid resource name "{name}": [{problem}]'
            raise ApiError(500, f"Internal error occurred: {cause}", details={"causes": [{"message": cause}]})
        key = f"/{t.resource.plural}/{name}" + (f"/{t.name}" if t.name else "")
        raise ApiError(500, f'invalid key: "{key}"', reason="")


def check_list_options(req: Request) -> None:
    """The integer and resource-version parameters of a list or watch parse, or a 400 in Go's words."""
    for key in ("limit", "timeoutSeconds"):
        if key in req.query:
            _go_int(req.query[key])
    version = req.query.get("resourceVersion")
    if version and not version.isdigit():
        raise ApiError.bad_request(f'invalid resource version: resourceVersion: Invalid value: "{version}": '
                                   f'strconv.ParseUint: parsing "{version}": invalid syntax')


def _go_int(text: str) -> int:
    try:
        if text.strip() != text or "_" in text:
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise ApiError.bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None


def eviction_options(req: Request, dry_run: bool) -> dict[str, Any]:
    """The DeleteOptions of an Eviction body, with the eviction's own ``?dryRun``."""
    from practice_cluster.rest.deletion import checked_options

    body = decode_body(req) if req.body.strip() else {}
    sent = body.get("deleteOptions") if isinstance(body, dict) else None
    options = checked_options(sent if isinstance(sent, dict) else {})
    if dry_run:
        options["dryRun"] = ["All"]
    return options
