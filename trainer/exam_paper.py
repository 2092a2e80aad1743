"""A mock exam's paper: which tasks it sets, and how a task's checks turn into a score.

Pure functions over the library. ``draw`` picks the tasks chapter by chapter in proportion to the course's
facts (the notes' weight), real-program drills and questions mixed, topics spread, no two tasks with the
same solution, each task with its own variant; the same seed draws the same paper. ``check_weight`` and
``task_score`` give partial credit per check; ``paper_text`` prints a paper for a class.

>>> quotas({1: 84, 2: 99, 3: 29, 4: 39}, 12)
{1: 4, 2: 5, 3: 1, 4: 2}
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trainer.check_base import METHOD_KINDS
from trainer.errors import TrainerError
from trainer.grading import Verdict
from trainer.loader import Library, instantiate
from trainer.model import ANSWERED_KINDS, Check, Exercise, ExerciseTemplate
from trainer.progress import ExamRecord
from trainer.text import Text

DEFAULT_MINUTES = 60
DEFAULT_TASKS = 12
#: A check's share of its task when the pack gives none: what was made outweighs how it was made.
RESULT_WEIGHT, METHOD_WEIGHT = 2.0, 1.0
#: Seeds of the tasks' variants: what ``trainer check --batch`` reads in a file name (EXERCISE@SEED).
MAX_SEED = 999_999

CHAPTER_TITLES: dict[int, Text] = {
    1: Text("servers, cloud, the AIX shell and vi", "서버, 클라우드, AIX 셸과 vi"),
    2: Text("Kubernetes core concepts", "쿠버네티스 핵심 개념"),
    3: Text("Service, Namespace and DNS", "서비스, 네임스페이스, DNS"),
    4: Text("Label, ConfigMap, Secret and Ingress", "레이블, 컨피그맵, 시크릿, 인그레스"),
}


def chapter_number(text: str) -> int:
    digits = text.lower().removeprefix("ch")
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a chapter (ch1, ch2, ...)")
    return int(digits)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options an exam takes, for `trainer exam` and `exam` in the REPL alike."""
    parser.add_argument("--minutes", type=int, default=DEFAULT_MINUTES, help="time for the whole exam (default: 60)")
    parser.add_argument("--tasks", type=int, default=DEFAULT_TASKS, help="how many tasks (default: 12)")
    parser.add_argument("--chapter", type=chapter_number, metavar="chN", help="only one chapter's tasks (ch1..ch4)")
    parser.add_argument("--seed", type=int, help="the paper's seed: the same seed sets the same tasks and variants "
                                                 "(default: a new one, printed at the start)")


@dataclass(frozen=True)
class Task:
    """One task of a paper: an exercise in one variant, and where it sits in the course."""

    number: int  # 1-based, as the paper prints it
    exercise: str
    seed: int
    chapter: int
    topic: str
    pack: str


@dataclass(frozen=True)
class Paper:
    seed: int
    minutes: int
    tasks: tuple[Task, ...]
    chapter: int | None = None  # only this chapter's tasks; None: the whole course


def paper_json(paper: Paper) -> str:
    """The paper as the progress file keeps it: the tasks in order, each [exercise, seed, chapter, topic, pack]."""
    return json.dumps({"tasks": [[t.exercise, t.seed, t.chapter, t.topic, t.pack] for t in paper.tasks]})


def paper_of(record: ExamRecord) -> Paper:
    """The paper of a stored exam; a TrainerError naming the exam when the file holds something else."""
    try:
        cells = json.loads(record.paper)["tasks"]
        tasks = tuple(Task(n, str(e), int(s), int(c), str(t), str(p)) for n, (e, s, c, t, p) in enumerate(cells, 1))
    except (ValueError, KeyError, TypeError) as exc:
        raise TrainerError(f"exam {record.id} in the progress file has an unreadable paper ({exc})") from exc
    return Paper(record.seed, record.minutes, tasks, record.chapter)


def chapter_title(chapter: int, lang: str) -> str:
    title = CHAPTER_TITLES.get(chapter)
    return f"ch{chapter}" + (f" {title.get(lang)}" if title else "")


