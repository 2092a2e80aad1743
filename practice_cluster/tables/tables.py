"""Server-side tables: the ``meta.k8s.io/v1`` Table that ``kubectl get`` asks for and prints.

kubectl sends ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io`` and prints the columns the
server returns, so the practice cluster answers with the columns and cells of the real apiserver's
printers (``pkg/printers/internalversion``). Priority-1 columns are the ``-o wide`` ones; the
server always fills them and kubectl drops them unless asked. This module owns the column
definitions and the Table document; the cells of each kind live in ``table_rows``,
``table_apps`` and ``table_network``.

>>> from practice_cluster.schema.resources import RESOURCES
>>> ns = {"metadata": {"name": "dev", "creationTimestamp": "2024-01-01T00:00:00Z"}, "status": {"phase": "Active"}}
>>> [c["name"] for c in columns(RESOURCES["namespaces"])]
['Name', 'Status', 'Age']
>>> row(RESOURCES["namespaces"], ns, 1704067200.0 + 3600)
['dev', 'Active', '60m']
>>> table(RESOURCES["namespaces"], [ns], 1704067200.0, include_object="None")["rows"]
[{'cells': ['dev', 'Active', '0s']}]
"""

from __future__ import annotations

import copy
import functools
import json
import time
from typing import Any

from practice_cluster.errors import ApiError
from practice_cluster.schema.definitions import definitions
from practice_cluster.schema.resources import Resource
from practice_cluster.tables import apps as table_apps
from practice_cluster.tables import network as table_network
from practice_cluster.tables import rows as table_rows
from practice_cluster.tables.format import as_dict, as_str, human_duration, parse_time
from practice_cluster.tables.rows import Cells, RowPrinter

__all__ = ["columns", "human_duration", "row", "row_conditions", "table"]

INCLUDE_OBJECT = ("Object", "Metadata", "None")

# A column: (name, type, description source, priority[, format]). The description source is a
# literal sentence, or (definition, field) whose schema description the Go printer also quotes.
_Doc = str | tuple[str, str]
_Column = tuple[str, str, _Doc, int] | tuple[str, str, _Doc, int, str]

_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_NAME: _Column = ("Name", "string", (_META, "name"), 0, "name")
_AGE: _Column = ("Age", "string", (_META, "creationTimestamp"), 0)
_CONTAINERS: _Column = ("Containers", "string", "Names of each container in the template.", 1)
_IMAGES: _Column = ("Images", "string", "Images referenced by each container in the template.", 1)
_READY_PODS = "Number of the pod with ready state"
_CORE = "io.k8s.api.core.v1."
_APPS = "io.k8s.api.apps.v1."
_BATCH = "io.k8s.api.batch.v1."

