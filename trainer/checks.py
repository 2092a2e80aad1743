"""The check kinds: a table from name to arguments and a pure evaluation over an Observation.

The loader validates every check against this table when a pack loads, so an unknown kind or a
missing argument is a pack error, never a surprise during a drill. Kinds that need a value measured
in the sandbox after the attempt (``answer`` with ``probe``, ``probe_output``) name the command in
``probes()``; the runner runs it and the result arrives in ``Observation.probes``.

    kind = CHECKS["file_mode"]
    outcome = kind.evaluate({"path": "a", "mode": "750"}, observation)
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Mapping
from typing import Any

from sandbox.keys import format_keys, parse_keys
from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.command_checks import COMMAND_KINDS
from trainer.kube_checks import KUBE_KINDS
from trainer.kube_pod_checks import POD_KINDS
from trainer.kube_request_checks import REQUEST_KINDS
from trainer.line_checks import LINE_KINDS
from trainer.messages import say
from trainer.modes import octal, parse_mode, symbolic
from trainer.questions import LETTERS, Question
from trainer.vi_checks import VI_KINDS


def _file_exists(args: Mapping[str, Any], obs: Observation) -> Outcome:
    return PASS if obs.file(args["path"]) else Outcome(False, say("file_missing", path=args["path"]))


def _file_absent(args: Mapping[str, Any], obs: Observation) -> Outcome:
    return Outcome(False, say("file_present", path=args["path"])) if obs.file(args["path"]) else PASS


def _file_content(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = args["path"]
    info = obs.file(path)
    if info is None or info.text is None:
        return Outcome(False, say("file_missing", path=path))
    got = info.text
    if "equals" in args:
        want = str(args["equals"])
        if got == want:
            return PASS
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "expected", "got", lineterm="\n"))
        return Outcome(False, say("content_differs", path=path), diff)
    if "matches" in args:
        pattern = str(args["matches"])
        ok = re.search(pattern, got, re.M) is not None
        return PASS if ok else Outcome(False, say("content_no_match", path=path, pattern=pattern))
    text = str(args["contains"])
    return PASS if text in got else Outcome(False, say("content_lacks", path=path, text=text))


def _file_mode(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = args["path"]
    info = obs.file(path)
    if info is None:
        return Outcome(False, say("file_missing", path=path))
    want = parse_mode(str(args["mode"]))
    if info.mode == want:
        return PASS
    return Outcome(False, say("mode_differs", path=path, got=octal(info.mode), got_sym=symbolic(info.mode),
                              want=octal(want), want_sym=symbolic(want)))


def _file_type(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = args["path"]
    info = obs.file(path)
    if info is None:
        return Outcome(False, say("file_missing", path=path))
    want = str(args["type"])
    return PASS if info.type == want else Outcome(False, say("type_differs", path=path, got=info.type, want=want))


def _link_count(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = args["path"]
    info = obs.file(path)
    if info is None:
        return Outcome(False, say("file_missing", path=path))
    want = int(args["count"])
    return PASS if info.nlink == want else Outcome(False, say("links_differ", path=path, got=info.nlink,
                                                              want=want))


def _file_owner(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = args["path"]
    info = obs.file(path)
    if info is None:
        return Outcome(False, say("file_missing", path=path))
    got = f"{info.owner}:{info.group}"
    want = f"{args.get('owner', info.owner)}:{args.get('group', info.group)}"
    return PASS if got == want else Outcome(False, say("owner_differs", path=path, got=got, want=want))


def _screen_contains(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if obs.screen is None:
        return Outcome(False, say("no_screen"))
    text = obs.screen.text()
    if "text" in args:
        return PASS if str(args["text"]) in text else Outcome(False, say("screen_lacks", text=args["text"]))
    pattern = str(args["matches"])
    return PASS if re.search(pattern, text, re.M) else Outcome(False, say("screen_lacks", text=pattern))


def _screen_lacks(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if obs.screen is None:
        return Outcome(False, say("no_screen"))
    text = str(args["text"])
    return Outcome(False, say("screen_shows", text=text)) if text in obs.screen.text() else PASS


def _cursor_at(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if obs.screen is None:
        return Outcome(False, say("no_screen"))
    row, col = obs.screen.cursor
    want_row = int(args.get("row", row + 1)) - 1
    want_col = int(args.get("col", col + 1)) - 1
    if (row, col) == (want_row, want_col):
        return PASS
    return Outcome(False, say("cursor_differs", got_row=row + 1, got_col=col + 1, want_row=want_row + 1,
                              want_col=want_col + 1))


def _command_ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    pattern = str(args["pattern"])
    matching = [c for c in obs.commands if re.search(pattern, c.text)]
    if len(matching) < int(args.get("count", 1)):
        return Outcome(False, say("command_missing", pattern=pattern))
    if "status" in args:
        want = int(args["status"])
        if not any(c.exit_status == want for c in matching):
            got = matching[-1].exit_status
            return Outcome(False, say("command_status", pattern=pattern, got="?" if got is None else got,
                                      want=want))
    return PASS


def _command_not_ran(args: Mapping[str, Any], obs: Observation) -> Outcome:
    pattern = str(args["pattern"])
    for c in obs.commands:
        if re.search(pattern, c.text):
            return Outcome(False, say("command_forbidden", command=c.text))
    return PASS


def _text_only(args: Mapping[str, Any]) -> list[str]:
    """A regex over the typed line rejects `date; cal`, `banner "x"`, flags in another order: packs use
    ran/not_ran, and say ``text: true`` where the drill is about the text itself."""
    if args.get("text") is True:
        return []
    return ["this matches the typed text, so quoting, option order and `;` change the verdict: use ran or "
            "not_ran (program, args, options), or add text: true where the text itself is the point"]


def _find(needle: tuple[str, ...], hay: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def _keys_contain(args: Mapping[str, Any], obs: Observation) -> Outcome:
    needle = parse_keys(str(args["keys"]))
    if _find(needle, obs.key_tokens):
        return PASS
    return Outcome(False, say("keys_lack", keys=format_keys(needle)))


def _keys_not_contain(args: Mapping[str, Any], obs: Observation) -> Outcome:
    needle = parse_keys(str(args["keys"]))
    if _find(needle, obs.key_tokens):
        return Outcome(False, say("keys_forbidden", keys=format_keys(needle)))
    return PASS


def _keys_max(args: Mapping[str, Any], obs: Observation) -> Outcome:
    got, want = len(obs.keys), int(args["count"])
    return PASS if got <= want else Outcome(False, say("keys_over", got=got, want=want))


def _exit_status(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if obs.exit_status is None:
        return Outcome(False, say("still_running"))
    want = int(args["status"])
    return PASS if obs.exit_status == want else Outcome(False, say("exit_differs", got=obs.exit_status,
                                                                   want=want))


def normalise(text: str, how: str) -> str:
    """Normalise an answer: ``text`` (trim, squeeze spaces, case-fold), ``int`` or ``mode``."""
    s = " ".join(text.split())
    if how == "int":
        return str(int(s)) if re.fullmatch(r"[+-]?\d+", s) else s
    if how == "mode":
        try:
            return octal(parse_mode(s))
        except ValueError:
            return s
    if how == "exact":
        return text
    return s.casefold()


def _answer(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if not obs.answer or not obs.answer.strip():
        return Outcome(False, say("answer_missing"))
    how = str(args.get("normalise", "text"))
    if "probe" in args:
        probe = obs.probes.get(str(args["probe"]))
        if probe is None or probe.status != 0:
            return Outcome(False, say("probe_failed", command=args["probe"]))
        want = probe.stdout
    else:
        want = str(args["expected"])
    got = normalise(obs.answer, how)
    return PASS if got == normalise(want, how) else Outcome(False, say("answer_wrong", got=obs.answer.strip()))


def _question(args: Mapping[str, Any], obs: Observation) -> Outcome:
    question = args.get("question")
    if not isinstance(question, Question):
        return Outcome(False, say("answer_missing"))
    if not obs.answer or not obs.answer.strip():
        return Outcome(False, say("answer_missing"))
    got = obs.answer.strip()
    if question.judge(got):
        return PASS
    if question.type in ("choice", "multi", "order", "match") and question.read_labels(got) is None:
        last = LETTERS[len(question.options) - 1]
        return Outcome(False, say(f"answer_unreadable_{question.type}", got=got, last=last))
    return Outcome(False, say("answer_wrong", got=got))


def _login_command(args: Mapping[str, Any]) -> str:
    return f"trainer-login {shlex.quote(str(args['command']))}"


def _login_output(args: Mapping[str, Any], obs: Observation) -> Outcome:
    return _compare_probe(args, obs, _login_command(args), str(args["command"]))


def _probe_output(args: Mapping[str, Any], obs: Observation) -> Outcome:
    return _compare_probe(args, obs, str(args["command"]), str(args["command"]))


def _compare_probe(args: Mapping[str, Any], obs: Observation, key: str, command: str) -> Outcome:
    probe = obs.probes.get(key)
    if probe is None:
        return Outcome(False, say("probe_failed", command=command))
    got = probe.stdout.strip()
    if "equals" in args:
        want = str(args["equals"]).strip()
        return PASS if got == want else Outcome(False, say("probe_differs", command=command, got=got, want=want))
    pattern = str(args["matches"])
    return PASS if re.search(pattern, got, re.M) else Outcome(
        False, say("probe_differs", command=command, got=got, want=f"/{pattern}/"))


_KINDS = (
    CheckKind("file_exists", ("path",), (), _file_exists, "a file or directory exists"),
    CheckKind("file_absent", ("path",), (), _file_absent, "a file or directory does not exist"),
    CheckKind("file_content", ("path",), (), _file_content, "a file's text: equals, matches or contains",
              one_of=("equals", "matches", "contains")),
    CheckKind("file_mode", ("path", "mode"), (), _file_mode, "permission bits, octal or rwxr-x---"),
    CheckKind("file_type", ("path", "type"), (), _file_type, "file, dir, symlink, fifo"),
    CheckKind("link_count", ("path", "count"), (), _link_count, "the link count ls -l shows"),
    CheckKind("file_owner", ("path",), ("owner", "group"), _file_owner, "owner and group names"),
    CheckKind("screen_contains", (), (), _screen_contains, "the final screen shows a text or regex",
              one_of=("text", "matches")),
    CheckKind("screen_lacks", ("text",), (), _screen_lacks, "the final screen does not show a text"),
    CheckKind("cursor_at", (), ("row", "col"), _cursor_at, "the cursor's final row and column (1-based)"),
    CheckKind("command_ran", ("pattern",), ("status", "count", "text"), _command_ran,
              "the text of a command line matched a regex (prefer ran: it reads the command as the shell does)",
              validate=_text_only),
    CheckKind("command_not_ran", ("pattern",), ("text",), _command_not_ran,
              "no command line's text matched a regex (prefer not_ran)", validate=_text_only),
    CheckKind("keys_contain", ("keys",), (), _keys_contain, "the key log contains these keys in a row"),
    CheckKind("keys_not_contain", ("keys",), (), _keys_not_contain, "the key log never has these keys"),
    CheckKind("keys_max", ("count",), (), _keys_max, "at most this many keys were used"),
    CheckKind("exit_status", ("status",), (), _exit_status, "the program exited with this status"),
    CheckKind("answer", (), ("normalise",), _answer, "the quiz answer, expected or measured by a probe",
              one_of=("expected", "probe"), probe=lambda a: str(a["probe"]) if "probe" in a else None),
    CheckKind("question", (), ("question",), _question,
              "the answer to a concept question (the loader gives it the question: write no arguments)"),
    CheckKind("probe_output", ("command",), (), _probe_output,
              "a command run in the sandbox afterwards prints this", one_of=("equals", "matches"),
              probe=lambda a: str(a["command"])),
    CheckKind("login_output", ("command",), (), _login_output,
              "after a real login (/etc/environment, /etc/profile, $HOME/.profile) a command prints this",
              one_of=("equals", "matches"), probe=_login_command),
)

_ALL = (*_KINDS, *COMMAND_KINDS, *LINE_KINDS, *VI_KINDS, *KUBE_KINDS, *REQUEST_KINDS, *POD_KINDS)
CHECKS: Mapping[str, CheckKind] = {k.name: k for k in _ALL}
assert len(CHECKS) == len(_ALL), "duplicate check kind"
