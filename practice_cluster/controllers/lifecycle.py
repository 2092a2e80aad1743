"""Namespaces and garbage collection.

Each namespace gets its ``default`` ServiceAccount and ``kube-root-ca.crt`` ConfigMap; a deleted namespace
is Terminating until everything in it is gone. The garbage collector deletes objects whose owners are
gone, and carries out the ``orphan`` and ``foregroundDeletion`` finalizers that ``--cascade=orphan`` and
``--cascade=foreground`` put on an owner.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from practice_cluster.controllers.common import delete_pod, deleting, meta, system_create
from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import RESOURCES
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

ROOT_CA = "-----BEGIN CERTIFICATE-----\nMIIBpracticeclusterrootca\n-----END CERTIFICATE-----\n"


def reconcile_namespaces(cluster: Parts) -> None:
    for ns in cluster.store.list("namespaces")[0]:
        name = meta(ns)["name"]
        if deleting(ns):
            remaining = 0
            for plural, resource in RESOURCES.items():
                if not resource.namespaced:
                    continue
                for obj in cluster.store.list(plural, name)[0]:
                    remaining += 1
                    if plural == "pods":
                        delete_pod(cluster, obj)
                    elif not deleting(obj):
                        with contextlib.suppress(ApiError):
                            cluster.store.delete(plural, name, meta(obj)["name"])
            if remaining == 0:
                with contextlib.suppress(ApiError):
                    cluster.store.delete("namespaces", "", name)
            continue
        if ns.get("status", {}).get("phase") != "Active":
            continue
        if cluster.store.peek("serviceaccounts", name, "default") is None:
            system_create(cluster, "serviceaccounts", {"metadata": {"name": "default", "namespace": name}})
        if cluster.store.peek("configmaps", name, "kube-root-ca.crt") is None:
            system_create(cluster, "configmaps", {
                "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                             "annotations": {"kubernetes.io/description": (
                                 "Contains a CA bundle that can be used to verify the kube-apiserver when using "
                                 "internal endpoints such as the internal service IP or kubernetes.default.svc. "
                                 "No other usage is guaranteed across distributions of Kubernetes clusters.")}},
                "data": {"ca.crt": ROOT_CA}})


def _dependents(cluster: Parts, owner_uid: str) -> list[tuple[str, Obj]]:
    return [(plural, obj) for plural, obj in cluster.store.iter_all()
            if any(ref.get("uid") == owner_uid for ref in meta(obj).get("ownerReferences") or [])]


def reconcile_garbage(cluster: Parts) -> None:
    """Delete orphans of deleted owners; carry out the orphan and foreground finalizers."""
    everything = list(cluster.store.iter_all())
    live_uids = {meta(obj).get("uid") for _plural, obj in everything}
    for plural, obj in everything:
        m = meta(obj)
        finalizers = m.get("finalizers") or []
        if m.get("deletionTimestamp") and "orphan" in finalizers:
            for dep_plural, dep in _dependents(cluster, m["uid"]):
                def release(o: Obj, uid: str = m["uid"]) -> None:
                    refs = [r for r in meta(o).get("ownerReferences") or [] if r.get("uid") != uid]
                    if refs:
                        meta(o)["ownerReferences"] = refs
                    else:
                        meta(o).pop("ownerReferences", None)
                cluster.store.mutate(dep_plural, meta(dep).get("namespace", ""), meta(dep)["name"], release)
            _drop_finalizer(cluster, plural, obj, "orphan")
        elif m.get("deletionTimestamp") and "foregroundDeletion" in finalizers:
            dependents = _dependents(cluster, m["uid"])
            for dep_plural, dep in dependents:
                if deleting(dep):
                    continue
                if dep_plural == "pods":
                    delete_pod(cluster, dep)
                else:
                    with contextlib.suppress(ApiError):
                        cluster.store.delete(dep_plural, meta(dep).get("namespace", ""), meta(dep)["name"],
                                             finalizers=("foregroundDeletion",))
            if not dependents:
                _drop_finalizer(cluster, plural, obj, "foregroundDeletion")
        refs = m.get("ownerReferences") or []
        if refs and not deleting(obj) and all(r.get("uid") not in live_uids for r in refs):
            if plural == "pods":
                delete_pod(cluster, obj)
            else:
                with contextlib.suppress(ApiError):
                    cluster.store.delete(plural, m.get("namespace", ""), m["name"])


def _drop_finalizer(cluster: Parts, plural: str, obj: Obj, finalizer: str) -> None:
    def drop(o: Obj) -> None:
        meta(o)["finalizers"] = [f for f in meta(o).get("finalizers") or [] if f != finalizer]
        if not meta(o)["finalizers"]:
            del meta(o)["finalizers"]
    cluster.store.mutate(plural, meta(obj).get("namespace", ""), meta(obj)["name"], drop)
