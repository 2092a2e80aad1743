"""Server-side Table responses: columns and cells as the real apiserver's printers make them."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conftest import kubectl_binary
from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import RESOURCES, Resource
from practice_cluster.tables.tables import columns, human_duration, row, row_conditions, table

NOW = 1704067200.0  # 2024-01-01T00:00:00Z, the cluster clock of every test


def ago(seconds: float) -> str:
    return datetime.fromtimestamp(NOW - seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, age: float = 300, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "creationTimestamp": ago(age), **extra}


# ---------------------------------------------------------------------------------------------- ages


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"), (-1, "0s"), (-1.5, "0s"), (-2, "<invalid>"), (0.9, "0s"), (59, "59s"), (119, "119s"),
        (120, "2m"), (150, "2m30s"), (599, "9m59s"), (600, "10m"), (179 * 60 + 59, "179m"), (3 * 3600, "3h"),
        (3 * 3600 + 25 * 60, "3h25m"), (7 * 3600 + 59 * 60 + 59, "7h59m"), (8 * 3600, "8h"), (47 * 3600 + 3599, "47h"),
        (48 * 3600, "2d"), (2 * 86400 + 5 * 3600, "2d5h"), (8 * 86400 - 1, "7d23h"), (8 * 86400, "8d"),
        (729 * 86400, "729d"), (730 * 86400, "2y"), (3 * 365 * 86400 + 10 * 86400, "3y10d"), (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration_matches_the_go_helper(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


# ---------------------------------------------------------------------------------------------- pods


def pod(name: str = "web-1", *, phase: str = "Running", containers: int = 1, **status: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": f"c{i}", "image": "nginx:1.27"} for i in range(containers)]}
    if phase != "Pending" or status.pop("scheduled", True):
        spec["nodeName"] = "node-1"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, labels={"app": "web"}), "spec": spec,
            "status": {"phase": phase, **status}}


def running(name: str = "c0", restarts: int = 0, **extra: Any) -> dict[str, Any]:
    return {"name": name, "ready": True, "restartCount": restarts, "state": {"running": {"startedAt": ago(200)}},
            **extra}


def pod_row(obj: dict[str, Any]) -> list[Any]:
    return row(RESOURCES["pods"], obj, NOW)


def test_running_pod_with_one_ready_container() -> None:
    obj = pod(podIP="10.244.0.5", podIPs=[{"ip": "10.244.0.5"}], containerStatuses=[running()],
              conditions=[{"type": "Ready", "status": "True"}])
    assert pod_row(obj) == ["web-1", "1/1", "Running", "0", "5m", "10.244.0.5", "node-1", "<none>", "<none>"]


def test_pending_pod_without_a_node() -> None:
    obj = pod(phase="Pending", scheduled=False,
              conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}])
    assert pod_row(obj) == ["web-1", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"]


def test_container_creating_and_scheduling_gated() -> None:
    waiting = {"name": "c0", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
    assert pod_row(pod(phase="Pending", containerStatuses=[waiting]))[1:3] == ["0/1", "ContainerCreating"]
    gated = pod(phase="Pending", scheduled=False,
                conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}])
    assert pod_row(gated)[2] == "SchedulingGated"


def test_succeeded_job_pod_is_completed_and_marked_so() -> None:
    done = {"name": "c0", "ready": False, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": ago(60)}}}
    obj = pod("job-x", phase="Succeeded", containerStatuses=[done])
    assert pod_row(obj)[:4] == ["job-x", "0/1", "Completed", "0"]
    assert row_conditions(RESOURCES["pods"], obj) == [
        {"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}
    ]


def test_failed_pods_show_the_reason_or_the_exit_code() -> None:
    error = {"name": "c0", "ready": False, "restartCount": 0,
             "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}
    assert pod_row(pod(phase="Failed", containerStatuses=[error]))[2] == "Error"
    bare = {"name": "c0", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 3}}}
    assert pod_row(pod(phase="Failed", containerStatuses=[bare]))[2] == "ExitCode:3"
    signal = {"name": "c0", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "signal": 9}}}
    assert pod_row(pod(phase="Failed", containerStatuses=[signal]))[2] == "Signal:9"
    assert row_conditions(RESOURCES["pods"], pod(phase="Failed"))[0]["reason"] == "Failed"


def test_crash_loop_back_off_with_restarts() -> None:
    crashing = {"name": "c0", "ready": False, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(45)}}}
    assert pod_row(pod(containerStatuses=[crashing]))[1:4] == ["0/1", "CrashLoopBackOff", "4 (45s ago)"]


def test_restarts_without_a_last_termination_time_are_a_bare_count() -> None:
    assert pod_row(pod(containerStatuses=[running(restarts=2)]))[3] == "2"


MAIN_WAITING = {"name": "c0", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}


def init_pod(init_state: dict[str, Any], initialized: bool, main: dict[str, Any]) -> dict[str, Any]:
    obj = pod(phase="Pending", initContainerStatuses=[{"name": "setup", "ready": False, "restartCount": 0,
                                                        "state": init_state}],
              containerStatuses=[main],
              conditions=[{"type": "Initialized", "status": "True" if initialized else "False"}])
    obj["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    return obj


def test_init_containers_running_then_pod_initializing() -> None:
    assert pod_row(init_pod({"running": {"startedAt": ago(5)}}, False, MAIN_WAITING))[1:3] == ["0/1", "Init:0/1"]
    done = {"terminated": {"exitCode": 0, "reason": "Completed"}}
    assert pod_row(init_pod(done, True, MAIN_WAITING))[1:3] == ["0/1", "PodInitializing"]


def test_init_container_failures() -> None:
    failed = {"terminated": {"exitCode": 1, "reason": "Error"}}
    assert pod_row(init_pod(failed, False, MAIN_WAITING))[2] == "Init:Error"
    looping = {"waiting": {"reason": "CrashLoopBackOff"}}
    assert pod_row(init_pod(looping, False, MAIN_WAITING))[2] == "Init:CrashLoopBackOff"
    assert pod_row(init_pod({"terminated": {"exitCode": 2}}, False, MAIN_WAITING))[2] == "Init:ExitCode:2"


def test_sidecar_counts_as_a_container() -> None:
    obj = pod(containerStatuses=[running()], conditions=[{"type": "Initialized", "status": "True"}],
              initContainerStatuses=[{"name": "proxy", "ready": True, "started": True, "restartCount": 1,
                                      "state": {"running": {}},
                                      "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(150)}}}])
    obj["spec"]["initContainers"] = [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]
    assert pod_row(obj)[1:4] == ["2/2", "Running", "1 (2m30s ago)"]


def test_completed_container_beside_a_running_one() -> None:
    finished = {"name": "c1", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 0,
                                                                                         "reason": "Completed"}}}
    ready = pod(containers=2, containerStatuses=[running("c0"), finished],
                conditions=[{"type": "Ready", "status": "True"}])
    assert pod_row(ready)[1:3] == ["1/2", "Running"]
    not_ready = pod(containers=2, containerStatuses=[running("c0"), finished])
    assert pod_row(not_ready)[1:3] == ["1/2", "NotReady"]


def test_terminating_and_node_lost_pods() -> None:
    obj = pod(containerStatuses=[running()])
    obj["metadata"]["deletionTimestamp"] = ago(3)
    assert pod_row(obj)[2] == "Terminating"
    obj["status"]["reason"] = "NodeLost"
    assert pod_row(obj)[2] == "Unknown"
    finished = pod(phase="Succeeded")
    finished["metadata"]["deletionTimestamp"] = ago(3)
    assert pod_row(finished)[2] == "Succeeded"


def test_readiness_gates_and_nominated_node() -> None:
    obj = pod(containerStatuses=[running()], nominatedNodeName="node-2",
              conditions=[{"type": "example.com/lb", "status": "True"}, {"type": "example.com/dns", "status": "False"}])
    obj["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]
    assert pod_row(obj)[7:] == ["node-2", "1/2"]


# ---------------------------------------------------------------------------------------------- nodes


def test_nodes() -> None:
    node = {"metadata": {"name": "cp", "creationTimestamp": ago(86400 * 3),
                         "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "ingress"}},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                      {"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname",
                                                                                        "address": "cp"}],
                       "nodeInfo": {"kubeletVersion": "v1.37.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                    "kernelVersion": "6.1.0", "containerRuntimeVersion": "containerd://2.1.0"}}}
    assert row(RESOURCES["nodes"], node, NOW) == [
        "cp", "Ready", "control-plane,ingress", "3d", "v1.37.1", "172.18.0.2", "<none>",
        "Debian GNU/Linux 12 (bookworm)", "6.1.0", "containerd://2.1.0",
    ]
    cordoned = {"metadata": {"name": "w"}, "spec": {"unschedulable": True},
                "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}
    assert row(RESOURCES["nodes"], cordoned, NOW)[:5] == ["w", "NotReady,SchedulingDisabled", "<none>", "<unknown>", ""]
    assert row(RESOURCES["nodes"], {"metadata": {"name": "x"}}, NOW)[1] == "Unknown"
    assert row(RESOURCES["nodes"], {"metadata": {"name": "x"}}, NOW)[7:] == ["<unknown>"] * 3


# ---------------------------------------------------------------------------------------------- services


def service(kind: str, **spec: Any) -> dict[str, Any]:
    return {"metadata": meta("web"), "spec": {"type": kind, "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                                              "selector": {"app": "web", "tier": "front"},
                                              "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}], **spec}}


def test_services() -> None:
    svc = RESOURCES["services"]
    assert row(svc, service("ClusterIP"), NOW) == [
        "web", "ClusterIP", "10.96.0.20", "<none>", "80/TCP", "5m", "app=web,tier=front"]
    node_port = service("NodePort", ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"},
                                           {"port": 53, "nodePort": 30053, "protocol": "UDP"}])
    assert row(svc, node_port, NOW)[4] == "80:30080/TCP,53:30053/UDP"
    assert row(svc, service("LoadBalancer"), NOW)[3] == "<pending>"
    balanced = service("LoadBalancer", externalIPs=["192.0.2.9"])
    balanced["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.7"}, {"hostname": "lb.example.com"}]}}
    assert row(svc, balanced, NOW)[3] == "203.0.113.7,lb.example.com,192.0.2.9"
    external = service("ExternalName", externalName="db.example.com", ports=[], clusterIP="", clusterIPs=[],
                       selector={})
    assert row(svc, external, NOW)[1:5] == ["ExternalName", "<none>", "db.example.com", "<none>"]
    assert row(svc, external, NOW)[6] == "<none>"
    headless = service("ClusterIP", clusterIP="None", clusterIPs=["None"], externalIPs=["192.0.2.1"])
    assert row(svc, headless, NOW)[2:4] == ["None", "192.0.2.1"]


def test_endpoints_and_endpoint_slices() -> None:
    addresses = [{"ip": f"10.244.0.{i}"} for i in range(5, 9)]
    endpoints = {"metadata": meta("web"), "subsets": [{"addresses": addresses[:2], "ports": [{"port": 8080}]}]}
    assert row(RESOURCES["endpoints"], endpoints, NOW) == ["web", "10.244.0.5:8080,10.244.0.6:8080", "5m"]
    many = {"metadata": meta("web"), "subsets": [{"addresses": addresses, "ports": [{"port": 80}]}]}
    assert row(RESOURCES["endpoints"], many, NOW)[1] == "10.244.0.5:80,10.244.0.6:80,10.244.0.7:80 + 1 more..."
    headless = {"metadata": meta("db"), "subsets": [{"addresses": [{"ip": "fd00::1"}]}]}
    assert row(RESOURCES["endpoints"], headless, NOW)[1] == "fd00::1"
    assert row(RESOURCES["endpoints"], {"metadata": meta("none")}, NOW)[1] == "<none>"
    slice_ = {"metadata": meta("web-abcde"), "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
              "endpoints": [{"addresses": ["10.244.0.5"]}, {"addresses": ["10.244.0.6"]}]}
    assert row(RESOURCES["endpointslices"], slice_, NOW) == ["web-abcde", "IPv4", "8080", "10.244.0.5,10.244.0.6", "5m"]
    empty = {"metadata": meta("web-x"), "addressType": "IPv4", "ports": [{"name": "http"}, {}]}
    assert row(RESOURCES["endpointslices"], empty, NOW)[2:4] == ["http,*", "<unset>"]


# ---------------------------------------------------------------------------------------------- config and the rest


def test_configmaps_secrets_serviceaccounts_leases_namespaces() -> None:
    cm = {"metadata": meta("cfg"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    assert row(RESOURCES["configmaps"], cm, NOW) == ["cfg", 3, "5m"]
    secret = {"metadata": meta("tls"), "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    assert row(RESOURCES["secrets"], secret, NOW) == ["tls", "kubernetes.io/tls", 2, "5m"]
    assert row(RESOURCES["serviceaccounts"], {"metadata": meta("default")}, NOW) == ["default", "5m"]
    lease = {"metadata": meta("lock"), "spec": {"holderIdentity": "node-1"}}
    assert row(RESOURCES["leases"], lease, NOW) == ["lock", "node-1", "5m"]
    ns = {"metadata": {"name": "dev", "creationTimestamp": ago(7200)}, "status": {"phase": "Terminating"}}
    assert row(RESOURCES["namespaces"], ns, NOW) == ["dev", "Terminating", "120m"]


def test_events() -> None:
    event = {"metadata": meta("web-1.17a"), "type": "Normal", "reason": "Scheduled",
             "message": "Successfully assigned default/web-1 to node-1\n",
             "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{c0}"},
             "source": {"component": "default-scheduler"}, "firstTimestamp": ago(600), "lastTimestamp": ago(30),
             "count": 3}
    assert row(RESOURCES["events"], event, NOW) == [
        "30s", "Normal", "Scheduled", "pod/web-1", "spec.containers{c0}", "default-scheduler",
        "Successfully assigned default/web-1 to node-1", "10m", 3, "web-1.17a",
    ]
    modern = {"metadata": meta("e2"), "type": "Warning", "reason": "BackOff", "involvedObject": {"kind": "Node"},
              "eventTime": ago(90).replace("Z", ".123456Z"), "reportingComponent": "kubelet",
              "reportingInstance": "node-1"}
    # 89.88 seconds ago: ages truncate, as Go's int(d.Seconds()) does.
    assert row(RESOURCES["events"], modern, NOW) == [
        "89s", "Warning", "BackOff", "node", "", "kubelet, node-1", "", "89s", 1, "e2"]
    series = {**modern, "series": {"count": 7, "lastObservedTime": ago(5)}}
    assert row(RESOURCES["events"], series, NOW)[0] == "5s"
    assert row(RESOURCES["events"], series, NOW)[8] == 7
    assert row(RESOURCES["events"], {"metadata": meta("bare")}, NOW)[0] == "<unknown>"


def test_persistent_volume_claims() -> None:
    bound = {"metadata": meta("data"),
             "spec": {"volumeName": "pvc-123", "storageClassName": "standard", "volumeMode": "Filesystem",
                      "resources": {"requests": {"storage": "1Gi"}}},
             "status": {"phase": "Bound", "capacity": {"storage": "1Gi"},
                        "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}}
    assert row(RESOURCES["persistentvolumeclaims"], bound, NOW) == [
        "data", "Bound", "pvc-123", "1Gi", "RWO,RWX", "standard", "<unset>", "5m", "Filesystem"]
    pending = {"metadata": meta("new", annotations={"volume.beta.kubernetes.io/storage-class": "fast"}),
               "spec": {"storageClassName": "standard"}, "status": {"phase": "Pending"}}
    assert row(RESOURCES["persistentvolumeclaims"], pending, NOW) == [
        "new", "Pending", "", "", "", "fast", "<unset>", "5m", "<unset>"]


# ---------------------------------------------------------------------------------------------- workloads


TEMPLATE: dict[str, Any] = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}]}}
SELECTOR: dict[str, Any] = {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn",
                                                                 "values": ["db", "cache"]}]}


def test_deployments_and_replica_sets() -> None:
    deploy = {"metadata": meta("web"), "spec": {"replicas": 3, "selector": SELECTOR, "template": TEMPLATE},
              "status": {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2}}
    assert row(RESOURCES["deployments"], deploy, NOW) == [
        "web", "2/3", 3, 2, "5m", "nginx,log", "nginx:1.27,busybox", "app=web,tier notin (cache,db)"]
    fresh = {"metadata": meta("new"), "spec": {"template": TEMPLATE}}
    assert row(RESOURCES["deployments"], fresh, NOW)[1:4] == ["0/1", 0, 0]
    assert row(RESOURCES["deployments"], fresh, NOW)[7] == ""
    rs = {"metadata": meta("web-5d4f8"), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                                  "template": TEMPLATE},
          "status": {"replicas": 3, "readyReplicas": 1}}
    assert row(RESOURCES["replicasets"], rs, NOW) == [
        "web-5d4f8", 3, 3, 1, "5m", "nginx,log", "nginx:1.27,busybox", "app=web"]
    broken = {"metadata": meta("x"), "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}}
    assert row(RESOURCES["replicasets"], broken, NOW)[7] == "<error>"
    assert row(RESOURCES["deployments"], broken, NOW)[7] == "<invalid>"


def test_daemon_sets_stateful_sets_and_revisions() -> None:
    template = copy.deepcopy(TEMPLATE)
    template["spec"]["nodeSelector"] = {"kubernetes.io/os": "linux"}
    ds = {"metadata": meta("agent"), "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template},
          "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1,
                     "updatedNumberScheduled": 2, "numberAvailable": 1}}
    assert row(RESOURCES["daemonsets"], ds, NOW) == [
        "agent", 2, 2, 1, 2, 1, "kubernetes.io/os=linux", "5m", "nginx,log", "nginx:1.27,busybox", "app=agent"]
    sts = {"metadata": meta("db"), "spec": {"replicas": 3, "template": TEMPLATE}, "status": {"readyReplicas": 3}}
    assert row(RESOURCES["statefulsets"], sts, NOW) == ["db", "3/3", "5m", "nginx,log", "nginx:1.27,busybox"]
    owners = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": True, "uid": "u"}]
    revision = {"metadata": meta("db-7c9", ownerReferences=owners), "revision": 2, "data": {}}
    assert row(RESOURCES["controllerrevisions"], revision, NOW) == ["db-7c9", "statefulset.apps/db", 2, "5m"]
    assert row(RESOURCES["controllerrevisions"], {"metadata": meta("lone")}, NOW)[1] == "<none>"


def job(conditions: list[dict[str, str]] | None = None, **spec: Any) -> dict[str, Any]:
    status: dict[str, Any] = {"startTime": ago(200), "succeeded": 1, "conditions": conditions or []}
    return {"metadata": meta("pi"), "spec": {"selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}},
                                             "template": TEMPLATE, **spec}, "status": status}


def test_jobs() -> None:
    jobs = RESOURCES["jobs"]
    assert row(jobs, job(completions=3, parallelism=1), NOW) == [
        "pi", "Running", "1/3", "3m20s", "5m", "nginx,log", "nginx:1.27,busybox",
        "batch.kubernetes.io/controller-uid=u1"]
    complete = job([{"type": "Complete", "status": "True"}], completions=1)
    complete["status"]["completionTime"] = ago(170)
    assert row(jobs, complete, NOW)[1:4] == ["Complete", "1/1", "30s"]
    assert row(jobs, job(parallelism=3), NOW)[2] == "1/1 of 3"
    assert row(jobs, job(), NOW)[2] == "1/1"
    assert row(jobs, job([{"type": "Suspended", "status": "True"}]), NOW)[1] == "Suspended"
    assert row(jobs, job([{"type": "FailureTarget", "status": "True"}]), NOW)[1] == "FailureTarget"
    failed = job([{"type": "FailureTarget", "status": "True"}, {"type": "Failed", "status": "True"}])
    assert row(jobs, failed, NOW)[1] == "Failed"
    unstarted = {"metadata": meta("later"), "spec": {"completions": 2, "template": TEMPLATE}}
    assert row(jobs, unstarted, NOW)[1:4] == ["Running", "0/2", ""]


def test_cron_jobs() -> None:
    cron = {"metadata": meta("nightly", age=86400 * 10),
            "spec": {"schedule": "0 2 * * *", "suspend": False,
                     "jobTemplate": {"spec": {"template": TEMPLATE}}},
            "status": {"active": [{"name": "nightly-1"}], "lastScheduleTime": ago(3600 * 22)}}
    assert row(RESOURCES["cronjobs"], cron, NOW) == [
        "nightly", "0 2 * * *", "<none>", "False", 1, "22h", "10d", "nginx,log", "nginx:1.27,busybox", "<none>"]
    fresh = {"metadata": meta("tz"), "spec": {"schedule": "@hourly", "timeZone": "Asia/Seoul",
                                              "jobTemplate": {"spec": {"template": TEMPLATE}}}}
    assert row(RESOURCES["cronjobs"], fresh, NOW)[1:6] == ["@hourly", "Asia/Seoul", "<unset>", 0, "<none>"]


# ---------------------------------------------------------------------------------------------- ingress


def test_ingresses_and_classes() -> None:
    ing = {"metadata": meta("web"), "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"]}],
                                             "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]},
           "status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.3"}]}}}
    assert row(RESOURCES["ingresses"], ing, NOW) == [
        "web", "nginx", "a.example.com,b.example.com", "172.18.0.3", "80, 443", "5m"]
    plain = {"metadata": meta("any"), "spec": {"rules": [{"http": {}}]}}
    assert row(RESOURCES["ingresses"], plain, NOW) == ["any", "<none>", "*", "", "80", "5m"]
    many = {"metadata": meta("many"), "spec": {"rules": [{"host": f"h{i}.example.com"} for i in range(5)]}}
    assert row(RESOURCES["ingresses"], many, NOW)[2] == "h0.example.com,h1.example.com,h2.example.com + 2 more..."
    klass = {"metadata": {"name": "nginx", "creationTimestamp": ago(60)},
             "spec": {"controller": "k8s.io/ingress-nginx",
                      "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}}
    assert row(RESOURCES["ingressclasses"], klass, NOW) == [
        "nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/p", "60s"]


# ---------------------------------------------------------------------------------------------- columns and tables


EXPECTED_COLUMNS = {
    "namespaces": "Name Status Age",
    "nodes": "Name Status Roles Age Version *Internal-IP *External-IP *OS-Image *Kernel-Version *Container-Runtime",
    "pods": "Name Ready Status Restarts Age *IP *Node *Nominated_Node *Readiness_Gates",
    "services": "Name Type Cluster-IP External-IP Port(s) Age *Selector",
    "endpoints": "Name Endpoints Age",
    "endpointslices": "Name AddressType Ports Endpoints Age",
    "configmaps": "Name Data Age",
    "secrets": "Name Type Data Age",
    "serviceaccounts": "Name Age",
    "events": "Last_Seen Type Reason Object *Subobject *Source Message *First_Seen *Count *Name",
    "persistentvolumeclaims": "Name Status Volume Capacity Access_Modes StorageClass VolumeAttributesClass Age "
                              "*VolumeMode",
    "deployments": "Name Ready Up-to-date Available Age *Containers *Images *Selector",
    "replicasets": "Name Desired Current Ready Age *Containers *Images *Selector",
    "daemonsets": "Name Desired Current Ready Up-to-date Available Node_Selector Age *Containers *Images *Selector",
    "statefulsets": "Name Ready Age *Containers *Images",
    "controllerrevisions": "Name Controller Revision Age",
    "jobs": "Name Status Completions Duration Age *Containers *Images *Selector",
    "cronjobs": "Name Schedule Timezone Suspend Active Last_Schedule Age *Containers *Images *Selector",
    "ingresses": "Name Class Hosts Address Ports Age",
    "ingressclasses": "Name Controller Parameters Age",
    "leases": "Name Holder Age",
}


@pytest.mark.parametrize("plural", sorted(RESOURCES))
def test_every_served_resource_has_the_printer_columns(plural: str) -> None:
    cols = columns(RESOURCES[plural])
    shown = " ".join(("*" if c["priority"] else "") + c["name"].replace(" ", "_") for c in cols)
    assert shown == EXPECTED_COLUMNS[plural]
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in cols)
    assert all(c["description"] for c in cols)
    assert [c["format"] for c in cols if c["name"] == "Name"] == ["name"]
    # Whatever shape an object has, its row has one cell per column and never raises.
    for junk in ({}, {"metadata": "x", "spec": [], "status": 5, "data": 3, "subsets": {}},
                 {"metadata": {"name": 7, "creationTimestamp": "yesterday", "labels": []},
                  "spec": {"containers": None, "replicas": "3", "ports": [None, 5], "rules": "x", "selector": 4},
                  "status": {"conditions": ["x"], "containerStatuses": [{"state": []}], "loadBalancer": 1}}):
        assert len(row(RESOURCES[plural], junk, NOW)) == len(cols)


def test_descriptions_come_from_the_schemas() -> None:
    name = columns(RESOURCES["pods"])[0]["description"]
    assert name.startswith("Name must be unique within a namespace.")
    assert columns(RESOURCES["pods"])[5]["description"].startswith("podIP address allocated to the pod.")


def test_table_document_with_partial_object_metadata() -> None:
    done = pod("done", phase="Succeeded")
    doc = table(RESOURCES["pods"], [pod(containerStatuses=[running()]), done], NOW, resource_version="42")
    assert doc["kind"] == "Table" and doc["apiVersion"] == "meta.k8s.io/v1"
    assert doc["metadata"] == {"resourceVersion": "42"}
    assert [c["name"] for c in doc["columnDefinitions"]][:3] == ["Name", "Ready", "Status"]
    first, second = doc["rows"]
    assert first["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                               "metadata": pod()["metadata"]}
    assert "conditions" not in first
    assert second["conditions"][0]["type"] == "Completed"
    json.dumps(doc)  # the document must be plain JSON


def test_table_include_object_modes() -> None:
    obj = pod()
    full = table(RESOURCES["pods"], [obj], NOW, include_object="Object")["rows"][0]["object"]
    assert full == obj and full is not obj
    assert "object" not in table(RESOURCES["pods"], [obj], NOW, include_object="None")["rows"][0]
    assert table(RESOURCES["pods"], [obj], NOW, include_object="")["rows"][0]["object"]["kind"] == (
        "PartialObjectMetadata")
    empty = table(RESOURCES["pods"], [], NOW, no_headers=True)
    assert empty["rows"] == [] and empty["columnDefinitions"] is None and empty["metadata"] == {}


def test_unknown_include_object_is_a_bad_request() -> None:
    with pytest.raises(ApiError) as caught:
        table(RESOURCES["pods"], [], NOW, include_object="Everything")
    assert caught.value.code == 400
    assert caught.value.status()["message"] == (
        "includeObject: Invalid value: \"Everything\": must be 'Metadata', 'Object', 'None', or empty")


# ---------------------------------------------------------------------------------------------- the real kubectl




SERVED: dict[str, list[dict[str, Any]]] = {
    "/api/v1/namespaces/default/pods": [
        pod("web-1", podIPs=[{"ip": "10.244.0.5"}], containerStatuses=[running()],
            conditions=[{"type": "Ready", "status": "True"}]),
        pod("batch-x", phase="Succeeded", containerStatuses=[
            {"name": "c0", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 0,
                                                                                       "reason": "Completed"}}}]),
        pod("crash", containerStatuses=[{"name": "c0", "ready": False, "restartCount": 3,
                                         "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                         "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(45)}}}]),
    ],
    "/apis/apps/v1/namespaces/default/deployments": [
        {"metadata": meta("web", age=7200), "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                                                     "template": TEMPLATE},
         "status": {"readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2}},
    ],
    "/api/v1/namespaces/default/services": [
        service("ClusterIP"),
        {**service("NodePort", ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"}]), "metadata": meta("np")},
    ],
}
DISCOVERY: dict[str, Any] = {
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": r.plural, "singularName": r.singular, "namespaced": True, "kind": r.kind, "verbs": ["get", "list"],
         "shortNames": list(r.short_names)} for r in (RESOURCES["pods"], RESOURCES["services"])]},
    "/apis/apps/v1": {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
        {"name": "deployments", "singularName": "deployment", "namespaced": True, "kind": "Deployment",
         "verbs": ["get", "list"], "shortNames": ["deploy"]}]},
}


class TableHandler(BaseHTTPRequestHandler):
    """Just enough of an apiserver for ``kubectl get``: legacy discovery and Table lists."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        body: Any = DISCOVERY.get(path)
        if path in SERVED:
            assert "as=Table" in self.headers.get("Accept", "")
            resource = RESOURCES[path.rsplit("/", 1)[1]]
            body = table(resource, SERVED[path], NOW, resource_version="7")
        data = json.dumps(body).encode()
        self.send_response(404 if body is None else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    binary = kubectl_binary()
    assert binary is not None, "kubectl is not installed"
    server = ThreadingHTTPServer(("127.0.0.1", 0), TableHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = tmp_path_factory.mktemp("kubectl-home")
    config = home / "config"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "practice",
        "clusters": [{"name": "practice", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}],
        "contexts": [{"name": "practice", "context": {"cluster": "practice", "user": "me", "namespace": "default"}}],
        "users": [{"name": "me", "user": {}}],
    }))
    env = {**os.environ, "HOME": str(home), "KUBECONFIG": str(config)}

    def run(*args: str) -> list[str]:
        done = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    yield run
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.kube
def test_kubectl_get_pods(kubectl: Any) -> None:
    assert kubectl("get", "pods") == [
        "NAME      READY   STATUS             RESTARTS      AGE",
        "web-1     1/1     Running            0             5m",
        "batch-x   0/1     Completed          0             5m",
        "crash     0/1     CrashLoopBackOff   3 (45s ago)   5m",
    ]


