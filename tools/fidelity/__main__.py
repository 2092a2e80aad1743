"""``python -m tools.fidelity``: run the corpus on a practice and a reference cluster and print the report.

    python -m tools.fidelity                     # the report: N identical of M, then the differences
    python -m tools.fidelity --json report.json  # also write the comparisons as JSON (for the test)
    python -m tools.fidelity --self              # also measure how well each cluster agrees with itself
    python -m tools.fidelity -s pods -s services # only these scenarios

Exit status: 0 when every difference that counts as misleading is listed in known.yaml, 1 otherwise,
2 when the reference cluster is missing or did not start.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from tools.fidelity import clusters, compare, corpus, report
from tools.fidelity.run import Runner, prepare, run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fidelity", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the comparisons and figures to this file")
    parser.add_argument("--self", action="store_true", help="run everything twice and compare each cluster "
                        "with itself (twice the time)")
    parser.add_argument("-s", "--scenario", action="append", default=[], help="only this scenario (repeatable)")
    parser.add_argument("--workers", type=int, default=6, help="scenarios running at once (default 6)")
    parser.add_argument("--no-diff", action="store_true", help="list the differing commands without diffs")
    parser.add_argument("--keep", type=Path, help="keep working directories and outputs below this directory")
    args = parser.parse_args(argv)

    if not clusters.reference_available():
        print(f"no reference cluster at {clusters.REFERENCE}", file=sys.stderr)
        return 2
    scenarios = corpus.load()
    if args.scenario:
        scenarios = [s for s in scenarios if s.id in args.scenario]
    known = compare.load_known()
    started = time.monotonic()
    passes = 2 if args.self else 1
    runs = []
    with tempfile.TemporaryDirectory(prefix="fidelity-") as scratch:
        base = args.keep or Path(scratch)
        prepared = prepare(scenarios, base)
        for n in range(passes):
            with ExitStack() as stack:
                try:
                    ref = stack.enter_context(clusters.reference())
                except RuntimeError as exc:
                    print(exc, file=sys.stderr)
                    return 2
                prac = stack.enter_context(clusters.practice())
                runners = [Runner(prac, base / f"pass{n}"), Runner(ref, base / f"pass{n}")]
                runs.append(run_all(runners, scenarios, prepared, workers=args.workers))
    seconds = time.monotonic() - started
    found = compare.compare(scenarios, runs[0]["practice"], runs[0]["reference"], known=known)
    print(report.text(found, compare.stale(found, known), diffs=not args.no_diff), end="")
    same, total = report.figure(found)
    data: dict[str, object] = {"identical": same, "compared": total, "seconds": round(seconds, 1),
                               "steps": corpus.counted(scenarios), "comparisons": [c.as_dict() for c in found]}
    if args.self:
        for name in ("practice", "reference"):
            mine = compare.compare(scenarios, runs[0][name], runs[1][name], names=(f"{name} 1", f"{name} 2"))
            agree, of = report.figure(mine)
            data[f"self_{name}"] = {"agree": agree, "of": of,
                                    "differing": [c.as_dict() for c in mine if c.status == "different"]}
            print(f"self-agreement {name}: {agree} of {of}")
            for c in mine:
                if c.status == "different":
                    print(f"-- {c.key}\n" + "\n".join("   " + d for d in c.diff.splitlines()[:20]))
    print(f"time: {seconds:.1f} s for {passes} pass(es)")
    if args.json:
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if compare.unexpected(found) else 0


if __name__ == "__main__":
    sys.exit(main())
