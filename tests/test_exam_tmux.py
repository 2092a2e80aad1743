"""A mock exam in the real `trainer` in tmux: a task answered, the trainer killed with SIGKILL mid-exam, and the
exam resumed with the time it had left and the answered task kept, then handed in and reported."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from test_e2e_tmux import Tmux, _trainer_pid, tmux  # noqa: F401  (the fixture)

from conftest import PACKS, needs
from trainer.exam_paper import draw
from trainer.loader import instantiate, load_library
from trainer.progress import Progress

pytestmark = [pytest.mark.pty, needs("tmux", "ksh93", "nvi")]

LIBRARY = load_library(PACKS)


def test_a_killed_exam_resumes_with_its_time_and_answers(tmux: Tmux) -> None:  # noqa: F811
    seed = 11
    paper = draw(LIBRARY, seed=seed, tasks=3, chapter=1)
    exercises = [instantiate(LIBRARY.template(t.exercise), t.seed) for t in paper.tasks]
    number, question = next((n, e) for n, e in enumerate(exercises, 1) if e.kind == "question")
    assert question.question is not None
    tmux.start_trainer()
    tmux.type(f"exam --tasks 3 --chapter ch1 --seed {seed}")
    tmux.keys("Enter")
    tmux.wait("exam>")
    began = time.monotonic()
    tmux.type(str(number))
    tmux.keys("Enter")
    tmux.wait("Enter keep answer")
    tmux.type(question.question.correct_answer())
    tmux.keys("Enter")  # kept; the next task opens
    tmux.wait("F4 next task")

    def kept() -> bool:
        with Progress.open(tmux.data_dir, warn=pytest.fail) as progress:
            return bool(progress.exams() and progress.exam_tasks(progress.exams()[0].id))
    deadline = time.monotonic() + 20
    while not kept():
        assert time.monotonic() < deadline, "the answered task was never saved"
        time.sleep(0.1)
    os.kill(_trainer_pid(tmux), signal.SIGKILL)
    spent = time.monotonic() - began
    tmux.close()
    time.sleep(2)  # time while the trainer is down is not the exam's

    with Progress.open(tmux.data_dir, warn=pytest.fail) as progress:
        [exam] = progress.exams()
        assert exam.finished is None and progress.exam_tasks(exam.id)[number].passed
        assert 3600 - spent - 1 <= exam.time_left <= 3600
    tmux.start_trainer()
    tmux.type("stats")
    tmux.keys("Enter")
    tmux.wait("in progress")
    tmux.type("exam")
    tmux.keys("Enter")
    screen = tmux.wait("exam>")
    found = re.search(r"Resuming exam 1: 1 of 3 tasks answered, (\d+):(\d\d) left\.", " ".join(screen.split()))
    assert found, screen
    assert int(found[1]) * 60 + int(found[2]) >= exam.time_left - 1  # the time the killed one had left
    tmux.type("finish")
    tmux.keys("Enter")
    tmux.wait("Hand in anyway?")
    tmux.type("y")
    tmux.keys("Enter")
    screen = tmux.wait("review>")
    assert f"Exam 1 (seed {seed}): 33.3 of 100 · 3 tasks" in " ".join(screen.split()), screen
    tmux.type("q")
    tmux.keys("Enter")
    tmux.wait("End of the review.")
    with Progress.open(tmux.data_dir, warn=pytest.fail) as progress:
        [exam] = progress.exams()
        assert exam.finished is not None and exam.score == 33.3
