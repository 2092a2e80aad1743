"""The cells of one table row for each served kind, as ``pkg/printers/internalversion`` prints them.

The apiserver always prints the wide cells too (kubectl drops priority-1 columns unless ``-o wide``),
so every function here returns the full row. Objects are plain JSON dicts as the store keeps them.

>>> pod = {"metadata": {"name": "web", "creationTimestamp": "2024-01-01T00:00:00Z"},
...        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Pending"}}
>>> pod_cells(pod, 1704067230.0)
['web', '0/1', 'Pending', '0', '30s', '<none>', '<none>', '<none>', '<none>']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from practice_cluster.tables.format import (
    NONE,
    UNKNOWN,
    UNSET,
    access_modes,
    as_dict,
    as_int,
    as_list,
    as_str,
    dig,
    human_duration,
    parse_time,
    quantity,
    since,
)

Cells = list[Any]


def _age(obj: dict[str, Any], now: float) -> str:
    return since(dig(obj, "metadata", "creationTimestamp"), now)


def _name(obj: dict[str, Any]) -> str:
    return as_str(dig(obj, "metadata", "name"))


def _restartable(container: Any) -> bool:
    """``podutil.IsRestartableInitContainer``: a sidecar is an init container with restartPolicy Always."""
    return as_dict(container).get("restartPolicy") == "Always"


def condition_true(conditions: Any, kind: str) -> bool:
    """The first condition of a type decides, as ``hasJobCondition`` and friends read them."""
    for condition in as_list(conditions):
        condition = as_dict(condition)
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def _finished_at(status: dict[str, Any]) -> float | None:
    return parse_time(dig(status, "lastState", "terminated", "finishedAt"))


def _later(current: float | None, candidate: float | None) -> float | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def _terminated_reason(terminated: dict[str, Any], prefix: str) -> str:
    reason = as_str(terminated.get("reason"))
    if reason:
        return prefix + reason
    signal = as_int(terminated.get("signal"))
    if signal != 0:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{as_int(terminated.get('exitCode'))}"


def pod_status(pod: dict[str, Any]) -> tuple[str, int, int, int, float | None]:
    """``printPod``'s reasoning: (status word, ready, total, restarts, last restart time)."""
    spec, status = as_dict(pod.get("spec")), as_dict(pod.get("status"))
    init_list = [as_dict(c) for c in as_list(spec.get("initContainers"))]
    init_specs = {as_str(c.get("name")): c for c in init_list}
    total = len(as_list(spec.get("containers"))) + sum(1 for c in init_list if _restartable(c))
    ready = restarts = sidecar_restarts = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None
    phase = as_str(status.get("phase"))
    reason = as_str(status.get("reason")) or phase
    conditions = [as_dict(c) for c in as_list(status.get("conditions"))]
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions):
        reason = "SchedulingGated"

    initializing = False
    init_statuses = [as_dict(s) for s in as_list(status.get("initContainerStatuses"))]
    for index, container in enumerate(init_statuses):
        restarts += as_int(container.get("restartCount"))
        last_restart = _later(last_restart, _finished_at(container))
        sidecar = _restartable(init_specs.get(as_str(container.get("name"))))
        if sidecar:
            sidecar_restarts += as_int(container.get("restartCount"))
            last_sidecar_restart = _later(last_sidecar_restart, _finished_at(container))
        state = as_dict(container.get("state"))
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if isinstance(terminated, dict) and as_int(terminated.get("exitCode")) == 0:
            continue
        if sidecar and container.get("started") is True:
            if container.get("ready") is True:
                ready += 1
            continue
        if isinstance(terminated, dict):
            reason = _terminated_reason(terminated, "Init:")
        elif isinstance(waiting, dict) and as_str(waiting.get("reason")) not in ("", "PodInitializing"):
            reason = "Init:" + as_str(waiting.get("reason"))
        else:
            reason = f"Init:{index}/{len(init_list)}"
        initializing = True
        break

    if not initializing or condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for container in reversed([as_dict(s) for s in as_list(status.get("containerStatuses"))]):
            restarts += as_int(container.get("restartCount"))
            last_restart = _later(last_restart, _finished_at(container))
            state = as_dict(container.get("state"))
            waiting, terminated = as_dict(state.get("waiting")), state.get("terminated")
            if as_str(waiting.get("reason")):
                reason = as_str(waiting.get("reason"))
            elif isinstance(terminated, dict):
                reason = _terminated_reason(terminated, "")
            elif container.get("ready") is True and isinstance(state.get("running"), dict):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if condition_true(conditions, "Ready") else "NotReady"

    deleting = dig(pod, "metadata", "deletionTimestamp") is not None
    if deleting and as_str(status.get("reason")) == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready, total, restarts, last_restart


