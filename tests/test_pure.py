"""Pure helpers: template parameters, mode arithmetic, ksh history parsing, replay chunking."""

from __future__ import annotations

import pytest

from sandbox.screen import Mark
from sandbox.shell import executed, parse_ksh_history
from trainer.errors import PackError
from trainer.modes import octal, parse_mode, symbolic
from trainer.params import draw, evaluate, render
from trainer.runner import chunks


def test_draw_is_deterministic_per_exercise_and_seed() -> None:
    specs = {"f": {"word": "file"}, "n": {"int": [1, 1000]}, "both": {"sample": {"from": "fruit", "k": 2}}}
    assert draw(specs, "a", 1) == draw(specs, "a", 1)
    assert draw(specs, "a", 1) != draw(specs, "a", 2) or draw(specs, "b", 1) != draw(specs, "a", 1)
    pair = draw(specs, "a", 3)["both"]
    assert len(set(pair)) == 2


def test_render_keeps_types_for_whole_expressions() -> None:
    values = {"n": 3, "m": {"k": "v"}, "xs": ["a", "b"]}
    assert render("{{ n + 1 }}", values) == 4
    assert render("n={{n}} k={{ m.k }} x={{ xs[1] }}", values) == "n=3 k=v x=b"
    assert render({"a": ["{{ 'j' * n }}"]}, values) == {"a": ["jjj"]}
    assert render("{{ octal(int('644', 8) + 64) }}", values) == "744"
    assert render("{{ numbered('L%d', 2, n) }}", values) == "L2\nL3\n"
    assert render("{{ m.k }}/{{ n }}", values) == "v/3"  # two expressions: text, not one expression


@pytest.mark.parametrize("bad", ["__import__('os')", "n.__class__", "open('x')", "lambda: 1", "n +"])
def test_templates_cannot_escape(bad: str) -> None:
    with pytest.raises(PackError):
        evaluate(bad, {"n": 1})


@pytest.mark.parametrize(("text", "mode"), [("750", 0o750), ("0644", 0o644), ("4755", 0o4755),
                                            ("rwxr-x---", 0o750), ("-rw-r--r--", 0o644),
                                            ("rwsr-xr-x", 0o4755), ("rwxrwxrwT", 0o1776)])
def test_parse_mode(text: str, mode: int) -> None:
    assert parse_mode(text) == mode
    assert parse_mode(symbolic(mode)) == mode
    assert parse_mode(octal(mode)) == mode


@pytest.mark.parametrize("bad", ["888", "rwx", "rwzr-x---", "u+x"])
def test_parse_mode_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a mode"):
        parse_mode(bad)


def test_ksh_history_cancelled_entries_and_multiline() -> None:
    data = b"\x81\x01ls -l\n\x00for i in 1 2\ndo echo $i\ndone\n\x00r\n\x00\x81echo again\n\x00"
    assert parse_ksh_history(data) == ["ls -l", "for i in 1 2\ndo echo $i\ndone", "echo again"]


def test_executed_takes_status_from_the_next_prompt() -> None:
    marks = [Mark("A", {"rc": "0", "hist": "3"}), Mark("A", {"rc": "2", "hist": "4"}),
             Mark("A", {"rc": "2", "hist": "4"}), Mark("A", {"rc": "0", "hist": "5"})]
    history = ["old one", "old two", "ls /nope", "true"]
    commands = executed(history, marks, first=3)
    assert [(c.number, c.text, c.exit_status) for c in commands] == [(3, "ls /nope", 2), (4, "true", 0)]
    assert executed(history, [], first=3)[0].exit_status is None


def test_chunks_split_after_enter_and_around_escape() -> None:
    keys = ("i", "a", "<Esc>", "O", "b", "<Esc>", ":", "w", "<CR>", "x")
    assert chunks(keys) == [("i", "a"), ("<Esc>",), ("O", "b"), ("<Esc>",), (":", "w", "<CR>"), ("x",)]
