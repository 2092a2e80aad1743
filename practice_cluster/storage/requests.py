"""The record of the requests a cluster received: what kubectl asked for, however the learner spelled it.

kubectl names its command in a ``Kubectl-Command`` header (``kubectl scale``, ``kubectl rollout undo``)
and every write carries a field manager; with the verb, resource, name, namespace and dry-run read from
the request, that is how a drill tells ``kubectl scale`` from ``kubectl edit`` whatever the flags, the
aliases or the quoting. The practice cluster's HTTP server and the real-cluster namespace guard both
keep one.

    log = RequestLog()
    log.record("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", {"fieldManager": "kubectl-edit"},
               {"kubectl-command": "kubectl edit"}, b"{}", 200)
    log.since(0)[0].verb        # "patch"
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: Requests kept per log (a drill makes a few dozen; a runaway loop must not grow the trainer).
CAP = 20_000
#: The key under which a drill's requests reach its graders (``Observation.cluster``).
REQUESTS_KEY = "requests|||"
#: The header the trainer's own reads and setup carry: they are not the learner's requests.
TRAINER_HEADER = "x-trainer"
#: Paths that are not requests about objects (discovery, OpenAPI, health).
_NOT_OBJECTS = ("version", "healthz", "readyz", "livez", "openapi")


@dataclass(frozen=True)
class RecordedRequest:
    """One request about objects."""

    verb: str  # get, list, watch, create, update, patch, delete, deletecollection; run (in a container)
    resource: str  # the plural (deployments)
    namespace: str
    name: str
    subresource: str  # scale, status, log, exec ... or ""
    command: str  # the Kubectl-Command header ("kubectl scale"), "" from other clients
    manager: str  # the fieldManager of a write
    dry_run: bool
    status: int
    #: An exec's command (``["cat", "/etc/config/DEBUG_INFO"]``) and the container it ran in, else empty.
    exec_command: tuple[str, ...] = ()
    container: str = ""
    #: A program run inside a practice container (verb "run": nslookup, curl, wget): its exit code, the
    #: name its lookup answered with and whose that is ("service/NS/NAME", "pod/NS/NAME", ...).
    exit_code: int = 0
    resolved: str = ""
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe(method: str, path: str, query: Mapping[str, str]) -> tuple[str, str, str, str, str] | None:
    """(verb, resource, namespace, name, subresource) of a request about objects, else None.

    >>> describe("GET", "/api/v1/namespaces/dev/pods", {"watch": "true"})
    ('watch', 'pods', 'dev', '', '')
    >>> describe("PUT", "/apis/apps/v1/namespaces/default/replicasets/front/scale", {})
    ('update', 'replicasets', 'default', 'front', 'scale')
    >>> describe("GET", "/apis/apps/v1", {}) is None
    True
    """
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] in _NOT_OBJECTS:
        return None
    if parts[0] == "api" and len(parts) >= 3:
        rest = parts[2:]
    elif parts[0] == "apis" and len(parts) >= 4:
        rest = parts[3:]
    else:
        return None
    namespace = ""
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    method = method.upper()
    if method == "GET":
        verb = "get" if name else ("watch" if query.get("watch") in ("true", "1") else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if name else "deletecollection"}.get(method, method.lower())
    return verb, resource, namespace, name, subresource


def _dry_run(query: Mapping[str, str], body: bytes) -> bool:
    if query.get("dryRun"):
        return True
    if body[:1] == b"{" and b"dryRun" in body:  # DELETE sends DeleteOptions in the body
        try:
            options = json.loads(body)
        except ValueError:
            return False
        return bool(isinstance(options, dict) and options.get("dryRun"))
    return False


class RequestLog:
    """The requests a cluster received, in order, thread-safe, at most ``CAP``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RecordedRequest] = []
        self._dropped = 0

    def record(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes,
               status: int, pairs: tuple[tuple[str, str], ...] = ()) -> None:
        """Keep one request (``headers`` with lower-case names); requests not about objects are skipped."""
        described = describe(method, path, query)
        if described is None or TRAINER_HEADER in headers:
            return
        verb, resource, namespace, name, subresource = described
        entry = RecordedRequest(verb, resource, namespace, name, subresource, headers.get("kubectl-command", ""),
                                query.get("fieldManager", ""), _dry_run(query, body), status,
                                tuple(v for k, v in pairs if k == "command"), query.get("container", ""))
        with self._lock:
            if len(self._records) >= CAP:
                self._records.pop(0)
                self._dropped += 1
            self._records.append(entry)

    def record_call(self, namespace: str, pod: str, container: str, call: Mapping[str, Any]) -> None:
        """Keep a program run inside a practice container (see practice_cluster.streams.container.calls)."""
        entry = RecordedRequest("run", "pods", namespace, pod, "exec", "", "", False, 200,
                                tuple(call.get("argv") or ()), container, int(call.get("code", 0)),
                                str(call.get("resolved", "")), str(call.get("target", "")))
        with self._lock:
            if len(self._records) >= CAP:
                self._records.pop(0)
                self._dropped += 1
            self._records.append(entry)

    def mark(self) -> int:
        """A position: ``since(mark)`` returns what came after it."""
        with self._lock:
            return self._dropped + len(self._records)

    def since(self, mark: int) -> list[RecordedRequest]:
        with self._lock:
            return self._records[max(0, mark - self._dropped):]
