"""Admission: what the apiserver adds or allocates on create beyond defaults.

Service cluster IPs and node ports, Job selectors and labels, a pod's service-account token volume, a
DaemonSet's template generation, and the name of a generated object. Allocation reads the store, so it
lives apart from the pure defaulting in ``defaults``.

>>> from practice_cluster.storage.clock import SimClock
>>> from practice_cluster.storage.store import Store
>>> alloc = Allocator(Store(SimClock(start=0.0)))
>>> alloc.cluster_ip(), alloc.node_port()
('10.96.0.1', 30000)
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.storage.store import Store

Obj = dict[str, Any]

TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's utilrand: no vowels, no 0 1 3
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


class Refused(ApiError):
    """An allocation refused: a 422 without the object's name, until ``admit_service`` names the Service."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(422, f"{field}: {text}")
        self.field, self.text = field, text


class Allocator:
    """Hands out the cluster IPs and node ports that no Service holds."""

    def __init__(self, store: Store, seed: int | None = None) -> None:
        self.store = store
        self._random = random.Random(seed)

    def _services(self) -> list[Obj]:
        return self.store.list("services")[0]

    def cluster_ip(self, wanted: str | None = None) -> str:
        used = {s.get("spec", {}).get("clusterIP") for s in self._services()}
        if wanted:
            try:
                address = ipaddress.ip_address(wanted)
            except ValueError as exc:
                raise Refused("spec.clusterIP", f'Invalid value: "{wanted}": must be a valid IP address') from exc
            if address not in SERVICE_CIDR:
                raise Refused("spec.clusterIPs", f'Invalid value: ["{wanted}"]: failed to allocate IP {wanted}: '
                                                 f"the provided IP ({wanted}) is not in the valid range. The range "
                                                 f"of valid IPs is {SERVICE_CIDR}")
            if wanted in used:
                raise Refused("spec.clusterIPs", f'Invalid value: ["{wanted}"]: failed to allocate IP {wanted}: '
                                                 "provided IP is already allocated")
            return wanted
        first = int(SERVICE_CIDR.network_address) + 1
        if str(ipaddress.ip_address(first)) not in used:
            return str(ipaddress.ip_address(first))
        while True:
            candidate = str(ipaddress.ip_address(first + self._random.randrange(1, 65000)))
            if candidate not in used:
                return candidate

    def node_port(self, wanted: int | None = None, field: str = "spec.ports[0].nodePort") -> int:
        used = {p.get("nodePort") for s in self._services() for p in s.get("spec", {}).get("ports") or []}
        if wanted:
            if wanted in used:
                raise Refused(field, f"Invalid value: {wanted}: provided port is already allocated")
            return wanted
        if NODE_PORTS.start not in used and not used - {None}:
            return NODE_PORTS.start
        while True:
            candidate = self._random.choice(NODE_PORTS)
            if candidate not in used:
                return candidate


def admit_service(allocator: Allocator, service: Obj, old: Obj | None) -> None:
    """Allocate a new Service's cluster IP and node ports; keep the old ones on update. A refused allocation
    is the Service's 422 Invalid."""
    try:
        _allocate(allocator, service, old)
    except Refused as refused:
        raise ApiError.invalid("Service", str((service.get("metadata") or {}).get("name", "")),
                               [(refused.field, refused.text)]) from None


def _allocate(allocator: Allocator, service: Obj, old: Obj | None) -> None:
    spec = service.setdefault("spec", {})
    kind = spec.get("type", "ClusterIP")
    old_spec = (old or {}).get("spec", {})
    if kind == "ExternalName":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    elif old_spec.get("clusterIP") and not spec.get("clusterIP"):
        spec["clusterIP"] = old_spec["clusterIP"]
        spec["clusterIPs"] = old_spec.get("clusterIPs", [old_spec["clusterIP"]])
    elif spec.get("clusterIP") != "None" and (old is None or not old_spec.get("clusterIP")):
        spec["clusterIP"] = allocator.cluster_ip(spec.get("clusterIP") or None)
        spec["clusterIPs"] = [spec["clusterIP"]]
    elif spec.get("clusterIP") == "None":
        spec["clusterIPs"] = ["None"]
    old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []}
    for index, port in enumerate(spec.get("ports") or []):
        if not isinstance(port, dict):
            continue  # validation names it
        if kind in ("NodePort", "LoadBalancer"):
            if not port.get("nodePort"):
                kept = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                port["nodePort"] = kept or allocator.node_port()
            elif old is None or port["nodePort"] not in old_ports.values():
                allocator.node_port(int(port["nodePort"]), f"spec.ports[{index}].nodePort")
        else:
            port.pop("nodePort", None)


def admit_job(job: Obj) -> None:
    """A Job without ``manualSelector`` gets ``manualSelector: false``, a selector on its uid and the uid and
    name labels on its template; the Job itself gets the template's labels when it has none of its own (the
    Job strategy's ``PrepareForCreate`` and defaulting)."""
    spec = job.setdefault("spec", {})
    meta = job["metadata"]
    if not spec.get("manualSelector"):
        spec["manualSelector"] = False
        uid = meta["uid"]
        name = meta.get("name", "")
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
        labels.update({
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "job-name": name,
        })
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if not meta.get("labels") and isinstance(template_labels, dict) and template_labels:
        meta["labels"] = dict(template_labels)


def admit_pod(store: Store, pod: Obj) -> None:
    """The ServiceAccount admission plugin on a new pod: unless the pod or its ServiceAccount turns
    ``automountServiceAccountToken`` off, every container (init containers too) without a mount at the token
    path mounts a projected ``kube-api-access-XXXXX`` volume of the account's token, the cluster CA and the
    namespace."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    account = store.peek("serviceaccounts", pod["metadata"].get("namespace", ""),
                         str(spec.get("serviceAccountName") or "default"))
    automount = spec.get("automountServiceAccountToken")
    if automount is None and account is not None:
        automount = account.get("automountServiceAccountToken")
    if automount is False:
        return
    volumes = [v for v in spec.get("volumes") or [] if isinstance(v, dict)]
    existing = next((str(v.get("name")) for v in volumes if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)),
                    None)
    name = existing or TOKEN_VOLUME_PREFIX + "".join(random.choice(NAME_ALPHABET) for _ in range(5))
    needed = False
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if not isinstance(container, dict):
            continue
        mounts = container.get("volumeMounts")
        if not isinstance(mounts, list):
            mounts = None
        if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts or []):
            continue
        container["volumeMounts"] = [*(mounts or []), {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]
        needed = True
    if needed and existing is None:
        spec["volumes"] = [*(spec.get("volumes") or []), {"name": name, "projected": token_volume_source()}]


def token_volume_source() -> Obj:
    """The projected source of the token volume (``TokenVolumeSource``): a token that warns after an hour,
    ``kube-root-ca.crt`` and the pod's namespace."""
    return {
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ],
        "defaultMode": 420,
    }


TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def admit_daemonset(ds: Obj, old: Obj | None) -> None:
    """A DaemonSet's template generation, shown as the ``deprecated.daemonset.template.generation`` annotation:
    1 on create, one more each time an update changes the pod template (the DaemonSet strategy)."""
    generation = 1
    if old is not None:
        try:
            generation = int(((old.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION, 1))
        except (TypeError, ValueError):
            generation = 1
        if (ds.get("spec") or {}).get("template") != (old.get("spec") or {}).get("template"):
            generation += 1
    meta = ds.setdefault("metadata", {})
    if not isinstance(meta.get("annotations"), dict):
        meta["annotations"] = {}
    meta["annotations"][TEMPLATE_GENERATION] = str(generation)
