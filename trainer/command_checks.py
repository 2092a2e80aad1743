"""Check kinds on the commands the shell ran, read as the programs read them (trainer.shell_model).

``ran`` passes when some simple command of the attempt matches; ``not_ran`` when none does. A match is
described either by an example command line (``command: "ls -ld {{dir}}"``: the same program, the same
options as a set, the same operands, ``./x`` and ``x`` being one file) or by its parts (``program``,
operands it starts with in ``args``, ``options`` it has, ``without`` options it lacks, and for chmod the
``notation`` of the mode (octal or symbolic), a ``clause`` such as ``g=rx`` read as a set of who and
what, how many ``clauses``, an ``op`` some clause uses).

    >>> from sandbox.shell import ExecutedCommand
    >>> obs = Observation("ksh93", commands=(ExecutedCommand(1, "date; cal", 0),))
    >>> _ran({"command": "cal", "status": 0}, obs).passed
    True
    >>> _ran({"program": "chmod", "notation": "octal"}, obs).passed
    False
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.messages import say
from trainer.shell_model import Call, ParseError, normal_path, parse_history, parse_line
from trainer.shell_options import spec_for

_OCTAL = re.compile(r"[0-7]{1,4}")
_CLAUSE = re.compile(r"([ugoa]*)([-+=])([rwxXst]*|[ugo])")


def calls_of(obs: Observation) -> list[Call]:
    """Every simple command the attempt's shell ran, with the exit status of the last one of its line."""
    return parse_history([(command.text, command.exit_status) for command in obs.commands])


def _examples(args: Mapping[str, Any]) -> list[str]:
    """The example lines of a ``command`` argument (one, or a list)."""
    command = args["command"]
    return [str(line) for line in (command if isinstance(command, list) else [command])]


@functools.lru_cache(maxsize=512)
def _example(line: str) -> Call:
    """An example line as one simple command (parsed once: checks are graded at every prompt)."""
    calls = parse_line(line)
    if len(calls) != 1:
        raise ValueError(f"{line!r} must be one simple command")
    return calls[0]


def _clauses(mode: str) -> list[tuple[frozenset[str], str, frozenset[str]]] | None:
    """A symbolic chmod mode as (who, op, perms) sets, ``a`` and no who being ``ugo``; None if octal or bad."""
    out = []
    for part in mode.split(","):
        found = _CLAUSE.fullmatch(part)
        if found is None:
            return None
        who = frozenset(found.group(1).replace("a", "ugo") or "ugo")
        out.append((who, found.group(2), frozenset(found.group(3))))
    return out


def _chmod_matches(args: Mapping[str, Any], call: Call) -> bool:
    if not call.operands:
        return False
    mode = call.operands[0]
    octal = _OCTAL.fullmatch(mode) is not None
    clauses = None if octal else _clauses(mode)  # None: octal, or not a mode at all
    if "notation" in args and (args["notation"] == "octal") != octal:
        return False
    if "notation" in args and not octal and clauses is None:
        return False
    if "clause" in args:
        wanted = _clauses(str(args["clause"]))
        if clauses is None or wanted is None or not all(w in clauses for w in wanted):
            return False
    if "clauses" in args and (clauses is None or len(clauses) < int(args["clauses"])):
        return False
    return "op" not in args or (clauses is not None and any(op == args["op"] for _who, op, _perms in clauses))


def _option_keys(program: str, names: Sequence[Any]) -> dict[str, str | None]:
    """``["l", "selector=app=web", "replicas=4"]`` as canonical option keys and values (None: any)."""
    spec = spec_for(program)
    wanted: dict[str, str | None] = {}
    for name in names:
        key, eq, value = str(name).lstrip("-").partition("=")
        wanted[spec.canonical(key)] = value if eq else None
    return wanted


def _same_operands(got: Sequence[str], want: Sequence[str], prefix: bool) -> bool:
    if len(got) < len(want) or (not prefix and len(got) != len(want)):
        return False
    return all(normal_path(g) == normal_path(w) for g, w in zip(got, want, strict=False))


