"""DaemonSet and StatefulSet controllers, with the ControllerRevisions ``rollout history`` reads.

A DaemonSet runs one pod per schedulable node that matches its node selector; RollingUpdate replaces
pods one node at a time (``maxUnavailable``), OnDelete only when a pod is deleted. A StatefulSet names
its pods ``<name>-0``, ``-1``, ...: OrderedReady creates each after the previous is ready and removes
from the highest ordinal, Parallel does all at once; a rolling update goes from the highest ordinal down
to ``partition``.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.common import (
    delete_pod,
    deleting,
    meta,
    owned,
    owner_ref,
    pod_active,
    pod_available,
    pod_ready,
    record_event,
    replace_status,
    resolve_int_or_percent,
    system_create,
    template_hash,
    without_hash,
)
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

HASH_LABEL = "controller-revision-hash"


def _revision(cluster: Parts, owner: Obj) -> tuple[str, int]:
    """The ControllerRevision of the owner's current template: (its hash label value, its number)."""
    template = owner["spec"].get("template") or {}
    digest = template_hash(template)
    name = f"{meta(owner)['name']}-{digest}"
    namespace = meta(owner)["namespace"]
    revisions = owned(cluster, "controllerrevisions", owner)
    latest = max((int(r.get("revision", 0)) for r in revisions), default=0)
    clean = without_hash(template)
    for rev in revisions:
        if without_hash(rev.get("data", {}).get("spec", {}).get("template", {})) == clean:
            if int(rev.get("revision", 0)) != latest:
                cluster.store.mutate("controllerrevisions", namespace, meta(rev)["name"],
                                     lambda o: o.__setitem__("revision", latest + 1))
                return meta(rev)["name"].rsplit("-", 1)[-1], latest + 1
            return meta(rev)["name"].rsplit("-", 1)[-1], int(rev.get("revision", 0))
    patch = {"spec": {"template": copy.deepcopy(template)}}
    patch["spec"]["template"]["$patch"] = "replace"
    system_create(cluster, "controllerrevisions", {
        "apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {**(owner["spec"].get("selector") or {}).get("matchLabels", {}), HASH_LABEL: digest},
                     "ownerReferences": [owner_ref(owner)]},
        "data": json.loads(json.dumps(patch)), "revision": latest + 1,
    })
    return digest, latest + 1


def _pod_from(owner: Obj, digest: str, name: str | None = None, node: str | None = None) -> Obj:
    template = copy.deepcopy(owner["spec"].get("template") or {})
    pod_meta = template.get("metadata") or {}
    pod_meta.pop("creationTimestamp", None)
    labels = pod_meta.setdefault("labels", {})
    labels[HASH_LABEL] = digest
    spec = template.get("spec") or {}
    metadata = {**pod_meta, "namespace": meta(owner)["namespace"], "ownerReferences": [owner_ref(owner)]}
    if name:
        metadata["name"] = name
    else:
        metadata["generateName"] = f"{meta(owner)['name']}-"
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _write_status(cluster: Parts, plural: str, owner: Obj, status: dict[str, Any]) -> None:
    current = cluster.store.peek(plural, meta(owner)["namespace"], meta(owner)["name"])
    if current is not None and current.get("status") != status:
        cluster.store.mutate_status(plural, meta(owner)["namespace"], meta(owner)["name"],
                                    replace_status(status))


# -- DaemonSets -----------------------------------------------------------------------------------------


