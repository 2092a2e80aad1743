"""Practice-cluster memory: the resident set of a process holding a cluster of 5,000 objects, against the bare imports.

The measurement runs in a new Python process (this script with ``--child N``), which:

1. imports the practice cluster's modules (cluster, API, HTTP server, watch, tables, controllers, bootstrap)
   and reads VmRSS from ``/proc/self/status``: the baseline;
2. makes a ``Cluster.simulated()`` (bootstrapped: namespaces, nodes, DNS; the simulated clock runs no
   controller thread, so the objects stay as created) and reads VmRSS;
3. creates 5,000 objects directly in the store across 10 namespaces: 2,000 pods, 1,500 configmaps,
   1,000 services and 500 deployments, shaped like those the practice controllers and kubectl make (pods
   as in ``kube_list.py``, with managedFields; configmaps with a few kB of config; ClusterIP services;
   rolled-out deployments with status), each decoded from its JSON text as a request body would be
   (no strings shared between objects); ``gc.collect()``; reads VmRSS;
4. lists every resource of all namespaces through ``Api.handle`` as JSON and as a Table (as
   ``kubectl get -A`` would), and reads VmRSS and VmHWM (the peak).

Prints the figures in MB (2^20 bytes, as VmRSS counts kB of 1024), the cluster's share per object, and
the ratio of the RSS holding the cluster to the baseline. Target: RSS holding the 5,000 objects < 150 MB.
``--quick``: 1,000 objects in the same proportions.

    .venv/bin/python bench/kube_memory.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from _figures import add_figures_option, write_figures

TARGET_MB = 150.0
TIMEOUT_S = 120.0
NAMESPACES = [f"team-{n}" for n in range(10)]
MIX = {"pods": 0.4, "configmaps": 0.3, "services": 0.2, "deployments": 0.1}
STAMP = "2026-05-28T20:26:40Z"
ACCEPT_TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io," \
               "application/json"
PATHS = {"pods": "/api/v1/pods", "configmaps": "/api/v1/configmaps", "services": "/api/v1/services",
         "deployments": "/apis/apps/v1/deployments"}


def memory_mb() -> dict[str, float]:
    """VmRSS and VmHWM of this process in MB (2^20 bytes)."""
    figures = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                figures[name] = int(value.split()[0]) / 1024
    return figures


def configmap_object(index: int, namespace: str) -> dict[str, Any]:
    app = f"app-{index % 50}"
    properties = "\n".join(f"{app}.setting.{k}=value-{index}-{k}" for k in range(40))
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": f"{app}-config-{index}", "namespace": namespace, "labels": {"app": app},
                     "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update",
                                        "apiVersion": "v1", "time": STAMP, "fieldsType": "FieldsV1",
                                        "fieldsV1": {"f:data": {".": {}, "f:application.properties": {},
                                                                "f:LOG_LEVEL": {}, "f:FEATURES": {}},
                                                     "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}]},
        "data": {"application.properties": properties, "LOG_LEVEL": "info",
                 "FEATURES": ",".join(f"feature-{k}" for k in range(index % 5 + 3))},
    }


def service_object(index: int, namespace: str) -> dict[str, Any]:
    app = f"app-{index % 50}"
    ip = f"10.96.{index // 250}.{index % 250 + 2}"
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": f"{app}-svc-{index}", "namespace": namespace, "labels": {"app": app},
                     "managedFields": [{"manager": "kubectl-expose", "operation": "Update", "apiVersion": "v1",
                                        "time": STAMP, "fieldsType": "FieldsV1",
                                        "fieldsV1": {"f:spec": {"f:ports": {".": {}, 'k:{"port":80,"protocol":"TCP"}':
                                                                            {".": {}, "f:port": {}, "f:protocol": {},
                                                                             "f:targetPort": {}}},
                                                                "f:selector": {}, "f:type": {}}}}]},
        "spec": {"ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080},
                           {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9090}],
                 "selector": {"app": app}, "clusterIP": ip, "clusterIPs": [ip], "type": "ClusterIP",
                 "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                 "internalTrafficPolicy": "Cluster"},
        "status": {"loadBalancer": {}},
    }


def deployment_object(index: int, namespace: str) -> dict[str, Any]:
    app = f"app-{index}"
    container = {"name": app, "image": f"registry.example.com/{app}:1.{index % 7}.0",
                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                 "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                 "terminationMessagePolicy": "File"}
    condition = {"lastUpdateTime": STAMP, "lastTransitionTime": STAMP}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": app, "namespace": namespace, "labels": {"app": app},
                     "annotations": {"deployment.kubernetes.io/revision": "1"},
                     "managedFields": [{"manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1",
                                        "time": STAMP, "fieldsType": "FieldsV1",
                                        "fieldsV1": {"f:spec": {"f:replicas": {}, "f:selector": {},
                                                                "f:template": {"f:spec": {"f:containers": {}}}}}}]},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": app}},
                 "template": {"metadata": {"labels": {"app": app}},
                              "spec": {"containers": [container], "restartPolicy": "Always",
                                       "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                                       "securityContext": {}, "schedulerName": "default-scheduler"}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                 "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                   "availableReplicas": 3,
                   "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                   "message": "Deployment has minimum availability.", **condition},
                                  {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                                   "message": f'ReplicaSet "{app}-5d4f8c7b9" has successfully progressed.',
                                   **condition}]},
    }


def child(total: int) -> int:
    """Measure in this (new) process; print the figures as one JSON line."""
    import gc

    from kube_list import pod_object

    import practice_cluster.controllers
    import practice_cluster.controllers.bootstrap
    import practice_cluster.http.server
    import practice_cluster.rest.watch
    import practice_cluster.tables.tables  # noqa: F401 (imported for the baseline)
    from practice_cluster import Cluster, Request

    gc.collect()
    figures: dict[str, Any] = {"baseline": memory_mb()["VmRSS"]}
    cluster = Cluster.simulated()
    for namespace in NAMESPACES:
        cluster.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    gc.collect()
    figures["empty cluster"] = memory_mb()["VmRSS"]
    before = cluster.store.count()
    makers = {"pods": pod_object, "configmaps": configmap_object, "services": service_object,
              "deployments": deployment_object}
    counts = {plural: round(total * share) for plural, share in MIX.items()}
    for plural, count in counts.items():
        for index in range(count):
            text = json.dumps(makers[plural](index, NAMESPACES[index % len(NAMESPACES)]))
            cluster.store.create(plural, json.loads(text))  # decoded as a request body: nothing shared
    gc.collect()
    figures["created"] = cluster.store.count() - before
    figures["counts"] = counts
    figures["with objects"] = memory_mb()["VmRSS"]
    for path in PATHS.values():
        for accept in ("application/json", ACCEPT_TABLE):
            response = cluster.api.handle(Request("GET", path, {}, {"accept": accept}, b""))
            if response.status != 200:
                print(json.dumps({"error": f"GET {path} answered {response.status}"}))
                return 1
    del response
    gc.collect()
    memory = memory_mb()
    figures["after lists"] = memory["VmRSS"]
    figures["peak"] = memory["VmHWM"]
    print(json.dumps(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 objects instead of 5,000")
    parser.add_argument("--child", type=int, metavar="N", help=argparse.SUPPRESS)
    add_figures_option(parser)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child)
    total = 1000 if args.quick else 5000
    try:
        done = subprocess.run([sys.executable, __file__, "--child", str(total)], capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
        figures = json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else {}
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        print(f"kube memory: cannot measure: {exc}")
        return 1
    if done.returncode != 0 or "error" in figures or "peak" not in figures:
        print(f"kube memory: cannot measure: the child ended {done.returncode}: {figures.get('error', '')}"
              f"{done.stderr[-600:]}")
        return 1
    counts = ", ".join(f"{n:,} {plural}" for plural, n in figures["counts"].items())
    print(f"kube memory: one process holding a simulated cluster with {figures['created']:,} objects ({counts}) "
          f"in {len(NAMESPACES)} namespaces")
    print(f"{'state':<44}{'RSS MB':>8}")
    for name, label in (("baseline", "baseline: modules imported"), ("empty cluster", "cluster made (bootstrapped)"),
                        ("with objects", "holding the objects"),
                        ("after lists", "after listing each kind, JSON and Table"), ("peak", "peak (VmHWM)")):
        print(f"{label:<44}{figures[name]:>8.1f}")
    held = figures["with objects"] - figures["empty cluster"]
    print(f"the objects add {held:.1f} MB: {held * 1024 / figures['created']:.2f} kB per object")
    ratio = figures["with objects"] / figures["baseline"]
    print(f"ratio holding the objects/baseline: {ratio:.2f}x")
    rss = figures["with objects"]
    write_figures(args.figures, {**{f"{name} MB": figures[name] for name in ("baseline", "empty cluster",
                                                                             "with objects", "after lists", "peak")},
                                 "kB per object": held * 1024 / figures["created"],
                                 "ratio with objects/baseline": ratio})
    note = "" if total == 5000 else f" (measured with {total:,} objects; the target is for 5,000)"
    print(f"target RSS holding the objects < {TARGET_MB:.0f} MB: {'met' if rss < TARGET_MB else 'MISSED'} "
          f"({rss:.1f} MB; peak {figures['peak']:.1f} MB){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
