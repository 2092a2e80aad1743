"""The pyte screen wrapper: each fix on its exact escape sequence, then golden screens of real programs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from sandbox.screen import SECONDARY_DA_REPLY, Mark, Screen, ScreenSnapshot

CAPTURED = Path(__file__).parent / "captured"
GOLDEN = sorted(path.stem for path in CAPTURED.glob("*.input"))


def fed(*chunks: bytes | str, columns: int = 20, rows: int = 5) -> Screen:
    screen = Screen(columns, rows)
    for chunk in chunks:
        screen.feed(chunk.encode() if isinstance(chunk, str) else chunk)
    return screen


def text(screen: Screen) -> str:
    return screen.snapshot().text()



# --- sequences pyte cannot parse ---------------------------------------------------------------

def test_private_sgr_does_not_kill_the_parser() -> None:
    screen = fed("ab\x1b[?4mcd")  # vim asks for the modifyOtherKeys level
    assert text(screen).startswith("abcd")


def test_marked_sgr_is_not_read_as_underline() -> None:
    screen = fed("\x1b[>4;2mX\x1b[>4;mY")  # vim turning modifyOtherKeys on and off
    assert text(screen).startswith("XY")
    assert not screen.pyte_screen.buffer[0][0].underscore


@pytest.mark.parametrize(("sequence", "first_line"), [
    ("\x1b[1;2;3H", "acd"),  # a surplus parameter: pyte raised TypeError
    ("\x1b[?5A", "abcd"),  # a private marker on a handler that takes none
    ("\x1b[?r", "abcd"),  # XTRESTORE
    ("\x1b[?1;2n", "abcd"),
    ("\x1b[0%m", "abcd"),  # an intermediate byte: pyte drew the "m"
    ("\x1b[2 q", "abcd"),  # cursor style
    ("\x1b[4:3m", "abcd"),  # sub-parameters: pyte drew "3m"
    ("\x1bPzz\x1b\\", "abcd"),  # a DCS string: pyte drew "zz"
    ("\x1b_apc\x1b\\", "abcd"),
])
def test_unsupported_sequences_are_ignored_without_losing_text(sequence: str, first_line: str) -> None:
    assert text(fed("ab" + sequence + "cd")).split("\n")[0] == first_line


def test_vim_xterm_compatibility_probe_leaves_cursor_still() -> None:
    screen = fed("\x1b[3;1H\x1bPzz\x1b\\\x1b[0%m\x1b[6n")
    assert screen.take_replies() == b"\x1b[3;1R"
    assert text(screen).strip() == ""


# --- scrolling, repeat, positioning ------------------------------------------------------------

def numbered(rows: int = 5) -> str:
    return "\r\n".join(f"line {n}" for n in range(rows))


def test_scroll_up() -> None:
    screen = fed(numbered(), "\x1b[2;3H\x1b[2S")
    assert text(screen) == "line 2\nline 3\nline 4\n\n"
    assert screen.cursor() == (1, 2)


def test_scroll_down() -> None:
    screen = fed(numbered(), "\x1b[T")
    assert text(screen) == "\nline 0\nline 1\nline 2\nline 3"


def test_scroll_within_margins() -> None:
    screen = fed(numbered(), "\x1b[2;4r\x1b[S")
    assert text(screen) == "line 0\nline 2\nline 3\n\nline 4"
    screen.feed(b"\x1b[2T")
    assert text(screen) == "line 0\n\n\nline 2\nline 4"


def test_scroll_by_more_than_the_region_clears_it() -> None:
    assert text(fed(numbered(), "\x1b[99S")) == "\n\n\n\n"


def test_scroll_with_private_or_extra_parameters_is_not_a_scroll() -> None:
    assert text(fed(numbered(), "\x1b[?1;1;0S\x1b[1;2;3;4;5T")) == text(fed(numbered()))


def test_delete_line_never_leaves_a_stale_line() -> None:
    # pyte's own delete_lines keeps row 0 when row 1 was never written to
    assert text(fed("gone\x1b[H\x1b[M")) == "\n\n\n\n"
    assert text(fed("\x1b[5;1Hgone\x1b[4;1H\x1b[L")) == "\n\n\n\n"


def test_repeat_previous_character() -> None:
    screen = fed("ab\x1b[3bc\x1b[b")
    assert text(screen).split("\n")[0] == "abbbbcc"
    assert fed("\x1b[5b").cursor() == (0, 0)


def test_horizontal_position_absolute() -> None:
    assert fed("abc\x1b[7`x").cursor() == (0, 7)


# --- alternate screen and modes ----------------------------------------------------------------

def test_alternate_screen_saves_and_restores() -> None:
    screen = fed("main text\x1b[3;4H")
    screen.feed(b"\x1b[?1049h")
    assert screen.alternate and text(screen) == "\n\n\n\n"
    screen.feed(b"\x1b[Hfull screen")
    assert screen.snapshot().contains("full screen")
    screen.feed(b"\x1b[?1049l")
    assert not screen.alternate
    assert text(screen) == "main text\n\n\n\n"
    assert screen.cursor() == (2, 3)


@pytest.mark.parametrize("mode", [47, 1047])
def test_older_alternate_modes(mode: int) -> None:
    screen = fed(f"main\x1b[?{mode}halt")
    assert screen.alternate and "main" not in text(screen)
    screen.feed(f"\x1b[?{mode}l".encode())
    assert not screen.alternate and text(screen).startswith("main\n")


def test_reset_leaves_the_alternate_screen() -> None:
    screen = fed("main\x1b[?1049halt\x1bc")
    assert not screen.alternate and text(screen) == "\n\n\n\n"


def test_application_cursor_mode() -> None:
    screen = fed("\x1b[?1h")
    assert screen.app_cursor and screen.snapshot().app_cursor
    screen.feed(b"\x1b[?1l")
    assert not screen.app_cursor


def test_bracketed_paste_mode() -> None:
    assert fed("\x1b[?2004h").bracketed_paste
    assert not fed("\x1b[?2004h\x1b[?2004l").bracketed_paste


# --- replies -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "reply"), [
    ("\x1b[c", "\x1b[?6c"),
    ("\x1b[0c", "\x1b[?6c"),
    ("\x1b[>c", SECONDARY_DA_REPLY),
    ("\x1b[>0c", SECONDARY_DA_REPLY),
    ("\x1b[5n", "\x1b[0n"),
    ("ab\x1b[6n", "\x1b[1;3R"),
    ("\x1b[2;5H\x1b[?6n", "\x1b[?2;5R"),
    ("\x1b]10;?\x07", "\x1b]10;rgb:ffff/ffff/ffff\x07"),
    ("\x1b]11;?\x1b\\", "\x1b]11;rgb:0000/0000/0000\x1b\\"),
    ("\x1b]11;#123456\x07", ""),
    ("\x1b[?12$p", "\x1b[?12;2$y"),  # vim asks for cursor blinking and waits for it on exit
    ("\x1b[?12h\x1b[?12$p", "\x1b[?12;1$y"),
    ("\x1b[4h\x1b[4$p", "\x1b[4;1$y"),
    ("\x1b[>0q", ""),
])
def test_replies(query: str, reply: str) -> None:
    screen = fed(query)
    assert screen.take_replies() == reply.encode()
    assert screen.take_replies() == b""


def test_replies_keep_the_order_of_the_queries() -> None:
    screen = fed("\x1b[6n\x1b[>c\x1b]11;?\x07\x1b[c")
    assert screen.take_replies() == (
        b"\x1b[1;1R" + SECONDARY_DA_REPLY.encode() + b"\x1b]11;rgb:0000/0000/0000\x07\x1b[?6c")


def test_cursor_report_past_the_last_column() -> None:
    assert fed("x" * 20 + "\x1b[6n").take_replies() == b"\x1b[1;20R"


def test_colours_are_configurable() -> None:
    screen = Screen(foreground="rgb:0000/0000/0000", background="rgb:ffff/ffff/ffff")
    screen.feed(b"\x1b]11;?\x07")
    assert screen.take_replies() == b"\x1b]11;rgb:ffff/ffff/ffff\x07"


# --- OSC 133 marks -----------------------------------------------------------------------------

PROMPT = b"\x1b]133;A;rc=0;hist=5\x07$ "


def test_mark_is_returned_and_stripped() -> None:
    screen = Screen(20, 3)
    assert screen.feed(PROMPT) == (Mark("A", {"rc": "0", "hist": "5"}),)
    assert screen.lines()[0].rstrip() == "$"
    assert screen.cursor() == (0, 2)


def test_mark_with_string_terminator_and_positional_params() -> None:
    marks = fed().feed(b"\x1b]133;D;0\x1b\\\x1b]133;B\x07")
    assert marks == (Mark("D", {"1": "0"}), Mark("B", {}))


@pytest.mark.parametrize("split", range(1, len(PROMPT)))
def test_mark_split_across_feeds(split: int) -> None:
    screen = Screen(20, 3)
    marks = screen.feed(PROMPT[:split]) + screen.feed(PROMPT[split:])
    assert marks == (Mark("A", {"rc": "0", "hist": "5"}),)
    assert text(screen) == "$\n\n"


def test_mark_split_byte_by_byte_after_long_output() -> None:
    data = b"x" * 10_000 + PROMPT + b"ls\r\n" + PROMPT.replace(b"rc=0", b"rc=1")
    screen = Screen()
    marks = [mark for byte in range(len(data)) for mark in screen.feed(data[byte:byte + 1])]
    assert [mark.params["rc"] for mark in marks] == ["0", "1"]


def test_ordinary_output_is_not_held_back() -> None:
    screen = Screen(20, 3)
    screen.feed(b"abc\x1b")
    assert screen.lines()[0].startswith("abc")
    screen.feed(b"]133;A\x07d")
    assert screen.lines()[0].startswith("abcd")


def test_titles_still_reach_pyte() -> None:
    screen = fed("\x1b]0;my title\x07ok", "\x1b]2;split", " title\x07")
    assert screen.pyte_screen.title == "split title"
    assert text(screen).startswith("ok\n")


# --- text: UTF-8 and wide characters -----------------------------------------------------------

def test_utf8_split_across_feeds() -> None:
    data = "가한글".encode()
    for split in range(1, len(data)):
        screen = fed(data[:split], data[split:])
        assert screen.lines()[0].startswith("가한글 ")


def test_invalid_utf8_shows_replacement_character() -> None:
    assert fed(b"a\xffb").lines()[0].startswith("a\ufffdb")


def test_wide_characters_are_one_string_character() -> None:
    screen = fed("한글 ok")
    assert screen.lines()[0] == "한글 ok" + " " * 13
    assert screen.cursor() == (0, 5)
    assert screen.pyte_screen.cursor.x == 7


def test_cursor_on_the_right_half_of_a_wide_character() -> None:
    assert fed("a한b\x1b[1;3H").cursor() == (0, 1)


def test_orphaned_half_of_a_wide_character_shows_blank() -> None:
    screen = fed("한글\x1b[1;1Hx")
    assert screen.lines()[0].startswith("x 글 ")
    assert screen.cursor() == (0, 1)


def test_wide_characters_wrap_at_the_right_edge() -> None:
    screen = fed("가" * 12, columns=20)
    assert screen.lines()[:2] == ("가" * 10, "가가" + " " * 16)
    assert screen.cursor() == (1, 2)


# --- resize ------------------------------------------------------------------------------------

def test_shrink_keeps_the_cursor_row() -> None:
    screen = fed(numbered(), rows=5)
    screen.resize(20, 3)
    assert text(screen) == "line 2\nline 3\nline 4"
    assert screen.cursor() == (2, 6)


def test_shrink_drops_blank_rows_below_the_cursor_first() -> None:
    screen = fed("top", rows=5)
    screen.resize(10, 2)
    assert text(screen) == "top\n"
    assert screen.snapshot().columns == 10 and screen.snapshot().rows == 2


def test_grow_extends_tab_stops() -> None:
    screen = fed(rows=2)
    screen.resize(40, 2)
    screen.feed(b"\x1b[1;21H\tx")
    assert screen.cursor() == (0, 25)


def test_resize_in_alternate_screen_reshapes_the_main_screen() -> None:
    screen = fed(numbered(), "\x1b[?1049h", rows=5)
    screen.resize(5, 3)
    screen.feed(b"\x1b[?1049l")
    assert text(screen) == "line\nline\nline"


# --- snapshot ----------------------------------------------------------------------------------

def test_snapshot_is_frozen() -> None:
    snapshot = fed("hello  \x1b[2;1Hworld").snapshot()
    assert snapshot == ScreenSnapshot(
        lines=("hello" + " " * 15, "world" + " " * 15, *[" " * 20] * 3), cursor=(1, 5), columns=20, rows=5,
        alternate=False, app_cursor=False)
    assert snapshot.text() == "hello\nworld\n\n\n"
    assert snapshot.contains("world") and snapshot.contains("hello\nworld")
    assert not snapshot.contains("hello world")
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.rows = 3  # type: ignore[misc]


# --- golden screens recorded from vim, nvi and ksh93 (tests/record_golden.py) ----------------

def test_golden_screens_exist() -> None:
    assert {"vim_clean", "nvi_scroll", "ksh_vi_korean"} <= set(GOLDEN)
    for name in GOLDEN:
        assert (CAPTURED / f"{name}.input").stat().st_size < 50_000


@pytest.mark.parametrize("chunk", [0, 1, 61])
@pytest.mark.parametrize("name", GOLDEN)
def test_golden_screen(name: str, chunk: int) -> None:
    data = (CAPTURED / f"{name}.input").read_bytes()
    screen = Screen(80, 24)
    for start in range(0, len(data), chunk or len(data)):
        screen.feed(data[start:start + (chunk or len(data))])
    assert screen.snapshot().text() + "\n" == (CAPTURED / f"{name}.output").read_text()


def test_golden_nvi_scroll_uses_scroll_sequences() -> None:
    data = (CAPTURED / "nvi_scroll.input").read_bytes()
    assert re.search(rb"\x1b\[\d*S", data) and re.search(rb"\x1b\[\d*T", data)


def test_golden_ksh_marks() -> None:
    data = (CAPTURED / "ksh_vi_korean.input").read_bytes()
    marks = Screen(80, 24).feed(data)
    assert [(mark.kind, mark.params["rc"]) for mark in marks] == [("A", "0")] * 4 + [("A", "1")]
    assert [mark.params["hist"] for mark in marks] == ["1", "2", "3", "4", "5"]


def test_wide_character_that_does_not_fit_wraps_whole() -> None:
    screen = fed("abcd한글", columns=5)
    assert screen.lines()[:2] == ("abcd ", "한글 ")
    assert screen.cursor() == (1, 2)


@pytest.mark.parametrize("capture", sorted(CAPTURED.glob("*.input")), ids=lambda p: p.stem)
def test_cached_rows_match_a_full_rebuild(capture: Path) -> None:
    """lines() rebuilds only dirty rows; after every chunk it must equal a rebuild of every row."""
    data = capture.read_bytes()
    screen = Screen(80, 24)
    for start in range(0, len(data), 97):
        screen.feed(data[start:start + 97])
        full = tuple(screen._row_text(y) for y in range(24))
        assert screen.lines() == full, f"after byte {start + 97}"