_COLUMNS: dict[str, tuple[_Column, ...]] = {
    "pods": (
        _NAME,
        ("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", 0),
        ("Status", "string", "The aggregate status of the containers in this pod.", 0),
        ("Restarts", "string", "The number of times the containers in this pod have been restarted and when the "
         "last container in this pod has restarted.", 0),
        _AGE,
        ("IP", "string", (_CORE + "PodStatus", "podIP"), 1),
        ("Node", "string", (_CORE + "PodSpec", "nodeName"), 1),
        ("Nominated Node", "string", (_CORE + "PodStatus", "nominatedNodeName"), 1),
        ("Readiness Gates", "string", (_CORE + "PodSpec", "readinessGates"), 1),
    ),
    "nodes": (
        _NAME,
        ("Status", "string", "The status of the node", 0),
        ("Roles", "string", "The roles of the node", 0),
        _AGE,
        ("Version", "string", (_CORE + "NodeSystemInfo", "kubeletVersion"), 0),
        ("Internal-IP", "string", (_CORE + "NodeStatus", "addresses"), 1),
        ("External-IP", "string", (_CORE + "NodeStatus", "addresses"), 1),
        ("OS-Image", "string", (_CORE + "NodeSystemInfo", "osImage"), 1),
        ("Kernel-Version", "string", (_CORE + "NodeSystemInfo", "kernelVersion"), 1),
        ("Container-Runtime", "string", (_CORE + "NodeSystemInfo", "containerRuntimeVersion"), 1),
    ),
    "namespaces": (_NAME, ("Status", "string", "The status of the namespace", 0), _AGE),
    "services": (
        _NAME,
        ("Type", "string", (_CORE + "ServiceSpec", "type"), 0),
        ("Cluster-IP", "string", (_CORE + "ServiceSpec", "clusterIP"), 0),
        ("External-IP", "string", (_CORE + "ServiceSpec", "externalIPs"), 0),
        ("Port(s)", "string", (_CORE + "ServiceSpec", "ports"), 0),
        _AGE,
        ("Selector", "string", (_CORE + "ServiceSpec", "selector"), 1),
    ),
    "endpoints": (_NAME, ("Endpoints", "string", (_CORE + "Endpoints", "subsets"), 0), _AGE),
    "endpointslices": (
        _NAME,
        ("AddressType", "string", ("io.k8s.api.discovery.v1.EndpointSlice", "addressType"), 0),
        ("Ports", "string", ("io.k8s.api.discovery.v1.EndpointSlice", "ports"), 0),
        ("Endpoints", "string", ("io.k8s.api.discovery.v1.EndpointSlice", "endpoints"), 0),
        _AGE,
    ),
    "configmaps": (_NAME, ("Data", "string", (_CORE + "ConfigMap", "data"), 0), _AGE),
    "secrets": (
        _NAME,
        ("Type", "string", (_CORE + "Secret", "type"), 0),
        ("Data", "string", (_CORE + "Secret", "data"), 0),
        _AGE,
    ),
    "serviceaccounts": (_NAME, _AGE),
    "events": (
        ("Last Seen", "string", (_CORE + "Event", "lastTimestamp"), 0),
        ("Type", "string", (_CORE + "Event", "type"), 0),
        ("Reason", "string", (_CORE + "Event", "reason"), 0),
        ("Object", "string", (_CORE + "Event", "involvedObject"), 0),
        ("Subobject", "string", (_CORE + "ObjectReference", "fieldPath"), 1),
        ("Source", "string", (_CORE + "Event", "source"), 1),
        ("Message", "string", (_CORE + "Event", "message"), 0),
        ("First Seen", "string", (_CORE + "Event", "firstTimestamp"), 1),
        ("Count", "string", (_CORE + "Event", "count"), 1),
        ("Name", "string", (_META, "name"), 1, "name"),
    ),
    "persistentvolumeclaims": (
        _NAME,
        ("Status", "string", (_CORE + "PersistentVolumeClaimStatus", "phase"), 0),
        ("Volume", "string", (_CORE + "PersistentVolumeClaimSpec", "volumeName"), 0),
        ("Capacity", "string", (_CORE + "PersistentVolumeClaimStatus", "capacity"), 0),
        ("Access Modes", "string", (_CORE + "PersistentVolumeClaimStatus", "accessModes"), 0),
        ("StorageClass", "string", "StorageClass of the pvc", 0),
        ("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc", 0),
        _AGE,
        ("VolumeMode", "string", (_CORE + "PersistentVolumeClaimSpec", "volumeMode"), 1),
    ),
    "deployments": (
        _NAME,
        ("Ready", "string", _READY_PODS, 0),
        ("Up-to-date", "string", (_APPS + "DeploymentStatus", "updatedReplicas"), 0),
        ("Available", "string", (_APPS + "DeploymentStatus", "availableReplicas"), 0),
        _AGE, _CONTAINERS, _IMAGES,
        ("Selector", "string", (_APPS + "DeploymentSpec", "selector"), 1),
    ),
    "replicasets": (
        _NAME,
        ("Desired", "integer", (_APPS + "ReplicaSetSpec", "replicas"), 0),
        ("Current", "integer", (_APPS + "ReplicaSetStatus", "replicas"), 0),
        ("Ready", "integer", (_APPS + "ReplicaSetStatus", "readyReplicas"), 0),
        _AGE, _CONTAINERS, _IMAGES,
        ("Selector", "string", (_APPS + "ReplicaSetSpec", "selector"), 1),
    ),
    "daemonsets": (
        _NAME,
        ("Desired", "integer", (_APPS + "DaemonSetStatus", "desiredNumberScheduled"), 0),
        ("Current", "integer", (_APPS + "DaemonSetStatus", "currentNumberScheduled"), 0),
        ("Ready", "integer", (_APPS + "DaemonSetStatus", "numberReady"), 0),
        ("Up-to-date", "integer", (_APPS + "DaemonSetStatus", "updatedNumberScheduled"), 0),
        ("Available", "integer", (_APPS + "DaemonSetStatus", "numberAvailable"), 0),
        ("Node Selector", "string", (_CORE + "PodSpec", "nodeSelector"), 0),
        _AGE, _CONTAINERS, _IMAGES,
        ("Selector", "string", (_APPS + "DaemonSetSpec", "selector"), 1),
    ),
    "statefulsets": (_NAME, ("Ready", "string", _READY_PODS, 0), _AGE, _CONTAINERS, _IMAGES),
    "controllerrevisions": (
        _NAME,
        ("Controller", "string", "Controller of the object", 0),
        ("Revision", "string", (_APPS + "ControllerRevision", "revision"), 0),
        _AGE,
    ),
    "jobs": (
        _NAME,
        ("Status", "string", "Status of the job.", 0),
        ("Completions", "string", (_BATCH + "JobStatus", "succeeded"), 0),
        ("Duration", "string", "Time required to complete the job.", 0),
        _AGE, _CONTAINERS, _IMAGES,
        ("Selector", "string", (_BATCH + "JobSpec", "selector"), 1),
    ),
    "cronjobs": (
        _NAME,
        ("Schedule", "string", (_BATCH + "CronJobSpec", "schedule"), 0),
        ("Timezone", "string", (_BATCH + "CronJobSpec", "timeZone"), 0),
        ("Suspend", "boolean", (_BATCH + "CronJobSpec", "suspend"), 0),
        ("Active", "integer", (_BATCH + "CronJobStatus", "active"), 0),
        ("Last Schedule", "string", (_BATCH + "CronJobStatus", "lastScheduleTime"), 0),
        _AGE, _CONTAINERS, _IMAGES,
        ("Selector", "string", (_BATCH + "JobSpec", "selector"), 1),
    ),
    "ingresses": (
        _NAME,
        ("Class", "string",
         "The name of the IngressClass resource that should be used for additional configuration", 0),
        ("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule", 0),
        ("Address", "string", "Address is a list containing ingress points for the load-balancer", 0),
        ("Ports", "string", "Ports of TLS configurations that open", 0),
        _AGE,
    ),
    "ingressclasses": (
        _NAME,
        ("Controller", "string", "Controller that is responsible for handling this class", 0),
        ("Parameters", "string", "A reference to a resource with additional parameters", 0),
        _AGE,
    ),
    "leases": (_NAME, ("Holder", "string", ("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity"), 0), _AGE),
}

