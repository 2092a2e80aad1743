"""The REPL, driven through prompt_toolkit's pipe input with a DummyOutput: every command,
completion, unknown commands, Ctrl-C and Ctrl-D, and drills run for real in the sandbox."""

from __future__ import annotations

import datetime
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from conftest import PACKS, needs
from trainer.drill_screen import DrillScreen
from trainer.loader import instantiate, load_library
from trainer.progress import Progress
from trainer.repl import Repl, ReplCompleter
from trainer.runner import Engines

F10, F4, F1 = "\x1b[21~", "\x1bOS", "\x1bOP"
LIBRARY = load_library(PACKS)


class Harness:
    """A REPL on a pipe, its printed output, and a way to wait for what it records."""

    def __init__(self, data_dir: Path, pipe: PipeInput) -> None:
        self.data_dir = data_dir
        self.pipe = pipe
        self.out = io.StringIO()
        self.progress = Progress.open(data_dir, warn=lambda m: self.out.write(m + "\n"))
        self.repl = Repl(LIBRARY, self.progress, Engines.detect(), "en", data_dir, input=pipe,
                         output=DummyOutput(), out=self.out, today=lambda: datetime.date(2026, 11, 25))

    def run(self, script: Callable[[Harness], None]) -> str:
        """Run the REPL in this thread while ``script`` types into it from another."""
        errors: list[BaseException] = []

        def typist() -> None:
            try:
                script(self)
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)
                self.pipe.send_text("\x04" * 3)

        thread = threading.Thread(target=typist, daemon=True)
        thread.start()
        code = self.repl.run()
        thread.join(30)
        if errors:
            raise errors[0]
        assert code == 0
        return self.out.getvalue()

    def type(self, text: str) -> None:
        self.pipe.send_text(text)

    @staticmethod
    def until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"waited in vain for {what}")
            time.sleep(0.02)

    def wait_output(self, needle: str) -> None:
        self.until(lambda: needle in self.out.getvalue(), f"{needle!r} in:\n{self.out.getvalue()}")

    def _screen_of(self, exercise: str) -> DrillScreen | None:
        screen = self.repl.screen
        return screen if screen is not None and screen.exercise.id == exercise else None

    def wait_drill(self, exercise: str) -> None:
        """Until the drill screen of ``exercise`` runs and reads its input."""
        self.until(lambda: (s := self._screen_of(exercise)) is not None and s.app.is_running,
                   f"the drill {exercise} to start")

    def wait_checked(self, exercise: str) -> None:
        """Until the drill of ``exercise`` has been checked once."""
        self.until(lambda: (s := self._screen_of(exercise)) is not None and s.outcome.verdict is not None,
                   f"a check of {exercise}")

    def wait_passed(self, exercise: str) -> None:
        def passed() -> bool:
            with Progress.open(self.data_dir, warn=lambda m: None) as other:
                best = other.bests().get(exercise)
            return bool(best and best.passed)

        self.until(passed, f"{exercise} to pass")


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with create_pipe_input() as pipe:
        h = Harness(tmp_path, pipe)
        yield h
        h.progress.close()


def test_commands_without_drills(harness: Harness) -> None:
    def script(h: Harness) -> None:
        for line in ("lst", "list", "list chmod", "help", "help start", "help frobnicate", "stats", "doctor",
                     "hint", "solution", "continue", "lang xx", "lang ko", "list", "start nothing-here",
                     "start chmod-owner-exek", "start", "quit"):
            h.type(line + "\r")

    text = harness.run(script)
    assert "Unknown command 'lst'. Did you mean 'list'?" in text
    starter = next(p for p in LIBRARY.packs if p.name == "starter")
    chmod = next(t for t in starter.topics if t.name == "chmod")
    assert f"starter: {starter.title.en}\n" in text  # each pack's topics under its name
    n = sum(1 for e in starter.exercises if e.topic == "chmod")
    assert re.search(rf"^  chmod +{re.escape(chmod.title.en)} \(0/{n}\)$", text, re.M)
    assert "chmod-owner-exec" in text and " new " in text
    assert "start ID|TOPIC\n  start a drill" in text
    assert "Unknown command 'frobnicate'" in text
    assert "Streak" in text or "No streak" in text
    assert "isolation:" in text
    assert "No drill yet" in text and "Nothing to continue yet" in text
    assert "Usage: lang ko|en" in text
    assert "언어: 한국어." in text and f"{chmod.title.ko} (0/{n})" in text
    assert "'nothing-here' 연습이 없습니다" in text
    assert "'chmod-owner-exec'인가요?" in text
    assert "사용법: start ID" in text
    assert text.rstrip().endswith("안녕히 가세요. 진행 상황은 저장되었습니다.")


def test_ctrl_c_clears_the_line_and_ctrl_d_leaves(harness: Harness) -> None:
    def script(h: Harness) -> None:
        h.type("lstx\x03")
        h.type("help quit\r")
        h.wait_output("leave (Ctrl-D too)")
        h.type("\x04")

    text = harness.run(script)
    assert "lstx" not in text and "Unknown command" not in text
    assert "Bye." in text


def test_history_is_kept_across_runs(tmp_path: Path) -> None:
    for _ in range(2):
        with create_pipe_input() as pipe:
            h = Harness(tmp_path, pipe)
            h.run(lambda h: h.type("help lang\rquit\r"))
            h.progress.close()
    history = (tmp_path / "repl-history").read_text(encoding="utf-8")
    assert history.count("+help lang") == 2


