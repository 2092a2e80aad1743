"""The object store: every object of the practice cluster, its resourceVersion and the watch log.

The store owns metadata the apiserver owns (uid, resourceVersion, generation, creationTimestamp,
deletionTimestamp) and the event log watches read. It knows nothing of HTTP; requests and controllers
both write through it. Stored objects are never changed in place: a write stores a new dict, so a
reader may hold on to what ``list`` returns without copying (and must not change it).

>>> from practice_cluster.storage.clock import SimClock
>>> store = Store(SimClock(start=0.0))
>>> _ = store.create("namespaces", {"metadata": {"name": "default"}})
>>> pod = store.create("pods", {"metadata": {"name": "web", "namespace": "default"}, "spec": {}})
>>> pod["metadata"]["resourceVersion"], store.get("pods", "default", "web")["metadata"]["name"]
('2', 'web')
"""

from __future__ import annotations

import builtins
import copy
import json
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import GENERATION_KINDS, RESOURCES, Resource
from practice_cluster.storage.clock import Clock, rfc3339

Obj = dict[str, Any]
Key = tuple[str, str, str]  # plural, namespace ("" when cluster-scoped), name

#: The metadata only the server sets: an update keeps it as stored (the one list of it; rest.writes strips it
#: from a create and keeps a client from adding it).
SERVER_SET = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")
WATCH_LOG_SIZE = 20000
STATE_VERSION = 1


@dataclass(frozen=True)
class WatchEvent:
    resource_version: int
    type: str  # ADDED, MODIFIED, DELETED
    plural: str
    namespace: str
    obj: Obj


