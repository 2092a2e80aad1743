"""What an exam's results say: the score, the report per chapter and topic, each task's review, the history.

Pure functions from a paper and its stored task results to lines of text. A task's score is the share of
its checks' weights that passed; a task never answered scores nothing; the exam's score is the mean of its
tasks' scores out of 100 (tasks that cannot run on the machine are left out).

>>> paper = Paper(1, 60, (Task(1, "a", 5, 1, "vi-set", "vi"), Task(2, "b", 6, 2, "pods", "kubectl")))
>>> exam_score(paper, {1: result(1, earned=3, possible=4)}, set())
37.5
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from trainer.errors import TrainerError
from trainer.exam_paper import Paper, Task, chapter_title, paper_of
from trainer.exam_text import clock_text, exam_say
from trainer.progress import ExamRecord, ExamTaskRecord
from trainer.text import Text


def result(number: int, *, earned: float, possible: float, exercise: str = "a") -> ExamTaskRecord:
    """A stored result with only its score (for examples and tests)."""
    return ExamTaskRecord(0, number, exercise, 0, earned, possible, earned == possible, "", 0, None, "[]", None, 0.0)


def fraction(task: Task, results: Mapping[int, ExamTaskRecord]) -> float:
    found = results.get(task.number)
    if found is None or found.possible <= 0:
        return 0.0
    return found.earned / found.possible


def exam_score(paper: Paper, results: Mapping[int, ExamTaskRecord], not_scored: Collection[int]) -> float:
    scored = [t for t in paper.tasks if t.number not in not_scored]
    if not scored:
        return 0.0
    return round(100 * sum(fraction(t, results) for t in scored) / len(scored), 1)


def _percent(value: float) -> str:
    return f"{round(100 * value):d}"


def report_lines(record: ExamRecord, paper: Paper, results: Mapping[int, ExamTaskRecord],
                 not_scored: Collection[int], topic_titles: Mapping[str, Text], lang: str) -> list[str]:
    """The score, then the score per chapter and per topic (in the paper's order), and the weakest place."""
    scored = [t for t in paper.tasks if t.number not in not_scored]
    used = clock_text(record.minutes * 60 - record.time_left)
    score = record.score if record.score is not None else exam_score(paper, results, not_scored)
    lines = [exam_say("report_head", lang, id=record.id, seed=record.seed, score=f"{score:g}", tasks=len(scored),
                      used=used, minutes=record.minutes)]
    groups: list[tuple[str, dict[str, list[Task]]]] = [("report_chapter", defaultdict(list)),
                                                       ("report_topic", defaultdict(list))]
    for t in scored:
        groups[0][1][chapter_title(t.chapter, lang)].append(t)
        title = topic_titles.get(t.topic)
        groups[1][1][f"{t.topic} ({title.get(lang)})" if title else t.topic].append(t)
    weakest: tuple[float, str] | None = None
    for heading, members in groups:
        lines += ["", exam_say(heading, lang)]
        width = max((len(name) for name in members), default=10)
        for name, tasks in members.items():
            share = sum(fraction(t, results) for t in tasks) / len(tasks)
            lines.append(f"  {name:{width}}  " + exam_say("report_row", lang, tasks=len(tasks),
                                                          score=f"{_percent(share):>3}"))
            if heading == "report_topic" and (weakest is None or share < weakest[0]):
                weakest = (share, name)
    skipped = [t.exercise for t in paper.tasks if t.number in not_scored]
    if skipped:
        lines += ["", exam_say("report_not_scored", lang, ids=", ".join(skipped))]
    lines.append("")
    if weakest is None or weakest[0] >= 1:
        lines.append(exam_say("report_all", lang))
    else:
        lines.append(exam_say("report_weakest", lang, name=weakest[1]))
    return lines


def check_lines(stored: ExamTaskRecord, lang: str) -> list[str]:
    """The checks as the review shows them, in words: each failed one's reason and the points it cost, then
    how many passed (never a check's id)."""
    try:
        checks = [c for c in json.loads(stored.checks) if isinstance(c, dict) and {"passed", "weight"} <= set(c)]
    except ValueError:
        checks = []  # a damaged record: the score stands, the words are lost
    lines = []
    for check in checks:
        if not check["passed"]:
            reason = check.get("reason") or {}
            words = reason.get(lang) or reason.get("en") or exam_say("check_failed", lang)
            lines.append("  ✗ " + exam_say("check_cost", lang, reason=words, points=f"{check['weight']:g}"))
    passed = [c for c in checks if c["passed"]]
    if passed:
        lines.append("  ✓ " + exam_say("checks_passed", lang, n=len(passed),
                                       points=f"{sum(c['weight'] for c in passed):g}"))
    return lines


def history_lines(records: Sequence[ExamRecord], lang: str) -> list[str]:
    """Every exam taken, with its score (or the time it has left, while it runs)."""
    if not records:
        return [exam_say("history_none", lang)]
    lines = [exam_say("history_head", lang)]
    for r in records:
        date = datetime.datetime.fromtimestamp(r.started).strftime("%Y-%m-%d")
        try:
            tasks: int | str = len(paper_of(r).tasks)
        except TrainerError:
            tasks = "?"
        if r.finished is not None and r.score is None:
            lines.append("  " + exam_say("history_set_aside", lang, id=r.id, date=date))
        elif r.finished is None:
            lines.append("  " + exam_say("history_running", lang, id=r.id, date=date, left=clock_text(r.time_left)))
        else:
            scope = f", ch{r.chapter}" if r.chapter is not None else ""
            lines.append("  " + exam_say("history_row", lang, id=r.id, date=date, score=f"{r.score or 0:g}",
                                         tasks=tasks, scope=scope))
    return lines
