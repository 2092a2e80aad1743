"""The one write path of the practice cluster: what every create, update, patch and apply goes through.

The body's envelope (kind, apiVersion, metadata, namespace), unknown fields per ``fieldValidation``,
then defaults, admission and validation (``prepare``), managedFields (``record``), and the store, which
keeps the metadata only the server sets (``storage.store.SERVER_SET``); a patch's read-change-write runs
in ``storage.updates.guaranteed_update``. The REST handlers (api, patching, deletion) call it; it calls
none of them.

    writes = Writes(store, clock)
    obj = writes.check_envelope(resource, body, "default")
    writes.prepare(resource, obj, None)
"""

from __future__ import annotations

import json
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.registry.admission import Allocator
from practice_cluster.registry.defaults import apply_defaults
from practice_cluster.registry.strategies import STRATEGIES, Admission
from practice_cluster.schema.definitions import definition_name
from practice_cluster.schema.resources import RESOURCES, Resource
from practice_cluster.storage.clock import Clock, rfc3339
from practice_cluster.storage.store import SERVER_SET, Obj, Store
from practice_cluster.wire import Request, manager_of

#: What a create drops from the body: the server-set metadata, the resourceVersion and managedFields.
OWNED_METADATA = (*SERVER_SET, "resourceVersion", "managedFields")


def _drop_nulls(value: Any) -> None:
    """Remove null values from the objects inside ``value``, in place."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for child in value.values():
            _drop_nulls(child)
    elif isinstance(value, list):
        for child in value:
            _drop_nulls(child)


def strip_owned(meta: dict[str, Any]) -> None:
    for key in OWNED_METADATA:
        meta.pop(key, None)


def keep_server_set(meta: dict[str, Any], old: dict[str, Any]) -> None:
    """A client's update keeps the metadata only the server sets as stored (and adds none of it)."""
    for key in SERVER_SET:
        if key in old:
            meta[key] = old[key]
        else:
            meta.pop(key, None)


