"""Discovery documents: aggregated discovery (v2, v2beta1) and the legacy lists kubectl falls back to.

kubectl asks ``/api`` and ``/apis`` with an Accept header naming the aggregated format it wants; the
answer must carry the matching Content-Type or kubectl treats it as the legacy list.

>>> doc = aggregated("apis", "v2")
>>> [item["metadata"]["name"] for item in doc["items"]][:2]
['apps', 'batch']
>>> api_resource_list("apps", "v1")["resources"][0]["name"]
'deployments'
"""

from __future__ import annotations

from typing import Any

from practice_cluster.schema.resources import _TABLE, Resource

AGGREGATED_VERSIONS = ("v2", "v2beta1")

_SUBRESOURCE_KIND = {
    "status": (None, ("get", "patch", "update")),
    "scale": (("autoscaling", "v1", "Scale"), ("get", "patch", "update")),
    "log": (("", "v1", "Pod"), ("get",)),
    "binding": (("", "v1", "Binding"), ("create",)),
    "eviction": (("policy", "v1", "Eviction"), ("create",)),
    "finalize": (None, ("update",)),
    "exec": (("", "v1", "PodExecOptions"), ("create", "get")),
    "attach": (("", "v1", "PodAttachOptions"), ("create", "get")),
    "portforward": (("", "v1", "PodPortForwardOptions"), ("create", "get")),
}


def _kind_of(resource: Resource, subresource: str) -> tuple[str, str, str]:
    target, _verbs = _SUBRESOURCE_KIND[subresource]
    return target or (resource.group, resource.version, resource.kind)


def _resources_in(group: str) -> list[Resource]:
    return [r for r in _TABLE if r.group == group]


def _groups() -> list[str]:
    return [g for g in dict.fromkeys(r.group for r in _TABLE) if g]


def aggregated(root: str, version: str) -> dict[str, Any]:
    """``APIGroupDiscoveryList`` for ``/api`` (root "api") or ``/apis`` (root "apis")."""
    groups = [""] if root == "api" else _groups()
    items = []
    for group in groups:
        resources = []
        for r in _resources_in(group):
            entry: dict[str, Any] = {
                "resource": r.plural,
                "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                "scope": "Namespaced" if r.namespaced else "Cluster",
                "singularResource": r.singular,
                "verbs": list(r.verbs),
            }
            if r.short_names:
                entry["shortNames"] = list(r.short_names)
            if r.categories:
                entry["categories"] = list(r.categories)
            if r.subresources:
                entry["subresources"] = []
                for sub in r.subresources:
                    g, v, k = _kind_of(r, sub)
                    entry["subresources"].append(
                        {"subresource": sub, "responseKind": {"group": g, "version": v, "kind": k},
                         "verbs": list(_SUBRESOURCE_KIND[sub][1])}
                    )
            resources.append(entry)
        items.append({
            "metadata": {"name": group, "creationTimestamp": None},
            "versions": [{"version": "v1", "resources": resources, "freshness": "Current"}],
        })
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {},
            "items": items}


def api_versions(server_address: str) -> dict[str, Any]:
    """The legacy ``/api`` answer."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group(group: str) -> dict[str, Any]:
    version = {"groupVersion": f"{group}/v1", "version": "v1"}
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": [version],
            "preferredVersion": version}


def api_group_list() -> dict[str, Any]:
    """The legacy ``/apis`` answer."""
    groups = []
    for group in _groups():
        entry = api_group(group)
        del entry["kind"], entry["apiVersion"]
        groups.append(entry)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(group: str, version: str) -> dict[str, Any] | None:
    """``/api/v1`` or ``/apis/{group}/{version}``: the ``APIResourceList``; None when not served."""
    resources = [r for r in _resources_in(group) if r.version == version]
    if not resources:
        return None
    listed: list[dict[str, Any]] = []
    for r in resources:
        entry: dict[str, Any] = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                                 "kind": r.kind, "verbs": list(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        listed.append(entry)
        for sub in r.subresources:
            g, v, k = _kind_of(r, sub)
            sub_entry: dict[str, Any] = {"name": f"{r.plural}/{sub}", "singularName": "",
                                         "namespaced": r.namespaced, "kind": k,
                                         "verbs": list(_SUBRESOURCE_KIND[sub][1])}
            if (g, v) != (r.group, r.version):
                sub_entry["group"], sub_entry["version"] = g, v
            listed.append(sub_entry)
    group_version = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": listed}


def wanted_aggregated_version(accept: str) -> str | None:
    """The aggregated-discovery version an Accept header asks for first, or None for the legacy list."""
    for part in accept.split(","):
        params = dict(
            p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p
        )
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            version = params.get("v", "")
            if version in AGGREGATED_VERSIONS:
                return version
    return None
