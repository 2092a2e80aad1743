"""What the learner did in vi, read from the keys: the normal-mode commands (``3dd`` and ``d3d`` are one
command, a count and ``dd``; ``f#``, ``r*``, ``ZZ`` take their argument) and the ex commands executed
(``:`` lines ended with Enter, and lines typed in ex's line mode), each parsed into address range, full
command name and arguments, so that ``:se ai`` is ``:set autoindent``, ``:2s/a/b/`` is a
``substitute`` with an address, ``:%s`` is ``:1,$s`` and ``:g!/x/d`` is ``vglobal``. Text typed in
insert mode and searches are never read as commands.

    >>> [(c.range, c.name, c.args) for c in ex_commands(parse_keys(":se ai<CR>"))]
    [('', 'set', 'ai')]
    >>> [c] = ex_commands(parse_keys("ihello :s/x/<Esc>:%s/a/b/g<CR>"))
    >>> c.range, c.name, c.pattern, c.replacement, c.flags
    ('1,$', 'substitute', 'a', 'b', 'g')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.keys import ENTER_KEYS, parse_keys

#: Normal-mode keys that start inserting text (c, with a motion, too).
INSERTS = frozenset({"i", "a", "I", "A", "o", "O", "s", "S", "C", "R"})
#: Normal-mode keys that take the next key as their argument.
TAKES_CHAR = frozenset({"r", "f", "F", "t", "T", "m", "'", "`", '"', "@", "q"})
#: Ex command names and their abbreviations (nvi's and vim's), by the full name.
EX_NAMES: dict[str, tuple[str, ...]] = {
    "substitute": ("s", "su", "sub", "subs", "subst", "substi", "substit", "substitu", "substitut"),
    "global": ("g", "gl", "glo", "glob", "globa"),
    "vglobal": ("v", "vg", "vgl", "vglo", "vglob", "vgloba"),
    "delete": ("d", "de", "del", "dele", "delet"),
    "set": ("se",),
    "write": ("w", "wr", "wri", "writ"),
    "quit": ("q", "qu", "qui"),
    "wq": (),
    "xit": ("x", "xi"),
    "append": ("a", "ap", "app", "appe", "appen"),
    "insert": ("i", "in", "ins", "inse", "inser"),
    "change": ("c", "ch", "cha", "chan", "chang"),
    "move": ("m", "mo", "mov"),
    "copy": ("co", "cop", "t"),
    "join": ("j", "jo", "joi"),
    "print": ("p", "pr", "pri", "prin"),
    "number": ("nu", "num", "numb", "numbe", "#"),
    "undo": ("u", "un", "und"),
    "read": ("r", "re", "rea"),
    "edit": ("e", "ed", "edi"),
    "yank": ("y", "ya", "yan"),
    "put": ("pu",),
    "visual": ("vi", "vis", "visu", "visua"),
    "&": (),
    "=": (),
    "!": (),
}
_FULL = {abbrev: name for name, abbrevs in EX_NAMES.items() for abbrev in (name, *abbrevs)}
#: :set option names and abbreviations (nvi's and vim's), by the full name.
SET_OPTIONS: dict[str, tuple[str, ...]] = {
    "autoindent": ("ai",), "ignorecase": ("ic",), "number": ("nu",), "showmatch": ("sm",),
    "wrapmargin": ("wm",), "tabstop": ("ts",), "shiftwidth": ("sw",), "list": (), "readonly": ("ro",),
    "wrapscan": ("ws",), "autowrite": ("aw",), "showmode": ("smd",), "ruler": ("ru",), "magic": (),
    "report": (), "terse": (), "all": (), "hlsearch": ("hls",), "incsearch": ("is",),
}
_OPTION = {abbrev: name for name, abbrevs in SET_OPTIONS.items() for abbrev in (name, *abbrevs)}
_ADDRESS = re.compile(r"\s*(?:%|\.|\$|\d+|'[a-z]|/(?:\\.|[^/])*/?|\?(?:\\.|[^?])*\??)?(?:\s*[+-]\d*)*")


@dataclass(frozen=True)
class ExCommand:
    """One executed ex command, as typed after ``:`` and as vi reads it."""

    text: str
    range: str  # "" (none), "1,$" for "%", else the addresses as typed without spaces
    name: str  # the full command name ("substitute"), or the text's first word when unknown
    args: str
    pattern: str | None = None  # substitute, global, vglobal
    replacement: str | None = None  # substitute
    flags: str = ""  # substitute
    then: ExCommand | None = None  # global and vglobal: the command run on each matching line

    def options(self) -> tuple[str, ...]:
        """A :set's options by full name (``noai`` -> ``noautoindent``, ``wm=5`` -> ``wrapmargin=5``)."""
        return tuple(option_name(word) for word in self.args.split()) if self.name == "set" else ()


