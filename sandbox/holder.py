"""The holder of a plain sandbox's program when the trainer is not root: a subreaper that outlives it.

Without bubblewrap's pid namespace or a uid of the attempt's own, nothing else keeps track of a process
that leaves its session (``setsid``), clears its environment (``env -i``) and is orphaned by a double
fork or by its shell exiting. The holder is the pty's session leader and a child subreaper: it runs the
program as its child, so every orphan of the attempt becomes the holder's child; when the program ends
it kills and reaps whatever is left, then exits with the program's status.

Run as a script by the standard library alone (``python -I -S holder.py -- PROGRAM ARGS``):

    argv = [sys.executable, "-I", "-S", HOLDER, "--", "ksh93", "-i"]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time

HOLDER = os.path.abspath(__file__)
_PR_SET_CHILD_SUBREAPER = 36


def holder_command(argv: list[str]) -> list[str]:
    """``argv`` run under the holder, by a Python this user may run (the holder needs the standard
    library only); ``argv`` alone where there is none."""
    for python in (sys.executable, "/usr/bin/python3"):
        if python and os.access(python, os.X_OK) and os.access(HOLDER, os.R_OK):
            return [python, "-I", "-S", HOLDER, "--", *argv]
    return list(argv)


def _children() -> list[int]:
    found: list[int] = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children", "rb") as f:
                found += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return found


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def hold(argv: list[str]) -> int:
    ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTOU, signal.SIGTTIN):
        signal.signal(sig, signal.SIG_IGN)  # the program's, not the holder's (it is not in the foreground)
    program = os.fork()

    def stop(signum: int, frame: object) -> None:  # the terminal closed, or the trainer ends the attempt
        with contextlib.suppress(OSError):
            os.kill(program, signal.SIGKILL)

    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGTERM, stop)
    if program == 0:
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTOU, signal.SIGTTIN, signal.SIGHUP,
                    signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        try:
            os.execvp(argv[0], argv)
        except OSError as exc:
            print(f"{argv[0]}: {exc.strerror}", file=sys.stderr)
            os._exit(127)
    status = 0
    while True:
        try:
            pid, raw = os.wait()
        except ChildProcessError:
            break
        if pid == program:
            status = os.waitstatus_to_exitcode(raw)
            break
    while True:  # the program has ended: what it left goes too (orphans come to the holder)
        left = _children()
        if not left:
            break
        for pid in left:
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        time.sleep(0.002)
        _reap_all()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":  # pragma: no cover - runs in the sandbox
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    sys.exit(hold(args) if args else 2)
