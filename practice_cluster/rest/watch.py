"""Watches: a stream of ``{"type", "object"}`` lines from the store's change log.

Honours ``resourceVersion`` (410 Expired as an ERROR event when it is too old), label and field
selectors (an object leaving the selection is a DELETED event), ``allowWatchBookmarks``,
``sendInitialEvents`` with the ``k8s.io/initial-events-end`` bookmark, ``timeoutSeconds`` and Table
output (each event carries a one-row Table).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import Resource
from practice_cluster.selectors import parse_field_selector, parse_label_selector
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts
    from practice_cluster.wire import Request, Response

BOOKMARK_EVERY = 5.0
DEFAULT_TIMEOUT = 1800.0
MAX_TIMEOUT = 3600.0


def _line(event_type: str, obj: Any) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def watch_response(cluster: Parts, req: Request, r: Resource, namespace: str | None) -> Response:
    """The streaming response of a watch; the generator runs in the server's connection thread."""
    from practice_cluster.wire import Response

    labels = parse_label_selector(req.query.get("labelSelector"))
    fields = parse_field_selector(req.query.get("fieldSelector"), r.plural)
    table = "as=Table" in req.accept.replace(" ", "")
    try:
        timeout = min(float(req.query.get("timeoutSeconds") or DEFAULT_TIMEOUT), MAX_TIMEOUT)
    except ValueError as exc:
        raise ApiError.bad_request(f"invalid timeoutSeconds: {req.query.get('timeoutSeconds')}") from exc
    rv_text = req.query.get("resourceVersion", "")
    initial = req.query.get("sendInitialEvents") == "true"
    if initial and req.query.get("resourceVersionMatch") != "NotOlderThan":
        raise ApiError.invalid("ListOptions", "", [(
            "resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
                                    "NotOlderThan")])
    bookmarks = req.query.get("allowWatchBookmarks") == "true"
    if rv_text not in ("", "0"):
        try:
            start = int(rv_text)
        except ValueError as exc:
            raise ApiError.bad_request(f'resourceVersion: Invalid value: "{rv_text}": must be an integer') from exc
    else:
        start = -1

    def matches(obj: Obj) -> bool:
        meta = obj["metadata"]
        if namespace is not None and meta.get("namespace", "") != namespace:
            return False
        return labels.matches(meta.get("labels")) and fields(obj)

    def render(obj: Obj) -> Any:
        if not table:
            return obj
        from practice_cluster.tables import tables

        include = req.query.get("includeObject", "Metadata")
        return tables.table(r, [obj], cluster.clock.now(), include_object=include,
                            resource_version=obj["metadata"].get("resourceVersion", ""))

    def bookmark(version: int, end_of_initial: bool = False) -> bytes:
        meta: dict[str, Any] = {"resourceVersion": str(version)}
        if end_of_initial:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return _line("BOOKMARK", {"kind": r.kind, "apiVersion": r.api_version, "metadata": meta})

    def stream() -> Iterator[bytes]:
        store = cluster.store
        deadline = time.monotonic() + timeout
        selected: set[str] = set()
        if start < 0 or initial:
            items, version = store.list(r.plural, namespace, matches)
            for obj in items:
                selected.add(obj["metadata"]["uid"])
                yield _line("ADDED", render(obj))
            if initial:  # the end of the initial events, with or without allowWatchBookmarks
                yield bookmark(version, end_of_initial=True)
        else:
            version = start
        last_bookmark = time.monotonic()
        while not store.closed:
            try:
                events = store.events_since(version)
            except ApiError as err:
                yield _line("ERROR", err.status())
                return
            for event in events:
                version = event.resource_version
                if event.plural != r.plural:
                    continue
                uid = event.obj["metadata"].get("uid", "")
                now_matches = matches(event.obj) and event.type != "DELETED"
                if event.type == "DELETED":
                    if uid in selected or matches(event.obj):
                        selected.discard(uid)
                        yield _line("DELETED", render(event.obj))
                elif now_matches:
                    kind = "MODIFIED" if uid in selected or (start >= 0 and event.type == "MODIFIED") else "ADDED"
                    selected.add(uid)
                    yield _line(kind, render(event.obj))
                elif uid in selected:
                    selected.discard(uid)
                    yield _line("DELETED", render(event.obj))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if bookmarks and time.monotonic() - last_bookmark >= BOOKMARK_EVERY:
                last_bookmark = time.monotonic()
                yield bookmark(version)
            if not events:
                store.wait(version, min(remaining, 1.0))
                # Lets the server notice a client that went away, even while other resources change all the time.
                yield b""

    return Response(200, b"", "application/json", stream=stream())
