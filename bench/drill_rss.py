"""Drill memory: the resident set of the trainer process during a vi drill, against bare imports of its libraries.

Spawns ``python -m trainer`` with ptyprocess in a 129x25 pty (so the drill screen's terminal pane is 80x24)
with ``TRAINER_DATA_DIR`` set to a fresh temporary directory, read through the project's screen emulator
(which answers prompt_toolkit's queries, as a terminal would). At the ``trainer>`` prompt it reads VmRSS,
types ``start vi-goto-line``, waits until the pane shows the editor's ``entry 1``, types 30 ``j`` (waits for
the cursor on ``entry 31``) and ``5dd`` (waits for ``entry 36`` there), samples VmRSS for 1 s, and reads
VmRSS and VmHWM (peak) from ``/proc/PID/status`` of the trainer process only (the sandboxed editor is
another process). Then F10 leaves the drill and ``quit`` ends the trainer (exit status 0 checked).

Baseline: ``python -c "import prompt_toolkit, pyte, yaml, jsonschema; input()"`` in the same kind of pty,
read once it blocks in ``input()``. Full run: 5 trainers and 5 baselines (medians); ``--quick``: one each.
Target: the trainer's RSS during the drill < 80 MB (MB = 2^20 bytes, as VmRSS counts kB of 1024).

    .venv/bin/python bench/drill_rss.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import tempfile
import time
from collections.abc import Sequence

from _figures import add_figures_option, write_figures
from _pty_terminal import PtyTerminal, clean_env

from trainer.drill_screen import TASK_WIDTH

ROWS, COLUMNS = 25, TASK_WIDTH + 1 + 80  # the pane: 80x24 beside the task, above the status bar
PANE_LEFT = TASK_WIDTH + 1
EXERCISE_ID = "vi-goto-line"
BASELINE_CODE = "import prompt_toolkit, pyte, yaml, jsonschema; input()"
TARGET_MB = 80.0
TIMEOUT_S = 20.0
SAMPLE_S = 1.0
F10 = "\x1b[21~"
#: The ``read`` syscall's number, to see the baseline blocked in ``input()`` (``/proc/PID/syscall``).
READ_SYSCALL = {"x86_64": 0, "aarch64": 63}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MB (2^20 bytes)."""
    figures = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                figures[name] = int(value.split()[0]) / 1024
    return figures


class DrillTerminal(PtyTerminal):
    """The trainer's terminal, which knows where the drill's pane starts."""

    def pane_row(self) -> str:
        """The pane's text on the terminal cursor's row (the editor's cursor line, in a drill)."""
        row, _ = self.screen.cursor()
        return self.screen.lines()[row][PANE_LEFT:].rstrip()


