"""The mock exam: drawing a paper, scoring per check, the stored results, and a whole exam in the real REPL
(skip and come back, time-out, pause and resume, the report, the review, and the missed task in `review` the
next day, with a fake clock)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from test_repl import F4, F10, LIBRARY, Harness

from conftest import needs
from sandbox.keys import encode_keys, parse_keys
from trainer.cli import main
from trainer.exam_paper import (
    METHOD_WEIGHT,
    RESULT_WEIGHT,
    Paper,
    Task,
    chapters_of,
    check_weight,
    draw,
    solution_signature,
    task_score,
)
from trainer.exam_report import exam_score, report_lines, result
from trainer.grading import CheckResult, Verdict
from trainer.loader import instantiate, load_library
from trainer.model import ANSWERED_KINDS, Check, Exercise
from trainer.progress import ExamRecord, ExamTaskRecord, Progress
from trainer.text import Text

DAY = 86400.0
T0 = datetime.datetime(2026, 11, 25, 10, 0).timestamp()


# -- the paper ------------------------------------------------------------------------------------
def test_a_paper_follows_the_chapters_mixes_drills_and_questions_and_repeats_by_seed() -> None:
    paper = draw(LIBRARY, seed=5)
    assert paper == draw(LIBRARY, seed=5) and paper != draw(LIBRARY, seed=6)
    assert [t.number for t in paper.tasks] == list(range(1, 13))
    chapters = [t.chapter for t in paper.tasks]
    assert {c: chapters.count(c) for c in set(chapters)} == {1: 4, 2: 5, 3: 1, 4: 2}  # 84/99/29/39 facts
    kinds = [LIBRARY.template(t.exercise).raw["kind"] for t in paper.tasks]
    assert sum(k in ANSWERED_KINDS for k in kinds) == 6  # half drills in the real programs, half questions
    assert len({t.exercise for t in paper.tasks}) == 12


@pytest.mark.parametrize("seed", range(40))
def test_no_two_tasks_share_a_solution_and_topics_spread(seed: int) -> None:
    paper = draw(LIBRARY, seed=seed)
    exercises = [instantiate(LIBRARY.template(t.exercise), t.seed) for t in paper.tasks]
    assert len({solution_signature(e) for e in exercises}) == len(exercises)
    topics = [t.topic for t in paper.tasks]
    assert max(topics.count(t) for t in topics) <= 3  # dealt topic by topic, not all from one


def test_the_same_solution_is_one_task_even_across_exercises() -> None:
    one = instantiate(LIBRARY.template("chmod-owner-exec"), 3)
    assert solution_signature(one) == solution_signature(instantiate(LIBRARY.template("chmod-owner-exec"), 3))
    assert solution_signature(one) != solution_signature(instantiate(LIBRARY.template("vi-delete-word"), 3))


def test_a_chapter_paper_and_what_cannot_be_drawn() -> None:
    paper = draw(LIBRARY, seed=1, tasks=4, chapter=3, minutes=20)
    assert {t.chapter for t in paper.tasks} == {3} and paper.minutes == 20 and paper.chapter == 3
    for kwargs, said in [({"tasks": 0}, "at least one task"), ({"minutes": 0}, "at least one minute"),
                         ({"chapter": 9}, "the course has chapters ch1, ch2, ch3, ch4"),
                         ({"tasks": 5000}, "the packs have only")]:
        with pytest.raises(Exception, match=said):
            draw(LIBRARY, seed=1, **kwargs)  # type: ignore[arg-type]


def test_every_exercise_has_a_chapter_from_the_facts_it_covers() -> None:
    chapters = chapters_of(LIBRARY)
    assert set(chapters) == {t.id for t in LIBRARY.templates}
    assert chapters["chmod-owner-exec"] == 1 and chapters["kube-svc-externalname"] == 3
    assert set(chapters.values()) == {1, 2, 3, 4}


def test_the_paper_prints_tasks_with_the_ids_an_instructor_grades_by(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["--lang", "en", "exam", "--seed", "77", "--tasks", "6", "--paper"], {}, out) == 0
    again = io.StringIO()
    main(["--lang", "en", "exam", "--seed", "77", "--tasks", "6", "--paper"], {}, again)
    assert out.getvalue() == again.getvalue()  # a class gets the same paper
    paper = draw(LIBRARY, seed=77, tasks=6)
    for task in paper.tasks:
        assert f"{task.exercise}@{task.seed}]" in out.getvalue()
    assert "Answer:" not in out.getvalue()
    keyed = io.StringIO()
    main(["--lang", "ko", "exam", "--seed", "77", "--tasks", "6", "--paper", "--answers"], {}, keyed)
    assert keyed.getvalue().startswith("모의 중간고사 · 시드 77 · 6문항") and keyed.getvalue().count("답: ") == 6


def test_a_class_answers_the_paper_and_one_command_grades_it(tmp_path: Path) -> None:
    """Questions of a paper answered by two students, graded by `trainer check --batch` by EXERCISE@SEED."""
    paper = draw(LIBRARY, seed=77, tasks=6)
    questions = [(t, instantiate(LIBRARY.template(t.exercise), t.seed)) for t in paper.tasks]
    questions = [(t, e) for t, e in questions if e.kind == "question"]
    assert questions
    for student, right in (("kim", True), ("lee", False)):
        (tmp_path / student).mkdir()
        for task, ex in questions:
            assert ex.question is not None
            answer = ex.question.correct_answer() if right else ex.wrong[0].answer
            (tmp_path / student / f"{task.exercise}@{task.seed}.answer").write_text(f"{answer}\n")
    report = tmp_path / "class.csv"
    code = main(["check", "--batch", str(tmp_path), "--csv", str(report)], {}, io.StringIO())
    rows = list(csv.DictReader(report.open()))
    assert code == 1 and len(rows) == 2 * len(questions)
    assert {r["result"] for r in rows if r["student"] == "kim"} == {"pass"}
    assert {r["result"] for r in rows if r["student"] == "lee"} == {"fail"}
    assert {(r["exercise"], int(r["seed"])) for r in rows} == {(t.exercise, t.seed) for t, _ in questions}


# -- scoring --------------------------------------------------------------------------------------
def test_result_checks_outweigh_method_checks_and_a_pack_may_say_otherwise() -> None:
    assert check_weight(Check("file_mode", {}, "mode")) == RESULT_WEIGHT > METHOD_WEIGHT
    assert check_weight(Check("command_ran", {}, "how")) == METHOD_WEIGHT
    assert check_weight(Check("command_ran", {}, "how", weight=3)) == 3
    checks = (Check("file_mode", {}, "a"), Check("file_content", {}, "b"), Check("command_ran", {}, "c"))
    verdict = Verdict(False, (CheckResult(checks[0], True), CheckResult(checks[1], True),
                              CheckResult(checks[2], False, Text("how", "방법"))))
    assert task_score(verdict) == (4.0, 5.0)  # the result right, the method not: 4 of 5


def test_a_weight_in_a_pack_is_read_and_a_bad_one_named(tmp_path: Path) -> None:
    from test_coverage import drill, packs

    weighted = drill("d1", ["f001"])
    weighted["checks"] = [{"kind": "file_exists", "path": "a", "weight": 5}]
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    library = load_library(packs(tmp_path / "good", [weighted]), (0,))
    assert library.errors == []
    checks = instantiate(library.template("d1"), 0).checks
    assert [check_weight(c) for c in checks] == [5]
    weighted["checks"][0]["weight"] = -1
    errors = load_library(packs(tmp_path / "bad", [weighted]), (0,)).errors
    assert len(errors) == 1 and "t.yaml" in errors[0] and "weight" in errors[0], errors


def test_the_score_the_report_and_a_task_not_answered() -> None:
    paper = Paper(9, 60, (Task(1, "chmod-owner-exec", 1, 1, "chmod", "starter"),
                          Task(2, "vi-dd", 2, 1, "vi", "starter"),
                          Task(3, "kube-ns-pod", 3, 2, "services", "kubectl"),
                          Task(4, "kube-svc-externalname", 4, 3, "services", "kubectl")))
    results = {1: result(1, earned=5, possible=5), 2: result(2, earned=2, possible=4),
               3: result(3, earned=6, possible=6)}  # task 4 never answered
    assert exam_score(paper, results, set()) == round(100 * (1 + 0.5 + 1 + 0) / 4, 1) == 62.5
    assert exam_score(paper, results, {4}) == round(100 * 2.5 / 3, 1)  # a task that cannot run is left out
    record = ExamRecord(3, 9, 60, None, "{}", T0, 600.0, T0 + 3000, 62.5)
    titles = {"chmod": Text("chmod", "chmod"), "services": Text("Services", "서비스")}
    lines = report_lines(record, paper, results, set(), titles, "en")
    text = "\n".join(lines)
    assert lines[0] == "Exam 3 (seed 9): 62.5 of 100 · 4 tasks · 50:00 used of 60:00"
    assert "ch1 servers, cloud, the AIX shell and vi   75%  (2 tasks)" in text
    assert re.search(r"^  ch3 Service, Namespace and DNS +  0%  \(1 task\)$", text, re.M)
    assert "services (Services)   50%  (2 tasks)" in text and re.search(r"^  vi +50%  \(1 task\)$", text, re.M)
    assert "Weakest: vi." in text  # the first of the weakest, in the paper's order
    ko = "\n".join(report_lines(record, paper, results, set(), titles, "ko"))
    assert "100점 만점에 62.5점" in ko and "services (서비스)   50%  (2문항)" in ko


# -- stored results -------------------------------------------------------------------------------
def test_an_exam_and_its_tasks_are_kept_and_read_back(tmp_path: Path) -> None:
    with Progress.open(tmp_path, warn=pytest.fail, clock=lambda: T0) as progress:
        exam = progress.begin_exam(5, 60, None, '{"tasks": []}', T0)
        task = ExamTaskRecord(exam, 2, "vi-dd", 4, 1.0, 3.0, False, "dd", 2, None, "[]", "exam-1-2.cast", 9.5)
        progress.save_exam_task(task, 3000.0)
        progress.save_exam_task(task, 2990.0)  # left again: the same task replaced, not added
        assert progress.exam_tasks(exam) == {2: task}
        assert progress.exams()[0].time_left == 2990.0 and progress.exams()[0].finished is None
        progress.finish_exam(exam, 33.3, 2000.0, T0 + 1600)
    with Progress.open(tmp_path, warn=pytest.fail) as again:
        [record] = again.exams()
        assert (record.score, record.started, record.finished, record.time_left) == (33.3, T0, T0 + 1600, 2000.0)


# -- in the REPL ----------------------------------------------------------------------------------
def _paper_with(kinds: tuple[str, ...], chapter: int, tasks: int) -> tuple[int, Paper]:
    """A seed whose paper's tasks are of these kinds in order, drills typed without ESC (into a pipe)."""
    for seed in range(1, 3000):
        paper = draw(LIBRARY, seed=seed, tasks=tasks, chapter=chapter)
        exercises = [instantiate(LIBRARY.template(t.exercise), t.seed) for t in paper.tasks]
        if tuple(e.kind for e in exercises) == kinds and not any(
                e.requires or "<Esc>" in e.solution.keys_for("ksh93") for e in exercises if e.kind == "shell"):
            return seed, paper
    raise AssertionError(f"no seed draws {kinds}")


