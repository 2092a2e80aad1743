"""The terminal pane: colours, wide Korean characters, the cursor by character index, resizing,
and keys re-encoded for the program's cursor-key mode."""

from __future__ import annotations

import pytest
from prompt_toolkit.keys import Keys

from sandbox.isolation import Isolation, SandboxRoot, SandboxUser
from sandbox.session import Session
from trainer.terminal_pane import TerminalPane, cell_style, encode_for

pytestmark = pytest.mark.pty


def test_rows_colours_wide_characters_cursor_and_resize() -> None:
    script = "printf '\\033[31m빨강\\033[0m ok\\033[1;7mX\\033[0m'; read line; stty size; read line"
    with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as root, \
            Session.start(root, ["/bin/sh", "-c", script], env=root.environment()) as session:
        assert session.wait_idle(10)
        pane = TerminalPane(lambda: session)
        content = pane.create_content(80, 24)
        first = content.get_line(0)
        assert first[0] == ("fg:ansired", "빨강")
        assert first[1][1].startswith(" ok")
        assert ("bold reverse", "X") in first
        text = "".join(t for _, t, *_ in first)
        assert text.startswith("빨강 okX") and len(text) == 80 - 2  # two wide characters take four cells
        assert content.cursor_position.y == 0 and content.cursor_position.x == len("빨강 okX")
        pane.create_content(60, 10)  # the window shrank: the screen, then the program, get the size
        session.send_bytes(b"\r")  # only now may `stty size` run
        assert session.wait_idle(10)
        assert "10 60" in session.screen.snapshot().text()
        assert pane.size == (60, 10) and len(session.screen.lines()) == 10


def test_keys_follow_the_cursor_key_mode_and_paste_mode() -> None:
    assert encode_for(Keys.Up, "\x1b[A", app_cursor=False, bracketed_paste=False) == b"\x1b[A"
    assert encode_for(Keys.Up, "\x1b[A", app_cursor=True, bracketed_paste=False) == b"\x1bOA"
    assert encode_for(Keys.Escape, "\x1b", app_cursor=False, bracketed_paste=False) == b"\x1b"
    assert encode_for(Keys.ControlC, "\x03", app_cursor=False, bracketed_paste=False) == b"\x03"
    assert encode_for(Keys.Any, "한", app_cursor=False, bracketed_paste=False) == "한".encode()
    assert encode_for(Keys.BracketedPaste, "a\nb", app_cursor=False, bracketed_paste=False) == b"a\rb"
    assert encode_for(Keys.BracketedPaste, "a", app_cursor=False, bracketed_paste=True) == b"\x1b[200~a\x1b[201~"


def test_cell_style() -> None:
    assert cell_style("default", "default", False, False, False, False) == ""
    assert cell_style("brightblue", "ff8700", True, False, True, False) == "fg:ansibrightblue bg:#ff8700 bold underline"
