"""The check kind on how a command line was made: ``recalled`` (trainer.line_model).

    - kind: recalled
      command: "grep -c apple b.txt"    # the command that must have run, read as ``ran`` reads it
      via: vi                           # vi (ESC k, /pattern ...), r (ksh's r), or typed
      edits: [cw]                       # vi commands that must have changed the recalled line
      moves: [j]                        # history moves that must have been used (k, j, /, n ...)
      not_typed: "b.txt"                # text that must not have been typed again on that line
      substitutes: true                 # (via r) the r line replaced old=new
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.command_checks import matches
from trainer.line_model import line_for_each_command
from trainer.messages import say
from trainer.shell_model import ParseError, parse_line, parse_lines

VIA = ("vi", "r", "typed")


def _recalled(args: Mapping[str, Any], obs: Observation) -> Outcome:
    lines = line_for_each_command(obs.key_tokens, len(obs.commands))
    want_via = str(args.get("via", "vi"))
    edits = [str(e) for e in args.get("edits", [])]
    not_typed = str(args["not_typed"]) if "not_typed" in args else None
    found = []
    per_line = parse_lines([(c.text, c.exit_status) for c in obs.commands])
    for command, line, calls in zip(obs.commands, lines, per_line, strict=True):
        if any(matches({"command": args["command"]}, c) for c in calls):
            if "status" in args and command.exit_status not in (int(args["status"]), None):
                continue
            found.append((command, line))
    if not found:
        did = obs.commands[-1].text.strip() if obs.commands else ""
        want = str(args["command"])
        reason = say("ran_missing", want=want, did=did) if did else say("ran_nothing", want=want)
        return Outcome(False, reason, did=say("you_ran", did=did) if did else say("you_ran_nothing"))
    problem = None
    for command, line in found:
        if line is None:
            problem = problem or say("recall_unknown", did=command.text.strip())
            continue
        if line.via != want_via:
            problem = say(f"recall_via_{line.via}", did=command.text.strip(), want=say(f"how_{want_via}"))
            continue
        unmoved = [m for m in args.get("moves", []) if str(m) not in line.moves]
        if unmoved:
            problem = say("recall_moves", did=command.text.strip(), moves=", ".join(map(str, unmoved)),
                          used=", ".join(line.moves) or "-")
            continue
        missing = [e for e in edits if e not in line.edits]
        if missing:
            problem = say("recall_edits", did=command.text.strip(), edits=", ".join(missing),
                          used=", ".join(line.edits) or "-")
            continue
        if not_typed and not_typed in line.typed:
            problem = say("recall_retyped", did=command.text.strip(), text=not_typed)
            continue
        if args.get("substitutes") and not any("=" in word for word in line.typed.split()[1:]):
            problem = say("recall_no_subst", did=command.text.strip())
            continue
        return PASS
    assert problem is not None
    return Outcome(False, problem, did=problem)


def _validate(args: Mapping[str, Any]) -> list[str]:
    errors = []
    try:
        if len(parse_line(str(args["command"]))) != 1:
            errors.append(f"command {args['command']!r} must be one simple command")
    except ParseError as exc:
        errors.append(f"command {args['command']!r}: {exc}")
    if args.get("via", "vi") not in VIA:
        errors.append(f"via must be one of {', '.join(VIA)}")
    for name in ("edits", "moves"):
        if name in args and not isinstance(args[name], list):
            errors.append(f"{name} must be a list")
    return errors


LINE_KINDS = (
    CheckKind("recalled", ("command",), ("via", "edits", "moves", "not_typed", "substitutes", "status"), _recalled,
              "a command ran from a line made this way: recalled in vi mode, rerun with r, or typed; with "
              "these vi edits", validate=_validate),
)
