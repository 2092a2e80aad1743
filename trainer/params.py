"""Random parameters of an exercise, drawn from a seed and rendered into its texts.

A template names its parameters under ``params`` and uses them as ``{{ name }}`` anywhere in a string
(prompt, setup, checks, solution, wrong attempts). ``{{ name | 을 }}`` adds the Korean particle in the
form the value takes (을 or 를, see ``trainer.particles``); ``{{|을}}`` the one the word before it
takes, so ``"{{ name }}"{{|을}}`` and ```ls {{ dir }}`{{|이}}`` read right too. Expressions are small and safe: numbers,
strings, names, ``a.b`` / ``a[0]``, ``+ - * // %``, comparisons, ``x if c else y`` and a few functions.

>>> values = draw({"n": {"int": [2, 2]}, "links": {"expr": "n + 2"}}, "ex", 0)
>>> render("ls -ld d # {{ links }} links", values)
'ls -ld d # 4 links'
>>> render("{{ links | 을 }} 세세요", values), render("{{ 'blog' | 을 }}", values)
('4를 세세요', 'blog를')
"""

from __future__ import annotations

import ast
import contextlib
import operator
import random
import re
from collections.abc import Callable, Mapping
from typing import Any

from trainer import particles
from trainer.errors import PackError

#: Names a ``word`` parameter draws from: plausible, short and distinct.
WORDS: dict[str, tuple[str, ...]] = {
    "file": ("report", "notes", "memo", "budget", "plan", "todo", "draft", "summary", "agenda", "index",
             "letter", "invoice", "roster", "backup", "script", "config", "readme", "ledger"),
    "dir": ("projects", "docs", "archive", "scripts", "data", "logs", "build", "public", "private",
            "shared", "reports", "tools", "cache", "drafts"),
    "user": ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim"),
    "fruit": ("apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "plum", "pear"),
}

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
#: Bounds on what a template may compute: a pack cannot make the loader build gigabytes.
MAX_TEXT = 100_000  # characters of a computed string (or items of a list)
MAX_ITEMS = 10_000  # lines numbered(...) may write
MAX_WIDTH = 1_000  # the width or precision of a %-format
MAX_INT = 10 ** 18
_FORMAT_SPEC = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "str": str, "int": int, "min": min, "max": max, "upper": str.upper,
    "octal": lambda n: format(int(n), "o"), "join": lambda sep, items: str(sep).join(map(str, items)),
    "numbered": lambda fmt, lo, hi: "".join(f"{str(fmt) % i}\n" for i in range(int(lo), int(hi) + 1)),
}


def draw(specs: Mapping[str, Any], exercise_id: str, seed: int) -> dict[str, Any]:
    """Draw every parameter in order (later ones may use earlier ones in ``expr``)."""
    rng = random.Random(f"{exercise_id}/{seed}")
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        values[name] = _draw_one(name, spec, rng, values)
    return values


def _draw_one(name: str, spec: Any, rng: random.Random, values: Mapping[str, Any]) -> Any:
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise PackError(f"parameter {name}: give exactly one of choice, int, word, sample, expr")
    ((how, arg),) = spec.items()
    if how == "choice":
        return rng.choice(list(arg))
    if how == "int":
        lo, hi = arg
        return rng.randint(int(lo), int(hi))
    if how == "word":
        return rng.choice(WORDS[arg])
    if how == "sample":
        pool, k = arg["from"], arg["k"]
        pool = WORDS[pool] if isinstance(pool, str) else pool
        return rng.sample(list(pool), int(k))
    if how == "expr":
        return evaluate(str(arg), values)
    raise PackError(f"parameter {name}: unknown kind {how!r}")


def render(value: Any, values: Mapping[str, Any]) -> Any:
    """Render ``{{ expr }}`` in every string inside ``value`` (lists and mappings too)."""
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value) if value.count("{{") == 1 else None
        if whole:  # the string is one expression: keep the value's type (an int stays an int)
            result = _expand(whole.group(1), values)
            return result if not isinstance(result, (list, dict)) else str(result)
        return _attach_marked(_TEMPLATE.sub(lambda m: str(_expand(m.group(1), values)), value))
    if isinstance(value, Mapping):  # keys too: a label key or a field path may be drawn from the seed
        return {(render(k, values) if isinstance(k, str) else k): render(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, values) for v in value]
    return value


_HANGUL_WORD = re.compile(r"\s*[\uac00-\ud7a3]+\s*")


def _expand(inner: str, values: Mapping[str, Any]) -> Any:
    """The value of ``expr`` or, for ``expr | 을``, the value with the particle in its right form."""
    expression, bar, particle = inner.rpartition("|")
    if not bar or not _HANGUL_WORD.fullmatch(particle):
        return evaluate(inner, values)
    if particle.strip() not in particles.FORMS:
        known = ", ".join(sorted({"/".join(pair) for pair in particles.FORMS.values()}))
        raise PackError(f"{{{{{inner}}}}}: {particle.strip()!r} is not a particle with two forms ({known})")
    if not expression.strip():  # {{|을}}: the particle of the word written just before it
        return f"{_MARK}{particle.strip()}{_MARK}"
    return particles.attach(str(evaluate(expression, values)), particle.strip())


