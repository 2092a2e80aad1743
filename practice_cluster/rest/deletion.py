"""DELETE requests: one object or a collection, with grace periods and propagation policies.

A pod on a node is only marked (``deletionTimestamp`` plus its grace period) and the kubelet ends it;
a namespace turns Terminating until the namespace controller has emptied it; ``Orphan`` and
``Foreground`` put the garbage collector's finalizers on the owner.

The DeleteOptions come from the body when there is one (kubectl sends ``{"dryRun": ["All"]}`` there
for ``--dry-run=server``), else from the query string, as the apiserver reads them; a dry run checks
everything and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import Resource
from practice_cluster.selectors import parse_field_selector, parse_label_selector
from practice_cluster.storage.clock import rfc3339
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.rest.writes import Writes
    from practice_cluster.wire import Request, Response


DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"


def delete_options(req: Request) -> dict[str, Any]:
    """The checked DeleteOptions of a DELETE: its body when it has one, else its query string."""
    from practice_cluster.wire import decode_body

    if req.body:
        body = decode_body(req)
        if not isinstance(body, dict):
            raise ApiError.bad_request("couldn't get version/kind; json parse error: json: cannot unmarshal "
                                       f"{'array' if isinstance(body, list) else 'value'} into Go value of type "
                                       'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string '
                                       '"json:\\"kind,omitempty\\"" }')
        from practice_cluster.schema.validation import decode_errors

        problems = decode_errors(body, DELETE_OPTIONS)
        if problems:
            raise ApiError.bad_request(problems[0])
        return checked_options(body)
    options: dict[str, Any] = {}
    query = req.query
    if "dryRun" in query:
        options["dryRun"] = [query["dryRun"]]
    if "propagationPolicy" in query:
        options["propagationPolicy"] = query["propagationPolicy"]
    if "gracePeriodSeconds" in query:
        text = query["gracePeriodSeconds"]
        if not text.lstrip("+-").isdigit():
            raise ApiError.bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax')
        options["gracePeriodSeconds"] = int(text)
    if "orphanDependents" in query:
        text = query["orphanDependents"]
        if text not in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"):
            raise ApiError.bad_request(f'strconv.ParseBool: parsing "{text}": invalid syntax')
        options["orphanDependents"] = text in ("1", "t", "T", "TRUE", "true", "True")
    return checked_options(options)


def checked_options(options: dict[str, Any]) -> dict[str, Any]:
    """DeleteOptions whose values the apiserver accepts (``dryRun``, ``propagationPolicy``); else its 422."""
    from practice_cluster.wire import dry_run

    dry_run(options.get("dryRun"), "DeleteOptions")
    policy = options.get("propagationPolicy")
    if policy is not None and policy not in ("Background", "Foreground", "Orphan"):
        raise ApiError.invalid("DeleteOptions", "", [(
            "propagationPolicy", f'Unsupported value: "{policy}": supported values: "Foreground", '
                                 '"Background", "Orphan", "nil"')], "meta.k8s.io")
    return options


def delete_object(writes: Writes, req: Request, r: Resource, namespace: str, name: str,
                  options: dict[str, Any] | None = None) -> Obj:
    """Delete (or, with ``dryRun``, only check) one object; ``options`` are read from ``req`` if not given."""
    from practice_cluster.wire import dry_run

    if options is None:
        options = delete_options(req)
    policy = options.get("propagationPolicy") or ("Orphan" if options.get("orphanDependents") else "Background")
    grace = options.get("gracePeriodSeconds")
    preconditions = options.get("preconditions")
    uid = preconditions.get("uid") if isinstance(preconditions, dict) else None
    if r.kind == "Namespace" and name in ("default", "kube-system", "kube-public"):
        writes.store.get(r.plural, namespace, name)
        raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted')
    if dry_run(options.get("dryRun"), "DeleteOptions"):
        return writes.store.delete(r.plural, namespace, name, uid=uid, dry_run=True)
    current = writes.store.get(r.plural, namespace, name)
    if r.kind == "Pod" and not current["metadata"].get("deletionTimestamp"):
        default_grace = current["spec"].get("terminationGracePeriodSeconds", 30)
        seconds = int(grace) if grace not in (None, "") else int(default_grace)
        if seconds > 0 and current.get("spec", {}).get("nodeName"):
            def mark(pod: Obj) -> None:
                pod["metadata"]["deletionTimestamp"] = rfc3339(writes.clock.now() + seconds)
                pod["metadata"]["deletionGracePeriodSeconds"] = seconds
            return writes.store.mutate(r.plural, namespace, name, mark) or current
    if r.kind == "Namespace":
        def mark_namespace(ns: Obj) -> None:
            ns["metadata"].setdefault("deletionTimestamp", rfc3339(writes.clock.now()))

        def terminate(ns: Obj) -> None:
            ns.setdefault("status", {})["phase"] = "Terminating"
        writes.store.mutate(r.plural, namespace, name, mark_namespace)
        return writes.store.mutate_status(r.plural, namespace, name, terminate) or current
    finalizers = {"Orphan": ("orphan",), "Foreground": ("foregroundDeletion",)}.get(policy, ())
    return writes.store.delete(r.plural, namespace, name, finalizers=finalizers, uid=uid)


def delete_collection(writes: Writes, req: Request, r: Resource, namespace: str | None) -> Response:
    options = delete_options(req)
    labels = parse_label_selector(req.query.get("labelSelector"))
    fields = parse_field_selector(req.query.get("fieldSelector"), r.plural)
    items, _rv = writes.store.list(r.plural, namespace, lambda o: labels.matches(o["metadata"].get("labels"))
                                 and fields(o))
    deleted = []
    for obj in items:
        meta = obj["metadata"]
        try:
            deleted.append(delete_object(writes, req, r, meta.get("namespace", ""), meta["name"], options))
        except ApiError:
            continue
    from practice_cluster.wire import Response

    return Response.json({"kind": f"{r.kind}List", "apiVersion": r.api_version, "metadata": {},
                          "items": deleted})
