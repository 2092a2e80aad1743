"""A mock exam sitting: the task list, the tasks on the exam screen, the countdown, what is kept, the review.

``ExamRun`` runs one exam from the REPL (or `trainer exam`): a paper drawn by ``exam_paper.draw`` (or the
exam in progress, resumed with the time it had left), a task list between tasks, each task on an
``ExamScreen``. A task is graded each time it is left and its result saved at once, so a killed trainer
loses no task it finished; the live attempts are kept while the exam runs, so a task come back to is as it
was left. At time-out, or on `finish`, every task is graded as it stands, the exam handed in, the report
printed, and each task's result recorded as an attempt (the review queue's input: mistakes come back).

    ExamRun(context, options).run()
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from sandbox.errors import SandboxError
from trainer import recording
from trainer.batch import read_text
from trainer.drill_screen import DrillScreen
from trainer.errors import TrainerError
from trainer.exam_paper import MAX_SEED, Paper, add_options, check_weight, draw, paper_json, paper_of, task_score
from trainer.exam_report import check_lines, exam_score, report_lines
from trainer.exam_screen import ExamScreen
from trainer.exam_text import clock_text, exam_say
from trainer.grading import grade
from trainer.loader import Library, instantiate
from trainer.model import ANSWERED_KINDS, Exercise
from trainer.progress import AttemptRecord, ExamRecord, ExamTaskRecord, Progress
from trainer.runner import Drill, Engines
from trainer.text import Text
from trainer.ui_text import say

#: How often the time left is written to the progress file while the exam runs (a kill loses at most this).
SAVE_EVERY_S = 5.0
_TIME_UP = "\x00time-up"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise TrainerError(f"exam: {message} (usage: {HELP_USAGE})")


HELP_USAGE = "exam [--minutes M] [--tasks N] [--chapter ch1..ch4] [--seed S] | exam review [N]"


def repl_options(words: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(prog="exam", add_help=False)
    add_options(parser)
    return parser.parse_args(list(words))


@dataclass
class ExamContext:
    """What an exam needs of the REPL around it."""

    library: Library
    progress: Progress
    engines: Engines
    lang: str
    recordings: Path
    out: TextIO
    say: Callable[[str], None]
    clock: Callable[[], float] = time.time
    input: Input | None = None
    output: Output | None = None
    on_screen: Callable[[DrillScreen | None], None] = lambda _screen: None
    on_progress: Callable[[str], None] | None = None


@dataclass
class _Clock:
    """The exam's time: what it had left when this sitting began, less the time since; saved as it goes."""

    left_at_start: float
    now: Callable[[], float]
    save: Callable[[float], None]
    since: float = 0.0
    saved_at: float = 0.0

    def __post_init__(self) -> None:
        self.since = self.saved_at = self.now()

    def left(self) -> float:
        now = self.now()
        remaining = self.left_at_start - (now - self.since)
        if now - self.saved_at >= SAVE_EVERY_S:
            self.saved_at = now
            self.save(remaining)
        return remaining


@dataclass
class _TaskState:
    exercise: Exercise | None  # None: no longer in the packs
    unmet: str | None = None  # why it cannot run here
    drill: Drill | None = None
    answer: str | None = None
    result: ExamTaskRecord | None = None
    from_before: bool = False  # its result was kept before the trainer stopped; its sandbox is gone
    opened: bool = False
    seconds: float = 0.0


