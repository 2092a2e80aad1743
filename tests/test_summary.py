"""Crib sheets: `trainer summary` and `summary TOPIC` in the REPL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_repl import LIBRARY, Harness

from trainer.cli import main
from trainer.loader import instantiate
from trainer.summary import summary


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_topic_has_a_sheet_with_every_exercise(lang: str) -> None:
    sheet = summary(LIBRARY, None, lang, "md")
    for pack in LIBRARY.packs:
        for topic in pack.topics:
            assert f"## {pack.title.get(lang)} · {topic.title.get(lang)}\n" in sheet
    for template in LIBRARY.templates:
        assert f"- {instantiate(template, 0).title.get(lang)}: " in sheet, template.id
    headings = [line for line in sheet.splitlines() if line.startswith("## ")]
    assert headings[0].startswith(f"## {LIBRARY.packs[0].title.get(lang)}")  # the course's order


def test_a_question_is_answered_in_words_and_a_drill_by_its_command() -> None:
    iaas = instantiate(LIBRARY.template("concept-spi-iaas"), 0)
    assert iaas.question is not None and iaas.question.correct_answer("en") == "IaaS (Infrastructure as a Service)"
    sheet = summary(LIBRARY, ["concepts-cloud", "aix-chmod"], "en")
    assert "- IaaS: what the provider gives: IaaS (Infrastructure as a Service). IaaS rents" in sheet
    owner_write = instantiate(LIBRARY.template("aix-chmod-owner-write"), 0)
    assert f"- {owner_write.title.en}: {owner_write.hints[-1].en}" in sheet
    assert "Cloud and virtualisation\n=====" in sheet and "## " not in sheet


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["--lang", "ko", "summary", "aix-login", "--format", "md"], env={}, out=out) == 0
    assert out.getvalue().startswith("## 1장: AIX 개요 · 로그인 프로파일\n")
    assert main(["summary", "nope"], env={}, out=io.StringIO()) == 2
    assert capsys.readouterr().err == "trainer: no topic or pack 'nope' (see `trainer list`)\n"


def test_summary_in_the_repl(tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input

    with create_pipe_input() as pipe:
        harness = Harness(tmp_path, pipe)
        text = harness.run(lambda h: h.type("summary aix-login\rsummary\rsummary nope\rquit\r"))
        harness.progress.close()
    assert "Ch 1: AIX overview · The login profiles\n" in text
    assert "Usage: summary TOPIC" in text and "No topic or pack 'nope'." in text