class Writes:
    """Checks, prepares, records and stores the objects a request writes."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.admission = Admission(store, Allocator(store))

    def check_envelope(self, r: Resource, obj: Any, namespace: str) -> Obj:
        """The body is an object of this resource's kind in this namespace; 400 otherwise."""
        if not isinstance(obj, dict):
            raise ApiError.bad_request(f"the body of the request was in an unknown format - expected a {r.kind}")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if not kind:
            raise ApiError.bad_request(f"Object 'Kind' is missing in '{json.dumps(obj)[:200]}'")
        if api_version != r.api_version:
            raise ApiError.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({r.api_version})"
            )
        if kind != r.kind and not any(k.kind == kind and k.api_version == api_version for k in RESOURCES.values()):
            raise ApiError.bad_request(f'{kind} in version "{r.version}" cannot be handled as a {r.kind}: no kind '
                                       f'"{kind}" is registered for version "{api_version}" in scheme '
                                       '"pkg/api/legacyscheme/scheme.go:30"')
        if kind != r.kind:
            raise ApiError.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({r.kind})")
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            raise ApiError.bad_request(f"{r.kind} in version \"{r.version}\" cannot be handled as a {r.kind}: "
                                       "metadata must be an object")
        if r.namespaced:
            sent = meta.get("namespace")
            if sent and sent != namespace:
                raise ApiError.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        return obj

    def check_fields(self, req: Request, r: Resource, obj: Obj) -> list[str]:
        """Unknown fields per ``fieldValidation``: a 400 when Strict, else dropped (as Go's decoder drops
        them) with a warning text for each when Warn. Returns the warning texts."""
        mode = req.query.get("fieldValidation", "Warn")
        from practice_cluster.schema import validation

        definition = definition_name(r.group, r.version, r.kind)
        if definition is None:
            return []
        problems = validation.decode_errors(obj, definition)
        if problems:
            raise ApiError.bad_request(f'{r.kind} in version "{r.version}" cannot be handled as a {r.kind}: '
                                       + problems[0])
        unknown = validation.unknown_fields(obj, definition)
        if not unknown:
            return []
        texts = [f'unknown field "{path}"' for path in unknown]
        if mode == "Strict":
            raise ApiError.bad_request(f'{r.kind} in version "{r.version}" cannot be handled as a {r.kind}: '
                                       "strict decoding error: " + ", ".join(texts))
        for path in reversed(unknown):  # deepest and last first, so list indexes stay right
            _drop(obj, path)
        return [] if mode == "Ignore" else texts

    def prepare(self, r: Resource, obj: Obj, old: Obj | None) -> None:
        """Defaults, admission and validation, the same on create, update and patch."""
        from practice_cluster.schema import validation

        # Go decodes a null struct field or pointer as absent: {"spec": {"replicas": null}} defaults to 1.
        if obj.get("spec") is None:
            obj.pop("spec", None)
        else:
            _drop_nulls(obj["spec"])
        apply_defaults(r.kind, obj)
        STRATEGIES[r.kind].admit(self.admission, obj, old)
        meta = obj["metadata"]
        if not meta.get("name"):
            raise ApiError.invalid(r.kind, "", [("metadata.name", "Required value: name or generateName is required")],
                                   r.group)
        causes = validation.validate(r.kind, obj, old)
        if causes:
            raise ApiError.invalid(r.kind, meta.get("name", ""), causes, r.group)

    def record(self, req: Request, r: Resource, old: Obj | None, new: Obj, subresource: str = "") -> None:
        from practice_cluster.apply import managed

        definition = definition_name(r.group, r.version, r.kind) or ""
        new["metadata"]["managedFields"] = managed.record_update(
            old, new, manager_of(req), r.api_version, rfc3339(self.clock.now()), definition, subresource
        )

    def write_update(self, req: Request, r: Resource, old: Obj, new: Obj, sub: str, dry_run: bool) -> Obj:
        """Validate and store a changed object (update, patch, the status subresource)."""
        meta = new.setdefault("metadata", {})
        keep_server_set(meta, old["metadata"])
        if sub == "status":
            merged = {k: v for k, v in old.items() if k != "status"}
            merged["status"] = new.get("status", {})
            merged["metadata"] = {**old["metadata"], "resourceVersion": meta.get("resourceVersion", "")}
            new = merged
        else:
            if "status" in old:
                new["status"] = old["status"]
            self.prepare(r, new, old)
        self.record(req, r, old, new, sub)
        return self.store.update(r.plural, new, status_only=sub == "status", dry_run=dry_run)

    def write_scale(self, req: Request, r: Resource, old: Obj, scale: Any, dry_run: bool) -> Obj:
        if not isinstance(scale, dict) or not isinstance(scale.get("spec"), dict):
            raise ApiError.bad_request("the body of the request was in an unknown format - expected a Scale")
        replicas = scale["spec"].get("replicas", 0)
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise ApiError.invalid("Scale", old["metadata"]["name"], [
                ("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")], "autoscaling")
        sent_rv = (scale.get("metadata") or {}).get("resourceVersion")
        new = json.loads(json.dumps(old))
        if sent_rv:
            new["metadata"]["resourceVersion"] = sent_rv
        new["spec"]["replicas"] = replicas
        stored = self.write_update(req, r, old, new, "scale", dry_run)
        return scale_of(r, stored)


def scale_of(r: Resource, obj: Obj) -> dict[str, Any]:
    """The ``autoscaling/v1`` Scale view of a Deployment, ReplicaSet or StatefulSet."""
    from practice_cluster.selectors import format_selector

    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if k in meta},
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
        "status": {"replicas": obj.get("status", {}).get("replicas", 0),
                   "selector": format_selector(obj.get("spec", {}).get("selector"))},
    }


def _drop(obj: Any, path: str) -> None:
    """Remove the field at a dotted path with list indexes (``spec.containers[0].imagex``)."""
    parts: list[str | int] = []
    for step in path.split("."):  # an empty name is a field too: `metadata.` is metadata's "" key
        name, *indexes = step.split("[")
        parts += [name, *(int(i.rstrip("]")) for i in indexes)]
    target = obj
    for part in parts[:-1]:
        in_list = isinstance(part, int) and isinstance(target, list) and part < len(target)
        in_map = isinstance(part, str) and isinstance(target, dict) and part in target
        if not (in_list or in_map):
            return
        target = target[part]
    if parts and isinstance(target, dict) and isinstance(parts[-1], str):
        target.pop(parts[-1], None)
