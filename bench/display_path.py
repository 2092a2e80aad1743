"""The display path: how long from a key sent until the screen shows the editor's whole response.

Measures, per key, the time from writing ``j`` or ``k`` to the pty until the screen's cursor sits at
column 0 of the row that shows the expected line of a 200-line file (``L001 ...`` .. ``L200 ...``),
for nvi and for ``vim -u NONE -C``, in two setups driven key by key in alternation so that machine
noise hits both alike:

* session: `sandbox.session.Session` in a `SandboxRoot` (bubblewrap where usable, as the trainer
  runs it), the editor installed with `install_editor`, waiting with ``session.wait_for(predicate)``;
* bare: the same editor binary with the same file and keys under ptyprocess, read with
  ``select``/``os.read`` into ``pyte.ByteStream`` + ``pyte.Screen`` (with the one fix that keeps
  vim's ``CSI > 4 ; 2 m`` from killing pyte's parser), no sandbox.

Start-up (bwrap, the editor's first screen) is excluded: only per-key latency is timed.
Target: session/bare median within 1.5x.

    .venv/bin/python bench/display_path.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import os
import select
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import ptyprocess
import pyte

from sandbox.editors import find_editor, install_editor
from sandbox.errors import SandboxError
from sandbox.isolation import SandboxRoot, SandboxUser
from sandbox.session import Session

ROWS, COLUMNS = 24, 80
FILE_LINES = 200
FILE_NAME = "lines.txt"
TARGET_RATIO = 1.5
KEY_TIMEOUT_S = 5.0


def file_text() -> str:
    return "".join(f"L{n:03d} alpha beta gamma delta\n" for n in range(1, FILE_LINES + 1))


def key_plan(span: int, rounds: int) -> list[tuple[str, int]]:
    """(key, line the cursor must then be on): ``j`` down ``span`` lines and ``k`` back, ``rounds`` times."""
    plan: list[tuple[str, int]] = []
    for _ in range(rounds):
        plan += [("j", n) for n in range(2, span + 2)]
        plan += [("k", n) for n in range(span, 0, -1)]
    return plan


def editor_argv(engine: str, exe: str) -> list[str]:
    return [exe, FILE_NAME] if engine == "nvi" else [exe, "-u", "NONE", "-C", FILE_NAME]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class _BareScreen(pyte.Screen):  # type: ignore[misc]
    """pyte's screen, minus the TypeError on private SGR (``CSI > 4 ; 2 m``) that drops vim's output."""

    def select_graphic_rendition(self, *attrs: int, private: bool = False) -> None:
        if not private:
            super().select_graphic_rendition(*attrs)


class BareEditor:
    """The editor under plain ptyprocess + pyte: the baseline."""

    def __init__(self, argv: list[str], cwd: str, env: dict[str, str]) -> None:
        self.proc = ptyprocess.PtyProcess.spawn(argv, cwd=cwd, env=env, dimensions=(ROWS, COLUMNS))
        self.screen = _BareScreen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def pump(self, timeout: float) -> int:
        ready, _, _ = select.select([self.proc.fd], [], [], timeout)
        if not ready:
            return 0
        try:
            data = os.read(self.proc.fd, 4096)
        except OSError:
            return 0
        self.stream.feed(data)
        return len(data)

    def shows(self, line: int) -> bool:
        cursor = self.screen.cursor
        return cursor.x == 0 and self.screen.display[cursor.y].startswith(f"L{line:03d}")

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            self.pump(0.01)
        return True

    def settle(self, quiet: float) -> None:
        """Read the start-up output until nothing came for ``quiet`` seconds (start-up is not timed)."""
        while self.pump(quiet):
            pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.proc.pid, 0)
        with contextlib.suppress(OSError):
            self.proc.fileobj.close()
        self.proc.closed = True


def session_shows(session: Session, line: int) -> bool:
    row, column = session.screen.cursor()
    return column == 0 and session.screen.lines()[row].startswith(f"L{line:03d}")


def measure_editor(engine: str, plan: list[tuple[str, int]]) -> tuple[list[float], list[float]]:
    """Per-key seconds (session, bare) for ``plan`` on ``engine``."""
    engine, exe = find_editor(engine)
    argv = editor_argv(engine, exe)
    text = file_text()
    with SandboxRoot.create(SandboxUser()) as root, tempfile.TemporaryDirectory(prefix="bench-bare-") as bare_dir:
        install_editor(root, engine, exe)
        (root.home / FILE_NAME).write_text(text, encoding="utf-8")
        root.hand_over()
        Path(bare_dir, FILE_NAME).write_text(text, encoding="utf-8")
        bare_env = {"TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": bare_dir,
                    "PATH": "/usr/bin:/bin"}
        session = Session.start(root, argv, env=root.environment(), columns=COLUMNS, rows=ROWS)
        bare = BareEditor(argv, bare_dir, bare_env)
        try:
            if not (session.wait_idle() and session.wait_for(lambda: session_shows(session, 1), KEY_TIMEOUT_S)):
                raise SandboxError(f"{engine} in the sandbox did not show its file: {session.screen.lines()}")
            if not bare.wait_for(lambda: bare.shows(1), KEY_TIMEOUT_S):
                raise SandboxError(f"bare {engine} did not show its file: {bare.screen.display}")
            bare.settle(0.3)
            session.wait_idle()
            timed_session: list[float] = []
            timed_bare: list[float] = []
            for index, (key, line) in enumerate(plan):
                for which in ((0, 1) if index % 2 else (1, 0)):
                    started = time.perf_counter()
                    if which == 0:
                        session.send((key,))
                        ok = session.wait_for(functools.partial(session_shows, session, line), KEY_TIMEOUT_S)
                        timed_session.append(time.perf_counter() - started)
                    else:
                        os.write(bare.proc.fd, key.encode())
                        ok = bare.wait_for(functools.partial(bare.shows, line), KEY_TIMEOUT_S)
                        timed_bare.append(time.perf_counter() - started)
                    if not ok:
                        where = "session" if which == 0 else "bare"
                        raise SandboxError(f"{engine} ({where}): key {index} {key!r} never showed line {line}")
            return timed_session, timed_bare
        finally:
            bare.close()
            session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a fifth of the keys (smoke run)")
    args = parser.parse_args(argv)
    plan = key_plan(80, 1) if args.quick else key_plan(FILE_LINES - 1, 2)
    print(f"display path: key sent -> screen shows the response; {len(plan)} keys (j/k) per editor, "
          f"{ROWS}x{COLUMNS}, {FILE_LINES}-line file")
    print(f"{'editor':<18}{'setup':<9}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}")
    worst = 0.0
    for engine, label in (("nvi", "nvi"), ("vim", "vim -u NONE -C")):
        try:
            timed_session, timed_bare = measure_editor(engine, plan)
        except SandboxError as exc:
            print(f"{label}: cannot measure: {exc}")
            return 1
        for setup, values in (("session", timed_session), ("bare", timed_bare)):
            print(f"{label:<18}{setup:<9}{percentile(values, 0.5) * 1e3:>10.3f}"
                  f"{percentile(values, 0.95) * 1e3:>9.3f}{max(values) * 1e3:>9.3f}")
        median_ratio = percentile(timed_session, 0.5) / percentile(timed_bare, 0.5)
        p95_ratio = percentile(timed_session, 0.95) / percentile(timed_bare, 0.95)
        worst = max(worst, median_ratio)
        print(f"{label:<18}ratio session/bare: median {median_ratio:.2f}x, p95 {p95_ratio:.2f}x "
              f"(target median <= {TARGET_RATIO}x)")
    print(f"worst median ratio {worst:.2f}x: {'meets' if worst <= TARGET_RATIO else 'MISSES'} the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
