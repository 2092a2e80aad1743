"""Where a kubectl drill's cluster is: a fresh practice cluster, or a namespace of the learner's own.

A target gives the sandbox a kubeconfig, creates the setup's objects, reads what the checks ask for
(through the same REST paths in both cases) and cleans up when the drill ends.

    target = PracticeTarget(speed=1.0)          # or RealTarget(Path("~/.kube/config"), kubectl)
    target.kubeconfig()                         # text for the sandbox's ~/.kube/config
    target.read("get|deployments|default|web")  # the object, or None
    target.close()
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from practice_cluster import IDLE_WAIT_S, REQUESTS_KEY, RESOURCES, TRAINER_HEADER, Cluster, NamespaceGuard, ScaledClock
from practice_cluster import streams_busy as stream_busy
from practice_cluster import streams_ended as stream_ended
from trainer.errors import TrainerError
from trainer.kube_paths import resource_named

SETUP_MANAGER = "trainer-setup"
#: The practice cluster's speed while a drill is being set up: three rollouts take a fraction of a second.
SETUP_SPEED = 100.0
SETUP_IDLE_WAIT_S = 0.005
#: The longest a practice setup waits for its objects' rollouts (wall seconds, on the fast setup clock).
SETUP_ROLLOUT_S = 2.0


def _path(plural: str, namespace: str, name: str = "") -> str:
    r = RESOURCES[plural]
    base = f"/api/{r.version}" if not r.group else f"/apis/{r.group}/{r.version}"
    where = f"/namespaces/{namespace}" if r.namespaced and namespace else ""
    return f"{base}{where}/{plural}" + (f"/{name}" if name else "")


class ApiClient:
    """Plain JSON over HTTP to a Kubernetes API that needs no credentials (practice or kubectl proxy)."""

    def __init__(self, base_url: str, rollout_timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.rollout_timeout = rollout_timeout  # the longest a setup waits for its rollouts

    def request(self, method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        url = self.base_url + path + (f"?{query}" if query else "")
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              TRAINER_HEADER: "1"})  # not recorded as the learner's
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            try:
                return err.code, json.loads(err.read() or b"null")
            except ValueError:
                return err.code, None
        except (OSError, ValueError) as exc:
            raise TrainerError(f"the cluster at {self.base_url} did not answer: {exc}") from exc

    def read(self, key: str) -> Any:
        """What a check's read key names (see ``kube_checks.cluster_key``); None for a missing object."""
        verb, plural, namespace, what = key.split("|", 3)
        if verb == "requests":
            raise TrainerError("the requests a cluster received are read from its target")
        if verb == "get":
            status, body = self.request("GET", _path(plural, namespace, what))
            return body if status == 200 else None
        query = "labelSelector=" + urllib.parse.quote(what) if what else ""
        status, body = self.request("GET", _path(plural, namespace), query=query)
        return body.get("items", []) if status == 200 and isinstance(body, dict) else None

    def create(self, obj: dict[str, Any], namespace: str) -> tuple[str, str, str]:
        """Create a setup object (as ``trainer-setup``), or replace it if it exists (a later version of
        an object earlier in the setup: a new rollout revision); a TrainerError names one that is refused.
        Returns the object's plural, namespace and name."""
        try:
            resource = resource_named(str(obj.get("kind", "")))
        except KeyError as exc:
            raise TrainerError(f"setup object: {exc.args[0]}") from exc
        body = json.loads(json.dumps(obj))
        if resource.namespaced:
            body.setdefault("metadata", {}).setdefault("namespace", namespace)
        target_ns = body.get("metadata", {}).get("namespace", "")
        name = str(body.get("metadata", {}).get("name", ""))
        query = f"fieldManager={SETUP_MANAGER}"
        status, answer = self.request("POST", _path(resource.plural, target_ns), body, query=query)
        if status == 409 and name:
            self.wait_rolled_out([(resource.plural, target_ns, name)])  # one revision after the other
            status, current = self.request("GET", _path(resource.plural, target_ns, name))
            if status == 200 and isinstance(current, dict):
                body["metadata"]["resourceVersion"] = current.get("metadata", {}).get("resourceVersion")
                status, answer = self.request("PUT", _path(resource.plural, target_ns, name), body, query=query)
        if status not in (200, 201):
            message = answer.get("message") if isinstance(answer, dict) else status
            raise TrainerError(f"setup object {obj.get('kind')}/{name}: {message}")
        return resource.plural, target_ns, name

    def rolled_out(self, plural: str, namespace: str, name: str) -> bool:
        """Whether a Deployment, StatefulSet or DaemonSet has finished its rollout (as ``kubectl rollout
        status`` decides), whether a pod's kubelet got past creating its containers; True for other kinds."""
        if plural not in ROLLING and plural != "pods":
            return True
        status, obj = self.request("GET", _path(plural, namespace, name))
        if status != 200 or not isinstance(obj, dict):
            return True
        return pod_started(obj) if plural == "pods" else rollout_done(plural, obj)

    def wait_rolled_out(self, objects: Iterable[tuple[str, str, str]]) -> None:
        """Wait, at most ``rollout_timeout`` seconds in all, until each of ``objects`` has rolled out. A
        setup may mean a rollout to hang (a pod that cannot start): the drill then starts with it hanging."""
        deadline = time.monotonic() + self.rollout_timeout
        for plural, namespace, name in objects:
            while not self.rolled_out(plural, namespace, name) and time.monotonic() < deadline:
                time.sleep(ROLLOUT_POLL_S)


