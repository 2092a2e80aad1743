"""ReplicaSet and Deployment controllers.

A ReplicaSet keeps ``replicas`` pods matching its selector (adopting orphans, releasing pods relabelled
out of it). A Deployment owns one ReplicaSet per pod template, numbered by revision; a rolling update
scales the new one up and the old ones down within ``maxSurge`` and ``maxUnavailable``, and a template
that matches an old ReplicaSet (``rollout undo``) brings that one back under a new revision.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.common import (
    condition,
    controller_uid,
    delete_pod,
    deleting,
    meta,
    now_text,
    owned,
    owner_ref,
    pod_active,
    pod_available,
    pod_ready,
    record_event,
    replace_status,
    resolve_int_or_percent,
    set_condition,
    since,
    system_create,
    template_hash,
    without_hash,
)
from practice_cluster.selectors import from_label_selector
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
NOT_COPIED = ("kubectl.kubernetes.io/last-applied-configuration", REVISION, DESIRED, MAX_REPLICAS,
              "deployment.kubernetes.io/revision-history")


# -- ReplicaSets ----------------------------------------------------------------------------------------


def _deletion_rank(pod: Obj) -> tuple[int, int, int, str]:
    """Pods a ReplicaSet removes first: unscheduled, then pending, then not ready, then the newest."""
    status = pod.get("status", {})
    return (0 if not pod.get("spec", {}).get("nodeName") else 1,
            0 if status.get("phase") == "Pending" else 1,
            1 if pod_ready(pod) else 0,
            "".join(chr(255 - ord(c)) for c in meta(pod).get("creationTimestamp", "")))


def reconcile_replicasets(cluster: Parts) -> None:
    for rs in cluster.store.list("replicasets")[0]:
        if deleting(rs):
            continue
        namespace, uid = meta(rs)["namespace"], meta(rs)["uid"]
        selector = from_label_selector(rs["spec"].get("selector"))
        pods = cluster.store.list("pods", namespace)[0]
        mine: list[Obj] = []
        for pod in pods:
            labels_match = selector.matches(meta(pod).get("labels"))
            owner = controller_uid(pod)
            if owner == uid and not labels_match:
                def release(p: Obj, uid: str = uid) -> None:
                    refs = [r for r in meta(p).get("ownerReferences") or [] if r.get("uid") != uid]
                    if refs:
                        meta(p)["ownerReferences"] = refs
                    else:
                        meta(p).pop("ownerReferences", None)
                cluster.store.mutate("pods", namespace, meta(pod)["name"], release)
            elif owner is None and labels_match and pod_active(pod):
                def adopt(p: Obj, rs: Obj = rs) -> None:
                    meta(p).setdefault("ownerReferences", []).append(owner_ref(rs))
                adopted = cluster.store.mutate("pods", namespace, meta(pod)["name"], adopt)
                if adopted is not None:
                    mine.append(adopted)
            elif owner == uid:
                mine.append(pod)
        active = [p for p in mine if pod_active(p)]
        wanted = int(rs["spec"].get("replicas", 1))
        if len(active) < wanted:
            for _ in range(wanted - len(active)):
                template = copy.deepcopy(rs["spec"].get("template") or {})
                pod_meta = template.get("metadata") or {}
                pod_meta.pop("creationTimestamp", None)
                pod = {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {**pod_meta, "generateName": f"{meta(rs)['name']}-", "namespace": namespace,
                                    "ownerReferences": [owner_ref(rs)]},
                       "spec": template.get("spec") or {}}
                created = system_create(cluster, "pods", pod)
                if created is not None:
                    record_event(cluster, rs, "Normal", "SuccessfulCreate", f"Created pod: {meta(created)['name']}",
                                 "replicaset-controller")
        elif len(active) > wanted:
            for pod in sorted(active, key=_deletion_rank)[: len(active) - wanted]:
                delete_pod(cluster, pod)
                record_event(cluster, rs, "Normal", "SuccessfulDelete", f"Deleted pod: {meta(pod)['name']}",
                             "replicaset-controller")
        _replicaset_status(cluster, rs)


def _replicaset_status(cluster: Parts, rs: Obj) -> None:
    current = cluster.store.peek("replicasets", meta(rs)["namespace"], meta(rs)["name"])
    if current is None:
        return
    pods = [p for p in owned(cluster, "pods", current) if pod_active(p)]
    min_ready = int(current["spec"].get("minReadySeconds", 0) or 0)
    labels = (current["spec"].get("template") or {}).get("metadata", {}).get("labels") or {}
    status = {
        "replicas": len(pods),
        "fullyLabeledReplicas": sum(1 for p in pods if all(meta(p).get("labels", {}).get(k) == v
                                                           for k, v in labels.items())),
        "readyReplicas": sum(1 for p in pods if pod_ready(p)),
        "availableReplicas": sum(1 for p in pods if pod_available(cluster, p, min_ready)),
        "terminatingReplicas": 0,
        "observedGeneration": meta(current).get("generation", 1),
    }
    for key in ("readyReplicas", "availableReplicas", "fullyLabeledReplicas"):
        if not status[key]:
            del status[key]
    if status != current.get("status"):
        cluster.store.mutate_status("replicasets", meta(rs)["namespace"], meta(rs)["name"],
                                    replace_status(status))


# -- Deployments ----------------------------------------------------------------------------------------


def revision(obj: Obj) -> int:
    try:
        return int(meta(obj).get("annotations", {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _copied_annotations(deploy: Obj) -> dict[str, str]:
    return {k: v for k, v in (meta(deploy).get("annotations") or {}).items() if k not in NOT_COPIED}


def _new_replicaset(cluster: Parts, deploy: Obj, sets: list[Obj]) -> Obj | None:
    """The ReplicaSet of the current template: found (and re-numbered if old) or created."""
    template = deploy["spec"].get("template") or {}
    clean = without_hash(template)
    latest = max((revision(rs) for rs in sets), default=0)
    namespace = meta(deploy)["namespace"]
    for rs in sets:
        if without_hash(rs["spec"].get("template") or {}) == clean:
            want_rev = revision(rs) if revision(rs) == latest and latest else latest + 1
            annotations = {**_copied_annotations(deploy), REVISION: str(want_rev),
                           DESIRED: str(deploy["spec"].get("replicas", 1)),
                           MAX_REPLICAS: str(_max_total(deploy))}
            if {k: (meta(rs).get("annotations") or {}).get(k) for k in annotations} != annotations:
                def annotate(o: Obj, annotations: dict[str, str] = annotations) -> None:
                    meta(o).setdefault("annotations", {}).update(annotations)
                    if "kubernetes.io/change-cause" not in annotations:
                        meta(o)["annotations"].pop("kubernetes.io/change-cause", None)
                return cluster.store.mutate("replicasets", namespace, meta(rs)["name"], annotate)
            return rs
    pod_hash = template_hash(template)
    new_template = copy.deepcopy(template)
    new_template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
    selector = copy.deepcopy(deploy["spec"].get("selector") or {})
    selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
    rs = {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"{meta(deploy)['name']}-{pod_hash}", "namespace": namespace,
                     "labels": dict(new_template["metadata"]["labels"]),
                     "annotations": {**_copied_annotations(deploy), REVISION: str(latest + 1),
                                     DESIRED: str(deploy["spec"].get("replicas", 1)),
                                     MAX_REPLICAS: str(_max_total(deploy))},
                     "ownerReferences": [owner_ref(deploy)]},
        "spec": {"replicas": 0, "minReadySeconds": deploy["spec"].get("minReadySeconds", 0),
                 "selector": selector, "template": new_template},
    }
    if not rs["spec"]["minReadySeconds"]:
        del rs["spec"]["minReadySeconds"]
    return system_create(cluster, "replicasets", rs)


def _surge_unavailable(deploy: Obj) -> tuple[int, int]:
    replicas = int(deploy["spec"].get("replicas", 1))
    rolling = (deploy["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = resolve_int_or_percent(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    unavailable = resolve_int_or_percent(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _max_total(deploy: Obj) -> int:
    return int(deploy["spec"].get("replicas", 1)) + _surge_unavailable(deploy)[0]


def _scale(cluster: Parts, deploy: Obj, rs: Obj, replicas: int) -> None:
    old = int(rs["spec"].get("replicas", 0))
    if old == replicas:
        return

    def set_replicas(o: Obj) -> None:
        o["spec"]["replicas"] = replicas
        meta(o).setdefault("annotations", {})[DESIRED] = str(deploy["spec"].get("replicas", 1))
        meta(o)["annotations"][MAX_REPLICAS] = str(_max_total(deploy))
    cluster.store.mutate("replicasets", meta(rs)["namespace"], meta(rs)["name"], set_replicas)
    direction = "up" if replicas > old else "down"
    record_event(cluster, deploy, "Normal", "ScalingReplicaSet",
                 f"Scaled {direction} replica set {meta(rs)['name']} from {old} to {replicas}",
                 "deployment-controller")


def _available(cluster: Parts, rs: Obj, min_ready: int) -> int:
    return sum(1 for p in owned(cluster, "pods", rs) if pod_available(cluster, p, min_ready) and not deleting(p))


def reconcile_deployments(cluster: Parts) -> None:
    for deploy in cluster.store.list("deployments")[0]:
        if deleting(deploy):
            continue
        sets = owned(cluster, "replicasets", deploy)
        if deploy["spec"].get("paused"):
            _deployment_status(cluster, deploy, sets, None)
            continue
        new = _new_replicaset(cluster, deploy, sets)
        if new is None:
            continue
        sets = owned(cluster, "replicasets", deploy)
        new = next((rs for rs in sets if meta(rs)["uid"] == meta(new)["uid"]), new)
        olds = [rs for rs in sets if meta(rs)["uid"] != meta(new)["uid"]]
        replicas = int(deploy["spec"].get("replicas", 1))
        min_ready = int(deploy["spec"].get("minReadySeconds", 0) or 0)
        strategy = (deploy["spec"].get("strategy") or {}).get("type", "RollingUpdate")
        if strategy == "Recreate":
            for rs in olds:
                _scale(cluster, deploy, rs, 0)
            if any(pod_active(p) or deleting(p) for rs in olds for p in owned(cluster, "pods", rs)):
                _deployment_status(cluster, deploy, sets, new)
                continue
            _scale(cluster, deploy, new, replicas)
        elif not olds or all(int(rs["spec"].get("replicas", 0)) == 0 for rs in olds):
            _scale(cluster, deploy, new, replicas)
        else:
            surge, unavailable = _surge_unavailable(deploy)
            total = sum(int(rs["spec"].get("replicas", 0)) for rs in sets)
            new_replicas = int(new["spec"].get("replicas", 0))
            room = replicas + surge - total
            if room > 0 and new_replicas < replicas:
                new_replicas = min(replicas, new_replicas + room)
                _scale(cluster, deploy, new, new_replicas)
            _scale_down_olds(cluster, deploy, new, olds, replicas - unavailable, min_ready)
        _cleanup(cluster, deploy)
        _deployment_status(cluster, deploy, owned(cluster, "replicasets", deploy), new)


def _scale_down_olds(cluster: Parts, deploy: Obj, new: Obj, olds: list[Obj], min_available: int,
                     min_ready: int) -> None:
    """Kubernetes' reconcileOldReplicaSets: at most all pods - minAvailable - the new set's unavailable ones
    go, the old sets' unhealthy pods first, then healthy ones while more than minAvailable are available
    (10 replicas at 25%/25%: 13 pods, then 8 old and 5 new while the new ones start)."""
    replicas = {meta(rs)["uid"]: int(rs["spec"].get("replicas", 0)) for rs in [*olds, new]}
    available = {meta(rs)["uid"]: _available(cluster, rs, min_ready) for rs in [*olds, new]}
    new_unavailable = replicas[meta(new)["uid"]] - available[meta(new)["uid"]]
    most = sum(replicas.values()) - min_available - new_unavailable
    if most <= 0:
        return
    olds = sorted(olds, key=revision)
    for rs in olds:  # the unhealthy first: removing them costs no availability
        uid = meta(rs)["uid"]
        cut = min(most, replicas[uid] - available[uid])
        if cut > 0:
            replicas[uid] -= cut
            most -= cut
            _scale(cluster, deploy, rs, replicas[uid])
        if most <= 0:
            break
    spare = sum(available.values()) - min_available
    for rs in olds:
        uid = meta(rs)["uid"]
        cut = min(replicas[uid], spare)
        if cut > 0:
            replicas[uid] -= cut
            spare -= cut
            _scale(cluster, deploy, rs, replicas[uid])


def _cleanup(cluster: Parts, deploy: Obj) -> None:
    limit = int(deploy["spec"].get("revisionHistoryLimit", 10))
    sets = sorted(owned(cluster, "replicasets", deploy), key=revision)
    newest = revision(sets[-1]) if sets else 0
    idle = [rs for rs in sets if revision(rs) != newest and int(rs["spec"].get("replicas", 0)) == 0
            and not rs.get("status", {}).get("replicas")]
    for rs in idle[: max(len(idle) - limit, 0)]:
        cluster.store.delete("replicasets", meta(rs)["namespace"], meta(rs)["name"])


def _deployment_status(cluster: Parts, deploy: Obj, sets: list[Obj], new: Obj | None) -> None:
    current = cluster.store.peek("deployments", meta(deploy)["namespace"], meta(deploy)["name"])
    if current is None:
        return
    replicas = int(current["spec"].get("replicas", 1))
    min_ready = int(current["spec"].get("minReadySeconds", 0) or 0)
    pods = [p for rs in sets for p in owned(cluster, "pods", rs) if pod_active(p)]
    new_pods = [p for p in owned(cluster, "pods", new) if pod_active(p)] if new else []
    available = sum(1 for p in pods if pod_available(cluster, p, min_ready))
    status: dict[str, Any] = copy.deepcopy(current.get("status") or {})
    status.update({
        "observedGeneration": meta(current).get("generation", 1),
        "replicas": len(pods),
        "updatedReplicas": len(new_pods),
        "readyReplicas": sum(1 for p in pods if pod_ready(p)),
        "availableReplicas": available,
        "unavailableReplicas": max(replicas - available, 0) if len(pods) or replicas else 0,
        "terminatingReplicas": 0,
    })
    for key in ("readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas", "replicas"):
        if not status[key]:
            del status[key]
    now = now_text(cluster)
    _surge, unavailable = _surge_unavailable(current)
    if available >= replicas - unavailable:
        set_condition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.",
                      now, update_time=True)
    else:
        set_condition(status, "Available", "False", "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.", now, update_time=True)
    new_name = meta(new)["name"] if new else ""
    complete = (new is not None and len(new_pods) == replicas and len(pods) == replicas and available >= replicas)
    progressing = condition(current, "Progressing")
    if current["spec"].get("paused"):
        set_condition(status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now, True)
    elif complete:
        set_condition(status, "Progressing", "True", "NewReplicaSetAvailable",
                      f'ReplicaSet "{new_name}" has successfully progressed.', now, update_time=True)
    elif progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        pass
    else:
        deadline = int(current["spec"].get("progressDeadlineSeconds", 600))
        previous = status.get("replicas", 0), status.get("updatedReplicas", 0), available
        old_status = current.get("status") or {}
        moved = previous != (old_status.get("replicas", 0), old_status.get("updatedReplicas", 0),
                             old_status.get("availableReplicas", 0))
        if not moved and progressing and since(cluster, progressing.get("lastUpdateTime")) > deadline:
            set_condition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                          f'ReplicaSet "{new_name}" has timed out progressing.', now, update_time=True)
        else:
            set_condition(status, "Progressing", "True", "ReplicaSetUpdated",
                          f'ReplicaSet "{new_name}" is progressing.', now, update_time=True)
            if moved:
                for c in status["conditions"]:
                    if c["type"] == "Progressing":
                        c["lastUpdateTime"] = now
    if status != current.get("status"):
        cluster.store.mutate_status("deployments", meta(deploy)["namespace"], meta(deploy)["name"],
                                    replace_status(status))
    if new is not None and meta(current).get("annotations", {}).get(REVISION) != str(revision(new)):
        rev = str(revision(new))

        def mark(o: Obj) -> None:
            meta(o).setdefault("annotations", {})[REVISION] = rev
        cluster.store.mutate("deployments", meta(deploy)["namespace"], meta(deploy)["name"], mark)
