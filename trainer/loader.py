"""Loading exercise packs: YAML with line numbers, JSON Schema validation, the pack contract.

A pack is a directory with ``pack.yaml`` naming its topic files in order. Every problem becomes a
``file:line: message`` string; a broken pack is reported and skipped while the others still load.

    library = load_library(Path("exercises"))
    library.errors                              # ["exercises/x/vi.yaml:12: vi-dd: ..."]
    ex = instantiate(library.template("vi-dd"), seed=1)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.keys import KeyNotationError, parse_keys
from sandbox.safefs import Regular, read_regular
from trainer.check_base import METHOD_KINDS
from trainer.checks import CHECKS
from trainer.coverage import Fact, load_facts, unknown_covers
from trainer.errors import PackError
from trainer.materialise import setup_file_problems
from trainer.model import (
    ANSWERED_KINDS,
    Attempt,
    Check,
    Exercise,
    ExerciseTemplate,
    FileSpec,
    Pack,
    Setup,
    Source,
    Topic,
)
from trainer.params import draw, render
from trainer.questions import Question
from trainer.schema import pack_file_schema, topic_file_schema
from trainer.text import Text

#: libyaml's parser where PyYAML was built with it (about 10x faster than the pure-Python one).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Fields every check may have besides its kind's own arguments.
CHECK_COMMON = ("kind", "id", "message", "hint", "engines", "weight")
#: Seeds rendered by the loader to catch template errors (verify runs more).
LINT_SEEDS = (0, 1, 2)
#: The largest pack or topic file, and the most values one may hold once its aliases are expanded.
MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 200_000


@dataclass
class Library:
    """Every pack found, and every problem met while loading them."""

    packs: list[Pack] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)  # the course's facts beside the packs (chapters, lines)

    @property
    def templates(self) -> list[ExerciseTemplate]:
        return [t for p in self.packs for t in p.exercises]

    def template(self, exercise_id: str) -> ExerciseTemplate:
        for t in self.templates:
            if t.id == exercise_id:
                return t
        raise PackError(f"no exercise {exercise_id!r} (see `trainer list`)")

    def select(self, names: Sequence[str]) -> list[ExerciseTemplate]:
        """Exercises named by id, pack or topic (all of them when ``names`` is empty)."""
        if not names:
            return self.templates
        chosen: list[ExerciseTemplate] = []
        for name in names:
            found = [t for t in self.templates if name in (t.id, t.pack, t.topic)]
            if not found:
                raise PackError(f"no exercise, pack or topic named {name!r} (see `trainer list`)")
            chosen += [t for t in found if t not in chosen]
        return chosen


def load_library(top: Path, seeds: Sequence[int] = LINT_SEEDS) -> Library:
    """Load every ``*/pack.yaml`` under ``top`` (or ``top`` itself if it is a pack or pack file),
    rendering each exercise with ``seeds`` to catch template errors (the REPL renders one seed to
    start fast; `trainer lint` and `verify` render three)."""
    library = Library()
    if top.is_file():
        pack_files = [top]
    elif (top / "pack.yaml").is_file():
        pack_files = [top / "pack.yaml"]
    else:
        pack_files = sorted(top.glob("*/pack.yaml"))
        if not pack_files:
            library.errors.append(f"{top}: no pack.yaml found")
    seen: dict[str, Source] = {}
    for pack_file in pack_files:
        errors: list[str] = []
        try:
            pack = _load_pack(pack_file, errors, seeds)
        except (RecursionError, MemoryError, OverflowError, ValueError, TypeError) as exc:
            # what the checks above did not foresee still costs this pack only, not the others
            errors.append(f"{pack_file}:1: cannot load: {type(exc).__name__}: {str(exc)[:200]}")
            pack = None
        if pack is not None:
            for t in pack.exercises:
                if t.id in seen:
                    errors.append(f"{t.source}: {t.id}: the id is already used at {seen[t.id]}")
                seen.setdefault(t.id, t.source)
        library.errors += errors
        if pack is not None and not errors:
            library.packs.append(pack)
    library.packs.sort(key=lambda p: (p.order, p.name))
    if top.is_dir():  # the facts the packs say they cover must be facts of the course
        try:
            facts = load_facts(top)
        except PackError as exc:
            library.errors.append(str(exc))
        else:
            if facts is not None:
                library.facts = facts
                library.errors += unknown_covers(facts, library.templates)
    return library


def _read_yaml(path: Path, errors: list[str]) -> tuple[Any, yaml.Node | None]:
    read = read_regular(path, MAX_FILE_BYTES, follow=True)
    if not isinstance(read, Regular):
        errors.append(f"{path}:1: cannot read: it is {read.what}")
        return None, None
    if read.truncated:
        errors.append(f"{path}:1: the file is larger than {MAX_FILE_BYTES // 1024} KiB")
        return None, None
    try:
        text = read.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(f"{path}:1: cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None, None
    try:
        node = yaml.compose(text, Loader=_LOADER)  # parsed once: the nodes carry the line numbers
        if node is not None:
            _check_expanded_size(node)
        data = yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(f"{path}:{line}: bad YAML: {problem}")
        return None, None
    except RecursionError:
        errors.append(f"{path}:1: bad YAML: nested too deeply")
        return None, None
    return data, node


class _TooBig(yaml.YAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


def _check_expanded_size(top: yaml.Node) -> None:
    """Refuse a document whose aliases expand to more than MAX_NODES nodes (a "billion laughs" of a few
    lines), or that refers to itself, before anything walks it."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(top, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            in_progress.discard(key)
            if sizes[key] > MAX_NODES:
                raise _TooBig(f"its aliases expand to more than {MAX_NODES} values", node.start_mark)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise _TooBig("an alias refers to the node that contains it", node.start_mark)
        in_progress.add(key)
        stack.append((node, True))
        stack += [(c, False) for c in _children(node) if id(c) not in sizes]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def line_of(node: yaml.Node | None, path: Iterable[Any]) -> int:
    """The 1-based line of the YAML node at ``path`` (the deepest one that exists)."""
    if node is None:
        return 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


