"""How each command line was made at the shell's prompt, read from the keys: typed, recalled from the
history in vi mode (``set -o vi``: ESC, then k, j, /pattern, n ...), or rerun with ksh's ``r``, and
which vi editing commands changed a recalled line (``x``, ``cw``, ``A`` ...).

ksh writes the command ``r`` ran into its history, not ``r`` itself, so the history alone cannot tell
``r grep`` from ESC k; the keys can. Each line the keys submit (Enter outside a search) is one
``Line``; the lines that put something in the history are matched, in order, with the commands the
history holds.

    >>> [(line.via, line.edits, line.typed) for line in lines_of(tuple("x") + ("<Esc>", "k", "x", "<CR>"))]
    [('vi', ('x',), 'x')]
    >>> [line.via for line in lines_of(tuple("r wc") + ("<CR>",))]
    ['r']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.keys import ENTER_KEYS

#: Keys that submit a line.
#: Command-mode keys that move through the history.
HISTORY_MOTIONS = frozenset({"k", "j", "-", "+", "G", "n", "N", "<Up>", "<Down>"})
#: Command-mode keys that start inserting (and ``c`` with a motion, ``s``, ``S``, ``C``, ``R``).
INSERTS = frozenset({"i", "a", "I", "A", "s", "S", "C", "R"})
#: Command-mode keys that take the next key as their argument.
TAKES_CHAR = frozenset({"r", "f", "F", "t", "T"})


@dataclass(frozen=True)
class Line:
    """One submitted command line and how it was made."""

    via: str  # "typed", "vi" (recalled from the history in vi mode) or "r"
    typed: str  # the text typed in insert mode
    edits: tuple[str, ...]  # vi commands that changed the line: "x", "cw", "A", "dw", ...
    moves: tuple[str, ...]  # history moves, in order: "k", "j", "/" (a search), "n", ...
    empty: bool  # nothing typed, nothing recalled: the shell records no command


def lines_of(tokens: Sequence[str]) -> list[Line]:
    """The lines the keys submitted, in order (a line cancelled with Ctrl-C is not one)."""
    lines: list[Line] = []
    typed: list[str] = []
    edits: list[str] = []
    moves: list[str] = []
    recalled = False
    insert = True
    pending = ""  # an operator or a char-taking command waiting for its next key
    searching = False

    def finish() -> None:
        nonlocal typed, edits, moves, recalled, insert, pending, searching
        text = "".join(typed)
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        via = "vi" if recalled else ("r" if first == "r" else "typed")
        lines.append(Line(via, text, tuple(edits), tuple(moves), not text.strip() and not recalled))
        typed, edits, moves, recalled, insert, pending, searching = [], [], [], False, True, "", False

    for key in tokens:
        if searching:
            if key in ENTER_KEYS or key == "<Esc>":
                searching = False  # the search ran (Enter) or was abandoned: the line is still open
            continue
        if key in ENTER_KEYS:
            finish()
            continue
        if key == "<C-c>":
            typed, edits, moves, recalled, insert, pending = [], [], [], False, True, ""
            continue
        if insert:
            if key == "<Esc>":
                insert = False
            elif key in ("<BS>", "<C-h>"):
                if typed:
                    typed.pop()
            elif len(key) == 1:
                typed.append(key)
            continue
        # vi command mode
        if pending:
            if pending in ("c", "d", "y") and key.isdigit():
                continue  # c2w: a count inside the command
            command = pending + key
            pending = ""
            if command[0] in TAKES_CHAR:
                if command[0] == "r":
                    edits.append("r")
                continue
            if command[0] in "cdy" and key in TAKES_CHAR:
                pending = command
                continue
            edits.append(command[:2])  # cw, dd, d$, cf (cfx: change to the next x)
            if command[0] == "c":
                insert = True
            continue
        if key.isdigit() and key != "0":
            continue  # a count
        if key in HISTORY_MOTIONS:
            recalled = True
            moves.append({"<Up>": "k", "<Down>": "j"}.get(key, key))
        elif key in ("/", "?"):
            recalled = True
            searching = True
            moves.append(key)
        elif key in TAKES_CHAR or key in ("c", "d", "y"):
            pending = key
        elif key in INSERTS:
            edits.append(key)
            insert = True
        elif key in ("x", "X", "D", "p", "P", "~", "u", "."):
            edits.append(key)
        # anything else (a motion, ESC again) changes nothing
    return lines


def line_for_each_command(tokens: Sequence[str], count: int) -> list[Line | None]:
    """For each of the ``count`` commands the history gained, the line that made it (None where the
    keys and the history disagree, e.g. a line the shell did not record)."""
    made = [line for line in lines_of(tokens) if not line.empty]
    if len(made) != count:
        return [None] * count
    return list(made)
