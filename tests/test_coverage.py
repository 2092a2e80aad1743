"""The coverage map: the course's facts file, the exercises' covers:, lint and `trainer coverage`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PACKS
from trainer.cli import main
from trainer.coverage import FACTS_FILE, load_facts, parse_facts
from trainer.coverage import coverage as coverage_rows
from trainer.errors import PackError
from trainer.loader import load_library

FACTS = "# id\tchapter\tnotes lines\tfact\nf001\t1\tL1\tOne thing\nf002\t1\tL2\tAnother\nf003\t2\tL9\tA third\n"


def drill(id: str, covers: list[str]) -> dict[str, Any]:
    return {"id": id, "kind": "shell", "covers": covers, "title": {"en": id, "ko": id},
            "prompt": {"en": "Make a.", "ko": "a를 만드세요."},
            "checks": [{"kind": "file_exists", "path": "a"}], "hints": [{"en": "touch", "ko": "touch"}],
            "solution": {"keys": "touch a<CR>"}, "wrong": [{"keys": "ls<CR>"}, {"keys": "touch b<CR>"}]}


def quiz(id: str, covers: list[str]) -> dict[str, Any]:
    return {"id": id, "kind": "question", "covers": covers, "title": {"en": id, "ko": id},
            "prompt": {"en": "How many?", "ko": "몇 개?"}, "question": {"type": "numeric", "value": 2},
            "explanation": {"en": "Two.", "ko": "두 개.", "section": "Ch 1"},
            "hints": [{"en": "Count.", "ko": "세세요."}], "solution": {"answer": "2"},
            "wrong": [{"answer": "1"}, {"answer": "3"}]}


def packs(tmp_path: Path, exercises: list[dict[str, Any]], facts: str = FACTS) -> Path:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.yaml").write_text(yaml.safe_dump({"pack": "p", "title": {"en": "P", "ko": "P"},
                                                              "topics": ["t.yaml"]}))
    (tmp_path / "p" / "t.yaml").write_text(yaml.safe_dump({"topic": "t", "title": {"en": "T", "ko": "T"},
                                                           "exercises": exercises}, allow_unicode=True))
    (tmp_path / FACTS_FILE).write_text(facts)
    return tmp_path


def coverage(top: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--packs", str(top), "coverage", *extra], env={}, out=out)
    return code, out.getvalue()


def test_the_shipped_facts_are_the_courses_251() -> None:
    facts = load_facts(PACKS)
    assert facts is not None and len(facts) == 251
    assert [sum(f.chapter == c for f in facts) for c in (1, 2, 3, 4)] == [84, 99, 29, 39]


def test_a_malformed_facts_row_is_named_by_file_and_line() -> None:
    with pytest.raises(PackError, match=r"^f.tsv:3: want id"):
        parse_facts("# header\nf001\t1\tL1\tok\nf002 1 L2 no tabs\n", "f.tsv")
    with pytest.raises(PackError, match=r"^f.tsv:2: fact f001 is listed twice"):
        parse_facts("f001\t1\tL1\ta\nf001\t1\tL1\tb\n", "f.tsv")


def test_lint_refuses_a_fact_the_course_does_not_have(tmp_path: Path) -> None:
    library = load_library(packs(tmp_path, [drill("d1", ["f001", "f999"])]))
    assert any("d1: covers: no fact 'f999' in course-facts.tsv" in e for e in library.errors), library.errors


def test_coverage_counts_drills_and_questions_per_chapter_and_fails_on_a_gap(tmp_path: Path) -> None:
    top = packs(tmp_path, [drill("d1", ["f001"]), quiz("q1", ["f001", "f002"])])
    code, text = coverage(top)
    assert code == 1
    assert "ch1          2      1              1     0" in text  # f001 by a drill, f002 by a question only
    assert "ch2          1      0              0     1" in text
    assert "not covered:\n  f003  ch2  L9  A third" in text
    code, text = coverage(top, "--verbose")
    assert "f001  drill     d1, q1" in text and "f002  question  q1" in text


def test_coverage_passes_when_every_fact_is_covered(tmp_path: Path) -> None:
    code, text = coverage(packs(tmp_path, [drill("d1", ["f001", "f003"]), quiz("q1", ["f002"])]))
    assert code == 0 and "not covered" not in text
    assert "all          3      2              1     0" in text


def test_the_shipped_packs_cover_every_fact_of_the_course() -> None:
    library = load_library(PACKS)
    facts = load_facts(PACKS)
    assert facts is not None and not library.errors, library.errors[:3]
    rows = coverage_rows(facts, library.templates)
    assert [r.fact.id for r in rows if r.status == "none"] == []
    drilled = sum(r.status == "drill" for r in rows)
    assert drilled >= 180, f"only {drilled} facts drilled in a real program"  # the rest are concepts
    code, text = coverage(PACKS)
    assert code == 0 and "not covered" not in text
