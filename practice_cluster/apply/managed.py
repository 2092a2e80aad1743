"""``metadata.managedFields``: which manager set which field, recorded on every write like the apiserver.

``fields_set`` is the ``fieldsV1`` form of the fields an object sets; ``record_update`` is the new
``managedFields`` after an Update operation (create, update, patch) by one field manager.
Server-side apply lives in ``practice_cluster.apply.apply`` and shares the helpers here.

>>> pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"run": "p"}},
...        "spec": {"containers": [{"name": "p", "image": "nginx"}]}}
>>> fields_set(pod, "io.k8s.api.core.v1.Pod")["f:spec"]
{'f:containers': {'k:{"name":"p"}': {'.': {}, 'f:image': {}, 'f:name': {}}}}
>>> entries = record_update(None, pod, "kubectl-run", "v1", "2024-01-01T00:00:00Z", "io.k8s.api.core.v1.Pod")
>>> [(e["manager"], e["operation"], e["fieldsV1"]["f:metadata"]) for e in entries]
[('kubectl-run', 'Update', {'f:labels': {'.': {}, 'f:run': {}}})]
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from practice_cluster.apply.fieldset import (
    MEMBER,
    Path,
    Shape,
    Trie,
    child_shape,
    definition_shape,
    difference,
    element_shape,
    from_fields_v1,
    insert,
    is_empty,
    items_by_element,
    members,
    to_fields_v1,
    union,
    value_set,
)
from practice_cluster.apply.fieldvalues import equal_values
from practice_cluster.schema.definitions import definitions, field_schema, ref_name

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"
# Metadata the server sets; no manager ever owns it.
SERVER_METADATA = ("name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                   "managedFields", "resourceVersion")
_MISSING: Any = object()
_STRUCT, _NULL = "struct", "null"
# Go struct fields that are present in a zero-valued object (non-pointer structs, and slices or pointers
# serialized without omitempty), so that adding to them does not add the parent path itself.
_ZERO_FIELDS: dict[str, dict[str, str]] = {
    "io.k8s.api.apps.v1.DeploymentSpec": {"template": _STRUCT, "strategy": _STRUCT, "selector": _NULL},
    "io.k8s.api.apps.v1.ReplicaSetSpec": {"template": _STRUCT, "selector": _NULL},
    "io.k8s.api.apps.v1.StatefulSetSpec": {"template": _STRUCT, "updateStrategy": _STRUCT, "selector": _NULL},
    "io.k8s.api.apps.v1.DaemonSetSpec": {"template": _STRUCT, "updateStrategy": _STRUCT, "selector": _NULL},
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"creationTimestamp": _NULL},
    "io.k8s.api.core.v1.PodTemplateSpec": {"metadata": _STRUCT, "spec": _STRUCT},
    "io.k8s.api.core.v1.PodSpec": {"containers": _NULL},
    "io.k8s.api.batch.v1.JobSpec": {"template": _STRUCT},
    "io.k8s.api.batch.v1.CronJobSpec": {"jobTemplate": _STRUCT},
    "io.k8s.api.batch.v1.JobTemplateSpec": {"metadata": _STRUCT, "spec": _STRUCT},
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": {"resources": _STRUCT},
    "io.k8s.api.core.v1.Event": {"involvedObject": _STRUCT, "source": _STRUCT},
}


# --- managed fields entries ----------------------------------------------------------------------


@dataclass
class Entry:
    """One decoded ``managedFields`` entry."""

    manager: str
    operation: str
    api_version: str
    subresource: str = ""
    time: str | None = None
    fields: Trie = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """The apiserver's manager identifier: the entry without time and fields (and apiVersion for Apply)."""
        ident: dict[str, str] = {"manager": self.manager, "operation": self.operation}
        if self.operation != "Apply":
            ident["apiVersion"] = self.api_version
        ident["subresource"] = self.subresource
        return json.dumps({k: v for k, v in ident.items() if v}, separators=(",", ":"), ensure_ascii=False)


Managed = dict[str, Entry]


