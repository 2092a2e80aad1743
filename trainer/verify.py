"""``trainer verify``: prove the pack contract with the real programs.

For every exercise and seed: the reference solution and every alternative (``also:``) must pass, every
wrong attempt must fail (for the reason it names in ``fails``), and the untouched start must fail.

    cases = verify(plan([template], seeds=2), engines=Engines.detect(), jobs=2)
    print(junit_xml(cases))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from sandbox.errors import SandboxError
from sandbox.keys import parse_keys
from trainer.errors import TrainerError
from trainer.grading import Verdict, grade
from trainer.loader import instantiate
from trainer.model import Attempt, Exercise, ExerciseTemplate
from trainer.params import draw
from trainer.runner import Engines, run_attempt
from trainer.workers import pool_map, stopping

#: How much faster than real time the practice cluster runs under ``verify`` (pods start in 0.2 s).
VERIFY_SPEED = 10.0


@dataclass(frozen=True)
class Case:
    """One replay and whether it behaved as the pack promises."""

    exercise: str
    seed: int
    engine: str
    label: str  # "solution", "also 1", ..., "wrong 1", ..., "start"
    ok: bool
    message: str = ""
    seconds: float = 0.0
    skipped: bool = False

    @property
    def name(self) -> str:
        return f"{self.exercise}[seed={self.seed},{self.engine}] {self.label}"


def _reasons(verdict: Verdict) -> str:
    return "; ".join(r.reason.en for r in verdict.failures if r.reason) or "no failed check"


def judge(exercise: Exercise, label: str, attempt: Attempt | None, verdict: Verdict) -> tuple[bool, str]:
    """Whether ``verdict`` is what the pack contract expects of this attempt, and why not."""
    if label == "solution" or label.startswith("also"):
        return (True, "") if verdict.passed else (False, f"the {label} fails: {_reasons(verdict)}")
    if verdict.passed:
        return False, f"the {label} passes, but it must fail"
    assert label == "start" or attempt is not None
    missing = [n for n in (attempt.fails if attempt else ()) if not verdict.failed(n)]
    if missing:
        return False, f"the {label} fails, but not on {', '.join(missing)} (it fails on: {_reasons(verdict)})"
    return True, ""


def within_par(par: int, keys: str) -> tuple[bool, str]:
    """Whether the reference solution keeps to the par the drill shows (its key count, at most)."""
    count = len(parse_keys(keys))
    return (True, "") if count <= par else (False, f"the solution takes {count} keys, more than its par {par}")


def verify_one(template: ExerciseTemplate, seed: int, engines: Engines) -> list[Case]:
    """Replay the solution, each wrong attempt and the untouched start of one exercise variant."""
    exercise = instantiate(template, seed)
    engine = engines.engine_for(exercise.kind)
    if exercise.engines and engine not in exercise.engines:
        return [Case(exercise.id, seed, engine, "all", True, f"not for {engine}", skipped=True)]
    unmet = engines.unmet(exercise)
    if unmet is not None:
        return [Case(exercise.id, seed, engine, "all", True, unmet, skipped=True)]
    attempts: list[tuple[str, Attempt | None]] = [("solution", exercise.solution)]
    attempts += [(f"also {i + 1}", a) for i, a in enumerate(exercise.also)]
    attempts += [(f"wrong {i + 1}", w) for i, w in enumerate(exercise.wrong)]
    attempts.append(("start", None))
    cases = []
    for label, attempt in attempts:
        started = time.monotonic()
        try:
            observation = run_attempt(exercise, attempt, engines)
            ok, message = judge(exercise, label, attempt, grade(exercise.checks, observation))
            if ok and label == "solution" and attempt is not None and exercise.par:
                ok, message = within_par(exercise.par, attempt.keys_for(engine))
        except (TrainerError, SandboxError) as exc:
            ok, message = False, f"error: {exc}"
        cases.append(Case(exercise.id, seed, engine, label, ok, message, time.monotonic() - started))
    return cases


def covering_seeds(template: ExerciseTemplate, limit: int = 64) -> list[int]:
    """The fewest seeds (greedily, from 0) whose variants draw every value of every ``choice``
    parameter at least once: the variants that can differ in more than names and numbers.

    >>> from trainer.model import Source
    >>> t = ExerciseTemplate("x", "p", "t", {"params": {"a": {"choice": [1, 2]}}}, Source("f", 1), {})
    >>> sorted({draw(t.raw["params"], t.id, s)["a"] for s in covering_seeds(t)})
    [1, 2]
    """
    specs = template.raw.get("params", {})
    choices = {name: spec["choice"] for name, spec in specs.items() if isinstance(spec, Mapping) and "choice" in spec}
    wanted = {(name, repr(v)) for name, values in choices.items() for v in values}
    seeds: list[int] = []
    seen: set[tuple[str, str]] = set()
    for seed in range(limit):
        if seeds and wanted <= seen:
            break
        values = draw(specs, template.id, seed)
        new = {(name, repr(values[name])) for name in choices} - seen
        if new or not seeds:
            seeds.append(seed)
            seen |= new
    return seeds


def plan(templates: Sequence[ExerciseTemplate], seeds: int | None) -> list[tuple[ExerciseTemplate, int]]:
    """(exercise, seed) pairs: seeds 0..seeds-1 of each, or with None its covering seeds."""
    return [(t, seed) for t in templates for seed in (range(seeds) if seeds is not None else covering_seeds(t))]


def expected_cases(exercise: Exercise, engines: Engines) -> int:
    """How many cases ``verify_one`` reports for this variant: one when it is skipped, else the
    solution, every alternative, every wrong attempt and the start."""
    engine = engines.engine_for(exercise.kind)
    if (exercise.engines and engine not in exercise.engines) or engines.unmet(exercise) is not None:
        return 1
    return 2 + len(exercise.also) + len(exercise.wrong)


def _verify_task(args: tuple[ExerciseTemplate, int, Engines]) -> list[Case]:
    return [] if stopping() else verify_one(*args)


def verify(tasks: Sequence[tuple[ExerciseTemplate, int]], engines: Engines, jobs: int = 1,
           progress: Callable[[list[Case]], None] | None = None) -> list[Case]:
    """Verify every (exercise, seed) of ``tasks`` (see ``plan``), ``jobs`` variants at a time."""
    results: list[Case] = []
    for cases in pool_map(_verify_task, [(t, seed, engines) for t, seed in tasks], jobs):
        results += cases
        if progress:
            progress(cases)
    return results


def junit_xml(cases: Sequence[Case]) -> str:
    """The cases as a JUnit XML report (one testcase per replay)."""
    suite = ElementTree.Element("testsuite", name="trainer verify", tests=str(len(cases)),
                                failures=str(sum(not c.ok for c in cases)),
                                skipped=str(sum(c.skipped for c in cases)),
                                time=f"{sum(c.seconds for c in cases):.3f}")
    for c in cases:
        case = ElementTree.SubElement(suite, "testcase", classname=f"{c.exercise}.{c.engine}",
                                      name=f"seed {c.seed}: {c.label}", time=f"{c.seconds:.3f}")
        if c.skipped:
            ElementTree.SubElement(case, "skipped", message=c.message)
        elif not c.ok:
            ElementTree.SubElement(case, "failure", message=c.message)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)
