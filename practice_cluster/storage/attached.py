"""The main processes of containers kept waiting for ``kubectl attach`` (``stdin: true``), and how they ended.

A container with ``stdin: true`` (``kubectl run -it``) runs, on the practice cluster, until a client
attaches: then its command runs for real in the container's sandbox, and when it exits the kubelet
ends the container with its exit code. This is the record between the two, by container instance
(namespace, pod uid, container, restart count).

    book = AttachedProcesses()
    book.claim(key)                 # False while another client is attached
    book.finish(key, 0, now)
    book.exit_of(key)               # (0, now)
"""

from __future__ import annotations

import threading
import time

Key = tuple[str, str, str, int]


class AttachedProcesses:
    def __init__(self) -> None:
        self._running: set[Key] = set()
        self._exits: dict[Key, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._streams: dict[int, tuple[bool, float]] = {}  # open exec/attach: (on a terminal, last traffic)
        self._next = 0
        self._ended = 0

    def opened(self, tty: bool) -> int:
        """Count an exec or attach connection as open; the token for ``touch`` and ``closed``."""
        with self._lock:
            self._next += 1
            self._streams[self._next] = (tty, time.monotonic())
            return self._next

    def touch(self, token: int) -> None:
        """Bytes went one way or the other on the connection ``token``."""
        with self._lock:
            if token in self._streams:
                self._streams[token] = (self._streams[token][0], time.monotonic())

    def closed(self, token: int) -> None:
        with self._lock:
            if self._streams.pop(token, None) is not None:
                self._ended += 1

    @property
    def ended(self) -> int:
        """How many exec and attach connections have ended so far."""
        with self._lock:
            return self._ended

    def streams_busy(self, quiet_s: float) -> bool:
        """Whether a connection is working: one without a terminal is until it ends; one on a terminal
        (a shell waiting for the learner) until nothing has gone either way for ``quiet_s``."""
        now = time.monotonic()
        with self._lock:
            return any(not tty or now - last < quiet_s for tty, last in self._streams.values())

    def claim(self, key: Key) -> bool:
        """Mark the process of ``key`` as started by one client; False when it runs or ran already."""
        with self._lock:
            if key in self._running or key in self._exits:
                return False
            self._running.add(key)
            return True

    def finish(self, key: Key, code: int, when: float) -> None:
        with self._lock:
            self._running.discard(key)
            self._exits[key] = (code, when)

    def exit_of(self, key: Key) -> tuple[int, float] | None:
        """(exit code, when) of the process of ``key`` once it ended, else None."""
        with self._lock:
            return self._exits.get(key)

    def running(self, key: Key) -> bool:
        with self._lock:
            return key in self._running
