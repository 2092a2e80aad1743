"""The import direction docs/architecture.md states.

``sandbox`` and ``practice_cluster`` never import ``trainer``, prompt_toolkit or yaml. Inside the practice
cluster every import (at the top, in a function, or for types only) goes to its own layer or a lower one,
and no module imports itself round a cycle; ``trainer`` and ``sandbox`` reach it only through the names
``practice_cluster`` exports.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

FORBIDDEN = ("trainer", "prompt_toolkit", "yaml")
#: The practice cluster's layers, lowest first: a sub-package or a module of the package itself per name.
LAYERS = (("errors",), ("selectors", "cron"), ("schema",), ("storage",), ("wire", "protobuf"), ("registry",),
          ("patch", "apply"), ("tables",), ("controllers",), ("rest",), ("streams",), ("http",), ("cluster",))
#: What the practice cluster takes from the pty sandbox: its error type, and for the sandbox that stands
#: for a container (practice_cluster.streams) the attempt's place.
FROM_SANDBOX = {"sandbox.errors"}
FROM_SANDBOX_IN_STREAMS = {"sandbox.errors", "sandbox.isolation", "sandbox.bwrap", "sandbox.limits", "sandbox.safefs"}


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, wherever the import statement is (``from a import b`` gives a and a.b)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def cluster_modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "practice_cluster").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def layer(module: str) -> int:
    unit = module.split(".")[1]
    return next(i for i, units in enumerate(LAYERS) if unit in units)


def test_sandbox_and_cluster_sources_import_nothing_forbidden() -> None:
    offenders = []
    for package in ("sandbox", "practice_cluster"):
        for path in sorted((ROOT / package).rglob("*.py")):
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in imports(path) if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_sandbox_and_cluster_module_loads_nothing_forbidden() -> None:
    modules = [p.stem for p in (ROOT / "sandbox").glob("*.py") if p.stem != "__init__"]
    code = ("import sys\n" + "".join(f"import sandbox.{m}\n" for m in modules)
            + "".join(f"import {m}\n" for m in cluster_modules() if not m.endswith((".netsim", ".foreground")))
            + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_every_cluster_module_has_a_layer() -> None:
    assert [m for m in cluster_modules() if m != "practice_cluster" and not any(
        m.split(".")[1] in units for units in LAYERS)] == []


def test_cluster_imports_go_down_the_layers() -> None:
    modules = cluster_modules()
    upward = [f"{m} imports {n}" for m, path in modules.items() if m != "practice_cluster"
              for n in set(imports(path)) if n in modules and n != "practice_cluster" and layer(n) > layer(m)]
    assert upward == []


def test_cluster_has_no_import_cycle() -> None:
    modules = cluster_modules()
    graph = {m: {n for n in imports(p) if n in modules and n not in (m, "practice_cluster")}
             for m, p in modules.items() if m != "practice_cluster"}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_cluster_takes_only_its_error_and_the_sandbox_place_from_sandbox() -> None:
    offenders = []
    for module, path in cluster_modules().items():
        allowed = FROM_SANDBOX_IN_STREAMS if module.startswith("practice_cluster.streams") else FROM_SANDBOX
        offenders += [f"{module}: {n}" for n in imports(path)
                      if n.split(".")[0] == "sandbox" and n not in allowed and n.rsplit(".", 1)[0] not in allowed]
    assert offenders == []


def test_trainer_and_sandbox_use_only_the_public_names() -> None:
    import practice_cluster

    offenders = []
    for package in ("trainer", "sandbox"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("practice_cluster"):
                    if node.module != "practice_cluster":
                        offenders.append(f"{path.relative_to(ROOT)}: from {node.module}")
                    offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                                  if a.name not in practice_cluster.__all__]
                elif isinstance(node, ast.Import):
                    offenders += [f"{path.relative_to(ROOT)}: import {a.name}" for a in node.names
                                  if a.name.startswith("practice_cluster")]
    assert offenders == []


def test_every_public_name_resolves() -> None:
    import practice_cluster

    assert sorted(practice_cluster.PUBLIC) == sorted(practice_cluster.__all__)
    for name in practice_cluster.__all__:
        assert getattr(practice_cluster, name) is not None