@functools.cache
def _validator(shape: str) -> Any:
    """The validator of a pack file or a topic file, built once (jsonschema loads only when needed:
    a REPL start served from the pack cache never imports it). Topic files are validated without
    each check kind's arguments: those are checked against the check table (clearer messages, and
    ~3x faster than the schema's if/then chain)."""
    import jsonschema

    schema = pack_file_schema() if shape == "pack" else topic_file_schema(per_kind=False)
    return jsonschema.Draft202012Validator(schema)


def _schema_errors(data: Any, shape: str, path: Path, node: yaml.Node | None) -> list[str]:
    validator = _validator(shape)
    found = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = list(err.absolute_path)
        message = err.message
        if where and where[-1] == "kind" and err.validator in ("enum", "const"):
            message = f"unknown check kind {err.instance!r} (known: {', '.join(sorted(CHECKS))})"
        if len(message) > 200:
            message = message[:197] + "..."
        label = ".".join(map(str, where)) or "file"
        found.append(f"{path}:{line_of(node, where)}: {label}: {message}")
    return found


def _load_pack(pack_file: Path, errors: list[str], seeds: Sequence[int]) -> Pack | None:
    data, node = _read_yaml(pack_file, errors)
    if data is None:
        return None
    problems = _schema_errors(data, "pack", pack_file, node)
    if problems:
        errors += problems
        return None
    name = data["pack"]
    topics: list[Topic] = []
    templates: list[ExerciseTemplate] = []
    for i, rel in enumerate(data["topics"]):
        topic_file = pack_file.parent / rel
        if not topic_file.is_file():
            errors.append(f"{pack_file}:{line_of(node, ['topics', i])}: no topic file {rel}")
            continue
        topic, found = _load_topic(topic_file, name, errors, seeds)
        if topic is not None:
            topics.append(topic)
            templates += found
    return Pack(name, _text(data["title"]), tuple(topics), tuple(templates), Source(str(pack_file), 1),
                int(data.get("order", 100)))


def _load_topic(path: Path, pack: str, errors: list[str],
                seeds: Sequence[int]) -> tuple[Topic | None, list[ExerciseTemplate]]:
    data, node = _read_yaml(path, errors)
    if data is None:
        return None, []
    problems = _schema_errors(data, "topic", path, node)
    if problems:
        errors += problems
        return None, []
    topic = Topic(data["topic"], _text(data["title"]), Source(str(path), 1))
    templates = []
    for i, raw in enumerate(data["exercises"]):
        source = Source(str(path), line_of(node, ["exercises", i]))
        if raw["kind"] == "question" and "checks" not in raw:  # its one check is its question
            raw = {**raw, "checks": [{"kind": "question", "id": "answer"}]}
        template = ExerciseTemplate(raw["id"], pack, topic.name, raw, source, {})
        broken = contract_problems(template, seeds)
        if broken:
            errors += [f"{path}:{line_of(node, ['exercises', i, *where])}: {raw['id']}: {msg}"
                       for where, msg in broken]
            continue
        templates.append(template)
    return topic, templates


