"""The drill screen: a full-screen prompt_toolkit Application around one live Drill.

A task pane (title, prompt, hints shown, each check with its mark and reason, a diff), the terminal
pane with the sandboxed program, an answer line for quizzes, and a status bar (keys vs par, time,
F-keys). Shell drills are checked each time a command returns to the prompt, vi drills when vi
exits, quizzes when the answer is entered; F2 checks at any time.

    screen = DrillScreen(exercise, engines, lang="ko", on_record=record)
    outcome = screen.run()          # until F10 (or F4 after a pass)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.data_structures import Size
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, DynamicContainer, HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.containers import AnyContainer
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth

from sandbox.errors import SandboxError
from sandbox.session import Note, Session
from trainer import recording
from trainer.errors import TrainerError
from trainer.grading import Verdict, grade
from trainer.messages import say_note
from trainer.model import ANSWERED_KINDS, SHELL_KINDS, Exercise
from trainer.questions import LETTERS
from trainer.runner import Drill, Engines
from trainer.terminal_pane import TerminalPane
from trainer.ui_text import say
from trainer.verdict_words import verdict_lines
from trainer.wrap import line_count, split_lines, unfold, wrap

#: Below this the drill says what it needs instead of drawing a cramped screen.
MIN_COLUMNS, MIN_ROWS = 40, 12
#: From this width the task sits beside the terminal; narrower, above it.
SIDE_BY_SIDE_COLUMNS = 110
TASK_WIDTH = 48  # side by side: the task pane's columns
MIN_PANE_ROWS = 8  # stacked: rows kept for the terminal pane
EXIT_POLL_S = 0.05
SCROLL_STEP = 5  # task pane lines per F7/F8
READ_BUDGET = 16 * 1024  # bytes of program output handled per event-loop turn (pyte: ~20 ms)

STYLE = Style.from_dict({
    "title": "bold", "pass": "ansigreen bold", "fail": "ansired bold", "dim": "ansibrightblack",
    "status": "reverse", "status.pass": "bg:ansigreen ansiblack bold", "rule": "ansibrightblack",
    "diff.add": "ansigreen", "diff.del": "ansired", "hint": "ansiyellow",
})


@dataclass
class DrillOutcome:
    """How a drill ended, for the REPL to record and report."""

    exercise: Exercise
    passed: bool = False
    keys: int = 0
    seconds: float = 0.0
    hints_used: int = 0
    solution_seen: bool = False
    next_requested: bool = False
    verdict: Verdict | None = None
    recorded: bool = False  # already handed to ``on_record``
    notes: tuple[Note, ...] = ()  # what happened to the attempt that the learner must be told
    recording: str | None = None  # the session as asciicast v2, once the drill is handed over or stopped


class DrillScreen:
    """Runs one exercise interactively until the learner leaves."""

    def __init__(self, exercise: Exercise, engines: Engines, lang: str, *,
                 on_record: Callable[[DrillOutcome], None] | None = None, hints_used: int = 0,
                 input: Input | None = None, output: Output | None = None,
                 on_progress: Callable[[str], None] | None = None) -> None:
        self.exercise = exercise
        self.on_progress = on_progress  # what the start is doing, while the screen is not up yet
        self.variant_note = "variant_new"  # a new variant; after F5 the same one again
        self.engines = engines
        self.lang = lang
        self.on_record = on_record  # a pass as it happens, and a checked run given up with F5
        self.outcome = DrillOutcome(exercise, hints_used=hints_used)
        self.answer = Buffer(multiline=False, accept_handler=self._accept_answer)
        self.drill: Drill | None = None
        self.pane = TerminalPane(lambda: self.drill.session if self.drill else None, self._trainer_key)
        self.pane_window = Window(self.pane, wrap_lines=False)
        self.answer_window = Window(BufferControl(self.answer), height=1)
        self.app: Application[DrillOutcome] = Application(
            layout=Layout(DynamicContainer(self._body), focused_element=self.answer_window
                          if exercise.kind == "question" else self.pane_window),
            key_bindings=self._bindings(), style=STYLE, full_screen=True, input=input, output=output,
            refresh_interval=1.0, mouse_support=False)
        self.app.ttimeoutlen = 0.01  # a lone ESC reaches vi at once (the default holds it 0.5 s)
        self.app.timeoutlen = 0.05
        self._marks_seen = 0
        self._scroll = 0  # task pane lines scrolled by F7/F8, from where it shows by itself
        self._last_answer: str | None = None

    # -- running -------------------------------------------------------------------------------
    def run(self) -> DrillOutcome:
        self._start_drill()
        try:
            return self.app.run(pre_run=self._watch)
        finally:
            self._stop_drill()

    def _start_drill(self) -> None:
        columns, rows = self.pane.size or (80, 24)
        progress = self.on_progress if not self.app.is_running else None
        self.drill = Drill(self.exercise, self.engines, columns=columns, rows=rows,
                           quiz_terminal=True, progress=progress)
        if progress is not None:
            progress("ready")
        self._marks_seen = len(self.drill.session.marks) if self.drill.session else 0
        self._exit_checked = False
        if self.exercise.kind in ANSWERED_KINDS:
            self.app.layout.focus(self.answer_window)

    def _stop_drill(self) -> None:
        if self.drill is not None:
            self._capture()
            self._unwatch()
            self.drill.close()
            self.drill = None

    def _watch(self) -> None:
        session = self.drill.session if self.drill else None
        if session is not None and session.alive:
            asyncio.get_running_loop().add_reader(session.fd, self._on_output)
            self.app.create_background_task(self._watch_exit(session))

    async def _watch_exit(self, session: Session) -> None:
        """Notice the program's exit: the pty never reports it (the session holds the slave open)."""
        while session.alive:
            session.tick()  # limits that a silent program reaches too (wall clock, disk)
            await asyncio.sleep(EXIT_POLL_S)
        if self.drill is not None and self.drill.session is session:
            self._on_output()

    def _unwatch(self) -> None:
        session = self.drill.session if self.drill else None
        if session is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(session.fd)

    def _on_output(self) -> None:
        session = self.drill.session if self.drill else None
        if session is None:
            return
        session.pump(max_bytes=READ_BUDGET)
        if not session.alive:
            self._unwatch()
            if self.exercise.kind == "vi" and not self.outcome.passed and not self._exit_checked:
                self._exit_checked = True
                self.check()  # vi drills are graded when the editor exits
        elif self.exercise.kind in SHELL_KINDS and len(session.marks) > self._marks_seen:
            self._marks_seen = len(session.marks)
            if not self.outcome.passed:
                self.check()  # a command returned to the prompt
        self.app.invalidate()

    # -- actions -------------------------------------------------------------------------------
    def check(self, answer: str | None = None) -> Verdict | None:
        if self.drill is None:
            return None
        try:
            observation = self.drill.observe(answer)
        except (TrainerError, SandboxError, OSError) as exc:  # a cluster that stopped answering, say
            self.outcome.notes = (Note.of("check_failed", error=str(exc)[:200]),)
            self.app.invalidate()
            return None
        verdict = grade(self.exercise.checks, observation)
        self.outcome.verdict = verdict
        self._scroll = 0  # show the new check list
        self.outcome.notes = observation.notes
        # keys typed: in the terminal, and on the answer line (an answer entered is an attempt, not an untouched drill)
        self.outcome.keys = verdict.keys + (len(answer) if answer and self.exercise.kind in ANSWERED_KINDS else 0)
        self.outcome.seconds = verdict.seconds
        if verdict.passed and not self.outcome.passed:
            self.outcome.passed = True
            self._hand_over()
        self.app.invalidate()
        return verdict

    def _accept_answer(self, buffer: Buffer) -> bool:
        self._last_answer = buffer.text
        self.check(buffer.text)
        return False  # an empty line for the next answer; the task pane shows the one checked

    def hint(self) -> None:
        if self.outcome.hints_used < len(self.exercise.hints):
            self.outcome.hints_used += 1

    def show_solution(self) -> None:
        if self.outcome.verdict is not None and not self.outcome.passed:
            self.outcome.solution_seen = True

    def _capture(self) -> None:
        session = self.drill.session if self.drill else None
        if session is not None and not self.outcome.recorded:
            self.outcome.recording = recording.of_session(session, title=self.exercise.id)

    def _hand_over(self) -> None:
        self._capture()
        if self.on_record is not None and not self.outcome.recorded:
            self.on_record(self.outcome)
            self.outcome.recorded = True

    def reset(self) -> None:
        """A fresh sandbox and program; the run before it is recorded if it was checked."""
        if self.outcome.verdict is not None:
            self._hand_over()
        self._stop_drill()
        self.outcome = DrillOutcome(self.exercise, hints_used=self.outcome.hints_used,
                                    solution_seen=self.outcome.solution_seen)
        self.answer.reset()
        self._last_answer = None
        self.variant_note = "variant_same"
        self._scroll = 0
        self._start_drill()
        self._watch()

    def leave(self, next_requested: bool = False) -> None:
        self.outcome.next_requested = next_requested
        self.app.exit(result=self.outcome)

    def _trainer_key(self, key: Keys) -> None:
        actions: dict[Keys, Callable[[], object]] = {
            Keys.F1: self.hint, Keys.F2: lambda: self.check(self.answer.text or None),
            Keys.F3: self._toggle_focus, Keys.F5: self.reset, Keys.F6: self.show_solution,
            Keys.F7: lambda: self.scroll(-SCROLL_STEP), Keys.F8: lambda: self.scroll(SCROLL_STEP),
            Keys.F10: self.leave,
        }
        if key == Keys.F4 and self.outcome.passed:
            self.leave(next_requested=True)
        elif key in actions:
            actions[key]()
        self.app.invalidate()

    def scroll(self, lines: int) -> None:
        """Scroll the task pane (F7 up, F8 down) when it is taller than its room."""
        self._scroll += lines

    def _toggle_focus(self) -> None:
        if self.exercise.kind != "quiz":  # a question has no terminal to go to
            return
        if self.app.layout.has_focus(self.answer_window):
            self.app.layout.focus(self.pane_window)
        else:
            self.app.layout.focus(self.answer_window)

    def _bindings(self) -> KeyBindings:
        """F-keys while the answer line has focus (the terminal pane binds its own)."""
        kb = KeyBindings()
        for key in (Keys.F1, Keys.F2, Keys.F3, Keys.F4, Keys.F5, Keys.F6, Keys.F7, Keys.F8, Keys.F10):
            def handler(event: KeyPressEvent, key: Keys = key) -> None:
                self._trainer_key(key)
            kb.add(key, filter=Condition(lambda: self.app.layout.has_focus(self.answer_window)))(handler)
        question = self.exercise.question
        choosing = Condition(lambda: question is not None and question.type == "choice"
                             and self.app.layout.has_focus(self.answer_window))

        @kb.add(Keys.Up, filter=choosing)
        def _up(event: KeyPressEvent) -> None:
            self.choose(-1)

        @kb.add(Keys.Down, filter=choosing)
        def _down(event: KeyPressEvent) -> None:
            self.choose(1)
        return kb

    def choose(self, step: int) -> None:
        """↑/↓ on a single-choice question: the answer line holds the option before or after the one in it."""
        question = self.exercise.question
        if question is None or not question.options:
            return
        count = len(question.options)
        now = question.read_labels(self.answer.text) if self.answer.text.strip() else None
        index = (LETTERS.index(now[0]) + step) % count if now and len(now) == 1 else (0 if step > 0 else count - 1)
        self.answer.text = LETTERS[index]
        self.answer.cursor_position = 1

    # -- drawing -------------------------------------------------------------------------------
    def _body(self) -> AnyContainer:
        app = getattr(self, "app", None)  # the layout is first walked while the Application is built
        size = app.output.get_size() if app is not None else Size(rows=24, columns=80)
        if size.columns < MIN_COLUMNS or size.rows < MIN_ROWS:
            message = say("too_small", self.lang, columns=size.columns, rows=size.rows, need_c=MIN_COLUMNS,
                       need_r=MIN_ROWS)
            return HSplit([Window(FormattedTextControl(wrap([("", message)], size.columns))),
                           self._status_bar()])
        answer = ConditionalContainer(HSplit([Window(FormattedTextControl(
            lambda: [("bold", say("answer_label", self.lang))]), height=1), self.answer_window]),
            filter=Condition(lambda: self.exercise.kind in ANSWERED_KINDS))
        answer_rows = 2 if self.exercise.kind in ANSWERED_KINDS else 0
        if self.exercise.kind == "question":  # no terminal: the task has the screen
            width, room = size.columns, max(3, size.rows - 1 - answer_rows)
            task = Window(FormattedTextControl(lambda: self._task_view(width, room)))
            return HSplit([task, answer, self._status_bar()])
        if size.columns >= SIDE_BY_SIDE_COLUMNS:
            width, room = TASK_WIDTH, max(3, size.rows - 1 - answer_rows)
            task = Window(FormattedTextControl(lambda: self._task_view(width, room)), width=width)
            top: AnyContainer = VSplit([task, Window(width=1, char="│", style="class:rule"), self.pane_window])
        else:
            width = size.columns
            text = wrap(self._task_text(), width)
            room = max(3, size.rows - MIN_PANE_ROWS - 1 - answer_rows - 1)
            task = Window(FormattedTextControl(lambda: self._task_view(width, room)),
                          height=min(line_count(text), room))
            top = HSplit([task, Window(height=1, char="─", style="class:rule"), self.pane_window])
        return HSplit([top, answer, self._status_bar()])

    def _status_bar(self) -> Window:
        return Window(FormattedTextControl(self._status_text), height=1, style="class:status")

    def _status_text(self) -> StyleAndTextTuples:
        lang = self.lang
        session = self.drill.session if self.drill else None
        keys = len(session.keys) if session else 0
        seconds = int(session.elapsed()) if session else 0
        par = f"/{self.exercise.par}" if self.exercise.par else ""
        left = f" {say('bar_keys', lang, keys=f'{keys}{par}')}  " \
               f"{say('bar_time', lang, minutes=seconds // 60, seconds=seconds % 60)}  "
        if self.outcome.passed:
            right = " " + say("bar_passed", lang) + " "
        else:
            right = say({"quiz": "bar_help_quiz", "question": "bar_help_question"}.get(self.exercise.kind, "bar_help"),
                        lang)
            if get_cwidth(left + right) > self.app.output.get_size().columns:
                right = say("bar_help_short", lang)  # a narrow terminal: the keys without their words
        room = self.app.output.get_size().columns - get_cwidth(left + right)
        if room > len(self.exercise.id) + 2:  # the exercise id only where it fits
            left = f" {self.exercise.id} " + left
        if self.outcome.passed:
            return [("class:status", left), ("class:status.pass", right)]
        return [("class:status", left + right)]

    def _task_view(self, width: int, room: int) -> StyleAndTextTuples:
        """The task text wrapped to ``width``; taller than ``room`` lines, the part that matters now (the
        check list once there is one) with a line saying F7/F8 scroll to the rest."""
        lines = split_lines(wrap(self._task_text(), width))
        if len(lines) <= room:
            return [f for line in lines for f in (*line, ("", "\n"))]
        heading = say("checks_heading", self.lang)
        anchor = next((n for n, line in enumerate(lines) if ("class:title", heading) in line), 0) \
            if self.outcome.verdict is not None else 0
        shown = room - 1  # one line says where the rest is
        top = min(max(anchor + self._scroll, 0), len(lines) - shown)
        self._scroll = top - anchor
        more = say("more_above", self.lang) if top else ""
        if top + shown < len(lines):
            more = (more + "  " if more else "") + say("more_below", self.lang)
        view = [f for line in lines[top:top + shown] for f in (*line, ("", "\n"))]
        return [*view, ("class:dim reverse", more[:width])]

    def _task_text(self) -> StyleAndTextTuples:
        lang, ex = self.lang, self.exercise
        tag = say("kind_" + ex.kind, lang)
        variant = say(self.variant_note, lang, n=ex.seed + 1)
        out: StyleAndTextTuples = [("class:title", ex.title.get(lang)),
                                   ("class:dim", f"  [{tag} · {variant}]\n\n"),
                                   ("", unfold(ex.prompt.get(lang)) + "\n")]
        if ex.question is not None:
            out.append(("", "\n" + "\n".join(ex.question.lines(lang)) + "\n"))
            out.append(("class:dim", say(f"answer_hint_{ex.question.type}", lang) + "\n"))
        for i in range(self.outcome.hints_used):
            out.append(("class:hint", "\n" + say("hint", lang, n=i + 1, total=len(ex.hints),
                                                  text=ex.hints[i].get(lang))))
        if self.outcome.solution_seen:
            keys = ex.solution.answer if ex.kind in ANSWERED_KINDS else ex.solution.keys_for(
                self.drill.engine if self.drill else "*")
            out.append(("class:hint", "\n" + say("solution", lang, keys=keys)))
        if ex.explanation is not None and (self.outcome.passed or self.outcome.solution_seen):
            out.append(("class:hint", "\n" + say("explanation", lang, text=ex.explanation.get(lang))))
        out.append(("", "\n\n"))
        out += self._verdict_text()
        out += self._next_step()
        return out

    def _next_step(self) -> StyleAndTextTuples:
        """What the learner can do now: after an ended program and after a failed check."""
        session = self.drill.session if self.drill else None
        if self.outcome.passed:
            return []
        if session is not None and not session.alive and self.exercise.kind not in ANSWERED_KINDS:
            key = "vi_ended" if self.exercise.kind == "vi" else "program_ended"
            return [("class:hint", "\n" + say(key, self.lang))]
        if self.outcome.verdict is not None:
            key = {"quiz": "next_step_quiz", "question": "next_step_quiz", "vi": "next_step_vi"}.get(
                self.exercise.kind, "next_step_shell")
            return [("class:dim", "\n" + say(key, self.lang))]
        return []

    def _verdict_text(self) -> StyleAndTextTuples:
        lang, verdict = self.lang, self.outcome.verdict
        if verdict is None:
            notes: StyleAndTextTuples = [("class:hint", f"! {say_note(n).get(lang)}\n") for n in self.outcome.notes]
            waiting = {"quiz": "not_checked_quiz", "question": "not_checked_quiz", "vi": "not_checked_vi"}.get(
                self.exercise.kind, "not_checked_shell")
            return [*notes, ("class:dim", say(waiting, lang))]
        out: StyleAndTextTuples = [("class:title", say("checks_heading", lang) + "\n")]
        if self.exercise.kind in ANSWERED_KINDS and self._last_answer is not None:
            out.append(("", say("answer_was", lang, answer=self._last_answer) + "\n"))
        for style, line in verdict_lines(verdict, lang):
            out.append((f"class:{style}", line + "\n"))
        for r in verdict.failures:
            if r.diff:
                for line in r.diff.splitlines()[:12]:
                    style = "class:diff.add" if line.startswith("+") else "class:diff.del" \
                        if line.startswith("-") else "class:dim"
                    out.append((style, f"  {line}\n"))
        for note in self.outcome.notes:
            out.append(("class:hint", f"! {say_note(note).get(lang)}\n"))
        par = f"/{self.exercise.par}" if self.exercise.par else ""
        if verdict.passed:
            out.append(("class:pass", "\n" + say("result_pass", lang, keys=verdict.keys, par=par,
                                                 seconds=verdict.seconds)))
        else:
            out.append(("class:fail", "\n" + say("result_fail", lang, failed=len(verdict.failures),
                                                 total=len(verdict.results))))
        return out
