"""The terminal screen the learner's program draws on: pyte 0.8.2 plus the fixes ksh93, nvi and vim need.

This module owns turning pty output into screen text, the cursor position, the answers a program
expects from its terminal, and the OSC 133 prompt marks the shell integration prints.

>>> screen = Screen(columns=20, rows=3)
>>> marks = screen.feed("\\x1b]133;A;rc=0;hist=5\\x07$ ls\\r\\n한글".encode())
>>> marks == (Mark("A", {"rc": "0", "hist": "5"}),)
True
>>> screen.snapshot().text(), screen.cursor()
('$ ls\\n한글\\n', (1, 2))

What pyte gets wrong, and where it is fixed:

* Before pyte (`Screen.feed`): OSC 133 marks are cut out and returned; OSC 10/11 colour queries,
  secondary DA (``CSI > c``) and DECRQM (``CSI ? 12 $ p``) are answered; other CSI sequences with
  a ``<=>`` marker, an intermediate byte or ``:`` sub-parameters (vim's ``CSI > 4 ; 2 m``,
  ``CSI 0 % m``) and DCS strings are dropped: pyte ignores the marker (and would underline) or
  draws their tail as text.
* `_XtermStream`: ``CSI S``/``CSI T`` scroll, ``CSI b`` repeats, HPA is ``CSI `` ` ``.
* `_XtermScreen`: every CSI handler takes ``private=True`` and surplus parameters (pyte raises
  TypeError on ``CSI ? 4 m`` and loses the rest of the chunk); the alternate screen (``?47``,
  ``?1047``, ``?1049``); line shifts that leave no stale line; wide characters that wrap whole;
  replies kept for `Screen.take_replies`; a resize that keeps the cursor row on screen.

Positions are 0-based ``(row, column)`` where the column indexes the string in `Screen.lines`:
a wide (Korean) character is one string character although it covers two cells.
"""

from __future__ import annotations

import codecs
import functools
import inspect
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pyte
from pyte.modes import DECAWM, DECOM
from pyte.screens import Char, Margins, Savepoint, StaticDefaultDict, wcwidth

__all__ = ["Mark", "Screen", "ScreenSnapshot"]

DECCKM = 1 << 5  # pyte.modes has no name for it; private modes are stored shifted left by 5.
BRACKETED_PASTE = 2004 << 5
_ALTERNATE_MODES = frozenset({47, 1047, 1049})
SECONDARY_DA_REPLY = "\x1b[>1;10;0c"  # a VT220: vim then asks for no xterm-only features
_CARRY_LIMIT = 4096

# Sequences handled before pyte sees them. The CSI branch only matches what pyte cannot parse.
_INTERCEPTED = re.compile(
    r"\x1b\](?P<osc>133|10|11)(?:;(?P<osc_args>[^\x07\x1b]*))?(?P<st>\x07|\x1b\\)"
    r"|\x1b\[(?=[<=>]|\??[0-9;]*[\x20-\x2f:])"
    r"(?P<marker>[<=>?]?)(?P<params>[0-9;:]*)[\x20-\x2f]*(?P<final>[\x40-\x7e])"
    r"|\x1b[P_^X][^\x1b]*\x1b\\"
)
# The start of a sequence still arriving: held back until the next feed, so that a mark split
# across reads is still recognised. Holding an incomplete sequence never delays visible output.
_INCOMPLETE = re.compile(
    r"\x1b(?:\][^\x07\x1b]*\x1b?|\[[<=>?]?[0-9;:]*[\x20-\x2f]*|[P_^X][^\x1b]*\x1b?)?\Z")

Buffer = dict[int, StaticDefaultDict[int, Char]]


@dataclass(frozen=True)
class Mark:
    """A shell-integration mark, ``ESC ] 133 ; A ; rc=0 ; hist=5 BEL`` → ``Mark("A", {...})``.

    A parameter without ``=`` is stored under its position: ``133;D;0`` → ``Mark("D", {"1": "0"})``.
    """

    kind: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class ScreenSnapshot:
    """An immutable copy of the screen for graders."""

    lines: tuple[str, ...]
    cursor: tuple[int, int]  # (row, column), 0-based; the column indexes lines[row]
    columns: int
    rows: int
    alternate: bool
    app_cursor: bool

    def text(self) -> str:
        """The lines joined by newlines, trailing spaces stripped from each."""
        return "\n".join(line.rstrip(" ") for line in self.lines)

    def contains(self, needle: str) -> bool:
        """Whether one line contains `needle`; a needle with newlines is searched in `text`."""
        if "\n" in needle:
            return needle in self.text()
        return any(needle in line for line in self.lines)