def _method_problems(raw: Mapping[str, Any]) -> list[tuple[list[Any], str]]:
    """A drill graded on its method must prove it: a wrong attempt with the right result reached another way."""
    if raw["kind"] not in ("shell", "vi", "kubectl"):
        return []
    checks = raw["checks"]
    others = {c.get("id", c["kind"]) for c in checks if c["kind"] not in METHOD_KINDS}
    method = {n for c in checks if c["kind"] in METHOD_KINDS for n in (c.get("id", c["kind"]), c["kind"])} - others
    if not method or any(w.get("fails") and set(w["fails"]) <= method for w in raw["wrong"]):
        return []
    return [(["wrong"], "a drill graded on its method needs a wrong attempt that reaches the result another way "
                        f"(fails: only on {', '.join(sorted(method))})")]


def contract_problems(template: ExerciseTemplate, seeds: Sequence[int] = LINT_SEEDS) -> list[tuple[list[Any], str]]:
    """What breaks the pack contract beyond the schema: check arguments, keys, kinds, templates."""
    raw = template.raw
    problems: list[tuple[list[Any], str]] = []
    kind = raw["kind"]
    if "checks" not in raw:
        return [([], "checks: every kind but question needs at least one")]
    if kind == "question":
        problems += [([name], f"a question needs {name}:") for name in ("question", "explanation") if name not in raw]
        if "explanation" in raw and "section" not in raw["explanation"]:
            problems.append((["explanation"], "say which section of the notes it explains (section:)"))
        if [c["kind"] for c in raw["checks"]] != ["question"]:
            problems.append((["checks"], "a question is graded by its question: leave checks out"))
    elif "question" in raw:
        problems.append((["question"], f"only a question has question: (this is a {kind} exercise)"))
    for i, check in enumerate(raw["checks"]):
        args = {k: v for k, v in check.items() if k not in CHECK_COMMON}
        problems += [(["checks", i], p) for p in CHECKS[check["kind"]].problems(args, values=False)]
        if "hint" in check and check["hint"] >= len(raw["hints"]):
            problems.append((["checks", i, "hint"], f"hint {check['hint']} does not exist"))
    if kind in ("shell", "vi", "kubectl") and not raw["solution"].get("keys"):
        problems.append((["solution"], f"a {kind} exercise needs solution keys"))
    if kind in ANSWERED_KINDS and "answer" not in raw["solution"]:
        problems.append((["solution"], f"a {kind} needs a solution answer"))
    for i, attempt in enumerate(raw.get("also", [])):
        if "fails" in attempt:
            problems.append((["also", i, "fails"], "an also: attempt is correct: it fails on nothing"))
        if kind in ("shell", "vi", "kubectl") and not attempt.get("keys"):
            problems.append((["also", i], f"a {kind} exercise's alternative needs keys"))
    if kind == "vi" and not raw.get("setup", {}).get("open"):
        problems.append((["setup"], "a vi exercise needs setup.open, the file the editor opens"))
    names = {c.get("id", c["kind"]) for c in raw["checks"]} | {c["kind"] for c in raw["checks"]}
    for i, attempt in enumerate(raw["wrong"]):
        if not attempt.get("fails") and len(raw["checks"]) > 1:
            problems.append((["wrong", i], "say which checks it fails on (fails: [...]): the exercise has "
                                           f"{len(raw['checks'])} checks"))
        for name in attempt.get("fails", []):
            if name not in names:
                problems.append((["wrong", i, "fails"], f"no check named {name!r}"))
    problems += _method_problems(raw)
    if problems:
        return problems
    for seed in seeds:
        try:
            ex = instantiate(template, seed)
        except PackError as exc:
            return [([], str(exc).removeprefix(f"{template.source}: {template.id}: "))]
        replays: list[tuple[list[Any], Attempt]] = [(["solution"], ex.solution)]
        replays += [(["wrong", i], w) for i, w in enumerate(ex.wrong)]
        replays += [(["also", i], a) for i, a in enumerate(ex.also)]
        for place, attempt in replays:
            for engine, keys in attempt.keys.items():
                try:
                    parse_keys(keys)
                except KeyNotationError as exc:
                    problems.append((place, f"keys for {engine}: {exc}"))
        for check in ex.checks:
            problems += [(["checks"], f"seed {seed}: {p}") for p in CHECKS[check.kind].problems(check.args)]
        problems += [(["setup", "files"], f"seed {seed}: {p}") for p in setup_file_problems(ex.setup.files)]
        if problems:
            return problems
    return problems


