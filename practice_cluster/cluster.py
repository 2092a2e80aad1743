"""``Cluster``: one practice cluster (store, clock, controllers, API, HTTP server) and its kubeconfig.

>>> cluster = Cluster.simulated()
>>> sorted(ns["metadata"]["name"] for ns in cluster.store.list("namespaces")[0])
['default', 'kube-node-lease', 'kube-public', 'kube-system']
>>> len(cluster.store.list("nodes")[0])
3
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from practice_cluster.storage.attached import AttachedProcesses
from practice_cluster.storage.clock import Clock, SimClock
from practice_cluster.storage.logs import LogBook
from practice_cluster.storage.requests import RequestLog
from practice_cluster.storage.store import Obj, Store

CLUSTER_NAME = "practice"
USER_NAME = "student"


#: Wall seconds between controller passes while nothing changes (timers such as a pod's start are due).
IDLE_WAIT_S = 0.2


class ScaledClock(Clock):
    """Real time running ``speed`` times faster (tests use 20x so a rollout takes a moment)."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._start_wall = time.time()
        self._start = time.monotonic()

    def now(self) -> float:
        return self._start_wall + (time.monotonic() - self._start) * self.speed

    def set_speed(self, speed: float) -> None:
        """Run at ``speed`` from now on; the time shown goes on from where it is (no jump back)."""
        self._start_wall, self._start = self.now(), time.monotonic()
        self.speed = speed


class Cluster:
    """Everything of one practice cluster. ``start()`` serves it; ``advance()`` moves a simulated clock."""

    def __init__(self, clock: Clock | None = None, state: Path | None = None, *, bootstrap: bool = True) -> None:
        from practice_cluster.controllers import Controllers
        from practice_cluster.rest.api import Api

        self.clock = clock or Clock()
        self.store = Store(self.clock)
        self.logs = LogBook()
        self.attached = AttachedProcesses()  # what kubectl attach ran in stdin containers (practice_cluster.streams)
        self.state = state
        self.address = "127.0.0.1:0"
        if state is not None and state.exists():
            self.store.load(state)
        elif bootstrap:
            from practice_cluster.controllers.bootstrap import bootstrap as seed

            seed(self)
        self.api = Api(self)
        self.requests = RequestLog()  # what clients asked over HTTP (practice_cluster.storage.requests)
        self.controllers = Controllers(self)
        self._server: Any = None
        self._loop: threading.Thread | None = None
        self._stopping = threading.Event()
        self.idle_wait = IDLE_WAIT_S  # how long the controllers sleep when nothing changes

    @classmethod
    def simulated(cls, start: float = 1_780_000_000.0) -> Cluster:
        """A cluster on a clock that only moves with ``advance`` (for tests)."""
        return cls(SimClock(start=start))

    # -- running -------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> Cluster:
        """Serve on 127.0.0.1 and run the controllers in background threads."""
        from practice_cluster.http.server import HttpServer

        self._server = HttpServer(self.api, port, requests=self.requests)
        self.address = f"127.0.0.1:{self._server.port}"
        self._server.start()
        if not isinstance(self.clock, SimClock):
            self._loop = threading.Thread(target=self._run_controllers, name="practice-controllers", daemon=True)
            self._loop.start()
        return self

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def _run_controllers(self) -> None:
        last_save = 0.0
        while not self._stopping.is_set():
            version = self.controllers.settle()
            if self.state is not None and time.monotonic() - last_save > 2.0:
                self.save()
                last_save = time.monotonic()
            self.store.wait(version, self.idle_wait)

    def settle(self) -> None:
        """Run the controllers until nothing changes (simulated clocks)."""
        self.controllers.settle()

    def advance(self, seconds: float, step: float = 0.5) -> None:
        """Move a simulated clock forward in steps, letting the controllers act at each one."""
        if not isinstance(self.clock, SimClock):
            raise TypeError("advance() needs a simulated clock")
        self.controllers.settle()
        remaining = seconds
        while remaining > 1e-9:
            delta = min(step, remaining)
            self.clock.advance(delta)
            remaining -= delta
            self.controllers.settle()

    def save(self) -> None:
        if self.state is not None:
            self.store.save(self.state)

    def stop(self) -> None:
        self._stopping.set()
        self.store.close()
        if self._server is not None:
            self._server.stop()
        if self._loop is not None:
            self._loop.join(timeout=5)
        self.save()

    # -- clients -------------------------------------------------------------------------------------

    def kubeconfig(self, namespace: str = "default") -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": CLUSTER_NAME, "cluster": {"server": self.url}}],
            "users": [{"name": USER_NAME, "user": {"token": "practice"}}],
            "contexts": [{"name": CLUSTER_NAME, "context": {"cluster": CLUSTER_NAME, "user": USER_NAME,
                                                           "namespace": namespace}}],
            "current-context": CLUSTER_NAME,
            "preferences": {},
        }

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        """Write a kubeconfig for this cluster (JSON is YAML, so kubectl reads it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.kubeconfig(namespace), indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path

    def objects(self, plural: str, namespace: str | None = None) -> list[Obj]:
        """The stored objects of a resource (read only), for graders and tests."""
        return self.store.list(plural, namespace)[0]
