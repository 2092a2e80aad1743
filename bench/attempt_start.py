"""Attempt start: from nothing to the first ksh93 prompt, in the sandbox and bare.

Times, 30 runs each (taking turns, after one untimed warm-up each):

* bwrap: ``SandboxRoot.create`` + the rc and environment from `sandbox.shell.shell_command` +
  ``hand_over`` + ``Session.start`` of ksh93 under bubblewrap + ``wait_idle()`` returning at the
  first prompt (checked: its OSC 133 mark arrived and ``$`` is on the screen);
* plain: the same with ``SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN)``;
* bare: ``ksh93 -i`` spawned with ptyprocess in a temporary HOME, read until its first prompt.

Teardown (``Session.close`` + ``SandboxRoot.close``) is not in the start time; its median is shown.
Targets: bwrap median < 50 ms and < 3x bare.

    .venv/bin/python bench/attempt_start.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import select
import signal
import sys
import tempfile
import time
from collections.abc import Sequence

import ptyprocess
from _figures import add_figures_option, write_figures

from sandbox.errors import SandboxError
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser, bwrap_usable
from sandbox.session import Session
from sandbox.shell import find_shell, shell_command

ROWS, COLUMNS = 24, 80
START_TIMEOUT_S = 10.0
TARGET_MS = 50.0
TARGET_RATIO = 3.0
BARE_PROMPT = "bare-ksh$ "


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def start_sandboxed(exe: str, isolation: Isolation) -> tuple[float, float, float]:
    """(seconds to the first prompt, of which spawning, teardown seconds)."""
    started = time.perf_counter()
    root = SandboxRoot.create(SandboxUser(), isolation=isolation)
    try:
        argv, extra = shell_command(root, "ksh93", exe)
        root.hand_over()
        session = Session.start(root, argv, env={**root.environment(), **extra}, columns=COLUMNS, rows=ROWS)
        spawned = time.perf_counter()
        idle = session.wait_idle(START_TIMEOUT_S)
        ready = time.perf_counter()
        prompt = any(m.kind == "A" for m in session.marks) and session.screen.snapshot().contains("$ ")
        if not (idle and session.alive and prompt):
            screen = session.screen.snapshot().text().strip()
            session.close()
            raise SandboxError(f"ksh93 ({isolation.value}) showed no prompt (idle={idle}, "
                               f"alive={session.alive}, marks={session.marks}): {screen[:200]!r}")
        closing = time.perf_counter()
        session.close()
    finally:
        root.close()
    return ready - started, spawned - started, time.perf_counter() - closing


def start_bare(exe: str, home: str) -> tuple[float, float, float]:
    """``ksh93 -i`` under ptyprocess until its first prompt: (seconds, of which spawning, teardown)."""
    # The prompt and start-up file are set, not inherited: as root ksh93's own prompt is "# ", and the
    # caller's ENV or ~/.kshrc would change what is measured.
    env = {"TERM": "xterm", "HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PS1": BARE_PROMPT,
           "ENV": "/dev/null"}
    started = time.perf_counter()
    proc = ptyprocess.PtyProcess.spawn([exe, "-i"], cwd=home, env=env, dimensions=(ROWS, COLUMNS))
    spawned = time.perf_counter()
    output = b""
    try:
        while BARE_PROMPT.encode() not in output:
            ready, _, _ = select.select([proc.fd], [], [], START_TIMEOUT_S)
            if not ready:
                raise SandboxError(f"bare ksh93 showed no prompt: {output!r}")
            output += os.read(proc.fd, 4096)
        prompted = time.perf_counter()
    finally:
        closing = time.perf_counter()
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(proc.pid, 0)
        with contextlib.suppress(OSError):
            proc.fileobj.close()  # not proc.close(): it sleeps 0.1 s
        proc.closed = True
    return prompted - started, spawned - started, time.perf_counter() - closing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 runs instead of 30 (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    runs = 6 if args.quick else 30
    try:
        _, exe = find_shell("ksh93")
    except SandboxError as exc:
        print(f"attempt start: cannot measure: {exc}")
        return 1
    kinds = ["bwrap", "plain", "bare"] if bwrap_usable() else ["plain", "bare"]
    results: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="bench-ksh-") as home:
        try:
            for run in range(runs + 1):
                for kind in kinds:
                    timing = start_bare(exe, home) if kind == "bare" else start_sandboxed(exe, Isolation(kind))
                    if run:  # run 0 warms the caches up
                        results[kind].append(timing)
        except SandboxError as exc:
            print(f"attempt start: cannot measure: {exc}")
            return 1
    print(f"attempt start: ksh93 ({exe}) to its first prompt, {runs} runs each")
    print(f"{'setup':<8}{'median ms':>10}{'p95 ms':>9}{'min ms':>9}{'spawn ms':>10}{'teardown ms':>13}")
    medians = {}
    for kind in kinds:
        totals = [t[0] * 1e3 for t in results[kind]]
        medians[kind] = percentile(totals, 0.5)
        print(f"{kind:<8}{medians[kind]:>10.2f}{percentile(totals, 0.95):>9.2f}{min(totals):>9.2f}"
              f"{percentile([t[1] * 1e3 for t in results[kind]], 0.5):>10.2f}"
              f"{percentile([t[2] * 1e3 for t in results[kind]], 0.5):>13.2f}")
    print("(spawn: create + rc + hand_over + Session.start, or ptyprocess.spawn for bare; teardown is not "
          "in the median)")
    for kind in kinds[:-1]:
        print(f"ratio {kind}/bare: {medians[kind] / medians['bare']:.2f}x")
    write_figures(args.figures, {**{f"{kind} median ms": medians[kind] for kind in kinds},
                                 **{f"ratio {kind}/bare": medians[kind] / medians["bare"] for kind in kinds[:-1]}})
    if "bwrap" in medians:
        ratio = medians["bwrap"] / medians["bare"]
        met = medians["bwrap"] < TARGET_MS and ratio < TARGET_RATIO
        print(f"target bwrap median < {TARGET_MS:.0f} ms and < {TARGET_RATIO:.0f}x bare: "
              f"{'met' if met else 'MISSED'} ({medians['bwrap']:.1f} ms, {ratio:.2f}x)")
    else:
        print("bwrap is not usable here: only the plain sandbox was measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