@pytest.mark.kube
def test_kubectl_get_pods_wide_and_labels(kubectl: Any) -> None:
    assert kubectl("get", "pods", "-o", "wide") == [
        "NAME      READY   STATUS             RESTARTS      AGE   IP           NODE     NOMINATED NODE   "
        "READINESS GATES",
        "web-1     1/1     Running            0             5m    10.244.0.5   node-1   <none>           <none>",
        "batch-x   0/1     Completed          0             5m    <none>       node-1   <none>           <none>",
        "crash     0/1     CrashLoopBackOff   3 (45s ago)   5m    <none>       node-1   <none>           <none>",
    ]
    assert kubectl("get", "pods", "--show-labels")[:2] == [
        "NAME      READY   STATUS             RESTARTS      AGE   LABELS",
        "web-1     1/1     Running            0             5m    app=web",
    ]


@pytest.mark.kube
def test_kubectl_get_deployments_and_services(kubectl: Any) -> None:
    assert kubectl("get", "deploy") == [
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE",
        "web    2/2     2            2           120m",
    ]
    assert kubectl("get", "deploy", "-o", "wide") == [
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES               SELECTOR",
        "web    2/2     2            2           120m   nginx,log    nginx:1.27,busybox   app=web",
    ]
    assert kubectl("get", "svc") == [
        "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE",
        "web    ClusterIP   10.96.0.20   <none>        80/TCP         5m",
        "np     NodePort    10.96.0.20   <none>        80:30080/TCP   5m",
    ]


def test_a_kind_without_a_printer_gets_the_default_columns() -> None:
    unknown = Resource("example.com", "v1", "Widget", "widgets", "widget", True)
    assert [c["name"] for c in columns(unknown)] == ["Name", "Created At"]
    assert row(unknown, {"metadata": meta("w", age=60)}, NOW) == ["w", "2023-12-31T23:59:00Z"]
    assert row(unknown, {}, NOW) == ["", "0001-01-01T00:00:00Z"]
