"""The table of API resources the practice cluster serves, checked when the module loads.

Discovery, routing, tables and the store all read this one table; a resource that is not here
does not exist on the practice cluster.

>>> RESOURCES["deployments"].kind, RESOURCES["deployments"].group_version
('Deployment', 'apps/v1')
>>> by_kind("", "Pod").plural
'pods'
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Resource:
    """One REST resource: ``/api/v1/namespaces/{ns}/pods`` is group "", version v1, plural pods."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def qualified(self) -> str:
        """``deployments.apps`` as the apiserver names it in messages (core resources stay bare)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


#: The kinds whose strategy sets ``metadata.generation`` (1 on create, one more on each spec change); a
#: Service, Namespace, Node, PersistentVolumeClaim or Lease has none though it has a spec.
GENERATION_KINDS = frozenset({"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob",
                              "Ingress", "IngressClass"})


_TABLE = (
    Resource("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), (), ("status", "finalize"),
             ("create", "delete", "get", "list", "patch", "update", "watch")),
    Resource("", "v1", "Node", "nodes", "node", False, ("no",), (), ("status",)),
    Resource("", "v1", "Pod", "pods", "pod", True, ("po",), ("all",),
             ("status", "log", "binding", "eviction", "exec", "attach", "portforward")),
    Resource("", "v1", "Service", "services", "service", True, ("svc",), ("all",), ("status",)),
    Resource("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    Resource("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
    Resource("", "v1", "Secret", "secrets", "secret", True),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",)),
    Resource("", "v1", "Event", "events", "event", True, ("ev",)),
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", True, ("pvc",),
             (), ("status",)),
    Resource("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), ("all",),
             ("status", "scale")),
    Resource("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",), ("all",), ("status", "scale")),
    Resource("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), ("all",), ("status",)),
    Resource("apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",), ("all",),
             ("status", "scale")),
    Resource("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True),
    Resource("batch", "v1", "Job", "jobs", "job", True, (), ("all",), ("status",)),
    Resource("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), ("all",), ("status",)),
    Resource("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", True, ("ing",), (), ("status",)),
    Resource("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", False),
    Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True),
    Resource("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
)

RESOURCES: dict[str, Resource] = {r.plural: r for r in _TABLE}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(r.group for r in _TABLE))
_BY_GROUP_PLURAL = {(r.group, r.plural): r for r in _TABLE}
_BY_KIND = {(r.group, r.kind): r for r in _TABLE}


def _check_table() -> None:
    if len(RESOURCES) != len(_TABLE):
        raise ValueError("resources: two entries share a plural name")
    for r in _TABLE:
        unknown = set(r.verbs) - set(ALL_VERBS)
        if unknown:
            raise ValueError(f"resources: {r.plural}: unknown verbs {sorted(unknown)}")
        if r.plural != r.plural.lower() or not r.kind[:1].isupper():
            raise ValueError(f"resources: {r.plural}: plural must be lower case and kind capitalised")


_check_table()


def lookup(group: str, plural: str) -> Resource | None:
    """The resource served at ``/apis/{group}/v1/.../{plural}``, or None."""
    return _BY_GROUP_PLURAL.get((group, plural))


def by_kind(group: str, kind: str) -> Resource:
    """The resource of a kind; KeyError when the practice cluster does not serve it."""
    return _BY_KIND[(group, kind)]


def by_api_version(api_version: str, kind: str) -> Resource | None:
    """The resource of ``apiVersion: apps/v1, kind: Deployment``, or None."""
    group, _, version = api_version.rpartition("/")
    resource = _BY_KIND.get((group, kind))
    if resource is None or resource.version != version:
        return None
    return resource
