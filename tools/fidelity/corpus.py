"""The corpus (``corpus.yaml``): scenarios of kubectl commands, each run in a fresh namespace of its own.

A scenario has an ``id`` (its namespace is ``fid-<id>``), an ``about`` line, optional ``files`` (written
into its working directory before the first step), an optional ``prepare`` shell line run once on the
machine (not against a cluster; its files are copied to both working directories) and ``steps``. A step
is a shell line (``kubectl`` is the real kubectl; ``{{ns}}`` is the namespace) or a mapping with ``run``
and any of:

- ``compare``: ``full`` (exit code, stdout and stderr; the default), ``exit`` (the exit code only, for
  commands whose progress lines depend on timing) or ``none`` (set-up, not counted);
- ``sort``: compare the output lines sorted (for lists in an order of the server's choosing);
- ``env``: extra environment (``KUBE_EDITOR`` for ``kubectl edit``);
- ``reference``: why the reference cluster cannot do this step: it still runs on both, and a difference
  is reported apart from the others ("beyond the reference cluster"), never counted as one;
- ``mask``: parts of the output the reference cluster cannot produce, taken out of both outputs before
  they are compared (``masks.MASKS``: ``kubelet-events``, ``node-address``,
  ``container-runtime``); the rest still counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.fidelity.masks import MASKS

CORPUS = Path(__file__).with_name("corpus.yaml")
COMPARES = ("full", "exit", "none")


@dataclass(frozen=True)
class Step:
    run: str
    compare: str = "full"
    sort: bool = False
    env: dict[str, str] = field(default_factory=dict)
    reference: str = ""
    mask: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    about: str
    steps: tuple[Step, ...]
    files: dict[str, str] = field(default_factory=dict)
    prepare: str = ""

    @property
    def namespace(self) -> str:
        return f"fid-{self.id}"

    def key(self, index: int) -> str:
        """The name a step is reported and listed under: ``scenario#index: command``."""
        return f"{self.id}#{index}: {self.steps[index].run}"


def _step(raw: Any, where: str) -> Step:
    if isinstance(raw, str):
        return Step(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("run"), str):
        raise ValueError(f"{where}: a step is a command or a mapping with 'run'")
    unknown = set(raw) - {"run", "compare", "sort", "env", "reference", "mask"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    compare = str(raw.get("compare", "full"))
    if compare not in COMPARES:
        raise ValueError(f"{where}: compare must be one of {COMPARES}")
    env = {str(k): str(v) for k, v in (raw.get("env") or {}).items()}
    mask = tuple(str(m) for m in raw.get("mask") or ())
    bad = [m for m in mask if m not in MASKS]
    if bad:
        raise ValueError(f"{where}: unknown masks {bad} (known: {sorted(MASKS)})")
    return Step(raw["run"], compare, bool(raw.get("sort", False)), env, str(raw.get("reference", "")), mask)


def load(path: Path = CORPUS) -> list[Scenario]:
    """The scenarios of ``path``, checked (unique ids, known keys)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for raw in data["scenarios"]:
        sid = str(raw["id"])
        if sid in seen:
            raise ValueError(f"{path.name}: scenario {sid} twice")
        seen.add(sid)
        steps = tuple(_step(s, f"{sid} step {i}") for i, s in enumerate(raw["steps"]))
        files = {str(k): str(v) for k, v in (raw.get("files") or {}).items()}
        scenarios.append(Scenario(sid, str(raw.get("about", "")), steps, files, str(raw.get("prepare", ""))))
    return scenarios


def counted(scenarios: list[Scenario]) -> int:
    """How many steps are compared (everything but ``compare: none``)."""
    return sum(1 for s in scenarios for step in s.steps if step.compare != "none")
