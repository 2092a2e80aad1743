"""Vim key notation: the one spelling of keys in exercise YAML, key logs and the UI.

This module owns the table of key names, the parser and formatter of key strings, the encoding of
keys to the bytes a terminal sends, and the decoding of those bytes back to keys.

A key is a ``str`` token: either one character (any Unicode character that is not a control
character, Korean included) or a canonical ``<Name>`` such as ``<Esc>``, ``<CR>`` or ``<C-v>``.

>>> parse_keys("dd:wq<CR>")
('d', 'd', ':', 'w', 'q', '<CR>')
>>> format_keys(parse_keys("i<lt>한<esc>")), encode_keys(parse_keys("x<C-V>"))
('i<lt>한<Esc>', b'x\\x16')

Rules of the notation:

* ``<name>`` is looked up case-insensitively (``<esc>``, ``<c-V>``) and always formatted canonically
  (``<Esc>``, ``<C-v>``). ``<Enter>``/``<Return>``/``<C-m>`` are ``<CR>``, ``<C-i>`` is ``<Tab>``,
  ``<C-j>`` is ``<NL>``, ``<C-[>`` is ``<Esc>``; ``<C-h>`` stays ``<C-h>`` (BS is ``<BS>``, DEL).
* A ``<`` followed by something name-like and ``>`` (``<foo>``, ``<C-x>``) must be a known name, or
  parsing fails with the column: a typo never silently becomes literal text. A ``<`` that is not
  followed by a name-like ``<...>`` (``a < b``, ``sort <in``, a ``<`` at the end) is a literal ``<``.
  A literal ``<`` is always formatted as ``<lt>``.
* ``<Space>``, ``<Bar>`` and ``<Bslash>`` are accepted, but the canonical token is the character
  itself (``" "``, ``"|"``, ``"\\\\"``) and it is formatted as that character.
* A raw control character in the text (a tab, an ESC) parses as its named key (``<Tab>``, ``<Esc>``).
* A byte that is not valid UTF-8 is the token ``<0xNN>`` (two lower-case hex digits, 80 to ff),
  so that bytes read from a terminal survive ``decode_input`` then ``encode_keys`` unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from sandbox.errors import SandboxError

__all__ = [
    "APP_CURSOR_KEYS",
    "KEYS",
    "KeyNotationError",
    "count_keys",
    "decode_input",
    "encode_key",
    "encode_keys",
    "format_keys",
    "parse_keys",
]


class KeyNotationError(SandboxError):
    """A key string or token that is not valid Vim key notation."""


def _control_names() -> dict[str, bytes]:
    names = {f"C-{chr(ord('a') + n)}": bytes([n + 1]) for n in range(26)}
    names.update({"C-@": b"\x00", "C-[": b"\x1b", "C-\\": b"\x1c", "C-]": b"\x1d", "C-^": b"\x1e",
                  "C-_": b"\x1f"})
    return names


KEYS: Mapping[str, bytes] = MappingProxyType({
    "Esc": b"\x1b", "CR": b"\r", "NL": b"\n", "Tab": b"\t", "BS": b"\x7f", "Del": b"\x1b[3~",
    "Space": b" ", "lt": b"<", "Bslash": b"\\", "Bar": b"|",
    "Up": b"\x1b[A", "Down": b"\x1b[B", "Right": b"\x1b[C", "Left": b"\x1b[D",
    "Home": b"\x1b[H", "End": b"\x1b[F", "PageUp": b"\x1b[5~", "PageDown": b"\x1b[6~",
    "Insert": b"\x1b[2~",
    "F1": b"\x1bOP", "F2": b"\x1bOQ", "F3": b"\x1bOR", "F4": b"\x1bOS", "F5": b"\x1b[15~",
    "F6": b"\x1b[17~", "F7": b"\x1b[18~", "F8": b"\x1b[19~", "F9": b"\x1b[20~", "F10": b"\x1b[21~",
    "F11": b"\x1b[23~", "F12": b"\x1b[24~",
    **_control_names(),
})
"""Key name (as written between ``<`` and ``>``) to the bytes xterm sends in normal cursor mode."""

APP_CURSOR_KEYS: Mapping[str, bytes] = MappingProxyType({
    "Up": b"\x1bOA", "Down": b"\x1bOB", "Right": b"\x1bOC", "Left": b"\x1bOD",
    "Home": b"\x1bOH", "End": b"\x1bOF",
})
"""Keys whose bytes differ when the program set application cursor mode (DECCKM, ``CSI ?1h``)."""

# Names whose key is better spelled otherwise: a character, or the name Vim itself prints.
_CANONICAL: Mapping[str, str] = {
    "Space": " ", "lt": "<", "Bslash": "\\", "Bar": "|",
    "C-[": "<Esc>", "C-m": "<CR>", "C-i": "<Tab>", "C-j": "<NL>",
}
# Accepted on input only.
_ALIASES: Mapping[str, str] = {
    "Enter": "CR", "Return": "CR", "NewLine": "NL", "LineFeed": "NL", "LF": "NL",
    "BackSpace": "BS", "Delete": "Del", "Nul": "C-@",
}
# Sequences other terminals send for the same keys (VT220 / rxvt): decoded, never encoded.
_DECODE_ALSO: Mapping[bytes, str] = {
    b"\x1b[1~": "<Home>", b"\x1b[4~": "<End>", b"\x1b[7~": "<Home>", b"\x1b[8~": "<End>",
    b"\x1b[11~": "<F1>", b"\x1b[12~": "<F2>", b"\x1b[13~": "<F3>", b"\x1b[14~": "<F4>",
}

_NAME_LIKE = re.compile(r"<([A-Za-z0-9][A-Za-z0-9_\-\[\]\\^@]*)>")
_RAW_BYTE = re.compile(r"0x([89a-f][0-9a-f])", re.IGNORECASE)
_RAW_BYTE_TOKEN = re.compile(r"<0x[89a-f][0-9a-f]>")


def _name_token(name: str) -> str:
    return _CANONICAL.get(name, f"<{name}>")


def _build_tables() -> tuple[dict[str, str], dict[str, bytes], dict[bytes, str], dict[str, str]]:
    """Index the key tables, failing at import if they are inconsistent."""
    by_lower: dict[str, str] = {}
    token_bytes: dict[str, bytes] = {}
    for name, data in KEYS.items():
        token = _name_token(name)
        if name.lower() in by_lower:
            raise RuntimeError(f"key name {name!r} is listed twice (names are case-insensitive)")
        by_lower[name.lower()] = token
        if len(token) > 1:
            if token[1:-1] not in KEYS:
                raise RuntimeError(f"key {name!r} canonicalises to unknown {token!r}")
            if token_bytes.setdefault(token, data) != data:
                raise RuntimeError(f"{token} has two byte sequences")
    for alias, name in _ALIASES.items():
        if name not in KEYS or alias.lower() in by_lower:
            raise RuntimeError(f"bad key alias {alias!r} -> {name!r}")
        by_lower[alias.lower()] = _name_token(name)
    for name in APP_CURSOR_KEYS:
        if _name_token(name) not in token_bytes:
            raise RuntimeError(f"application cursor key {name!r} is not in KEYS")

    sequences: dict[bytes, str] = dict(_DECODE_ALSO)
    controls: dict[str, str] = {}
    for token, data in token_bytes.items():
        for seq in (data, APP_CURSOR_KEYS.get(token[1:-1], data)):
            if sequences.setdefault(seq, token) != token:
                raise RuntimeError(f"bytes {seq!r} would decode to two keys")
        if len(data) == 1:
            controls[data.decode()] = token
    missing = [c for c in map(chr, [*range(0x20), 0x7F]) if c not in controls]
    if missing:
        raise RuntimeError(f"control characters without a key name: {missing!r}")
    return by_lower, token_bytes, sequences, controls


_BY_LOWER, _TOKEN_BYTES, _SEQUENCES, _CONTROLS = _build_tables()
_LONGEST_SEQUENCE = max(map(len, _SEQUENCES))


def _lookup(name: str) -> str | None:
    token = _BY_LOWER.get(name.lower())
    if token is None and (raw := _RAW_BYTE.fullmatch(name)):
        token = f"<0x{raw.group(1).lower()}>"
    return token


#: The keys that end a line: ``parse_keys`` writes ``<C-m>`` and ``<Enter>`` as ``<CR>``, ``<C-j>`` as ``<NL>``.
ENTER_KEYS = frozenset({"<CR>", "<NL>"})


def _is_character(char: str) -> bool:
    return char not in _CONTROLS and not 0xD800 <= ord(char) <= 0xDFFF


def parse_keys(text: str) -> tuple[str, ...]:
    """Split Vim key notation into key tokens; raise `KeyNotationError` naming the column."""
    keys: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<" and (match := _NAME_LIKE.match(text, i)):
            token = _lookup(match.group(1))
            if token is None:
                raise KeyNotationError(f"unknown key name {match.group(0)} at column {i + 1}")
            keys.append(token)
            i = match.end()
            continue
        if char in _CONTROLS:
            keys.append(_CONTROLS[char])
        elif _is_character(char):
            keys.append(char)
        else:
            raise KeyNotationError(f"invalid character {char!r} at column {i + 1}")
        i += 1
    return tuple(keys)


def _check_token(key: str) -> None:
    if len(key) == 1:
        if key in _CONTROLS:
            raise KeyNotationError(f"{key!r} is not a key token: write {_CONTROLS[key]}")
        if not _is_character(key):
            raise KeyNotationError(f"{key!r} is not a character")
    elif key not in _TOKEN_BYTES and not _RAW_BYTE_TOKEN.fullmatch(key):
        raise KeyNotationError(f"{key!r} is not a key token")


def format_keys(keys: Iterable[str]) -> str:
    """Write key tokens in canonical notation: the inverse of `parse_keys`."""
    parts: list[str] = []
    for key in keys:
        _check_token(key)
        parts.append("<lt>" if key == "<" else key)
    return "".join(parts)


def encode_key(key: str, *, app_cursor: bool = False) -> bytes:
    """The bytes a terminal sends for one key token (arrows follow the cursor-key mode)."""
    _check_token(key)
    if len(key) == 1:
        return key.encode()
    if app_cursor and key[1:-1] in APP_CURSOR_KEYS:
        return APP_CURSOR_KEYS[key[1:-1]]
    if key in _TOKEN_BYTES:
        return _TOKEN_BYTES[key]
    return bytes([int(key[3:5], 16)])


def encode_keys(keys: Iterable[str], *, app_cursor: bool = False) -> bytes:
    """The bytes for a sequence of key tokens."""
    return b"".join(encode_key(key, app_cursor=app_cursor) for key in keys)


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def decode_input(data: bytes) -> tuple[str, ...]:
    """Key tokens for the bytes a terminal sent, recognising both cursor-key modes.

    Escape sequences are matched greedily, so ``<Esc>`` followed quickly by ``OA`` reads as
    ``<Up>``, exactly as on a real terminal: decode one key event's bytes at a time when the
    boundaries are known. An ESC that starts no known sequence is ``<Esc>``; a byte that is not
    part of valid UTF-8 is ``<0xNN>``. ``encode_keys(decode_input(b)) == b`` for every ``b`` that
    uses the normal-mode sequences of `KEYS`.
    """
    keys: list[str] = []
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x1B:
            for length in range(min(_LONGEST_SEQUENCE, len(data) - i), 1, -1):
                token = _SEQUENCES.get(data[i:i + length])
                if token is not None:
                    keys.append(token)
                    i += length
                    break
            else:
                keys.append("<Esc>")
                i += 1
        elif byte < 0x80:
            keys.append(_CONTROLS.get(chr(byte), chr(byte)))
            i += 1
        else:
            length = _utf8_length(byte)
            try:
                char = data[i:i + length].decode() if length else ""
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1:
                keys.append(char)
                i += length
            else:
                keys.append(f"<0x{byte:02x}>")
                i += 1
    return tuple(keys)


def count_keys(keys: Iterable[str]) -> int:
    """The VimGolf count: one per key token, so ``<Esc>`` and ``<C-v>`` count as one each."""
    return sum(1 for _ in keys)
