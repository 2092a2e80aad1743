"""REPL cold start: ``python -m trainer`` from spawn to its ``trainer>`` prompt, against importing prompt_toolkit.

Times, 10 runs each taking turns (after one untimed warm-up each):

* trainer: ``python -m trainer`` (the REPL: packs loaded, engines detected, progress opened) spawned with
  ptyprocess in a 24x80 pty with ``TRAINER_DATA_DIR`` set to one data directory kept across runs (a
  returning learner: the progress file and the pack cache exist), read
  through the project's screen emulator (which answers prompt_toolkit's cursor-position request, as a
  terminal would) until ``trainer>`` appears in the output; then ``quit`` is typed and the exit waited for
  (its time is shown, not in the start time);
* trainer, first run: the same with a fresh data directory per run (no progress file, no pack cache:
  every pack file parsed and validated);
* baseline: ``python -c "import prompt_toolkit"`` with ``subprocess.run``, to its exit;
* for reference: ``python -c pass``.

Prints the medians, the trainer's extra time over the baseline and the ratio.
Target: trainer start median < 0.4 s.

    .venv/bin/python bench/repl_start.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

from _figures import add_figures_option, write_figures
from _pty_terminal import PtyTerminal, clean_env

ROWS, COLUMNS = 24, 80
PROMPT = b"trainer>"
TARGET_S = 0.4
TIMEOUT_S = 20.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def start_trainer(data_dir: str) -> tuple[float, float]:
    """(seconds from spawn to ``trainer>``, seconds from ``quit`` to the exit)."""
    started = time.perf_counter()
    terminal = PtyTerminal([sys.executable, "-m", "trainer"], clean_env(TRAINER_DATA_DIR=data_dir), ROWS, COLUMNS)
    try:
        if not terminal.wait_until(lambda: PROMPT in terminal.output):
            raise RuntimeError(f"no prompt: {bytes(terminal.output[-300:])!r}")
        prompted = time.perf_counter()
        terminal.send("quit\r")
        status = terminal.wait_exit()
        if status != 0:
            raise RuntimeError(f"`quit` ended with status {status}: {bytes(terminal.output[-300:])!r}")
        return prompted - started, time.perf_counter() - prompted
    finally:
        terminal.close()


def run_python(code: str) -> float:
    env = clean_env()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 runs instead of 10 (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    runs = 2 if args.quick else 10
    baselines = {"import prompt_toolkit": "import prompt_toolkit", "python -c pass": "pass"}
    times: dict[str, list[float]] = {name: [] for name in ("trainer", "trainer, first run", *baselines)}
    quits: list[float] = []
    kept = tempfile.TemporaryDirectory(prefix="bench-repl-")
    try:
        for run in range(runs + 1):  # run 0 warms the caches up
            seconds, quit_seconds = start_trainer(kept.name)
            if run:
                times["trainer"].append(seconds)
                quits.append(quit_seconds)
            with tempfile.TemporaryDirectory(prefix="bench-repl-") as fresh:
                seconds, _ = start_trainer(fresh)
            if run:
                times["trainer, first run"].append(seconds)
            for name, code in baselines.items():
                seconds = run_python(code)
                if run:
                    times[name].append(seconds)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"repl start: cannot measure: {exc}")
        return 1
    finally:
        kept.cleanup()
    print(f"repl start: spawn -> `trainer>` in a {ROWS}x{COLUMNS} pty, {runs} runs each, {sys.executable}")
    print(f"{'setup':<24}{'median s':>10}{'min s':>8}{'max s':>8}")
    medians = {}
    for name, values in times.items():
        medians[name] = percentile(values, 0.5)
        print(f"{name:<24}{medians[name]:>10.3f}{min(values):>8.3f}{max(values):>8.3f}")
    print(f"trainer `quit` -> exit: median {percentile(quits, 0.5):.3f} s (not in the start time)")
    trainer, baseline = medians["trainer"], medians["import prompt_toolkit"]
    print(f"trainer extra over `import prompt_toolkit`: {trainer - baseline:+.3f} s, "
          f"ratio trainer/baseline {trainer / baseline:.2f}x")
    write_figures(args.figures, {**{f"{name} s": value for name, value in medians.items()},
                                 "quit s": percentile(quits, 0.5),
                                 "ratio trainer/import prompt_toolkit": trainer / baseline})
    print(f"target trainer start < {TARGET_S} s: {'met' if trainer < TARGET_S else 'MISSED'} ({trainer:.3f} s; "
          f"first run {medians['trainer, first run']:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
