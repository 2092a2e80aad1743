"""Running one attempt of an exercise: set up the sandbox, start the program, replay or drive it, observe.

The ``Drill`` is the live attempt (the drill screen drives its session key by key); ``run_attempt``
replays a whole submission headless, as ``trainer verify`` and ``trainer check`` do.

    engines = Engines.detect()
    obs = run_attempt(exercise, exercise.solution, engines)
    grade(exercise.checks, obs).passed
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.editors import editor_command, find_editor
from sandbox.errors import SandboxError
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser, default_isolation
from sandbox.keys import ENTER_KEYS, parse_keys
from sandbox.kubectl import RELAY_SOCKET, find_kubectl, install_kubectl, isolated_network
from sandbox.limits import Limits
from sandbox.netrelay import UnixRelay
from sandbox.observation import Observation, ProbeResult, snapshot_files
from sandbox.safefs import Regular, read_regular
from sandbox.session import Note, Session
from sandbox.shell import (
    ExecutedCommand,
    executed,
    find_shell,
    history_path,
    parse_environment,
    read_history,
    shell_command,
)
from trainer.checks import CHECKS
from trainer.errors import TrainerError
from trainer.kube_target import PracticeTarget, RealTarget
from trainer.materialise import materialise
from trainer.model import ANSWERED_KINDS, SHELL_KINDS, Attempt, Exercise

#: How long one chunk of replayed keys may take to settle before the replay goes on regardless.
SETTLE_TIMEOUT_S = 10.0
START_TIMEOUT_S = 10.0
#: The most of the shell's history file that is read (a learner may make it huge).
HISTORY_CAP = 1024 * 1024
KUBECTL_RC = "alias k=kubectl\n"  # the course writes `k run ...`


@dataclass(frozen=True)
class KubeSpec:
    """Where kubectl drills run: a practice cluster (at ``speed`` times real time) or the learner's own."""

    kubeconfig: Path | None = None  # the learner's cluster; None: the practice cluster
    speed: float = 1.0
    kubectl: str | None = None  # None: the kubectl installed with the trainer, else the one on PATH
    containers: bool = True  # the cluster's nodes run containers (False: hollow kubemark nodes, no runtime)

    def target(self) -> PracticeTarget | RealTarget:
        if self.kubeconfig is None:
            return PracticeTarget(self.speed)
        return RealTarget(self.kubeconfig, find_kubectl(self.kubectl))


@dataclass(frozen=True)
class Engines:
    """Which real programs run the drills: (engine name, executable) per role."""

    shell: tuple[str, str] | None
    editor: tuple[str, str] | None
    isolation: Isolation | None = None  # None: bwrap when usable
    kube: KubeSpec = KubeSpec()

    @classmethod
    def detect(cls, shell: str | None = None, editor: str | None = None,
               isolation: Isolation | None = None, kube: KubeSpec | None = None) -> Engines:
        def pick(find: Callable[[str | None], tuple[str, str]], name: str | None) -> tuple[str, str] | None:
            """The engine asked for (an error if missing), else the first installed, else None."""
            try:
                return find(name)
            except SandboxError:
                if name is not None:
                    raise
                return None

        if editor is None and os.geteuid() == 0 and (isolation or default_isolation()) is Isolation.PLAIN:
            # Without bwrap a root-run sandbox uid has no passwd entry, and nvi then stops every edit
            # with "Information on user id N not found ... Press any key": vim has no such need.
            with contextlib.suppress(SandboxError):
                editor = find_editor("vim")[0]
        return cls(pick(find_shell, shell), pick(find_editor, editor), isolation, kube or KubeSpec())

    @property
    def sandboxed(self) -> bool:
        """Whether drills run under bubblewrap (their own /etc, names, pid space)."""
        return (self.isolation or default_isolation()) is Isolation.BWRAP

    def unmet(self, exercise: Exercise) -> str | None:
        """Why ``exercise`` cannot run with these engines, or None."""
        if "bwrap" in exercise.requires and not self.sandboxed:
            return "needs bubblewrap isolation, which is not usable here (see `trainer doctor`)"
        if "practice-cluster" in exercise.requires and self.kube.kubeconfig is not None:
            return ("needs what only the practice cluster offers (cluster-scoped writes, its known nodes), so it "
                    "runs only on the practice cluster (start the trainer without --kubeconfig)")
        if "containers" in exercise.requires and not self.kube.containers:
            return ("needs nodes that run containers (they exit, fail, print logs), and this cluster's nodes have "
                    "no container runtime (hollow nodes)")
        return None

    def engine_for(self, kind: str) -> str:
        """The engine name an exercise of ``kind`` runs under ("quiz" for quizzes and questions)."""
        if kind in ANSWERED_KINDS:
            return "quiz"
        in_shell = kind in SHELL_KINDS
        chosen = self.shell if in_shell else self.editor
        if chosen is None:
            raise TrainerError(f"no {'shell' if in_shell else 'vi'} installed for {kind} drills "
                               "(run `trainer doctor`)")
        return chosen[0]