def reconcile_daemonsets(cluster: Parts) -> None:
    nodes = [n for n in cluster.store.list("nodes")[0] if not n.get("spec", {}).get("unschedulable")]
    for ds in cluster.store.list("daemonsets")[0]:
        if deleting(ds):
            continue
        digest, number = _revision(cluster, ds)
        selector = (ds["spec"].get("template") or {}).get("spec", {}).get("nodeSelector") or {}
        wanted = [meta(n)["name"] for n in nodes
                  if all(meta(n).get("labels", {}).get(k) == v for k, v in selector.items())]
        pods = [p for p in owned(cluster, "pods", ds) if not deleting(p)]
        by_node: dict[str, list[Obj]] = {}
        for pod in pods:
            by_node.setdefault(pod.get("spec", {}).get("nodeName", ""), []).append(pod)
        strategy = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        max_unavailable = resolve_int_or_percent(
            ((ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable", 1),
            len(wanted), round_up=True) or 1
        terminating = sum(1 for p in owned(cluster, "pods", ds) if deleting(p))
        unavailable = terminating + sum(1 for n in wanted for p in by_node.get(n, [])[:1] if not pod_ready(p))
        for node in wanted:
            mine = by_node.get(node, [])
            if not mine:
                if any(deleting(p) and p["spec"].get("nodeName") == node for p in owned(cluster, "pods", ds)):
                    continue
                created = system_create(cluster, "pods", _pod_from(ds, digest, node=node))
                if created is not None:
                    record_event(cluster, ds, "Normal", "SuccessfulCreate", f"Created pod: {meta(created)['name']}",
                                 "daemonset-controller")
                continue
            for extra in mine[1:]:
                delete_pod(cluster, extra)
            outdated = meta(mine[0]).get("labels", {}).get(HASH_LABEL) != digest
            if outdated and strategy == "RollingUpdate" and unavailable < max_unavailable:
                delete_pod(cluster, mine[0])
                record_event(cluster, ds, "Normal", "SuccessfulDelete", f"Deleted pod: {meta(mine[0])['name']}",
                             "daemonset-controller")
                unavailable += 1
        for node, mine in by_node.items():
            if node not in wanted:
                for pod in mine:
                    delete_pod(cluster, pod)
        pods = [p for p in owned(cluster, "pods", ds) if pod_active(p)]
        min_ready = int(ds["spec"].get("minReadySeconds", 0) or 0)
        status: dict[str, Any] = {
            "currentNumberScheduled": sum(1 for p in pods if p["spec"].get("nodeName") in wanted),
            "numberMisscheduled": sum(1 for p in pods if p["spec"].get("nodeName") not in wanted),
            "desiredNumberScheduled": len(wanted),
            "numberReady": sum(1 for p in pods if pod_ready(p)),
            "observedGeneration": meta(ds).get("generation", 1),
            "updatedNumberScheduled": sum(1 for p in pods if meta(p).get("labels", {}).get(HASH_LABEL) == digest),
            "numberAvailable": sum(1 for p in pods if pod_available(cluster, p, min_ready)),
        }
        status["numberUnavailable"] = max(len(wanted) - status["numberAvailable"], 0)
        for key in ("numberAvailable", "numberUnavailable", "updatedNumberScheduled"):
            if not status[key]:
                del status[key]
        del number
        _write_status(cluster, "daemonsets", ds, status)


# -- StatefulSets ---------------------------------------------------------------------------------------


def reconcile_statefulsets(cluster: Parts) -> None:
    for sts in cluster.store.list("statefulsets")[0]:
        if deleting(sts):
            continue
        digest, _number = _revision(cluster, sts)
        name, namespace = meta(sts)["name"], meta(sts)["namespace"]
        replicas = int(sts["spec"].get("replicas", 1))
        parallel = sts["spec"].get("podManagementPolicy") == "Parallel"
        pods = {meta(p)["name"]: p for p in owned(cluster, "pods", sts)}
        blocked = False
        for ordinal in range(replicas):
            pod_name = f"{name}-{ordinal}"
            pod = pods.get(pod_name)
            if pod is None:
                if blocked:
                    break
                made = _pod_from(sts, digest, name=pod_name)
                made["metadata"].setdefault("labels", {})["statefulset.kubernetes.io/pod-name"] = pod_name
                made["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = str(ordinal)
                made["spec"]["hostname"] = pod_name
                if sts["spec"].get("serviceName"):
                    made["spec"]["subdomain"] = sts["spec"]["serviceName"]
                if system_create(cluster, "pods", made) is not None:
                    record_event(cluster, sts, "Normal", "SuccessfulCreate",
                                 f"Create Pod {pod_name} in StatefulSet {name} successful", "statefulset-controller")
                if not parallel:
                    blocked = True
                continue
            if pod.get("status", {}).get("phase") in ("Failed", "Succeeded") and not deleting(pod):
                delete_pod(cluster, pod)
            if not parallel and not pod_ready(pod):
                blocked = True
        extra = sorted((p for n, p in pods.items() if _ordinal(n, name) >= replicas), key=lambda p: -_ordinal(
            meta(p)["name"], name))
        if extra and not blocked:
            targets = extra if parallel else extra[:1]
            if parallel or not any(deleting(p) for p in extra):
                for pod in targets:
                    if not deleting(pod):
                        delete_pod(cluster, pod)
                        record_event(cluster, sts, "Normal", "SuccessfulDelete",
                                     f"delete Pod {meta(pod)['name']} in StatefulSet {name} successful",
                                     "statefulset-controller")
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") == "RollingUpdate" and not blocked and not extra:
            partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0) or 0)
            live = [pods[f"{name}-{i}"] for i in range(replicas) if f"{name}-{i}" in pods]
            if all(pod_ready(p) for p in live) and len(live) == replicas:
                for pod in sorted(live, key=lambda p: -_ordinal(meta(p)["name"], name)):
                    if _ordinal(meta(pod)["name"], name) < partition:
                        break
                    if meta(pod).get("labels", {}).get(HASH_LABEL) != digest:
                        delete_pod(cluster, pod)
                        break
        current = [p for p in owned(cluster, "pods", sts) if pod_active(p)]
        status: dict[str, Any] = {
            "observedGeneration": meta(sts).get("generation", 1),
            "replicas": len(current),
            "readyReplicas": sum(1 for p in current if pod_ready(p)),
            "currentReplicas": sum(1 for p in current if meta(p).get("labels", {}).get(HASH_LABEL) == digest),
            "updatedReplicas": sum(1 for p in current if meta(p).get("labels", {}).get(HASH_LABEL) == digest),
            "currentRevision": f"{name}-{digest}",
            "updateRevision": f"{name}-{digest}",
            "collisionCount": 0,
            "availableReplicas": sum(1 for p in current if pod_available(cluster, p, 0)),
        }
        for key in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[key]:
                del status[key]
        _write_status(cluster, "statefulsets", sts, status)
        del namespace


def _ordinal(pod_name: str, set_name: str) -> int:
    suffix = pod_name[len(set_name) + 1:]
    return int(suffix) if suffix.isdigit() else -1
