"""A program running in a pseudo-terminal inside a sandbox, watched through a screen.

This module owns the live side of an attempt: spawning the program in a pty (ptyprocess), sending
keys and logging them with a time, pumping output into the screen with a per-call byte cap and a
whole-attempt output budget, answering terminal queries, resizing, waiting until the program is idle
or has exited, and the kill at the end.

    with Session.start(root, ["ksh93", "-i"], env=root.environment()) as s:
        s.wait_idle()
        s.send(parse_keys("ls<CR>")); s.wait_idle()
        print(s.screen.snapshot().text())
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ptyprocess

from sandbox.errors import SandboxError
from sandbox.idle import Idle, IdleProbe, descendants, slave_name, wakeups
from sandbox.isolation import SandboxRoot
from sandbox.keys import decode_input, encode_keys
from sandbox.limits import Limits
from sandbox.screen import Mark, Screen

#: When /proc cannot tell, a program is taken as idle after this much silence (longer than the
#: editors' ESC timeouts: vim 100 ms, nvi 300 ms at its default).
QUIET_FALLBACK_S = 0.6
READ_CHUNK = 4096
#: How often what the attempt wrote to disk is looked at (a statvfs with a tmpfs, a walk without).
DISK_CHECK_S = 0.25
#: How often a busy program is looked at again, by how long it has been busy without output: at
#: once at first (most keys settle within a few ms), then less often (a kubectl waiting seconds for a
#: rollout would otherwise cost the trainer a core in /proc reads). Output wakes the wait at once.
BUSY_POLL_S = ((0.02, 0.0005), (0.2, 0.005), (float("inf"), 0.02))


def _busy_poll(busy_for: float) -> float:
    """The pause before looking again at a program busy for ``busy_for`` seconds without output.

    >>> _busy_poll(0.0), _busy_poll(0.1), _busy_poll(3.0)
    (0.0005, 0.005, 0.02)
    """
    return next(pause for limit, pause in BUSY_POLL_S if busy_for < limit)


@dataclass(frozen=True)
class Note:
    """Something that happened to an attempt that the learner must be told: a code the trainer words in
    each language (``note_<code>`` in trainer/messages.py) and the values its sentence needs.

    >>> Note.of("flooded", kib=8192).values
    (('kib', '8192'),)
    """

    code: str
    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **values: object) -> Note:
        return cls(code, tuple((k, str(v)) for k, v in sorted(values.items())))


@dataclass(frozen=True)
class KeyEvent:
    """One key the learner sent, ``t`` seconds after the session started, in key notation."""

    t: float
    key: str


#: The most output a session keeps for its recording (the screen itself is never capped this way).
OUTPUT_LOG_BYTES = 1 << 20


class Session:
    """One program in one pty. Not thread-safe: one caller drives it."""

    def __init__(self, proc: Any, root: SandboxRoot, screen: Screen, limits: Limits,
                 clock: Callable[[], float]) -> None:
        self._proc = proc
        self.root = root
        self.screen = screen
        self.limits = limits
        self._clock = clock
        self.started = clock()
        self.keys: list[KeyEvent] = []
        self.marks: list[Mark] = []
        self.notes: list[Note] = []
        self.output_bytes = 0
        #: What the program wrote, with when (seconds after the start), for a recording; capped.
        self.output_log: list[tuple[float, bytes]] = []
        self.output_logged = 0
        self.flooded = False
        self.timed_out = False
        self.disk_stopped = False
        self._disk_full_noted = False
        self._disk_checked = self.started
        self._since: dict[int, int] | None = None
        self._tree: list[int] | None = None  # the process tree when the program was last idle
        self._home_group: int | None = None  # the terminal's foreground group when the program first waited
        self._echoed = False
        self._probe = IdleProbe()
        self._last_output = self.started
        self._exit_status: int | None = None
        self._closed = False
        try:
            self._slave: int | None = os.open(slave_name(proc.fd), os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            self._slave = None

    @classmethod
    def start(cls, root: SandboxRoot, argv: Sequence[str], *, env: dict[str, str], columns: int = 80,
              rows: int = 24, limits: Limits | None = None,
              clock: Callable[[], float] = time.monotonic) -> Session:
        limits = limits or Limits()
        try:
            proc = ptyprocess.PtyProcess.spawn(
                root.command(argv), env=env, cwd=root.host_cwd(), dimensions=(rows, columns),
                preexec_fn=root.preexec(limits))
        except (OSError, ptyprocess.PtyProcessError) as exc:
            raise SandboxError(f"cannot start {argv[0]}: {exc}") from exc
        root.track(proc.pid)
        return cls(proc, root, Screen(columns, rows), limits, clock)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- input ---------------------------------------------------------------------------------
    @property
    def fd(self) -> int:
        return int(self._proc.fd)

    @property
    def pid(self) -> int:
        return int(self._proc.pid)

    def send(self, keys: Iterable[str]) -> None:
        """Send keys given as notation tokens (``("d", "d", "<Esc>")``) and log them."""
        tokens = tuple(keys)
        if not tokens:
            return
        now = self._clock() - self.started
        self.keys.extend(KeyEvent(now, k) for k in tokens)
        self._write(encode_keys(tokens, app_cursor=self.screen.app_cursor))

    def send_bytes(self, data: bytes) -> None:
        """Send raw bytes a terminal produced (the drill screen's path) and log them as keys."""
        now = self._clock() - self.started
        self.keys.extend(KeyEvent(now, k) for k in decode_input(data))
        self._write(data)

    def _write(self, data: bytes) -> None:
        # Before the write: the program must react after it. The tree walked when the program was
        # last idle will do (a process started since then shows up as new, see idle._reacted).
        self._since = wakeups(self.pid, self._tree)
        self._echoed = False
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                self.pump(timeout=0.01)
                continue
            except OSError:
                return  # the program has gone; what it left is observed as it is
            view = view[n:]

    # -- output --------------------------------------------------------------------------------
    def pump(self, timeout: float = 0.0, max_bytes: int = 65536) -> int:
        """Read what the program wrote (at most ``max_bytes``) into the screen; return the count."""
        total = 0
        wait = timeout
        while total < max_bytes:
            try:
                ready, _, _ = select.select([self.fd], [], [], wait)
            except (OSError, ValueError):
                break
            if not ready:
                break
            try:
                data = os.read(self.fd, READ_CHUNK)
            except OSError:
                break
            if not data:
                break
            wait = 0.0
            total += len(data)
            if self.output_logged < OUTPUT_LOG_BYTES:
                kept = data[:OUTPUT_LOG_BYTES - self.output_logged]
                self.output_log.append((self._clock() - self.started, kept))
                self.output_logged += len(kept)
            self.marks.extend(self.screen.feed(data))
            replies = self.screen.take_replies()
            if replies:
                self._write(replies)
        self.tick()
        if total:
            self._echoed = True
            self._last_output = self._clock()
            self.output_bytes += total
            if self.output_bytes > self.limits.output_bytes and not self.flooded:
                self._stop_flood()
        return total

    def tick(self) -> None:
        """The checks that need no output to happen: the wall-clock limit, and (every DISK_CHECK_S) what the
        attempt wrote to disk. Called by ``pump``, and by whoever watches a silent program."""
        if not self.timed_out and self.elapsed() > self.limits.wall_seconds:
            self.timed_out = True
            self.notes.append(Note.of("wall_time", seconds=f"{self.limits.wall_seconds:g}"))
            self.root.kill_all()
        now = self._clock()
        if now - self._disk_checked < DISK_CHECK_S or self.disk_stopped:
            return
        self._disk_checked = now
        state = self.root.disk_state()
        mib = self.root.disk_limit // (1024 * 1024)
        if state == "full" and not self._disk_full_noted:
            self._disk_full_noted = True
            self.notes.append(Note.of("disk_full", mib=mib))
        elif state == "over":
            self.disk_stopped = True
            self.notes.append(Note.of("disk_budget", mib=mib))
            self.root.kill_all()

    def _stop_flood(self) -> None:
        self.flooded = True
        self.notes.append(Note.of("flooded", kib=self.limits.output_bytes // 1024))
        with contextlib.suppress(OSError):
            pgid = os.tcgetpgrp(self.fd)
            if pgid != self.pid:  # stop the flooding job, keep the shell
                os.killpg(pgid, signal.SIGKILL)
            else:
                self.root.kill_all()

    # -- waiting -------------------------------------------------------------------------------
    def idle_state(self) -> Idle:
        if not self.alive:
            return Idle.GONE
        return self._probe.state(self.fd, self._slave, self.pid, self._since, self._echoed)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Pump until the program waits for input (seen twice in a row) or exits; False on timeout."""
        deadline = self._clock() + timeout
        in_a_row = 0
        busy_since: float | None = None
        while self._clock() < deadline:
            got = self.pump(timeout=0.001 if in_a_row else 0.0)
            state = self.idle_state()
            if state is Idle.GONE:
                self.pump(timeout=0.01)
                return True
            if state is Idle.UNKNOWN:
                if not got and self._clock() - self._last_output >= QUIET_FALLBACK_S:
                    return True
                self.pump(timeout=0.01)
                continue
            if state is Idle.IDLE and not got:
                in_a_row += 1
                if in_a_row >= 2:
                    self._tree = descendants(self.pid)
                    if self._home_group is None:
                        with contextlib.suppress(OSError):
                            self._home_group = os.tcgetpgrp(self.fd)
                    return True
            else:
                in_a_row = 0
                now = self._clock()
                busy_since = now if busy_since is None or got else busy_since
                self.pump(timeout=_busy_poll(now - busy_since))
        return False

    def shell_has_terminal(self) -> bool:
        """Whether the program that started (the shell) is again the terminal's foreground, no job of its
        holding the terminal; True when that is unknown (it never waited for input, or /proc cannot tell)."""
        if self._home_group is None or not self.alive:
            return True
        try:
            return os.tcgetpgrp(self.fd) == self._home_group
        except OSError:
            return True

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Pump until ``predicate()`` holds; False on timeout."""
        deadline = self._clock() + timeout
        while not predicate():
            if self._clock() >= deadline:
                return False
            self.pump(timeout=0.01)
        return True

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """Pump until the program exits; its exit status, or None if it is still running."""
        self.wait_for(lambda: not self.alive, timeout)
        self.pump(timeout=0.0)
        return self.exit_status

    @property
    def alive(self) -> bool:
        if self._exit_status is not None:
            return False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
        self._exit_status = os.waitstatus_to_exitcode(status)
        return False

    @property
    def exit_status(self) -> int | None:
        return None if self.alive else self._exit_status

    def resize(self, columns: int, rows: int) -> None:
        """Resize the screen, then the pty (the program gets SIGWINCH)."""
        self.screen.resize(columns, rows)
        with contextlib.suppress(OSError):
            self._proc.setwinsize(rows, columns)

    def elapsed(self) -> float:
        return self._clock() - self.started

    def close(self) -> None:
        """Kill the program and everything it started; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.alive:  # (reaps it if it already exited, keeping its status)
            self.root.kill_all()  # its whole tree first, the program last: orphans stay in view
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)  # the outer bwrap: its pid namespace goes with it
            with contextlib.suppress(OSError, ChildProcessError):
                _, status = os.waitpid(self.pid, 0)  # reaped before the sweep, so no zombie of ours lingers
                self._exit_status = os.waitstatus_to_exitcode(status)
        self.root.kill_all()
        with contextlib.suppress(OSError):
            self.pump(timeout=0.0)
        if self._slave is not None:
            os.close(self._slave)
        with contextlib.suppress(OSError):
            self._proc.fileobj.close()  # not proc.close(): it sleeps 0.1 s and waits again
        self._proc.closed = True
