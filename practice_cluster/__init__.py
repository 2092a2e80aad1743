"""The practice cluster: an offline Kubernetes API server that the real kubectl talks to.

The server keeps objects in memory (optionally a state file), answers the REST API kubectl uses
(discovery, OpenAPI v3, tables, patches, watches, exec and attach) and runs simulated controllers on a
clock that tests can advance. It never imports ``trainer``; from ``sandbox`` it takes ``SandboxError``
and, for the sandbox that stands for a container, the attempt's place (``sandbox.isolation``).

The trainer and the tools use it through the names below (docs/architecture.md has the layers inside):

    from practice_cluster import Cluster
    cluster = Cluster().start()          # serves on 127.0.0.1; cluster.url, cluster.kubeconfig()
    cluster.requests.since(0)            # what kubectl asked (RecordedRequest)
    cluster.stop()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice_cluster.cluster import IDLE_WAIT_S as IDLE_WAIT_S
    from practice_cluster.cluster import Cluster as Cluster
    from practice_cluster.cluster import ScaledClock as ScaledClock
    from practice_cluster.errors import ApiError as ApiError
    from practice_cluster.http.guard import NamespaceGuard as NamespaceGuard
    from practice_cluster.schema.resources import RESOURCES as RESOURCES
    from practice_cluster.schema.resources import Resource as Resource
    from practice_cluster.selectors import parse_label_selector as parse_label_selector
    from practice_cluster.storage.requests import (
        REQUESTS_KEY as REQUESTS_KEY,
    )
    from practice_cluster.storage.requests import (
        TRAINER_HEADER as TRAINER_HEADER,
    )
    from practice_cluster.storage.requests import (
        RecordedRequest as RecordedRequest,
    )
    from practice_cluster.storage.requests import (
        RequestLog as RequestLog,
    )
    from practice_cluster.streams.connect import busy as streams_busy
    from practice_cluster.streams.connect import ended as streams_ended
    from practice_cluster.wire import Request as Request
    from practice_cluster.wire import Response as Response


#: The public names and the module each lives in (imported when first used: a cold start stays small).
PUBLIC = {
    "Cluster": "cluster", "ScaledClock": "cluster", "IDLE_WAIT_S": "cluster", "ApiError": "errors",
    "NamespaceGuard": "http.guard", "RESOURCES": "schema.resources", "Resource": "schema.resources",
    "parse_label_selector": "selectors", "REQUESTS_KEY": "storage.requests", "TRAINER_HEADER": "storage.requests",
    "RecordedRequest": "storage.requests", "RequestLog": "storage.requests", "Request": "wire",
    "Response": "wire", "streams_busy": "streams.connect", "streams_ended": "streams.connect",
}
_RENAMED = {"streams_busy": "busy", "streams_ended": "ended"}

__all__ = ["IDLE_WAIT_S", "REQUESTS_KEY", "RESOURCES", "TRAINER_HEADER", "ApiError", "Cluster", "NamespaceGuard",
           "RecordedRequest", "Request", "RequestLog", "Resource", "Response", "ScaledClock", "parse_label_selector",
           "streams_busy", "streams_ended"]


def __getattr__(name: str) -> Any:
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'practice_cluster' has no attribute {name!r}")
    return getattr(importlib.import_module(f"practice_cluster.{module}"), _RENAMED.get(name, name))
