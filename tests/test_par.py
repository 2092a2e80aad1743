"""A drill's par: written as a number or counted from the solution (`par: solution`), and kept by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import needs
from trainer.loader import instantiate, load_library
from trainer.runner import Engines
from trainer.verify import verify_one, within_par

TOPIC = """\
topic: t
title: {{en: T, ko: 티}}
exercises:
  - id: par-drill
    kind: shell
    title: {{en: "Make a file", ko: "파일 만들기"}}
    prompt: {{en: "Create the file done.", ko: "done 파일을 만드세요."}}
    checks:
      - {{kind: file_exists, path: done}}
    hints:
      - {{en: "touch", ko: "touch"}}
    solution: {{keys: "touch done<CR>"}}
    par: {par}
    wrong:
      - {{keys: ""}}
      - {{keys: "touch other<CR>"}}
"""


def write(tmp_path: Path, par: str) -> Path:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.yaml").write_text("pack: p\ntitle: {en: P, ko: 피}\ntopics: [t.yaml]\n", encoding="utf-8")
    (tmp_path / "p" / "t.yaml").write_text(TOPIC.format(par=par), encoding="utf-8")
    return tmp_path


def test_par_solution_counts_the_solutions_keys(tmp_path: Path) -> None:
    library = load_library(write(tmp_path, "solution"))
    assert library.errors == []
    assert instantiate(library.template("par-drill"), 0).par == len("touch done") + 1  # <CR> is one key


def test_within_par() -> None:
    assert within_par(11, "touch done<CR>") == (True, "")
    ok, why = within_par(10, "touch done<CR>")
    assert not ok and why == "the solution takes 11 keys, more than its par 10"


@needs("ksh93")
@pytest.mark.parametrize(("par", "passes"), [("11", True), ("10", False)])
def test_verify_fails_a_solution_over_its_par(tmp_path: Path, par: str, passes: bool) -> None:
    library = load_library(write(tmp_path, par))
    assert library.errors == []
    cases = {c.label: c for c in verify_one(library.template("par-drill"), 0, Engines.detect())}
    assert cases["solution"].ok is passes
    assert all(c.ok for label, c in cases.items() if label != "solution")
