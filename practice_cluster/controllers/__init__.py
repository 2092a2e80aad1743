"""The simulated control plane: scheduler, kubelet, workload controllers, services and garbage collection.

Each controller is a function ``reconcile(cluster)`` that reads the store and writes what a real
controller would; ``Controllers.settle()`` runs them all until a pass changes nothing. Time-based
steps (a container starting, a job finishing, a cron schedule) compare timestamps with the cluster clock,
so a simulated clock makes them instant and a real one makes them realistic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from practice_cluster.controllers import batch as batch
from practice_cluster.controllers import lifecycle as lifecycle
from practice_cluster.controllers import network as network
from practice_cluster.controllers import nodes as nodes
from practice_cluster.controllers import pods as pods
from practice_cluster.controllers import sets as sets
from practice_cluster.controllers import workloads as workloads

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

Reconciler = Callable[["Parts"], None]

RECONCILERS: tuple[Reconciler, ...] = (
    nodes.reconcile,
    lifecycle.reconcile_namespaces,
    lifecycle.reconcile_garbage,
    batch.reconcile_cronjobs,
    batch.reconcile_jobs,
    workloads.reconcile_deployments,
    workloads.reconcile_replicasets,
    sets.reconcile_daemonsets,
    sets.reconcile_statefulsets,
    pods.reconcile,
    network.reconcile,
)
MAX_PASSES = 40


class Controllers:
    """Runs every reconciler, one pass at a time, under one lock (passes never overlap)."""

    def __init__(self, cluster: Parts) -> None:
        self.cluster = cluster
        self._lock = threading.Lock()

    def settle(self) -> int:
        """Pass until the store stops changing (or MAX_PASSES); returns the store's version."""
        with self._lock:
            for _ in range(MAX_PASSES):
                before = self.cluster.store.resource_version
                for reconcile in RECONCILERS:
                    reconcile(self.cluster)
                if self.cluster.store.resource_version == before:
                    break
            return self.cluster.store.resource_version
