"""The real `trainer` in tmux, driven as a person would: send-keys to type, capture-pane to read.

A chmod drill and a vi drill (ESC and :wq included) pass; resizing the window mid-drill redraws the
pane; F10 returns to the REPL; after quitting and restarting, `stats` still shows both; a trainer
killed with SIGKILL mid-drill loses none of the attempts it had recorded."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PACKS, ROOT, needs
from trainer.loader import instantiate, load_library
from trainer.progress import Progress

pytestmark = [pytest.mark.pty, needs("tmux", "ksh93", "nvi")]

LIBRARY = load_library(PACKS)


class Tmux:
    def __init__(self, data_dir: Path) -> None:
        self.socket = f"trainer-test-{uuid.uuid4().hex[:8]}"
        self.data_dir = data_dir

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20,
                              check=True)
        return done.stdout

    def start_trainer(self, columns: int = 120, rows: int = 32) -> None:
        self.close()
        self.socket = f"trainer-test-{uuid.uuid4().hex[:8]}"  # a server killed just now may linger on its socket
        command = f"cd {ROOT} && TRAINER_DATA_DIR={self.data_dir} TRAINER_LANG=en {sys.executable} -m trainer"
        self.tmux("new-session", "-d", "-x", str(columns), "-y", str(rows), "-s", "t", command)
        self.tmux("set-option", "-t", "t", "remain-on-exit", "on")
        self.wait("trainer>")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, joined: bool = False) -> str:
        """The pane's text; ``joined``: lines the terminal wrapped are joined again (a long path)."""
        return self.tmux("capture-pane", "-p", *(["-J"] if joined else []), "-t", "t")

    def wait(self, needle: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if needle in text:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {needle!r}; the screen was:\n{text}")
            time.sleep(0.05)

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    t = Tmux(tmp_path)
    yield t
    t.close()


def test_drills_in_tmux_resize_leave_and_stats_after_restart(tmux: Tmux) -> None:
    chmod = instantiate(LIBRARY.template("chmod-owner-exec"), 0)  # the first attempt gets seed 0
    vi = instantiate(LIBRARY.template("vi-delete-word"), 0)
    tmux.start_trainer()

    tmux.type("start chmod-owner-exec")
    tmux.keys("Enter")
    tmux.wait("F10 leave")
    tmux.wait("$")
    tmux.type(f"chmod u+x {chmod.params['name']}.sh")
    tmux.keys("Enter")
    screen = tmux.wait("PASSED")
    assert f"✓ Checks passed: {len(chmod.checks)}" in screen and "✗" not in screen
    tmux.keys("F10")
    tmux.wait("Type `next` for the next drill.")

    tmux.type("start vi-delete-word")
    tmux.keys("Enter")
    screen = tmux.wait("from the market")
    assert "│" in screen  # 120 columns: the task beside the terminal
    tmux.tmux("resize-window", "-t", "t", "-x", "90", "-y", "30")
    screen = tmux.wait("────")  # narrower: the task above the terminal, the pane redrawn
    assert f"{vi.params['word']} {vi.params['word']} from the market" in screen
    tmux.keys("j", "d", "w", "Escape")
    tmux.type(":wq")
    tmux.keys("Enter")
    screen = tmux.wait("PASSED")
    assert "keys 8/7" in screen
    tmux.keys("F10")
    tmux.wait("Passed: 8 keys/7")
    tmux.type("quit")
    tmux.keys("Enter")
    tmux.wait("Bye.")

    tmux.close()
    tmux.start_trainer()
    tmux.type("stats")
    tmux.keys("Enter")
    screen = tmux.wait("Streak")
    assert f"Passed 2 of {len(LIBRARY.templates)} drills" in screen, screen  # both passes survived the restart


def test_sigkill_mid_drill_keeps_every_earlier_attempt(tmux: Tmux) -> None:
    chmod = instantiate(LIBRARY.template("chmod-owner-exec"), 0)
    tmux.start_trainer()
    tmux.type("start chmod-owner-exec")
    tmux.keys("Enter")
    tmux.wait("$")
    tmux.type(f"chmod u+x {chmod.params['name']}.sh")
    tmux.keys("Enter")
    tmux.wait("PASSED")
    tmux.keys("F10")
    tmux.wait("trainer>")
    tmux.type("start vi-goto-line")
    tmux.keys("Enter")
    tmux.wait("entry 1")
    tmux.keys("j", "j")
    os.kill(_trainer_pid(tmux), signal.SIGKILL)
    tmux.close()

    with Progress.open(tmux.data_dir, warn=pytest.fail) as progress:
        attempts = progress.attempts()
        assert [(a.exercise, a.passed) for a in attempts] == [("chmod-owner-exec", True)]
        assert progress.last() == "vi-goto-line"
    tmux.start_trainer()
    tmux.type("list chmod")
    tmux.keys("Enter")
    assert re.search(r"^    chmod-owner-exec +solved ", tmux.wait("solved"), re.M)


def _trainer_pid(tmux: Tmux) -> int:
    """The trainer process: the pane's shell runs it as a child (or is it, after exec)."""
    shell = tmux.pane_pid()
    for pid in [shell, *map(int, subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True,
                                                 check=False).stdout.split())]:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"trainer" in cmdline and b"-m" in cmdline:
            return pid
    raise AssertionError("no trainer process in the pane")


def test_a_tiny_terminal_says_what_it_needs(tmux: Tmux) -> None:
    tmux.start_trainer(columns=80, rows=24)
    tmux.type("start chmod-equals-clears")
    tmux.keys("Enter")
    tmux.wait("F10 leave")
    tmux.tmux("resize-window", "-t", "t", "-x", "36", "-y", "10")
    screen = tmux.wait("40x12")
    assert "The terminal is 36x10; drills need at least" in " ".join(screen.split())
    tmux.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
    tmux.wait("F10 leave")
    tmux.keys("F10")
    tmux.wait("trainer>")


def test_a_corrupt_progress_file_is_set_aside_with_one_line(tmux: Tmux) -> None:
    damaged = tmux.data_dir / "progress.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    tmux.start_trainer()
    tmux.wait("trainer>")
    lines = [line for line in tmux.screen(joined=True).splitlines() if "unusable" in line]
    assert len(lines) == 1 and "progress.sqlite3" in lines[0]
    kept = [p for p in tmux.data_dir.iterdir() if p.name.startswith("progress.sqlite3.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"this is not a database" * 100
    tmux.type("list")
    tmux.keys("Enter")
    tmux.wait("(0/3)")
