"""The command line: ``trainer verify|check|lint|list|doctor|schema|cluster``.

Every command takes its world as arguments (packs directory, environment, output stream) so that
tests call ``main([...], env=..., out=...)``; only ``__main__`` passes the real ones.

    code = main(["verify", "starter", "--seeds", "2"], env=os.environ, out=sys.stdout)
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from sandbox.errors import SandboxError
from sandbox.isolation import Isolation
from sandbox.session import Session
from trainer import batch, recording
from trainer.coverage import FACTS_FILE, coverage, load_facts
from trainer.coverage import report as coverage_report
from trainer.doctor import report
from trainer.errors import TrainerError
from trainer.exam_paper import DEFAULT_MINUTES, DEFAULT_TASKS, add_options
from trainer.grading import grade
from trainer.loader import LINT_SEEDS, Library, instantiate, load_library
from trainer.messages import say_note
from trainer.model import Attempt
from trainer.runner import Engines, KubeSpec, run_attempt
from trainer.schema import pack_schema
from trainer.summary import summary
from trainer.verify import VERIFY_SPEED, Case, junit_xml, plan, verify

#: The packs shipped with the trainer.
DEFAULT_PACKS = Path(__file__).resolve().parent.parent / "exercises"
EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trainer", description="Drills for AIX shell, vi and kubectl in the "
                                "real programs, graded automatically.")
    p.add_argument("--packs", type=Path, help="directory of exercise packs (default: the shipped ones, "
                   "or $TRAINER_PACKS)")
    p.add_argument("--lang", choices=("en", "ko"), help="language of messages (default: from $LANG)")
    p.add_argument("--no-bwrap", action="store_true", help="run drills without bubblewrap isolation")
    p.add_argument("--data-dir", type=Path, help="where progress is kept (default: the user data directory, "
                   "or $TRAINER_DATA_DIR)")
    p.add_argument("--shell", choices=("ksh93", "ksh", "bash"), help="shell engine (default: ksh93)")
    p.add_argument("--editor", choices=("nvi", "vim"), help="vi engine (default: nvi)")
    p.add_argument("--kubeconfig", type=Path, metavar="PATH",
                   help="run kubectl drills in a fresh namespace of this cluster instead of the practice cluster "
                        "(or $TRAINER_KUBECONFIG)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def engines(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--shell", choices=("ksh93", "ksh", "bash"), default=argparse.SUPPRESS,
                        help="shell engine (default: ksh93)")
        sp.add_argument("--editor", choices=("nvi", "vim"), default=argparse.SUPPRESS,
                        help="vi engine (default: nvi)")

    v = sub.add_parser("verify", help="replay every solution, alternative, wrong attempt and start through "
                                      "the real programs")
    v.add_argument("names", nargs="*", metavar="ID|PACK|TOPIC")
    engines(v)
    variants = v.add_mutually_exclusive_group()
    variants.add_argument("--seeds", type=int, default=1, help="variants per exercise (seeds 0..N-1)")
    variants.add_argument("--cover", action="store_true",
                          help="instead of --seeds: the fewest seeds that draw every choice of every parameter")
    v.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    v.add_argument("--jobs", type=int, default=1, help="exercises verified at once")

    c = sub.add_parser("check", help="grade one submission headless (exit 0 pass, 1 fail, 2 error), or a "
                                     "directory of them with --batch")
    c.add_argument("id", nargs="?", help="the exercise (not with --batch)")
    what = c.add_mutually_exclusive_group()
    what.add_argument("--keys", type=Path, metavar="FILE", help="keys in Vim notation (line breaks ignored)")
    what.add_argument("--answer", metavar="TEXT", help="a quiz or question answer (options by their letters)")
    what.add_argument("--batch", type=Path, metavar="DIR",
                      help="grade DIR/STUDENT/EXERCISE[@SEED].keys and .answer files (exit 1 if any fails)")
    what.add_argument("--merge", type=Path, nargs="+", metavar="CSV", help="join the CSV parts of shards")
    c.add_argument("--seed", type=int, default=0, help="the exercise variant")
    c.add_argument("--json", action="store_true", help="print the verdict as JSON")
    c.add_argument("--record", type=Path, metavar="FILE", help="write the session as an asciicast v2 recording")
    c.add_argument("--csv", type=Path, metavar="FILE", help="with --batch or --merge: write a row per submission")
    c.add_argument("--junit", type=Path, metavar="FILE", help="with --batch or --merge: write a JUnit report")
    c.add_argument("--jobs", type=int, default=1, help="with --batch: submissions graded at once")
    c.add_argument("--shard", metavar="K/N", help="with --batch: grade only the K-th of N stable shares")
    engines(c)

    li = sub.add_parser("lint", help="validate packs without running them (exit 2 on errors)")
    li.add_argument("path", nargs="?", type=Path)
    sub.add_parser("list", help="list the exercises")
    cov = sub.add_parser("coverage", help="which of the course's facts the packs drill or ask "
                                          "(exit 1 if any is not covered)")
    cov.add_argument("--verbose", action="store_true", help="also name the exercises covering each fact")
    ex = sub.add_parser("exam", help="a timed mock midterm (or the one in progress), its report and review; "
                                     "--paper prints a paper for a class")
    add_options(ex)
    ex.add_argument("--paper", action="store_true", help="print the paper's tasks (with --seed, the same for all)")
    ex.add_argument("--answers", action="store_true", help="with --paper: add each task's answer and explanation")
    engines(ex)
    rp = sub.add_parser("replay", help="play an attempt's recording (asciicast v2) in this terminal")
    rp.add_argument("attempt", metavar="ATTEMPT|FILE", help="an attempt number (see the drill's result line) "
                                                           "or a .cast file")
    rp.add_argument("--speed", type=float, default=1.0, help="times faster than it was typed (pauses cut to 2 s)")
    rp.add_argument("--data-dir", type=Path, help="where the progress and recordings are (default: the user's)")
    su = sub.add_parser("summary", help="crib sheets: each topic's drills and questions on one screen")
    su.add_argument("topics", nargs="*", metavar="TOPIC", help="topics or packs (default: all, in the course's order)")
    su.add_argument("--format", choices=("text", "md"), default="text", help="plain text or Markdown")
    d = sub.add_parser("doctor", help="show engines, isolation and idle detection")
    engines(d)
    sub.add_parser("schema", help="print the JSON Schema of exercise files")
    cl = sub.add_parser("cluster", help="run the practice Kubernetes cluster for any kubectl")
    cl_sub = cl.add_subparsers(dest="cluster_command", metavar="up|status", required=True)
    up = cl_sub.add_parser("up", help="serve on 127.0.0.1 until Ctrl-C and print the KUBECONFIG to use")
    up.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    up.add_argument("--state", type=Path, metavar="FILE", help="keep the objects in FILE across restarts")
    cl_sub.add_parser("status", help="say whether a practice cluster is serving")
    return p


def _lang(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    if args.lang:
        return str(args.lang)
    chosen = env.get("TRAINER_LANG") or env.get("LC_ALL") or env.get("LANG") or ""
    return "ko" if chosen.startswith("ko") else "en"


def _engines(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Engines:
    shell = {"ksh": "ksh93"}.get(args.shell, args.shell) if getattr(args, "shell", None) else None
    isolation = Isolation.PLAIN if args.no_bwrap else None
    kubeconfig = args.kubeconfig or ((env or {}).get("TRAINER_KUBECONFIG") or None)
    speed = VERIFY_SPEED if args.command == "verify" else 1.0
    path = Path(kubeconfig).expanduser() if kubeconfig else None
    containers = True
    if path is not None and path.is_file():
        from sandbox.kubectl import find_kubectl
        from trainer.kube_target import runs_containers

        containers = runs_containers(path, find_kubectl(None))
    kube = KubeSpec(kubeconfig=path, speed=speed, containers=containers)
    return Engines.detect(shell, getattr(args, "editor", None), isolation, kube)


def _packs(args: argparse.Namespace, env: Mapping[str, str]) -> Path:
    return Path(args.packs or env.get("TRAINER_PACKS") or DEFAULT_PACKS)


def _library(args: argparse.Namespace, env: Mapping[str, str]) -> Library:
    """The packs that load; each broken one is reported on stderr (one line a problem) and left out."""
    quick = args.command == "list"  # one seed rendered; lint, verify and check render three
    library = load_library(_packs(args, env), seeds=(0,) if quick else LINT_SEEDS)
    for e in library.errors:
        print(e, file=sys.stderr)
    return library


def cmd_list(library: Library, lang: str, out: TextIO) -> int:
    for pack in library.packs:
        print(f"{pack.name}: {pack.title.get(lang)}", file=out)
        for topic in pack.topics:
            print(f"  {topic.name}: {topic.title.get(lang)}", file=out)
            for t in pack.exercises:
                if t.topic == topic.name:
                    ex = instantiate(t, 0)
                    print(f"    {t.id:32} {ex.kind:6} {ex.title.get(lang)}", file=out)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, library: Library, env: Mapping[str, str], out: TextIO) -> int:
    templates = library.select(args.names)
    engines = _engines(args, env)

    def progress(cases: list[Case]) -> None:
        for c in cases:
            status = "skip" if c.skipped else ("ok  " if c.ok else "FAIL")
            said = f": {c.message}" if c.message and (c.skipped or not c.ok) else ""
            print(f"{status} {c.name}{said}", file=out, flush=True)

    cases = verify(plan(templates, None if args.cover else max(1, args.seeds)), engines, max(1, args.jobs), progress)
    if args.junit:
        args.junit.write_text(junit_xml(cases), encoding="utf-8")
    failed = sum(not c.ok for c in cases)
    skipped = sum(c.skipped for c in cases)
    print(f"verify: {len(cases) - failed - skipped} passed, {failed} failed, {skipped} skipped", file=out)
    return EXIT_FAIL if failed else EXIT_OK


def cmd_coverage(args: argparse.Namespace, library: Library, env: Mapping[str, str], out: TextIO) -> int:
    top = _packs(args, env)
    facts = load_facts(top) if top.is_dir() else None
    if facts is None:
        print(f"trainer: no {FACTS_FILE} beside the packs in {top}", file=sys.stderr)
        return EXIT_ERROR
    rows = coverage(facts, library.templates)
    print("\n".join(coverage_report(rows, verbose=args.verbose)), file=out)
    return EXIT_FAIL if any(r.status == "none" for r in rows) else EXIT_OK


def cmd_replay(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from trainer.progress import default_data_dir

    if args.attempt.isdigit():
        data_dir = args.data_dir or Path(env.get("TRAINER_DATA_DIR") or default_data_dir())
        path = data_dir / "recordings" / f"{int(args.attempt)}.cast"
        if not path.is_file():
            raise TrainerError(f"attempt {args.attempt} has no recording in {path.parent}")
    else:
        path = Path(args.attempt)
    _header, events = recording.parse(batch.read_text(path), str(path))
    recording.play(events, out, args.speed)
    print(file=out)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace, library: Library, env: Mapping[str, str], out: TextIO) -> int:
    """Grade a directory of submissions (or merge shards' CSV parts) into CSV and JUnit reports."""
    problems: list[str] = []
    if args.merge:
        rows = batch.merge(batch.from_csv(batch.read_text(p), str(p)) for p in args.merge)
    else:
        submissions, problems = batch.find(args.batch, library)
        if args.shard:
            k, n = _shard(args.shard)
            submissions = batch.shard(submissions, k, n)
        rows = batch.grade_all(submissions, library, _engines(args, env), max(1, args.jobs))
    for problem in problems:
        print(f"trainer: {problem}", file=sys.stderr)
    if args.csv:
        args.csv.write_text(batch.to_csv(rows), encoding="utf-8")
    if args.junit:
        args.junit.write_text(batch.to_junit(rows), encoding="utf-8")
    if not args.csv:
        out.write(batch.to_csv(rows))
    counts = {r: sum(row.result == r for row in rows) for r in ("pass", "fail", "error")}
    print(f"check: {len(rows)} submissions, {counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['error']} errors", file=sys.stderr)
    if problems or counts["error"]:
        return EXIT_ERROR
    return EXIT_FAIL if counts["fail"] else EXIT_OK


def _shard(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d+)/(\d+)", text)
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise TrainerError(f"--shard {text}: want K/N with 1 <= K <= N, e.g. 2/4")
    return int(found[1]), int(found[2])


def cmd_check(args: argparse.Namespace, library: Library, lang: str, env: Mapping[str, str],
              out: TextIO) -> int:
    if args.batch or args.merge:
        if args.id or args.keys or args.answer:
            raise TrainerError("check --batch/--merge grades every submission: give no ID, --keys or --answer")
        return cmd_batch(args, library, env, out)
    if args.id is None or (args.keys is None and args.answer is None):
        raise TrainerError("check needs an exercise ID and --keys FILE or --answer TEXT (or --batch DIR)")
    exercise = instantiate(library.template(args.id), args.seed)
    attempt = Attempt(keys={"*": batch.read_keys(args.keys)}) if args.keys is not None else Attempt(answer=args.answer)
    def keep(session: Session) -> None:
        recording.save(args.record, recording.of_session(session, title=exercise.id))

    observation = run_attempt(exercise, attempt, _engines(args, env), record=keep if args.record else None)
    verdict = grade(exercise.checks, observation)
    if args.json:
        json.dump({"exercise": exercise.id, "seed": exercise.seed, "engine": observation.engine,
                   "passed": verdict.passed, "keys": verdict.keys,
                   "notes": [say_note(n).get(lang) for n in observation.notes],
                   "checks": [{"id": r.check.id, "kind": r.check.kind, "passed": r.passed,
                               "reason": r.reason.get(lang) if r.reason else None, "diff": r.diff}
                              for r in verdict.results]}, out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        for r in verdict.results:
            mark = "✓" if r.passed else "✗"
            print(f"{mark} {r.check.id}" + (f": {r.reason.get(lang)}" if r.reason and not r.passed else ""), file=out)
            if r.diff and not r.passed:
                print(r.diff.rstrip("\n"), file=out)
        for note in observation.notes:
            print(f"! {say_note(note).get(lang)}", file=out)
        print(("PASS" if verdict.passed else "FAIL") + f" {exercise.id} ({verdict.keys} keys)", file=out)
    return EXIT_OK if verdict.passed else EXIT_FAIL


def cmd_paper(args: argparse.Namespace, library: Library, lang: str, out: TextIO) -> int:
    import secrets

    from trainer.exam_paper import MAX_SEED, draw, paper_text

    seed = args.seed if args.seed is not None else secrets.randbelow(MAX_SEED) + 1
    paper = draw(library, seed=seed, tasks=args.tasks, minutes=args.minutes, chapter=args.chapter)
    out.write(paper_text(library, paper, lang, answers=args.answers))
    return EXIT_OK


def exam_words(args: argparse.Namespace) -> list[str]:
    """`trainer exam`'s options as the REPL's `exam` command reads them."""
    words = []
    if args.minutes != DEFAULT_MINUTES:
        words += ["--minutes", str(args.minutes)]
    if args.tasks != DEFAULT_TASKS:
        words += ["--tasks", str(args.tasks)]
    if args.chapter is not None:
        words += ["--chapter", str(args.chapter)]
    if args.seed is not None:
        words += ["--seed", str(args.seed)]
    return words


def cmd_repl(args: argparse.Namespace, env: Mapping[str, str], lang: str) -> int:
    from trainer.pack_cache import load_cached  # the REPL's parts load only when it runs
    from trainer.progress import Progress, default_data_dir
    from trainer.repl import Repl

    data_dir = args.data_dir or Path(env.get("TRAINER_DATA_DIR") or default_data_dir())
    progress = Progress.open(data_dir, warn=lambda message: print(f"trainer: {message}", file=sys.stderr))
    try:
        library = load_cached(_packs(args, env), data_dir / "packs.cache", seeds=(0,))
        for e in library.errors:
            print(e, file=sys.stderr)
        repl = Repl(library, progress, _engines(args, env), lang, data_dir)
        if args.command == "exam":  # the exam, its report and review, then out
            repl.dispatch(shlex.join(["exam", *exam_words(args)]))
            return EXIT_OK
        return repl.run()
    finally:
        progress.close()


def main(argv: Sequence[str], env: Mapping[str, str], out: TextIO) -> int:
    parser = _parser()
    args = parser.parse_args(list(argv))
    lang = _lang(args, env)
    try:
        if args.command == "schema":
            json.dump(pack_schema(), out, indent=2)
            print(file=out)
            return EXIT_OK
        if args.command == "doctor":
            print("\n".join(report(_engines(args, env))), file=out)
            return EXIT_OK
        if args.command == "lint":
            library = load_library(args.path or _packs(args, env))
            for e in library.errors:
                print(e, file=out)
            count = len(library.templates)
            print(f"lint: {count} exercises in {len(library.packs)} packs, {len(library.errors)} errors", file=out)
            return EXIT_ERROR if library.errors else EXIT_OK
        if args.command is None or (args.command == "exam" and not args.paper):
            if args.command == "exam" and args.answers:
                raise TrainerError("exam --answers goes with --paper")
            return cmd_repl(args, env, lang)
        if args.command == "replay":
            return cmd_replay(args, env, out)
        if args.command == "cluster":
            from trainer.cluster_cli import cluster_status, cluster_up
            from trainer.progress import default_data_dir

            data_dir = args.data_dir or Path(env.get("TRAINER_DATA_DIR") or default_data_dir())
            (data_dir / "cluster").mkdir(parents=True, exist_ok=True)
            if args.cluster_command == "up":
                return cluster_up(args.port, args.state, data_dir, out)
            return cluster_status(data_dir, out)
        library = _library(args, env)
        if args.command == "verify":
            return cmd_verify(args, library, env, out)
        if args.command == "check":
            return cmd_check(args, library, lang, env, out)
        if args.command == "exam":
            return cmd_paper(args, library, lang, out)
        if args.command == "coverage":
            return cmd_coverage(args, library, env, out)
        if args.command == "summary":
            out.write(summary(library, args.topics, lang, args.format))
            return EXIT_OK
        return cmd_list(library, lang, out)
    except (TrainerError, SandboxError) as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return EXIT_ERROR