#: Kinds whose setup objects the trainer lets roll out before the next step.
ROLLING = ("deployments", "statefulsets", "daemonsets")
ROLLOUT_POLL_S = 0.005


def pod_started(pod: Mapping[str, Any]) -> bool:
    """Whether a pod is past ContainerCreating: running, ended, or stuck for a reason a drill may mean
    (an image that does not pull, a missing ConfigMap, an init container still running, no node)."""
    status = pod.get("status") or {}
    if status.get("phase", "Pending") != "Pending":
        return True
    if any(c.get("type") == "PodScheduled" and c.get("status") == "False" for c in status.get("conditions") or []):
        return True
    for entry in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        waiting = (entry.get("state") or {}).get("waiting")
        if waiting is None or waiting.get("reason") not in ("ContainerCreating", "PodInitializing"):
            return True
    return False


def rollout_done(plural: str, obj: Mapping[str, Any]) -> bool:
    """``kubectl rollout status``'s test for a finished rollout of a Deployment, StatefulSet or DaemonSet.

    >>> rollout_done("deployments", {"metadata": {"generation": 2}, "spec": {"replicas": 2},
    ...     "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}})
    True
    >>> rollout_done("deployments", {"metadata": {"generation": 2}, "spec": {"replicas": 2},
    ...     "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2}})
    False
    """
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if status.get("observedGeneration", 0) < (obj.get("metadata") or {}).get("generation", 0):
        return False
    if plural == "deployments":
        want = spec.get("replicas", 1)
        return bool(status.get("updatedReplicas", 0) == want and status.get("replicas", 0) == want
                    and status.get("availableReplicas", 0) == want)
    if plural == "statefulsets":
        want = spec.get("replicas", 1)
        return bool(status.get("readyReplicas", 0) == want and status.get("updatedReplicas", 0) == want
                    and status.get("currentRevision") == status.get("updateRevision"))
    want = status.get("desiredNumberScheduled", 0)
    return bool(status.get("updatedNumberScheduled", 0) == want and status.get("numberAvailable", 0) == want)


def _address(url: str) -> tuple[str, int]:
    """The host and port of the cluster's URL (what the sandbox's relay connects to).

    >>> _address("http://127.0.0.1:8080")
    ('127.0.0.1', 8080)
    """
    parsed = urllib.parse.urlsplit(url)
    return parsed.hostname or "127.0.0.1", int(parsed.port or 80)


def _kubeconfig(server: str, namespace: str) -> str:
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "trainer",
        "clusters": [{"name": "trainer", "cluster": {"server": server}}],
        "users": [{"name": "student", "user": {}}],
        "contexts": [{"name": "trainer", "context": {"cluster": "trainer", "user": "student",
                                                     "namespace": namespace}}],
    }, indent=2) + "\n"