def decode_managed(entries: Any) -> Managed:
    """Entries by manager identity; ValueError when they are not valid managed fields."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    out: Managed = {}
    for index, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise ValueError(f"managed fields entry {index} is not an object")
        operation, api_version = raw.get("operation"), raw.get("apiVersion")
        if operation not in ("Apply", "Update"):
            raise ValueError("operation must be `Apply` or `Update`")
        if not isinstance(api_version, str) or not api_version:
            raise ValueError("apiVersion must not be empty")
        if raw.get("fieldsType") != "FieldsV1":
            raise ValueError(f"invalid fieldsType in managed fields entry {index}")
        manager, subresource, time = raw.get("manager", ""), raw.get("subresource", ""), raw.get("time")
        if not isinstance(manager, str) or not isinstance(subresource, str):
            raise ValueError(f"invalid manager in managed fields entry {index}")
        entry = Entry(manager, operation, api_version, subresource, time if isinstance(time, str) else None,
                      from_fields_v1(raw.get("fieldsV1", {})))
        out[entry.identity] = entry
    return out


def _seconds(time: str | None) -> float:
    if not time:
        return 0
    try:
        return int(datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def encode_managed(managed: Managed) -> list[dict[str, Any]]:
    """Entries in the apiserver's order: Apply before Update, then oldest first, then by name."""
    live = [e for e in managed.values() if not is_empty(e.fields)]
    live.sort(key=lambda e: (e.operation, _seconds(e.time), e.manager, e.api_version, e.subresource))
    out: list[dict[str, Any]] = []
    for e in live:
        entry: dict[str, Any] = {"manager": e.manager, "operation": e.operation, "apiVersion": e.api_version}
        if e.time:
            entry["time"] = e.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = to_fields_v1(e.fields)
        if e.subresource:
            entry["subresource"] = e.subresource
        out.append({k: v for k, v in entry.items() if v != ""})
    return out


def _cap_updaters(managed: Managed) -> None:
    """More than ten Update entries: the oldest fold into ``ancient-changes``, one bucket per apiVersion."""
    updaters = [k for k, e in managed.items() if e.operation == "Update"]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda k: (_seconds(managed[k].time), k))
    first_of: dict[str, str] = {}
    length = len(updaters)
    for key in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        entry = managed[key]
        bucket = Entry(ANCIENT_CHANGES, "Update", entry.api_version)
        if entry.api_version not in first_of:
            first_of[entry.api_version] = key
            continue
        if bucket.identity not in managed:
            first = managed.pop(first_of[entry.api_version])
            bucket.fields = first.fields
            managed[bucket.identity] = bucket
        target = managed[bucket.identity]
        target.fields = union(entry.fields, target.fields)
        target.time = entry.time
        del managed[key]
        length -= 1


# --- what a write changes ------------------------------------------------------------------------


def tracked(obj: Any, subresource: str = "") -> dict[str, Any]:
    """The part of an object whose fields are tracked: no type meta, no server metadata, status per endpoint."""
    if not isinstance(obj, dict):
        return {}
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
    if subresource == "status":
        return {"status": out["status"]} if "status" in out else {}
    if subresource == "scale":
        spec = out.get("spec")
        return {"spec": {"replicas": spec["replicas"]}} if isinstance(spec, dict) and "replicas" in spec else {}
    out.pop("status", None)
    return out


def strip_unowned(trie: Trie) -> Trie:
    """No manager owns ``metadata`` itself, whatever the value walk found."""
    meta = trie.get("f:metadata")
    if isinstance(meta, dict) and MEMBER in meta:
        trie = {**trie, "f:metadata": {k: v for k, v in meta.items() if k != MEMBER}}
        if not trie["f:metadata"]:
            del trie["f:metadata"]
    return trie


def go_zero(value: Any, definition: str) -> Any:
    """``value`` with the fields a Go struct always has filled in, as the apiserver's typed objects carry them."""
    if not isinstance(value, dict) or definition not in definitions():
        return value
    schema = definitions()[definition]
    out = dict(value)
    zero = dict(_ZERO_FIELDS.get(definition, {}))
    if "x-kubernetes-group-version-kind" in schema:
        zero.update({k: _STRUCT for k in ("metadata", "spec", "status") if k in schema.get("properties", {})})
    for name, how in zero.items():
        if name not in out:
            out[name] = {} if how == _STRUCT else None
    for name, how in zero.items():
        prop = field_schema(schema, name)
        child = ref_name(prop) if prop is not None else None
        if how == _STRUCT and child is not None:
            out[name] = go_zero(out[name], child)
    return out


@dataclass
class Comparison:
    """Paths added, modified and removed between two objects (structured-merge-diff's ``Compare``)."""

    added: Trie = field(default_factory=dict)
    modified: Trie = field(default_factory=dict)
    removed: Trie = field(default_factory=dict)


def compare(lhs: Any, rhs: Any, shape: Shape) -> Comparison:
    result = Comparison()
    _compare(lhs, rhs, shape, (), result)
    return result


def _fits(value: Any, kind: str) -> bool:
    if value is _MISSING or value is None:
        return True
    return isinstance(value, list) if kind == "list" else isinstance(value, dict)