def _exercise(task: Task) -> Exercise:
    return instantiate(LIBRARY.template(task.exercise), task.seed)


def _typed(keys: str) -> str:
    return encode_keys(parse_keys(keys)).decode()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with create_pipe_input() as pipe:
        h = Harness(tmp_path, pipe)
        h.now = T0  # type: ignore[attr-defined]
        h.repl.clock = lambda: h.now  # type: ignore[attr-defined]
        yield h
        h.progress.close()


def _wait_commands(h: Harness, exercise: str, count: int) -> None:
    def done() -> bool:
        screen = h.repl.screen
        session = screen.drill.session if screen and screen.drill and screen.exercise.id == exercise else None
        return session is not None and len(session.marks) >= count
    h.until(done, f"{count} commands of {exercise} to return")


@pytest.mark.pty
@needs("ksh93")
def test_a_mock_midterm_in_the_repl_from_first_task_to_the_review_the_next_day(harness: Harness) -> None:
    seed, paper = _paper_with(("shell", "shell", "question"), chapter=1, tasks=3)
    first, second, third = (_exercise(t) for t in paper.tasks)
    assert third.question is not None
    recordings = harness.data_dir / "recordings"

    def script(h: Harness) -> None:
        h.type(f"exam --tasks 3 --chapter ch1 --seed {seed}\r")
        h.wait_output("Exam 1 · 60:00 left · 0 of 3 answered")
        h.type("\r")  # the first task not answered
        h.wait_drill(first.id)
        h.type(F4)  # skipped untouched: still open
        h.wait_drill(second.id)
        h.type(_typed(second.solution.keys_for("ksh93")))
        _wait_commands(h, second.id, second.solution.keys_for("ksh93").count("<CR>"))
        h.now += 120
        h.type(F4)
        h.wait_drill(third.id)
        h.type(F1_KEY)  # no hints in an exam
        h.until(lambda: h.repl.screen is not None and getattr(h.repl.screen, "refused", None) == "no_help", "a no")
        assert third.wrong[0].answer is not None
        h.type(third.wrong[0].answer + "\r")  # kept, and on to the first task still open
        h.wait_drill(first.id)
        h.type("true\r")  # something, not the task
        _wait_commands(h, first.id, 1)
        h.type(F10)
        h.wait_output("Exam 1 · 58:00 left · 3 of 3 answered")
        h.type("finish\r")
        h.wait_output("Review: Enter or n next")
        h.type("\r\r")
        h.wait_output("Task 3/3")
        h.type("\r")  # past the last: the review ends
        h.wait_output("End of the review.")
        h.type("stats\r")
        h.wait_output("Exams:")
        h.now += DAY
        h.repl.today = lambda: datetime.date(2026, 11, 26)
        h.type("review\r")
        h.wait_output("Review (")
        h.until(lambda: h.repl.screen is not None, "the review drill")
        h.type(F10)
        h.type("quit\r")

    text = harness.run(script)
    with Progress.open(harness.data_dir, warn=pytest.fail) as progress:
        [exam] = progress.exams()
        tasks = progress.exam_tasks(exam.id)
        attempts = progress.attempts()
    assert exam.seed == seed and exam.finished is not None and exam.time_left == 3480.0
    assert tasks[2].passed and tasks[2].earned == tasks[2].possible and tasks[2].recording == "exam-1-2.cast"
    assert (recordings / "exam-1-2.cast").read_text().startswith('{"version": 2')
    assert not tasks[3].passed and tasks[3].answer == third.wrong[0].answer and tasks[3].earned == 0
    assert not tasks[1].passed and tasks[1].earned < tasks[1].possible and tasks[1].keys == "true<CR>"
    score = round(100 * sum(t.earned / t.possible for t in tasks.values()) / 3, 1)
    assert exam.score == score and f"Exam 1 (seed {seed}): {score:g} of 100 · 3 tasks · 2:00 used of 60:00" in text
    assert "By chapter" in text and "By topic" in text
    assert "No hints, checks or solutions during an exam" not in text  # said on the screen, not in the REPL
    review_2 = text[text.index("Task 2/3"):text.index("Task 3/3")]
    assert f"Your keys ({tasks[2].key_count}): " in review_2 and "checks passed" in review_2
    assert "`replay` plays your session." in review_2 and "Solution: " in review_2
    review_3 = text[text.index("Task 3/3"):]
    assert f"Your answer: {third.wrong[0].answer}" in review_3 and "✗ " in review_3
    assert f"Solution: {third.question.correct_answer()} ({third.question.correct_answer('en')})" in review_3
    assert f"#1 2026-11-25 {score:g}/100 (3 tasks, ch1)" in text
    # the exam's tasks are attempts: the missed ones come back in review the next day
    assert {(a.exercise, a.passed) for a in attempts} >= {(first.id, False), (second.id, True), (third.id, False)}
    due = text[text.index("Review ("):].split("\n")[0]
    assert first.id in due or third.id in due


