"""Every benchmark still runs (``--quick``) and prints its ratio; the figures are not asserted here
(these machines are noisy): the scripts print them against a baseline measured in the same run."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT, have

pytestmark = [pytest.mark.pty, pytest.mark.skipif(not have("ksh93", "nvi", "vim"), reason="needs ksh93, nvi and vim")]

SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("[!_]*.py"))  # _*.py: shared parts


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs(script: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--quick"], capture_output=True, text=True,
                          timeout=240, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d\.\d+x\b", done.stdout), f"no ratio printed:\n{done.stdout}"
