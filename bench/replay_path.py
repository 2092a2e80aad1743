"""The replay path: how long ``Session.wait_idle()`` takes per key, and whether its snapshots are right.

For vim (through the trainer's ``vi`` wrapper: vi-compatible, ``ttimeoutlen=10``) and nvi (its
``escapetime=1``), each in a bubblewrap sandbox as the trainer runs them, 1,000 keys in Vim notation
(a seeded mix of ``j k w b $ 0`` motions, ``x``, ``u`` and ``i`` text ``<Esc>``, parsed with
`sandbox.keys.parse_keys`) are sent one at a time with ``session.send((key,))``; the time from the
send until ``session.wait_idle()`` returns is recorded, then ``session.screen.snapshot()``.

Whether a snapshot is right is judged in two ways (a snapshot is wrong if either disagrees):

* redraw, after every key that leaves the editor in normal mode (the key generator knows the mode):
  send ``<C-l>`` (a full redraw in both editors; in insert mode it would insert a character), wait,
  and compare the cursor and every row but the last with the snapshot. The last row is the message
  line, which vim's redraw clears (``1 change; before #3 ...`` vanishes) while nvi's keeps it.
  On a mismatch the screen is read for another 400 ms to tell whose snapshot was early: the key's,
  or the one after the ``<C-l>`` (also a wrong snapshot, reported as such).
* late, on a sample that includes insert-mode keys (every 20th insert-mode and every 100th normal-mode
  snapshot): read the pty for another 400 ms and compare the whole screen and the cursor. 400 ms is
  longer than any delay either editor has after a key (ESC timeouts: vim 10 ms here, nvi 100 ms).

The redraw is the main check: it does not depend on timing (the editor repaints from its own
state) and costs a few ms, so every normal-mode key gets it. The late snapshot covers what it
cannot (insert mode, the message line) but costs 400 ms a key, so it is sampled.

The redraw is not timed. Baseline: a fresh session of the same editor gets the first 150 of the same
keys, each followed by a fixed quiet window instead (read until no output for 30 ms), and the same
redraw check. Targets: wait_idle p95 < 5 ms and 0 wrong snapshots.

    .venv/bin/python bench/replay_path.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from _figures import add_figures_option, write_figures

from sandbox.editors import editor_command, find_editor, install_editor
from sandbox.errors import SandboxError
from sandbox.isolation import SandboxRoot, SandboxUser
from sandbox.keys import parse_keys
from sandbox.screen import ScreenSnapshot
from sandbox.session import Session

ROWS, COLUMNS = 24, 80
FILE_NAME = "words.txt"
START_LINE = 100
QUIET_WINDOW_S = 0.030
LATE_S = 0.400
LATE_EVERY_INSERT = 20
LATE_EVERY_NORMAL = 100
TARGET_P95_S = 0.005
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa")


def file_text(lines: int = 200) -> str:
    rng = random.Random(7)
    return "".join(f"{n} {' '.join(rng.sample(WORDS, 6))}\n" for n in range(1, lines + 1))


def key_mix(count: int, seed: int = 1) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """``count`` keys and, for each, whether the editor is in insert mode after it."""
    rng = random.Random(seed)
    notation: list[str] = []
    while len(notation) < count * 2:
        pick = rng.random()
        if pick < 0.65:
            notation.append(rng.choice("jkwb$0"))
        elif pick < 0.75:
            notation.append("x")
        elif pick < 0.85:
            notation.append("u")
        else:
            notation.append("i" + "".join(rng.choice("abcde ") for _ in range(rng.randint(1, 3))) + "<Esc>")
    keys = list(parse_keys("".join(notation))[:count])
    inserting = []
    mode = False
    for key in keys:
        mode = (mode or key == "i") and key != "<Esc>"
        inserting.append(mode)
    if inserting[-1]:  # end in normal mode, as a replay would before :wq
        keys[-1], inserting[-1] = "<Esc>", False
    return tuple(keys), tuple(inserting)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def quiet_window(session: Session) -> bool:
    """The baseline wait: read until the program wrote nothing for ``QUIET_WINDOW_S``."""
    while session.pump(timeout=QUIET_WINDOW_S):
        pass
    return True


@dataclass
class Run:
    waits: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    redraw_checks: int = 0
    late_checks: int = 0


def _same_but_message_line(a: ScreenSnapshot, b: ScreenSnapshot) -> bool:
    return a.cursor == b.cursor and a.lines[:-1] == b.lines[:-1]


def _differences(a: ScreenSnapshot, b: ScreenSnapshot) -> str:
    pairs = enumerate(zip(a.lines, b.lines, strict=False))  # a resize could change the row count
    rows = [f"row {i}: {x.rstrip()!r} vs {y.rstrip()!r}" for i, (x, y) in pairs if x != y]
    cursor = [] if a.cursor == b.cursor else [f"cursor {a.cursor} vs {b.cursor}"]
    return "; ".join([*cursor, *rows][:3])


def start_editor(engine: str, exe: str) -> tuple[SandboxRoot, Session]:
    root = SandboxRoot.create(SandboxUser())
    try:
        install_editor(root, engine, exe)
        (root.home / FILE_NAME).write_text(file_text(), encoding="utf-8")
        root.hand_over()
        session = Session.start(root, editor_command(root, FILE_NAME), env=root.environment(),
                                columns=COLUMNS, rows=ROWS)
    except BaseException:
        root.close()
        raise
    session.wait_idle()
    session.send(parse_keys(f"{START_LINE}G"))
    if not session.wait_idle() or not session.alive:
        session.close()
        root.close()
        raise SandboxError(f"{engine} did not start: {session.screen.snapshot().text()[:300]}")
    return root, session


def replay(engine: str, exe: str, keys: Sequence[str], inserting: Sequence[bool],
           wait: Callable[[Session], bool], late_checks: bool) -> Run:
    root, session = start_editor(engine, exe)
    run = Run()
    normal_seen = insert_seen = 0
    try:
        for index, (key, insert_mode) in enumerate(zip(keys, inserting, strict=True)):
            started = time.perf_counter()
            session.send((key,))
            if not wait(session):
                raise SandboxError(f"{engine}: no idle state within 10 s after key {index} {key!r}")
            run.waits.append(time.perf_counter() - started)
            snap = session.screen.snapshot()
            problems = []
            if insert_mode:
                insert_seen += 1
                late = late_checks and insert_seen % LATE_EVERY_INSERT == 0
            else:
                normal_seen += 1
                late = late_checks and normal_seen % LATE_EVERY_NORMAL == 0
            if late:
                run.late_checks += 1
                until = time.monotonic() + LATE_S
                while time.monotonic() < until:
                    session.pump(timeout=0.05)
                later = session.screen.snapshot()
                if later.lines != snap.lines or later.cursor != snap.cursor:
                    problems.append(f"late: {_differences(snap, later)}")
            if not insert_mode:
                run.redraw_checks += 1
                session.send(("<C-l>",))
                session.wait_idle()
                redrawn = session.screen.snapshot()
                if not _same_but_message_line(snap, redrawn):
                    # Whose snapshot was early, the key's or the redraw's? Let everything arrive.
                    until = time.monotonic() + LATE_S
                    while time.monotonic() < until:
                        session.pump(timeout=0.05)
                    settled = session.screen.snapshot()
                    if _same_but_message_line(snap, settled):
                        problems.append(f"the <C-l> after it: {_differences(redrawn, settled)}")
                    else:
                        problems.append(f"redraw: {_differences(snap, settled)}")
            if problems:
                run.wrong.append(f"key {index} {key!r}: {' / '.join(problems)}")
    finally:
        session.close()
        root.close()
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 keys and a 30-key baseline (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    count, baseline_count = (200, 30) if args.quick else (1000, 150)
    keys, inserting = key_mix(count)
    print(f"replay path: key sent -> wait_idle() returns; {count} keys per editor "
          f"({sum(inserting)} leave insert mode on), baseline: first {baseline_count} keys with a "
          f"{QUIET_WINDOW_S * 1e3:.0f} ms quiet window")
    met = True
    figures: dict[str, float] = {}
    for engine in ("vim", "nvi"):
        try:
            engine, exe = find_editor(engine)
            idle = replay(engine, exe, keys, inserting, lambda s: s.wait_idle(), late_checks=True)
            quiet = replay(engine, exe, keys[:baseline_count], inserting[:baseline_count], quiet_window,
                           late_checks=False)
        except SandboxError as exc:
            print(f"{engine}: cannot measure: {exc}")
            return 1
        ms = [w * 1e3 for w in idle.waits]
        print(f"{engine}: wait_idle  p50 {percentile(ms, 0.5):6.2f} ms  p95 {percentile(ms, 0.95):6.2f} ms  "
              f"max {max(ms):7.2f} ms  wrong snapshots {len(idle.wrong)} "
              f"(checked {idle.redraw_checks} by redraw, {idle.late_checks} late)")
        plain = [m for m, key in zip(ms, keys, strict=True) if key != "<Esc>"]
        print(f"{engine}: wait_idle without the {len(ms) - len(plain)} <Esc> keys (the editor's ESC timeout "
              f"counts there): p50 {percentile(plain, 0.5):.2f} ms  p95 {percentile(plain, 0.95):.2f} ms")
        quiet_ms = [w * 1e3 for w in quiet.waits]
        print(f"{engine}: quiet 30ms p50 {percentile(quiet_ms, 0.5):6.2f} ms  "
              f"p95 {percentile(quiet_ms, 0.95):6.2f} ms  max {max(quiet_ms):7.2f} ms  "
              f"wrong snapshots {len(quiet.wrong)} (checked {quiet.redraw_checks} by redraw)")
        same = ms[:baseline_count]
        print(f"{engine}: ratio wait_idle/quiet on the same {baseline_count} keys: "
              f"p50 {percentile(same, 0.5) / percentile(quiet_ms, 0.5):.2f}x, "
              f"p95 {percentile(same, 0.95) / percentile(quiet_ms, 0.95):.2f}x")
        figures |= {f"{engine} wait_idle p50 ms": percentile(ms, 0.5),
                    f"{engine} wait_idle p95 ms": percentile(ms, 0.95),
                    f"{engine} quiet p50 ms": percentile(quiet_ms, 0.5),
                    f"{engine} wrong snapshots": len(idle.wrong),
                    f"{engine} ratio wait_idle/quiet p50": percentile(same, 0.5) / percentile(quiet_ms, 0.5)}
        for line in idle.wrong[:5]:
            print(f"  wrong ({engine}, wait_idle): {line}")
        for line in quiet.wrong[:3]:
            print(f"  wrong ({engine}, quiet window): {line}")
        met = met and percentile(ms, 0.95) < TARGET_P95_S * 1e3 and not idle.wrong
    write_figures(args.figures, figures)
    print(f"target wait_idle p95 < {TARGET_P95_S * 1e3:.0f} ms and 0 wrong: {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