class Store:
    """Thread-safe objects with a global resourceVersion; every change wakes waiting watchers."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._objects: dict[Key, Obj] = {}
        self._by_uid: dict[str, Key] = {}
        self._rv = 0
        self._log: deque[WatchEvent] = deque(maxlen=WATCH_LOG_SIZE)
        self._lock = threading.RLock()
        self.changed = threading.Condition(self._lock)
        self.closed = False

    # -- reading -------------------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        with self._lock:
            return self._rv

    def get(self, plural: str, namespace: str, name: str) -> Obj:
        """A copy of one object, free to change; a 404 ApiError when there is none."""
        with self._lock:
            obj = self._objects.get((plural, namespace, name))
            if obj is None:
                resource = RESOURCES[plural]
                raise ApiError.not_found(plural, name, resource.group)
            return copy.deepcopy(obj)

    def peek(self, plural: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself (read only), or None."""
        with self._lock:
            return self._objects.get((plural, namespace, name))

    def by_uid(self, uid: str) -> Obj | None:
        with self._lock:
            key = self._by_uid.get(uid)
            return None if key is None else self._objects.get(key)

    def list(
        self, plural: str, namespace: str | None = None, predicate: Callable[[Obj], bool] | None = None
    ) -> tuple[list[Obj], int]:
        """Stored objects (read only) of a resource, sorted by namespace and name, and the current version."""
        with self._lock:
            items = [
                obj
                for (p, ns, _name), obj in self._objects.items()
                if p == plural and (namespace is None or ns == namespace) and (predicate is None or predicate(obj))
            ]
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            return items, self._rv

    def count(self) -> int:
        with self._lock:
            return len(self._objects)

    # -- writing -------------------------------------------------------------------------------------

    def _bump(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _record(self, kind: str, plural: str, obj: Obj) -> None:
        event = WatchEvent(self._rv, kind, plural, obj["metadata"].get("namespace", ""), obj)
        self._log.append(event)
        self.changed.notify_all()

    def create(self, plural: str, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Store a new object; fills uid, resourceVersion, generation and creationTimestamp."""
        resource = RESOURCES[plural]
        meta = obj.setdefault("metadata", {})
        with self._lock:
            if not resource.namespaced:
                meta.pop("namespace", None)
            namespace = meta.get("namespace", "") if resource.namespaced else ""
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = self._generate_name(plural, namespace, meta["generateName"])
            name = meta.get("name", "")
            key = (plural, namespace, name)
            if key in self._objects:
                raise ApiError.already_exists(plural, name, resource.group)
            if resource.namespaced and namespace:
                ns = self._objects.get(("namespaces", "", namespace))
                if ns is None and plural != "events":
                    raise ApiError.not_found("namespaces", namespace)
                if ns is not None and ns["metadata"].get("deletionTimestamp"):
                    raise ApiError(
                        403,
                        f'{plural} "{name}" is forbidden: unable to create new content in namespace {namespace} '
                        "because it is being terminated",
                    )
            meta.pop("deletionTimestamp", None)
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())
            meta["creationTimestamp"] = rfc3339(self.clock.now())
            if resource.kind in GENERATION_KINDS:
                meta["generation"] = 1
            if dry_run:
                meta["resourceVersion"] = ""
                return obj
            meta["resourceVersion"] = self._bump()
            self._objects[key] = obj
            self._by_uid[meta["uid"]] = key
            self._record("ADDED", plural, obj)
            return obj

    def _generate_name(self, plural: str, namespace: str, prefix: str) -> str:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        while True:
            suffix = "".join(alphabet[b % len(alphabet)] for b in uuid.uuid4().bytes[:5])
            name = prefix + suffix
            if (plural, namespace, name) not in self._objects:
                return name

    def update(
        self,
        plural: str,
        obj: Obj,
        *,
        check_version: bool = True,
        status_only: bool = False,
        dry_run: bool = False,
    ) -> Obj:
        """Replace an object. A stale ``resourceVersion`` is a 409; spec changes bump ``generation``.

        ``status_only`` keeps the stored spec and metadata (the ``/status`` subresource); a normal update
        keeps the stored status. Removing the last finalizer of a deleted object removes it.
        """
        resource = RESOURCES[plural]
        meta = obj.setdefault("metadata", {})
        namespace = meta.get("namespace", "") if resource.namespaced else ""
        name = meta.get("name", "")
        with self._lock:
            current = self._objects.get((plural, namespace, name))
            if current is None:
                raise ApiError.not_found(plural, name, resource.group)
            sent = meta.get("resourceVersion")
            if check_version and sent and sent != current["metadata"]["resourceVersion"]:
                raise ApiError.conflict(plural, name, resource.group)
            if status_only:
                merged = {k: v for k, v in current.items() if k != "status"}
                if "status" in obj:
                    merged["status"] = obj["status"]
                obj = copy.deepcopy(merged)
                meta = obj["metadata"]
            else:
                if "status" in current and _has_status_subresource(resource):
                    obj["status"] = copy.deepcopy(current["status"])
                # Callers may set deletionTimestamp (a graceful delete) but never clear it or move the rest.
                for owned in SERVER_SET:
                    if owned in current["metadata"]:
                        meta[owned] = current["metadata"][owned]
                if "generation" in meta and _spec_changed(resource, obj, current):
                    meta["generation"] = int(meta["generation"]) + 1
            if _same(obj, current):
                return copy.deepcopy(current)
            if dry_run:
                return obj
            meta["resourceVersion"] = self._bump()
            # Only taking away the last finalizer ends an object; a graceful delete (a pod's deletionTimestamp,
            # set through an update) leaves it Terminating until the kubelet deletes it.
            if meta.get("deletionTimestamp") and not meta.get("finalizers") and current["metadata"].get("finalizers"):
                self._remove((plural, namespace, name), obj)
                return obj
            self._objects[(plural, namespace, name)] = obj
            self._record("MODIFIED", plural, obj)
            return obj

    def mutate(self, plural: str, namespace: str, name: str, change: Callable[[Obj], None], *,
               status_only: bool = False) -> Obj | None:
        """Change a copy of an object under the lock and store it (controllers use this); None if gone."""
        with self._lock:
            current = self._objects.get((plural, namespace, name))
            if current is None:
                return None
            obj = copy.deepcopy(current)
            change(obj)
            return self.update(plural, obj, check_version=False, status_only=status_only)

    def mutate_status(self, plural: str, namespace: str, name: str, change: Callable[[Obj], None]) -> Obj | None:
        """``mutate`` through the status subresource: only the status changes."""
        return self.mutate(plural, namespace, name, change, status_only=True)

    def delete(self, plural: str, namespace: str, name: str, *, finalizers: tuple[str, ...] = (),
               dry_run: bool = False, uid: str | None = None) -> Obj:
        """Delete now, or mark with ``deletionTimestamp`` when finalizers (given or present) hold it."""
        resource = RESOURCES[plural]
        with self._lock:
            key = (plural, namespace, name)
            current = self._objects.get(key)
            if current is None:
                raise ApiError.not_found(plural, name, resource.group)
            if uid is not None and current["metadata"].get("uid") != uid:
                raise ApiError(
                    409,
                    f'Precondition failed: UID in precondition: {uid}, UID in object meta: '
                    f'{current["metadata"].get("uid")}',
                )
            if dry_run:
                return copy.deepcopy(current)
            pending = list(current["metadata"].get("finalizers") or [])
            pending += [f for f in finalizers if f not in pending]
            if pending:
                obj = copy.deepcopy(current)
                obj["metadata"]["finalizers"] = pending
                obj["metadata"].setdefault("deletionTimestamp", rfc3339(self.clock.now()))
                obj["metadata"]["resourceVersion"] = self._bump()
                self._objects[key] = obj
                self._record("MODIFIED", plural, obj)
                return obj
            obj = copy.deepcopy(current)
            obj["metadata"]["resourceVersion"] = self._bump()
            self._remove(key, obj)
            return obj

    def _remove(self, key: Key, obj: Obj) -> None:
        self._objects.pop(key, None)
        self._by_uid.pop(obj["metadata"].get("uid", ""), None)
        self._record("DELETED", key[0], obj)

    # -- watching ------------------------------------------------------------------------------------

    def events_since(self, version: int) -> builtins.list[WatchEvent]:
        """Every change after ``version``; a 410 ApiError when the log no longer reaches back that far."""
        with self._lock:
            if version > self._rv:
                return []
            if self._log and version < self._log[0].resource_version - 1:
                raise ApiError(410, f"too old resource version: {version} ({self._log[0].resource_version - 1})",
                               reason="Expired")
            if not self._log and version < self._rv:
                raise ApiError(410, f"too old resource version: {version} ({self._rv})", reason="Expired")
            newer: builtins.list[WatchEvent] = []
            for event in reversed(self._log):  # from the newest: a watch asks for the last few of up to 20,000
                if event.resource_version <= version:
                    break
                newer.append(event)
            newer.reverse()
            return newer

    def wait(self, version: int, timeout: float) -> bool:
        """Block until the store moves past ``version`` (True) or ``timeout`` seconds pass (False)."""
        with self._lock:
            if self._rv > version or self.closed:
                return self._rv > version
            self.changed.wait(timeout)
            return self._rv > version

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self.changed.notify_all()

    # -- state file ----------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write every object to ``path`` atomically (a temporary file renamed over it)."""
        with self._lock:
            document = {"version": STATE_VERSION, "resourceVersion": self._rv,
                        "objects": [{"resource": k[0], "object": o} for k, o in self._objects.items()]}
            text = json.dumps(document, separators=(",", ":"))
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)

    def load(self, path: Path) -> None:
        """Read a state file written by ``save``; a ValueError names what is wrong with it."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a practice-cluster state file ({exc})") from exc
        if not isinstance(document, Mapping) or document.get("version") != STATE_VERSION:
            raise ValueError(f"{path}: not a practice-cluster state file (version {STATE_VERSION} expected)")
        with self._lock:
            for n, entry in enumerate(document.get("objects") or []):
                try:
                    plural, obj = entry["resource"], entry["object"]
                    resource = RESOURCES[plural]
                    meta = obj["metadata"]
                    key = (plural, meta.get("namespace", "") if resource.namespaced else "", meta["name"])
                except (KeyError, TypeError) as exc:
                    raise ValueError(f"{path}: object {n} is unreadable ({exc})") from exc
                self._objects[key] = obj
                self._by_uid[meta.get("uid", "")] = key
            self._rv = max(self._rv, int(document.get("resourceVersion") or 0))
            self._log.clear()

    def iter_all(self) -> Iterator[tuple[str, Obj]]:
        with self._lock:
            items = list(self._objects.items())
        for (plural, _ns, _name), obj in items:
            yield plural, obj


def _spec_changed(resource: Resource, new: Obj, old: Obj) -> bool:
    """A change that counts for ``generation``: a pod's binding (setting ``spec.nodeName``) does not."""
    new_spec, old_spec = new.get("spec"), old.get("spec")
    if (resource.kind == "Pod" and isinstance(new_spec, dict) and isinstance(old_spec, dict)
            and not old_spec.get("nodeName")):
        new_spec = {k: v for k, v in new_spec.items() if k != "nodeName"}
    return bool(new_spec != old_spec)


def _has_status_subresource(resource: Resource) -> bool:
    return "status" in resource.subresources


def _same(a: Obj, b: Obj) -> bool:
    """Equal apart from resourceVersion (an update that changes nothing does not bump the version)."""
    if a.keys() != b.keys():
        return False
    for key in a:
        if key == "metadata":
            ma = {k: v for k, v in a[key].items() if k != "resourceVersion"}
            mb = {k: v for k, v in b[key].items() if k != "resourceVersion"}
            if ma != mb:
                return False
        elif a[key] != b[key]:
            return False
    return True
