"""PATCH requests: choose the patch type, apply it to the live object, retry on a lost race.

The apiserver retries a patch internally when another writer got there first, so a patch never fails
with a conflict unless the patch itself names a stale ``resourceVersion``. Server-side apply
(``application/apply-patch+yaml``) creates the object when it is missing.

A patch whose result does not fit the object's types is a 422 on the field ``patch``, as the
apiserver answers it: a strategic merge patch in the converter's words with the patch printed as Go
prints a map, a JSON or merge patch in the JSON decoder's words with the patched object as the value.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from practice_cluster.errors import ApiError
from practice_cluster.rest.writes import keep_server_set
from practice_cluster.schema.definitions import definition_name
from practice_cluster.schema.resources import Resource
from practice_cluster.storage.clock import rfc3339
from practice_cluster.storage.store import Obj
from practice_cluster.storage.updates import guaranteed_update, stored_or_raced

if TYPE_CHECKING:
    from practice_cluster.rest.writes import Writes
    from practice_cluster.wire import Request

PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
    "application/apply-patch+cbor",
)


def _apply_patch(kind: str, definition: str, target: Obj, body: Any) -> Obj:
    from practice_cluster.patch import bodies as patch

    if kind == "application/json-patch+json":
        return patch.json_patch(target, body)
    if kind == "application/merge-patch+json":
        return patch.json_merge_patch(target, body)
    # Not an object: Go's decoder names what it found ("cannot unmarshal string into ..."); null is no change.
    return patch.strategic_merge_patch(target, {} if body is None else body, definition)


def patch_object(writes: Writes, req: Request, r: Resource, namespace: str, name: str, sub: str | None,
                 dry_run: bool, warnings: list[str] | None = None) -> Obj:
    """Apply a PATCH to ``name`` (or its ``status``/``scale`` subresource) and store the result.

    Texts of unknown fields dropped from the result (``fieldValidation=Warn``) are added to ``warnings``.
    """
    from practice_cluster.rest.writes import scale_of
    from practice_cluster.wire import decode_body

    kind = req.content_type
    if kind not in PATCH_TYPES[:4]:  # apply-patch+cbor too: the apiserver has CBOR off
        raise ApiError(415, "415: Unsupported Media Type")
    body = decode_body(req)
    definition = definition_name(r.group, r.version, r.kind) or ""
    if kind.startswith("application/apply-patch"):
        return _server_side_apply(writes, req, r, namespace, name, sub, body, definition, dry_run)

    def attempt() -> Obj:
        old = writes.store.get(r.plural, namespace, name)
        if sub == "scale":
            scale = _apply_patch(kind, "io.k8s.api.autoscaling.v1.Scale", scale_of(r, old), body)
            named = (scale.get("metadata") or {}).get("resourceVersion") != old["metadata"]["resourceVersion"]
            return stored_or_raced(named, lambda: writes.write_scale(req, r, old, scale, dry_run))
        patched = _apply_patch(kind, definition, copy.deepcopy(old), body)
        if not isinstance(patched, dict):
            raise ApiError.bad_request("the patch did not produce an object")
        check_patched_types(kind, definition, body, patched)
        writes.check_envelope(r, patched, namespace)
        named = patched["metadata"].get("resourceVersion") != old["metadata"]["resourceVersion"]
        if patched["metadata"].get("name") != name:
            raise ApiError.bad_request(f'metadata.name: Invalid value: "{patched["metadata"].get("name")}": '
                                       "field is immutable")
        said[:] = writes.check_fields(req, r, patched)
        return stored_or_raced(named, lambda: writes.write_update(req, r, old, patched, sub or "", dry_run))

    said: list[str] = []
    stored = guaranteed_update(r, name, attempt)
    if warnings is not None:
        warnings += said
    return stored


def check_patched_types(kind: str, definition: str, body: Any, patched: Obj) -> None:
    """A patched object with a value of the wrong type is the apiserver's 422 on ``patch``.

    A strategic merge patch fails in the unstructured converter (which also turns ``2.0`` into ``2`` in
    ``patched``), a JSON or merge patch in the JSON decoder.
    """
    from practice_cluster.schema.validation import decode_errors
    from practice_cluster.schema.validation_convert import convert_errors, go_value

    if not definition:
        return
    if kind == "application/strategic-merge-patch+json":
        problems, shown = convert_errors(patched, definition), go_value(body)
    else:
        problems, shown = decode_errors(patched, definition), json.dumps(patched, separators=(",", ":"),
                                                                          ensure_ascii=False)
    if problems:
        raise ApiError.invalid("", "", [("patch", f"Invalid value: {json.dumps(shown, ensure_ascii=False)}: "
                                                  f"{problems[0]}")])


def _server_side_apply(writes: Writes, req: Request, r: Resource, namespace: str, name: str, sub: str | None,
                       body: Any, definition: str, dry_run: bool) -> Obj:
    from practice_cluster.apply.apply import server_side_apply
    from practice_cluster.wire import manager_of

    if not req.query.get("fieldManager"):
        raise ApiError.bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
    applied = writes.check_envelope(r, body, namespace)
    if applied["metadata"].get("name") not in (None, name):
        raise ApiError.bad_request(
            f"the name of the object ({applied['metadata'].get('name')}) does not match the name on the URL ({name})")
    applied["metadata"]["name"] = name
    writes.check_fields(req, r, applied)
    force = req.query.get("force") in ("true", "1")
    now = rfc3339(writes.clock.now())

    def attempt() -> Obj:
        try:
            live = writes.store.get(r.plural, namespace, name)
        except ApiError as err:
            if err.code != 404:
                raise
            live = None
        merged = server_side_apply(live, copy.deepcopy(applied), manager_of(req), definition, force,
                                   r.api_version, now)
        if live is None:
            merged["metadata"].pop("resourceVersion", None)
            writes.prepare(r, merged, None)
            fields = merged["metadata"].get("managedFields")
            stored = writes.store.create(r.plural, merged, dry_run=dry_run)
            if fields is not None:
                stored["metadata"]["managedFields"] = fields
            return stored
        merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        keep_server_set(merged["metadata"], live["metadata"])
        if "status" in live and sub != "status":
            merged["status"] = live["status"]
        writes.prepare(r, merged, live)
        return stored_or_raced(False, lambda: writes.store.update(r.plural, merged, status_only=sub == "status",
                                                                 dry_run=dry_run))

    return guaranteed_update(r, name, attempt)
