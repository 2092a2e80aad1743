"""A program in a pseudo-terminal for the benchmarks that drive `python -m trainer` as a person would:
read through `sandbox.screen.Screen` (which answers the terminal queries prompt_toolkit sends),
typed into with `send`, waited on with `wait_for`/`wait_until`.

    terminal = PtyTerminal([sys.executable, "-m", "trainer"], clean_env(), rows=24, columns=80)
    terminal.wait_for(lambda: b"trainer>" in terminal.output, "the prompt")
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable

import ptyprocess

from sandbox.screen import Screen

TIMEOUT_S = 20.0


class PtyTerminal:
    """A program in a pty, seen through `sandbox.screen.Screen`, which answers the program's queries."""

    def __init__(self, argv: list[str], env: dict[str, str], rows: int, columns: int) -> None:
        self.proc = ptyprocess.PtyProcess.spawn(argv, env=env, dimensions=(rows, columns))
        self.screen = Screen(columns, rows)
        self.output = bytearray()
        self.eof = False

    def pump(self, timeout: float) -> None:
        """Read what arrived within ``timeout`` into the screen; answer what it asked."""
        ready, _, _ = select.select([self.proc.fd], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.proc.fd, 65536)
        except OSError:  # EIO: every process holding the pty's slave has gone
            data = b""
        if not data:
            self.eof = True
            return
        self.output += data
        self.screen.feed(data)
        replies = self.screen.take_replies()
        if replies:
            os.write(self.proc.fd, replies)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = TIMEOUT_S) -> bool:
        """Pump until ``predicate()`` holds; False when the time runs out or the output ends."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.eof or time.monotonic() >= deadline:
                return False
            self.pump(min(0.05, max(0.0, deadline - time.monotonic())))
        return True

    def wait_for(self, predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
        """Pump until ``predicate()`` holds; RuntimeError naming ``what`` and showing the screen if not."""
        if not self.wait_until(predicate, timeout):
            shown = "\n".join(line.rstrip() for line in self.screen.lines() if line.strip())
            raise RuntimeError(f"waited in vain for {what}; the screen shows:\n{shown}")

    def send(self, text: str) -> None:
        os.write(self.proc.fd, text.encode())

    def wait_exit(self, timeout: float = TIMEOUT_S) -> int | None:
        """Read until the pty closes; the exit status, or None if the program is still running."""
        self.wait_until(lambda: self.eof, timeout)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.closed = True
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.005)
        return None

    def close(self) -> None:
        if not self.proc.closed:
            with contextlib.suppress(OSError):
                os.kill(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.proc.pid, 0)
        with contextlib.suppress(OSError):
            self.proc.fileobj.close()  # not proc.close(): it sleeps 0.1 s
        self.proc.closed = True


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    return {**env, "TERM": "xterm", "LANG": "C.UTF-8", "TRAINER_LANG": "en", **extra}
