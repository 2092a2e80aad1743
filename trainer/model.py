"""The exercise model: frozen values built by the loader, read by the runner and the grader.

An ``Exercise`` is one drill with its parameters already rendered from a seed; the loader keeps the
raw template (``ExerciseTemplate``) so that ``instantiate(template, seed)`` can make new variants.

    ex = instantiate(template, seed=3)
    ex.solution.keys_for("nvi")            # "dd:wq<CR>"
    ex.title.get("ko")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trainer.questions import Question
from trainer.text import Text

LANGS = ("en", "ko")
KINDS = ("shell", "vi", "quiz", "kubectl", "question")
#: Kinds answered on the answer line (a quiz may look in a terminal; a question has none).
ANSWERED_KINDS = ("quiz", "question")
#: Kinds that run in a shell session (graded each time a command returns to the prompt).
SHELL_KINDS = ("shell", "kubectl")


@dataclass(frozen=True)
class Source:
    """Where something was written: for error messages that name file and line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Check:
    """One condition on the observation: a kind from the check table and its arguments."""

    kind: str
    args: Mapping[str, Any]
    id: str
    message: Text | None = None  # replaces the kind's own reason when the check fails
    hint: int | None = None  # the hint (0-based) worth showing when it fails
    engines: tuple[str, ...] = ()  # only graded under these engines (empty: all)
    weight: float | None = None  # its share of an exam task's score (None: the default for its kind)


@dataclass(frozen=True)
class FileSpec:
    """One entry the setup creates under HOME."""

    path: str
    type: str = "file"  # file, dir, symlink, hardlink
    content: str = ""
    mode: int | None = None
    target: str | None = None  # symlink target or hard link source


@dataclass(frozen=True)
class Setup:
    files: tuple[FileSpec, ...] = ()
    commands: tuple[str, ...] = ()  # run in the sandbox as the learner, before the attempt
    history: tuple[str, ...] = ()  # shell history the learner can recall
    open: str | None = None  # vi drills: the file the editor opens
    mode: str = "vi"  # vi drills: vi, view (read-only) or ex (line mode)
    profile: str | None = None  # the sandbox's /etc/profile
    environment: str | None = None  # the sandbox's /etc/environment
    login: bool = False  # shell drills: read /etc/profile and ~/.profile first
    objects: tuple[Mapping[str, Any], ...] = ()  # kubectl drills: objects on the cluster before the attempt


@dataclass(frozen=True)
class Attempt:
    """A submission replayed by ``trainer verify``: keys (per engine if they differ) or an answer."""

    keys: Mapping[str, str] = field(default_factory=dict)  # engine or "*" -> key notation
    answer: str | None = None
    fails: tuple[str, ...] = ()  # check ids or kinds that must be among the failures
    why: str = ""

    def keys_for(self, engine: str) -> str:
        return self.keys.get(engine, self.keys.get("*", ""))


@dataclass(frozen=True)
class Exercise:
    id: str
    pack: str
    topic: str
    kind: str
    title: Text
    prompt: Text
    setup: Setup
    checks: tuple[Check, ...]
    hints: tuple[Text, ...]
    solution: Attempt
    wrong: tuple[Attempt, ...]
    source: Source
    also: tuple[Attempt, ...] = ()  # other correct solutions: each must pass, as the solution does
    seed: int = 0
    par: int | None = None
    engines: tuple[str, ...] = ()  # empty: every engine of the kind
    requires: tuple[str, ...] = ()  # "bwrap": needs the sandbox's own /etc (names, profile)
    params: Mapping[str, Any] = field(default_factory=dict)
    question: Question | None = None  # kind question: its options and what is right
    explanation: Text | None = None  # shown once it is answered (questions; quizzes may have one)
    covers: tuple[str, ...] = ()  # the course facts it drills (exercises/course-facts.tsv ids)


@dataclass(frozen=True)
class Topic:
    name: str
    title: Text
    source: Source


@dataclass(frozen=True)
class ExerciseTemplate:
    """An exercise as written, before its parameters are rendered."""

    id: str
    pack: str
    topic: str
    raw: Mapping[str, Any]
    source: Source
    lines: Mapping[str, int]  # dotted path inside the exercise -> line, for error messages


@dataclass(frozen=True)
class Pack:
    name: str
    title: Text
    topics: tuple[Topic, ...]
    exercises: tuple[ExerciseTemplate, ...]
    source: Source
    order: int = 100
