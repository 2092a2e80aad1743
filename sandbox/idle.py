"""Knowing when the program in a pty has finished reacting to the keys it was sent.

Waiting for a quiet spell is wrong (editors wait 25-300 ms after ESC; load stretches any window).
Instead this reads ``/proc``: every process of the terminal's foreground process group must be
blocked waiting for input (``read``/``poll``/``select``/``epoll`` with no timeout or one of at least a
second) or for a child (``wait4``/``waitid``), and the terminal's input queue must be empty.

    probe = IdleProbe()
    state = probe.state(master_fd, slave_fd)    # Idle.IDLE, Idle.BUSY or Idle.UNKNOWN
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import struct
import termios
from collections.abc import Iterable, Mapping
from enum import Enum

#: Blocking syscalls by machine: name -> (number, index of the timeout argument, how it is given).
#: "ms" is an int of milliseconds (negative: none); "timeval"/"timespec" a pointer (NULL: none);
#: "none" means the call has no timeout at all.
_SYSCALLS: dict[str, dict[int, tuple[str, int, str]]] = {
    "x86_64": {
        0: ("read", 0, "none"), 7: ("poll", 2, "ms"), 23: ("select", 4, "timeval"),
        61: ("wait4", 0, "none"), 247: ("waitid", 0, "none"), 270: ("pselect6", 4, "timespec"),
        271: ("ppoll", 2, "timespec"), 232: ("epoll_wait", 3, "ms"), 281: ("epoll_pwait", 3, "ms"),
        441: ("epoll_pwait2", 3, "timespec"), 34: ("pause", 0, "none"),
        130: ("rt_sigsuspend", 0, "none"), 19: ("readv", 0, "none"),
    },
    "aarch64": {
        63: ("read", 0, "none"), 65: ("readv", 0, "none"), 72: ("pselect6", 4, "timespec"),
        73: ("ppoll", 2, "timespec"), 22: ("epoll_pwait", 3, "ms"), 441: ("epoll_pwait2", 3, "timespec"),
        260: ("wait4", 0, "none"), 95: ("waitid", 0, "none"), 133: ("rt_sigsuspend", 0, "none"),
    },
}
#: Waits of a thread that mean its program waits for the user or a child program (no timeout).
USER_WAITS = frozenset({"wait4", "waitid", "pause", "rt_sigsuspend"})
#: A wait with a timeout at least this long counts as waiting for the user.
LONG_TIMEOUT_S = 1.0
_TIOCGPTN = 0x80045430


class Idle(Enum):
    IDLE = "idle"
    BUSY = "busy"
    UNKNOWN = "unknown"  # /proc could not tell: the caller falls back to a quiet window
    GONE = "gone"  # no foreground process is left


def slave_name(master_fd: int) -> str:
    """The path of the pty slave that belongs to ``master_fd``."""
    number = struct.unpack("I", fcntl.ioctl(master_fd, _TIOCGPTN, b"\0\0\0\0"))[0]
    return f"/dev/pts/{number}"


def queued(fd: int) -> int:
    """Bytes waiting to be read on ``fd`` (FIONREAD)."""
    return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])


class IdleProbe:
    """Classifies the foreground process group of a pty from ``/proc``."""

    def __init__(self, machine: str | None = None) -> None:
        self._table = _SYSCALLS.get(machine or platform.machine(), {})

    @property
    def supported(self) -> bool:
        return bool(self._table) and os.path.exists("/proc/self/syscall")

    def state(self, master_fd: int, slave_fd: int | None, leader: int | None = None,
              since: Mapping[int, int] | None = None, echoed: bool = False) -> Idle:
        """The state of the terminal's foreground group.

        ``since`` is :func:`wakeups` taken before the last write: until some process of the tree has
        been scheduled again, the keys may still sit in the kernel's flip buffer (moved to the line
        discipline by a worker thread, invisible to FIONREAD), so the program counts as busy. A
        program reading whole lines is not woken before the line ends: then the echo of the keys
        (``echoed``: output arrived since the write) shows they reached the line discipline.
        """
        if not self.supported:
            return Idle.UNKNOWN
        if since is not None and leader is not None and not _reacted(since, leader, slave_fd, echoed):
            return Idle.BUSY
        try:
            pgid = os.tcgetpgrp(master_fd)
        except OSError:
            return Idle.GONE
        if slave_fd is not None and queued(slave_fd) > 0:
            return Idle.BUSY  # the program has not read all its keys yet
        if queued(master_fd) > 0:
            return Idle.BUSY  # output not yet read by us
        members = group_members(pgid, leader)
        if not members:
            return Idle.BUSY  # a job just ended and the shell has not taken the terminal back yet
        if all(_command(pid) == "bwrap" for pid in members):
            return Idle.BUSY  # the program has exited and the sandbox is winding down
        verdict = Idle.IDLE
        for pid in members:
            one = self.process_state(pid)
            if one is Idle.BUSY:
                return Idle.BUSY
            if one is Idle.UNKNOWN:
                verdict = Idle.UNKNOWN
        return verdict

    def process_state(self, pid: int) -> Idle:
        try:
            threads = len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            threads = 1
        verdict, call = self._call_state(f"/proc/{pid}/syscall", pid)
        if threads == 1 or verdict is not Idle.IDLE:
            return verdict if threads == 1 else self._threads_state(pid)
        # Several threads: vim keeps a timer thread and waits for keys on its main thread, while a Go
        # program (kubectl) waits for a server's reply in epoll there. Only a wait that involves the
        # terminal (or a child, or a signal) is a wait for the user.
        if call is not None and _on_terminal(pid, *call):
            return Idle.IDLE
        return self._threads_state(pid)

    def _call_state(self, path: str, pid: int) -> tuple[Idle, tuple[str, list[int]] | None]:
        """The state one thread's current system call says, and that call (name, arguments)."""
        try:
            with open(path, "rb") as f:
                text = f.read().decode()
        except ProcessLookupError:
            return Idle.IDLE, None  # gone since listed: it is not busy
        except OSError:
            return Idle.UNKNOWN, None
        fields = text.split()
        if not fields or fields[0] == "running" or fields[0] == "-1":
            return Idle.BUSY, None
        try:
            number = int(fields[0])
            args = [int(a, 16) for a in fields[1:7]]
        except ValueError:
            return Idle.UNKNOWN, None
        known = self._table.get(number)
        if known is None:
            return Idle.BUSY, None  # e.g. nanosleep, write: the program is doing something
        name, index, form = known
        if name in ("read", "readv") and not _is_terminal(pid, args[0]):
            # Blocked on a pipe or socket: waiting for another program (awk behind a kubectl that is
            # still talking to its server), not for the user.
            return Idle.BUSY, (name, args)
        if form == "none":
            return Idle.IDLE, (name, args)
        timeout = _timeout_seconds(pid, form, args[index])
        if timeout is None:
            return Idle.UNKNOWN, None
        return (Idle.IDLE if timeout < 0 or timeout >= LONG_TIMEOUT_S else Idle.BUSY), (name, args)

    def _threads_state(self, pid: int) -> Idle:
        """IDLE when some thread waits for the terminal or a child (no timeout) and none is running.

        A Go program waiting for a network reply has threads in futex and epoll only: that is BUSY, so
        a replay waits for kubectl's answer; ``kubectl edit`` has one in ``waitid`` for the editor.
        """
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return Idle.BUSY
        waiting = False
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/syscall", "rb") as f:
                    fields = f.read().decode().split()
            except OSError:
                continue
            if not fields or fields[0] in ("running", "-1"):
                return Idle.BUSY
            try:
                known = self._table.get(int(fields[0]))
                args = [int(a, 16) for a in fields[1:7]]
            except ValueError:
                return Idle.UNKNOWN
            if known is not None and known[0] in ("read", "readv", *USER_WAITS):
                waiting = waiting or _on_terminal(pid, known[0], args)
        return Idle.IDLE if waiting else Idle.BUSY


