"""The coverage map: which of the course's testable facts each exercise drills or asks.

The facts are one per line in ``course-facts.tsv`` beside the packs (id, chapter, the notes' lines, the
fact); an exercise names the ones it covers (``covers: [f019, f020]``). A fact is covered by a drill
when a shell, vi or kubectl exercise names it (the real program shows it), by a question when only
questions and quizzes do.

>>> facts = parse_facts("# id\\tchapter\\tlines\\tfact\\nf001\\t1\\tL1\\tOne\\nf002\\t2\\tL2\\tTwo\\n", "f.tsv")
>>> [(f.id, f.chapter) for f in facts]
[('f001', 1), ('f002', 2)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import PackError
from trainer.model import ANSWERED_KINDS, ExerciseTemplate

FACTS_FILE = "course-facts.tsv"
_ID = re.compile(r"f\d{3}")


@dataclass(frozen=True)
class Fact:
    id: str
    chapter: int
    lines: str  # where the notes say it, e.g. L15-16
    text: str


def parse_facts(text: str, name: str) -> list[Fact]:
    """The facts of a TSV text; a PackError names the file and line of a malformed row."""
    facts: list[Fact] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 4 or not _ID.fullmatch(cells[0]) or not cells[1].isdigit():
            raise PackError(f"{name}:{number}: want id (f001), chapter number, lines and fact, tab-separated")
        if cells[0] in seen:
            raise PackError(f"{name}:{number}: fact {cells[0]} is listed twice")
        seen.add(cells[0])
        facts.append(Fact(cells[0], int(cells[1]), cells[2], cells[3]))
    return facts


def load_facts(top: Path) -> list[Fact] | None:
    """The facts beside the packs in ``top``, or None when there is no facts file."""
    path = top / FACTS_FILE
    if not path.is_file():
        return None
    try:
        return parse_facts(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read: {exc}") from exc


@dataclass(frozen=True)
class FactCoverage:
    fact: Fact
    drills: tuple[str, ...]  # shell, vi, kubectl exercises naming it
    questions: tuple[str, ...]  # questions and quizzes naming it

    @property
    def status(self) -> str:
        return "drill" if self.drills else "question" if self.questions else "none"


def coverage(facts: Sequence[Fact], templates: Iterable[ExerciseTemplate]) -> list[FactCoverage]:
    drills: dict[str, list[str]] = {f.id: [] for f in facts}
    questions: dict[str, list[str]] = {f.id: [] for f in facts}
    for template in templates:
        answered = template.raw.get("kind") in ANSWERED_KINDS
        for fact in template.raw.get("covers", ()):
            if fact in drills:
                (questions if answered else drills)[fact].append(template.id)
    return [FactCoverage(f, tuple(drills[f.id]), tuple(questions[f.id])) for f in facts]


def unknown_covers(facts: Sequence[Fact], templates: Iterable[ExerciseTemplate]) -> list[str]:
    """An error line for each exercise that names a fact the facts file does not have."""
    known = {f.id for f in facts}
    return [f"{t.source}: {t.id}: covers: no fact {fact!r} in {FACTS_FILE}"
            for t in templates for fact in t.raw.get("covers", ()) if fact not in known]


def report(rows: Sequence[FactCoverage], *, verbose: bool = False) -> list[str]:
    """Per chapter: facts, covered by a drill, by a question only, not at all; then the uncovered facts.

    >>> f = [Fact("f001", 1, "L1", "One"), Fact("f002", 1, "L2", "Two")]
    >>> print("\\n".join(report([FactCoverage(f[0], ("d",), ()), FactCoverage(f[1], (), ())])))
    chapter  facts  drill  question only  none
    ch1          2      1              0     1
    all          2      1              0     1
    <BLANKLINE>
    not covered:
      f002  ch1  L2  Two
    """
    lines = [f"{'chapter':8} {'facts':>5}  {'drill':>5}  {'question only':>13}  {'none':>4}"]
    chapters = sorted({r.fact.chapter for r in rows})
    for chapter in [*chapters, None]:
        part = [r for r in rows if chapter is None or r.fact.chapter == chapter]
        counts = [sum(1 for r in part if r.status == s) for s in ("drill", "question", "none")]
        label = "all" if chapter is None else f"ch{chapter}"
        lines.append(f"{label:8} {len(part):>5}  {counts[0]:>5}  {counts[1]:>13}  {counts[2]:>4}")
    missing = [r for r in rows if r.status == "none"]
    if missing:
        lines += ["", "not covered:"]
        lines += [f"  {r.fact.id}  ch{r.fact.chapter}  {r.fact.lines}  {r.fact.text}" for r in missing]
    if verbose:
        lines += ["", "covered by:"]
        lines += [f"  {r.fact.id}  {r.status:8}  {', '.join((*r.drills, *r.questions))}" for r in rows
                  if r.status != "none"]
    return lines
