"""What a shell command line means: its simple commands, each as a program with options and operands.

Method checks grade this, not the text the learner typed: ``date; cal`` ran ``cal``, ``banner "grape"``
printed ``grape``, ``ls -dl ./drafts`` is ``ls -l -d drafts``, and ``k scale --replicas=4 rs/front``
is ``kubectl scale replicasets front --replicas 4``. A line is split with the standard library's
``shlex`` (quote removal, punctuation as operators) across ``;``, ``&&``, ``||``, ``|``, ``&``,
subshells, braces and command substitutions; redirections and leading ``NAME=value`` words are set
aside; aliases (the trainer's and those the learner defined earlier in the attempt) are expanded.

    >>> [c.program for c in parse_line("date; cal && echo done | wc -l")]
    ['date', 'cal', 'echo', 'wc']
    >>> call = parse_line("ls -dl ./drafts/")[0]
    >>> sorted(call.options), [normal_path(o) for o in call.operands]
    (['d', 'l'], ['drafts'])
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from trainer.shell_options import OptionSpec, spec_for

#: Operator tokens that end a simple command.
SEPARATORS = frozenset({";", "&&", "||", "|", "&", "|&", ";;", "(", ")", "\n", "`", "$("})
#: Redirection operators (the next word is their target, not an operand).
REDIRECTIONS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|", "<>"})
#: Reserved words that may start a simple command and are not its program.
RESERVED = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}",
                      "time", "esac"})
#: Compound commands whose first line is not a program call (``for x in a b``).
HEADERS = frozenset({"for", "case", "select", "function"})
#: Aliases every sandbox shell has (ksh93's own, and those the trainer's rc files define).
SHELL_ALIASES: Mapping[str, str] = {"k": "kubectl"}


@dataclass(frozen=True)
class Call:
    """One simple command: the program (a path's last part), its options and operands, as the program
    would read them (see trainer.shell_options), and the line it came from."""

    program: str
    argv: tuple[str, ...]
    options: Mapping[str, str | None]
    operands: tuple[str, ...]
    assignments: tuple[str, ...] = ()
    line: str = ""
    status: int | None = None
    after_dashdash: tuple[str, ...] = ()

    def text(self) -> str:
        return shlex.join(self.argv) if self.argv else " ".join(self.assignments)


class ParseError(ValueError):
    """The line is not a complete shell command (an open quote, say)."""


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace = " \t\r"  # a newline separates commands
    lexer.whitespace_split = True  # a word is everything up to a blank or an operator (Korean names too)
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError as exc:
        raise ParseError(str(exc)) from None


def _split(tokens: Sequence[str]) -> list[list[str]]:
    commands: list[list[str]] = []
    current: list[str] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token in SEPARATORS or (set(token) <= set(";&|()") and token):
            if current:
                commands.append(current)
            current = []
            continue
        if token in REDIRECTIONS or (token and set(token) <= set("<>&|") and any(c in token for c in "<>")):
            skip_next = True
            if current and current[-1].isdigit():
                current.pop()  # 2>file: the descriptor is part of the redirection
            continue
        if token == "$":  # "$(date)" reaches here as "$" then "(": a command substitution starts
            continue
        if token.endswith("$") and len(token) > 1:
            token = token[:-1]  # "x$(date)": the word before the substitution
        current.append(token)
    if current:
        commands.append(current)
    return commands


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.isidentifier()


def parse_line(line: str, aliases: Mapping[str, str] | None = None) -> list[Call]:
    """The simple commands of one history line, aliases expanded (``SHELL_ALIASES`` and ``aliases``).

    >>> [c.text() for c in parse_line("banner 'grape'; x=1 ls -l >out 2>/dev/null")]
    ['banner grape', 'ls -l']
    >>> parse_line("PATH=$PATH:/opt/bin")[0].assignments
    ('PATH=$PATH:/opt/bin',)
    """
    known = {**SHELL_ALIASES, **(aliases or {})}
    calls: list[Call] = []
    for words in _split(_tokens(line)):
        while words and words[0] in RESERVED:
            words = words[1:]
        if not words or words[0] in HEADERS:
            continue
        assignments: list[str] = []
        while words and _is_assignment(words[0]):
            assignments.append(words.pop(0))
        words = _expand(words, known)
        if not words:
            calls.append(Call("", (), {}, (), tuple(assignments), line))
            continue
        program = os.path.basename(words[0]) or words[0]
        spec = spec_for(program)
        options, operands, rest = spec.parse(words[1:])
        calls.append(Call(program, tuple(words), options, tuple(operands), tuple(assignments), line,
                          after_dashdash=tuple(rest)))
    return calls


def _expand(words: list[str], aliases: Mapping[str, str]) -> list[str]:
    seen: set[str] = set()
    while words and words[0] in aliases and words[0] not in seen:
        seen.add(words[0])
        try:
            replacement = shlex.split(aliases[words[0]])
        except ValueError:
            break
        words = replacement + words[1:]
    return words


def parse_history(lines: Iterable[tuple[str, int | None]]) -> list[Call]:
    """Every simple command of a session's history lines (text, exit status), in order (see
    ``parse_lines``)."""
    return [call for line_calls in parse_lines(lines) for call in line_calls]


def parse_lines(lines: Iterable[tuple[str, int | None]]) -> list[list[Call]]:
    """The simple commands of each history line (text, exit status), the status on the last command of
    its line (the one the prompt reported); ``alias`` commands the learner ran apply to the lines after
    them, as in the shell. A line that does not parse (an open quote) has no commands."""
    aliases: dict[str, str] = {}
    per_line: list[list[Call]] = []
    for text, status in lines:
        try:
            line_calls = parse_line(text, aliases)
        except ParseError:
            line_calls = []
        if line_calls:
            line_calls[-1] = replace(line_calls[-1], status=status)
        for call in line_calls:
            if call.program == "alias":
                for operand in call.operands:
                    name, eq, value = operand.partition("=")
                    if eq:
                        aliases[name] = value
            elif call.program == "unalias":
                for operand in call.operands:
                    aliases.pop(operand, None)
        per_line.append(line_calls)
    return per_line


def normal_path(word: str) -> str:
    if not word or word.startswith("-") or "://" in word:
        return word
    return os.path.normpath(word) if ("/" in word or word.startswith(".")) and word != "." else word


__all__ = ["Call", "OptionSpec", "ParseError", "normal_path", "parse_history", "parse_line", "parse_lines"]
