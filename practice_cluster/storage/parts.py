"""``Parts``: what the controllers, handlers and streams of a cluster reach, named without the cluster.

A controller reconciles the store on the clock and writes container logs; a handler reads the store
and the logs; a stream records what ran in a container. They get a ``Parts`` (the running ``Cluster``
is one) instead of importing ``Cluster``, which assembles them all: so nothing below the cluster
depends on it, and the package has no import cycle (tests/test_imports.py).
"""

from __future__ import annotations

from typing import Protocol

from practice_cluster.storage.attached import AttachedProcesses
from practice_cluster.storage.clock import Clock
from practice_cluster.storage.logs import LogBook
from practice_cluster.storage.requests import RequestLog
from practice_cluster.storage.store import Store


class Parts(Protocol):
    """The state of one cluster that its parts share."""

    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def logs(self) -> LogBook: ...
    @property
    def attached(self) -> AttachedProcesses: ...
    @property
    def requests(self) -> RequestLog: ...
    @property
    def address(self) -> str: ...