def _compare(lhs: Any, rhs: Any, shape: Shape, path: Path, out: Comparison) -> None:
    kind = shape.kind
    if kind == "deduced":
        sample = rhs if rhs is not _MISSING else lhs
        kind = "map" if isinstance(sample, dict) else "scalar"
    leaf = kind == "scalar" or shape.atomic or not (_fits(lhs, kind) and _fits(rhs, kind))
    left: Any = lhs if lhs is not _MISSING and lhs is not None else ([] if kind == "list" else {})
    right: Any = rhs if rhs is not _MISSING and rhs is not None else ([] if kind == "list" else {})
    if leaf or (not left and not right):
        if lhs is _MISSING:
            insert(out.added, path)
        elif rhs is _MISSING:
            insert(out.removed, path)
        elif not equal_values(lhs, rhs):
            insert(out.modified, path)
        return
    if kind == "list":
        sub = element_shape(shape)
        left_items = dict(items_by_element(shape, left))
        right_items = dict(items_by_element(shape, right))
        for pe in {**left_items, **right_items}:
            _compare(left_items.get(pe, _MISSING), right_items.get(pe, _MISSING), sub, (*path, pe), out)
    else:
        for key in {**left, **right}:
            sub, _ = child_shape(shape, str(key))
            _compare(left.get(key, _MISSING), right.get(key, _MISSING), sub, (*path, "f:" + str(key)), out)
    if path and lhs is _MISSING:
        insert(out.added, path)
    elif path and rhs is _MISSING:
        insert(out.removed, path)


def remove_changed(managed: Managed, changed: Comparison, skip: str = "") -> None:
    """Every manager but ``skip`` loses the fields that changed; managers left with nothing are dropped."""
    lost = union(union(changed.added, changed.modified), changed.removed)
    for key in list(managed):
        if key == skip:
            continue
        managed[key].fields = difference(managed[key].fields, lost)
        if is_empty(managed[key].fields):
            del managed[key]


# --- public ------------------------------------------------------------------------------------


def fields_set(obj: dict[str, Any], definition: str) -> dict[str, Any]:
    """The ``fieldsV1`` of the fields ``obj`` sets (type meta, server metadata and status left out)."""
    return to_fields_v1(strip_unowned(value_set(tracked(obj), definition_shape(definition))))


def _managed_before(before: dict[str, Any] | None, after: dict[str, Any], subresource: str) -> Managed:
    def of(obj: dict[str, Any] | None) -> Any:
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        return meta.get("managedFields") if isinstance(meta, dict) else None

    def decoded(entries: Any) -> Managed:
        try:
            return decode_managed(entries)
        except ValueError:
            return {}

    sent = of(after)
    if not subresource and sent == [{}]:
        return {}
    if not subresource and isinstance(sent, list) and sent:
        try:
            return decode_managed(sent)
        except ValueError:
            pass
    return decoded(of(before))


def record_update(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    manager: str,
    api_version: str,
    now: str,
    definition: str,
    subresource: str = "",
) -> list[dict[str, Any]]:
    """The ``managedFields`` after an Update operation (create when ``before`` is None) by ``manager``.

    The manager gains what it changed, every manager loses what changed, and an object whose
    managed fields are empty (cleared with ``[{}]``) stays untracked until the next apply.
    """
    managed = _managed_before(before, after, subresource)
    if before is not None and not managed:
        return []
    shape = definition_shape(definition)
    lhs = go_zero(tracked(before or {}, subresource), definition)
    rhs = go_zero(tracked(after, subresource), definition)
    changed = compare(lhs, rhs, shape)
    remove_changed(managed, changed)
    gained = strip_unowned(union(changed.added, changed.modified))
    if not is_empty(gained):
        entry = Entry(manager, "Update", api_version, subresource, now)
        previous = managed.get(entry.identity)
        entry.fields = union(gained, previous.fields) if previous else gained
        managed[entry.identity] = entry
        _cap_updaters(managed)
    return encode_managed(managed)


def with_managed_fields(obj: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``obj`` carrying ``entries`` as its managed fields (none: the key is dropped)."""
    out = copy.deepcopy(obj)
    meta = out.setdefault("metadata", {})
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)
    return out


def owned_paths(entries: list[dict[str, Any]], manager: str) -> list[Path]:
    """Every path a manager owns across its entries, for graders and tests."""
    paths: list[Path] = []
    for entry in decode_managed(entries).values():
        if entry.manager == manager:
            paths.extend(members(entry.fields))
    return paths

