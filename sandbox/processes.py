"""Finding, killing and reaping the processes of an attempt, whatever they did to escape.

Two things keep an attempt's processes findable. The trainer is a *child subreaper*
(``PR_SET_CHILD_SUBREAPER``): a process whose parent dies is re-parented to the trainer, not to pid 1,
so the trainer can reap it (pid 1 of a container often reaps nothing). And each program an attempt
starts is a subreaper too, so that a ``setsid``, a double fork or a cleared environment still leaves
the escaping process among that program's descendants while it runs.

    become_subreaper()                  # once per trainer process
    kill_uid(61000)                     # as root: every process of that uid, wherever it moved
    kill_tree([pid], mark)              # not root: the tree, its sessions, what carries the mark
    reap(pids)                          # zombies among ``pids`` that are our children
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from sandbox.libc import libc

_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


def set_subreaper() -> bool:
    """Make the calling process a child subreaper (async-signal-safe enough for a preexec function)."""
    c = libc()
    return c is not None and c.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def set_parent_death_signal(signum: int) -> bool:
    """Have the kernel send ``signum`` to this process when its parent dies."""
    c = libc()
    return c is not None and c.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


_subreaper_of: dict[int, bool] = {}


def become_subreaper() -> bool:
    """Make this process (the trainer) a child subreaper, once per process; False where the kernel cannot.

    Keyed on the pid: a forked child (a worker of ``trainer verify``) does not inherit the setting.
    """
    pid = os.getpid()
    if pid not in _subreaper_of:
        _subreaper_of[pid] = set_subreaper()
    return _subreaper_of[pid]


def process_count(uid: int) -> int:
    """Processes ``uid`` already has, zombies included: RLIMIT_NPROC counts them all, machine-wide."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += 1
    return count


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2:].split()


def is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] == b"Z"


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.scandir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError):
                found += [int(c) for c in Path(task.path, "children").read_bytes().split()]
    return found


def tree(leaders: Iterable[int]) -> list[int]:
    """``leaders`` and all their descendants that are alive or zombies now."""
    found: list[int] = []
    seen: set[int] = set()
    queue = [p for p in leaders if os.path.exists(f"/proc/{p}")]
    while queue:
        pid = queue.pop()
        if pid in seen:
            continue
        seen.add(pid)
        found.append(pid)
        queue += children_of(pid)
    return found


def kill_uid(uid: int) -> None:
    """As root: SIGKILL every live process of ``uid`` (kill(-1) from a child that became that uid)."""
    for _ in range(50):
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
    return [pid for pid in all_pids() if uid_of(pid) == uid and not is_zombie(pid)]


def kill_tree(leaders: list[int], mark: str | None, uid: int | None = None, deadline_s: float = 2.0) -> None:
    """Kill the processes of ``uid`` (default: ours) in the trees and sessions of ``leaders`` or with
    ``mark`` (NAME=value) in their environment, until none is left alive.

    Each round stops, then kills, what it found (a stopped process cannot fork); the leaders go last,
    because while a leader lives every orphan of its tree is re-parented to it and stays in view.
    Processes seen once are followed by their start time even after they leave the tree.
    """
    needle = None if mark is None else mark.encode() + b"\0"
    uid = os.getuid() if uid is None else uid
    me = os.getpid()
    known: dict[int, int | None] = {}
    deadline = time.monotonic() + deadline_s
    while True:
        followed = [p for p, started in known.items() if started is not None and start_time(p) == started]
        found = set(tree([*leaders, *followed]))
        for pid in all_pids():
            if pid == me or pid in found or uid_of(pid) != uid:
                continue
            fields = _stat_fields(pid)
            if fields is None or fields[0] == b"Z":
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(fields[3]) in leaders or (
                        needle is not None and needle in Path(f"/proc/{pid}/environ").read_bytes() + b"\0"):
                    found.add(pid)
        found.discard(me)
        for pid in found:
            known.setdefault(pid, start_time(pid))
        alive = [p for p in found if not is_zombie(p) and uid_of(p) == uid]
        if not alive or time.monotonic() > deadline:
            return
        targets = [p for p in alive if p not in leaders] or alive
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in targets:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        time.sleep(0.002)


def kill_session(leader: int) -> None:
    """Kill every process whose session id is ``leader`` (plain mode, not root)."""
    for pid in all_pids():
        fields = _stat_fields(pid)
        with contextlib.suppress(OSError, ValueError, IndexError):
            if fields is not None and int(fields[3]) == leader:
                os.kill(pid, signal.SIGKILL)


def reap(pids: Iterable[int]) -> int:
    """Reap the zombies among ``pids`` that are children of this process; how many were reaped."""
    reaped = 0
    me = os.getpid()
    for pid in pids:
        if is_zombie(pid) and parent_of(pid) == me:
            with contextlib.suppress(ChildProcessError, OSError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    reaped += 1
    return reaped


def zombie_children() -> list[int]:
    """Zombies that are children of this process (its own, and orphans it adopted as a subreaper)."""
    return [pid for pid in children_of(os.getpid()) if is_zombie(pid)]


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().decode(errors="replace").strip()
    except OSError:
        return ""


def all_pids() -> list[int]:
    return [int(e.name) for e in os.scandir("/proc") if e.name.isdigit()]


def uid_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot): tells a live process from a later one with its pid."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None
