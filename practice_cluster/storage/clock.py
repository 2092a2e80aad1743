"""The cluster's clock: real time for people, a simulated clock that tests advance.

>>> clock = SimClock(start=1000.0)
>>> clock.advance(2.5); clock.now()
1002.5
>>> rfc3339(0.0)
'1970-01-01T00:00:00Z'
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time in epoch seconds."""

    simulated = False

    def now(self) -> float:
        return time.time()


class SimClock(Clock):
    """A clock that moves only when told; controllers see time pass in jumps."""

    simulated = True

    def __init__(self, start: float | None = None) -> None:
        self._now = float(int(time.time())) if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


def rfc3339(when: float) -> str:
    """Seconds to the apiserver's timestamp form (whole seconds, UTC, ``Z``)."""
    return datetime.fromtimestamp(int(when), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(when: float) -> str:
    """MicroTime, as events and leases carry it."""
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> float | None:
    """An RFC 3339 timestamp to epoch seconds; None for a missing or unreadable one."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
