"""The prompt wrapper never joins two words, never splits one that fits a line, and never overflows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.utils import get_cwidth

from trainer.wrap import wrap

WORD = st.text(alphabet="abcxyz+-*=:/.가나다한글", min_size=1, max_size=14)


def lines_of(words: list[list[str]], width: int) -> list[str]:
    """Wrap each fragment's words (a fragment per style) and return the lines."""
    fragments = [(f"class:s{n}", " ".join(ws) + " ") for n, ws in enumerate(words)]
    return "".join(text for _, text in wrap(fragments, width)).split("\n")[:-1]


@given(st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=4), st.integers(1, 40))
def test_words_are_never_joined_or_split_and_lines_fit(words: list[list[str]], width: int) -> None:
    lines = lines_of(words, width)
    flat = [w for ws in words for w in ws]
    assert all(get_cwidth(line) <= max(width, 2) for line in lines), lines
    if all(get_cwidth(w) <= width for w in flat):
        assert [w for line in lines for w in line.split(" ") if w] == flat  # same words, none glued or cut
    else:
        assert "".join("".join(line.split(" ")) for line in lines) == "".join(flat)


def test_the_reported_case() -> None:
    assert lines_of([["chmod", "u+x", "a", "b"]], 10) == ["chmod u+x", "a b"]
    assert lines_of([["a", "trailing"], ["*"]], 10) == ["a trailing", "*"]


def test_breaks_and_paragraphs_are_kept() -> None:
    text = "".join(t for _, t in wrap([("", "one two\n\nthree")], 20))
    assert text == "one two\n\nthree\n"