#: The longest a check waits for a pod that says it is Ready to say it is Running as well.
SETTLE_S = 5.0


class PracticeTarget:
    """A practice cluster of the drill's own, in this process, on a clock ``speed`` times real time."""

    practice = True

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self.clock = ScaledClock(speed)
        self.cluster = Cluster(self.clock).start()
        self.namespace = "default"
        self.client = ApiClient(self.cluster.url, rollout_timeout=SETUP_ROLLOUT_S)
        self._mark = 0

    @contextlib.contextmanager
    def setting_up(self) -> Iterator[None]:
        """While the setup runs, the cluster's time runs ``SETUP_SPEED`` times faster and its controllers
        wake at once, so a setup that waits for rollouts is done in a moment; then the drill's own pace."""
        self.clock.set_speed(max(self.speed, SETUP_SPEED))
        self.cluster.idle_wait = SETUP_IDLE_WAIT_S
        try:
            yield
        finally:
            self.clock.set_speed(self.speed)
            self.cluster.idle_wait = IDLE_WAIT_S

    def kubeconfig(self) -> str:
        return _kubeconfig(self.cluster.url, self.namespace)

    @property
    def address(self) -> tuple[str, int]:
        """The host and port kubectl in the sandbox talks to."""
        return _address(self.cluster.url)

    def read(self, key: str) -> Any:
        if key == REQUESTS_KEY:
            return [r.as_dict() for r in self.cluster.requests.since(self._mark)]
        return self.client.read(key)

    def settle(self) -> None:
        """Nothing to wait for: the practice cluster's pods are never Ready before they run."""

    def wait_streams(self, timeout: float) -> None:
        """Wait until no exec or attach is open and no ``kubectl run -it`` pod waits for its attach: kubectl
        waiting on the network looks idle to the terminal, but the learner's command has not ended."""
        deadline = time.monotonic() + timeout
        while stream_busy(self.cluster) and time.monotonic() < deadline:
            time.sleep(0.02)

    def streams_ended(self) -> int:
        """How many exec and attach connections have ended on the cluster so far."""
        return stream_ended(self.cluster)

    def mark_requests(self) -> None:
        """The learner starts now: ``read(REQUESTS_KEY)`` returns what the cluster received after this."""
        self._mark = self.cluster.requests.mark()

    def create(self, obj: dict[str, Any]) -> tuple[str, str, str]:
        return self.client.create(obj, self.namespace)

    def close(self) -> None:
        self.cluster.stop()


