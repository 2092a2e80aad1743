"""Defaulting: the values the apiserver fills in on every write, as a real cluster shows them.

>>> d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
...      "spec": {"template": {"spec": {"containers": [{"name": "w", "image": "nginx"}]}}}}
>>> _ = apply_defaults("Deployment", d)
>>> d["spec"]["replicas"], d["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
(1, '25%')
>>> d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"]
'Always'
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]


def _container(c: Obj) -> None:
    image = str(c.get("image", ""))
    tag = image.rsplit("/", 1)[-1]
    latest = ":" not in tag or tag.endswith(":latest")
    if "@" not in image:
        c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    else:
        c.setdefault("imagePullPolicy", "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for env in c.get("env") or []:
        source = env.get("valueFrom") if isinstance(env, dict) else None
        if isinstance(source, dict) and isinstance(source.get("fieldRef"), dict):
            source["fieldRef"].setdefault("apiVersion", "v1")


def pod_spec(spec: Obj, restart_policy: str = "Always") -> None:
    """Defaults of a PodSpec (a pod's or a template's)."""
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if isinstance(c, dict):
            _container(c)
    spec.setdefault("restartPolicy", restart_policy)
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for volume in spec.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        for source in ("configMap", "secret"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)


def _template(spec: Obj, restart_policy: str = "Always") -> None:
    template = spec.get("template")
    if isinstance(template, dict):
        template.setdefault("metadata", {})  # an ObjectMeta struct: always there, `{}` when empty
        if isinstance(template.get("spec"), dict):
            pod_spec(template["spec"], restart_policy)


def _pod(obj: Obj, spec: Obj | None) -> None:
    if spec is not None:
        pod_spec(spec)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        spec.setdefault("priority", 0)
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
        spec.setdefault("tolerations", [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
        ])


def _deployment(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxSurge", "25%")
        rolling.setdefault("maxUnavailable", "25%")
    _template(spec)


def _replica_set(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    _template(spec)


def _daemon_set(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    _template(spec)


def _stateful_set(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("persistentVolumeClaimRetentionPolicy",
                    {"whenDeleted": "Retain", "whenScaled": "Retain"})
    _template(spec)


def _job(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    if "completions" not in spec and "parallelism" not in spec:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    _template(spec, restart_policy="Never")


def _cron_job(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = spec.setdefault("jobTemplate", {})
    job_template.setdefault("metadata", {})
    job_spec = job_template.get("spec")
    if isinstance(job_spec, dict):  # a JobSpec is not a Job: only its pod template is defaulted
        _template(job_spec, restart_policy="Never")


def _service(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    spec.setdefault("type", "ClusterIP")
    if spec["type"] != "ExternalName":
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    else:
        spec.setdefault("sessionAffinity", "None")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
    obj.setdefault("status", {"loadBalancer": {}})


def _secret(obj: Obj, spec: Obj | None) -> None:
    obj.setdefault("type", "Opaque")
    if isinstance(obj.get("stringData"), dict):  # written into data, base64, and not kept
        data = obj["data"] if isinstance(obj.get("data"), dict) else {}
        data.update({str(k): base64.b64encode(str(v).encode()).decode()
                     for k, v in obj.pop("stringData").items()})
        obj["data"] = data


def _namespace(obj: Obj, spec: Obj | None) -> None:
    if not isinstance(obj.get("spec"), dict):
        obj["spec"] = {}
    obj["spec"].setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {"phase": "Active"})
    obj.setdefault("metadata", {}).setdefault("labels", {})
    obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = obj["metadata"].get("name", "")


def _ingress(obj: Obj, spec: Obj | None) -> None:
    if spec is None:
        return
    obj.setdefault("status", {"loadBalancer": {}})


#: Each kind's defaulting (the kinds without one have no defaults beyond the server's metadata).
DEFAULTS: dict[str, Callable[[Obj, Obj | None], None]] = {
    "Pod": _pod,
    "Deployment": _deployment,
    "ReplicaSet": _replica_set,
    "DaemonSet": _daemon_set,
    "StatefulSet": _stateful_set,
    "Job": _job,
    "CronJob": _cron_job,
    "Service": _service,
    "Secret": _secret,
    "Namespace": _namespace,
    "Ingress": _ingress,
}


def apply_defaults(kind: str, obj: Obj) -> Obj:
    """Fill in the defaults of ``kind`` in place (its entry of ``DEFAULTS``) and return the object."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = None
    fill = DEFAULTS.get(kind)
    if fill is not None:
        fill(obj, spec)
    if kind == "Pod":
        status = obj.setdefault("status", {})
        status.setdefault("phase", "Pending")
        status.setdefault("qosClass", qos_class(spec or {}))
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"):
        obj.setdefault("status", {})
    return obj


def qos_class(spec: dict[str, Any]) -> str:
    """A pod's QoS class from its containers' resources (as the kubelet's ``GetPodQOS``): Guaranteed when every
    container limits cpu and memory and requests what it limits, BestEffort when none requests or limits
    anything, Burstable otherwise. A request left out defaults to its limit."""
    containers = [c for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
                  if isinstance(c, dict)]
    resources = [c.get("resources") or {} for c in containers]
    if not any((r.get("requests") or {}) or (r.get("limits") or {}) for r in resources):
        return "BestEffort"
    for r in resources:
        limits, requests = r.get("limits") or {}, r.get("requests") or {}
        if not {"cpu", "memory"} <= set(limits):
            return "Burstable"
        if any(str(requests.get(name, limit)) != str(limit) for name, limit in limits.items()):
            return "Burstable"
    return "Guaranteed"