def trainer_drill(keys: int) -> dict[str, float]:
    """MB figures of one trainer: at its prompt, during the drill (RSS, max sampled, peak)."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as data_dir:
        terminal = DrillTerminal([sys.executable, "-m", "trainer"], clean_env(TRAINER_DATA_DIR=data_dir), ROWS, COLUMNS)
        try:
            pid = terminal.proc.pid
            terminal.wait_for(lambda: b"trainer>" in terminal.output, "the trainer> prompt")
            at_prompt = memory_mb(pid)["VmRSS"]
            terminal.send(f"start {EXERCISE_ID}\r")
            terminal.wait_for(lambda: terminal.screen.lines()[0][PANE_LEFT:].rstrip() == "entry 1",
                              "the editor's first line in the pane")
            terminal.send("j" * keys)
            terminal.wait_for(lambda: terminal.pane_row() == f"entry {keys + 1}", f"the cursor on entry {keys + 1}")
            terminal.send("5dd")
            terminal.wait_for(lambda: terminal.pane_row() == f"entry {keys + 6}", f"entry {keys + 6} after 5dd")
            sampled = 0.0
            deadline = time.monotonic() + SAMPLE_S
            while time.monotonic() < deadline:
                terminal.pump(0.05)
                sampled = max(sampled, memory_mb(pid)["VmRSS"])
            during = memory_mb(pid)
            left_at = len(terminal.output)
            terminal.send(F10)
            terminal.wait_for(lambda: b"trainer>" in terminal.output[left_at:], "the prompt after F10")
            terminal.send("quit\r")
            status = terminal.wait_exit()
            if status != 0:
                raise RuntimeError(f"the trainer ended with status {status}")
            return {"prompt": at_prompt, "drill": during["VmRSS"], "sampled": sampled, "peak": during["VmHWM"]}
        finally:
            terminal.close()


def baseline() -> dict[str, float]:
    """MB figures of bare Python holding the same libraries, idle in ``input()``."""
    read = READ_SYSCALL.get(platform.machine())

    def blocked_in_input(pid: int) -> bool:
        with open(f"/proc/{pid}/syscall", encoding="ascii") as f:
            fields = f.read().split()
        return len(fields) > 1 and fields[0] == str(read) and int(fields[1], 16) == 0

    terminal = PtyTerminal([sys.executable, "-c", BASELINE_CODE], clean_env(), ROWS, COLUMNS)
    try:
        pid = terminal.proc.pid
        if read is None:  # no syscall table for this machine: settle by time instead
            time.sleep(2.0)
        else:
            terminal.wait_for(lambda: blocked_in_input(pid), "the baseline blocked in input()")
        figures = memory_mb(pid)
        terminal.send("\r")
        if terminal.wait_exit() != 0:
            raise RuntimeError("the baseline did not exit cleanly")
        return {"idle": figures["VmRSS"], "peak": figures["VmHWM"]}
    finally:
        terminal.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one trainer and one baseline instead of five")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 5
    keys = 30
    trainers: list[dict[str, float]] = []
    baselines: list[dict[str, float]] = []
    try:
        for _ in range(runs):
            trainers.append(trainer_drill(keys))
            baselines.append(baseline())
    except (RuntimeError, OSError) as exc:
        print(f"drill rss: cannot measure: {exc}")
        return 1
    print(f"drill rss: `python -m trainer`, `start {EXERCISE_ID}`, {keys} x j, 5dd, in a {COLUMNS}x{ROWS} pty; "
          f"{runs} run{'s' if runs > 1 else ''}, medians; MB = 2^20 bytes")

    def median(rows: list[dict[str, float]], key: str) -> float:
        return percentile([row[key] for row in rows], 0.5)

    drill, peak = median(trainers, "drill"), max(row["peak"] for row in trainers)
    idle = median(baselines, "idle")
    print(f"{'trainer at the prompt, RSS':<42}{median(trainers, 'prompt'):>8.1f} MB")
    print(f"{'trainer in the drill, RSS':<42}{drill:>8.1f} MB")
    print(f"{'trainer in the drill, max RSS sampled 1 s':<42}{median(trainers, 'sampled'):>8.1f} MB")
    print(f"{'trainer peak (VmHWM), worst run':<42}{peak:>8.1f} MB")
    print(f"{'baseline idle RSS':<42}{idle:>8.1f} MB  (python -c {BASELINE_CODE!r})")
    print(f"{'baseline peak (VmHWM)':<42}{median(baselines, 'peak'):>8.1f} MB")
    print(f"ratio trainer drill RSS/baseline: {drill / idle:.2f}x (+{drill - idle:.1f} MB); "
          f"peak/baseline: {peak / idle:.2f}x")
    write_figures(args.figures, {"prompt RSS MB": median(trainers, "prompt"), "drill RSS MB": drill,
                                 "peak RSS MB": peak, "baseline RSS MB": idle, "ratio drill/baseline": drill / idle})
    print(f"target drill RSS < {TARGET_MB:.0f} MB: {'met' if drill < TARGET_MB else 'MISSED'} ({drill:.1f} MB, "
          f"peak {peak:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
