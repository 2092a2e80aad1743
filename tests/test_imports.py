"""The import direction docs/architecture.md states: sandbox never imports trainer, prompt_toolkit or yaml."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

FORBIDDEN = ("trainer", "prompt_toolkit", "yaml")


def test_sandbox_sources_import_nothing_forbidden() -> None:
    offenders = []
    for path in sorted((ROOT / "sandbox").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_sandbox_module_loads_nothing_forbidden() -> None:
    modules = [p.stem for p in (ROOT / "sandbox").glob("*.py") if p.stem != "__init__"]
    code = ("import sys\n" + "".join(f"import sandbox.{m}\n" for m in modules)
            + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
