"""Pane render: a key pressed in the drill screen's terminal pane until the pane is re-rendered with the response.

Builds the real `trainer.drill_screen.DrillScreen` for the starter exercise ``vi-goto-line`` (seed 0, the editor
`trainer.runner.Engines.detect()` picks) with prompt_toolkit's ``create_pipe_input()`` and a real ``Vt100_Output``
of 129x25 writing into memory, so that the terminal pane is 80x24 (side by side from 110 columns: task 48 + rule 1
+ pane 80; the status bar takes a row). ``DrillScreen.run()`` runs in the main thread as in the trainer; a driver
thread types ``j`` and ``k`` in turn with ``send_text`` and times each key until the application's ``after_render``
fires for a frame whose pane content (`TerminalPane.create_content`) has the editor's cursor on the expected row:
the whole path of input parsing, key binding, pty write, the editor, the output reader pumping pyte, invalidate and
render. Each such frame is then checked, off the clock, on a screen emulator fed the Vt100 output: the terminal's
cursor sits in the pane on the expected row, and that row shows the expected ``entry N``.

Baseline, taking turns key by key: the same key through a `sandbox.session.Session` alone (a second `Drill` of the
same exercise at 80x24): ``send_bytes`` then ``wait_for`` the screen cursor on the expected row; no prompt_toolkit.
Also shown ("of which render"): the time inside ``Renderer.render`` (before_render to after_render) of the timed frames.
Target: pane p95 < 16 ms (one frame at 60 Hz) with a 24x80 pane.

    .venv/bin/python bench/pane_render.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from _figures import add_figures_option, write_figures
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.layout.controls import UIContent
from prompt_toolkit.output.vt100 import Vt100_Output

from sandbox.screen import Screen
from trainer.drill_screen import SIDE_BY_SIDE_COLUMNS, TASK_WIDTH, DrillScreen
from trainer.errors import TrainerError
from trainer.loader import instantiate, load_library
from trainer.model import Exercise
from trainer.runner import Drill, Engines

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
EXERCISE_ID = "vi-goto-line"
PANE_COLUMNS, PANE_ROWS = 80, 24
PANE_LEFT = TASK_WIDTH + 1  # the task pane and the rule
TERMINAL = Size(rows=PANE_ROWS + 1, columns=PANE_LEFT + PANE_COLUMNS)  # + the status bar
TARGET_P95_MS = 16.0
KEY_TIMEOUT_S = 5.0
START_TIMEOUT_S = 20.0
SETTLE_S = 0.5
F10 = "\x1b[21~"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class MemoryTerminal:
    """The stdout of the Vt100 output: keeps what prompt_toolkit wrote, for the frame check."""

    encoding = "utf-8"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[str] = []

    def write(self, data: str) -> int:
        with self._lock:
            self._chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def take(self) -> str:
        with self._lock:
            data = "".join(self._chunks)
            self._chunks.clear()
        return data


class FrameWatch:
    """Hooks on the application thread: what each frame's pane showed, and when the awaited one was drawn."""

    def __init__(self, screen: DrillScreen) -> None:
        self.screen = screen
        self.expected: tuple[int, str] | None = None  # (cursor row, text of that row in the pane)
        self.drawn = threading.Event()
        self.drawn_at = 0.0
        self.drawn_frame = 0  # the application's render counter at the awaited frame
        self.render_seconds = 0.0
        self.pane_sizes: set[tuple[int, int]] = set()  # of the awaited frames
        self._pane_size = (0, 0)
        self._pane_cursor: tuple[int, int] | None = None
        self._pane_row = ""
        self._render_started = 0.0
        create_content = screen.pane.create_content

        def recorded(width: int, height: int) -> UIContent:
            content = create_content(width, height)
            self._pane_size = (width, height)
            position = content.cursor_position
            if position is not None:
                self._pane_cursor = (position.y, position.x)
                self._pane_row = "".join(text for _, text, *_ in content.get_line(position.y))
            return content

        screen.pane.create_content = recorded  # type: ignore[method-assign]
        screen.app.before_render += self._before
        screen.app.after_render += self._after

    def expect(self, row: int, text: str) -> None:
        self.expected = (row, text)  # first: a frame drawn in between must not match the old expectation
        self.drawn.clear()

    def _before(self, _: object) -> None:
        self._render_started = time.perf_counter()

    def _after(self, _: object) -> None:
        now = time.perf_counter()
        expected = self.expected
        if expected is None or self.drawn.is_set():
            return
        if self._pane_cursor == (expected[0], 0) and self._pane_row.startswith(expected[1]):
            self.drawn_at = now
            self.render_seconds = now - self._render_started
            self.drawn_frame = self.screen.app.render_counter
            self.pane_sizes.add(self._pane_size)
            self.drawn.set()


