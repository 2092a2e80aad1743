"""The stats view over a small real pack: counts, bars aligned by display width, texts in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.utils import get_cwidth

from conftest import PACKS
from trainer.loader import Library, load_library
from trainer.progress import Best
from trainer.stats import FULL, SHADE, Row, bar, completion, render


@pytest.fixture(scope="module")
def library() -> Library:
    library = load_library(PACKS / "starter")
    assert library.errors == []
    return library


def passed(*ids: str, attempts: int = 2) -> dict[str, Best]:
    return {i: Best(i, attempts, True, 3, 1.0, False, False) for i in ids}


def ids_of(library: Library, topic: str) -> list[str]:
    return [t.id for t in library.templates if t.topic == topic]


def test_bar_shares_and_edges() -> None:
    assert bar(9, 20) == FULL * 9 + SHADE * 11
    assert bar(0, 0) == SHADE * 20
    assert bar(0, 5, width=10) == SHADE * 10
    assert bar(5, 5, width=10) == FULL * 10
    assert bar(1, 100, width=10) == FULL + SHADE * 9  # some progress always shows
    assert bar(99, 100, width=10) == FULL * 9 + SHADE  # only all of it fills the bar
    assert bar(7, 3, width=4) == FULL * 4
    assert all(len(bar(d, 7)) == 20 for d in range(8))


def test_completion_counts_passed_exercises_per_pack_and_topic(library: Library) -> None:
    [pack] = library.packs
    first, second = pack.topics[0].name, pack.topics[1].name
    failed = {i: Best(i, 4, False, None, None, True, False) for i in ids_of(library, second)}
    rows = completion(library, {**passed(*ids_of(library, first)), **failed, "retired-drill": passed("x")["x"]})
    total = len(library.templates)
    assert rows[0] == Row("pack", pack.name, pack.title, len(ids_of(library, first)), total)
    assert [r.level for r in rows] == ["pack"] + ["topic"] * len(pack.topics)
    assert rows[1] == Row("topic", first, pack.topics[0].title, len(ids_of(library, first)),
                          len(ids_of(library, first)))
    assert (rows[2].done, rows[2].total) == (0, len(ids_of(library, second)))
    assert sum(r.total for r in rows[1:]) == total


def table_rows(lines: list[str]) -> list[str]:
    return [line for line in lines if FULL in line or SHADE in line]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_render_aligns_bars_by_display_width(library: Library, lang: str) -> None:
    [pack] = library.packs
    bests = passed(*ids_of(library, pack.topics[0].name), attempts=3)
    lines = render(library, bests, streak=3, lang=lang)
    rows = table_rows(lines)
    assert len(rows) == 1 + len(pack.topics)
    assert rows[0].startswith(pack.title.get(lang))
    assert rows[1].startswith("  " + pack.topics[0].title.get(lang))
    starts = {get_cwidth(row[:min(i for i in (row.find(FULL), row.find(SHADE)) if i >= 0)]) for row in rows}
    assert len(starts) == 1
    assert {get_cwidth(row) for row in rows} == {get_cwidth(rows[0])} and get_cwidth(rows[0]) <= 80
    done, total = len(bests), len(library.templates)
    assert rows[0].endswith(f"{done}/{total}")
    assert f"{FULL}{SHADE}" in rows[0] and bar(done, total) in rows[0]
    attempts = 3 * done
    totals = {"en": f"Passed {done} of {total} drills · {attempts} attempts",
              "ko": f"전체 연습 {total}개 중 {done}개 통과 · 시도 {attempts}회"}
    streaks = {"en": "Streak: 3 days", "ko": "연속 학습: 3일"}
    assert lines[0] == {"en": "Progress", "ko": "학습 진도"}[lang]
    assert lines[-2:] == [streaks[lang], totals[lang]]


def test_korean_titles_are_two_cells_wide(library: Library) -> None:
    en, ko = (table_rows(render(library, {}, 0, lang)) for lang in ("en", "ko"))
    assert all(len(row) < get_cwidth(row) for row in ko)
    assert all(len(row) == get_cwidth(row) for row in en)


@pytest.mark.parametrize(("streak", "lang", "text"), [
    (0, "en", "No streak yet — pass a drill today"),
    (0, "ko", "아직 연속 기록이 없습니다 — 오늘 연습 하나를 통과하세요"),
    (1, "en", "Streak: 1 day"),
    (1, "ko", "연속 학습: 1일"),
    (12, "en", "Streak: 12 days"),
])
def test_streak_line(library: Library, streak: int, lang: str, text: str) -> None:
    assert text in render(library, {}, streak, lang)


def test_a_narrow_terminal_cuts_long_titles_but_keeps_bars_aligned(library: Library) -> None:
    rows = table_rows(render(library, {}, 0, "ko", width=40))
    assert {get_cwidth(row) for row in rows} == {40}
    assert any("…" in row for row in rows)


def test_a_tiny_pack_written_here(tmp_path: Path) -> None:
    pack = tmp_path / "mini"
    pack.mkdir()
    (pack / "pack.yaml").write_text("pack: mini\ntitle: {en: Mini, ko: 작은 팩}\ntopics: [quiz.yaml]\n",
                                    encoding="utf-8")
    (pack / "quiz.yaml").write_text(MINI_TOPIC, encoding="utf-8")
    library = load_library(tmp_path)
    assert library.errors == []
    lines = render(library, passed("mini-a"), streak=0, lang="ko")
    assert table_rows(lines) == [f"작은 팩  {bar(1, 2)}  1/2", f"  퀴즈   {bar(1, 2)}  1/2"]


MINI_TOPIC = """\
topic: quiz
title: {en: Quiz, ko: 퀴즈}
exercises:
""" + "".join(f"""\
  - id: mini-{name}
    kind: quiz
    title: {{en: "Q", ko: "질문"}}
    prompt: {{en: "Say 4", ko: "4"}}
    checks:
      - {{kind: answer, expected: "4"}}
    hints:
      - {{en: "four", ko: "넷"}}
    solution: {{answer: "4"}}
    wrong:
      - {{answer: "3"}}
      - {{answer: "5"}}
""" for name in "ab")