def chapters_of(library: Library) -> dict[str, int]:
    """Each exercise's chapter: the one most of the facts it covers come from (the lower on a tie); an
    exercise that covers none takes its pack's most common chapter."""
    fact_chapter = {f.id: f.chapter for f in library.facts}
    out: dict[str, int] = {}
    by_pack: dict[str, Counter[int]] = defaultdict(Counter)
    for t in library.templates:
        counts = Counter(fact_chapter[c] for c in t.raw.get("covers", ()) if c in fact_chapter)
        by_pack[t.pack].update(counts)
        if counts:
            out[t.id] = min(counts, key=lambda ch: (-counts[ch], ch))
    for t in library.templates:
        if t.id not in out:
            counts = by_pack[t.pack]
            out[t.id] = min(counts, key=lambda ch: (-counts[ch], ch)) if counts else 1
    return out


def quotas(weights: Mapping[int, int], total: int) -> dict[int, int]:
    """``total`` tasks shared out in proportion to ``weights`` (largest remainder; ties to the lower key)."""
    whole = sum(weights.values())
    if whole <= 0:
        return {key: 0 for key in weights}
    exact = {key: total * w / whole for key, w in weights.items()}
    share = {key: int(x) for key, x in exact.items()}
    left = total - sum(share.values())
    for key in sorted(weights, key=lambda k: (-(exact[k] - share[k]), k))[:left]:
        share[key] += 1
    return dict(sorted(share.items()))


def solution_signature(exercise: Exercise) -> tuple[object, ...]:
    """What makes two tasks the same task: a drill's solution keys, a question's prompt and right answer."""
    if exercise.kind in ANSWERED_KINDS:
        return (exercise.kind, exercise.prompt.en, exercise.solution.answer)
    return ("keys", tuple(sorted(exercise.solution.keys.items())))


def _spread(templates: Sequence[ExerciseTemplate], rng: random.Random) -> list[ExerciseTemplate]:
    """``templates`` shuffled, then dealt topic by topic, so that the first few come from different topics."""
    shuffled = list(templates)
    rng.shuffle(shuffled)
    by_topic: dict[str, list[ExerciseTemplate]] = defaultdict(list)
    for t in shuffled:
        by_topic[t.topic].append(t)
    dealt: list[ExerciseTemplate] = []
    while any(by_topic.values()):
        for topic in list(by_topic):
            if by_topic[topic]:
                dealt.append(by_topic[topic].pop(0))
    return dealt