def _text(raw: Mapping[str, str]) -> Text:
    return Text(str(raw["en"]), str(raw["ko"]))


def _attempt(raw: Mapping[str, Any], only_check: str | None = None, question: Question | None = None) -> Attempt:
    """An attempt as written; a wrong one of an exercise with a single check fails on that check. A
    question's answer names option ids: it becomes the labels this variant shows them with."""
    keys = raw.get("keys", {})
    keys = {"*": keys} if isinstance(keys, str) else dict(keys)
    answer = raw.get("answer")
    if question is not None and answer is not None:
        answer = question.labels_for(" ".join(map(str, answer)) if isinstance(answer, list) else str(answer))
    fails = tuple(raw.get("fails", ())) or ((only_check,) if only_check else ())
    return Attempt(keys=keys, answer=None if answer is None else str(answer), fails=fails,
                   why=str(raw.get("why", "")))


def _setup(raw: Mapping[str, Any]) -> Setup:
    files = []
    for f in raw.get("files", []):
        mode = f.get("mode")
        files.append(FileSpec(path=str(f["path"]), type=f.get("type", "file"), content=str(f.get("content", "")),
                              mode=None if mode is None else int(str(mode), 8), target=f.get("target")))
    return Setup(files=tuple(files), commands=tuple(raw.get("commands", ())),
                 history=tuple(raw.get("history", ())), open=raw.get("open"), mode=raw.get("mode", "vi"),
                 profile=raw.get("profile"),
                 environment=raw.get("environment"), login=bool(raw.get("login", False)),
                 objects=tuple(raw.get("objects", ())))


def _par(body: Mapping[str, Any]) -> int | None:
    """The drill's par: a number, or ``solution`` for the reference solution's own key count."""
    par = body.get("par")
    if par is None:
        return None
    if par == "solution":
        keys = body["solution"].get("keys")
        if not isinstance(keys, str):
            raise PackError("par: solution needs solution keys written once for every engine")
        return len(parse_keys(keys))
    return int(par)


def instantiate(template: ExerciseTemplate, seed: int) -> Exercise:
    """The exercise with its parameters drawn from ``seed`` and rendered everywhere."""
    raw = template.raw
    try:
        values = draw(raw.get("params", {}), template.id, seed)
        body = render({k: v for k, v in raw.items() if k != "params"}, values)
        question = Question.parse(body["question"], seed, template.id) if body["kind"] == "question" else None
        checks = []
        for c in body["checks"]:
            args = {k: v for k, v in c.items() if k not in CHECK_COMMON}
            if c["kind"] == "question":
                args["question"] = question
            checks.append(Check(kind=c["kind"], args=args, id=str(c.get("id", c["kind"])),
                                message=_text(c["message"]) if "message" in c else None, hint=c.get("hint"),
                                engines=tuple(c.get("engines", ())), weight=c.get("weight")))
        return Exercise(
            id=template.id, pack=template.pack, topic=template.topic, kind=body["kind"],
            title=_text(body["title"]), prompt=_text(body["prompt"]), setup=_setup(body.get("setup", {})),
            checks=tuple(checks), hints=tuple(_text(h) for h in body["hints"]),
            solution=_attempt(body["solution"], question=question),
            wrong=tuple(_attempt(w, checks[0].id if len(checks) == 1 else None, question) for w in body["wrong"]),
            also=tuple(_attempt(a, question=question) for a in body.get("also", ())),
            source=template.source, seed=seed, par=_par(body),
            engines=tuple(body.get("engines", ())), requires=tuple(body.get("requires", ())),
            params=values, question=question,
            explanation=_text(body["explanation"]) if "explanation" in body else None,
            covers=tuple(body.get("covers", ())))
    except (PackError, ValueError, KeyError, TypeError, RecursionError, OverflowError, MemoryError) as exc:
        raise PackError(f"{template.source}: {template.id}: {exc}") from exc
