"""Finding and killing the processes of an attempt, by the uid it runs as or by its session.

    kill_uid(61000)          # as root: every process of that uid, wherever it moved
    kill_session(pid)        # every process still in the session ``pid`` leads
    kill_marked([pid], mark) # not root: the sessions, and whatever carries the attempt's mark
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def process_count(uid: int) -> int:
    """Processes ``uid`` already has, zombies included: RLIMIT_NPROC counts them all, machine-wide
    (zombies too, until reaped: where pid 1 does not reap, orphans of earlier attempts linger)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += 1
    return count


def kill_uid(uid: int) -> None:
    """As root: SIGKILL every live process of ``uid`` (kill(-1) from a child that became that uid)."""
    for _ in range(3):
        if not live_processes(uid):
            return
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.001)  # SIGKILL is delivered asynchronously


def live_processes(uid: int) -> list[int]:
    """Pids of ``uid`` that are not zombies (a zombie is dead: only its parent can reap it)."""
    found = []
    for pid in all_pids():
        if uid_of(pid) != uid:
            continue
        with contextlib.suppress(OSError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_bytes()
            if not stat[stat.rindex(b")") + 2:].startswith(b"Z"):
                found.append(pid)
    return found


def kill_marked(leaders: list[int], mark: str) -> None:
    """Kill our processes in the sessions of ``leaders`` or with ``mark`` (NAME=value) in their
    environment, until none is left alive (up to a second: SIGKILL is delivered asynchronously)."""
    needle = mark.encode() + b"\0"
    uid = os.getuid()
    deadline = time.monotonic() + 1.0
    while True:
        found = []
        for pid in all_pids():
            if pid == os.getpid() or uid_of(pid) != uid:
                continue
            with contextlib.suppress(OSError, ValueError):
                stat = Path(f"/proc/{pid}/stat").read_bytes()
                fields = stat[stat.rindex(b")") + 2:].split()
                if fields[0] == b"Z":
                    continue
                if int(fields[3]) in leaders or needle in Path(f"/proc/{pid}/environ").read_bytes() + b"\0":
                    found.append(pid)
        if not found or time.monotonic() > deadline:
            return
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)


def kill_session(leader: int) -> None:
    """Kill every process whose session id is ``leader`` (plain mode, not root)."""
    for pid in all_pids():
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == leader:
                os.kill(pid, signal.SIGKILL)


def all_pids() -> list[int]:
    return [int(e.name) for e in os.scandir("/proc") if e.name.isdigit()]


def uid_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
