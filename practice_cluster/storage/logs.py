"""Container logs: the lines the simulated kubelet writes, by container instance.

>>> book = LogBook()
>>> book.write("default", "web", "web", 0, "hello")
>>> book.lines("default", "web", "web")
['hello']
"""

from __future__ import annotations

import threading

MAX_LINES = 2000


class LogBook:
    """Lines per container instance: (namespace, pod, container, restart count)."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str, str, int], list[str]] = {}
        self._lock = threading.Lock()

    def write(self, namespace: str, pod: str, container: str, restart: int, line: str) -> None:
        with self._lock:
            lines = self._lines.setdefault((namespace, pod, container, restart), [])
            lines.append(line)
            del lines[:-MAX_LINES]

    def lines(self, namespace: str, pod: str, container: str, restart: int | None = None) -> list[str]:
        with self._lock:
            if restart is None:
                runs = [k[3] for k in self._lines if k[:3] == (namespace, pod, container)]
                if not runs:
                    return []
                restart = max(runs)
            return list(self._lines.get((namespace, pod, container, restart), []))

    def forget(self, namespace: str, pod: str) -> None:
        with self._lock:
            for key in [k for k in self._lines if k[:2] == (namespace, pod)]:
                del self._lines[key]
