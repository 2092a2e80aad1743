"""A verdict in the learner's words, for the drill screen and the REPL: each failed check's reason (what
was done and what was asked), how many checks pass, and whether this attempt can still pass. Never a
check's id or kind: those are for authors (``trainer check``, ``trainer verify``)."""

from __future__ import annotations

from trainer.grading import Verdict
from trainer.ui_text import say

#: Checks that, once failed, stay failed for the rest of the attempt: what was done cannot be undone.
FOREVER_FAILED = frozenset({"not_ran", "command_not_ran", "ex_not_ran", "vi_not_did", "keys_not_contain"})


def verdict_lines(verdict: Verdict, lang: str) -> list[tuple[str, str]]:
    """(style, line) pairs: ``fail`` for a failed check, ``pass`` for the count of passes, ``hint``."""
    lines = [("fail", "✗ " + (r.reason.get(lang) if r.reason else say("check_failed", lang)))
             for r in verdict.failures]
    passed = len(verdict.results) - len(verdict.failures)
    if passed:
        lines.append(("pass", "✓ " + say("checks_passed", lang, passed=passed)))
    if any(r.check.kind in FOREVER_FAILED for r in verdict.failures):
        lines.append(("hint", say("cannot_pass_now", lang)))
    return lines
