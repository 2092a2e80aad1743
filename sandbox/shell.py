"""Shell integration for ksh93 and bash: the read-only rc, the history file and what really ran.

The rc gives the prompt an OSC 133 mark carrying the last exit status and the next history number
(``ESC ] 133 ; A ; rc=0 ; hist=5 BEL``), keeps a per-attempt ``HISTFILE``, emulates the login
order (``/etc/profile`` then ``$HOME/.profile``) when asked, and gives bash the AIX ``r`` command.
ksh93 writes each command to its history file before running it, with ``r`` substitutions already
resolved; bash is told to append at every prompt.

    rc = install_rc(root, "ksh93")               # writes the rc into the sandbox's tools dir
    ...                                          # run the shell, collect session.marks
    commands = executed(read_history("ksh93", data), marks, first=1)
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.isolation import SandboxRoot
from sandbox.screen import Mark

#: Engines in order of preference, with the executables that provide them.
SHELLS: dict[str, tuple[str, ...]] = {"ksh93": ("ksh93", "ksh"), "bash": ("bash",)}

_LOGIN = """if [ -n "${TRAINER_LOGIN:-}" ] && [ -z "${TRAINER_LOGGED_IN:-}" ]; then
  TRAINER_LOGGED_IN=1; export TRAINER_LOGGED_IN
  if [ -r "$TRAINER_ETC/profile" ]; then . "$TRAINER_ETC/profile"; fi
  if [ -r "$HOME/.profile" ]; then . "$HOME/.profile"; fi
fi
"""

KSH_RC = ("# The trainer's shell integration (read-only). Prompt marks: exit status, history number.\n"
          + _LOGIN + "PS1=$'\\E]133;A;rc=${?};hist=!\\a$ '\n")

BASH_RC = ("# The trainer's shell integration (read-only). Prompt marks: exit status, history number.\n"
           + _LOGIN
           + "alias r='fc -s'\nshopt -s histappend\nunset HISTCONTROL HISTIGNORE\n"
             "bind 'set enable-bracketed-paste off' 2>/dev/null\n"
             "PROMPT_COMMAND='history -a'\nPS1='\\[\\e]133;A;rc=$?;hist=\\!\\a\\]$ '\n")

KSH_HISTORY_MAGIC = b"\x81\x01"

#: ``trainer-login COMMAND``: a login of the sandbox user as AIX's login does it. /etc/environment
#: first (plain NAME=value lines: env(1) takes them literally, so nothing is expanded), then the
#: login shell reads /etc/profile and $HOME/.profile, then COMMAND runs. Without bwrap the host's
#: /etc/profile must not be read, so the same order is followed by sourcing the sandbox's files.
LOGIN_SCRIPT = """#!/bin/sh
etc=${{TRAINER_ETC:-/etc}}
cmd=$1
if [ "$etc" = /etc ]; then
  login='exec "$SHELL" -l -c "$TRAINER_LOGIN_CMD"'
else
  login='. "$TRAINER_ETC/profile"; if [ -r "$HOME/.profile" ]; then . "$HOME/.profile"; fi; eval "$TRAINER_LOGIN_CMD"'
fi
set --
if [ -r "$etc/environment" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      ''|'#'*) ;;
      [A-Za-z_]*=*) set -- "$@" "$line" ;;
    esac
  done < "$etc/environment"
fi
exec env -i "HOME=$HOME" "USER=$USER" "LOGNAME=$LOGNAME" "TERM=${{TERM:-xterm}}" "LANG=${{LANG:-C.UTF-8}}" \\
  "PATH=$PATH" "TRAINER_ETC=$etc" "SHELL={shell}" "TRAINER_LOGIN_CMD=$cmd" "$@" {shell} -c "$login"