class RealTarget:
    """A fresh namespace ``trainer-<random>`` on the learner's cluster, deleted when the drill ends.

    ``kubectl proxy`` carries the learner's credentials; the sandbox's kubectl reaches it only through
    a ``NamespaceGuard`` that refuses writes outside the namespace.
    """

    practice = False

    def __init__(self, kubeconfig: Path, kubectl: str) -> None:
        if not kubeconfig.is_file():
            raise TrainerError(f"{kubeconfig}: no such kubeconfig")
        self.namespace = f"trainer-{secrets.token_hex(3)}"
        self._proxy = subprocess.Popen(
            [kubectl, "proxy", "--port=0", "--address=127.0.0.1", f"--kubeconfig={kubeconfig}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self._proxy.stdout is not None
        line = self._proxy.stdout.readline()
        if "127.0.0.1:" not in line:
            error = self._proxy.stderr.read() if self._proxy.stderr else ""
            self._proxy.kill()
            raise TrainerError(f"kubectl proxy for {kubeconfig} did not start: {(line + error).strip()[:300]}")
        port = line.rsplit(":", 1)[1].strip()
        self.client = ApiClient(f"http://127.0.0.1:{port}")
        status, answer = self.client.request("POST", "/api/v1/namespaces",
                                             {"apiVersion": "v1", "kind": "Namespace",
                                              "metadata": {"name": self.namespace,
                                                           "labels": {"app.kubernetes.io/managed-by": "trainer"}}})
        if status not in (200, 201):
            self._proxy.kill()
            message = answer.get("message") if isinstance(answer, dict) else status
            raise TrainerError(f"cannot create namespace {self.namespace} on your cluster: {message}")
        self.guard = NamespaceGuard(self.client.base_url, self.namespace).start()
        self._mark = 0

    def kubeconfig(self) -> str:
        return _kubeconfig(self.guard.url, self.namespace)

    @property
    def address(self) -> tuple[str, int]:
        """The host and port kubectl in the sandbox talks to: the guard, never the cluster itself."""
        return _address(self.guard.url)

    def read(self, key: str) -> Any:
        if key == REQUESTS_KEY:
            return [r.as_dict() for r in self.guard.requests.since(self._mark)]
        return self.client.read(key)

    def settle(self, timeout: float = SETTLE_S) -> None:
        """Before the checks read, wait (a little) for what a real cluster settles in milliseconds: a workload
        whose controller has not yet observed its last change (annotating a Deployment bumps its generation),
        and a pod that reports Ready but is still Pending (hollow kubelets say so for a moment, and `kubectl
        wait --for=condition=Ready` returns then; real ones never do)."""
        deadline = time.monotonic() + timeout
        paths = [f"/api/v1/namespaces/{self.namespace}/pods",
                 *(f"/apis/apps/v1/namespaces/{self.namespace}/{plural}"
                   for plural in ("deployments", "replicasets", "daemonsets", "statefulsets"))]
        while time.monotonic() < deadline:
            unsettled = False
            for path in paths:
                status, body = self.client.request("GET", path)
                items = body.get("items", []) if status == 200 and isinstance(body, dict) else []
                unsettled = unsettled or any(_ready_but_pending(i) or _unobserved(i) for i in items)
            if not unsettled:
                return
            time.sleep(0.1)

    @contextlib.contextmanager
    def setting_up(self) -> Iterator[None]:
        """The learner's cluster keeps its own time."""
        yield

    def mark_requests(self) -> None:
        """The learner starts now: ``read(REQUESTS_KEY)`` returns what the guard passed on after this."""
        self._mark = self.guard.requests.mark()

    def create(self, obj: dict[str, Any]) -> tuple[str, str, str]:
        if not resource_named(str(obj.get("kind", ""))).namespaced:
            raise TrainerError(f"setup object {obj.get('kind')}: cluster-scoped objects are not made on your cluster")
        return self.client.create(obj, self.namespace)

    def close(self) -> None:
        try:
            with contextlib.suppress(TrainerError):  # an unreachable cluster still gets its proxy stopped
                # Services first, and waited for: the node ports they hold are the whole cluster's, and the
                # next drill may ask for the same one while the namespace is still terminating.
                self.client.request("DELETE", f"/api/v1/namespaces/{self.namespace}/services")
                self.client.request("DELETE", f"/api/v1/namespaces/{self.namespace}",
                                    query="propagationPolicy=Background")
        finally:
            self.guard.stop()
            self._proxy.terminate()
            try:
                self._proxy.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proxy.kill()


def _ready_but_pending(pod: Any) -> bool:
    status = pod.get("status") or {} if isinstance(pod, dict) else {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
                if isinstance(c, dict))
    return ready and status.get("phase") == "Pending"


def _unobserved(obj: Any) -> bool:
    """An object whose controller (or kubelet) has not seen its latest generation yet."""
    if not isinstance(obj, dict) or "observedGeneration" not in (obj.get("status") or {}):
        return False
    return int(obj["status"]["observedGeneration"]) < int((obj.get("metadata") or {}).get("generation", 0))


def runs_containers(kubeconfig: Path, kubectl: str) -> bool:
    """Whether the cluster's nodes run containers: False only when every node reports a fake runtime
    (kubemark's hollow nodes, as in a test control plane); True when it cannot tell (no right to list nodes)."""
    try:
        done = subprocess.run([kubectl, f"--kubeconfig={kubeconfig}", "get", "nodes", "-o",
                               "jsonpath={.items[*].status.nodeInfo.containerRuntimeVersion}"],
                              capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True
    runtimes = done.stdout.split()
    return done.returncode != 0 or not runtimes or not all(r.startswith("fakeRuntime://") for r in runtimes)
