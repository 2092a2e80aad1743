"""The terminal pane: a prompt_toolkit UIControl that shows a sandbox Session's pyte screen and
forwards every key to the program.

It renders each row as style fragments (colours, bold, reverse; the empty cell after a wide Korean
character skipped so the cursor lands by character index), resizes the screen and then the pty when
the window's size changes, and turns prompt_toolkit key presses back into the bytes a terminal
would send (arrow keys follow the program's cursor-key mode). Only F-keys stay with the trainer.

    pane = TerminalPane(lambda: drill.session)
    Window(pane)                                 # inside a full-screen Application
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout.controls import UIContent, UIControl
from prompt_toolkit.mouse_events import MouseEvent
from pyte.screens import wcwidth

from sandbox.keys import encode_key
from sandbox.session import Session

#: prompt_toolkit keys re-encoded for the program (the rest are forwarded as the bytes received).
_REENCODED = {
    Keys.Up: "<Up>", Keys.Down: "<Down>", Keys.Left: "<Left>", Keys.Right: "<Right>",
    Keys.Home: "<Home>", Keys.End: "<End>", Keys.PageUp: "<PageUp>", Keys.PageDown: "<PageDown>",
    Keys.Delete: "<Del>", Keys.Insert: "<Insert>", Keys.Escape: "<Esc>", Keys.ControlM: "<CR>",
    Keys.ControlI: "<Tab>", Keys.Backspace: "<BS>", Keys.ControlH: "<C-h>",
}
_TRAINER_KEYS = frozenset({Keys.F1, Keys.F2, Keys.F3, Keys.F4, Keys.F5, Keys.F6, Keys.F7, Keys.F8, Keys.F10})
_COLOURS = {"black": "ansiblack", "red": "ansired", "green": "ansigreen", "brown": "ansiyellow",
            "blue": "ansiblue", "magenta": "ansimagenta", "cyan": "ansicyan", "white": "ansigray",
            "brightblack": "ansibrightblack", "brightred": "ansibrightred", "brightgreen": "ansibrightgreen",
            "brightbrown": "ansibrightyellow", "brightblue": "ansibrightblue",
            "brightmagenta": "ansibrightmagenta", "brightcyan": "ansibrightcyan", "brightwhite": "ansiwhite"}


def _colour(name: str) -> str | None:
    if name == "default":
        return None
    if name in _COLOURS:
        return _COLOURS[name]
    if len(name) == 6 and all(c in "0123456789abcdefABCDEF" for c in name):
        return f"#{name.lower()}"
    return None


def cell_style(fg: str, bg: str, bold: bool, italics: bool, underscore: bool, reverse: bool) -> str:
    """The prompt_toolkit style string for one pyte cell's attributes."""
    parts = []
    fore, back = _colour(fg), _colour(bg)
    if fore:
        parts.append(f"fg:{fore}")
    if back:
        parts.append(f"bg:{back}")
    if bold:
        parts.append("bold")
    if italics:
        parts.append("italic")
    if underscore:
        parts.append("underline")
    if reverse:
        parts.append("reverse")
    return " ".join(parts)


class TerminalPane(UIControl):
    """Shows ``get_session()``'s screen; keys typed here go to its program."""

    def __init__(self, get_session: Callable[[], Session | None],
                 on_trainer_key: Callable[[Keys], None] | None = None) -> None:
        self._get_session = get_session
        self._on_trainer_key = on_trainer_key
        self.size: tuple[int, int] | None = None  # (columns, rows) last given to the program

    def is_focusable(self) -> bool:
        return True

    def create_content(self, width: int, height: int) -> UIContent:
        session = self._get_session()
        if session is None:
            return UIContent(get_line=lambda i: [], line_count=1)
        if self.size != (width, height) and width > 0 and height > 0:
            self.size = (width, height)
            session.resize(width, height)  # screen first, then the pty: the program redraws
        screen = session.screen.pyte_screen
        rows = [self._row(screen.buffer[y], screen.columns) for y in range(screen.lines)]
        row, column = session.screen.cursor()
        return UIContent(get_line=lambda i: rows[i] if i < len(rows) else [], line_count=len(rows),
                         cursor_position=Point(x=column, y=row), show_cursor=not screen.cursor.hidden)

    @staticmethod
    def _row(line: object, columns: int) -> StyleAndTextTuples:
        fragments: StyleAndTextTuples = []
        after_wide = False
        for x in range(columns):
            char = line[x]  # type: ignore[index]
            data = char.data
            if not data and after_wide:
                after_wide = False
                continue  # the right half of a wide character
            after_wide = bool(data) and wcwidth(data[0]) == 2
            style = cell_style(char.fg, char.bg, char.bold, char.italics, char.underscore, char.reverse)
            if fragments and fragments[-1][0] == style:
                fragments[-1] = (style, fragments[-1][1] + (data or " "))
            else:
                fragments.append((style, data or " "))
        return fragments

    def mouse_handler(self, mouse_event: MouseEvent) -> None:
        return None

    def get_key_bindings(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add(Keys.Any)
        def _(event: KeyPressEvent) -> None:
            self.forward(event)

        for key in (*_REENCODED, Keys.BracketedPaste):
            kb.add(key)(self.forward)
        for key in _TRAINER_KEYS:
            kb.add(key)(self._trainer_key)
        return kb

    def _trainer_key(self, event: KeyPressEvent) -> None:
        if self._on_trainer_key is not None:
            self._on_trainer_key(event.key_sequence[-1].key)  # type: ignore[arg-type]

    def forward(self, event: KeyPressEvent) -> None:
        """Send one key press to the program, re-encoded where the program's mode matters."""
        session = self._get_session()
        if session is None or not session.alive:
            return
        data = b"".join(encode_for(press.key, press.data, session.screen.app_cursor,
                                   session.screen.bracketed_paste) for press in event.key_sequence)
        if data:
            session.send_bytes(data)
        event.app.invalidate()


def encode_for(key: object, data: str, app_cursor: bool, bracketed_paste: bool) -> bytes:
    """The bytes a program expects for one prompt_toolkit key press."""
    if key == Keys.BracketedPaste:
        body = data.replace("\r\n", "\r").replace("\n", "\r").encode()
        return b"\x1b[200~" + body + b"\x1b[201~" if bracketed_paste else body
    name = _REENCODED.get(key)  # type: ignore[call-overload]
    if name is not None:
        return encode_key(name, app_cursor=app_cursor)
    return data.encode("utf-8", "surrogateescape")
