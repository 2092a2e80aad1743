"""What the drill screen and the REPL tell a learner at each step: the start, a failed check, an ended
program, a quiz, a small terminal, F5's same variant. Driven through the REPL on a pipe, as a person types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from test_repl import F1, F10, LIBRARY, Harness

from conftest import needs
from trainer.drill_screen import DrillScreen
from trainer.loader import instantiate

F5, F7, F8 = "\x1b[15~", "\x1b[18~", "\x1b[19~"

pytestmark = [pytest.mark.pty, needs("ksh93", "nvi")]


def task_text(screen: DrillScreen | None) -> str:
    assert screen is not None
    return "".join(f[1] for f in screen._task_text())


def run(tmp_path: Path, script: object) -> tuple[Harness, str]:
    with create_pipe_input() as pipe:
        harness = Harness(tmp_path, pipe)
        try:
            return harness, harness.run(script)  # type: ignore[arg-type]
        finally:
            harness.progress.close()


def test_the_greeting_a_topic_start_and_the_start_line(tmp_path: Path) -> None:
    def script(h: Harness) -> None:
        h.type("start chmod\r")  # a topic: its first unsolved drill
        h.wait_drill("chmod-owner-exec")
        h.type(F10)
        h.wait_output("Left chmod-owner-exec unsolved.")
        h.type("quit\r")

    _, text = run(tmp_path, script)
    assert text.startswith("Terminal trainer for AIX shell, vi and kubectl.")
    n = sum(1 for t in LIBRARY.templates if t.pack == "starter" and t.topic == "chmod")
    assert f"chmod: drill 1 of {n}, chmod-owner-exec (`list chmod` shows them all)." in text
    assert re.search(r"Starting chmod-owner-exec: sandbox · setup · program · ready \(\d+\.\d s\)\n", text)


@needs("kubectl")
def test_a_kubectl_drill_says_at_once_that_it_starts_the_practice_cluster(tmp_path: Path) -> None:
    def script(h: Harness) -> None:
        h.type("start kube-deploy-undo\r")
        h.wait_output("Starting kube-deploy-undo: sandbox · practice cluster · ")  # before the screen is up
        h.wait_drill("kube-deploy-undo")
        h.type(F10)
        h.wait_output("Left kube-deploy-undo unsolved.")
        h.type("quit\r")

    _, text = run(tmp_path, script)
    assert re.search(r"Starting kube-deploy-undo: sandbox · practice cluster · setup · program · ready "
                     r"\(\d+\.\d s\)\n", text)


def test_a_failed_shell_check_says_what_next_and_f5_keeps_the_variant(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def script(h: Harness) -> None:
        h.type("start chmod-owner-exec\r")
        h.wait_drill("chmod-owner-exec")
        seen["start"] = task_text(h.repl.screen)
        h.type("ls\r")
        h.wait_checked("chmod-owner-exec")
        seen["failed"] = task_text(h.repl.screen)
        first = h.repl.screen
        h.type(F5)
        h.until(lambda: first is not None and first.outcome.verdict is None and first.drill is not None, "F5")
        seen["again"] = task_text(h.repl.screen)
        h.type("exit\r")
        h.until(lambda: "The program has ended" in task_text(h.repl.screen), "the shell to end")
        seen["ended"] = task_text(h.repl.screen)
        h.type(F10)
        h.wait_output("Left chmod-owner-exec unsolved.")  # the checked run was recorded at F5
        h.type("quit\r")

    run(tmp_path, script)
    assert "[shell · variant 1, new]" in seen["start"]
    assert "Not checked yet: the checks run each time a command finishes" in seen["start"]
    assert "Keep going: the checks run again after your next command." in seen["failed"]
    assert "[shell · variant 1 again (F5)]" in seen["again"]
    assert "F5 starts again, F10 leaves." in seen["ended"]


def test_an_ended_vi_drill_says_what_next(tmp_path: Path) -> None:
    exercise = next(t for t in LIBRARY.templates if t.raw["kind"] == "vi" and t.pack == "starter")
    seen: dict[str, str] = {}

    def script(h: Harness) -> None:
        h.type(f"start {exercise.id}\r")
        h.wait_drill(exercise.id)
        seen["start"] = task_text(h.repl.screen)
        h.type(":q!\r")  # leave without the edit: the check fails
        h.wait_checked(exercise.id)
        h.until(lambda: "vi has ended" in task_text(h.repl.screen), "vi's end to be said")
        seen["ended"] = task_text(h.repl.screen)
        h.type(F10)
        h.wait_output("`solution` shows the reference solution.")
        h.type("quit\r")

    run(tmp_path, script)
    assert "the checks run when you leave vi" in seen["start"]
    assert "vi has ended. F5 opens the file again as it was at the start" in seen["ended"]


def test_a_quiz_says_where_to_answer_and_clears_the_line_after_a_wrong_answer(tmp_path: Path) -> None:
    quiz = instantiate(LIBRARY.template("ls-dir-link-count"), 0)
    wrong = quiz.params["subdirs"] + 3
    seen: dict[str, str] = {}

    def script(h: Harness) -> None:
        h.type("start ls-dir-link-count\r")
        h.wait_drill("ls-dir-link-count")
        seen["start"] = task_text(h.repl.screen)
        h.type(f"{wrong}\r")
        h.wait_checked("ls-dir-link-count")
        screen = h.repl.screen
        assert screen is not None
        seen["line"] = screen.answer.text
        seen["failed"] = task_text(screen)
        h.type(F10)
        h.wait_output("`solution` shows the reference solution.")
        h.type("quit\r")

    run(tmp_path, script)
    assert "Type your answer on the answer line below and press Enter." in seen["start"]
    assert "shell drills" not in seen["start"]
    assert seen["line"] == ""  # ready for the next answer
    assert f"Your answer: {wrong}" in seen["failed"]
    assert "Type another answer and press Enter." in seen["failed"]


def test_a_small_terminal_scrolls_the_task_to_its_check_list(tmp_path: Path) -> None:
    views: dict[str, str] = {}

    def view(h: Harness) -> str:
        screen = h.repl.screen
        assert screen is not None
        return "".join(f[1] for f in screen._task_view(58, 7))

    def script(h: Harness) -> None:
        h.type("start chmod-owner-exec\r")
        h.wait_drill("chmod-owner-exec")
        h.type(F1 + F1)  # two hints make the task taller
        h.until(lambda: h.repl.screen is not None and h.repl.screen.outcome.hints_used == 2, "two hints")
        views["start"] = view(h)
        h.type("ls\r")
        h.wait_checked("chmod-owner-exec")
        views["checked"] = view(h)
        h.type(F7)
        h.until(lambda: view(h) != views["checked"], "F7 to scroll up")
        views["up"] = view(h)
        h.type(F8 + F8 + F8)
        # all three F8 taken: past the check list's first line (one F8 alone only undoes the F7)
        h.until(lambda: view(h) != views["up"] and "Checks" not in view(h).split("\n")[0], "F8 to scroll down")
        views["down"] = view(h)
        h.type(F10)
        h.wait_output("`solution` shows the reference solution.")
        h.type("quit\r")

    run(tmp_path, script)
    for name, text in views.items():
        assert len(text.split("\n")) == 7, (name, text)  # six lines of task and the line saying where more is
    assert views["start"].endswith("▼ more: F8")
    assert "Checks" in views["checked"].split("\n")[0] and "▲ more: F7" in views["checked"]
    assert "Checks" not in views["up"].split("\n")[0]
    assert "▲ more: F7" in views["down"] and "Checks" not in views["down"].split("\n")[0]


def test_the_repl_breaks_a_long_hint_at_spaces(tmp_path: Path) -> None:
    template = next(t for t in LIBRARY.templates
                    if t.raw["kind"] == "shell" and len(instantiate(t, 0).hints[0].en) > 100)
    hint = instantiate(template, 0).hints[0].en

    def script(h: Harness) -> None:
        h.type(f"start {template.id}\r")
        h.wait_drill(template.id)
        h.type(F10)
        h.wait_output(f"Left {template.id} unsolved.")
        h.type("hint\rquit\r")

    _, text = run(tmp_path, script)
    printed = text[text.index("Hint 1/"):].split("\nBye")[0]
    lines = printed.split("\n")
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines), lines  # DummyOutput is 80 wide
    assert " ".join(lines).split() == f"Hint 1/{len(instantiate(template, 0).hints)}: {hint}".split()