def draw(library: Library, *, seed: int, tasks: int = DEFAULT_TASKS, minutes: int = DEFAULT_MINUTES,
         chapter: int | None = None, exclude: Iterable[str] = ()) -> Paper:
    """A paper of ``tasks`` tasks: per chapter as many as its share of the course's facts, half of them drills
    and half questions (an odd one by turns), each pool dealt topic by topic. ``exclude`` names exercises that
    must not be set."""
    if tasks < 1:
        raise TrainerError(f"--tasks {tasks}: an exam needs at least one task")
    if minutes < 1:
        raise TrainerError(f"--minutes {minutes}: an exam needs at least one minute")
    chapters = chapters_of(library)
    known = sorted({f.chapter for f in library.facts} | set(chapters.values()))
    if chapter is not None and chapter not in known:
        raise TrainerError(f"--chapter ch{chapter}: the course has chapters " + ", ".join(f"ch{c}" for c in known))
    skip = set(exclude)
    pool = [t for t in library.templates if t.id not in skip and (chapter is None or chapters[t.id] == chapter)]
    if len(pool) < tasks:
        where = f" in ch{chapter}" if chapter is not None else ""
        raise TrainerError(f"--tasks {tasks}: the packs have only {len(pool)} exercises{where}")
    facts = Counter(f.chapter for f in library.facts) or Counter(chapters.values())
    weights = {chapter: 1} if chapter is not None else {ch: facts.get(ch, 0) for ch in known}
    share = quotas(weights, tasks)
    rng = random.Random(seed)
    chosen: list[tuple[ExerciseTemplate, int]] = []
    seen: set[tuple[object, ...]] = set()
    shortfall = 0
    odd = 1  # a chapter with an odd share: its odd task is a drill, then a question, in turn
    for ch, wanted in share.items():
        members = [t for t in pool if chapters[t.id] == ch]
        drills = _spread([t for t in members if t.raw.get("kind") not in ANSWERED_KINDS], rng)
        questions = _spread([t for t in members if t.raw.get("kind") in ANSWERED_KINDS], rng)
        wanted += shortfall
        want_drills = min((wanted + odd) // 2, len(drills))
        odd = 1 - odd if wanted % 2 else odd
        picked = _take(drills, want_drills, rng, seen) if want_drills else []
        picked += _take(questions, wanted - len(picked), rng, seen)
        picked += _take([t for t in drills if t not in [p for p, _ in picked]], wanted - len(picked), rng, seen)
        shortfall = wanted - len(picked)  # a chapter with too few tasks hands its share to the next
        chosen += picked
    if shortfall:
        rest = [t for t in _spread(pool, rng) if t not in [p for p, _ in chosen]]
        chosen += _take(rest, shortfall, rng, seen)
    if len(chosen) < tasks:
        raise TrainerError(f"--tasks {tasks}: only {len(chosen)} tasks with different solutions can be drawn")
    order = sorted(chosen, key=lambda pair: chapters[pair[0].id])  # by chapter, drawn order within one
    return Paper(seed, minutes, tuple(Task(n, t.id, s, chapters[t.id], t.topic, t.pack)
                                      for n, (t, s) in enumerate(order, 1)), chapter)


def _take(candidates: Sequence[ExerciseTemplate], count: int, rng: random.Random,
          seen: set[tuple[object, ...]]) -> list[tuple[ExerciseTemplate, int]]:
    """Up to ``count`` of ``candidates`` in order, each with a fresh seed, none solved as one already taken."""
    out: list[tuple[ExerciseTemplate, int]] = []
    for template in candidates:
        if len(out) >= count:
            break
        seed = rng.randint(1, MAX_SEED)
        signature = solution_signature(instantiate(template, seed))
        if signature in seen:
            continue
        seen.add(signature)
        out.append((template, seed))
    return out


def check_weight(check: Check) -> float:
    if check.weight is not None:
        return float(check.weight)
    return METHOD_WEIGHT if check.kind in METHOD_KINDS else RESULT_WEIGHT


def task_score(verdict: Verdict) -> tuple[float, float]:
    """(earned, possible) over the checks graded: each check's weight, earned when it passed."""
    possible = sum(check_weight(r.check) for r in verdict.results)
    earned = sum(check_weight(r.check) for r in verdict.results if r.passed)
    return earned, possible


def paper_text(library: Library, paper: Paper, lang: str, *, answers: bool = False) -> str:
    """The paper as plain text: each task's title, prompt and options, with the exercise and seed an
    instructor grades it by; ``answers`` adds each solution and explanation."""
    scope = chapter_title(paper.chapter, lang) if paper.chapter is not None else (
        "전 범위" if lang == "ko" else "the whole course")
    if lang == "ko":
        lines = [f"모의 중간고사 · 시드 {paper.seed} · {len(paper.tasks)}문항 · {paper.minutes}분 · {scope}",
                 "채점: 학생별 폴더에 EXERCISE@SEED.keys 또는 .answer 파일을 두고 "
                 "`trainer check --batch DIR --csv FILE`.", ""]
    else:
        lines = [f"Mock midterm · seed {paper.seed} · {len(paper.tasks)} tasks · {paper.minutes} minutes · {scope}",
                 "Grading: a folder per student with an EXERCISE@SEED.keys or .answer file per task, then "
                 "`trainer check --batch DIR --csv FILE`.", ""]
    for task in paper.tasks:
        ex = instantiate(library.template(task.exercise), task.seed)
        kind = {"question": "문제", "quiz": "퀴즈"}.get(ex.kind, ex.kind) if lang == "ko" else ex.kind
        lines.append(f"{task.number}. {ex.title.get(lang)}  [ch{task.chapter} · {kind} · "
                     f"{task.exercise}@{task.seed}]")
        lines += ["   " + line for line in ex.prompt.get(lang).strip().splitlines()]
        if ex.question is not None:
            lines += ["   " + line for line in ex.question.lines(lang)]
        if answers:
            shown = ex.solution.answer if ex.kind in ANSWERED_KINDS else ex.solution.keys_for("*")
            if ex.question is not None:
                shown = ex.question.correct_answer(lang)
            lines.append(("   답: " if lang == "ko" else "   Answer: ") + str(shown))
            if ex.explanation is not None:
                lines.append("   " + ex.explanation.get(lang).strip())
        lines.append("")
    return "\n".join(lines)
