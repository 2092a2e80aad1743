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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from sandbox.kube.cluster import Cluster, ScaledClock
from sandbox.kube.guard import NamespaceGuard
from sandbox.kube.requests import REQUESTS_KEY, TRAINER_HEADER
from sandbox.kube.resources import RESOURCES
from trainer.errors import TrainerError
from trainer.kube_paths import resource_named

SETUP_MANAGER = "trainer-setup"


def _path(plural: str, namespace: str, name: str = "") -> str:
    r = RESOURCES[plural]
    base = f"/api/{r.version}" if not r.group else f"/apis/{r.group}/{r.version}"
    where = f"/namespaces/{namespace}" if r.namespaced and namespace else ""
    return f"{base}{where}/{plural}" + (f"/{name}" if name else "")


class ApiClient:
    """Plain JSON over HTTP to a Kubernetes API that needs no credentials (practice or kubectl proxy)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

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

    def create(self, obj: dict[str, Any], namespace: str) -> None:
        """Create a setup object (as ``trainer-setup``); a TrainerError names one that is refused."""
        try:
            resource = resource_named(str(obj.get("kind", "")))
        except KeyError as exc:
            raise TrainerError(f"setup object: {exc.args[0]}") from exc
        body = json.loads(json.dumps(obj))
        if resource.namespaced:
            body.setdefault("metadata", {}).setdefault("namespace", namespace)
        target_ns = body.get("metadata", {}).get("namespace", "")
        status, answer = self.request("POST", _path(resource.plural, target_ns), body,
                                      query=f"fieldManager={SETUP_MANAGER}")
        if status not in (200, 201):
            message = answer.get("message") if isinstance(answer, dict) else status
            raise TrainerError(f"setup object {obj.get('kind')}/{body.get('metadata', {}).get('name')}: {message}")


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


class PracticeTarget:
    """A practice cluster of the drill's own, in this process, on a clock ``speed`` times real time."""

    practice = True

    def __init__(self, speed: float = 1.0) -> None:
        self.cluster = Cluster(ScaledClock(speed)).start()
        self.namespace = "default"
        self.client = ApiClient(self.cluster.url)
        self._mark = 0

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

    def mark_requests(self) -> None:
        """The learner starts now: ``read(REQUESTS_KEY)`` returns what the cluster received after this."""
        self._mark = self.cluster.requests.mark()

    def create(self, obj: dict[str, Any]) -> None:
        self.client.create(obj, self.namespace)

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

    def mark_requests(self) -> None:
        """The learner starts now: ``read(REQUESTS_KEY)`` returns what the guard passed on after this."""
        self._mark = self.guard.requests.mark()

    def create(self, obj: dict[str, Any]) -> None:
        if not resource_named(str(obj.get("kind", ""))).namespaced:
            raise TrainerError(f"setup object {obj.get('kind')}: cluster-scoped objects are not made on your cluster")
        self.client.create(obj, self.namespace)

    def close(self) -> None:
        try:
            with contextlib.suppress(TrainerError):  # an unreachable cluster still gets its proxy stopped
                self.client.request("DELETE", f"/api/v1/namespaces/{self.namespace}",
                                    query="propagationPolicy=Background")
        finally:
            self.guard.stop()
            self._proxy.terminate()
            try:
                self._proxy.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proxy.kill()
