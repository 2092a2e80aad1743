"""Grading: a pure function from an exercise's checks and an Observation to a Verdict.

    verdict = grade(exercise.checks, observation)
    verdict.passed, [r.reason.get("ko") for r in verdict.failures]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.observation import Observation
from trainer.checks import CHECKS
from trainer.model import Check
from trainer.text import Text


@dataclass(frozen=True)
class CheckResult:
    check: Check
    passed: bool
    reason: Text | None = None
    diff: str | None = None


@dataclass(frozen=True)
class Verdict:
    passed: bool
    results: tuple[CheckResult, ...]
    keys: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def hint(self) -> int | None:
        """The hint worth showing first: that of the first failed check that names one."""
        for r in self.failures:
            if r.check.hint is not None:
                return r.check.hint
        return None

    def failed(self, name: str) -> bool:
        """True when a check with this id or kind failed."""
        return any(r.check.id == name or r.check.kind == name for r in self.failures)


def grade(checks: Iterable[Check], observation: Observation) -> Verdict:
    """Evaluate every check (all of them, so the learner sees every problem at once)."""
    results = []
    for check in checks:
        if check.engines and observation.engine not in check.engines:
            continue  # an expectation for another engine (nvi and vim differ on screen)
        outcome = CHECKS[check.kind].evaluate(check.args, observation)
        reason = outcome.reason
        if not outcome.passed and check.message is not None:
            reason = check.message if outcome.did is None else Text(f"{check.message.en} {outcome.did.en}",
                                                                     f"{check.message.ko} {outcome.did.ko}")
        results.append(CheckResult(check, outcome.passed, reason, outcome.diff))
    return Verdict(all(r.passed for r in results), tuple(results), len(observation.keys), observation.seconds)