_PRINTERS: dict[str, RowPrinter] = {
    "pods": table_rows.pod_cells,
    "nodes": table_rows.node_cells,
    "namespaces": table_rows.namespace_cells,
    "services": table_network.service_cells,
    "endpoints": table_network.endpoints_cells,
    "endpointslices": table_network.endpointslice_cells,
    "configmaps": table_rows.configmap_cells,
    "secrets": table_rows.secret_cells,
    "serviceaccounts": table_rows.serviceaccount_cells,
    "events": table_rows.event_cells,
    "persistentvolumeclaims": table_rows.pvc_cells,
    "deployments": table_apps.deployment_cells,
    "replicasets": table_apps.replicaset_cells,
    "daemonsets": table_apps.daemonset_cells,
    "statefulsets": table_apps.statefulset_cells,
    "controllerrevisions": table_rows.controllerrevision_cells,
    "jobs": table_apps.job_cells,
    "cronjobs": table_apps.cronjob_cells,
    "ingresses": table_network.ingress_cells,
    "ingressclasses": table_network.ingressclass_cells,
    "leases": table_rows.lease_cells,
}

# Kinds without a printer get the apiserver's default convertor: the name and an RFC 3339 date.
_DEFAULT_COLUMNS: tuple[_Column, ...] = (_NAME, ("Created At", "date", (_META, "creationTimestamp"), 0))


