"""Service endpoints: Endpoints and EndpointSlices from each Service's selector, and load balancers.

Ready pods are addresses, unready ones ``notReadyAddresses``; a named ``targetPort`` resolves through
the pods' container ports. A LoadBalancer Service keeps ``EXTERNAL-IP <pending>`` (no cloud here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.common import deleting, meta, owner_ref, pod_ready, system_create
from practice_cluster.selectors import from_map
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _target_port(port: dict[str, Any], pod: Obj) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for container in pod.get("spec", {}).get("containers") or []:
        for cport in container.get("ports") or []:
            if cport.get("name") == target:
                return int(cport.get("containerPort", 0))
    return None


def _address(pod: Obj) -> dict[str, Any]:
    return {"ip": pod["status"]["podIP"], "nodeName": pod["spec"].get("nodeName"),
            "targetRef": {"kind": "Pod", "namespace": meta(pod)["namespace"], "name": meta(pod)["name"],
                          "uid": meta(pod)["uid"]}}


def reconcile(cluster: Parts) -> None:
    for svc in cluster.store.list("services")[0]:
        spec = svc.get("spec", {})
        namespace, name = meta(svc)["namespace"], meta(svc)["name"]
        if not spec.get("selector") or spec.get("type") == "ExternalName" or deleting(svc):
            continue
        selector = from_map(spec["selector"])
        pods = [p for p in cluster.store.list("pods", namespace)[0]
                if selector.matches(meta(p).get("labels")) and p.get("status", {}).get("podIP")
                and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]
        ports = spec.get("ports") or []
        subsets: list[dict[str, Any]] = []
        slice_endpoints: list[dict[str, Any]] = []
        slice_ports: list[dict[str, Any]] = []
        subset_ports: list[dict[str, Any]] = []
        for port in ports:
            entry = {"port": None, "protocol": port.get("protocol", "TCP")}
            if port.get("name"):
                entry["name"] = port["name"]
            if port.get("appProtocol"):
                entry["appProtocol"] = port["appProtocol"]
            numbers = [n for n in (_target_port(port, p) for p in pods) if n is not None]
            fallback = port.get("targetPort") if isinstance(port.get("targetPort"), int) else port.get("port")
            entry["port"] = min(numbers) if numbers else fallback
            # An EndpointSlice port always has a name ("" for an unnamed one: kubectl describe needs it).
            slice_ports.append({"name": entry.get("name", ""),
                                **{k: entry[k] for k in ("port", "protocol", "appProtocol") if k in entry}})
            subset_ports.append({k: entry[k] for k in ("name", "port", "protocol", "appProtocol") if k in entry})
        ready = sorted((p for p in pods if pod_ready(p)), key=lambda p: p["status"]["podIP"])
        unready = sorted((p for p in pods if not pod_ready(p)), key=lambda p: p["status"]["podIP"])
        if pods:
            subset: dict[str, Any] = {"ports": subset_ports}
            if ready:
                subset["addresses"] = [_address(p) for p in ready]
            if unready:
                subset["notReadyAddresses"] = [_address(p) for p in unready]
            subsets.append(subset)
        for pod in ready + unready:
            is_ready = pod_ready(pod)
            slice_endpoints.append({
                "addresses": [pod["status"]["podIP"]],
                "conditions": {"ready": is_ready, "serving": is_ready, "terminating": deleting(pod)},
                "nodeName": pod["spec"].get("nodeName"),
                "targetRef": {"kind": "Pod", "namespace": namespace, "name": meta(pod)["name"],
                              "uid": meta(pod)["uid"]},
            })
        endpoints = cluster.store.peek("endpoints", namespace, name)
        labels = dict(meta(svc).get("labels") or {})
        if endpoints is None:
            body: Obj = {"metadata": {"name": name, "namespace": namespace, "labels": labels}}
            if subsets:
                body["subsets"] = subsets
            system_create(cluster, "endpoints", body, "endpoint-controller")
        elif endpoints.get("subsets", []) != subsets:
            def update(o: Obj, subsets: list[dict[str, Any]] = subsets) -> None:
                if subsets:
                    o["subsets"] = subsets
                else:
                    o.pop("subsets", None)
            cluster.store.mutate("endpoints", namespace, name, update)
        slices = [s for s in cluster.store.list("endpointslices", namespace)[0]
                  if meta(s).get("labels", {}).get(SERVICE_NAME_LABEL) == name]
        if not slices:
            ref = owner_ref(svc)
            system_create(cluster, "endpointslices", {
                "metadata": {"generateName": f"{name}-", "namespace": namespace,
                             "labels": {**labels, SERVICE_NAME_LABEL: name,
                                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                             "ownerReferences": [ref]},
                "addressType": "IPv4", "endpoints": slice_endpoints, "ports": slice_ports,
            }, "endpointslice-controller")
        elif slices[0].get("endpoints") != slice_endpoints or slices[0].get("ports") != slice_ports:
            def update_slice(o: Obj, e: list[Any] = slice_endpoints, p: list[Any] = slice_ports) -> None:
                o["endpoints"], o["ports"] = e, p
            cluster.store.mutate("endpointslices", namespace, meta(slices[0])["name"], update_slice)
