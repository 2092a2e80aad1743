"""Record the golden screens in tests/captured/ from the real programs.

Each scenario runs a real program (vim, nvi, ksh93) in an 80x24 pty with TERM=xterm and a minimal
environment in a temporary directory, sends keys, and saves every byte the program wrote to
``NAME.input``. It answers the program's terminal queries through `sandbox.screen.Screen`, as the
session does. Look at the printed screen; if it is right, record again with ``--accept`` to save
it as ``NAME.output``, which tests/test_screen.py compares against.

    python tests/record_golden.py                 # all scenarios, print the screens
    python tests/record_golden.py nvi_scroll --accept
    python tests/record_golden.py --rerender --accept   # re-render the saved inputs, run nothing
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import ptyprocess

from sandbox.keys import encode_keys, parse_keys
from sandbox.screen import Screen

CAPTURED = Path(__file__).resolve().parent / "captured"
COLUMNS, ROWS = 80, 24
PROMPT = "\x1b]133;A;rc=${?};hist=!\a$ "
KOREAN = "가나다 라마바\n한글 텍스트 편집\n세 번째 줄\n"
NUMBERS = "".join(f"line {n}\n" for n in range(1, 101))


@dataclass(frozen=True)
class Step:
    """Keys to send, then what to wait for before the next step (text on screen, or quiet)."""

    keys: str
    until: str | None = None
    quiet: float = 0.4


@dataclass(frozen=True)
class Scenario:
    argv: tuple[str, ...]
    steps: tuple[Step, ...]
    files: dict[str, str] = field(default_factory=dict)
    program: str = ""

    def runnable(self) -> bool:
        return shutil.which(self.program or self.argv[0]) is not None


SCENARIOS = {
    "vim_clean": Scenario(
        ("vim", "-u", "NONE", "-C", "f.txt"),
        (Step("", until='"f.txt"'), Step("jdd:set nu<CR>"), Step("Otyped<Esc>", quiet=0.6)),
        files={"f.txt": "first line\nsecond line\nthird line\n"}),
    "vim_defaults_korean": Scenario(
        ("vim", "f.txt"),
        (Step("", until="All"), Step("j$"), Step("i<lt>끝><Esc>", quiet=0.6)),
        files={"f.txt": KOREAN}),
    "nvi_number": Scenario(
        ("nvi", "f.txt"),
        (Step("", until="f.txt"), Step(":set nu<CR>"), Step("jw")),
        files={"f.txt": "alpha beta\ngamma delta\nepsilon\n"}),
    "nvi_scroll": Scenario(
        ("nvi", "f.txt"),
        (Step("", until="f.txt"), Step("<C-e><C-e><C-e>"), Step("<C-d>"), Step("<C-y><C-y>"),
         Step("<C-u>"), Step("<C-f>"), Step("<C-b>")),
        files={"f.txt": NUMBERS}),
    "nvi_korean": Scenario(
        ("nvi", "f.txt"),
        (Step("", until="f.txt"), Step("jw"), Step("x")),
        files={"f.txt": KOREAN}),
    "ksh_vi_korean": Scenario(
        ("ksh93", "-i"),
        (Step("", until="$"), Step("set -o vi<CR>", until="$"),
         Step("echo 한글 텍스트<CR>", until="텍스트\n"), Step("<Esc>k", until="echo"),
         Step("A 끝<CR>", until="끝\n"), Step("false<CR>"),
         Step("echo 가나다", quiet=0.5)),
        program="ksh93"),
    "ksh_vim_restores_screen": Scenario(
        ("ksh93", "-i"),
        (Step("", until="$"), Step("echo before vim<CR>", until="$"),
         Step("vim -u NONE -C f.txt<CR>", until='"f.txt"'), Step("dd"), Step(":wq<CR>", until="$"),
         Step("cat f.txt<CR>", until="$")),
        files={"f.txt": "one\ntwo\n"}, program="ksh93"),
}


def record(name: str, scenario: Scenario) -> tuple[bytes, Screen]:
    with tempfile.TemporaryDirectory() as work:
        for filename, content in scenario.files.items():
            Path(work, filename).write_text(content)
        env = {"TERM": "xterm", "HOME": work, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
               "SHELL": "/bin/sh", "PS1": PROMPT, "HISTFILE": str(Path(work, ".history"))}
        process = ptyprocess.PtyProcess.spawn(list(scenario.argv), cwd=work, env=env,
                                              dimensions=(ROWS, COLUMNS))
        screen = Screen(COLUMNS, ROWS)
        output = bytearray()
        try:
            for step in scenario.steps:
                if step.keys:
                    process.write(encode_keys(parse_keys(step.keys), app_cursor=screen.app_cursor))
                _wait(process, screen, output, step)
        finally:
            process.terminate(force=True)
        print(f"{name}: {len(output)} bytes")
        return bytes(output), screen


def _wait(process: ptyprocess.PtyProcess, screen: Screen, output: bytearray, step: Step) -> None:
    deadline = time.monotonic() + 20
    last = time.monotonic()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(process.fd, 4096)
            except OSError:
                return
            output += chunk
            screen.feed(chunk)
            if replies := screen.take_replies():
                process.write(replies)
            last = time.monotonic()
        seen = step.until is None or step.until in screen.snapshot().text()
        if seen and time.monotonic() - last >= step.quiet:
            return
    raise TimeoutError(f"waiting for {step.until!r} after {step.keys!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios to record (default: all)")
    parser.add_argument("--accept", action="store_true", help="also save the screen as NAME.output")
    parser.add_argument("--rerender", action="store_true", help="render the saved NAME.input, run nothing")
    args = parser.parse_args()
    CAPTURED.mkdir(exist_ok=True)
    for name in args.names or SCENARIOS:
        scenario = SCENARIOS[name]
        if args.rerender:
            screen = Screen(COLUMNS, ROWS)
            screen.feed(Path(CAPTURED, f"{name}.input").read_bytes())
        elif not scenario.runnable():
            print(f"{name}: {scenario.argv[0]} is not installed, skipped")
            continue
        else:
            data, screen = record(name, scenario)
            Path(CAPTURED, f"{name}.input").write_bytes(data)
        snapshot = screen.snapshot()
        print("\n".join(f"|{line}|" for line in snapshot.lines), "\ncursor", snapshot.cursor)
        if args.accept:
            Path(CAPTURED, f"{name}.output").write_text(snapshot.text() + "\n")


if __name__ == "__main__":
    main()