def expected_line(row: int) -> str:
    return f"entry {row + 1}"


class Driver:
    """Types the keys from a thread while the application runs in the main thread; baseline in turns."""

    def __init__(self, screen: DrillScreen, watch: FrameWatch, pipe: PipeInput, terminal: MemoryTerminal,
                 baseline: Drill, keys: int) -> None:
        self.screen, self.watch, self.pipe, self.terminal = screen, watch, pipe, terminal
        self.baseline = baseline
        self.keys = keys
        self.emulator = Screen(TERMINAL.columns, TERMINAL.rows)
        self.pane: list[float] = []
        self.session: list[float] = []
        self.render: list[float] = []
        self.frames: list[int] = []  # frames drawn per pane key, the awaited one included
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, name="bench-driver", daemon=True)

    def _run(self) -> None:
        try:
            self._drive()
        except Exception as exc:  # reported by main(); the application must still be left
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.pipe.send_text(F10)  # leave the drill screen: DrillScreen.run() returns

    def _drive(self) -> None:
        self.watch.expect(0, expected_line(0))
        if not self.watch.drawn.wait(START_TIMEOUT_S):
            raise TrainerError(f"the pane never showed {expected_line(0)!r} at the top")
        time.sleep(SETTLE_S)  # start-up is not timed: let the first redraws (SIGWINCH) pass
        self._check_frame(0)
        for index in range(self.keys):
            key, row = ("j", 1) if index % 2 == 0 else ("k", 0)
            for setup in (("pane", "session") if index % 4 < 2 else ("session", "pane")):
                if setup == "pane":
                    self.pane.append(self._pane_key(key, row))
                else:
                    self.session.append(self._session_key(key, row))

    def _pane_key(self, key: str, row: int) -> float:
        self.watch.expect(row, expected_line(row))
        frame = self.screen.app.render_counter
        started = time.perf_counter()
        self.pipe.send_text(key)
        if not self.watch.drawn.wait(KEY_TIMEOUT_S):
            raise TrainerError(f"pane: {key!r} was never rendered with the cursor on row {row}")
        seconds = self.watch.drawn_at - started
        self.render.append(self.watch.render_seconds)
        self.frames.append(self.watch.drawn_frame - frame)
        self._check_frame(row)
        return seconds

    def _session_key(self, key: str, row: int) -> float:
        session = self.baseline.session
        assert session is not None
        started = time.perf_counter()
        session.send_bytes(key.encode())
        if not session.wait_for(lambda: session.screen.cursor() == (row, 0), KEY_TIMEOUT_S):
            raise TrainerError(f"session: {key!r} never moved the cursor to row {row}")
        return time.perf_counter() - started

    def _check_frame(self, row: int) -> None:
        """The terminal (fed everything prompt_toolkit wrote) shows the response in the pane."""
        self.emulator.feed(self.terminal.take().encode())
        cursor = self.emulator.cursor()
        line = self.emulator.lines()[row][PANE_LEFT:]
        if cursor != (row, PANE_LEFT) or not line.startswith(expected_line(row)):
            raise TrainerError(f"the terminal shows the cursor at {cursor} and row {row} as {line.rstrip()!r}, "
                               f"not {expected_line(row)!r} at {(row, PANE_LEFT)}")


