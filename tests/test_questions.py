"""Concept questions: each kind judged as a student would answer it, written and proved like any exercise
(lint, verify, `trainer check --answer`), and answered in the REPL with letters, numbers or arrows."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from test_repl import F10, Harness

from conftest import ROOT
from trainer.loader import Library, instantiate, load_library
from trainer.questions import Question
from trainer.repl import Repl
from trainer.runner import Engines
from trainer.verify import plan, verify


def opt(id: str, en: str, ko: str | None = None) -> dict[str, str]:
    return {"id": id, "en": en, "ko": ko or en}


LOGIN = [opt("env", "/etc/environment"), opt("profile", "/etc/profile"), opt("home", "$HOME/.profile")]
EXPLAIN = {"en": "Because.", "ko": "그렇기 때문입니다.", "section": "1.2"}


def question(id: str, q: dict[str, Any], solution: Any, wrong: list[Any],
             also: tuple[Any, ...] = ()) -> dict[str, Any]:
    return {"id": id, "kind": "question", "title": {"en": id, "ko": id}, "prompt": {"en": "Which?", "ko": "무엇?"},
            "question": q, "explanation": EXPLAIN, "hints": [{"en": "Think.", "ko": "생각하세요."}],
            "solution": {"answer": solution}, "wrong": [{"answer": w} for w in wrong],
            "also": [{"answer": a} for a in also]}


EXERCISES = [
    question("q-choice", {"type": "choice", "options": [opt("saas", "SaaS"), opt("paas", "PaaS"), opt("iaas", "IaaS")],
                          "answer": "iaas"}, "iaas", ["saas", "paas", "zz"]),
    question("q-multi", {"type": "multi", "options": [opt("a", "ls"), opt("b", "cd"), opt("c", "vi")],
                         "answer": ["a", "c"]}, "a c", ["a", "a b c"], also=["c a"]),
    question("q-order", {"type": "order", "options": LOGIN, "answer": ["env", "profile", "home"]},
             "env profile home", ["home profile env", "env home profile"]),
    question("q-match", {"type": "match", "left": [opt("nu", ":set nu"), opt("ic", ":set ic")],
                         "right": [opt("num", "line numbers"), opt("case", "ignore case")],
                         "pairs": {"nu": "num", "ic": "case"}}, "nu=num ic=case", ["nu=case ic=num", "nu=num"]),
    question("q-short", {"type": "short", "accept": ["레플리카세트"]}, "ReplicaSet", ["Deployment", "파드"],
             also=("레플리카 셋", "replica-set", "rs")),
    question("q-number", {"type": "numeric", "value": 13}, "13", ["12", "열셋"], also=("13개", " 13 ")),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    top = tmp_path_factory.mktemp("packs")
    (top / "c").mkdir()
    (top / "c" / "pack.yaml").write_text(yaml.safe_dump({"pack": "c", "title": {"en": "C", "ko": "C"},
                                                         "topics": ["q.yaml"]}))
    (top / "c" / "q.yaml").write_text(yaml.safe_dump({"topic": "q", "title": {"en": "Q", "ko": "Q"},
                                                      "exercises": EXERCISES}, allow_unicode=True))
    loaded = load_library(top)
    assert loaded.errors == []
    return loaded


def shown(id: str, seed: int = 0, **raw: Any) -> Question:
    spec = next(e for e in EXERCISES if e["id"] == id)["question"]
    return Question.parse({**spec, **raw}, seed, id)


def test_choice_takes_a_letter_or_a_number_in_any_case() -> None:
    q = shown("q-choice")
    right = q.label("iaas")
    number = str("abc".index(right) + 1)
    assert all(q.judge(a) for a in (right, right.upper(), number, f"({right})", f" {right}) "))
    assert not any(q.judge(a) for a in ("", "d", "4", "a b", "IaaS", right * 2))


def test_multi_is_a_set_and_order_a_sequence() -> None:
    q = shown("q-multi")
    a, c = q.label("a"), q.label("c")
    assert q.judge(f"{a} {c}") and q.judge(f"{c},{a}") and q.judge(f"{a}{c}")
    assert not q.judge(a) and not q.judge(f"{a} {c} {q.label('b')}") and not q.judge(f"{a} {a} {c}")
    order = shown("q-order")
    labels = [order.label(i) for i in ("env", "profile", "home")]
    assert order.judge(" ".join(labels)) and order.judge("".join(labels)) and order.judge(", ".join(labels))
    assert not order.judge(" ".join(reversed(labels))) and not order.judge(" ".join(labels[:2]))


def test_match_takes_pairs_in_any_order_or_the_letters_in_turn() -> None:
    q = shown("q-match")
    num, case = q.label("num"), q.label("case")
    assert q.judge(f"1{num} 2{case}") and q.judge(f"2-{case}, 1-{num}") and q.judge(f"{num}{case}")
    assert not q.judge(f"1{case} 2{num}") and not q.judge(f"1{num}") and not q.judge(f"1{num} 1{case}")


def test_short_answers_forgive_case_spacing_and_the_other_name() -> None:
    q = shown("q-short")
    assert all(q.judge(a) for a in ("레플리카세트", "레플리카 세트", "레플리카셋", "ReplicaSet", "replica set", "RS."))
    assert not any(q.judge(a) for a in ("레플리카", "Deployment", "", "replicasetx"))


def test_numbers_may_carry_a_unit_and_a_tolerance() -> None:
    q = shown("q-number")
    assert q.judge("13") and q.judge("13개") and q.judge("13 pods") and not q.judge("12") and not q.judge("thirteen")
    loose = shown("q-number", tolerance=0.5)
    assert loose.judge("12.5") and not loose.judge("12.4")


def test_options_are_shuffled_per_seed_and_the_attempts_follow() -> None:
    orders = {tuple(o.id for o in shown("q-order", seed).options) for seed in range(12)}
    assert len(orders) > 1
    assert tuple(o.id for o in shown("q-order", 3, fixed=True).options) == ("env", "profile", "home")


def test_lint_names_what_a_broken_question_lacks(tmp_path: Path) -> None:
    broken = [
        question("b-unknown", {"type": "choice", "options": LOGIN, "answer": "nope"}, "env", ["home", "profile"]),
        {**question("b-noexp", {"type": "choice", "options": LOGIN, "answer": "env"}, "env", ["home", "profile"]),
         "explanation": {"en": "x", "ko": "x"}},
        question("b-order", {"type": "order", "options": LOGIN, "answer": ["env", "home"]}, "env home",
                 ["home env", "env"]),
    ]
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "pack.yaml").write_text(yaml.safe_dump({"pack": "b", "title": {"en": "B", "ko": "B"},
                                                              "topics": ["q.yaml"]}))
    (tmp_path / "b" / "q.yaml").write_text(yaml.safe_dump({"topic": "q", "title": {"en": "Q", "ko": "Q"},
                                                           "exercises": broken}))
    errors = "\n".join(load_library(tmp_path).errors)
    assert "b-unknown: question answer 'nope': give option ids (env, home, profile)" in errors
    assert "b-noexp: say which section of the notes it explains (section:)" in errors
    assert "b-order: an ordering question's answer lists every option once" in errors
    (tmp_path / "b" / "q.yaml").write_text(yaml.safe_dump({"topic": "q", "title": {"en": "Q", "ko": "Q"},
                                                           "exercises": [question("b-type", {"type": "essay"}, "x",
                                                                                  ["y", "z"])]}))
    assert "'essay' is not one of ['choice', 'multi'" in "\n".join(load_library(tmp_path).errors)


def test_verify_proves_solutions_alternatives_and_wrong_answers(library: Library) -> None:
    cases = verify(plan(library.templates, 3), Engines.detect(), 1, lambda case: None)
    assert cases and all(c.ok for c in cases), [(c.exercise, c.label, c.message) for c in cases if not c.ok]
    assert {c.label for c in cases} >= {"solution", "wrong 1", "also 1"}


def test_trainer_check_grades_an_answer_headless(library: Library, tmp_path: Path) -> None:
    packs = Path(library.packs[0].source.file).parent.parent
    ex = instantiate(library.template("q-choice"), 2)
    right = ex.solution.answer
    assert right is not None

    def check(answer: str) -> int:
        return subprocess.run([sys.executable, "-m", "trainer", "--packs", str(packs), "check", "q-choice",
                               "--seed", "2", "--answer", answer], capture_output=True, cwd=ROOT,
                              check=False).returncode
    assert check(right) == 0 and check("z") == 1


def test_the_repl_asks_a_question_and_shows_the_explanation(library: Library, tmp_path: Path) -> None:
    ex = instantiate(library.template("q-choice"), 0)
    right = ex.question.label("iaas") if ex.question else ""
    seen: dict[str, str] = {}

    def script(h: Harness) -> None:
        h.type("start q-choice\r")
        h.wait_drill("q-choice")
        screen = h.repl.screen
        assert screen is not None
        seen["start"] = "".join(f[1] for f in screen._task_text())
        h.type("\x1b[B" * (1 + "abc".index(right)))  # ↓ to the right option
        h.until(lambda: screen.answer.text == right, "↓ to choose the option")
        h.type("\r")
        h.wait_passed("q-choice")
        seen["passed"] = "".join(f[1] for f in screen._task_text())
        h.type(F10)
        h.wait_output("Passed")
        h.type("quit\r")

    with create_pipe_input() as pipe:
        harness = Harness(tmp_path, pipe)
        harness.repl = Repl(library, harness.progress, Engines.detect(), "en", tmp_path, input=pipe,
                            output=DummyOutput(), out=harness.out, today=lambda: datetime.date(2026, 12, 2))
        try:
            harness.run(script)
        finally:
            harness.progress.close()
    assert "a) " in seen["start"] and "IaaS" in seen["start"] and "Answer with the option's letter" in seen["start"]
    assert "Why: Because." not in seen["start"] and "Why: Because." in seen["passed"]

