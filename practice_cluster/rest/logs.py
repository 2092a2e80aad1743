"""The ``pods/log`` subresource: a container's lines (storage.logs), or a stream of them with ``follow``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from practice_cluster.errors import ApiError

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts
    from practice_cluster.wire import Request, Response

def log_response(cluster: Parts, req: Request, namespace: str, name: str) -> Response:
    """``GET .../pods/{name}/log``: the container's lines, or a stream of them with ``follow``."""
    from practice_cluster.wire import Response

    pod = cluster.store.get("pods", namespace, name)
    containers = [c.get("name", "") for c in pod.get("spec", {}).get("containers") or []]
    init = [c.get("name", "") for c in pod.get("spec", {}).get("initContainers") or []]
    container = req.query.get("container") or ""
    if not container:
        if len(containers) != 1:
            raise ApiError.bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
                + (f" or one of the init containers: [{' '.join(init)}]" if init else "")
            )
        container = containers[0]
    if container not in containers + init:
        raise ApiError.bad_request(f"container {container} is not valid for pod {name}")
    statuses = pod.get("status", {}).get("containerStatuses", []) + pod.get("status", {}).get(
        "initContainerStatuses", [])
    status = next((s for s in statuses if s.get("name") == container), None)
    restarts = int((status or {}).get("restartCount", 0))
    previous = req.query.get("previous") == "true"
    if previous:
        if restarts == 0:
            raise ApiError.bad_request(
                f'previous terminated container "{container}" in pod "{name}" not found')
        restarts -= 1
    waiting = (status or {}).get("state", {}).get("waiting")
    if waiting and not previous and restarts > 0 and (status or {}).get("lastState", {}).get("terminated"):
        restarts -= 1  # a container waiting to restart shows the run that just ended, as the kubelet does
    elif not cluster.logs.lines(namespace, name, container, restarts) and (status is None or waiting):
        reason = (waiting or {}).get("reason", "ContainerCreating")
        raise ApiError.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    try:
        tail = int(req.query["tailLines"]) if "tailLines" in req.query else None
    except ValueError as exc:
        raise ApiError.bad_request(f"invalid tailLines: {req.query['tailLines']}") from exc
    lines = cluster.logs.lines(namespace, name, container, restarts)
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    text = "".join(line + "\n" for line in lines)
    if req.query.get("follow") != "true" or previous:
        return Response(200, text.encode(), "text/plain")

    def follow() -> Iterator[bytes]:
        yield text.encode()
        seen = len(cluster.logs.lines(namespace, name, container, restarts))
        while not cluster.store.closed:
            current = cluster.logs.lines(namespace, name, container, restarts)
            if len(current) > seen:
                yield "".join(line + "\n" for line in current[seen:]).encode()
                seen = len(current)
            live = cluster.store.peek("pods", namespace, name)
            if live is None or _terminated(live, container, restarts):
                return
            time.sleep(0.2)
            yield b""

    return Response(200, b"", "text/plain", stream=follow())


def _terminated(pod: dict[str, object], container: str, restarts: int) -> bool:
    status = pod.get("status")
    if not isinstance(status, dict):
        return False
    for s in status.get("containerStatuses", []) + status.get("initContainerStatuses", []):
        if s.get("name") == container:
            return bool(s.get("state", {}).get("terminated")) or int(s.get("restartCount", 0)) > restarts
    return False
