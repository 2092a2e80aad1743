"""Admission: what the apiserver adds or allocates on create beyond defaults.

Service cluster IPs and node ports, Job selectors and pod labels, and the name of a generated object.
Allocation reads the store, so it lives apart from the pure defaulting in ``defaults``.

>>> from sandbox.kube.clock import SimClock
>>> from sandbox.kube.store import Store
>>> alloc = Allocator(Store(SimClock(start=0.0)))
>>> alloc.cluster_ip(), alloc.node_port()
('10.96.0.1', 30000)
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from sandbox.kube.errors import ApiError
from sandbox.kube.store import Store

Obj = dict[str, Any]

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


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
                raise ApiError(422, f"spec.clusterIP: Invalid value: \"{wanted}\": must be a valid IP address") from exc
            if address not in SERVICE_CIDR:
                raise ApiError(422, f'spec.clusterIPs: Invalid value: ["{wanted}"]: failed to allocate IP {wanted}: '
                                    f"the provided IP ({wanted}) is not in the valid range. The range of valid IPs "
                                    f"is {SERVICE_CIDR}")
            if wanted in used:
                raise ApiError(422, f'spec.clusterIPs: Invalid value: ["{wanted}"]: failed to allocate IP {wanted}: '
                                    "provided IP is already allocated")
            return wanted
        first = int(SERVICE_CIDR.network_address) + 1
        if str(ipaddress.ip_address(first)) not in used:
            return str(ipaddress.ip_address(first))
        while True:
            candidate = str(ipaddress.ip_address(first + self._random.randrange(1, 65000)))
            if candidate not in used:
                return candidate

    def node_port(self, wanted: int | None = None) -> int:
        used = {p.get("nodePort") for s in self._services() for p in s.get("spec", {}).get("ports") or []}
        if wanted:
            if wanted in used:
                raise ApiError(422, f"spec.ports[0].nodePort: Invalid value: {wanted}: provided port is already "
                                    "allocated")
            return wanted
        if NODE_PORTS.start not in used and not used - {None}:
            return NODE_PORTS.start
        while True:
            candidate = self._random.choice(NODE_PORTS)
            if candidate not in used:
                return candidate


def admit_service(allocator: Allocator, service: Obj, old: Obj | None) -> None:
    """Allocate a new Service's cluster IP and node ports; keep the old ones on update."""
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
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue  # validation names it
        if kind in ("NodePort", "LoadBalancer"):
            if not port.get("nodePort"):
                kept = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                port["nodePort"] = kept or allocator.node_port()
            elif old is None or port["nodePort"] not in old_ports.values():
                allocator.node_port(int(port["nodePort"]))
        else:
            port.pop("nodePort", None)


def admit_job(job: Obj) -> None:
    """A Job without ``manualSelector`` gets a selector on its uid and the labels on its template."""
    spec = job.setdefault("spec", {})
    if spec.get("manualSelector"):
        return
    uid = job["metadata"]["uid"]
    name = job["metadata"].get("name", "")
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
    labels.update({
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": name,
        "controller-uid": uid,
        "job-name": name,
    })