@dataclass
class ExamRun:
    context: ExamContext
    record: ExamRecord
    states: dict[int, _TaskState] = field(default_factory=dict)

    # -- beginning ------------------------------------------------------------------------------
    @classmethod
    def begin(cls, context: ExamContext, options: argparse.Namespace, *, asked: bool = False) -> ExamRun:
        """The exam in progress if there is one (resumed), else a new one drawn from ``options``; ``asked``:
        options were given (a resumed exam keeps its own, and says so)."""
        progress = context.progress
        running = [r for r in progress.exams() if r.finished is None]
        for record in running[:-1] if running else []:  # only the last one runs; any other is set aside
            progress.finish_exam(record.id, None, record.time_left, context.clock())
        if running:
            record = running[-1]
            try:
                paper = paper_of(record)
            except TrainerError as exc:
                context.say(exam_say("set_aside", context.lang, problem=str(exc)))
                progress.finish_exam(record.id, None, record.time_left, context.clock())
                return cls.begin(context, options, asked=asked)
            run = cls(context, record)
            run._load(paper, progress.exam_tasks(record.id))
            answered = sum(1 for s in run.states.values() if s.result is not None)
            context.say(exam_say("resume", context.lang, id=record.id, answered=answered, tasks=len(run.states),
                                 left=clock_text(record.time_left)))
            if asked:
                context.say(exam_say("resume_options", context.lang))
            return run
        seed = options.seed if options.seed is not None else secrets.randbelow(MAX_SEED) + 1
        paper = draw(context.library, seed=seed, tasks=options.tasks, minutes=options.minutes, chapter=options.chapter)
        if not progress.writable:
            context.say(exam_say("read_only", context.lang))
        started = context.clock()
        exam_id = progress.begin_exam(seed, options.minutes, options.chapter, paper_json(paper), started)
        record = ExamRecord(exam_id, seed, options.minutes, options.chapter, paper_json(paper), started,
                            options.minutes * 60.0)
        run = cls(context, record)
        run._load(paper, {})
        context.say(exam_say("begin", context.lang, tasks=len(paper.tasks), minutes=options.minutes, seed=seed))
        return run

    def _load(self, paper: Paper, results: dict[int, ExamTaskRecord]) -> None:
        self.paper = paper
        known = {t.id for t in self.context.library.templates}
        for task in paper.tasks:
            if task.exercise not in known:
                state = _TaskState(None, unmet="no longer in the packs")
            else:
                exercise = instantiate(self.context.library.template(task.exercise), task.seed)
                state = _TaskState(exercise, unmet=self.context.engines.unmet(exercise))
            state.result = results.get(task.number)
            state.from_before = state.result is not None
            state.answer = state.result.answer if state.result else None
            self.states[task.number] = state
        self.clock = _Clock(self.record.time_left, self.context.clock,
                            lambda left: self.context.progress.exam_time_left(self.record.id, left))

    # -- the sitting ----------------------------------------------------------------------------
    def run(self) -> ExamRecord | None:
        """Until the exam is handed in (its record, with the score) or paused (None)."""
        lang = self.context.lang
        session: PromptSession[str] = PromptSession(history=InMemoryHistory(), input=self.context.input,
                                                    output=self.context.output)
        for number, state in self.states.items():
            if state.unmet:
                self.context.say(exam_say("cannot_run", lang, n=number, why=state.unmet))
        try:
            while self.clock.left() > 0:
                self._show_list()
                choice = self._ask(session)
                if choice == _TIME_UP:
                    break
                if choice == "pause":
                    self._pause()
                    return None
                if choice == "finish":
                    if self._confirm_finish(session):
                        break
                    continue
                showing = self._pick(choice)
                while showing is not None and self.clock.left() > 0:
                    showing = self._visit(showing)
            if self.clock.left() <= 0:
                self.context.say(exam_say("time_up", lang))
            return self._hand_in()
        finally:
            self._close_drills()

    def _open(self) -> list[int]:
        return [n for n, s in self.states.items() if s.result is None and not s.unmet]

    def _show_list(self) -> None:
        lang = self.context.lang
        answered = sum(1 for s in self.states.values() if s.result is not None)
        lines = [exam_say("list_head", lang, id=self.record.id, left=clock_text(self.clock.left()),
                          answered=answered, tasks=len(self.states))]
        for task in self.paper.tasks:
            state = self.states[task.number]
            key = ("state_cannot" if state.unmet else "state_answered" if state.result is not None
                   else "state_open" if state.opened else "state_new")
            title = state.exercise.title.get(lang) if state.exercise else task.exercise
            kind = say("kind_" + state.exercise.kind, lang) if state.exercise else ""
            lines.append(f"  {task.number:>2}  {exam_say(key, lang):10} ch{task.chapter}  {kind:8} {title}")
        lines.append(exam_say("list_help", lang) if self._open() else exam_say("all_answered", lang))
        self.context.say("\n".join(lines))

    def _ask(self, session: PromptSession[str]) -> str:
        def toolbar() -> str:
            return exam_say("bar_left", self.context.lang, left=clock_text(self.clock.left()))

        def watch() -> None:
            async def countdown() -> None:
                while self.clock.left() > 0:
                    await asyncio.sleep(0.25)
                session.app.exit(result=_TIME_UP)
            session.app.create_background_task(countdown())

        try:
            return session.prompt("exam> ", bottom_toolbar=toolbar, refresh_interval=1.0, pre_run=watch).strip()
        except KeyboardInterrupt:
            return ""
        except EOFError:
            return "pause"

    def _pick(self, choice: str) -> int | None:
        lang = self.context.lang
        if choice in ("", "n", "next"):
            waiting = self._open()
            if not waiting:
                self.context.say(exam_say("all_answered", lang))
            return waiting[0] if waiting else None
        if choice.isdigit() and int(choice) in self.states:
            return int(choice)
        self.context.say(exam_say("list_unknown", lang, word=choice))
        return None

    def _confirm_finish(self, session: PromptSession[str]) -> bool:
        waiting = self._open()
        if not waiting:
            return True
        self.context.say(exam_say("confirm_finish", self.context.lang, open=len(waiting)))
        try:
            return session.prompt("exam> ").strip().lower() in ("y", "yes", "예", "네")
        except (KeyboardInterrupt, EOFError):
            return False

    def _following(self, number: int) -> int | None:
        """The next task after ``number`` with no answer yet (round the paper), or None."""
        waiting = self._open()
        later = [n for n in waiting if n > number] or [n for n in waiting if n != number]
        return later[0] if later else None

    def _visit(self, number: int) -> int | None:
        """Show task ``number`` until it is left; save its result; the task to show next, if any."""
        lang, state = self.context.lang, self.states[number]
        if state.unmet or state.exercise is None:
            self.context.say(exam_say("cannot_run", lang, n=number, why=state.unmet))
            return None
        state.opened = True
        screen = ExamScreen(state.exercise, self.context.engines, lang, time_left=self.clock.left,
                            place=f"{number}/{len(self.states)}", unanswered=lambda: len(self._open()),
                            drill=state.drill, answer=state.answer,
                            resumed=state.from_before and state.drill is None, input=self.context.input,
                            output=self.context.output, on_progress=self.context.on_progress)
        began = self.context.clock()
        self.context.on_screen(screen)
        try:
            outcome = screen.run()
        except (TrainerError, SandboxError) as exc:  # the sandbox or its program would not start
            state.unmet = str(exc)
            self.context.say(exam_say("cannot_run", lang, n=number, why=state.unmet))
            return None
        finally:
            self.context.on_screen(None)
            print(file=self.context.out, flush=True)
        state.seconds += self.context.clock() - began
        state.drill = screen.drill
        if screen.answer_given is not None:
            state.answer = screen.answer_given
        self._save(number)
        if screen.timed_out or not outcome.next_requested:
            return None
        return self._following(number)

    def _save(self, number: int) -> None:
        """Grade task ``number`` as it stands and keep the result (a visit that did nothing keeps the one
        before). An attempt nothing was done in scores nothing, whatever its checks say of the start."""
        state, task = self.states[number], self.paper.tasks[number - 1]
        drill, exercise = state.drill, state.exercise
        if drill is None or exercise is None:
            return
        session = drill.session
        typed = bool(session and session.keys)
        if not typed and state.answer is None:
            return
        try:
            observation = drill.observe(state.answer)
        except (TrainerError, SandboxError, OSError) as exc:
            self.context.say(f"trainer: task {number}: {' '.join(str(exc).split())[:200]}")
            return
        verdict = grade(exercise.checks, observation)
        earned, possible = task_score(verdict)
        checks = [{"id": r.check.id, "kind": r.check.kind, "passed": r.passed, "weight": check_weight(r.check),
                   "reason": {"en": r.reason.en, "ko": r.reason.ko} if r.reason else None}
                  for r in verdict.results]
        name = None
        if session is not None:
            name = f"exam-{self.record.id}-{number}.cast"
            try:
                recording.save(self.context.recordings / name, recording.of_session(session, title=exercise.id))
            except OSError:
                name = None
        keys = "".join(k.key for k in session.keys) if session else ""
        count = len(session.keys) if session else len(state.answer or "")
        state.from_before = False
        state.result = ExamTaskRecord(self.record.id, number, task.exercise, task.seed, earned, possible,
                                      verdict.passed, keys, count, state.answer, json.dumps(checks, ensure_ascii=False),
                                      name, state.seconds)
        self.context.progress.save_exam_task(state.result, self.clock.left())

    def _pause(self) -> None:
        for number in self.states:
            self._save(number)
        self.context.progress.exam_time_left(self.record.id, self.clock.left())
        self.context.say(exam_say("paused", self.context.lang, id=self.record.id, left=clock_text(self.clock.left())))

    def _close_drills(self) -> None:
        for state in self.states.values():
            if state.drill is not None:
                state.drill.close()
                state.drill = None

    # -- the end -------------------------------------------------------------------------------
    def results(self) -> dict[int, ExamTaskRecord]:
        """Each answered task's latest result (kept in memory too: a read-only progress file stores none)."""
        return {n: s.result for n, s in self.states.items() if s.result is not None}

    def not_scored(self) -> set[int]:
        return {n for n, s in self.states.items() if s.unmet}

    def _hand_in(self) -> ExamRecord:
        live = [n for n, s in self.states.items() if s.drill is not None]
        if live:
            self.context.say(exam_say("grading", self.context.lang))
        for number in live:
            self._save(number)
        score = exam_score(self.paper, self.results(), self.not_scored())
        left = max(self.clock.left(), 0.0)
        now = self.context.clock()
        self.context.progress.finish_exam(self.record.id, score, left, now)
        for state in self.states.values():  # the review queue's input: each task answered, as an attempt
            found = state.result
            if found is None or state.exercise is None:
                continue
            self.context.progress.record(AttemptRecord(
                exercise=found.exercise, pack=state.exercise.pack, topic=state.exercise.topic,
                started=now - found.seconds, ended=now, passed=found.passed, keys=max(found.key_count, 1),
                seconds=found.seconds, hints_used=0, solution_seen=False))
        self.record = ExamRecord(self.record.id, self.record.seed, self.record.minutes, self.record.chapter,
                                 self.record.paper, self.record.started, left, now, score)
        return self.record


