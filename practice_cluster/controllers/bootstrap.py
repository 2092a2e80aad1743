"""The objects a fresh practice cluster starts with: namespaces, three nodes, and kube-system's DNS.

Node names, addresses and versions are those a small kubeadm cluster shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practice_cluster.storage.clock import rfc3339

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

NODE_NAMES = ("node-1", "node-2", "node-3")
KUBELET_VERSION = "v1.37.0"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.1"


def node_object(index: int, name: str, now: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "capacity": {"cpu": "4", "memory": "8131592Ki", "pods": "110", "ephemeral-storage": "61202244Ki"},
            "allocatable": {"cpu": "4", "memory": "8029192Ki", "pods": "110", "ephemeral-storage": "61202244Ki"},
            "conditions": [
                {"type": t, "status": "False", "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": r,
                 "message": m}
                for t, r, m in (
                    ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                )
            ] + [{"type": "Ready", "status": "True", "lastHeartbeatTime": now, "lastTransitionTime": now,
                  "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
            "addresses": [{"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": f"{index:032x}", "systemUUID": f"{index:08x}-0000-0000-0000-000000000000",
                         "bootID": f"{index:08x}-1111-1111-1111-111111111111",
                         "kernelVersion": "6.1.0-28-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "containerRuntimeVersion": "containerd://2.1.1", "kubeletVersion": KUBELET_VERSION,
                         "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"},
        },
    }


def bootstrap(cluster: Parts) -> None:
    """Create the starting objects directly in the store (no controllers have run yet)."""
    from practice_cluster.controllers.common import system_create

    now = rfc3339(cluster.clock.now())
    for name in SYSTEM_NAMESPACES:
        system_create(cluster, "namespaces", {"metadata": {"name": name}}, "kube-apiserver")
    for index, name in enumerate(NODE_NAMES, start=1):
        system_create(cluster, "nodes", node_object(index, name, now), "kubelet")
    system_create(cluster, "services", {
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
    }, "kube-apiserver")
    system_create(cluster, "endpoints", {
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": "172.18.0.3"}],
                     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
    }, "kube-apiserver")
    from practice_cluster.registry.admission import Allocator, admit_service

    dns = {
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
        "spec": {"clusterIP": "10.96.0.10", "selector": {"k8s-app": "kube-dns"}, "ports": [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]},
    }
    admit_service(Allocator(cluster.store), dns, None)
    system_create(cluster, "services", dns, "kubeadm")
    system_create(cluster, "deployments", {
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                 "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}},
                              "spec": {"containers": [{"name": "coredns", "image": DNS_IMAGE,
                                                       "args": ["-conf", "/etc/coredns/Corefile"],
                                                       "ports": [{"containerPort": 53, "name": "dns",
                                                                  "protocol": "UDP"}]}],
                                       "priorityClassName": "system-cluster-critical"}}},
    }, "kubeadm")
