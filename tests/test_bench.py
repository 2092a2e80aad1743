"""Every benchmark still measures (``--quick``): it exits 0 and writes every figure it promises, each a
finite number. Speeds are not asserted here (these machines are noisy): the scripts print them against a
baseline measured in the same run."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs

pytestmark = [pytest.mark.pty, needs("ksh93", "nvi", "vim", "bwrap", "kubectl")]

#: What each script must have measured (a subset of what it writes).
FIGURES: dict[str, set[str]] = {
    "attempt_start.py": {"bwrap median ms", "plain median ms", "bare median ms", "ratio bwrap/bare",
                         "ratio plain/bare"},
    "display_path.py": {"nvi session median ms", "nvi bare median ms", "vim session median ms",
                        "vim bare median ms", "worst session/bare median ratio"},
    "drill_rss.py": {"drill RSS MB", "peak RSS MB", "baseline RSS MB", "ratio drill/baseline"},
    "kube_drill_start.py": {"drills", "median s", "slowest s", "bare median s", "ratio median/bare",
                            "ratio slowest/bare", "drills over 1 s"},
    "kube_list.py": {"list JSON ms", "list Table ms", "json.dumps ms", "ratio list JSON/json.dumps",
                     "ratio list Table/json.dumps"},
    "kube_memory.py": {"baseline MB", "with objects MB", "peak MB", "kB per object", "ratio with objects/baseline"},
    "kube_start.py": {"cluster part s", "kubectl get ns s", "cold start total s", "kubectl get pods s",
                      "Api.handle ms", "ratio cold start/version", "ratio warm get pods/version"},
    "kube_watchers.py": {"no watchers: writes ms", "20 watchers: all seen ms", "ratio all seen/writes",
                         "threads left"},
    "pane_render.py": {"pane p50 ms", "pane p95 ms", "session p95 ms", "ratio pane/session p95"},
    "repl_start.py": {"trainer s", "trainer, first run s", "import prompt_toolkit s",
                      "ratio trainer/import prompt_toolkit"},
    "replay_path.py": {"nvi wait_idle p95 ms", "vim wait_idle p95 ms", "nvi ratio wait_idle/quiet p50",
                       "vim ratio wait_idle/quiet p50"},
    "verify_throughput.py": {"jobs 1 exercises/s", "jobs 2 exercises/s", "ratio jobs2/jobs1", "failed cases"},
}
#: Figures that count something that must not happen.
ZERO = {"threads left", "failed cases"}
#: Figures that may be 0 on a good run (a count of drills over their target).
MAY_BE_ZERO = {"drills over 1 s"}


def test_every_script_is_listed() -> None:
    assert set(FIGURES) == {p.name for p in (ROOT / "bench").glob("[!_]*.py")}  # _*.py: shared parts


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_benchmark_measures(script: str, tmp_path: Path) -> None:
    written = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--quick", "--figures", str(written)],
                          capture_output=True, text=True, timeout=240, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(written.read_text(encoding="utf-8"))
    missing = FIGURES[script] - set(figures)
    assert not missing, f"{script} did not measure {sorted(missing)}:\n{done.stdout}"
    for name, value in figures.items():
        assert isinstance(value, float) and math.isfinite(value) and value >= 0, f"{name} = {value!r}"
    for name in FIGURES[script] - ZERO - MAY_BE_ZERO:
        assert figures[name] > 0, f"{script}: {name} is 0:\n{done.stdout}"
    for name in FIGURES[script] & ZERO:
        assert figures[name] == 0, f"{script}: {name} = {figures[name]}:\n{done.stdout}"
