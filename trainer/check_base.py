"""What every check kind is: its arguments, its pure evaluation, and what it needs measured first.

``CheckKind.problems`` validates arguments when a pack loads; ``probes`` names commands to run in the
sandbox afterwards and ``reads`` names cluster objects to read (kubectl drills), both before grading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.keys import KeyNotationError, parse_keys
from sandbox.observation import Observation
from trainer.modes import parse_mode
from trainer.text import Text


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: Text | None = None
    diff: str | None = None
    #: What the learner did, in words: said after a pack's own message, which says what was asked.
    did: Text | None = None


PASS = Outcome(True)
Evaluate = Callable[[Mapping[str, Any], Observation], Outcome]


#: Check kinds that grade how a result was reached, not the result.
METHOD_KINDS = frozenset({"keys_contain", "keys_not_contain", "command_ran", "command_not_ran", "ran", "not_ran",
                          "recalled", "ex_ran", "ex_not_ran", "vi_did", "vi_not_did", "kube_method"})


@dataclass(frozen=True)
class CheckKind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    evaluate: Evaluate
    summary: str
    one_of: tuple[str, ...] = ()  # exactly one of these must be given
    probe: Callable[[Mapping[str, Any]], str | None] | None = None  # a command to run afterwards
    reads: Callable[[Mapping[str, Any], str], tuple[str, ...]] | None = None  # cluster reads (args, namespace)
    validate: Callable[[Mapping[str, Any]], list[str]] | None = None  # more argument checks of the kind

    def cluster_reads(self, args: Mapping[str, Any], namespace: str) -> tuple[str, ...]:
        return self.reads(args, namespace) if self.reads else ()

    def probes(self, args: Mapping[str, Any]) -> tuple[str, ...]:
        command = self.probe(args) if self.probe else None
        return () if command is None else (command,)

    def problems(self, args: Mapping[str, Any], *, values: bool = True) -> list[str]:
        """What is wrong with ``args`` for this kind (empty when they are fine).

        With ``values=False`` only argument names are checked (values may still be templates).
        """
        known = set(self.required) | set(self.optional) | set(self.one_of)
        errors = [f"{self.name}: missing argument {a!r}" for a in self.required if a not in args]
        errors += [f"{self.name}: unknown argument {a!r} (known: {', '.join(sorted(known))})"
                   for a in args if a not in known]
        if self.one_of and sum(a in args for a in self.one_of) != 1:
            errors.append(f"{self.name}: give exactly one of {', '.join(self.one_of)}")
        if not values:
            return errors
        if "keys" in args:
            try:
                parse_keys(str(args["keys"]))
            except KeyNotationError as exc:
                errors.append(f"{self.name}: {exc}")
        for name in ("pattern", "matches"):
            if name in args:
                try:
                    re.compile(str(args[name]))
                except re.error as exc:
                    errors.append(f"{self.name}: bad regular expression {args[name]!r}: {exc}")
        if "mode" in args:
            try:
                parse_mode(str(args["mode"]))
            except ValueError as exc:
                errors.append(f"{self.name}: {exc}")
        if self.validate is not None:
            errors += [f"{self.name}: {e}" for e in self.validate(args)]
        return errors