# -- afterwards: the report and the review ---------------------------------------------------------
def topic_titles(library: Library) -> dict[str, Text]:
    return {topic.name: topic.title for pack in library.packs for topic in pack.topics}


def show_report(context: ExamContext, record: ExamRecord, results: Mapping[int, ExamTaskRecord]) -> None:
    paper = paper_of(record)
    known = {t.id for t in context.library.templates}
    unmet = {t.number for t in paper.tasks
             if t.exercise not in known
             or context.engines.unmet(instantiate(context.library.template(t.exercise), t.seed)) is not None}
    context.say("\n".join(report_lines(record, paper, results, unmet, topic_titles(context.library), context.lang)))


def task_review(context: ExamContext, record: ExamRecord, results: Mapping[int, ExamTaskRecord], number: int) -> str:
    """One task as the review shows it: the task, what the learner did, each check, the solution and why."""
    lang = context.lang
    paper = paper_of(record)
    task = paper.tasks[number - 1]
    stored = results.get(number)
    lines = []
    earned = stored.earned if stored else 0.0
    if task.exercise not in {t.id for t in context.library.templates}:
        return exam_say("review_task", lang, n=number, total=len(paper.tasks), chapter=task.chapter, id=task.exercise,
                        earned=earned, possible=stored.possible if stored else 0)
    ex = instantiate(context.library.template(task.exercise), task.seed)
    possible = stored.possible if stored else sum(check_weight(c) for c in ex.checks)
    lines.append(exam_say("review_task", lang, n=number, total=len(paper.tasks), chapter=task.chapter,
                          id=task.exercise, earned=earned, possible=possible))
    lines.append(ex.title.get(lang))
    lines += ["  " + line for line in ex.prompt.get(lang).strip().splitlines()]
    if ex.question is not None:
        lines += ["  " + line for line in ex.question.lines(lang)]
    if stored is None:
        lines.append(exam_say("review_unanswered", lang))
    else:
        if stored.answer is not None:
            lines.append(exam_say("review_answer", lang, answer=stored.answer))
        if stored.keys:
            lines.append(exam_say("review_keys", lang, count=stored.key_count, keys=stored.keys))
        lines += check_lines(stored, lang)
    if ex.kind in ANSWERED_KINDS:
        solution = ex.question.correct_answer() if ex.question is not None else ex.solution.answer
    else:
        solution = ex.solution.keys_for(context.engines.engine_for(ex.kind)) if _engine_known(context, ex) \
            else ex.solution.keys_for("*")
    words = ex.question.correct_answer(lang) if ex.question is not None else None
    if words and words != solution:
        lines.append(exam_say("review_solution_words", lang, solution=solution, words=words))
    else:
        lines.append(exam_say("review_solution", lang, solution=solution))
    if ex.explanation is not None:
        lines.append(exam_say("review_explanation", lang, text=ex.explanation.get(lang).strip()))
    if stored is not None and stored.recording and (context.recordings / stored.recording).is_file():
        lines.append(exam_say("review_replay", lang))
    return "\n".join(lines)


