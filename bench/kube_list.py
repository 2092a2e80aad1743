"""Practice-cluster list: the server-side time of listing 1,000 pods, as JSON and as a Table, against json.dumps.

On a ``Cluster.simulated()`` (no sockets, no controllers running), 1,000 pods are created directly in the
store (``cluster.store.create``) in ``default``, shaped like those the practice cluster's controllers make
for a Deployment (labels, ownerReferences, managedFields, two containers with ports, resources, env and
volume mounts, tolerations, conditions and container statuses; most Running, some Pending, some in
CrashLoopBackOff with restarts). Then it times, taking turns, 20 runs each (after one untimed warm-up):

* list JSON: ``cluster.api.handle(Request("GET", "/api/v1/namespaces/default/pods", ...))`` with kubectl's
  ``Accept: application/json`` (the PodList ``kubectl get -o json`` reads), to the response body;
* list Table: the same with kubectl's Table ``Accept`` header (what ``kubectl get pods`` asks for);
* baseline: ``json.dumps`` of the same 1,000 stored objects (compact separators, as the server writes).

Prints median, p95 and min ms and the response sizes, and the ratios of both lists to the baseline.
Target: both lists' median < 100 ms. ``--quick``: 200 pods, 4 runs each.

    .venv/bin/python bench/kube_list.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from _figures import add_figures_option, write_figures

from practice_cluster import Cluster, Request

TARGET_MS = 100.0
PATH = "/api/v1/namespaces/default/pods"
ACCEPT_JSON = "application/json"
ACCEPT_TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io," \
               "application/json"
NODES = ("node-1", "node-2", "node-3")
APPS = ("web", "api", "worker", "cache", "frontend", "billing", "search", "auth")
STAMP = "2026-05-28T20:26:40Z"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _condition(kind: str, status: str = "True") -> dict[str, Any]:
    return {"type": kind, "status": status, "lastTransitionTime": STAMP, "lastProbeTime": None}


def pod_object(index: int, namespace: str = "default") -> dict[str, Any]:
    """A pod of a Deployment's ReplicaSet, as the practice controllers leave it (every 10th not running)."""
    app = APPS[index % len(APPS)]
    template_hash = f"{zlib.crc32(app.encode()):010d}"
    rs_uid = f"{index % len(APPS):08x}-b75e-4628-8a04-598bfa0d541e"
    node = NODES[index % len(NODES)]
    host_ip = f"172.18.0.{NODES.index(node) + 2}"
    pod_ip = f"10.244.{NODES.index(node) + 1}.{index % 250 + 2}"
    containers = [
        {"name": app, "image": f"registry.example.com/{app}:1.{index % 7}.0",
         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
         "env": [{"name": "APP_NAME", "value": app}, {"name": "LOG_LEVEL", "value": "info"},
                 {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
         "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
         "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10,
                            "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
         "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File"},
        {"name": "sidecar", "image": "registry.example.com/log-shipper:2.3", "resources": {},
         "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File"},
    ]
    name = f"{app}-{template_hash}-{index:05x}"
    uid = f"{index:08x}-a2db-4818-a886-ddfb9bd912fe"
    pod: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "generateName": f"{app}-{template_hash}-", "namespace": namespace, "uid": uid,
            "labels": {"app": app, "tier": "backend" if index % 2 else "frontend", "pod-template-hash": template_hash},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-{template_hash}",
                                 "uid": rs_uid, "controller": True, "blockOwnerDeletion": True}],
            "managedFields": [{
                "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": STAMP,
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:tier": {},
                                                                             "f:pod-template-hash": {}},
                                            "f:ownerReferences": {".": {}, f'k:{{"uid":"{rs_uid}"}}': {}}},
                             "f:spec": {"f:containers": {f'k:{{"name":"{app}"}}': {".": {}, "f:image": {},
                                                                                     "f:name": {}, "f:env": {}},
                                                         'k:{"name":"sidecar"}': {".": {}, "f:image": {},
                                                                                  "f:name": {}}},
                                        "f:volumes": {".": {}, 'k:{"name":"config"}': {".": {}, "f:configMap": {},
                                                                                       "f:name": {}}}}},
            }],
        },
        "spec": {
            "containers": containers,
            "volumes": [{"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "securityContext": {}, "schedulerName": "default-scheduler", "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "serviceAccountName": "default",
            "serviceAccount": "default", "nodeName": node,
            "tolerations": [{"key": f"node.kubernetes.io/{t}", "operator": "Exists", "effect": "NoExecute",
                             "tolerationSeconds": 300} for t in ("not-ready", "unreachable")],
        },
    }
    if index % 10 == 9:  # Pending: scheduled, image still pulling
        pod["status"] = {
            "phase": "Pending", "qosClass": "Burstable", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "startTime": STAMP,
            "conditions": [_condition("PodReadyToStartContainers", "False"), _condition("Initialized"),
                           _condition("Ready", "False"), _condition("ContainersReady", "False"),
                           _condition("PodScheduled")],
            "containerStatuses": [
                {"name": c["name"], "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
                 "ready": False, "restartCount": 0, "image": c["image"], "imageID": "", "started": False}
                for c in containers],
        }
        return pod
    crashing = index % 10 == 4
    statuses = []
    for c in containers:
        restarts = 5 if crashing and c["name"] == app else 0
        status: dict[str, Any] = {
            "name": c["name"], "lastState": {}, "ready": not (crashing and c["name"] == app),
            "restartCount": restarts, "image": c["image"], "imageID": f"{c['image']}@sha256:{index:064x}",
            "started": True, "containerID": f"containerd://{index:056x}{c['name'][:8]}",
            "state": {"running": {"startedAt": STAMP}},
        }
        if restarts:
            status["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                           "message": f"back-off 1m20s restarting failed container={app}"}}
            status["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": STAMP,
                                                  "finishedAt": STAMP, "containerID": status["containerID"]}}
            status["started"] = False
        statuses.append(status)
    pod["status"] = {
        "phase": "Running", "qosClass": "Burstable", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "startTime": STAMP,
        "conditions": [_condition("PodReadyToStartContainers"), _condition("Initialized"),
                       _condition("Ready", "False" if crashing else "True"),
                       _condition("ContainersReady", "False" if crashing else "True"), _condition("PodScheduled")],
        "containerStatuses": statuses,
    }
    return pod


def timed(action: Callable[[], bytes]) -> tuple[float, int]:
    started = time.perf_counter()
    size = len(action())
    return time.perf_counter() - started, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 pods and 4 runs instead of 1,000 and 20")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    pods, runs = (200, 4) if args.quick else (1000, 20)
    cluster = Cluster.simulated()
    for index in range(pods):
        cluster.store.create("pods", pod_object(index))
    items, _rv = cluster.store.list("pods", "default")
    if len(items) < pods:
        print(f"kube list: cannot measure: {len(items)} pods in default, {pods} created")
        return 1

    def list_as(accept: str) -> Callable[[], bytes]:
        def action() -> bytes:
            response = cluster.api.handle(Request("GET", PATH, {}, {"accept": accept}, b""))
            if response.status != 200:
                raise RuntimeError(f"list answered {response.status}: {response.body[:300]!r}")
            return response.body
        return action

    actions: dict[str, Callable[[], bytes]] = {
        "list JSON": list_as(ACCEPT_JSON),
        "list Table": list_as(ACCEPT_TABLE),
        "json.dumps": lambda: json.dumps(items, separators=(",", ":")).encode(),
    }
    times: dict[str, list[float]] = {name: [] for name in actions}
    sizes: dict[str, int] = {}
    try:
        for run in range(runs + 1):  # run 0 warms up (imports, caches)
            for name, action in actions.items():
                seconds, sizes[name] = timed(action)
                if run:
                    times[name].append(seconds)
    except RuntimeError as exc:
        print(f"kube list: cannot measure: {exc}")
        return 1
    table = json.loads(list_as(ACCEPT_TABLE)())
    if len(table.get("rows", [])) != len(items):
        print(f"kube list: cannot measure: the Table has {len(table.get('rows', []))} rows for {len(items)} pods")
        return 1
    print(f"kube list: {len(items)} pods in default, server side (Api.handle, no sockets), {runs} runs each")
    print(f"{'what':<14}{'median ms':>11}{'p95 ms':>9}{'min ms':>9}{'bytes':>11}")
    medians = {}
    for name, values in times.items():
        medians[name] = percentile(values, 0.5) * 1000
        print(f"{name:<14}{medians[name]:>11.1f}{percentile(values, 0.95) * 1000:>9.1f}{min(values) * 1000:>9.1f}"
              f"{sizes[name]:>11,}")
    baseline = medians["json.dumps"]
    for name in ("list JSON", "list Table"):
        print(f"ratio {name}/json.dumps: {medians[name] / baseline:.2f}x")
    write_figures(args.figures, {**{f"{name} ms": value for name, value in medians.items()},
                                 **{f"ratio {name}/json.dumps": medians[name] / baseline
                                    for name in ("list JSON", "list Table")}})
    worst = max(medians["list JSON"], medians["list Table"])
    verdict = "met" if worst < TARGET_MS else "MISSED"
    note = "" if pods == 1000 else f" (measured on {pods} pods; the target is for 1,000)"
    print(f"target both lists < {TARGET_MS:.0f} ms: {verdict} (slower one {worst:.1f} ms){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
