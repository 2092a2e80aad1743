"""What the controllers share: owner references, system writes, events, pod readiness, template hashes.

>>> template_hash({"metadata": {"labels": {"app": "web"}}, "spec": {}}) == template_hash(
...     {"metadata": {"labels": {"app": "web", "pod-template-hash": "x"}}, "spec": {}})
True
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from practice_cluster.errors import ApiError
from practice_cluster.registry.defaults import apply_defaults
from practice_cluster.schema.definitions import definition_name
from practice_cluster.schema.resources import RESOURCES
from practice_cluster.storage.clock import parse_time, rfc3339
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

CONTROLLER_MANAGER = "kube-controller-manager"
_SEQUENCE = itertools.count()  # event names grow with time, as the apiserver's do, and never collide
SAFE = "bcdfghjklmnpqrstvwxz2456789"


def meta(obj: Obj) -> dict[str, Any]:
    m: dict[str, Any] = obj["metadata"]
    return m


def owner_ref(owner: Obj, *, controller: bool = True) -> dict[str, Any]:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta(owner)["name"],
            "uid": meta(owner)["uid"], "controller": controller, "blockOwnerDeletion": True}


def controller_uid(obj: Obj) -> str | None:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def owned(cluster: Parts, plural: str, owner: Obj) -> list[Obj]:
    uid = meta(owner)["uid"]
    return cluster.store.list(plural, meta(owner).get("namespace"), lambda o: controller_uid(o) == uid)[0]


def deleting(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def system_create(cluster: Parts, plural: str, obj: Obj, manager: str = CONTROLLER_MANAGER) -> Obj | None:
    """Create an object as a controller does: defaults, a pod's admission, managedFields, the store. None if it
    exists."""
    from practice_cluster.apply import managed

    r = RESOURCES[plural]
    obj.setdefault("apiVersion", r.api_version)
    obj.setdefault("kind", r.kind)
    apply_defaults(r.kind, obj)
    if r.kind == "Pod":
        from practice_cluster.registry.admission import admit_pod

        admit_pod(cluster.store, obj)
    definition = definition_name(r.group, r.version, r.kind) or ""
    obj["metadata"]["managedFields"] = managed.record_update(
        None, obj, manager, r.api_version, rfc3339(cluster.clock.now()), definition)
    try:
        return cluster.store.create(plural, obj)
    except ApiError:
        return None


def now_text(cluster: Parts) -> str:
    return rfc3339(cluster.clock.now())


def since(cluster: Parts, timestamp: str | None) -> float:
    """Seconds from ``timestamp`` to now (infinite when there is none)."""
    when = parse_time(timestamp)
    return float("inf") if when is None else cluster.clock.now() - when


def record_event(cluster: Parts, obj: Obj, event_type: str, reason: str, message: str,
                 component: str = CONTROLLER_MANAGER, host: str | None = None) -> None:
    """An Event about ``obj``; the same reason and message again bumps the count, as the apiserver does."""
    namespace = meta(obj).get("namespace") or "default"
    uid = meta(obj).get("uid", "")
    now = now_text(cluster)

    def same(event: Obj) -> bool:
        return (event["involvedObject"].get("uid") == uid and event.get("reason") == reason
                and event.get("message") == message)

    existing = cluster.store.list("events", namespace, same)[0]
    if existing:
        def bump(event: Obj) -> None:
            event["count"] = int(event.get("count", 1)) + 1
            event["lastTimestamp"] = now
        cluster.store.mutate("events", namespace, meta(existing[0])["name"], bump)
        return
    source: dict[str, Any] = {"component": component}
    if host:
        source["host"] = host
    event = {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{meta(obj)['name']}.{int(cluster.clock.now() * 1e9) + next(_SEQUENCE):x}",
                     "namespace": namespace},
        "involvedObject": {"kind": obj.get("kind"), "namespace": meta(obj).get("namespace"),
                           "name": meta(obj)["name"], "uid": uid, "apiVersion": obj.get("apiVersion"),
                           "resourceVersion": meta(obj).get("resourceVersion")},
        "reason": reason, "message": message, "source": source,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": event_type,
        "eventTime": None, "reportingComponent": component, "reportingInstance": host or "",
    }
    if obj.get("kind") == "Event":
        return
    with contextlib.suppress(ApiError):  # a namespace being deleted takes no new events
        cluster.store.create("events", event)


def replace_status(status: dict[str, Any]) -> Callable[[Obj], None]:
    """A change for ``Store.mutate_status`` that sets the whole status."""

    def change(obj: Obj) -> None:
        obj["status"] = status

    return change


def condition(obj: Obj, kind: str) -> dict[str, Any] | None:
    for c in obj.get("status", {}).get("conditions") or []:
        if c.get("type") == kind:
            return dict(c)
    return None


def set_condition(status: dict[str, Any], kind: str, value: str, reason: str, message: str, now: str,
                  update_time: bool = False) -> None:
    """Set a condition; ``lastTransitionTime`` moves only when the status flips."""
    conditions = status.setdefault("conditions", [])
    for c in conditions:
        if c.get("type") == kind:
            if c.get("status") != value:
                c["lastTransitionTime"] = now
            if update_time and (c.get("reason") != reason or c.get("status") != value):
                c["lastUpdateTime"] = now
            c.update({"status": value, "reason": reason, "message": message})
            return
    entry = {"type": kind, "status": value, "lastTransitionTime": now, "reason": reason, "message": message}
    if update_time:
        entry["lastUpdateTime"] = now
    conditions.append(entry)


def pod_ready(pod: Obj) -> bool:
    c = condition(pod, "Ready")
    return bool(c and c.get("status") == "True") and not deleting(pod)


def pod_available(cluster: Parts, pod: Obj, min_ready: int) -> bool:
    if not pod_ready(pod):
        return False
    if min_ready <= 0:
        return True
    c = condition(pod, "Ready") or {}
    return since(cluster, c.get("lastTransitionTime")) >= min_ready


def pod_active(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed") and not deleting(pod)


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    clean = copy.deepcopy(template)
    labels = clean.get("metadata", {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    labels.pop("controller-revision-hash", None)
    clean.get("metadata", {}).pop("creationTimestamp", None)
    return clean


def template_hash(template: dict[str, Any]) -> str:
    """A 10-character hash of a pod template (its own hash label left out)."""
    digest = hashlib.sha256(json.dumps(without_hash(template), sort_keys=True).encode()).digest()
    return "".join(SAFE[b % len(SAFE)] for b in digest[:10])


def delete_pod(cluster: Parts, pod: Obj) -> None:
    """Delete a pod gracefully, as a controller's DELETE does (the kubelet removes it soon after)."""
    if deleting(pod):
        return
    if not pod.get("spec", {}).get("nodeName"):
        with contextlib.suppress(ApiError):
            cluster.store.delete("pods", meta(pod)["namespace"], meta(pod)["name"])
        return
    grace = int(pod.get("spec", {}).get("terminationGracePeriodSeconds", 30))

    def mark(p: Obj) -> None:
        meta(p)["deletionTimestamp"] = rfc3339(cluster.clock.now() + grace)
        meta(p)["deletionGracePeriodSeconds"] = grace
    cluster.store.mutate("pods", meta(pod)["namespace"], meta(pod)["name"], mark)


def resolve_int_or_percent(value: Any, total: int, round_up: bool) -> int:
    """``maxSurge: 25%`` of 10 is 3 rounded up, ``maxUnavailable: 25%`` of 10 is 2 rounded down."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.endswith("%"):
        try:
            percent = int(text[:-1])
        except ValueError:
            return 0
        scaled = percent * total
        return -(-scaled // 100) if round_up else scaled // 100
    try:
        return int(text)
    except ValueError:
        return 0