def command_name(word: str) -> str | None:
    """The full name of an ex command spelled ``word`` (``s`` -> ``substitute``); None if vi has none."""
    return _FULL.get(word)


def option_name(word: str) -> str:
    """``ai`` -> ``autoindent``, ``noic`` -> ``noignorecase``, ``wm=5`` -> ``wrapmargin=5``."""
    name, eq, value = word.partition("=")
    prefix = ""
    if name not in _OPTION and name.startswith("no") and name[2:] in _OPTION:
        prefix, name = "no", name[2:]
    return prefix + _OPTION.get(name, name) + (eq + value)


def _split_delimited(text: str, delimiter: str) -> tuple[str, str]:
    """``a\\/b/rest`` split at the first unescaped ``delimiter``: (``a\\/b``, ``rest``)."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == delimiter:
            return "".join(out), text[i + 1:]
        out.append(ch)
        i += 1
    return "".join(out), ""


def parse_ex(text: str) -> ExCommand:
    """One ex command line (without the ``:``).

    >>> parse_ex("g/ the /s// the one /g").then.name
    'substitute'
    >>> parse_ex("g!/x/d").name, parse_ex("2,5d").range, parse_ex("%d").range
    ('vglobal', '2,5', '1,$')
    """
    stripped = text.lstrip(" :")
    first = _ADDRESS.match(stripped)
    end = first.end() if first else 0
    while end < len(stripped) and stripped[end] in ",;":
        nxt = _ADDRESS.match(stripped, end + 1)
        end = nxt.end() if nxt else end + 1
    address = stripped[:end].replace(" ", "")
    rest = stripped[end:].lstrip()
    if address == "%":
        address = "1,$"
    if rest[:1] in ("&", "=", "!", "#"):
        word, args = rest[0], rest[1:]
    else:
        found = re.match(r"[A-Za-z]*", rest)
        word = found.group(0) if found else ""
        args = rest[len(word):]
    name = _FULL.get(word, word)
    if name == "global" and args.startswith("!"):
        name, args = "vglobal", args[1:]
    if name in ("substitute", "global", "vglobal") and args[:1] and not args[0].isalnum() and args[0] != " ":
        delimiter = args[0]
        pattern, rest_args = _split_delimited(args[1:], delimiter)
        if name == "substitute":
            replacement, flags = _split_delimited(rest_args, delimiter)
            return ExCommand(text, address, name, args.strip(), pattern, replacement, flags.strip())
        return ExCommand(text, address, name, args.strip(), pattern, then=parse_ex(rest_args) if rest_args else None)
    return ExCommand(text, address, name, args.strip())


@dataclass(frozen=True)
class NormalCommand:
    """One normal-mode command: its count (None when none was typed) and its name, the operator and
    motion together (``dd``, ``dw``, ``d$``), with a character argument where it takes one (``r*``,
    ``f#``). ``3dd`` and ``d3d`` are both ``NormalCommand(3, "dd")``."""

    count: int | None
    name: str

    def same(self, other: NormalCommand) -> bool:
        """The same command: no count is a count of 1, except where vi reads them apart (``G``, ``|``)."""
        if self.name != other.name:
            return False
        if self.name in ("G", "|"):
            return self.count == other.count
        return (self.count or 1) == (other.count or 1)


#: Operators: followed by a motion, or doubled for the whole line (dd, cc, yy, <<, >>).
OPERATORS = frozenset({"d", "c", "y", "<", ">", "!"})
#: Normal-mode commands of two keys.
PREFIXES = frozenset({"Z", "g", "z", "["})


@dataclass
class ViActions:
    """What the keys did in vi: the normal-mode commands and the ex commands executed, in order."""

    normal: list[NormalCommand]
    ex: list[ExCommand]


def vi_actions(tokens: Sequence[str], start: str = "normal") -> ViActions:
    """Interpret the keys as vi does, well enough to list what was executed (``start``: ``normal``, or
    ``ex`` for an editor opened in line mode, where ``vi`` switches to the screen)."""
    normal: list[NormalCommand] = []
    ex: list[ExCommand] = []
    mode = "ex" if start == "ex" else "normal"  # normal, insert, colon, search, ex, text
    line = ""
    back = "normal"  # where a colon line or a search returns to
    counts = ["", ""]  # before and after the operator
    op = ""  # an operator waiting for its motion
    wait = ""  # a command waiting for its character argument (r, f, m, ", Z ...)

    def done(name: str) -> None:
        nonlocal op, wait
        typed = [int(c) for c in counts if c]
        count = None
        if typed:
            count = 1
            for n in typed:
                count *= n
        normal.append(NormalCommand(count, name))
        counts[:] = ["", ""]
        op = wait = ""

    for key in tokens:
        if mode == "insert":
            if key == "<Esc>":
                mode = "normal"
            continue
        if mode in ("colon", "search", "ex", "text"):
            if key in ENTER_KEYS:
                if mode == "text":
                    mode = "ex" if line.strip() == "." else "text"
                elif mode in ("colon", "ex") and line.strip():
                    command = parse_ex(line)
                    ex.append(command)
                    if command.name == "visual":
                        mode = "normal"
                    elif mode == "ex" and command.name in ("append", "insert", "change"):
                        mode = "text"
                    elif mode == "colon":
                        mode = back
                elif mode in ("colon", "search"):
                    mode = back
                line = ""
            elif key in ("<Esc>", "<C-c>") and mode in ("colon", "search"):
                mode, line = back, ""
            elif key in ("<BS>", "<C-h>"):
                if not line and mode in ("colon", "search"):
                    mode = back
                line = line[:-1]
            elif key == "<C-u>":
                line = ""
            elif len(key) == 1:
                line += key
            continue
        # normal mode: [count]["x][count] command [count] [motion] [char]
        if wait:
            if wait == '"':  # a register named: the command follows
                wait = ""
            else:
                done(wait + key)
            continue
        if key == "<Esc>":
            counts[:] = ["", ""]
            op = wait = ""
            continue
        slot = 1 if op else 0
        if key.isdigit() and (key != "0" or counts[slot]):
            counts[slot] += key
            continue
        if op:
            if key == op:
                name = op + key
            elif key in ("f", "t", "F", "T", "'", "`"):
                wait = op + key
                continue
            else:
                name = op + key
            was = op
            done(name)
            if key in ("/", "?"):
                mode, back, line = "search", "normal", ""
            elif was == "c":
                mode = "insert"
            continue
        if key in OPERATORS:
            op = key
        elif key in TAKES_CHAR or key in PREFIXES:
            wait = key
        elif key == ":":
            counts[:] = ["", ""]
            mode, back, line = "colon", "normal", ""
        elif key in ("/", "?"):
            done(key)
            mode, back, line = "search", "normal", ""
        elif key == "Q":
            mode = "ex"
        else:
            done(key)
            if key in INSERTS:
                mode = "insert"
    return ViActions(normal, ex)


def normal_commands(keys: str) -> list[NormalCommand]:
    """The normal-mode commands a key sequence in Vim notation is, read from normal mode.

    >>> [(c.count, c.name) for c in normal_commands("3ddd2wx")]
    [(3, 'dd'), (2, 'dw'), (None, 'x')]
    >>> [(c.count, c.name) for c in normal_commands("45Gr*ZZ")]
    [(45, 'G'), (None, 'r*'), (None, 'ZZ')]
    """
    return vi_actions(parse_keys(keys)).normal


def ex_commands(tokens: Sequence[str], start: str = "normal") -> list[ExCommand]:
    """The ex commands the keys executed in vi (``start``: the mode the editor opened in)."""
    return vi_actions(tokens, start).ex
