"""The scheduler and the kubelet: place pods on nodes, run their containers, end them when deleted.

Pods move Pending -> Running -> Succeeded or Failed as a kubelet would report: init containers run one
at a time first, images take ``PULL_SECONDS`` to pull, crashing containers restart with back-off
(CrashLoopBackOff), missing ConfigMaps and Secrets hold a container in CreateContainerConfigError.
A running container whose image is changed (``kubectl set image pod/...``) is killed and started
again with the new image, one restart more, as the kubelet does when a container's definition changes.
What a container does comes from ``containers.behaviour``.
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.common import condition, meta, now_text, record_event, replace_status, set_condition
from practice_cluster.controllers.containers import Behaviour, behaviour
from practice_cluster.controllers.environment import container_env, mounted_files
from practice_cluster.errors import ApiError
from practice_cluster.registry.defaults import qos_class
from practice_cluster.storage.clock import parse_time, rfc3339
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

PULL_SECONDS = 2.0
TERMINATE_SECONDS = 2.0
REPEAT_EVERY = 5.0
SCHEDULER = "default-scheduler"


def reconcile(cluster: Parts) -> None:
    pods = cluster.store.list("pods")[0]
    nodes = [n for n in cluster.store.list("nodes")[0] if not n.get("spec", {}).get("unschedulable")]
    load = {meta(n)["name"]: 0 for n in nodes}
    for pod in pods:
        node_name = pod.get("spec", {}).get("nodeName")
        if node_name in load:
            load[node_name] += 1
    for pod in pods:
        if meta(pod).get("deletionTimestamp"):
            _terminate(cluster, pod)
        elif not pod.get("spec", {}).get("nodeName"):
            _schedule(cluster, pod, nodes, load)
        else:
            _run(cluster, pod)


# -- scheduling -----------------------------------------------------------------------------------------


def _cpu(text: Any) -> float:
    value = str(text or "0")
    try:
        return float(value[:-1]) / 1000 if value.endswith("m") else float(value)
    except ValueError:
        return 0.0


def _schedule(cluster: Parts, pod: Obj, nodes: list[Obj], load: dict[str, int]) -> None:
    spec = pod.get("spec", {})
    selector = spec.get("nodeSelector") or {}
    fits = [n for n in nodes if all(meta(n).get("labels", {}).get(k) == v for k, v in selector.items())]
    wanted_cpu = sum(_cpu(c.get("resources", {}).get("requests", {}).get("cpu")) for c in spec.get("containers") or [])
    reason = f"{len(nodes) - len(fits)} node(s) didn't match Pod's node affinity/selector"
    if fits and wanted_cpu > 0:
        roomy = [n for n in fits if _cpu(n["status"]["allocatable"]["cpu"]) >= wanted_cpu]
        if not roomy:
            reason = f"{len(fits)} Insufficient cpu"
        fits = roomy
    if not fits:
        message = (f"0/{len(nodes)} nodes are available: {reason}. preemption: 0/{len(nodes)} nodes are available: "
                   f"{len(nodes)} Preemption is not helpful for scheduling.")
        if (condition(pod, "PodScheduled") or {}).get("message") != message:
            def unschedulable(p: Obj) -> None:
                status = p.setdefault("status", {})
                status["phase"] = "Pending"
                status.setdefault("qosClass", qos_class(p.get("spec") or {}))
                set_condition(status, "PodScheduled", "False", "Unschedulable", message, now_text(cluster))
                status["conditions"][-1]["lastProbeTime"] = None
            cluster.store.mutate_status("pods", meta(pod)["namespace"], meta(pod)["name"], unschedulable)
            record_event(cluster, pod, "Warning", "FailedScheduling", message, SCHEDULER)
        return
    node = min(fits, key=lambda n: (load.get(meta(n)["name"], 0), meta(n)["name"]))
    name = meta(node)["name"]
    load[name] = load.get(name, 0) + 1

    def bind(p: Obj) -> None:
        p["spec"]["nodeName"] = name
    if cluster.store.mutate("pods", meta(pod)["namespace"], meta(pod)["name"], bind) is None:
        return
    record_event(cluster, pod, "Normal", "Scheduled",
                 f"Successfully assigned {meta(pod)['namespace']}/{meta(pod)['name']} to {name}", SCHEDULER)


# -- the kubelet ----------------------------------------------------------------------------------------


def _terminate(cluster: Parts, pod: Obj) -> None:
    namespace, name = meta(pod)["namespace"], meta(pod)["name"]
    deadline = parse_time(meta(pod)["deletionTimestamp"]) or 0.0
    grace = float(meta(pod).get("deletionGracePeriodSeconds", 0) or 0)
    started = deadline - grace
    if (not pod.get("spec", {}).get("nodeName") or cluster.clock.now() >= started + min(grace, TERMINATE_SECONDS)
            or pod.get("status", {}).get("phase") in ("Succeeded", "Failed")):
        try:
            obj = copy.deepcopy(pod)
            obj["metadata"]["finalizers"] = [f for f in meta(pod).get("finalizers") or []
                                             if f != "foregroundDeletion"]
            if obj["metadata"]["finalizers"]:
                return
            cluster.store.delete("pods", namespace, name)
        except ApiError:
            return
        cluster.logs.forget(namespace, name)


def _node_index(cluster: Parts, node_name: str) -> int:
    node = cluster.store.peek("nodes", "", node_name)
    cidr = (node or {}).get("spec", {}).get("podCIDR", "10.244.1.0/24")
    return int(cidr.split(".")[2])


def _pod_ip(cluster: Parts, node_name: str) -> str:
    index = _node_index(cluster, node_name)
    used = {p.get("status", {}).get("podIP") for p in cluster.store.list("pods")[0]}
    for host in range(2, 255):
        candidate = f"10.244.{index}.{host}"
        if candidate not in used:
            return candidate
    return f"10.244.{index}.254"


def _restart_delay(restarts: int) -> float:
    return 1.0 if restarts == 0 else float(min(10 * 2 ** (restarts - 1), 300))


def _waiting(reason: str, message: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"reason": reason}
    if message:
        state["message"] = message
    return {"waiting": state}


class _Kubelet:
    """One pass over one scheduled pod: the next status, and the events and logs on the way."""

    def __init__(self, cluster: Parts, pod: Obj) -> None:
        self.cluster = cluster
        self.pod = pod
        self.now = cluster.clock.now()
        self.now_text = rfc3339(self.now)
        self.status = copy.deepcopy(pod.get("status") or {})
        self.node = pod["spec"]["nodeName"]
        self.events: list[tuple[str, str, str]] = []

    def _behaviour(self, container: dict[str, Any]) -> tuple[Behaviour, str | None, str | None]:
        env, env_error = container_env(self.cluster, self.pod, container)
        files, mount_error = mounted_files(self.cluster, self.pod, container)
        return behaviour(container, env, files), env_error, mount_error

    def _attached(self, container: str, restarts: int) -> Behaviour:
        """A container kept for ``kubectl attach`` runs until the process an attach started has ended."""
        key = (meta(self.pod)["namespace"], meta(self.pod)["uid"], container, restarts)
        ended = self.cluster.attached.exit_of(key)
        return Behaviour(seconds=None) if ended is None else Behaviour(seconds=0.0, exit_code=ended[0])

    def _log(self, container: str, restarts: int, lines: list[str]) -> None:
        for line in lines:
            self.cluster.logs.write(meta(self.pod)["namespace"], meta(self.pod)["name"], container, restarts, line)

    def _step(self, container: dict[str, Any], status: dict[str, Any], ready_from: float, policy: str) -> None:
        """Advance one container's status in place."""
        name = container["name"]
        image = container.get("image", "")
        state = status.setdefault("state", _waiting("ContainerCreating"))
        restarts = int(status.get("restartCount", 0))
        if status.get("image", image) != image:
            if "running" in state:
                self._replace(container, status)
                return
            if "waiting" in state:
                status["image"] = image  # the next start pulls the new image
        run, env_error, mount_error = self._behaviour(container)
        if container.get("stdin") and not run.pull_error:
            run = self._attached(name, restarts)
        if "waiting" in state:
            reason = state["waiting"].get("reason")
            if reason == "CrashLoopBackOff":
                finished = parse_time(status.get("lastState", {}).get("terminated", {}).get("finishedAt")) or 0.0
                if self.now < finished + _restart_delay(restarts - 1):
                    return
            elif self.now < ready_from + PULL_SECONDS:
                return
            if mount_error:
                self.events.append(("Warning", "FailedMount", mount_error))
                return
            if run.pull_error:
                message = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
                           f'unpack image "{image}": not found') if run.pull_error == "ErrImagePull" else \
                    f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": invalid ' \
                    "reference format"
                nxt = "ImagePullBackOff" if reason == "ErrImagePull" else run.pull_error
                if reason != nxt:
                    status["state"] = _waiting(nxt, message if nxt != "ImagePullBackOff" else
                                               f'Back-off pulling image "{image}"')
                    self.events.append(("Warning", "Failed", message if nxt != "ImagePullBackOff" else
                                        f'Error: {nxt}'))
                return
            if env_error:
                if reason != "CreateContainerConfigError":
                    status["state"] = _waiting("CreateContainerConfigError", env_error)
                    self.events.append(("Warning", "Failed", f"Error: {env_error}"))
                return
            if reason != "CrashLoopBackOff":
                self.events.append(("Normal", "Pulled", f'Container image "{image}" already present on machine'))
            self.events.append(("Normal", "Created", f"Created container: {name}"))
            self.events.append(("Normal", "Started", f"Started container {name}"))
            status["state"] = {"running": {"startedAt": self.now_text}}
            status["started"] = True
            self._log(name, restarts, run.lines)
            return
        if "running" in state:
            started = parse_time(state["running"].get("startedAt")) or self.now
            if run.repeat:
                have = len(self.cluster.logs.lines(meta(self.pod)["namespace"], meta(self.pod)["name"], name, restarts))
                due = len(run.lines) + len(run.repeat) * (int((self.now - started) / REPEAT_EVERY) + 1)
                if due > have:
                    self._log(name, restarts, (run.repeat * ((due - have) // len(run.repeat) + 1))[: due - have])
            probe = container.get("readinessProbe") or {}
            status["ready"] = self.now >= started + float(probe.get("initialDelaySeconds", 0) or 0)
            if run.seconds is not None and self.now >= started + run.seconds:
                code = run.exit_code
                status["state"] = {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                                                  "startedAt": state["running"]["startedAt"],
                                                  "finishedAt": self.now_text,
                                                  "containerID": status.get("containerID", "")}}
                status["ready"] = False
                status["started"] = False
        if "terminated" in status["state"]:
            code = int(status["state"]["terminated"].get("exitCode", 0))
            restart = policy == "Always" or (policy == "OnFailure" and code != 0)
            if restart:
                status["lastState"] = {"terminated": status["state"]["terminated"]}
                status["restartCount"] = restarts + 1
                status["state"] = _waiting("CrashLoopBackOff", f"back-off {int(_restart_delay(restarts))}s "
                                           f"restarting failed container={name} pod={meta(self.pod)['name']}_"
                                           f"{meta(self.pod)['namespace']}({meta(self.pod)['uid']})")
                self.events.append(("Warning", "BackOff", "Back-off restarting failed container "
                                    f"{name} in pod {meta(self.pod)['name']}_{meta(self.pod)['namespace']}"
                                    f"({meta(self.pod)['uid']})"))

    def _replace(self, container: dict[str, Any], status: dict[str, Any]) -> None:
        """Kill a running container whose definition changed and start it again from its new image."""
        name, image = container["name"], container.get("image", "")
        restarts = int(status.get("restartCount", 0)) + 1
        started = status["state"]["running"].get("startedAt", self.now_text)
        self.events.append(("Normal", "Killing", f"Container {name} definition changed, will be restarted"))
        status["lastState"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started,
                                              "finishedAt": self.now_text,
                                              "containerID": status.get("containerID", "")}}
        status["restartCount"] = restarts
        status["image"] = image
        status["imageID"] = ""
        run = self._behaviour(container)[0]
        if run.pull_error:  # the old container is gone; the new image does not pull (next pass says why)
            status.update({"state": _waiting("ContainerCreating"), "ready": False, "started": False})
            return
        digest = hashlib.sha256(f"{meta(self.pod)['uid']}/{name}/{restarts}".encode()).hexdigest()
        status["containerID"] = f"containerd://{digest}"
        status["state"] = {"running": {"startedAt": self.now_text}}
        status["started"] = True
        probe = container.get("readinessProbe") or {}
        status["ready"] = not float(probe.get("initialDelaySeconds", 0) or 0)
        self.events.append(("Normal", "Pulled", f'Container image "{image}" already present on machine'))
        self.events.append(("Normal", "Created", f"Created container: {name}"))
        self.events.append(("Normal", "Started", f"Started container {name}"))
        self._log(name, restarts, run.lines)

    def _fresh(self, container: dict[str, Any], init: bool) -> dict[str, Any]:
        image = container.get("image", "")
        return {"name": container["name"], "state": _waiting("PodInitializing" if init else "ContainerCreating"),
                "lastState": {}, "ready": False, "restartCount": 0, "image": image,
                "imageID": "", "started": False,
                "containerID": f"containerd://{meta(self.pod)['uid'].replace('-', '')}{container['name']}"[:77]}

    def next_status(self) -> dict[str, Any]:
        spec = self.pod["spec"]
        policy = spec.get("restartPolicy", "Always")
        status = self.status
        if not status.get("podIP"):
            scheduled = self.now_text
            status.update({"phase": "Pending", "hostIP": _host_ip(self.cluster, self.node),
                           "podIP": _pod_ip(self.cluster, self.node), "startTime": scheduled,
                           "qosClass": qos_class(spec)})
            status["hostIPs"] = [{"ip": status["hostIP"]}]
            status["podIPs"] = [{"ip": status["podIP"]}]
            for kind, value in (("PodReadyToStartContainers", "True"), ("Initialized", "False"),
                                ("Ready", "False"), ("ContainersReady", "False"), ("PodScheduled", "True")):
                set_condition(status, kind, value, "", "", scheduled)
            for c in status["conditions"]:
                c.pop("reason", None)
                c.pop("message", None)
                c["lastProbeTime"] = None
            if not spec.get("initContainers"):
                set_condition(status, "Initialized", "True", "", "", scheduled)
                self._clean(status, "Initialized")
            status["initContainerStatuses"] = [self._fresh(c, True) for c in spec.get("initContainers") or []]
            if not status["initContainerStatuses"]:
                del status["initContainerStatuses"]
            status["containerStatuses"] = [self._fresh(c, bool(spec.get("initContainers")))
                                           for c in spec.get("containers") or []]
        start = parse_time(status.get("startTime")) or self.now
        inits = {s["name"]: s for s in status.get("initContainerStatuses", [])}
        initialized = (condition(self.pod, "Initialized") or {}).get("status") == "True" or not inits
        if not initialized:
            for container in spec.get("initContainers") or []:
                s = inits[container["name"]]
                if s["state"].get("terminated", {}).get("exitCode") == 0:
                    continue
                if s["state"].get("waiting", {}).get("reason") == "PodInitializing":
                    s["state"] = _waiting("ContainerCreating")
                previous_done = [parse_time(x["state"]["terminated"].get("finishedAt")) or start
                                 for x in inits.values() if "terminated" in x["state"]
                                 and x["state"]["terminated"].get("exitCode") == 0]
                self._step(container, s, max(previous_done, default=start), "Never" if policy == "Never" else
                           "OnFailure")
                s["ready"] = "terminated" in s["state"] and s["state"]["terminated"].get("exitCode") == 0
                if "terminated" in s["state"] and s["state"]["terminated"].get("exitCode") != 0 and policy == "Never":
                    status["phase"] = "Failed"
                break
            if all(s["state"].get("terminated", {}).get("exitCode") == 0 for s in inits.values()):
                initialized = True
                set_condition(status, "Initialized", "True", "", "", self.now_text)
                self._clean(status, "Initialized")
                for s in status["containerStatuses"]:
                    s["state"] = _waiting("ContainerCreating")
        if initialized and status.get("phase") != "Failed":
            ready_from = max((parse_time(s["state"].get("terminated", {}).get("finishedAt")) or start
                              for s in inits.values()), default=start)
            by_name = {s["name"]: s for s in status["containerStatuses"]}
            for container in spec.get("containers") or []:
                if container["name"] in by_name:
                    self._step(container, by_name[container["name"]], ready_from, policy)
        self._phase(status, policy)
        return status

    @staticmethod
    def _clean(status: dict[str, Any], kind: str) -> None:
        for c in status.get("conditions", []):
            if c["type"] == kind:
                c.pop("reason", None)
                c.pop("message", None)

    def _phase(self, status: dict[str, Any], policy: str) -> None:
        containers = status.get("containerStatuses", [])
        states = [s["state"] for s in containers]
        if status.get("phase") == "Failed":
            pass
        elif states and all("terminated" in st for st in states):
            failed = any(st["terminated"].get("exitCode") for st in states)
            status["phase"] = "Failed" if failed else "Succeeded"
        elif any("running" in st or "terminated" in st for st in states) or any(
                s.get("restartCount") for s in containers):
            status["phase"] = "Running"
        all_ready = bool(containers) and all(s.get("ready") for s in containers)
        terminal = status.get("phase") in ("Succeeded", "Failed")
        reason = "PodCompleted" if terminal else ("" if all_ready else "ContainersNotReady")
        message = "" if all_ready or terminal else (
            "containers with unready status: [" + " ".join(s["name"] for s in containers if not s.get("ready")) + "]")
        for kind in ("ContainersReady", "Ready"):
            set_condition(status, kind, "True" if all_ready else "False", reason, message, self.now_text)
            if all_ready:
                self._clean(status, kind)
        if terminal:
            set_condition(status, "PodReadyToStartContainers", "False", "", "", self.now_text)
            self._clean(status, "PodReadyToStartContainers")


def _host_ip(cluster: Parts, node_name: str) -> str:
    node = cluster.store.peek("nodes", "", node_name) or {}
    for address in node.get("status", {}).get("addresses", []):
        if address.get("type") == "InternalIP":
            return str(address["address"])
    return "172.18.0.2"


def _run(cluster: Parts, pod: Obj) -> None:
    if pod.get("status", {}).get("phase") in ("Succeeded", "Failed") and pod.get("status", {}).get("podIP"):
        return
    kubelet = _Kubelet(cluster, pod)
    status = kubelet.next_status()
    if status != pod.get("status"):
        cluster.store.mutate_status("pods", meta(pod)["namespace"], meta(pod)["name"],
                                    replace_status(status))
    seen = set()
    for event_type, reason, message in kubelet.events:
        if (reason, message) in seen:
            continue
        seen.add((reason, message))
        record_event(cluster, pod, event_type, reason, message, "kubelet", kubelet.node)
