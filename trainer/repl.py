"""The REPL a student lands in: `trainer` with no arguments.

A prompt_toolkit prompt with completion of commands, exercise ids and topics, history across runs,
and a table of commands (`list`, `start`, `next`, `review`, `exam`, `summary`, `continue`, `hint`,
`solution`, `reset`, `skip`, `replay`, `stats`, `lang`, `doctor`, `help`, `quit`). Drills open the
full-screen drill screen; what they leave is recorded in the progress store.

    repl = Repl(library, progress, engines, lang="ko", data_dir=path)
    repl.run()                                  # until quit or Ctrl-D
"""

from __future__ import annotations

import datetime
import difflib
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from trainer import recording
from trainer.batch import read_text
from trainer.doctor import report
from trainer.drill_screen import DrillOutcome, DrillScreen
from trainer.errors import TrainerError
from trainer.exam import ExamContext, ExamRun, repl_options, review, show_report
from trainer.exam_report import history_lines
from trainer.exam_text import exam_say
from trainer.loader import Library, instantiate
from trainer.model import ANSWERED_KINDS, Exercise, ExerciseTemplate
from trainer.progress import AttemptRecord, Best, Progress
from trainer.review import Review, due, due_counts, schedule
from trainer.runner import Engines
from trainer.stats import render
from trainer.summary import summary, unknown_names
from trainer.ui_text import HELP, say
from trainer.verdict_words import verdict_lines
from trainer.wrap import wrap

ALIASES = {"run": "start", "exit": "quit", "q": "quit", "?": "help", "ls": "list"}


class ReplCompleter(Completer):
    """Commands first; then exercise ids, topics, languages or commands as the command takes."""

    def __init__(self, repl: Repl) -> None:
        self.repl = repl

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        words = document.text_before_cursor.split()
        typing_new = document.text_before_cursor.endswith(" ") or not words
        if len(words) == 0 or (len(words) == 1 and not typing_new):
            prefix = words[0] if words else ""
            candidates: Iterable[str] = [*HELP, *ALIASES]
        elif len(words) == 1 or (len(words) == 2 and not typing_new):
            prefix = "" if typing_new else words[1]
            candidates = self.repl.arguments(ALIASES.get(words[0], words[0]))
        else:
            return
        for word in sorted(set(candidates)):
            if word.startswith(prefix):
                yield Completion(word, start_position=-len(prefix))