"""


@dataclass(frozen=True)
class ExecutedCommand:
    """A command the shell ran: its history number, text, and exit status when the prompt told it."""

    number: int
    text: str
    exit_status: int | None


def find_shell(preference: str | None = None) -> tuple[str, str]:
    """(engine, executable) for the preferred shell, else the first one installed."""
    order = [preference] if preference else list(SHELLS)
    for engine in order:
        if engine not in SHELLS:
            raise SandboxError(f"unknown shell {engine!r}: choose one of {', '.join(SHELLS)}")
        for exe in SHELLS[engine]:
            path = shutil.which(exe)
            if path:
                return engine, path
    raise SandboxError(f"no shell found: install {' or '.join(order)}")


def install_rc(root: SandboxRoot, engine: str, extra: str = "") -> str:
    """Write the rc for ``engine`` (and ``extra`` lines, e.g. aliases) read-only; return its path inside."""
    text = (KSH_RC if engine == "ksh93" else BASH_RC) + extra
    target = root.tools / f"{engine}rc"
    target.write_text(text, encoding="utf-8")
    target.chmod(0o444)
    return f"{root.layout.tools}/{engine}rc"


def shell_command(root: SandboxRoot, engine: str, executable: str,
                  rc_extra: str = "") -> tuple[list[str], dict[str, str]]:
    """The argv and the extra environment that start an interactive ``engine`` in ``root``."""
    rc = install_rc(root, engine, rc_extra)
    env = {"HISTFILE": history_path(root, inside=True), "HISTSIZE": "500", "SHELL": executable}
    if engine == "ksh93":
        return [executable, "-i"], {**env, "ENV": rc}
    return [executable, "--noprofile", "--rcfile", rc, "-i"], env


def install_login(root: SandboxRoot, executable: str) -> None:
    """Write ``trainer-login`` (see LOGIN_SCRIPT) for the shell ``executable`` into the tools dir."""
    target = root.tools / "bin" / "trainer-login"
    target.write_text(LOGIN_SCRIPT.format(shell=executable), encoding="utf-8")
    target.chmod(0o555)


def parse_environment(text: str) -> dict[str, str]:
    r"""The variables of an AIX ``/etc/environment``: ``NAME=value`` lines, taken literally.

    >>> parse_environment("# c\nA=1\nB=$A x\nbad line\n")
    {'A': '1', 'B': '$A x'}
    """
    found = {}
    for line in text.splitlines():
        name, eq, value = line.partition("=")
        if eq and name and (name[0].isalpha() or name[0] == "_") and name.replace("_", "").isalnum():
            found[name] = value
    return found


def history_path(root: SandboxRoot, *, inside: bool) -> str:
    return f"{root.layout.state}/history" if inside else str(root.state / "history")


def write_history(root: SandboxRoot, engine: str, entries: Sequence[str]) -> None:
    """Preload the history file with ``entries`` (oldest first), as the shell would have written it."""
    path = Path(history_path(root, inside=False))
    if engine == "ksh93":
        data = KSH_HISTORY_MAGIC + b"".join(e.encode() + b"\n\0" for e in entries)
    else:
        data = b"".join(e.encode() + b"\n" for e in entries)
    path.write_bytes(data)


def read_history(engine: str, data: bytes) -> list[str]:
    """The entries of a history file, oldest first."""
    if engine == "ksh93":
        return parse_ksh_history(data)
    return [line for line in data.decode("utf-8", "replace").split("\n") if line]


def parse_ksh_history(data: bytes) -> list[str]:
    """Entries of a ksh93 history file: ``\\x81\\x01`` header, entries split on NUL, and an entry
    that starts with ``\\x81`` cancels the one before it.

    >>> parse_ksh_history(b"\\x81\\x01ls\\n\\x00r\\n\\x00\\x81\\x00date\\n\\x00")
    ['ls', 'date']
    """
    if data.startswith(KSH_HISTORY_MAGIC):
        data = data[len(KSH_HISTORY_MAGIC):]
    entries: list[str] = []
    for raw in data.split(b"\0"):
        if raw.startswith(b"\x81"):
            if entries:
                entries.pop()
            raw = raw[1:].lstrip(b"\0\x01\x02")
            if not raw:
                continue
        if not raw:
            continue
        entries.append(raw.decode("utf-8", "replace").rstrip("\n"))
    return entries


def executed(history: Sequence[str], marks: Sequence[Mark], first: int) -> tuple[ExecutedCommand, ...]:
    """Commands numbered ``first`` and later, with the exit status the next prompt mark carried.

    ``history`` holds every entry of the file (entry ``i`` has number ``i + 1``).
    """
    status: dict[int, int] = {}
    for mark in marks:
        if mark.kind != "A":
            continue
        try:
            number = int(mark.params["hist"]) - 1
            rc = int(mark.params["rc"])
        except (KeyError, ValueError):
            continue
        status.setdefault(number, rc)
    return tuple(ExecutedCommand(n, text, status.get(n))
                 for n, text in enumerate(history, start=1) if n >= first)
