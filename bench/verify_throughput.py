"""``trainer verify`` throughput: exercises per second on the starter pack, one job against two.

Calls `trainer.verify.verify` (what ``trainer verify --jobs N`` runs) on every exercise template of
``exercises/`` (loaded with `trainer.loader.load_library`), seeds 0 and 1, with the engines
`trainer.runner.Engines.detect()` picks, first with ``jobs=1`` then with ``jobs=2``. An exercise is
one (template, seed) variant: its solution, wrong attempts and untouched start are replayed through
the real programs. Prints exercises/s and attempts/s for both and the ratio jobs2/jobs1; every case
must also pass (a failure is printed). Target: jobs 2 close to 2x on two cores.

    .venv/bin/python bench/verify_throughput.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _figures import add_figures_option, write_figures

from trainer.loader import load_library
from trainer.runner import Engines
from trainer.verify import Case, plan, verify

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
TARGET_RATIO = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed instead of two (smoke run)")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    library = load_library(EXERCISES)
    if library.errors:
        print("verify throughput: cannot load the exercises:", *library.errors, sep="\n  ")
        return 1
    templates = [t for pack in library.packs if pack.name == "starter" for t in pack.exercises]
    seeds = 1 if args.quick else 2
    engines = Engines.detect()
    print(f"verify throughput: {len(templates)} templates x {seeds} seeds = {len(templates) * seeds} exercises "
          f"from {EXERCISES}; shell {engines.shell}, editor {engines.editor}")
    rates = {}
    failures = 0
    for jobs in (1, 2):
        started = time.perf_counter()
        cases: list[Case] = verify(plan(templates, seeds), engines, jobs=jobs)
        seconds = time.perf_counter() - started
        exercises = len(templates) * seeds
        failed = [c for c in cases if not c.ok]
        rates[jobs] = exercises / seconds
        failures += len(failed)
        print(f"jobs {jobs}: {seconds:6.2f} s  {rates[jobs]:5.2f} exercises/s  {len(cases) / seconds:6.2f} attempts/s"
              f"  ({len(cases)} attempts, {len(failed)} failed, {sum(c.skipped for c in cases)} skipped)")
        for case in failed[:5]:
            print(f"  FAILED {case.name}: {case.message}")
    ratio = rates[2] / rates[1]
    write_figures(args.figures, {"jobs 1 exercises/s": rates[1], "jobs 2 exercises/s": rates[2],
                                 "ratio jobs2/jobs1": ratio, "failed cases": failures})
    print(f"ratio jobs2/jobs1: {ratio:.2f}x (ideal {TARGET_RATIO:.0f}x on two cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
