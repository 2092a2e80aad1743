"""The ``stats`` view: how much of each pack and topic the learner has passed, as lines for the terminal.

Pure: it takes the library and the best results and returns strings; the caller reads the store and prints.

>>> bar(9, 20, width=10)
'████░░░░░░'
>>> render(Library(), {}, streak=2, lang="ko")
['학습 진도', '', '연속 학습: 2일', '전체 연습 0개 중 0개 통과 · 시도 0회']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from prompt_toolkit.utils import get_cwidth

from trainer.loader import Library
from trainer.model import ExerciseTemplate
from trainer.progress import Best
from trainer.text import Text

FULL, SHADE = "█", "░"
BAR_WIDTH = 20
INDENT = "  "

TEXTS: dict[str, Text] = {
    "heading": Text("Progress", "학습 진도"),
    "streak_one": Text("Streak: 1 day", "연속 학습: 1일"),
    "streak": Text("Streak: {days} days", "연속 학습: {days}일"),
    "no_streak": Text("No streak yet — pass a drill today", "아직 연속 기록이 없습니다 — 오늘 연습 하나를 통과하세요"),
    "totals": Text("Passed {done} of {total} drills · {attempts} attempts",
                   "전체 연습 {total}개 중 {done}개 통과 · 시도 {attempts}회"),
}


@dataclass(frozen=True)
class Row:
    level: Literal["pack", "topic"]
    name: str
    title: Text
    done: int
    total: int


def _count(templates: Sequence[ExerciseTemplate], bests: Mapping[str, Best]) -> tuple[int, int]:
    done = sum(1 for t in templates if t.id in bests and bests[t.id].passed)
    return done, len(templates)


def completion(library: Library, bests: Mapping[str, Best]) -> list[Row]:
    """A row per pack followed by a row per topic of it; "done" means passed at least once."""
    rows: list[Row] = []
    for pack in library.packs:
        rows.append(Row("pack", pack.name, pack.title, *_count(pack.exercises, bests)))
        for topic in pack.topics:
            mine = [t for t in pack.exercises if t.topic == topic.name]
            rows.append(Row("topic", topic.name, topic.title, *_count(mine, bests)))
    return rows


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """Full blocks for the share done; some progress always shows, and only all of it fills the bar."""
    if total <= 0:
        return SHADE * width
    done = max(0, min(done, total))
    full = done * width // total
    if done and not full:
        full = 1
    elif done < total and full == width:
        full = width - 1
    return FULL * full + SHADE * (width - full)


def _fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to ``width`` terminal cells; Korean takes two cells."""
    if get_cwidth(text) > width:
        while text and get_cwidth(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - get_cwidth(text))


def render(library: Library, bests: Mapping[str, Best], streak: int, lang: str, width: int = 80) -> list[str]:
    """The stats screen: a heading, a bar per pack and topic in aligned columns, the streak and the totals."""
    rows = completion(library, bests)
    labels = [(INDENT if r.level == "topic" else "") + r.title.get(lang) for r in rows]
    counts = [f"{r.done}/{r.total}" for r in rows]
    count_width = max((len(c) for c in counts), default=0)
    room = width - BAR_WIDTH - count_width - 4  # two gaps of two cells
    label_width = min(max((get_cwidth(label) for label in labels), default=0), max(room, 8))
    lines = [TEXTS["heading"].get(lang), ""]
    for row, label, count in zip(rows, labels, counts, strict=True):
        lines.append(f"{_fit(label, label_width)}  {bar(row.done, row.total)}  {count.rjust(count_width)}")
    if rows:
        lines.append("")
    if streak <= 0:
        lines.append(TEXTS["no_streak"].get(lang))
    else:
        lines.append(TEXTS["streak_one" if streak == 1 else "streak"].format(days=streak).get(lang))
    done, total = _count(library.templates, bests)
    attempts = sum(b.attempts for b in bests.values())
    lines.append(TEXTS["totals"].format(done=done, total=total, attempts=attempts).get(lang))
    return lines