def _mark(args: str | None) -> Mark:
    kind, *items = (args or "").split(";")
    params: dict[str, str] = {}
    for position, item in enumerate(items, 1):
        name, equals, value = item.partition("=")
        params[name if equals else str(position)] = value if equals else item
    return Mark(kind, MappingProxyType(params))


class _XtermStream(pyte.Stream):
    csi = {  # noqa: RUF012 - pyte's dispatch tables are class attributes by design
        **pyte.Stream.csi,
        "S": "scroll_up",
        "T": "scroll_down",
        "b": "repeat_character",
        "`": "cursor_to_column",  # HPA; pyte files it under "'"
    }
    events = pyte.Stream.events | {"scroll_up", "scroll_down", "repeat_character"}


class _XtermScreen(pyte.Screen):
    """A pyte screen with the xterm behaviour ksh93, nvi and vim rely on."""

    def __init__(self, columns: int, lines: int) -> None:
        self.replies: list[str] = []
        self.alternate = False
        self._main: tuple[Buffer, Savepoint | None] | None = None
        self._last_drawn = ""
        super().__init__(columns, lines)

    def write_process_input(self, data: str) -> None:
        self.replies.append(data)

    def reset(self) -> None:
        self._leave_alternate()
        super().reset()

    def draw(self, data: str) -> None:
        if not data.isascii() and DECAWM in self.mode:
            # A wide character that does not fit in the last column wraps whole, as in xterm;
            # pyte would put its left half in the last column and lose the right half.
            start = 0
            for index, char in enumerate(data):
                if wcwidth(char) == 2:
                    if index > start:
                        super().draw(data[start:index])
                    start = index
                    if self.cursor.x == self.columns - 1:
                        self.cursor.x = self.columns
            data = data[start:]
        super().draw(data)
        self._last_drawn = data[-1:]

    def repeat_character(self, count: int = 1, *_: int, private: bool = False) -> None:
        if self._last_drawn and not private:
            self.draw(self._last_drawn * min(count or 1, self.columns * self.lines))

    def select_graphic_rendition(self, *attrs: int, private: bool = False) -> None:
        if not private:  # CSI ? 4 m is vim asking for the modifyOtherKeys level: no answer
            super().select_graphic_rendition(*attrs)

    def report_device_status(self, mode: int = 0, *_: int, private: bool = False) -> None:
        if mode == 6:
            row = self.cursor.y + 1 - (self.margins.top if self.margins and DECOM in self.mode else 0)
            column = min(self.cursor.x, self.columns - 1) + 1  # past the last column reads as on it
            self.write_process_input(f"\x1b[{'?' if private else ''}{row};{column}R")
        elif mode == 5 and not private:
            self.write_process_input("\x1b[0n")

    def _shift(self, top: int, bottom: int, count: int) -> None:
        """Move lines top..bottom up by `count` (down if negative), blanking the vacated ones
        (pyte's delete_lines keeps a stale line where the line moving in was never written)."""
        self.dirty.update(range(top, bottom + 1))
        buffer = self.buffer
        for y in range(top, bottom + 1) if count > 0 else range(bottom, top - 1, -1):
            source = y + count
            line = buffer.pop(source, None) if top <= source <= bottom else None
            if line is None:
                buffer.pop(y, None)
            else:
                buffer[y] = line

    def scroll_up(self, count: int = 1, *more: int, private: bool = False) -> None:
        if not (private or more):  # CSI ? S is a graphics query
            top, bottom = self.margins or Margins(0, self.lines - 1)
            self._shift(top, bottom, min(count or 1, bottom - top + 1))

    def scroll_down(self, count: int = 1, *more: int, private: bool = False) -> None:
        if not (private or more):  # CSI T with five parameters is mouse highlight tracking
            top, bottom = self.margins or Margins(0, self.lines - 1)
            self._shift(top, bottom, -min(count or 1, bottom - top + 1))

    def insert_lines(self, count: int | None = None) -> None:
        self._shift_from_cursor(-(count or 1))

    def delete_lines(self, count: int | None = None) -> None:
        self._shift_from_cursor(count or 1)

    def _shift_from_cursor(self, count: int) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if top <= self.cursor.y <= bottom:
            limit = bottom - self.cursor.y + 1
            self._shift(self.cursor.y, bottom, max(-limit, min(count, limit)))
            self.carriage_return()

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        super().set_mode(*modes, **kwargs)
        if kwargs.get("private") and _ALTERNATE_MODES.intersection(modes):
            if 1049 in modes:
                self.save_cursor()
            self._enter_alternate(cursor=self.savepoints.pop() if 1049 in modes else None)
            if 1049 in modes:
                self.erase_in_display(2)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        super().reset_mode(*modes, **kwargs)
        if kwargs.get("private") and _ALTERNATE_MODES.intersection(modes):
            saved = self._leave_alternate()
            if saved is not None and 1049 in modes:
                self.savepoints.append(saved)
                self.restore_cursor()

    def _enter_alternate(self, cursor: Savepoint | None) -> None:
        if not self.alternate:
            self._main = (self.buffer, cursor)
            self.buffer = defaultdict(lambda: StaticDefaultDict[int, Char](self.default_char))
            self.alternate = True
            self.dirty.update(range(self.lines))

    def _leave_alternate(self) -> Savepoint | None:
        if self._main is None:
            return None
        self.buffer, cursor = self._main
        self._main = None
        self.alternate = False
        self.dirty.update(range(self.lines))
        return cursor

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize like xterm: drop lines from the top only as far as needed to keep the cursor row."""
        lines, columns = lines or self.lines, columns or self.columns
        if (lines, columns) == (self.lines, self.columns):
            return
        cut = max(0, self.cursor.y - (lines - 1))
        _reshape(self.buffer, cut, lines, columns)
        self.cursor.y -= cut
        self.cursor.x = min(self.cursor.x, columns)
        if self._main is not None:
            main, saved = self._main
            main_cut = max(0, saved.cursor.y - (lines - 1)) if saved else cut
            _reshape(main, main_cut, lines, columns)
            if saved:
                saved.cursor.y -= main_cut
        if columns > self.columns:
            self.tabstops.update(range(self.columns + 8 - self.columns % 8, columns, 8))
        self.lines, self.columns = lines, columns
        self.margins = None
        self.dirty.update(range(lines))


def _reshape(buffer: Buffer, cut: int, lines: int, columns: int) -> None:
    kept = {y - cut: line for y, line in buffer.items() if cut <= y < cut + lines}
    for line in kept.values():
        for x in [x for x in line if x >= columns]:
            del line[x]
    buffer.clear()
    buffer.update(kept)


def _lenient(handler: Callable[..., None]) -> Callable[..., None]:
    """Let a pyte CSI handler be called the way pyte's parser calls it: ``CSI ? ...`` passes
    ``private=True``, and a sequence may carry more parameters than the handler takes; pyte
    raises TypeError for both and loses the rest of the chunk."""
    parameters = list(inspect.signature(handler).parameters.values())[1:]
    takes_private = any(p.name == "private" or p.kind is p.VAR_KEYWORD for p in parameters)
    if takes_private and any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return handler
    limit = None if any(p.kind is p.VAR_POSITIONAL for p in parameters) else sum(
        1 for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "private")

    @functools.wraps(handler)
    def dispatch(self: _XtermScreen, *params: int, private: bool = False) -> None:
        if not private:
            handler(self, *params[:limit])
        elif takes_private:
            handler(self, *params[:limit], private=True)

    return dispatch


for _name in set(_XtermStream.csi.values()):  # a table checked, and made safe, at import
    setattr(_XtermScreen, _name, _lenient(getattr(_XtermScreen, _name)))
del _name


class Screen:
    """A terminal screen fed with a program's raw output bytes.

    `pyte_screen` is the underlying pyte screen, for a UI that renders colours from its
    ``buffer``; treat it as read-only. `take_replies` returns what the program asked its terminal
    (device attributes, cursor position, colours) for the session to write back to the pty.
    """

    def __init__(self, columns: int = 80, rows: int = 24, *, foreground: str = "rgb:ffff/ffff/ffff",
                 background: str = "rgb:0000/0000/0000") -> None:
        self._screen = _XtermScreen(columns, rows)
        self._stream = _XtermStream(self._screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._carry = ""
        self._colours = {"10": foreground, "11": background}
        self._rows: list[str] = []
        self._rows_columns = 0

    def feed(self, data: bytes) -> tuple[Mark, ...]:
        """Process output bytes; return the OSC 133 marks completed in them."""
        text = self._carry + self._decoder.decode(data)
        self._carry = ""
        marks: list[Mark] = []
        done = 0
        for match in _INTERCEPTED.finditer(text):
            if match.start() > done:
                self._stream.feed(text[done:match.start()])
            done = match.end()
            if match.group("osc") == "133":
                marks.append(_mark(match.group("osc_args")))
            elif match.group("osc") and match.group("osc_args") == "?":
                code = match.group("osc")
                self._screen.replies.append(f"\x1b]{code};{self._colours[code]}{match.group('st')}")
            elif match.group("marker", "params", "final") in ((">", "", "c"), (">", "0", "c")):
                self._screen.replies.append(SECONDARY_DA_REPLY)
            elif match.group(0).endswith("$p"):
                self._report_mode(match.group("marker"), match.group("params"))
        incomplete = _INCOMPLETE.search(text, max(done, len(text) - _CARRY_LIMIT))
        end = incomplete.start() if incomplete else len(text)
        if end > done:
            self._stream.feed(text[done:end])
        self._carry = text[end:]
        return tuple(marks)

    def _report_mode(self, marker: str, params: str) -> None:
        """Answer DECRQM (``CSI ? 12 $ p``): vim asks for cursor blinking, and waits on exit."""
        if marker in ("", "?") and params.isdigit():
            mode = int(params) << (5 if marker else 0)
            state = 1 if mode in self._screen.mode else 2
            self._screen.replies.append(f"\x1b[{marker}{params};{state}$y")

    def lines(self) -> tuple[str, ...]:
        """The text of each row; a wide character is one string character.

        Rows are cached and rebuilt only where pyte marked them dirty (a full rebuild costs
        0.2-0.3 ms, and callers that wait for a screen state ask after every read).
        """
        screen = self._screen
        if len(self._rows) != screen.lines or self._rows_columns != screen.columns:
            self._rows = [self._row_text(y) for y in range(screen.lines)]
            self._rows_columns = screen.columns
        else:
            for y in screen.dirty:
                if 0 <= y < screen.lines:
                    self._rows[y] = self._row_text(y)
        screen.dirty.clear()
        return tuple(self._rows)

    def _row_text(self, y: int) -> str:
        cells = self._cells(y)
        return "".join(_visible(cells) if "" in cells else cells)

    def _cells(self, y: int) -> list[str]:
        line, columns = self._screen.buffer.get(y), self._screen.columns
        return [" "] * columns if line is None else [line[x].data for x in range(columns)]

    def cursor(self) -> tuple[int, int]:
        """(row, column), 0-based; the column indexes ``lines()[row]`` and may equal its length."""
        y, x = self._screen.cursor.y, self._screen.cursor.x
        rows = self.lines()
        if 0 <= y < len(rows) and len(rows[y]) == self._screen.columns:
            return y, x  # no wide character on the row: the column is the cell
        cells = self._cells(y)
        column = len(_visible(cells[:x])) if "" in cells[:x] else x
        if x < len(cells) and cells[x] == "" and len(_visible(cells[:x + 1])) == column:
            column -= 1  # on the right half of a wide character
        return y, column

    def resize(self, columns: int, rows: int) -> None:
        """Change the size; the session then resizes the pty so the program redraws."""
        self._screen.resize(lines=rows, columns=columns)

    def snapshot(self) -> ScreenSnapshot:
        return ScreenSnapshot(lines=self.lines(), cursor=self.cursor(), columns=self._screen.columns,
                              rows=self._screen.lines, alternate=self.alternate,
                              app_cursor=self.app_cursor)

    def take_replies(self) -> bytes:
        """The answers owed to the program since the last call, in the order it asked."""
        replies = "".join(self._screen.replies).encode()
        self._screen.replies.clear()
        return replies

    @property
    def app_cursor(self) -> bool:
        """Whether arrow keys must be sent in application mode (DECCKM, ``CSI ? 1 h``)."""
        return DECCKM in self._screen.mode

    @property
    def bracketed_paste(self) -> bool:
        """Whether the program asked for bracketed paste (``CSI ? 2004 h``)."""
        return BRACKETED_PASTE in self._screen.mode

    @property
    def alternate(self) -> bool:
        """Whether the alternate screen (``CSI ? 1049 h``, full-screen programs) is shown."""
        return self._screen.alternate

    @property
    def pyte_screen(self) -> pyte.Screen:
        return self._screen


def _visible(cells: list[str]) -> list[str]:
    """Cells as characters: the empty stub after a wide character is skipped; an orphaned stub
    (its wide character overwritten) shows as the blank a terminal would show."""
    chars: list[str] = []
    after_wide = False
    for data in cells:
        if data or not after_wide:
            chars.append(data or " ")
        after_wide = bool(data) and wcwidth(data[0]) == 2
    return chars