def test_completion_of_commands_ids_topics_and_languages(harness: Harness) -> None:
    completer = ReplCompleter(harness.repl)

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert complete("st") == ["start", "stats"]
    assert complete("start chmod-e") == ["chmod-equals-clears"]
    assert "vi-goto-line" in complete("run ")
    assert "vi-basics" in complete("list vi") and all(t.startswith("vi") for t in complete("list vi"))
    assert complete("lang ") == ["en", "ko"]
    assert complete("help sk") == ["skip"]
    assert complete("start chmod-owner-exec ") == []


def test_tab_completes_in_the_prompt(harness: Harness) -> None:
    def script(h: Harness) -> None:
        h.type("doct\t")
        time.sleep(0.5)  # completion runs as a background task of the prompt
        h.type("\r")
        h.wait_output("isolation:")
        h.type("quit\r")

    assert "isolation:" in harness.run(script)


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_a_drill_passes_and_next_goes_on(harness: Harness) -> None:
    first = instantiate(LIBRARY.template("chmod-owner-exec"), 0)
    name = first.params["name"]

    def script(h: Harness) -> None:
        h.type("start chmod-owner-exec\r")
        h.type(F1)  # a hint, counted
        h.type(f"chmod u+x {name}.sh\r")
        h.wait_passed("chmod-owner-exec")
        h.type(F4)  # next: the first unsolved drill
        h.wait_output("Type `next` for the next drill.")
        h.wait_drill("chmod-several-clauses")  # the next drill is on screen: leave it at once
        h.type(F10)
        h.wait_output("unsolved")
        h.type("list chmod\rskip\rlist chmod\rquit\r")

    text = harness.run(script)
    keys = len(f"chmod u+x {name}.sh") + 1
    assert "✓ Checks passed:" in text and f"Passed: {keys} keys" in text
    assert "Left chmod-several-clauses unsolved." in text
    assert "Skipped chmod-several-clauses." in text
    assert re.search(r"^    chmod-owner-exec +solved ", text, re.M)
    assert re.search(r"^    chmod-several-clauses +skipped ", text, re.M)
    attempts = harness.progress.attempts("chmod-owner-exec")
    assert [(a.passed, a.keys, a.hints_used) for a in attempts] == [(True, keys, 1)]


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_a_failed_drill_offers_the_solution_and_records_it_seen(harness: Harness) -> None:
    def script(h: Harness) -> None:
        h.type("start chmod-equals-clears\r")
        h.type("chmod 700 nothing\r")
        h.wait_checked("chmod-equals-clears")
        h.type(F10)
        h.wait_output("`solution` shows the reference solution.")
        h.type("solution\rhint\rhint\rhint\rhint\r")
        for command in ("continue", "reset", "run chmod-equals-clears"):  # each opens the drill again
            left = h.out.getvalue().count("Left chmod-equals-clears unsolved.")
            h.type(command + "\r")
            h.wait_drill("chmod-equals-clears")
            h.type(F10)
            h.until(lambda n=left: h.out.getvalue().count("Left chmod-equals-clears unsolved.") == n + 1,
                    f"{command} to open the drill and F10 to leave it")
        h.type("quit\r")

    text = harness.run(script)
    assert "✗ " in text and "has mode" in text and "✗ result" not in text  # words, not the check's id
    assert "Solution (recorded as seen): chmod o= " in text
    assert "Hint 1/3" in text and "Hint 3/3" in text and "That was the last hint." in text
    best = harness.progress.bests()["chmod-equals-clears"]
    assert best.solution_seen and not best.passed
    assert best.attempts == 5  # the failed drill, the solution seen, and the three reopened drills


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_a_quiz_takes_its_answer_in_the_answer_line(harness: Harness) -> None:
    quiz = instantiate(LIBRARY.template("ls-dir-link-count"), 0)
    right = quiz.params["subdirs"] + 2

    def script(h: Harness) -> None:
        h.type("start ls-dir-link-count\r")
        h.type(f"{right + 1}\r")  # wrong first: the answer line keeps focus
        h.wait_checked("ls-dir-link-count")
        h.type("\x15")  # Ctrl-U clears the answer line
        h.type(f"{right}\r")
        h.wait_passed("ls-dir-link-count")
        h.type(F10)
        h.wait_output("Passed")
        h.type("quit\r")

    text = harness.run(script)
    assert "✓ Checks passed: 1" in text
    attempts = harness.progress.attempts("ls-dir-link-count")
    assert [a.passed for a in attempts] == [True]


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_f5_records_the_checked_run_and_starts_afresh(harness: Harness) -> None:
    def script(h: Harness) -> None:
        h.type("start chmod-owner-exec\r")
        h.type("ls\r")
        h.wait_checked("chmod-owner-exec")
        first = h.repl.screen
        h.type("\x1b[15~")  # F5
        h.until(lambda: first is not None and first.outcome.verdict is None and first.drill is not None,
                "a fresh run after F5")
        h.type(F10)
        h.wait_output("Left chmod-owner-exec unsolved.")
        h.type("quit\r")

    harness.run(script)
    attempts = harness.progress.attempts("chmod-owner-exec")
    assert [(a.passed, a.keys) for a in attempts] == [(False, 3), (False, 0)]
