"""Vim key notation: parsing, formatting, terminal bytes, and their round trips."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sandbox.errors import SandboxError
from sandbox.keys import (
    APP_CURSOR_KEYS,
    KEYS,
    KeyNotationError,
    count_keys,
    decode_input,
    encode_key,
    encode_keys,
    format_keys,
    parse_keys,
)

NAMED = sorted({token for token in (parse_keys(f"<{name}>")[0] for name in KEYS) if len(token) > 1})
RAW_BYTES = [f"<0x{n:02x}>" for n in range(0x80, 0x100)]
characters = st.characters(blacklist_categories=("Cs", "Cc"))
tokens = st.one_of(characters, st.sampled_from(NAMED), st.sampled_from(RAW_BYTES))



@pytest.mark.parametrize(("text", "expected"), [
    ("dd:wq<CR>", ("d", "d", ":", "w", "q", "<CR>")),
    ("45G", ("4", "5", "G")),
    ("<Esc><esc><ESC><C-[>", ("<Esc>",) * 4),
    ("<C-v><c-V><C-V>", ("<C-v>",) * 3),
    ("<Enter><Return><C-m><cr>", ("<CR>",) * 4),
    ("<C-i><C-j><C-h><BS><Del>", ("<Tab>", "<NL>", "<C-h>", "<BS>", "<Del>")),
    ("<lt><LT>", ("<", "<")),
    ("<Space><Bar><Bslash>", (" ", "|", "\\")),
    ("<C-@><Nul><C-\\><C-]><C-^><C-_>", ("<C-@>", "<C-@>", "<C-\\>", "<C-]>", "<C-^>", "<C-_>")),
    ("<up><PageDown><f12><Insert><End>", ("<Up>", "<PageDown>", "<F12>", "<Insert>", "<End>")),
    ("<0XFF><0x80>", ("<0xff>", "<0x80>")),
    ("a < b", ("a", " ", "<", " ", "b")),
    ("sort <in<CR>", ("s", "o", "r", "t", " ", "<", "i", "n", "<CR>")),
    ("x<", ("x", "<")),
    ("<<lt>>", ("<", "<", ">")),
    ("\t\x1b\r", ("<Tab>", "<Esc>", "<CR>")),
    ("i한글<Esc>", ("i", "한", "글", "<Esc>")),
    ("", ()),
])
def test_parse(text: str, expected: tuple[str, ...]) -> None:
    assert parse_keys(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("dd<Foo>", "unknown key name <Foo> at column 3"),
    ("<Esc>x<C-Left>", "unknown key name <C-Left> at column 7"),
    ("<0x41>", "unknown key name <0x41> at column 1"),
    ("ab<c>", "unknown key name <c> at column 3"),
    ("a\ud800", "column 2"),
])
def test_parse_errors_name_the_column(text: str, message: str) -> None:
    with pytest.raises(KeyNotationError, match=message):
        parse_keys(text)


def test_errors_are_sandbox_errors() -> None:
    assert issubclass(KeyNotationError, SandboxError)


@pytest.mark.parametrize(("tokens", "text"), [
    (("d", "d", ":", "w", "q", "<CR>"), "dd:wq<CR>"),
    (("<", " ", "|", "\\"), "<lt> |\\"),
    (("i", "한", "<Esc>", "<C-v>", "<0xff>"), "i한<Esc><C-v><0xff>"),
])
def test_format(tokens: tuple[str, ...], text: str) -> None:
    assert format_keys(tokens) == text


@pytest.mark.parametrize("bad", ["ab", "<Foo>", "\t", "\x1b", "<esc>", "<0x41>", "", "\ud800"])
def test_format_rejects_what_is_not_a_token(bad: str) -> None:
    with pytest.raises(KeyNotationError):
        format_keys(["x", bad])
    with pytest.raises(KeyNotationError):
        encode_key(bad)


@pytest.mark.parametrize(("key", "normal", "application"), [
    ("<Esc>", b"\x1b", b"\x1b"),
    ("<CR>", b"\r", b"\r"),
    ("<NL>", b"\n", b"\n"),
    ("<BS>", b"\x7f", b"\x7f"),
    ("<C-h>", b"\x08", b"\x08"),
    ("<Del>", b"\x1b[3~", b"\x1b[3~"),
    ("<Up>", b"\x1b[A", b"\x1bOA"),
    ("<Left>", b"\x1b[D", b"\x1bOD"),
    ("<Home>", b"\x1b[H", b"\x1bOH"),
    ("<F1>", b"\x1bOP", b"\x1bOP"),
    ("<F5>", b"\x1b[15~", b"\x1b[15~"),
    ("<C-@>", b"\x00", b"\x00"),
    ("<C-z>", b"\x1a", b"\x1a"),
    ("<C-\\>", b"\x1c", b"\x1c"),
    ("<0xff>", b"\xff", b"\xff"),
    ("한", "한".encode(), "한".encode()),
])
def test_encode(key: str, normal: bytes, application: bytes) -> None:
    assert encode_key(key) == normal
    assert encode_key(key, app_cursor=True) == application


def test_encode_keys() -> None:
    assert encode_keys(parse_keys("ix<Esc>:wq<CR>")) == b"ix\x1b:wq\r"
    assert encode_keys(parse_keys("<Up><Down>"), app_cursor=True) == b"\x1bOA\x1bOB"


def test_tables() -> None:
    assert KEYS["Esc"] == KEYS["C-["] == b"\x1b"
    assert {KEYS[f"C-{letter}"] for letter in "abcdefghijklmnopqrstuvwxyz"} == {
        bytes([n]) for n in range(1, 27)}
    assert set(APP_CURSOR_KEYS) <= set(KEYS)
    with pytest.raises(TypeError):
        KEYS["Esc"] = b"x"  # type: ignore[index]


@pytest.mark.parametrize(("data", "expected"), [
    (b"\x1b[A\x1bOA\x1b[B\x1bOB\x1b[C\x1bOC\x1b[D\x1bOD",
     ("<Up>", "<Up>", "<Down>", "<Down>", "<Right>", "<Right>", "<Left>", "<Left>")),
    (b"\x1b[H\x1bOH\x1b[1~\x1b[F\x1bOF\x1b[4~", ("<Home>",) * 3 + ("<End>",) * 3),
    (b"\x1b[3~\x1b[2~\x1b[5~\x1b[6~\x1b[24~", ("<Del>", "<Insert>", "<PageUp>", "<PageDown>", "<F12>")),
    (b"\x1b", ("<Esc>",)),
    (b"\x1b\x1b", ("<Esc>", "<Esc>")),
    (b"\x1bdd", ("<Esc>", "d", "d")),
    (b"\x1b[", ("<Esc>", "[")),
    (b"\x1b[200~", ("<Esc>", "[", "2", "0", "0", "~")),
    (b"\r\n\t\x7f\x08\x00 <", ("<CR>", "<NL>", "<Tab>", "<BS>", "<C-h>", "<C-@>", " ", "<")),
    ("i한글\x1b".encode(), ("i", "한", "글", "<Esc>")),
    (b"\xff\xe2\x82", ("<0xff>", "<0xe2>", "<0x82>")),
    (b"\xc3(", ("<0xc3>", "(")),
    (b"\xed\xa0\x80", ("<0xed>", "<0xa0>", "<0x80>")),  # an encoded surrogate is not UTF-8
    (b"\xf0\x9f\x98\x80", ("\U0001f600",)),
])
def test_decode_input(data: bytes, expected: tuple[str, ...]) -> None:
    assert decode_input(data) == expected


def test_count_keys() -> None:
    assert count_keys(parse_keys("45G<Esc>:wq<CR>")) == 8
    assert count_keys(iter(["<C-v>", "한"])) == 2


@given(st.lists(tokens).map(tuple))
def test_format_then_parse_is_identity(key_tokens: tuple[str, ...]) -> None:
    assert parse_keys(format_keys(key_tokens)) == key_tokens


fragments = st.one_of(
    characters,
    st.sampled_from(["<", ">", "<lt>", "<CR>", "<esc>", "<C-V>", "<Space>", "<Bar>", "<Enter>", "<0XAB>",
                     "<C-[>", "<c-m>", "\t", "\x1b", "<up>"]),
)


@given(st.lists(fragments).map("".join))
def test_canonical_form_is_stable(text: str) -> None:
    try:
        parsed = parse_keys(text)
    except KeyNotationError:
        assume(False)
        raise
    canonical = format_keys(parsed)
    assert parse_keys(canonical) == parsed
    assert format_keys(parse_keys(canonical)) == canonical


@given(tokens, st.booleans())
def test_each_key_decodes_back(key: str, app_cursor: bool) -> None:
    assert decode_input(encode_key(key, app_cursor=app_cursor)) == (key,)


@given(st.binary())
def test_bytes_without_escape_round_trip(data: bytes) -> None:
    data = data.replace(b"\x1b", b"")
    assert encode_keys(decode_input(data)) == data


@given(st.lists(st.sampled_from(NAMED)))
def test_normal_mode_sequences_round_trip(key_tokens: list[str]) -> None:
    data = encode_keys(key_tokens)
    assert encode_keys(decode_input(data)) == data