def pod_cells(pod: dict[str, Any], now: float) -> Cells:
    reason, ready, total, restarts, last_restart = pod_status(pod)
    restarts_text = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration(now - last_restart)} ago)"
    spec, status = as_dict(pod.get("spec")), as_dict(pod.get("status"))
    ips = [as_str(as_dict(ip).get("ip")) for ip in as_list(status.get("podIPs"))]
    # The v1-to-internal conversion fills podIPs from a lone podIP.
    pod_ip = (ips[0] if ips else as_str(status.get("podIP"))) or NONE
    gates = [as_str(as_dict(g).get("conditionType")) for g in as_list(spec.get("readinessGates"))]
    gates_text = NONE
    if gates:
        found: dict[str, Any] = {}
        for condition in map(as_dict, as_list(status.get("conditions"))):
            found.setdefault(as_str(condition.get("type")), condition.get("status"))
        gates_text = f"{sum(1 for g in gates if found.get(g) == 'True')}/{len(gates)}"
    return [
        _name(pod), f"{ready}/{total}", reason, restarts_text, _age(pod, now),
        pod_ip, as_str(spec.get("nodeName")) or NONE, as_str(status.get("nominatedNodeName")) or NONE, gates_text,
    ]


def pod_conditions(pod: dict[str, Any]) -> list[dict[str, str]]:
    """Row conditions: a finished pod's row is marked Completed, as the apiserver marks it."""
    phase = dig(pod, "status", "phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


def node_cells(node: dict[str, Any], now: float) -> Cells:
    status, info = as_dict(node.get("status")), as_dict(dig(node, "status", "nodeInfo"))
    ready: Any = None
    for condition in map(as_dict, as_list(status.get("conditions"))):
        if condition.get("type") == "Ready":
            ready = condition  # the printer keeps the last condition of a type
    words = [] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    words = words or ["Unknown"]
    if dig(node, "spec", "unschedulable") is True:
        words.append("SchedulingDisabled")
    roles: set[str] = set()
    for key, value in as_dict(dig(node, "metadata", "labels")).items():
        if key.startswith("node-role.kubernetes.io/") and key[len("node-role.kubernetes.io/"):]:
            roles.add(key[len("node-role.kubernetes.io/"):])
        elif key == "kubernetes.io/role" and as_str(value):
            roles.add(as_str(value))
    addresses = [as_dict(a) for a in as_list(status.get("addresses"))]

    def address(kind: str) -> str:
        return next((as_str(a.get("address")) for a in addresses if a.get("type") == kind), NONE)

    return [
        _name(node), ",".join(words), ",".join(sorted(roles)) or NONE, _age(node, now),
        as_str(info.get("kubeletVersion")), address("InternalIP"), address("ExternalIP"),
        as_str(info.get("osImage")) or UNKNOWN, as_str(info.get("kernelVersion")) or UNKNOWN,
        as_str(info.get("containerRuntimeVersion")) or UNKNOWN,
    ]


def namespace_cells(obj: dict[str, Any], now: float) -> Cells:
    return [_name(obj), as_str(dig(obj, "status", "phase")), _age(obj, now)]


def configmap_cells(obj: dict[str, Any], now: float) -> Cells:
    return [_name(obj), len(as_dict(obj.get("data"))) + len(as_dict(obj.get("binaryData"))), _age(obj, now)]


def secret_cells(obj: dict[str, Any], now: float) -> Cells:
    return [_name(obj), as_str(obj.get("type")), len(as_dict(obj.get("data"))), _age(obj, now)]


def serviceaccount_cells(obj: dict[str, Any], now: float) -> Cells:
    return [_name(obj), _age(obj, now)]


def lease_cells(obj: dict[str, Any], now: float) -> Cells:
    return [_name(obj), as_str(dig(obj, "spec", "holderIdentity")), _age(obj, now)]


def event_cells(event: dict[str, Any], now: float) -> Cells:
    first = since(event.get("firstTimestamp"), now)
    if parse_time(event.get("firstTimestamp")) is None:
        first = since(event.get("eventTime"), now)
    last = since(event.get("lastTimestamp"), now)
    if parse_time(event.get("lastTimestamp")) is None:
        last = first
    count = as_int(event.get("count"))
    series = event.get("series")
    if isinstance(series, dict):
        last = since(series.get("lastObservedTime"), now)
        count = as_int(series.get("count"))
    elif count == 0:
        count = 1  # singleton events of the events.k8s.io API carry no count
    involved = as_dict(event.get("involvedObject"))
    kind, name = as_str(involved.get("kind")).lower(), as_str(involved.get("name"))
    target = f"{kind}/{name}" if name else kind
    source = as_dict(event.get("source"))
    component = as_str(source.get("component")) or as_str(event.get("reportingComponent"))
    instance = as_str(source.get("host")) or as_str(event.get("reportingInstance"))
    source_text = f"{component}, {instance}" if instance else component
    return [
        last, as_str(event.get("type")), as_str(event.get("reason")), target, as_str(involved.get("fieldPath")),
        source_text, as_str(event.get("message")).strip(), first, count, _name(event),
    ]


def controllerrevision_cells(obj: dict[str, Any], now: float) -> Cells:
    controller = NONE
    for ref in map(as_dict, as_list(dig(obj, "metadata", "ownerReferences"))):
        if ref.get("controller") is True:
            api_version = as_str(ref.get("apiVersion"))
            group = api_version.split("/")[0] if "/" in api_version else ""
            kind = as_str(ref.get("kind"))
            group_kind = f"{kind}.{group}" if group else kind
            name = as_str(ref.get("name"))
            controller = f"{group_kind.lower()}/{name}" if group_kind else name
            break
    return [_name(obj), controller, as_int(obj.get("revision")), _age(obj, now)]


def _pointer(value: Any) -> str:
    """A ``*string`` field: its value, "<unset>" when absent."""
    return value if isinstance(value, str) else UNSET


def pvc_cells(claim: dict[str, Any], now: float) -> Cells:
    spec, status = as_dict(claim.get("spec")), as_dict(claim.get("status"))
    phase = "Terminating" if dig(claim, "metadata", "deletionTimestamp") is not None else as_str(status.get("phase"))
    capacity = modes = ""
    if as_str(spec.get("volumeName")):
        modes = access_modes(status.get("accessModes"))
        capacity = quantity(dig(status, "capacity", "storage"))
    annotations = as_dict(dig(claim, "metadata", "annotations"))
    # The beta annotation still wins over spec.storageClassName, as in helper.GetPersistentVolumeClaimClass.
    storage_class = annotations.get("volume.beta.kubernetes.io/storage-class")
    if not isinstance(storage_class, str):
        storage_class = as_str(spec.get("storageClassName"))
    return [
        _name(claim), phase, as_str(spec.get("volumeName")), capacity, modes, storage_class,
        _pointer(spec.get("volumeAttributesClassName")), _age(claim, now), _pointer(spec.get("volumeMode")),
    ]


RowPrinter = Callable[[dict[str, Any], float], Cells]