def measure(exercise: Exercise, engines: Engines, keys: int) -> Driver:
    baseline = Drill(exercise, engines, columns=PANE_COLUMNS, rows=PANE_ROWS)
    try:
        terminal = MemoryTerminal()
        output = Vt100_Output(terminal, get_size=lambda: TERMINAL)  # type: ignore[arg-type]
        with create_pipe_input() as pipe:
            screen = DrillScreen(exercise, engines, "en", input=pipe, output=output)
            driver = Driver(screen, FrameWatch(screen), pipe, terminal, baseline, keys)
            driver.thread.start()
            screen.run()
            driver.thread.join(KEY_TIMEOUT_S)
            return driver
    finally:
        baseline.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="80 keys instead of 400 (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    keys = 80 if args.quick else 400
    library = load_library(EXERCISES)
    exercise = instantiate(library.template(EXERCISE_ID), 0)
    engines = Engines.detect()
    assert TERMINAL.columns >= SIDE_BY_SIDE_COLUMNS, "the layout must put the task beside the pane"
    try:
        driver = measure(exercise, engines, keys)
    except TrainerError as exc:
        print(f"pane render: cannot measure: {exc}")
        return 1
    if driver.error is not None or not driver.pane:
        print(f"pane render: cannot measure: {driver.error or 'no key was timed'}")
        return 1
    sizes = driver.watch.pane_sizes
    shown = " and ".join(f"{c}x{r}" for c, r in sorted(sizes))
    print(f"pane render: key sent -> pane rendered with the editor's response; {len(driver.pane)} keys (j/k) "
          f"on {EXERCISE_ID}, editor {engines.editor[0] if engines.editor else '?'}, terminal "
          f"{TERMINAL.columns}x{TERMINAL.rows}, pane {shown} (columns x rows)")
    print(f"{'setup':<22}{'p50 ms':>8}{'p95 ms':>9}{'max ms':>9}")
    figures = {"pane (drill screen)": driver.pane, "  of which render": driver.render,
               "session alone": driver.session}
    for name, values in figures.items():
        print(f"{name:<22}{percentile(values, 0.5) * 1e3:>8.2f}{percentile(values, 0.95) * 1e3:>9.2f}"
              f"{max(values) * 1e3:>9.2f}")
    frames = driver.frames
    by_frames = {n: [t for t, f in zip(driver.pane, frames, strict=True) if f == n] for n in sorted(set(frames))}
    print("frames drawn per pane key (a frame may come before the editor answers): "
          + ", ".join(f"{n}: {len(ts)} keys, p50 {percentile(ts, 0.5) * 1e3:.2f} ms" for n, ts in by_frames.items()))
    for q, label in ((0.5, "p50"), (0.95, "p95")):
        drawn, alone = percentile(driver.pane, q), percentile(driver.session, q)
        print(f"{label}: pane - session {(drawn - alone) * 1e3:.2f} ms, pane/session {drawn / alone:.2f}x")
    p95 = percentile(driver.pane, 0.95) * 1e3
    write_figures(args.figures, {"pane p50 ms": percentile(driver.pane, 0.5) * 1e3, "pane p95 ms": p95,
                                 "render p95 ms": percentile(driver.render, 0.95) * 1e3,
                                 "session p95 ms": percentile(driver.session, 0.95) * 1e3,
                                 "ratio pane/session p95": p95 / (percentile(driver.session, 0.95) * 1e3)})
    print(f"target pane p95 < {TARGET_P95_MS:.0f} ms at {PANE_ROWS}x{PANE_COLUMNS}: "
          f"{'met' if p95 < TARGET_P95_MS and sizes == {(PANE_COLUMNS, PANE_ROWS)} else 'MISSED'} "
          f"({p95:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
