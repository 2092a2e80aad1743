"""Running the corpus on one cluster: each scenario in its namespace and working directory, step by step.

Scenarios run concurrently (a thread each, in a shared pool); the steps of one scenario run in order.
Every step is a ``bash -c`` line whose ``kubectl`` is the real kubectl, started with its own ``HOME`` and
discovery cache (one per cluster) and a kubeconfig whose context namespace is the scenario's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.fidelity.clusters import ROOT, Endpoint
from tools.fidelity.corpus import Scenario

KUBECTL = ROOT / ".venv" / "bin" / "kubectl"
STEP_TIMEOUT_S = 120.0
SERVICE_ACCOUNT_WAIT_S = 30.0


@dataclass(frozen=True)
class Output:
    """What one step printed on one cluster."""

    code: int
    out: str
    err: str
    seconds: float


class Runner:
    """Runs scenarios against one endpoint, below ``base`` (``base/<endpoint>/...``)."""

    def __init__(self, endpoint: Endpoint, base: Path, label: str = "", kubectl: Path = KUBECTL) -> None:
        self.endpoint = endpoint
        self.name = label or endpoint.name
        self.base = base / self.name
        self.home = self.base / "home"
        self.bin = self.base / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        link = self.bin / "kubectl"
        if not link.exists():
            link.symlink_to(kubectl)
        self.admin = endpoint.kubeconfig(self.home / "admin.kubeconfig", "default")

    def env(self, kubeconfig: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
                "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(self.home / "cache"), "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8", "TZ": "UTC", **(extra or {})}

    def shell(self, line: str, cwd: Path, env: dict[str, str], timeout: float = STEP_TIMEOUT_S) -> Output:
        start = time.monotonic()
        try:
            done = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = -9, _text(exc.stdout), _text(exc.stderr) + f"\n(timed out after {timeout:.0f} s)"
        return Output(code, out, err, time.monotonic() - start)

    def setup(self, scenario: Scenario, prepared: Path | None) -> tuple[Path, Path]:
        """The scenario's namespace (with its default service account) and working directory."""
        work = self.base / "work" / scenario.id
        work.mkdir(parents=True, exist_ok=True)
        if prepared is not None and prepared.is_dir():
            shutil.copytree(prepared, work, dirs_exist_ok=True)
        for name, text in scenario.files.items():
            (work / name).write_text(text, encoding="utf-8")
        kubeconfig = self.endpoint.kubeconfig(self.home / f"{scenario.id}.kubeconfig", scenario.namespace)
        admin = self.env(self.admin)
        made = self.shell(f"kubectl create namespace {scenario.namespace}", work, admin)
        if made.code != 0:
            raise RuntimeError(f"{self.name}: namespace {scenario.namespace}: {made.err.strip()}")
        deadline = time.monotonic() + SERVICE_ACCOUNT_WAIT_S
        while time.monotonic() < deadline:
            if self.shell(f"kubectl get serviceaccount default -n {scenario.namespace} -o name", work,
                          admin).code == 0:
                break
            time.sleep(0.2)
        return work, kubeconfig

    def scenario(self, scenario: Scenario, prepared: Path | None = None) -> list[Output]:
        work, kubeconfig = self.setup(scenario, prepared)
        outputs = []
        for step in scenario.steps:
            line = step.run.replace("{{ns}}", scenario.namespace)
            outputs.append(self.shell(line, work, self.env(kubeconfig, step.env)))
        return outputs


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw.decode(errors="replace") if isinstance(raw, bytes) else raw


def prepare(scenarios: list[Scenario], base: Path) -> dict[str, Path]:
    """Run each scenario's ``prepare`` line once (files both clusters' runs then share)."""
    made: dict[str, Path] = {}
    for scenario in scenarios:
        if not scenario.prepare:
            continue
        where = base / "prepared" / scenario.id
        where.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["bash", "-c", scenario.prepare], cwd=where, capture_output=True, text=True,
                              timeout=60, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(where)})
        if done.returncode != 0:
            raise RuntimeError(f"prepare of {scenario.id} failed: {done.stderr.strip()}")
        made[scenario.id] = where
    return made


def run_all(runners: list[Runner], scenarios: list[Scenario], prepared: dict[str, Path], workers: int = 6,
            progress: Callable[[str], None] | None = None) -> dict[str, dict[str, list[Output]]]:
    """Every scenario on every runner, concurrently: ``{runner name: {scenario id: outputs}}``; ``prepared``
    is what :func:`prepare` made (once for every pass: a generated key is the same key in each)."""
    results: dict[str, dict[str, list[Output]]] = {r.name: {} for r in runners}
    # The longest scenarios first, alternating the clusters, so neither waits for the other at the end.
    order = sorted(scenarios, key=lambda s: -len(s.steps))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[list[Output]], tuple[str, str]] = {}
        for scenario in order:
            for runner in runners:
                future = pool.submit(runner.scenario, scenario, prepared.get(scenario.id))
                futures[future] = (runner.name, scenario.id)
        for future, (name, sid) in futures.items():
            results[name][sid] = future.result()
            if progress is not None:
                progress(f"{name}: {sid}")
    return results