F1_KEY = "\x1bOP"


@pytest.mark.pty
@needs("ksh93")
def test_a_task_left_and_come_back_to_is_as_it_was_left(harness: Harness) -> None:
    seed, paper = _paper_with(("shell", "shell", "question"), chapter=1, tasks=3)
    first = _exercise(paper.tasks[0])
    seen: list[object] = []

    def script(h: Harness) -> None:
        h.type(f"exam --tasks 3 --chapter ch1 --seed {seed}\r")
        h.wait_output("0 of 3 answered")
        h.type("1\r")
        h.wait_drill(first.id)
        h.type("echo left-here\r")
        _wait_commands(h, first.id, 1)
        assert h.repl.screen is not None
        seen.append(h.repl.screen.drill)
        h.type(F10)
        h.wait_output("1 of 3 answered")
        h.type("1\r")
        h.wait_drill(first.id)
        assert h.repl.screen is not None and h.repl.screen.drill is seen[0]  # the same live attempt
        session = h.repl.screen.drill.session if h.repl.screen.drill else None
        assert session is not None and "left-here" in "\n".join(session.screen.lines())
        h.type(F10)
        h.wait_output("Exam 1 ·")
        h.type("pause\r")
        h.wait_output("Exam 1 paused with 60:00 left: `exam` resumes it.")
        h.type("exam --tasks 5\r")
        h.wait_output("Resuming exam 1: 1 of 3 tasks answered, 60:00 left.")
        h.wait_output("It keeps the options it was begun with")
        h.type("1\r")
        h.wait_drill(first.id)
        h.until(lambda: h.repl.screen is not None and getattr(h.repl.screen, "resumed", False), "a resumed task")
        h.type(F10)  # nothing done in the fresh sandbox: the result from before stands
        h.wait_output("Exam 1 · 60:00 left · 1 of 3 answered")
        h.type("pause\r")
        h.wait_output("paused")
        h.type("quit\r")

    harness.run(script)
    with Progress.open(harness.data_dir, warn=pytest.fail) as progress:
        [exam] = progress.exams()
        assert exam.finished is None and progress.exam_tasks(exam.id)[1].keys == "echo left-here<CR>"