def matches(args: Mapping[str, Any], call: Call) -> bool:
    """Whether ``call`` is the command ``args`` describe (an example line, or program and parts)."""
    if "command" in args:
        for line in _examples(args):
            want = _example(line)
            if (call.program == want.program and dict(call.options) == dict(want.options)
                    and _same_operands(call.operands, want.operands, prefix=False)
                    and call.after_dashdash == want.after_dashdash):
                return True
        return False
    program = str(args["program"])
    if call.program != program:
        return False
    if "args" in args and not _same_operands(call.operands, [str(a) for a in args["args"]], prefix=True):
        return False
    for key, value in _option_keys(program, args.get("options", [])).items():
        if key not in call.options or (value is not None and call.options[key] != value):
            return False
    if any(key in call.options for key in _option_keys(program, args.get("without", []))):
        return False
    return program != "chmod" or _chmod_matches(args, call)


def wanted_text(args: Mapping[str, Any]) -> str:
    """The command a check asks for, as the learner would write it."""
    if "command" in args:
        return _examples(args)[0]
    words = [str(args["program"]), *(str(a) for a in args.get("args", []))]
    for name in args.get("options", []):
        key, eq, value = str(name).partition("=")
        flag = f"-{key}" if len(key) == 1 else f"--{key}"
        words.append(flag if not eq else f"{flag} {value}" if len(key) == 1 else f"{flag}={value}")
    if "clause" in args:
        words.append(str(args["clause"]))
    return " ".join(words)


def _did(calls: Sequence[Call], program: str | None) -> str:
    same = [c for c in calls if c.program == program] if program else []
    chosen = same or list(calls)
    return chosen[-1].line.strip() if chosen else ""


def _ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    calls = calls_of(obs)
    found = [c for c in calls if matches(args, c)]
    program = str(args["program"]) if "program" in args else _example(_examples(args)[0]).program
    want = wanted_text(args)
    if len(found) < int(args.get("count", 1)):
        did = _did(calls, program)
        reason = say("ran_missing", want=want, did=did) if did else say("ran_nothing", want=want)
        return Outcome(False, reason, did=say("you_ran", did=did) if did else say("you_ran_nothing"))
    if "status" in args:
        status = int(args["status"])
        if not any(c.status in (status, None) for c in found):
            got = found[-1].status
            return Outcome(False, say("ran_status", did=found[-1].line.strip(), got=got, want=status),
                           did=say("you_ran_status", did=found[-1].line.strip(), got=got))
    return PASS


def _not_ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    for call in calls_of(obs):
        if matches(args, call):
            did = call.line.strip()
            return Outcome(False, say("ran_forbidden", did=did), did=say("you_ran", did=did))
    return PASS


def _validate(args: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    if ("command" in args) == ("program" in args):
        return ["give either command (an example line) or program"]
    if "command" in args:
        for line in _examples(args):
            try:
                _example(line)
            except (ValueError, ParseError) as exc:
                errors.append(f"command {line!r}: {exc}")
        extra = [a for a in _MATCH[1:] if a in args]
        if extra:
            errors.append(f"{', '.join(extra)} go with program, not with command")
    if any(a in args for a in ("notation", "clause", "clauses", "op")) and args.get("program") != "chmod":
        errors.append("notation, clause, clauses and op describe chmod")
    if "op" in args and args["op"] not in ("+", "-", "="):
        errors.append(f"op must be +, - or =, not {args['op']!r}")
    if "notation" in args and args["notation"] not in ("octal", "symbolic"):
        errors.append(f"notation must be octal or symbolic, not {args['notation']!r}")
    if "clause" in args and _clauses(str(args["clause"])) is None:
        errors.append(f"clause {args['clause']!r} is not a symbolic mode")
    for name in ("args", "options", "without"):
        if name in args and not isinstance(args[name], list):
            errors.append(f"{name} must be a list")
    return errors


_MATCH = ("program", "args", "options", "without", "notation", "clause", "clauses", "op")
COMMAND_KINDS = (
    CheckKind("ran", (), ("command", *_MATCH, "status", "count"), _ran,
              "the shell ran this command (an example line, or program, args, options), read as the program "
              "reads it", validate=_validate),
    CheckKind("not_ran", (), ("command", *_MATCH), _not_ran,
              "the shell never ran such a command", validate=_validate),
)
