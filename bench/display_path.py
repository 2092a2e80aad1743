"""The display path: how long from a key sent until the screen shows the editor's whole response.

Measures, per key, the time from writing ``j`` or ``k`` to the pty until the screen's cursor sits at
column 0 of the row that shows the expected line of a 200-line file (``L001 ...`` .. ``L200 ...``),
for nvi and for ``vim -u NONE -C`` (the same binary, flags, file and keys everywhere), in setups
that take turns key by key so that machine noise hits them alike:

* session: `sandbox.session.Session` in a `SandboxRoot` (bubblewrap where usable, as the trainer
  runs it), the editor installed with `install_editor`, waiting with ``session.wait_for(predicate)``
  where the predicate reads ``session.screen.cursor()`` and ``session.screen.lines()``;
* session+buffer: the same, but the predicate reads the session's pyte buffer as the bare one does
  (a diagnostic: it separates the cost of the screen wrapper's accessors from the rest of the path);
* bare: the editor under ptyprocess, read with ``select``/``os.read`` into ``pyte.ByteStream`` +
  ``pyte.Screen`` (with the one fix that keeps vim's ``CSI > 4 ; 2 m`` from killing pyte's parser),
  no sandbox; its predicate reads pyte's buffer (pyte's ``display`` costs ~1 ms a call).

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
from _figures import add_figures_option, write_figures

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
        # The buffer, not pyte's ``display``: that property costs ~1 ms (wcwidth on every cell).
        cursor = self.screen.cursor
        row = self.screen.buffer[cursor.y]
        return cursor.x == 0 and "".join(row[x].data for x in range(4)) == f"L{line:03d}"

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
    """The trainer's way: the screen wrapper's ``cursor()`` and ``lines()``."""
    row, column = session.screen.cursor()
    return column == 0 and session.screen.lines()[row].startswith(f"L{line:03d}")


def session_buffer_shows(session: Session, line: int) -> bool:
    """The bare predicate on the session's pyte screen: separates the wrapper's cost from the rest."""
    screen = session.screen.pyte_screen
    row = screen.buffer[screen.cursor.y]
    return screen.cursor.x == 0 and "".join(row[x].data for x in range(4)) == f"L{line:03d}"


#: Setup names, in the order they are printed.
SETUPS = ("session", "session+buffer", "bare")


def measure_editor(engine: str, plan: list[tuple[str, int]]) -> dict[str, list[float]]:
    """Per-key seconds per setup for ``plan`` on ``engine``; the setups take turns key by key."""
    engine, exe = find_editor(engine)
    argv = editor_argv(engine, exe)
    text = file_text()
    with contextlib.ExitStack() as stack:
        sessions: list[Session] = []
        for _ in range(2):
            root = stack.enter_context(SandboxRoot.create(SandboxUser()))
            install_editor(root, engine, exe)
            (root.home / FILE_NAME).write_text(text, encoding="utf-8")
            root.hand_over()
            session = stack.enter_context(Session.start(root, argv, env=root.environment(),
                                                        columns=COLUMNS, rows=ROWS))
            if not (session.wait_idle() and session.wait_for(functools.partial(session_shows, session, 1),
                                                             KEY_TIMEOUT_S)):
                raise SandboxError(f"{engine} in the sandbox did not show its file: {session.screen.lines()}")
            sessions.append(session)
        bare_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-bare-"))
        Path(bare_dir, FILE_NAME).write_text(text, encoding="utf-8")
        bare_env = {"TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": bare_dir,
                    "PATH": "/usr/bin:/bin"}
        bare = BareEditor(argv, bare_dir, bare_env)
        stack.callback(bare.close)
        if not bare.wait_for(functools.partial(bare.shows, 1), KEY_TIMEOUT_S):
            raise SandboxError(f"bare {engine} did not show its file: {bare.screen.display}")
        bare.settle(0.3)
        for session in sessions:
            session.wait_idle()

        def send_session(session: Session, key: str) -> None:
            session.send((key,))

        def send_bare(key: str) -> None:
            os.write(bare.proc.fd, key.encode())

        setups: dict[str, tuple[Callable[[str], None], Callable[[int], bool], Callable[..., bool]]] = {
            "session": (functools.partial(send_session, sessions[0]),
                        functools.partial(session_shows, sessions[0]), sessions[0].wait_for),
            "session+buffer": (functools.partial(send_session, sessions[1]),
                               functools.partial(session_buffer_shows, sessions[1]), sessions[1].wait_for),
            "bare": (send_bare, bare.shows, bare.wait_for),
        }
        timed: dict[str, list[float]] = {name: [] for name in SETUPS}
        for index, (key, line) in enumerate(plan):
            order = SETUPS[index % 3:] + SETUPS[:index % 3]  # each setup goes first as often
            for name in order:
                send, shows, wait_for = setups[name]
                started = time.perf_counter()
                send(key)
                ok = wait_for(functools.partial(shows, line), KEY_TIMEOUT_S)
                timed[name].append(time.perf_counter() - started)
                if not ok:
                    raise SandboxError(f"{engine} ({name}): key {index} {key!r} never showed line {line}")
        return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of j/k instead of five (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    plan = key_plan(FILE_LINES - 1, 1 if args.quick else 5)
    print(f"display path: key sent -> screen shows the response; {len(plan)} keys (j/k) per editor, "
          f"{ROWS}x{COLUMNS}, {FILE_LINES}-line file")
    print(f"{'editor':<18}{'setup':<16}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}")
    worst = 0.0
    figures: dict[str, float] = {}
    for engine, label in (("nvi", "nvi"), ("vim", "vim -u NONE -C")):
        try:
            timed = measure_editor(engine, plan)
        except SandboxError as exc:
            print(f"{label}: cannot measure: {exc}")
            return 1
        for setup in SETUPS:
            values = timed[setup]
            figures[f"{engine} {setup} median ms"] = percentile(values, 0.5) * 1e3
            print(f"{label:<18}{setup:<16}{percentile(values, 0.5) * 1e3:>10.3f}"
                  f"{percentile(values, 0.95) * 1e3:>9.3f}{max(values) * 1e3:>9.3f}")
        bare = timed["bare"]
        for setup in SETUPS[:2]:
            median_ratio = percentile(timed[setup], 0.5) / percentile(bare, 0.5)
            p95_ratio = percentile(timed[setup], 0.95) / percentile(bare, 0.95)
            if setup == "session":
                worst = max(worst, median_ratio)
            print(f"{label:<18}ratio {setup}/bare: median {median_ratio:.2f}x, p95 {p95_ratio:.2f}x")
    write_figures(args.figures, {**figures, "worst session/bare median ratio": worst})
    print(f"session/bare, worst median ratio {worst:.2f}x (target <= {TARGET_RATIO}x): "
          f"{'meets' if worst <= TARGET_RATIO else 'MISSES'} the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
