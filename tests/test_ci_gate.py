"""The suite as CI's gate: with ``CI`` set, a program the tests need that is missing stops the run before
any test, naming the package to install; without ``CI`` the same run goes on and skips those tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ENGINES, ROOT, needs

#: The claims hold on a machine that has every engine (as CI's does) but the one left out.
pytestmark = needs(*ENGINES)


def path_without(tmp_path: Path, left_out: str) -> str:
    """A PATH with every engine's programs but ``left_out``'s (and the basics a shell script needs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    names = {exe for e in ENGINES.values() if e.name != left_out for exe in e.executables} | {"sh", "env", "true"}
    for name in sorted(names):
        found = shutil.which(name)
        if found:
            (bin_dir / Path(name).name).symlink_to(found)  # a name may be a path (/usr/bin/python3)
    return str(bin_dir)


def collect(path: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PATH": path} | ({"CI": "true"} if ci else {})
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q",
                           "--collect-only", "tests/test_keys.py"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_ci_without_nvi_fails_naming_the_package(tmp_path: Path) -> None:
    done = collect(path_without(tmp_path, "nvi"), ci=True)
    assert done.returncode != 0, done.stdout
    said = done.stdout + done.stderr
    assert "nvi is not installed (apt-get install nvi" in said, said
    assert "ksh93 is not installed" not in said  # only what is missing is named


def test_without_ci_the_same_machine_only_skips(tmp_path: Path) -> None:
    done = collect(path_without(tmp_path, "nvi"), ci=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_with_every_program_goes_on() -> None:
    done = collect(os.environ["PATH"], ci=True)
    assert done.returncode == 0, done.stdout + done.stderr
