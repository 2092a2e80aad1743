"""Comparing two runs of the corpus step by step, and classing each difference.

A step is ``identical`` when its normalised text (exit code, stdout, stderr) is the same in both runs,
``skipped`` when the corpus says not to compare it, ``reference`` when it differs but the corpus marks
it as something the reference cluster cannot do, and ``different`` otherwise. A difference takes its
class from ``known.yaml`` (``cosmetic``, ``misleading`` or ``not simulated``, with the reason); one that
is not listed is ``misleading`` when the exit codes differ, ``cosmetic`` when only spacing or letter case
differs, and ``unclassified`` (to be looked at, and treated as misleading) otherwise.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.fidelity.corpus import Scenario, Step
from tools.fidelity.masks import MASKS
from tools.fidelity.normalise import normalise
from tools.fidelity.run import Output

KNOWN = Path(__file__).with_name("known.yaml")
CLASSES = ("cosmetic", "misleading", "not simulated")


@dataclass(frozen=True)
class Known:
    scenario: str
    run: str  # "" for every step of the scenario
    cls: str
    why: str

    def matches(self, scenario: str, run: str) -> bool:
        return self.scenario == scenario and (not self.run or self.run == run)


@dataclass(frozen=True)
class Comparison:
    key: str
    scenario: str
    command: str
    status: str  # identical | different | reference | skipped
    cls: str = ""  # for status "different"
    why: str = ""
    known: bool = False
    diff: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "scenario": self.scenario, "command": self.command, "status": self.status,
                "class": self.cls, "why": self.why, "known": self.known, "diff": self.diff}


def load_known(path: Path = KNOWN) -> list[Known]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    known = []
    for raw in entries:
        cls = str(raw["class"])
        if cls not in CLASSES:
            raise ValueError(f"{path.name}: class {cls!r} of {raw['scenario']} is not one of {CLASSES}")
        known.append(Known(str(raw["scenario"]), str(raw.get("run", "")), cls, str(raw["why"]).strip()))
    return known


def rendered(step: Step, output: Output) -> str:
    """The text of one step that is compared: what ``step.compare`` asks for, normalised."""
    if step.compare == "exit":
        return f"exit {output.code}\n"
    out, err = normalise(output.out), normalise(output.err)
    for name in step.mask:
        out = MASKS[name](out)
    if step.sort:
        out = "\n".join(sorted(out.splitlines()))
    return f"exit {output.code}\n{out}\n--- stderr\n{err}\n"


def auto_class(left: str, right: str) -> str:
    if left.splitlines()[0] != right.splitlines()[0]:
        return "misleading"
    squash = re.compile(r"\s+")
    if squash.sub("", left).lower() == squash.sub("", right).lower():
        return "cosmetic"
    return "unclassified"


def compare(scenarios: list[Scenario], left: dict[str, list[Output]], right: dict[str, list[Output]],
            names: tuple[str, str] = ("practice", "reference"), known: list[Known] | None = None,
            ) -> list[Comparison]:
    """One ``Comparison`` a step, in corpus order."""
    known = [] if known is None else known
    found: list[Comparison] = []
    for scenario in scenarios:
        for index, step in enumerate(scenario.steps):
            key, sid, run = scenario.key(index), scenario.id, step.run
            if step.compare == "none":
                found.append(Comparison(key, sid, run, status="skipped"))
                continue
            a, b = rendered(step, left[scenario.id][index]), rendered(step, right[scenario.id][index])
            if a == b:
                found.append(Comparison(key, sid, run, status="identical"))
                continue
            diff = "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                                names[0], names[1], n=1))
            if step.reference:
                found.append(Comparison(key, sid, run, status="reference", cls="not simulated", why=step.reference,
                                        diff=diff))
                continue
            entry = next((k for k in known if k.matches(scenario.id, step.run)), None)
            if entry is not None:
                found.append(Comparison(key, sid, run, status="different", cls=entry.cls, why=entry.why, known=True,
                                        diff=diff))
            else:
                found.append(Comparison(key, sid, run, status="different", cls=auto_class(a, b), diff=diff))
    return found


def unexpected(found: list[Comparison]) -> list[Comparison]:
    """Differences that count as misleading and are not listed in ``known.yaml``."""
    return [c for c in found if c.status == "different" and not c.known and c.cls in ("misleading", "unclassified")]


def stale(found: list[Comparison], known: list[Known]) -> list[Known]:
    """Entries of ``known.yaml`` no compared step needs any more (fixed: the steps agree now)."""
    differing = {(c.scenario, c.command) for c in found if c.status == "different"}
    return [k for k in known if not any(k.matches(s, r) for s, r in differing)]
