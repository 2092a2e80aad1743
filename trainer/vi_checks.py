"""Check kinds on what a vi drill executed (trainer.vi_model): ``ex_ran`` and ``ex_not_ran`` on its ex
commands, ``vi_did`` and ``vi_not_did`` on its normal-mode commands.

    - kind: ex_ran
      command: substitute        # any spelling vi accepts: s, su, substitute
      range: "%"                 # compared as vi reads it: % is 1,$
      pattern: mango             # substitute, global, vglobal
      then: substitute           # global, vglobal: the command run on each line
    - kind: ex_ran
      command: set
      option: autoindent         # ai, autoindent; noai; wm=5 (a value compared too)
    - kind: ex_ran
      command: quit
      bang: true                 # :q! and :quit! (the ! that forces)
    - kind: vi_did
      keys: "3dd"                # normal-mode commands in a row: 3dd = d3d; dd = 1dd; G is not 1G
      any_count: true            # (optional) wi is also 3wi: the motion, whatever its count
    (``start: ex`` where the editor opened in ex's line mode)

    >>> from sandbox.keys import parse_keys
    >>> from sandbox.session import KeyEvent
    >>> obs = Observation("nvi", keys=tuple(KeyEvent(0.0, k) for k in parse_keys(":se ai<CR>")))
    >>> _ex_ran({"command": "set", "option": "autoindent"}, obs).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.messages import say
from trainer.vi_model import (
    ExCommand,
    NormalCommand,
    command_name,
    ex_commands,
    normal_commands,
    option_name,
    parse_ex,
    vi_actions,
)


def _full(word: Any) -> str:
    return command_name(str(word)) or str(word)


def _range(text: str) -> str:
    return "1,$" if text.replace(" ", "") == "%" else text.replace(" ", "")


def matches(args: Mapping[str, Any], command: ExCommand) -> bool:
    """Whether ``command`` is the ex command ``args`` describe."""
    if command.name != _full(args["command"]):
        return False
    if "range" in args and command.range != _range(str(args["range"])):
        return False
    if "addressed" in args and bool(command.range) != bool(args["addressed"]):
        return False
    for name in ("pattern", "replacement"):
        if name in args and getattr(command, name) != str(args[name]):
            return False
    if "flags" in args and set(command.flags) != set(str(args["flags"])):
        return False
    if "then" in args and (command.then is None or command.then.name != _full(args["then"])):
        return False
    if "option" in args and option_name(str(args["option"])) not in command.options():
        return False
    if args.get("bang") and not command.args.startswith("!"):
        return False
    return not (args.get("bare") and command.args)


def wanted_text(args: Mapping[str, Any]) -> str:
    """The ex command a check asks for, as a learner would write it."""
    name = str(args["command"])
    text = ":" + str(args.get("range", "")) + name
    if "pattern" in args:
        text += f"/{args['pattern']}/"
        if "replacement" in args:
            text += f"{args['replacement']}/{args.get('flags', '')}"
    if "then" in args:
        text += str(args["then"])
    if "option" in args:
        text += f" {args['option']}"
    return text


def _did(commands: list[ExCommand]) -> str:
    return ", ".join(f":{c.text}" for c in commands[-3:])


def _start(args: Mapping[str, Any]) -> str:
    return str(args.get("start", "normal"))


def _ex_ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    commands = ex_commands(obs.key_tokens, _start(args))
    if any(matches(args, c) for c in commands):
        return PASS
    want = wanted_text(args)
    if commands:
        return Outcome(False, say("ex_missing", want=want, did=_did(commands)),
                       did=say("you_ran_ex", did=_did(commands)))
    return Outcome(False, say("ex_none", want=want), did=say("you_ran_no_ex"))


def _ex_not_ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    for command in ex_commands(obs.key_tokens, _start(args)):
        if matches(args, command):
            return Outcome(False, say("ex_forbidden", did=f":{command.text}"),
                           did=say("you_ran_ex", did=f":{command.text}"))
    return PASS


def _in_a_row(want: list[NormalCommand], got: list[NormalCommand], any_count: bool = False) -> bool:
    def same(w: NormalCommand, g: NormalCommand) -> bool:
        return w.name == g.name if any_count else w.same(g)

    return any(all(same(w, g) for w, g in zip(want, got[i:i + len(want)], strict=True))
               for i in range(len(got) - len(want) + 1))


def _shown(commands: list[NormalCommand]) -> str:
    return " ".join(f"{c.count or ''}{c.name}" for c in commands[-8:]) or "-"


def _vi_did(args: Mapping[str, Any], obs: Observation) -> Outcome:
    want = normal_commands(str(args["keys"]))
    got = vi_actions(obs.key_tokens, _start(args)).normal
    if _in_a_row(want, got, bool(args.get("any_count"))):
        return PASS
    return Outcome(False, say("vi_missing", want=str(args["keys"]), did=_shown(got)),
                   did=say("you_did_vi", did=_shown(got)))


def _vi_not_did(args: Mapping[str, Any], obs: Observation) -> Outcome:
    want = normal_commands(str(args["keys"]))
    got = vi_actions(obs.key_tokens, _start(args)).normal
    if _in_a_row(want, got, bool(args.get("any_count"))):
        return Outcome(False, say("vi_forbidden", did=str(args["keys"])), did=say("you_did_vi", did=_shown(got)))
    return PASS


def _validate_normal(args: Mapping[str, Any]) -> list[str]:
    errors = [] if normal_commands(str(args["keys"])) else [f"{args['keys']!r} is no normal-mode command"]
    if _start(args) not in ("normal", "ex"):
        errors.append("start must be normal or ex")
    return errors


def _validate(args: Mapping[str, Any]) -> list[str]:
    errors = [] if _start(args) in ("normal", "ex") else ["start must be normal or ex"]
    name = str(args["command"])
    if command_name(name) is None:
        errors.append(f"unknown ex command {name!r}")
    if "then" in args and command_name(str(args["then"])) is None:
        errors.append(f"unknown ex command {args['then']!r}")
    if "range" in args and parse_ex(f"{args['range']}d").range != _range(str(args["range"])):
        errors.append(f"range {args['range']!r} is not an ex address range")
    return errors


_ARGS = ("range", "addressed", "pattern", "replacement", "flags", "then", "option", "bare", "bang", "start")
VI_KINDS = (
    CheckKind("ex_ran", ("command",), _ARGS, _ex_ran,
              "vi executed this ex command (any abbreviation; range, pattern, :set option compared as vi "
              "reads them)", validate=_validate),
    CheckKind("ex_not_ran", ("command",), _ARGS, _ex_not_ran, "vi never executed such an ex command",
              validate=_validate),
    CheckKind("vi_did", ("keys",), ("start", "any_count"), _vi_did,
              "vi executed these normal-mode commands in a row (counts compared as vi reads them)",
              validate=_validate_normal),
    CheckKind("vi_not_did", ("keys",), ("start", "any_count"), _vi_not_did,
              "vi never executed these normal-mode commands", validate=_validate_normal),
)
