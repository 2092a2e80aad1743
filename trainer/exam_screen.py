"""The drill screen as an exam shows it: the task and the live program, a countdown, and no help.

An ``ExamScreen`` is a ``DrillScreen`` that never grades while it runs (the exam grades a task when the
learner leaves it), offers no hints and no solution, and shows the time left and the task's place in the
paper. F4 moves on to the next task and F10 goes back to the task list; either way the program is only
detached (``keep_drill``), so a task left and come back to is as the learner left it. An answer entered
on the answer line is kept and moves on. At time-out the screen closes by itself.

    screen = ExamScreen(exercise, engines, "ko", time_left=clock.left, place="3/12", drill=None)
    outcome = screen.run()        # screen.drill: the live attempt, still running, for the exam to grade
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import Output
from prompt_toolkit.utils import get_cwidth

from trainer.drill_screen import DrillOutcome, DrillScreen
from trainer.exam_text import clock_text, exam_say
from trainer.grading import Verdict
from trainer.messages import say_note
from trainer.model import ANSWERED_KINDS, Exercise
from trainer.runner import Drill, Engines
from trainer.ui_text import say
from trainer.wrap import unfold

TICK_S = 0.25  # how often the countdown is looked at


class ExamScreen(DrillScreen):
    def __init__(self, exercise: Exercise, engines: Engines, lang: str, *, time_left: Callable[[], float],
                 place: str, unanswered: Callable[[], int] = lambda: 0, drill: Drill | None = None,
                 answer: str | None = None, resumed: bool = False,
                 input: Input | None = None, output: Output | None = None,
                 on_progress: Callable[[str], None] | None = None) -> None:
        """``drill``: the attempt left earlier, to carry on; ``answer``: the answer kept so far; ``resumed``:
        the task has a result from before the trainer was stopped (its sandbox is new)."""
        self.time_left = time_left
        self.place = place
        self.unanswered = unanswered
        self._kept = drill
        self.answer_given = answer
        self.resumed = resumed
        self.timed_out = False
        self.refused: str | None = None  # the help an exam does not give, when asked for
        super().__init__(exercise, engines, lang, input=input, output=output, on_progress=on_progress)

    # -- running -------------------------------------------------------------------------------
    def run(self) -> DrillOutcome:
        self._start_drill()
        try:
            return self.app.run(pre_run=self._begin)
        finally:
            self._stop_drill()

    def _begin(self) -> None:
        self._watch()
        self.app.create_background_task(self._countdown())

    async def _countdown(self) -> None:
        while self.time_left() > 0:
            await asyncio.sleep(TICK_S)
        self.timed_out = True
        self._keep_typed()
        self.leave()

    def _start_drill(self) -> None:
        if self._kept is None:
            super()._start_drill()
            return
        self.drill, self._kept = self._kept, None
        self._marks_seen = len(self.drill.session.marks) if self.drill.session else 0
        self._exit_checked = True
        if self.exercise.kind in ANSWERED_KINDS:
            self.app.layout.focus(self.answer_window)

    def _stop_drill(self) -> None:
        """Detach the attempt, keeping it running: the exam grades it and may bring it back."""
        self._unwatch()

    def check(self, answer: str | None = None) -> Verdict | None:
        return None  # an exam grades a task when it is left, and says nothing before the end

    def reset(self) -> None:
        """The task from the start: a fresh sandbox of the same variant (the answer kept is dropped)."""
        if self.drill is not None:
            self._unwatch()
            self.drill.close()
            self.drill = None
        self.answer.reset()
        self.answer_given = None
        self.variant_note = "variant_same"
        self._scroll = 0
        super()._start_drill()
        self._watch()

    def _accept_answer(self, buffer: Buffer) -> bool:
        if buffer.text.strip():
            self.answer_given = buffer.text
            self.leave(next_requested=True)
        return False

    def _keep_typed(self) -> None:
        """An answer typed on the answer line but not entered counts when the task is left."""
        if self.answer.text.strip():
            self.answer_given = self.answer.text

    def _trainer_key(self, key: Keys) -> None:
        self.refused = None
        if key in (Keys.F4, Keys.F10):
            self._keep_typed()
            self.leave(next_requested=key == Keys.F4)
        elif key == Keys.F5:
            self.reset()
        elif key == Keys.F3:
            self._toggle_focus()
        elif key in (Keys.F7, Keys.F8):
            self.scroll(-5 if key == Keys.F7 else 5)
        elif key in (Keys.F1, Keys.F2, Keys.F6):
            self.refused = "no_help"
        self.app.invalidate()

    # -- drawing -------------------------------------------------------------------------------
    def _status_text(self) -> StyleAndTextTuples:
        lang = self.lang
        session = self.drill.session if self.drill else None
        keys = len(session.keys) if session else 0
        task = exam_say("bar_task", lang, place=self.place, open=self.unanswered())
        left = f" {exam_say('bar_left', lang, left=clock_text(self.time_left()))}  {task}  " \
               f"{say('bar_keys', lang, keys=keys)}  "
        help_key = "bar_help_answer" if self.exercise.kind in ANSWERED_KINDS else "bar_help"
        right = exam_say(help_key, lang)
        if get_cwidth(left + right) > self.app.output.get_size().columns:
            right = exam_say("bar_help_short", lang)
        return [("class:status", left + right)]

    def _task_text(self) -> StyleAndTextTuples:
        lang, ex = self.lang, self.exercise
        tag = say("kind_" + ex.kind, lang)
        out: StyleAndTextTuples = [
            ("class:title", ex.title.get(lang)),
            ("class:dim", f"  [{exam_say('task_tag', lang, place=self.place, kind=tag)}]\n\n"),
            ("", unfold(ex.prompt.get(lang)) + "\n")]
        if ex.question is not None:
            out.append(("", "\n" + "\n".join(ex.question.lines(lang)) + "\n"))
            out.append(("class:dim", say(f"answer_hint_{ex.question.type}", lang) + "\n"))
        if self.resumed:
            out.append(("class:hint", "\n" + exam_say("resumed_task", lang) + "\n"))
        if self.answer_given is not None:
            out.append(("", "\n" + exam_say("answer_kept", lang, answer=self.answer_given) + "\n"))
        session = self.drill.session if self.drill else None
        if session is not None and not session.alive:
            out.append(("class:hint", "\n" + exam_say("program_ended", lang) + "\n"))
        for note in self.outcome.notes:
            out.append(("class:hint", f"! {say_note(note).get(lang)}\n"))
        if self.refused:
            out.append(("class:hint", "\n" + exam_say(self.refused, lang) + "\n"))
        out.append(("class:dim", "\n" + exam_say("how_graded", lang)))
        return out
