"""Word-wrapping styled text to a width in terminal cells (Korean characters take two).

>>> "".join(text for _, text in wrap([("", "one two three")], 8))
'one two\\nthree\\n'

>>> unfold("a\\nb\\n\\nc")
'a b\\n\\nc'
"""

from __future__ import annotations

import re

from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.utils import get_cwidth

_TOKENS = re.compile(r"\n| +|[^ \n]+")


def unfold(text: str) -> str:
    """Join the lines of each paragraph (YAML block text keeps its author's line breaks)."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text.strip("\n"))


def wrap(fragments: StyleAndTextTuples, width: int) -> StyleAndTextTuples:
    """Break ``fragments`` into lines of at most ``width`` cells, at spaces where possible;
    every line ends with a ``"\\n"`` fragment. A space between two words is kept unless the line
    breaks there, so words are never joined; a word is split only when it is wider than a line.

    >>> "".join(text for _, text in wrap([("", "chmod u+x a b")], 10))
    'chmod u+x\\na b\\n'
    """
    width = max(width, 1)
    out: StyleAndTextTuples = []
    used = 0
    space: tuple[str, str] | None = None  # the space before the next word, if the line goes on
    for style, text, *_ in fragments:
        for token in _TOKENS.findall(text):
            if token == "\n":
                out.append(("", "\n"))
                used, space = 0, None
                continue
            if token.startswith(" "):
                if used:
                    space = (style, token)
                continue  # spaces at the start of a line vanish
            cells = get_cwidth(token)
            if space is not None:
                gap = get_cwidth(space[1])
                if used + gap + cells <= width:
                    out.append(space)
                    used += gap
                else:
                    out.append(("", "\n"))
                    used = 0
                space = None
            while cells > width - used:
                if used:
                    out.append(("", "\n"))
                    used = 0
                    continue
                head = _fit(token, width)
                out += [(style, head), ("", "\n")]
                token = token[len(head):]
                cells = get_cwidth(token)
            if token:
                out.append((style, token))
                used += cells
    if used:
        out.append(("", "\n"))
    return out


def _fit(word: str, width: int) -> str:
    """The longest head of ``word`` that fits in ``width`` cells (at least one character)."""
    cells = 0
    for i, char in enumerate(word):
        cells += get_cwidth(char)
        if cells > width:
            return word[:max(i, 1)]
    return word


def split_lines(fragments: StyleAndTextTuples) -> list[StyleAndTextTuples]:
    """Wrapped fragments as lines (without their ``"\\n"``).

    >>> split_lines([("b", "one"), ("", "\\n"), ("", "\\n"), ("i", "two"), ("", "\\n")])
    [[('b', 'one')], [], [('i', 'two')]]
    """
    lines: list[StyleAndTextTuples] = [[]]
    for style, text, *_ in fragments:
        parts = text.split("\n")
        for n, part in enumerate(parts):
            if n:
                lines.append([])
            if part:
                lines[-1].append((style, part))
    if not lines[-1]:
        lines.pop()
    return lines


def line_count(fragments: StyleAndTextTuples) -> int:
    return sum(text.count("\n") for _, text, *_ in fragments)