def _description(source: _Doc) -> str:
    if isinstance(source, str):
        return source
    schema = definitions().get(source[0], {})
    return as_str(as_dict(as_dict(schema.get("properties")).get(source[1])).get("description"))


@functools.cache
def _column_dicts(plural: str) -> tuple[tuple[tuple[str, Any], ...], ...]:
    built = []
    for column in _COLUMNS.get(plural, _DEFAULT_COLUMNS):
        name, kind, doc, priority = column[:4]
        fmt = column[4] if len(column) == 5 else ""
        built.append((("name", name), ("type", kind), ("format", fmt), ("description", _description(doc)),
                      ("priority", priority)))
    return tuple(built)


def columns(resource: Resource) -> list[dict[str, Any]]:
    """The ``columnDefinitions`` of a resource's Table, wide (priority 1) columns included."""
    return [dict(column) for column in _column_dicts(resource.plural)]


def _default_cells(obj: dict[str, Any]) -> Cells:
    metadata = as_dict(obj.get("metadata"))
    created = parse_time(metadata.get("creationTimestamp"))
    # Go formats the zero time rather than leaving the cell empty.
    stamp = "0001-01-01T00:00:00Z" if created is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created))
    return [as_str(metadata.get("name")), stamp]


def row(resource: Resource, obj: dict[str, Any], now: float) -> list[Any]:
    """The cells of one object, in column order; ``now`` is the cluster clock in epoch seconds."""
    printer = _PRINTERS.get(resource.plural)
    return _default_cells(obj) if printer is None else printer(obj, now)


def row_conditions(resource: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """Row conditions; only finished pods carry one (``Completed``)."""
    return table_rows.pod_conditions(obj) if resource.plural == "pods" else []


def _row_object(obj: dict[str, Any], include_object: str) -> dict[str, Any] | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return copy.deepcopy(obj)
    # A shallow copy: the Table is only serialized, and stored objects are never changed in place (a deep copy
    # of every row's managedFields was most of a 1,000-pod list's time).
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(as_dict(obj.get("metadata"))),
    }


def table(
    resource: Resource,
    objects: list[dict[str, Any]],
    now: float,
    include_object: str = "Metadata",
    resource_version: str = "",
    *,
    no_headers: bool = False,
) -> dict[str, Any]:
    """The whole ``meta.k8s.io/v1`` Table of ``objects`` (one object for a GET, the items for a LIST).

    ``include_object`` is the ``includeObject`` query parameter: ``Metadata`` (the default, also for
    "") puts a PartialObjectMetadata in each row, which kubectl needs for ``--show-labels``, ``-L`` and
    the NAMESPACE column of ``-A``; ``Object`` the whole object; ``None`` nothing. ``no_headers`` is
    the TableOptions ``noHeaders`` a watch sends after its first event: the columns are left out.
    """
    mode = include_object or "Metadata"
    if mode not in INCLUDE_OBJECT:
        allowed = "must be 'Metadata', 'Object', 'None', or empty"
        raise ApiError.bad_request(f"includeObject: Invalid value: {json.dumps(include_object)}: {allowed}")
    rows = []
    for obj in objects:
        entry: dict[str, Any] = {"cells": row(resource, obj, now)}
        conditions = row_conditions(resource, obj)
        if conditions:
            entry["conditions"] = conditions
        included = _row_object(obj, mode)
        if included is not None:
            entry["object"] = included
        rows.append(entry)
    metadata = {"resourceVersion": resource_version} if resource_version else {}
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": None if no_headers else columns(resource),
        "rows": rows,
    }
