"""DELETE requests: one object or a collection, with grace periods and propagation policies.

A pod on a node is only marked (``deletionTimestamp`` plus its grace period) and the kubelet ends it;
a namespace turns Terminating until the namespace controller has emptied it; ``Orphan`` and
``Foreground`` put the garbage collector's finalizers on the owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.kube.clock import rfc3339
from sandbox.kube.errors import ApiError
from sandbox.kube.resources import Resource
from sandbox.kube.selectors import parse_field_selector, parse_label_selector
from sandbox.kube.store import Obj

if TYPE_CHECKING:
    from sandbox.kube.api import Api
    from sandbox.kube.wire import Request, Response


def _delete_options(req: Request) -> dict[str, Any]:
    from sandbox.kube.wire import decode_body

    options: dict[str, Any] = {}
    if req.body.strip():
        body = decode_body(req)
        if isinstance(body, dict):
            options = body
    for key in ("propagationPolicy", "gracePeriodSeconds"):
        if key in req.query:
            options[key] = req.query[key]
    return options

def delete_object(api: Api, req: Request, r: Resource, namespace: str, name: str, dry_run: bool) -> Obj:
    options = _delete_options(req)
    policy = options.get("propagationPolicy") or ("Orphan" if options.get("orphanDependents") else "Background")
    if policy not in ("Background", "Foreground", "Orphan"):
        raise ApiError.invalid("DeleteOptions", "", [(
            "propagationPolicy", f'Unsupported value: "{policy}": supported values: "Foreground", '
                                 '"Background", "Orphan", "nil"')])
    grace = options.get("gracePeriodSeconds")
    if grace not in (None, ""):
        try:
            grace = int(grace)
        except (TypeError, ValueError) as exc:
            raise ApiError.bad_request(f"invalid gracePeriodSeconds: {grace}") from exc
    preconditions = options.get("preconditions")
    uid = preconditions.get("uid") if isinstance(preconditions, dict) else None
    current = api.store.get(r.plural, namespace, name)
    if dry_run:
        return current
    if r.kind == "Pod" and not current["metadata"].get("deletionTimestamp"):
        default_grace = current["spec"].get("terminationGracePeriodSeconds", 30)
        seconds = int(grace) if grace not in (None, "") else int(default_grace)
        if seconds > 0 and current.get("spec", {}).get("nodeName"):
            def mark(pod: Obj) -> None:
                pod["metadata"]["deletionTimestamp"] = rfc3339(api.cluster.clock.now() + seconds)
                pod["metadata"]["deletionGracePeriodSeconds"] = seconds
            return api.store.mutate(r.plural, namespace, name, mark) or current
    if r.kind == "Namespace":
        if name in ("default", "kube-system", "kube-public"):
            raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted')

        def mark_namespace(ns: Obj) -> None:
            ns["metadata"].setdefault("deletionTimestamp", rfc3339(api.cluster.clock.now()))

        def terminate(ns: Obj) -> None:
            ns.setdefault("status", {})["phase"] = "Terminating"
        api.store.mutate(r.plural, namespace, name, mark_namespace)
        return api.store.mutate_status(r.plural, namespace, name, terminate) or current
    finalizers = {"Orphan": ("orphan",), "Foreground": ("foregroundDeletion",)}.get(policy, ())
    return api.store.delete(r.plural, namespace, name, finalizers=finalizers, uid=uid)

def delete_collection(api: Api, req: Request, r: Resource, namespace: str | None, dry_run: bool) -> Response:
    labels = parse_label_selector(req.query.get("labelSelector"))
    fields = parse_field_selector(req.query.get("fieldSelector"), r.plural)
    items, _rv = api.store.list(r.plural, namespace, lambda o: labels.matches(o["metadata"].get("labels"))
                                 and fields(o))
    deleted = []
    for obj in items:
        meta = obj["metadata"]
        try:
            deleted.append(delete_object(api, req, r, meta.get("namespace", ""), meta["name"], dry_run))
        except ApiError:
            continue
    from sandbox.kube.wire import Response

    return Response.json({"kind": f"{r.kind}List", "apiVersion": r.api_version, "metadata": {},
                          "items": deleted})