@pytest.mark.pty
def test_at_time_out_the_exam_is_handed_in_as_it_stands(harness: Harness) -> None:
    paper = draw(LIBRARY, seed=3, tasks=2, chapter=3)
    exercises = [_exercise(t) for t in paper.tasks]
    question = next(e for e in exercises if e.kind == "question")
    number = exercises.index(question) + 1
    assert question.question is not None

    def script(h: Harness) -> None:
        h.type("exam --tasks 2 --chapter 3 --minutes 1 --seed 3\r")
        h.wait_output("Exam 1 · 1:00 left")
        h.type(f"{number}\r")
        h.wait_drill(question.id)
        h.type(question.question.correct_answer())  # typed, not entered: what stands at time-out counts
        h.until(lambda: h.repl.screen is not None and h.repl.screen.answer.text != "", "the answer typed")
        h.now += 61
        h.wait_output("Time is up: the exam is handed in as it stands.")
        h.wait_output("Review:")
        h.type("q\r")
        h.wait_output("End of the review.")
        h.type("quit\r")

    text = harness.run(script)
    with Progress.open(harness.data_dir, warn=pytest.fail) as progress:
        [exam] = progress.exams()
        tasks = progress.exam_tasks(exam.id)
    assert exam.finished is not None and exam.time_left == 0.0
    assert tasks[number].passed and exam.score == 50.0
    assert "Exam 1 (seed 3): 50 of 100 · 2 tasks · 1:00 used of 1:00" in text


