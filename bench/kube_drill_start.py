"""kubectl drill start: how long each kubectl drill takes from ``start`` to a shell the learner can type in.

For every kubectl drill (seed 0), the time of ``Drill(...)``: a new practice cluster, the sandbox, the
setup's objects and commands (run on the cluster's fast setup clock), then ksh93 started and idle.
Baseline, in the same run, taking turns with the drills: the same ``Drill`` of a kubectl drill whose
setup is emptied (the practice cluster's bare start). Each drill runs ``--runs`` times (median taken).

Prints a table (drill, seconds, ratio to the bare start), then the median and the slowest drill.
Targets: every drill at most 1 s, the median at most 0.5 s. ``--quick``: one run of every fourth drill
and of the three that set up rollouts.

    .venv/bin/python bench/kube_drill_start.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

from _figures import add_figures_option, write_figures

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.loader import instantiate, load_library  # noqa: E402
from trainer.model import Exercise, Setup  # noqa: E402
from trainer.runner import Drill, Engines  # noqa: E402

TARGET_MAX_S = 1.0
TARGET_MEDIAN_S = 0.5
ROLLOUT_SETUPS = ("kube-sts-scale-down", "kube-deploy-undo", "kube-deploy-history-revision")


def timed_start(exercise: Exercise, engines: Engines) -> float:
    began = time.perf_counter()
    drill = Drill(exercise, engines)
    took = time.perf_counter() - began
    drill.close()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    add_figures_option(parser)
    args = parser.parse_args()
    library = load_library(ROOT / "exercises")
    engines = Engines.detect(shell="ksh93")
    drills = [instantiate(t, 0) for t in library.templates if t.raw.get("kind") == "kubectl"]
    drills = [d for d in drills if engines.unmet(d) is None]
    runs = 1 if args.quick else max(1, args.runs)
    if args.quick:
        drills = [d for n, d in enumerate(drills) if n % 4 == 0 or d.id in ROLLOUT_SETUPS]
    bare = dataclasses.replace(drills[0], setup=Setup())
    timed_start(bare, engines)  # warm-up: imports, kubectl's first start
    bare_times: list[float] = []
    results: list[tuple[str, float]] = []
    for drill in drills:
        times = []
        for _ in range(runs):
            bare_times.append(timed_start(bare, engines))
            times.append(timed_start(drill, engines))
        results.append((drill.id, statistics.median(times)))
    bare_median = statistics.median(bare_times)
    print(f"{'drill':34} {'start s':>8} {'x bare':>7}")
    for name, took in sorted(results, key=lambda r: -r[1]):
        print(f"{name:34} {took:8.2f} {took / bare_median:7.1f}")
    times = [t for _, t in results]
    median, slowest = statistics.median(times), max(times)
    over = sum(1 for t in times if t > TARGET_MAX_S)
    print(f"\n{len(results)} drills, {runs} run(s) each; bare start (empty setup) median {bare_median:.2f} s")
    print(f"median {median:.2f} s (target <= {TARGET_MEDIAN_S} s), slowest {slowest:.2f} s "
          f"(target <= {TARGET_MAX_S} s), {over} over {TARGET_MAX_S} s")
    print(f"ratio median/bare {median / bare_median:.2f}, slowest/bare {slowest / bare_median:.2f}")
    write_figures(args.figures, {
        "drills": len(results), "median s": median, "slowest s": slowest, "bare median s": bare_median,
        "ratio median/bare": median / bare_median, "ratio slowest/bare": slowest / bare_median,
        "drills over 1 s": over,
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