def chunks(keys: Sequence[str]) -> list[tuple[str, ...]]:
    """Split replayed keys where the program must settle: after each ``<CR>``, around each ``<Esc>``.

    An ``<Esc>`` sent together with the next keys would read as an escape sequence (``<Esc>O``).
    """
    out: list[tuple[str, ...]] = []
    current: list[str] = []
    for key in keys:
        if key == "<Esc>":
            if current:
                out.append(tuple(current))
            out.append((key,))
            current = []
            continue
        current.append(key)
        if key in ENTER_KEYS:
            out.append(tuple(current))
            current = []
    if current:
        out.append(tuple(current))
    return out


class Drill:
    """One live attempt: a sandbox, its program (if any) and what the grader will need."""

    def __init__(self, exercise: Exercise, engines: Engines, *, columns: int = 80, rows: int = 24,
                 limits: Limits | None = None, lang: str = "C.UTF-8",
                 host_env: Mapping[str, str] | None = None, quiz_terminal: bool = False,
                 progress: Callable[[str], None] | None = None) -> None:
        """``progress`` hears each step as it begins: "sandbox", "cluster", "setup", "program"."""
        step = progress or (lambda _name: None)
        self.exercise = exercise
        self.engine = engines.engine_for(exercise.kind)
        unmet = engines.unmet(exercise)
        if unmet is not None:
            raise TrainerError(f"{exercise.id} {unmet}")
        step("sandbox")
        self.root = SandboxRoot.create(SandboxUser(), isolation=engines.isolation)
        self.session: Session | None = None
        self.target: PracticeTarget | RealTarget | None = None
        self.relay: UnixRelay | None = None
        self.limits = limits or Limits()
        try:
            shell_engine = engines.shell[0] if engines.shell else None
            kube_env: dict[str, str] = {}
            if exercise.kind == "kubectl":
                step("cluster")
                self.target = engines.kube.target()
                host, port = self.target.address
                kube_env = install_kubectl(self.root, find_kubectl(engines.kube.kubectl), self.target.kubeconfig(),
                                           port)
                if isolated_network(self.root):  # the sandbox reaches its cluster through this, nothing else
                    self.relay = UnixRelay(self.root.tools / RELAY_SOCKET, (host, port)).start()
            step("setup")
            with self.target.setting_up() if self.target is not None else contextlib.nullcontext():
                if self.target is not None:  # objects in order; a later version of one is its next revision
                    made = [self.target.create(dict(obj)) for obj in exercise.setup.objects]
                    self.target.client.wait_rolled_out(made)
                materialise(self.root, exercise.setup, engines, shell_engine, kube_env)
            if self.target is not None:
                self.target.mark_requests()  # what the cluster receives from here on is the learner's
            self._history_before = len(exercise.setup.history)
            env = {**self.root.environment(lang=lang, host_env=host_env), **kube_env}
            step("program")
            if exercise.kind in SHELL_KINDS or (exercise.kind == "quiz" and quiz_terminal and engines.shell):
                assert engines.shell is not None
                rc_extra = KUBECTL_RC if exercise.kind == "kubectl" else ""
                argv, extra = shell_command(self.root, *engines.shell, rc_extra)
                if exercise.setup.login:  # as AIX's login: /etc/environment, then the profiles (the rc)
                    extra = {**parse_environment((self.root.etc / "environment").read_text()), **extra,
                             "TRAINER_LOGIN": "1"}
                self.session = Session.start(self.root, argv, env={**env, **extra}, columns=columns, rows=rows,
                                             limits=self.limits)
            elif exercise.kind == "vi":
                assert exercise.setup.open is not None
                argv = editor_command(self.root, exercise.setup.open, exercise.setup.mode)
                self.session = Session.start(self.root, argv, env=env,
                                             columns=columns, rows=rows, limits=self.limits)
            if self.session is not None:
                if not self.session.wait_idle(START_TIMEOUT_S):
                    raise TrainerError(f"{self.engine} did not start within {START_TIMEOUT_S:g} s")
                if not self.session.alive:
                    said = " ".join(line.strip() for line in self.session.screen.lines() if line.strip())
                    raise TrainerError(f"{self.engine} exited at once ({self.session.exit_status}): {said[:300]}")
        except BaseException:
            self.close()
            raise

    def replay(self, keys: str) -> None:
        """Send keys in notation, letting the program settle where a person would pause."""
        if self.session is None:
            return
        practice = self.target if isinstance(self.target, PracticeTarget) else None
        for chunk in chunks(parse_keys(keys)):
            if not self.session.alive:
                break
            ended = practice.streams_ended() if practice else 0
            self.session.send(chunk)
            if not self.session.wait_idle(SETTLE_TIMEOUT_S):
                self.session.notes.append(Note.of("not_settled", keys="".join(chunk)))
            if practice and self._streams_may_start(chunk):
                practice.wait_streams(SETTLE_TIMEOUT_S)
                if practice.streams_ended() != ended:
                    # an exec or attach ended with these keys: its kubectl, still giving the terminal back,
                    # would read the next keys a person types only once the shell's prompt is back
                    self.session.wait_for(self.session.shell_has_terminal, SETTLE_TIMEOUT_S)
                self.session.wait_idle(SETTLE_TIMEOUT_S)

    @staticmethod
    def _streams_may_start(chunk: tuple[str, ...]) -> bool:
        """After a command line (``<CR>``) a kubectl exec or run -it may still be starting."""
        return bool(chunk) and chunk[-1] in ("<CR>", "<NL>")

    def observe(self, answer: str | None = None) -> Observation:
        """Snapshot everything the checks may read (run probes, read history, files, screen)."""
        s = self.session
        if s is not None:
            s.wait_idle(SETTLE_TIMEOUT_S)
        commands: tuple[ExecutedCommand, ...] = ()
        notes: list[Note] = list(s.notes) if s else []
        if self.exercise.kind in SHELL_KINDS and s is not None:
            read = read_regular(history_path(self.root, inside=False), HISTORY_CAP)
            if isinstance(read, Regular):
                commands = executed(read_history(self.engine, read.data), s.marks, first=self._history_before + 1)
            elif read.what != "missing":
                notes.append(Note.of("history_unreadable", what=read.what.removeprefix("a ")))
            if not s.marks:
                notes.append(Note.of("no_marks"))
        probes = {}
        for check in self.exercise.checks:
            for command in CHECKS[check.kind].probes(check.args):
                probes[command] = self._probe(command)
        cluster: dict[str, Any] = {}
        namespace = self.target.namespace if self.target else ""
        if self.target is not None:
            self.target.settle()
            for check in self.exercise.checks:
                for key in CHECKS[check.kind].cluster_reads(check.args, namespace):
                    if key not in cluster:
                        cluster[key] = self.target.read(key)
        files = snapshot_files(self.root.home, self.root.owner_names(), self.root.group_names(),
                               reader=(self.root.host_uid, self.root.host_gid))
        return Observation(
            engine=self.engine, files=files, screen=s.screen.snapshot() if s else None,
            keys=tuple(s.keys) if s else (), commands=commands,
            exit_status=s.exit_status if s else None, answer=answer, probes=probes, notes=tuple(notes),
            seconds=s.elapsed() if s else 0.0, cluster=cluster, namespace=namespace)

    def _probe(self, command: str) -> ProbeResult:
        try:
            done = self.root.run(["/bin/sh", "-c", command], env=self.root.environment())
        except SandboxError as exc:
            return ProbeResult(command, str(exc), -1)
        return ProbeResult(command, done.stdout.decode("utf-8", "replace"), done.returncode)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        try:
            self.root.close()
        finally:
            if self.relay is not None:
                self.relay.stop()
                self.relay = None
            if self.target is not None:
                self.target.close()
                self.target = None

    def __enter__(self) -> Drill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_attempt(exercise: Exercise, attempt: Attempt | None, engines: Engines, *,
                record: Callable[[Session], None] | None = None, **drill_options: object) -> Observation:
    """Replay ``attempt`` (None: the untouched start) headless and return what it left; ``record`` is
    handed the session (if the exercise has one) once it is observed."""
    with Drill(exercise, engines, **drill_options) as drill:  # type: ignore[arg-type]
        if attempt is not None:
            drill.replay(attempt.keys_for(drill.engine))
        observation = drill.observe(attempt.answer if attempt else None)
        if record is not None and drill.session is not None:
            record(drill.session)
        return observation