def test_options_the_exam_refuses_and_no_exam_to_review(harness: Harness) -> None:
    def script(h: Harness) -> None:
        h.type("exam --tasks zero\r")
        h.type("exam --chapter ch9\r")
        h.type("exam review 4\r")
        h.type("help exam\r")
        h.type("stats\r")
        h.type("replay 99\r")
        h.type("quit\r")

    text = harness.run(script)
    assert "trainer: exam: argument --tasks: invalid int value: 'zero'" in text
    assert "trainer: --chapter ch9: the course has chapters ch1, ch2, ch3, ch4" in text
    assert "No exam 4: `stats` lists the exams taken." in text
    assert "exam [--minutes M] [--tasks N] [--chapter chN] [--seed S]" in text
    assert "No exam yet: `exam` starts a mock midterm." in text
    assert "Attempt 99 has no recording." in text


def test_the_checks_of_a_task_are_kept_in_words() -> None:
    stored = ExamTaskRecord(1, 1, "vi-dd", 0, 2.0, 3.0, False, "", 0, None, json.dumps([
        {"id": "file", "kind": "file_content", "passed": True, "weight": 2.0, "reason": None},
        {"id": "how", "kind": "vi_did", "passed": False, "weight": 1.0,
         "reason": {"en": "You deleted by hand.", "ko": "손으로 지웠습니다."}}]), None, 1.0)
    from trainer.exam_report import check_lines
    assert check_lines(stored, "en") == ["  ✗ You deleted by hand. (−1)", "  ✓ 1 check passed (2 points)"]
    assert check_lines(stored, "ko") == ["  ✗ 손으로 지웠습니다. (−1점)", "  ✓ 확인 1개 통과 (2점)"]


def test_an_unreadable_exam_in_the_progress_file_is_set_aside_not_lost(harness: Harness) -> None:
    exam = harness.progress.begin_exam(4, 60, None, "not json", T0)
    harness.progress.save_exam_task(ExamTaskRecord(exam, 1, "vi-delete-word", 1, 1.0, 2.0, False, "x", 1, None,
                                                   "{broken", None, 1.0), 100.0)

    def script(h: Harness) -> None:
        h.type("stats\r")
        h.wait_output("in progress")
        h.type("exam --tasks 2 --seed 8\r")
        h.wait_output("Exam 2 · 60:00 left")
        h.type("pause\r")
        h.wait_output("paused")
        h.type("stats\rquit\r")

    text = harness.run(script)
    assert ("exam 1 in the progress file has an unreadable paper (Expecting value: line 1 column 1 (char 0)): it "
            "is set aside, unscored, and a new exam begins.") in " ".join(text.split())
    assert "#1 2026-11-25 set aside, unscored" in text and "#2 2026-11-25 in progress, 60:00 left" in text
    with Progress.open(harness.data_dir, warn=pytest.fail) as progress:
        assert progress.exam_tasks(1)[1].keys == "x"  # nothing of it deleted
