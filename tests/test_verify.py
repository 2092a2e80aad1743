"""`trainer verify` over every pack, one test per topic and engine pair, and `trainer check` for instructors.

Each verify test replays its topic's exercises through the real programs and asserts the exact number of
cases the library promises (the solution, every wrong attempt and the untouched start of every variant,
one skipped case where an exercise is not for the engine), that none failed, and that every wrong
attempt failed on the checks it names. Shell and vi drills run every covering seed (each value of every
``choice`` parameter drawn at least once); kubectl drills, slower by far, one covering seed per engine
pair, a different one for each pair, a few exercises per test.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import PACKS, needs
from sandbox.isolation import Isolation
from trainer.cli import main
from trainer.grading import grade
from trainer.loader import instantiate, load_library
from trainer.model import ExerciseTemplate
from trainer.runner import Engines, KubeSpec, run_attempt
from trainer.verify import VERIFY_SPEED, Case, covering_seeds, expected_cases, judge, verify

pytestmark = pytest.mark.pty

LIBRARY = load_library(PACKS)
#: Engine pairs, with what they need installed.
PAIRS = {"ksh93-nvi": ("ksh93", "nvi"), "bash-vim": ("bash", "vim")}
#: Exercises verified at once: kubectl drills mostly wait for their cluster, shell and vi drills use a core.
JOBS = {"kubectl": 4}


#: kubectl topics are verified a few exercises at a time, so that no test comes near its timeout.
KUBE_CHUNK = 5
#: Engine pairs the kubectl pack is not verified under in the suite: a kubectl drill takes about a second
#: to open, and the pack under a second pair would add three minutes (`trainer verify kubectl --shell bash
#: --editor vim --cover` proves it by hand).
KUBE_NOT_UNDER = ("bash-vim",)


def groups() -> list[tuple[str, str, int]]:
    """(pack, topic, part): a shell or vi topic whole, a kubectl topic in parts of KUBE_CHUNK exercises."""
    found = []
    for pack in LIBRARY.packs:
        for topic in pack.topics:
            count = sum(t.topic == topic.name for t in pack.exercises)
            parts = -(-count // KUBE_CHUNK) if pack.name == "kubectl" else 1
            found += [(pack.name, topic.name, part) for part in range(parts)]
    return found


def members(pack: str, topic: str, part: int) -> list[ExerciseTemplate]:
    templates = [t for t in LIBRARY.templates if t.pack == pack and t.topic == topic]
    return templates[part * KUBE_CHUNK:(part + 1) * KUBE_CHUNK] if pack == "kubectl" else templates


def seeds_for(template: ExerciseTemplate, pair_index: int) -> list[int]:
    covering = covering_seeds(template)
    if template.pack == "kubectl":
        return [covering[pair_index % len(covering)]]
    return covering


def run_verify(templates: list[ExerciseTemplate], pair_index: int, engines: Engines, jobs: int) -> list[Case]:
    tasks = [(t, seed) for t in templates for seed in seeds_for(t, pair_index)]
    cases = verify(tasks, engines, jobs=jobs)
    expected = {(t.id, seed): expected_cases(instantiate(t, seed), engines) for t, seed in tasks}
    got: dict[tuple[str, int], int] = {}
    for c in cases:
        got[(c.exercise, c.seed)] = got.get((c.exercise, c.seed), 0) + 1
    assert got == expected, "cases per exercise and seed differ from the library's promise"
    failed = [f"{c.name}: {c.message}" for c in cases if not c.ok]
    assert failed == [], "\n".join(failed)
    return cases


def assert_skips_are_declared(cases: list[Case], engines: Engines) -> None:
    """A case is skipped only where the exercise itself says it is not for this engine or isolation."""
    for c in (c for c in cases if c.skipped):
        exercise = instantiate(LIBRARY.template(c.exercise), c.seed)
        engine = engines.engine_for(exercise.kind)
        declared = (exercise.engines and engine not in exercise.engines) or engines.unmet(exercise) is not None
        assert declared, f"{c.name} was skipped, but the exercise runs under {engine}: {c.message}"


PARAMS = [pytest.param(pair, pack, topic, part, id=f"{pair}-{pack}-{topic}" + f"-{part + 1}" * (pack == "kubectl"),
                       marks=needs(*engines, "bwrap", *(("kubectl",) if pack == "kubectl" else ())))
          for pair, engines in PAIRS.items() for pack, topic, part in groups()
          if not (pack == "kubectl" and pair in KUBE_NOT_UNDER)]


def test_the_parts_cover_every_exercise_once() -> None:
    ids = [t.id for pack, topic, part in groups() for t in members(pack, topic, part)]
    assert sorted(ids) == sorted(t.id for t in LIBRARY.templates)


@pytest.mark.parametrize(("pair", "pack", "topic", "part"), PARAMS)
def test_verify(pair: str, pack: str, topic: str, part: int) -> None:
    shell, editor = PAIRS[pair]
    engines = Engines.detect(shell, editor, kube=KubeSpec(speed=VERIFY_SPEED))
    templates = members(pack, topic, part)
    assert templates
    cases = run_verify(templates, list(PAIRS).index(pair), engines, JOBS.get(pack, 2))
    assert_skips_are_declared(cases, engines)
    assert any(not c.skipped for c in cases), "every exercise of the topic was skipped"


@needs("ksh93", "vim")
@pytest.mark.parametrize("pack", ["starter", "aix", "vi"])
def test_verify_without_bubblewrap(pack: str) -> None:
    """The plain sandbox (no namespaces) as well: one seed each; drills that need bwrap are skipped."""
    engines = Engines.detect("ksh93", "vim", Isolation.PLAIN)
    templates = [t for t in LIBRARY.templates if t.pack == pack]
    tasks = [(t, covering_seeds(t)[0]) for t in templates]
    cases = verify(tasks, engines, jobs=2)
    assert len(cases) == sum(expected_cases(instantiate(t, seed), engines) for t, seed in tasks)
    assert [f"{c.name}: {c.message}" for c in cases if not c.ok] == []
    assert_skips_are_declared(cases, engines)
    if pack == "aix":
        assert any(c.skipped and "bubblewrap" in c.message for c in cases), "no bwrap-only drill was skipped"


def test_expected_cases_counts_solution_alternatives_wrongs_and_start() -> None:
    template = LIBRARY.template("chmod-owner-exec")
    exercise = instantiate(template, 0)
    engines = Engines.detect("ksh93", "nvi")
    assert exercise.also  # the count must include them
    assert expected_cases(exercise, engines) == 2 + len(exercise.also) + len(exercise.wrong)


def test_a_wrong_attempt_that_fails_for_another_reason_is_a_failed_case(tmp_path: Path) -> None:
    """judge() holds a wrong attempt to the checks it names: failing for another reason is not enough."""
    exercise = instantiate(LIBRARY.template("chmod-owner-exec"), 0)
    wrong = exercise.wrong[0]
    results = grade(exercise.checks, run_attempt(exercise, wrong, Engines.detect("ksh93", "nvi")))
    ok, _ = judge(exercise, "wrong 1", wrong, results)
    assert ok
    other = next(c.id for c in exercise.checks if c.id not in wrong.fails)
    renamed = type(wrong)(keys=wrong.keys, fails=(other,), why="names a check that passes")
    ok, message = judge(exercise, "wrong 1", renamed, results)
    assert not ok and other in message


def trainer(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), env={}, out=out)
    return code, out.getvalue()


def test_verify_command_writes_junit_with_every_case(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, text = trainer("--packs", str(PACKS), "verify", "starter", "--cover", "--jobs", "2", "--junit", str(report))
    assert code == 0, text
    suite = ET.parse(report).getroot()
    want = sum(2 + len(ex.also) + len(ex.wrong)
               for t in LIBRARY.select(["starter"]) for s in covering_seeds(t) for ex in [instantiate(t, s)])
    assert int(suite.get("tests", "0")) == want and suite.get("failures") == "0"
    assert f"verify: {want} passed, 0 failed, 0 skipped" in text


def test_check_passes_fails_and_errors(tmp_path: Path) -> None:
    dir_name = instantiate(load_library(PACKS).template("chmod-equals-clears"), 0).params["dir"]
    keys = tmp_path / "keys.txt"
    keys.write_text(f"chmod o=\n {dir_name}<CR>\n", encoding="utf-8")  # line breaks are ignored
    code, text = trainer("--packs", str(PACKS), "check", "chmod-equals-clears", "--keys", str(keys), "--json")
    assert code == 0, text
    verdict = json.loads(text)
    assert verdict["passed"] is True and verdict["keys"] == len(f"chmod o= {dir_name}") + 1
    keys.write_text(f"chmod 700 {dir_name}<CR>", encoding="utf-8")
    code, text = trainer("--packs", str(PACKS), "--lang", "ko", "check", "chmod-equals-clears", "--keys", str(keys))
    assert code == 1 and "✗ equals" in text and "= 연산자" in text
    code, _ = trainer("--packs", str(PACKS), "check", "no-such-exercise", "--answer", "1")
    assert code == 2
    code, _ = trainer("--packs", str(PACKS), "check", "chmod-equals-clears", "--keys", str(tmp_path / "none"))
    assert code == 2


def test_check_a_quiz_answer() -> None:
    ex = instantiate(load_library(PACKS).template("ls-dir-link-count"), 1)
    right = str(ex.params["subdirs"] + 2)
    assert trainer("--packs", str(PACKS), "check", ex.id, "--seed", "1", "--answer", right)[0] == 0
    assert trainer("--packs", str(PACKS), "check", ex.id, "--seed", "1", "--answer", "2")[0] == 1


def test_list_and_doctor() -> None:
    code, text = trainer("--packs", str(PACKS), "list")
    assert code == 0 and "chmod-owner-exec" in text and "vi-global-substitute" in text
    code, text = trainer("--packs", str(PACKS), "--lang", "ko", "list")
    assert "심볼릭" in text
    code, text = trainer("doctor")
    assert code == 0 and "isolation:" in text and "ksh93" in text