class Repl:
    def __init__(self, library: Library, progress: Progress, engines: Engines, lang: str, data_dir: Path, *,
                 input: Input | None = None, output: Output | None = None, out: TextIO | None = None,
                 today: Callable[[], datetime.date] = datetime.date.today,
                 clock: Callable[[], float] = time.time) -> None:
        self.library = library
        self.progress = progress
        self.recordings = data_dir / "recordings"  # an attempt's session as <attempt number>.cast
        self.engines = engines
        self.lang = lang
        self.input, self.output = input, output
        self.out = out or sys.stdout
        self.today = today
        self.clock = clock
        self.current: Exercise | None = None
        self.screen: DrillScreen | None = None  # the drill on screen, while one runs
        self.failed_check: set[str] = set()  # exercises whose last drill ended with a failed check
        self.hints: dict[str, int] = {}
        self._pars: dict[str, int | None] = {}  # exercise -> par of its first variant, for rating reviews
        self._recorded: int | None = None  # the attempt number of the last recording kept
        self._started_at = 0.0
        self._steps_shown = 0
        self.session: PromptSession[str] = PromptSession(
            history=FileHistory(str(data_dir / "repl-history")), completer=ReplCompleter(self),
            input=input, output=output, complete_while_typing=False)
        self.commands: dict[str, Callable[[list[str]], bool]] = {
            "list": self.cmd_list, "start": self.cmd_start, "next": self.cmd_next, "review": self.cmd_review,
            "summary": self.cmd_summary, "exam": self.cmd_exam, "replay": self.cmd_replay,
            "continue": self.cmd_continue,
            "hint": self.cmd_hint, "solution": self.cmd_solution, "reset": self.cmd_reset, "skip": self.cmd_skip,
            "stats": self.cmd_stats, "lang": self.cmd_lang, "doctor": self.cmd_doctor, "help": self.cmd_help,
            "quit": self.cmd_quit,
        }
        assert set(self.commands) == set(HELP), "every command has help text"

    def say(self, text: str) -> None:
        """Print ``text``, each line broken at spaces to the terminal's width (never inside a word)."""
        width = self._width()
        for line in text.split("\n"):
            indent = len(line) - len(line.lstrip(" "))
            wrapped = "".join(f[1] for f in wrap([("", line.strip(" "))], max(width - indent, 20)))
            for part in wrapped.split("\n")[:-1] or [""]:
                print(" " * indent + part, file=self.out)
        self.out.flush()

    def _width(self) -> int:
        if self.output is not None:
            return max(self.output.get_size().columns, 20)
        return max(shutil.get_terminal_size((100, 24)).columns, 20)

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> int:
        self.say(say("welcome", self.lang))
        while True:
            try:
                line = self.session.prompt("trainer> ")
            except KeyboardInterrupt:
                continue  # Ctrl-C clears the line
            except EOFError:
                self.say(self._bye())
                return 0
            if not self.dispatch(line):
                return 0

    def _bye(self) -> str:
        if self.progress.writable:
            return say("bye", self.lang)
        return say("bye_unsaved", self.lang, path=self.progress.path)

    def dispatch(self, line: str) -> bool:
        """Run one command line; False when the REPL should end."""
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if not words:
            return True
        name = ALIASES.get(words[0], words[0])
        command = self.commands.get(name)
        if command is None:
            guess = difflib.get_close_matches(name, [*self.commands, *ALIASES], n=1)
            self.say(say("unknown_command", self.lang, name=words[0], guess=guess[0]) if guess
                     else say("unknown_command_plain", self.lang, name=words[0]))
            return True
        try:
            return command(words[1:])
        except TrainerError as exc:
            self.say(f"trainer: {exc}")
            return True

    def arguments(self, command: str) -> list[str]:
        """What may follow ``command`` (for completion)."""
        if command == "start":
            return [t.id for t in self.library.templates] + sorted({t.topic for t in self.library.templates})
        if command in ("list", "summary"):
            return sorted({t.topic for t in self.library.templates})
        if command == "lang":
            return ["en", "ko"]
        if command == "help":
            return list(HELP)
        return []

    # -- commands ------------------------------------------------------------------------------
    def cmd_list(self, args: list[str]) -> bool:
        bests = self.progress.bests()
        column = max((len(topic.name) for pack in self.library.packs for topic in pack.topics), default=10) + 2
        for pack in self.library.packs:
            topics = [topic for topic in pack.topics if not args or args[0] in (topic.name, pack.name)]
            if not topics:
                continue
            self.say(f"{pack.name}: {pack.title.get(self.lang)}")
            for topic in topics:
                members = [t for t in pack.exercises if t.topic == topic.name]
                done = sum(1 for t in members if bests.get(t.id) and bests[t.id].passed)
                self.say(f"  {topic.name:{column}}" + say("topic_line", self.lang, title=topic.title.get(self.lang),
                                                         done=done, total=len(members)))
                if args:
                    id_column = max(len(t.id) for t in members) + 2
                    for t in members:
                        self.say("    " + self._exercise_line(t, bests.get(t.id), id_column))
        if args and not any(args[0] in (t.topic, t.pack) for t in self.library.templates):
            self.say(say("no_exercise_plain", self.lang, name=args[0]))
        return True

    def _exercise_line(self, template: ExerciseTemplate, best: Best | None, column: int = 28) -> str:
        ex = instantiate(template, 0)
        if best and best.passed:
            status = say("status_solved", self.lang)
        elif best and best.skipped:
            status = say("status_skipped", self.lang)
        elif best:
            status = say("status_tried", self.lang)
        else:
            status = say("status_new", self.lang)
        detail = []
        if best and best.best_keys is not None:
            detail.append(say("best_keys", self.lang, keys=best.best_keys))
        if ex.par:
            detail.append(say("par", self.lang, par=ex.par))
        return f"{template.id:{column}}{status:8} {ex.title.get(self.lang)}  {', '.join(detail)}".rstrip()

    def cmd_start(self, args: list[str]) -> bool:
        if len(args) != 1:
            self.say(say("usage", self.lang, usage=HELP["start"][0]))
            return True
        ids = [t.id for t in self.library.templates]
        group = [t for t in self.library.templates if args[0] in (t.topic, t.pack)]
        if args[0] not in ids and group:  # a topic or a pack: its first drill not solved yet, else its first
            bests = self.progress.bests()
            runnable = [t for t in group if self.engines.unmet(instantiate(t, 0)) is None] or group
            chosen = next((t for t in runnable if not (bests.get(t.id) and bests[t.id].passed)), runnable[0])
            self.say(say("start_in_group", self.lang, name=args[0], id=chosen.id,
                         n=group.index(chosen) + 1, total=len(group)))
            args = [chosen.id]
        if args[0] not in ids:
            names = [*ids, *{t.topic for t in self.library.templates}, *(p.name for p in self.library.packs)]
            guess = difflib.get_close_matches(args[0], names, n=1)
            self.say(say("no_exercise", self.lang, name=args[0], guess=guess[0]) if guess
                     else say("no_exercise_plain", self.lang, name=args[0]))
            return True
        template = self.library.template(args[0])
        seed = len(self.progress.attempts(template.id))  # a new variant each attempt
        self.drill(instantiate(template, seed))
        return True

    def drill(self, exercise: Exercise) -> None:
        """Run the drill screen for ``exercise``, record what happened, and report it."""
        while True:
            self.current = exercise
            self.progress.set_last(exercise.id)
            screen = DrillScreen(exercise, self.engines, self.lang, on_record=self._record,
                                 hints_used=self.hints.get(exercise.id, 0), input=self.input, output=self.output,
                                 on_progress=self._start_step)
            self._started_at = time.monotonic()
            print(say("starting", self.lang, id=exercise.id), end="", file=self.out, flush=True)
            self.screen = screen
            try:
                outcome = screen.run()
            finally:
                self.screen = None
                if self._steps_shown:
                    print(file=self.out, flush=True)
                self._steps_shown = 0
            self.hints[exercise.id] = outcome.hints_used
            if not outcome.recorded:
                self._record(outcome)
            self._report(outcome)
            if not (outcome.passed and outcome.next_requested):
                return
            following = self._following()
            if following is None:
                self.say(say("all_done", self.lang))
                return
            exercise = following

    def _start_step(self, step: str) -> None:
        """One step of a drill's start, on the line that says it is starting (before the screen is up)."""
        if step == "ready":  # the drill screen takes over now
            text = say("start_ready", self.lang, seconds=time.monotonic() - self._started_at)
        else:
            text = say(f"start_step_{step}", self.lang) + " · "
        print(text, end="", file=self.out, flush=True)
        self._steps_shown += 1

    def _record(self, outcome: DrillOutcome) -> None:
        ex = outcome.exercise
        now = self.clock()
        number = self.progress.record(AttemptRecord(
            exercise=ex.id, pack=ex.pack, topic=ex.topic, started=now - outcome.seconds, ended=now,
            passed=outcome.passed, keys=outcome.keys, seconds=outcome.seconds, hints_used=outcome.hints_used,
            solution_seen=outcome.solution_seen))
        if number is not None and outcome.recording:
            try:
                recording.save(self.recordings / f"{number}.cast", outcome.recording)
                self._recorded = number
            except OSError as exc:
                self.say(say("recording_unsaved", self.lang, problem=exc.strerror or str(exc)))

    def _report(self, outcome: DrillOutcome) -> None:
        self._report_verdict(outcome)
        if self._recorded is not None:
            self.say(say("recording_saved", self.lang, n=self._recorded))
            self._recorded = None

    def _report_verdict(self, outcome: DrillOutcome) -> None:
        verdict = outcome.verdict
        ex = outcome.exercise
        if verdict is None:
            self.say(say("result_left", self.lang, id=ex.id))
            return
        for _style, line in verdict_lines(verdict, self.lang):
            self.say(line)
        par = f"/{ex.par}" if ex.par else ""
        if outcome.passed:
            self.failed_check.discard(ex.id)
            self.say(say("result_pass", self.lang, keys=verdict.keys, par=par, seconds=verdict.seconds))
            self.say(say("offer_next", self.lang))
        else:
            self.failed_check.add(ex.id)
            self.say(say("result_fail", self.lang, failed=len(verdict.failures), total=len(verdict.results)))
            self.say(say("offer_solution", self.lang))

    def _first_unsolved(self) -> Exercise | None:
        bests = self.progress.bests()
        for t in self.library.templates:
            best = bests.get(t.id)
            if not best or not (best.passed or best.skipped):
                exercise = instantiate(t, len(self.progress.attempts(t.id)))
                if self.engines.unmet(exercise) is None:  # e.g. drills that need bubblewrap, without it
                    return exercise
        return None

    def cmd_next(self, args: list[str]) -> bool:
        following = self._following()
        if following is None:
            self.say(say("all_done", self.lang))
        else:
            self.drill(following)
        return True

    def cmd_review(self, args: list[str]) -> bool:
        waiting = self._due()
        if waiting:
            self.drill(self._review(waiting))
            return True
        cards = self._cards()
        if not cards:
            self.say(say("review_nothing", self.lang))
        else:
            upcoming = min(cards.values(), key=lambda c: c.due)
            self.say(say("review_none", self.lang, id=upcoming.exercise,
                         date=datetime.datetime.fromtimestamp(upcoming.due).strftime("%Y-%m-%d %H:%M")))
        return True

    def cmd_summary(self, args: list[str]) -> bool:
        if not args:
            self.say(say("usage", self.lang, usage=HELP["summary"][0]))
            return True
        unknown = unknown_names(self.library, args)
        if unknown:
            self.say(say("no_topic", self.lang, name=unknown[0]))
        else:
            self.say(summary(self.library, args, self.lang).rstrip("\n"))
        return True

    def _cards(self) -> dict[str, Review]:
        """The review queue's cards, from every attempt on record (exercises no longer shipped left out)."""
        known = {t.id: t for t in self.library.templates}
        attempts = [a for a in self.progress.attempts() if a.exercise in known]
        for exercise in {a.exercise for a in attempts} - set(self._pars):
            self._pars[exercise] = instantiate(known[exercise], 0).par
        return schedule(attempts, self._pars)

    def _due(self) -> list[Review]:
        """The cards due now whose drills this machine can run."""
        return [c for c in due(self._cards(), self.clock())
                if self.engines.unmet(instantiate(self.library.template(c.exercise), 0)) is None]

    def _review(self, waiting: list[Review]) -> Exercise:
        first = waiting[0].exercise
        self.say(say("review_start", self.lang, id=first, n=len(waiting)))
        return instantiate(self.library.template(first), len(self.progress.attempts(first)))  # a new variant

    def _following(self) -> Exercise | None:
        """What `next` offers: a review that is due, else the first unsolved drill."""
        waiting = self._due()
        return self._review(waiting) if waiting else self._first_unsolved()

    def cmd_continue(self, args: list[str]) -> bool:
        last = self.current.id if self.current else self.progress.last()
        if last is None or last not in [t.id for t in self.library.templates]:
            self.say(say("nothing_to_continue", self.lang))
            return True
        return self.cmd_start([last])

    def _need_current(self) -> Exercise | None:
        if self.current is None:
            last = self.progress.last()
            if last in [t.id for t in self.library.templates]:
                self.current = instantiate(self.library.template(last), 0)
        if self.current is None:
            self.say(say("no_current", self.lang))
        return self.current

    def cmd_hint(self, args: list[str]) -> bool:
        ex = self._need_current()
        if ex is None:
            return True
        used = self.hints.get(ex.id, 0)
        if used >= len(ex.hints):
            self.say(say("no_more_hints", self.lang))
            used = len(ex.hints) - 1
        self.hints[ex.id] = used + 1
        self.say(say("hint", self.lang, n=used + 1, total=len(ex.hints), text=ex.hints[used].get(self.lang)))
        return True

    def cmd_solution(self, args: list[str]) -> bool:
        ex = self._need_current()
        if ex is None:
            return True
        if ex.id not in self.failed_check:
            self.say(say("solution_locked", self.lang))
            return True
        if ex.kind in ANSWERED_KINDS:
            shown = ex.solution.answer
        else:
            shown = ex.solution.keys_for(self.engines.engine_for(ex.kind))
        self.say(say("solution", self.lang, keys=shown))
        if ex.explanation is not None:
            self.say(say("explanation", self.lang, text=ex.explanation.get(self.lang)))
        now = self.clock()
        self.progress.record(AttemptRecord(exercise=ex.id, pack=ex.pack, topic=ex.topic, started=now, ended=now,
                                           passed=False, keys=0, seconds=0.0, hints_used=self.hints.get(ex.id, 0),
                                           solution_seen=True))
        return True

    def cmd_reset(self, args: list[str]) -> bool:
        ex = self._need_current()
        if ex is not None:
            self.drill(ex)  # the same variant, from a fresh sandbox
        return True

    def cmd_skip(self, args: list[str]) -> bool:
        ex = self._need_current()
        if ex is not None:
            self.progress.skip(ex.id, ex.pack, ex.topic)
            self.say(say("skipped", self.lang, id=ex.id))
            self.current = None
        return True

    def cmd_stats(self, args: list[str]) -> bool:
        columns = self.output.get_size().columns if self.output else 80
        for line in render(self.library, self.progress.bests(), self.progress.streak(self.today()), self.lang,
                           width=columns):
            self.say(line)
        today, week = due_counts(self._cards(), self.today())
        self.say(say("reviews_due", self.lang, today=today, week=week))
        for line in history_lines(self.progress.exams(), self.lang):
            self.say(line)
        return True

    # -- exams -----------------------------------------------------------------------------------
    def exam_context(self) -> ExamContext:
        def on_screen(screen: DrillScreen | None) -> None:
            self.screen = screen
            self._started_at = time.monotonic()

        return ExamContext(self.library, self.progress, self.engines, self.lang, self.recordings, self.out,
                           self.say, clock=self.clock, input=self.input, output=self.output, on_screen=on_screen,
                           on_progress=self._start_step)

    def cmd_exam(self, args: list[str]) -> bool:
        """`exam [options]`: a mock exam (or the one in progress, resumed); `exam review [N]`: an exam's review."""
        context = self.exam_context()
        if args[:1] == ["review"]:
            done = [r for r in self.progress.exams() if r.finished is not None]
            wanted = args[1] if len(args) > 1 else (str(done[-1].id) if done else "")
            found = next((r for r in done if str(r.id) == wanted), None)
            if found is None:
                self.say(exam_say("no_exam", self.lang, id=wanted or "?"))
                return True
            results = self.progress.exam_tasks(found.id)
            show_report(context, found, results)
            review(context, found, results, prompt=self._plain_prompt)
            return True
        run = ExamRun.begin(context, repl_options(args), asked=bool(args))
        finished = run.run()
        self._steps_shown = 0
        if finished is not None:
            show_report(context, finished, run.results())
            review(context, finished, run.results(), prompt=self._plain_prompt)
        return True

    def _plain_prompt(self, message: str) -> str:
        """A line read without the REPL's history and completion (the exam's review)."""
        return PromptSession[str](input=self.input, output=self.output).prompt(message)

    def cmd_replay(self, args: list[str]) -> bool:
        if len(args) not in (1, 2) or not args[0].isdigit():
            self.say(say("usage", self.lang, usage=HELP["replay"][0]))
            return True
        path = self.recordings / f"{int(args[0])}.cast"
        if not path.is_file():
            self.say(say("no_recording", self.lang, n=args[0]))
            return True
        try:
            speed = float(args[1]) if len(args) == 2 else 1.0
        except ValueError:
            speed = 1.0
        _header, events = recording.parse(read_text(path), str(path))
        recording.play(events, self.out, speed)
        print("\x1b[0m", file=self.out, flush=True)
        return True

    def cmd_lang(self, args: list[str]) -> bool:
        if len(args) != 1 or args[0] not in ("en", "ko"):
            self.say(say("usage", self.lang, usage=HELP["lang"][0]))
            return True
        self.lang = args[0]
        self.say(say("lang_set", self.lang))
        return True

    def cmd_doctor(self, args: list[str]) -> bool:
        for line in report(self.engines):
            self.say(line)
        return True

    def cmd_help(self, args: list[str]) -> bool:
        if args:
            name = ALIASES.get(args[0], args[0])
            if name not in HELP:
                return self.dispatch(args[0])  # the unknown-command answer, with its guess
            usage, text = HELP[name]
            self.say(f"{usage}\n  {text.get(self.lang)}")
            return True
        for usage, text in HELP.values():
            self.say(f"  {usage:16} {text.get(self.lang)}")
        return True

    def cmd_quit(self, args: list[str]) -> bool:
        self.say(self._bye())
        return False
