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

from sandbox.kube.clock import rfc3339
from sandbox.kube.definitions import definition_name
from sandbox.kube.errors import ApiError
from sandbox.kube.resources import Resource
from sandbox.kube.store import Obj

if TYPE_CHECKING:
    from sandbox.kube.api import Api
    from sandbox.kube.wire import Request

PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
    "application/apply-patch+cbor",
)
RETRIES = 8


def _apply_patch(kind: str, definition: str, target: Obj, body: Any) -> Obj:
    from sandbox.kube import patch

    if kind == "application/json-patch+json":
        return patch.json_patch(target, body)
    if kind == "application/merge-patch+json":
        return patch.json_merge_patch(target, body)
    # Not an object: Go's decoder names what it found ("cannot unmarshal string into ..."); null is no change.
    return patch.strategic_merge_patch(target, {} if body is None else body, definition)


def patch_object(api: Api, req: Request, r: Resource, namespace: str, name: str, sub: str | None,
                 dry_run: bool, warnings: list[str] | None = None) -> Obj:
    """Apply a PATCH to ``name`` (or its ``status``/``scale`` subresource) and store the result.

    Texts of unknown fields dropped from the result (``fieldValidation=Warn``) are added to ``warnings``.
    """
    from sandbox.kube.api import scale_of
    from sandbox.kube.wire import decode_body

    kind = req.content_type
    if kind not in PATCH_TYPES[:4]:  # apply-patch+cbor too: the apiserver has CBOR off
        raise ApiError(415, "415: Unsupported Media Type")
    body = decode_body(req)
    definition = definition_name(r.group, r.version, r.kind) or ""
    if kind.startswith("application/apply-patch"):
        return _server_side_apply(api, req, r, namespace, name, sub, body, definition, dry_run)
    for _attempt in range(RETRIES):
        old = api.store.get(r.plural, namespace, name)
        if sub == "scale":
            scale = _apply_patch(kind, "io.k8s.api.autoscaling.v1.Scale", scale_of(r, old), body)
            explicit = (scale.get("metadata") or {}).get("resourceVersion") != old["metadata"]["resourceVersion"]
            try:
                return api.write_scale(req, r, old, scale, dry_run)
            except ApiError as err:
                if err.code == 409 and err.reason == "Conflict" and not explicit:
                    continue
                raise
        patched = _apply_patch(kind, definition, copy.deepcopy(old), body)
        if not isinstance(patched, dict):
            raise ApiError.bad_request("the patch did not produce an object")
        check_patched_types(kind, definition, body, patched)
        api.check_envelope(r, patched, namespace)
        sent_rv = patched["metadata"].get("resourceVersion")
        explicit_rv = sent_rv != old["metadata"]["resourceVersion"]
        if patched["metadata"].get("name") != name:
            raise ApiError.bad_request(f'metadata.name: Invalid value: "{patched["metadata"].get("name")}": '
                                       "field is immutable")
        said = api.check_fields(req, r, patched)
        if warnings is not None:
            warnings += said
        try:
            return api.write_update(req, r, old, patched, sub or "", dry_run)
        except ApiError as err:
            if err.code == 409 and err.reason == "Conflict" and not explicit_rv:
                continue
            raise
    raise ApiError.conflict(r.plural, name, r.group)


def check_patched_types(kind: str, definition: str, body: Any, patched: Obj) -> None:
    """A patched object with a value of the wrong type is the apiserver's 422 on ``patch``.

    A strategic merge patch fails in the unstructured converter (which also turns ``2.0`` into ``2`` in
    ``patched``), a JSON or merge patch in the JSON decoder.
    """
    from sandbox.kube.validation import decode_errors
    from sandbox.kube.validation_convert import convert_errors, go_value

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


def _server_side_apply(api: Api, req: Request, r: Resource, namespace: str, name: str, sub: str | None,
                       body: Any, definition: str, dry_run: bool) -> Obj:
    from sandbox.kube.apply import server_side_apply
    from sandbox.kube.wire import manager_of

    if not req.query.get("fieldManager"):
        raise ApiError.bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
    applied = api.check_envelope(r, body, namespace)
    if applied["metadata"].get("name") not in (None, name):
        raise ApiError.bad_request(
            f"the name of the object ({applied['metadata'].get('name')}) does not match the name on the URL ({name})")
    applied["metadata"]["name"] = name
    api.check_fields(req, r, applied)
    force = req.query.get("force") in ("true", "1")
    now = rfc3339(api.cluster.clock.now())
    for _attempt in range(RETRIES):
        try:
            live = api.store.get(r.plural, namespace, name)
        except ApiError as err:
            if err.code != 404:
                raise
            live = None
        merged = server_side_apply(live, copy.deepcopy(applied), manager_of(req), definition, force,
                                       r.api_version, now)
        if live is None:
            merged["metadata"].pop("resourceVersion", None)
            api.prepare(r, merged, None)
            fields = merged["metadata"].get("managedFields")
            stored = api.store.create(r.plural, merged, dry_run=dry_run)
            if fields is not None:
                stored["metadata"]["managedFields"] = fields
            return stored
        merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        for key in ("uid", "creationTimestamp", "deletionTimestamp", "generation"):
            if key in live["metadata"]:
                merged["metadata"][key] = live["metadata"][key]
        if "status" in live and sub != "status":
            merged["status"] = live["status"]
        api.prepare(r, merged, live)
        try:
            return api.store.update(r.plural, merged, status_only=sub == "status", dry_run=dry_run)
        except ApiError as err:
            if err.code == 409 and err.reason == "Conflict":
                continue
            raise
    raise ApiError.conflict(r.plural, name, r.group)
