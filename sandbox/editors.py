"""The vi engines: nvi (closest to AIX vi) and vim in vi-compatible mode, with a controlled start.

The sandbox's tools directory gets ``vi``, ``view`` and ``ex`` wrappers that start the chosen engine
with short ESC timeouts and no user-wide configuration except what vi itself reads (``EXINIT`` or
``$HOME/.exrc``), so the learner's shell, ``kubectl edit`` and the vi drills all run the same vi.

    engine, exe = find_editor("nvi")
    install_editor(root, engine, exe)             # tools/bin/vi, view, ex
    argv = editor_command(root, "notes.txt")      # [".../bin/vi", "notes.txt"]
"""

from __future__ import annotations

import shlex
import shutil

from sandbox.errors import SandboxError
from sandbox.isolation import SandboxRoot

EDITORS: dict[str, tuple[str, ...]] = {"nvi": ("nvi",), "vim": ("vim.basic", "vim", "vim.tiny")}

#: vim as a vi: compatible, no plugins or viminfo or swap file, vi's own start-up files only.
VIMRC = """set compatible
set ttimeout ttimeoutlen=10
set shortmess+=I
if exists('$EXINIT')
  exe $EXINIT
elseif filereadable(expand('~/.exrc'))
  source ~/.exrc
endif
"""


def find_editor(preference: str | None = None) -> tuple[str, str]:
    """(engine, executable) for the preferred editor, else the first one installed."""
    order = [preference] if preference else list(EDITORS)
    for engine in order:
        if engine not in EDITORS:
            raise SandboxError(f"unknown editor {engine!r}: choose one of {', '.join(EDITORS)}")
        for exe in EDITORS[engine]:
            path = shutil.which(exe)
            if path:
                return engine, path
    raise SandboxError(f"no editor found: install {' or '.join(order)}")


def _wrapper(engine: str, exe: str, tools: str, mode: str) -> str:
    if engine == "nvi":
        flags = {"vi": "", "view": "-R ", "ex": "-e "}[mode]
        return f"#!/bin/sh\nexec {shlex.quote(exe)} {flags}\"$@\"\n"
    flags = {"vi": "", "view": "-R ", "ex": "-e "}[mode]
    return (f"#!/bin/sh\nexec {shlex.quote(exe)} {flags}-u {shlex.quote(tools + '/vimrc')} "
            f"--noplugin -i NONE -n \"$@\"\n")


def install_editor(root: SandboxRoot, engine: str, exe: str) -> None:
    """Write the ``vi``, ``view`` and ``ex`` wrappers for ``engine`` into the sandbox's tools."""
    tools = root.layout.tools
    if engine == "nvi":
        # nvi reads /etc/vi.exrc before EXINIT and ~/.exrc (the sandbox binds this file there; without
        # bwrap nvi keeps its default). escapetime is in tenths of a second: 1 keeps a lone ESC snappy.
        root.write_etc("vi.exrc", "set escapetime=1\n")
        root.give(root.etc / "vi.exrc")  # nvi sources it only when owned by the user or root
    if engine == "vim":
        rc = root.tools / "vimrc"
        rc.write_text(VIMRC, encoding="utf-8")
        rc.chmod(0o444)
    for mode in ("vi", "view", "ex"):
        target = root.tools / "bin" / mode
        target.write_text(_wrapper(engine, exe, tools, mode), encoding="utf-8")
        target.chmod(0o555)


def editor_command(root: SandboxRoot, path: str, mode: str = "vi") -> list[str]:
    """The argv that opens ``path`` (relative to HOME) with the installed editor."""
    return [f"{root.layout.tools}/bin/{mode}", path]