_MARK = "\x00"
_MARKED = re.compile(r"(\S*)\x00(\w+)\x00")


def _attach_marked(text: str) -> str:
    """Resolve ``{{|을}}``: the form follows the rendered word before it.

    >>> render('"{{ x }}"{{|을}} 지우세요', {"x": "blog"}), render("`ls {{ d }}`{{|이}}", {"d": "web"})
    ('"blog"를 지우세요', '`ls web`이')
    """
    if _MARK not in text:
        return text
    return _MARKED.sub(lambda m: particles.attach(m.group(1), m.group(2)) if m.group(1) else m.group(2), text)


def evaluate(expression: str, values: Mapping[str, Any]) -> Any:
    """Evaluate a template expression over ``values``; a PackError names what is wrong."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise PackError(f"bad expression {{{{{expression}}}}}: {exc.msg}") from exc
    return _eval(tree.body, values, expression)


def _check_size(op: type[ast.operator], left: Any, right: Any, text: str) -> None:
    """Refuse, before computing it, a repetition or a %-format that would be too big.

    >>> _check_size(ast.Mult, "x", 99999999999, "'x' * n")
    Traceback (most recent call last):
    ...
    trainer.errors.PackError: {{'x' * n}} would make 99999999999 characters (at most 100000)
    """
    if op is ast.Mult:
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list)) and isinstance(count, int) and len(seq) * count > MAX_TEXT:
                raise PackError(f"{{{{{text}}}}} would make {len(seq) * count} characters (at most {MAX_TEXT})")
    if op is ast.Mod and isinstance(left, str):
        for spec in _FORMAT_SPEC.finditer(left):
            for number in spec.groups():
                if number == "*" or (number and int(number) > MAX_WIDTH):
                    raise PackError(f"{{{{{text}}}}}: the format {spec.group(0)!r} is too wide (at most {MAX_WIDTH})")


def _bounded(result: Any, text: str) -> Any:
    """``result``, unless it is too big a string, list or number."""
    if isinstance(result, (str, list)) and len(result) > MAX_TEXT:
        raise PackError(f"{{{{{text}}}}} makes {len(result)} characters (at most {MAX_TEXT})")
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > MAX_INT:
        raise PackError(f"{{{{{text}}}}} makes a number too large")
    return result


def _eval(node: ast.AST, values: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str, float)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise PackError(f"unknown parameter {node.id!r} in {{{{{text}}}}}")
        return values[node.id]
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, values, text)
        if isinstance(base, Mapping) and node.attr in base:
            return base[node.attr]
        raise PackError(f"no field {node.attr!r} in {{{{{text}}}}}")
    if isinstance(node, ast.Subscript):
        base = _eval(node.value, values, text)
        key = _eval(node.slice, values, text)
        try:
            return base[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise PackError(f"no item {key!r} in {{{{{text}}}}}") from exc
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left, values, text), _eval(node.right, values, text)
        _check_size(type(node.op), left, right, text)
        try:
            return _bounded(_BINOPS[type(node.op)](left, right), text)
        except (TypeError, ZeroDivisionError, ValueError, OverflowError) as exc:
            raise PackError(f"cannot compute {{{{{text}}}}}: {exc}") from exc
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, values, text)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
        left = _eval(node.left, values, text)
        return _CMPOPS[type(node.ops[0])](left, _eval(node.comparators[0], values, text))
    if isinstance(node, ast.IfExp):
        test = _eval(node.test, values, text)
        return _eval(node.body if test else node.orelse, values, text)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, values, text) for e in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        args = [_eval(a, values, text) for a in node.args]
        joined = args[1] if node.func.id == "join" and len(args) == 2 and isinstance(args[1], list) else []
        if joined and len(str(args[0])) * len(joined) + sum(len(str(a)) for a in joined) > MAX_TEXT:
            raise PackError(f"{{{{{text}}}}} would make more than {MAX_TEXT} characters")
        if node.func.id == "numbered" and len(args) == 3:
            _check_size(ast.Mod, str(args[0]), 0, text)
            with contextlib.suppress(TypeError, ValueError):
                if int(args[2]) - int(args[1]) > MAX_ITEMS:
                    raise PackError(f"too many lines in {{{{{text}}}}} (at most {MAX_ITEMS})")
        try:
            return _bounded(_FUNCTIONS[node.func.id](*args), text)
        except (TypeError, ValueError, OverflowError) as exc:
            raise PackError(f"cannot compute {{{{{text}}}}}: {exc}") from exc
    raise PackError(f"not allowed in a template: {{{{{text}}}}}")