def _engine_known(context: ExamContext, exercise: Exercise) -> bool:
    try:
        context.engines.engine_for(exercise.kind)
    except TrainerError:
        return False
    return True


def review(context: ExamContext, record: ExamRecord, results: Mapping[int, ExamTaskRecord], *,
           prompt: Callable[[str], str]) -> None:
    """Walk through the exam's tasks: n/Enter next, p previous, a number, replay, q."""
    lang = context.lang
    total = len(paper_of(record).tasks)
    context.say(exam_say("review_help", lang))
    number = 1
    context.say(task_review(context, record, results, number))
    while True:
        try:
            word = prompt("review> ").strip().lower()
        except (KeyboardInterrupt, EOFError):
            break
        if word in ("q", "quit", "done"):
            break
        if word.startswith("replay"):
            _replay(context, results.get(number), word.removeprefix("replay").strip())
            continue
        if word in ("", "n", "next"):
            if number >= total:
                break
            number += 1
        elif word in ("p", "prev", "previous"):
            number = max(1, number - 1)
        elif word.isdigit() and 1 <= int(word) <= total:
            number = int(word)
        else:
            context.say(exam_say("review_help", lang))
            continue
        context.say(task_review(context, record, results, number))
    context.say(exam_say("review_end", lang, id=record.id))


def _replay(context: ExamContext, stored: ExamTaskRecord | None, speed: str) -> None:
    path = context.recordings / stored.recording if stored and stored.recording else None
    if path is None or not path.is_file():
        context.say(exam_say("review_no_recording", context.lang))
        return
    try:
        factor = float(speed) if speed else 1.0
    except ValueError:
        factor = 1.0
    _header, events = recording.parse(read_text(path), str(path))
    recording.play(events, context.out, factor)
    print("\x1b[0m", file=context.out, flush=True)