def _is_terminal(pid: int, fd: int) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}").startswith(("/dev/pts/", "/dev/tty", "/dev/console"))
    except OSError:
        return False


def _on_terminal(pid: int, name: str, args: list[int]) -> bool:
    """Whether a blocked call waits for the terminal, a child or a signal (not a file, pipe or socket)."""
    if name in USER_WAITS:
        return True
    if name in ("read", "readv"):
        return _is_terminal(pid, args[0])
    if name in ("select", "pselect6"):
        return any(_is_terminal(pid, fd) for fd in range(min(args[0], 64)))
    if name in ("poll", "ppoll"):
        count = min(args[1], 64)
        try:
            with open(f"/proc/{pid}/mem", "rb") as mem:
                mem.seek(args[0])
                raw = mem.read(8 * count)
        except (OSError, ValueError, OverflowError):
            return False
        fds = [struct.unpack_from("i", raw, 8 * i)[0] for i in range(len(raw) // 8)]
        return any(fd >= 0 and _is_terminal(pid, fd) for fd in fds)
    if name.startswith("epoll"):
        try:
            with open(f"/proc/{pid}/fdinfo/{args[0]}", encoding="ascii", errors="replace") as info:
                watched = [int(line.split()[1]) for line in info if line.startswith("tfd:")]
        except (OSError, ValueError, IndexError):
            return False
        return any(_is_terminal(pid, fd) for fd in watched)
    return False


def _timeout_seconds(pid: int, form: str, value: int) -> float | None:
    """The timeout of a blocked call in seconds; -1 for none; None when it cannot be read."""
    if form == "ms":
        signed = value - (1 << 64) if value >= 1 << 63 else value
        signed = signed - (1 << 32) if 1 << 31 <= signed < 1 << 32 else signed
        return -1.0 if signed < 0 else signed / 1000.0
    if value == 0:
        return -1.0  # NULL pointer: wait forever
    try:
        with open(f"/proc/{pid}/mem", "rb") as mem:
            mem.seek(value)
            raw = mem.read(16)
    except (OSError, ValueError, OverflowError):
        return None
    if len(raw) < 16:
        return None
    sec, frac = struct.unpack("qq", raw)
    return float(sec) + float(frac) / (1e6 if form == "timeval" else 1e9)


def _reacted(since: Mapping[int, int], leader: int, slave_fd: int | None, echoed: bool) -> bool:
    """Whether the keys written after ``since`` have reached the program (see IdleProbe.state)."""
    if any(count > since.get(pid, -1) for pid, count in wakeups(leader, since).items()):
        return True  # the processes known at the write: a few reads, no walk of the tree
    if any(count > since.get(pid, -1) for pid, count in wakeups(leader).items()):
        return True  # a process started since the tree was last walked
    if slave_fd is None:
        return True
    try:
        lflag = termios.tcgetattr(slave_fd)[3]
    except termios.error:
        return True
    if not lflag & termios.ICANON:
        return False  # a raw reader is woken by every key: not yet
    return echoed or not lflag & termios.ECHO  # unechoed line input cannot be seen: take it as read


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", "rb") as f:
            return f.read().decode(errors="replace").strip()
    except OSError:
        return ""


def wakeups(leader: int, known: Iterable[int] | None = None) -> dict[int, int]:
    """How often each process of ``leader``'s tree (or of ``known``) has been scheduled
    (``/proc/PID/schedstat``)."""
    counts = {}
    for pid in (known if known is not None else descendants(leader) or [leader]):
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/schedstat", "rb") as f:
            counts[pid] = int(f.read().split()[2])
    return counts


def group_members(pgid: int, leader: int | None = None) -> list[int]:
    """Live pids whose process group is ``pgid``.

    With ``leader`` only that process and its descendants are looked at (a few reads of
    ``/proc/PID/task/PID/children``); without it, or when that file is missing, all of ``/proc``.
    """
    candidates = descendants(leader) if leader is not None else None
    if candidates is None:
        candidates = [int(e.name) for e in os.scandir("/proc") if e.name.isdigit()]
    members = []
    for pid in candidates:
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            rest = stat[stat.rindex(b")") + 2:].split()
            if rest[0] != b"Z" and int(rest[2]) == pgid:
                members.append(pid)
    return members


def descendants(leader: int) -> list[int] | None:
    """``leader`` and all its descendants, or None when the kernel has no ``children`` files."""
    if not os.path.exists(f"/proc/{leader}/task/{leader}/children"):
        return [] if not os.path.exists(f"/proc/{leader}") else None
    found = [leader]
    i = 0
    while i < len(found):
        pid = found[i]
        i += 1
        with contextlib.suppress(OSError):
            for task in os.scandir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError), open(f"{task.path}/children", "rb") as f:
                    found.extend(int(c) for c in f.read().split())
    return found
