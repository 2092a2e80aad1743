"""Node heartbeats: each node renews its Lease in ``kube-node-lease`` every 10 seconds of cluster time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from practice_cluster.controllers.common import meta, owner_ref, since, system_create
from practice_cluster.storage.clock import rfc3339_micro
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

RENEW_EVERY = 10.0


def reconcile(cluster: Parts) -> None:
    for node in cluster.store.list("nodes")[0]:
        name = meta(node)["name"]
        lease = cluster.store.peek("leases", "kube-node-lease", name)
        now = rfc3339_micro(cluster.clock.now())
        if lease is None:
            ref = owner_ref(node, controller=False)
            ref.pop("blockOwnerDeletion", None)
            ref.pop("controller", None)
            system_create(cluster, "leases", {
                "metadata": {"name": name, "namespace": "kube-node-lease", "ownerReferences": [ref]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": now},
            }, "kubelet")
        elif since(cluster, lease["spec"].get("renewTime")) >= RENEW_EVERY:
            def renew(obj: Obj, when: str = now) -> None:
                obj["spec"]["renewTime"] = when
            cluster.store.mutate("leases", "kube-node-lease", name, renew)
