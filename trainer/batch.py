"""Grading many submissions at once: a directory of one file per student and exercise, for instructors.

The directory holds a folder per student and in it a file per exercise: ``EXERCISE.keys`` (keys in Vim
notation, as ``trainer check --keys`` reads them) or ``EXERCISE.answer`` (a quiz's or question's answer), with
``EXERCISE@SEED.keys`` for a variant other than 0. Each is graded as ``trainer check`` grades one; the rows go
to CSV and JUnit. ``shard(K, N)`` picks a stable share of the submissions (by a hash of student and
exercise), so a class spread over N CI runners grades each submission once; ``merge`` joins their CSV parts.

>>> shard([Submission("kim", "vi-dd", 0, Path("kim/vi-dd.keys"))], 1, 1)[0].student
'kim'
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from sandbox.errors import SandboxError
from sandbox.safefs import Regular, read_regular
from trainer.errors import TrainerError
from trainer.grading import grade
from trainer.loader import Library, instantiate
from trainer.model import Attempt, ExerciseTemplate
from trainer.runner import Engines, run_attempt
from trainer.workers import pool_map

_NAME = re.compile(r"^(?P<exercise>[a-z0-9][a-z0-9-]*)(?:@(?P<seed>\d{1,6}))?\.(?P<kind>keys|answer)$")
COLUMNS = ("student", "exercise", "seed", "result", "failed_checks", "keys", "error")
#: The largest answer file read (an answer is a line).
MAX_ANSWER_BYTES = 4096


@dataclass(frozen=True)
class Submission:
    student: str
    exercise: str
    seed: int
    path: Path


@dataclass(frozen=True)
class Row:
    student: str
    exercise: str
    seed: int
    result: str  # pass, fail or error
    failed_checks: str = ""  # check ids, space-separated
    keys: int = 0
    error: str = ""


def find(directory: Path, library: Library) -> tuple[list[Submission], list[str]]:
    """The submissions under ``directory``, and a one-line problem for every file that is not one."""
    if not directory.is_dir():
        raise TrainerError(f"{directory}: not a directory of submissions")
    known = {t.id for t in library.templates}
    found: list[Submission] = []
    problems: list[str] = []
    for student in sorted(p for p in directory.iterdir()):
        if not student.is_dir() or student.is_symlink():
            problems.append(f"{student}: not a student's folder (want STUDENT/EXERCISE.keys or .answer)")
            continue
        for path in sorted(student.iterdir()):
            name = _NAME.match(path.name)
            if name is None:
                problems.append(f"{path}: not a submission (want EXERCISE.keys, EXERCISE.answer or EXERCISE@SEED.keys)")
            elif name["exercise"] not in known:
                problems.append(f"{path}: no exercise {name['exercise']!r}")
            else:
                found.append(Submission(student.name, name["exercise"], int(name["seed"] or 0), path))
    return found, problems


def shard(submissions: Sequence[Submission], k: int, n: int) -> list[Submission]:
    """The K-th of N stable shares (1-based): the same submission always lands in the same share."""
    def share(s: Submission) -> int:
        return int(hashlib.sha256(f"{s.student}/{s.exercise}".encode()).hexdigest(), 16) % n
    return [s for s in submissions if share(s) == k - 1]


#: The largest keys file `trainer check` reads (a drill's keys are a few kilobytes).
MAX_KEYS_BYTES = 256 * 1024


def read_keys(path: Path, *, follow: bool = True) -> str:
    """The keys in a submission file (Vim notation, line breaks ignored); a TrainerError says what is wrong.
    A class's submissions are read with ``follow=False``: a student's link is not followed."""
    read = read_regular(path, MAX_KEYS_BYTES, follow=follow)
    if not isinstance(read, Regular):
        raise TrainerError(f"{path}: no such file" if read.what == "missing" else f"{path}: it is {read.what}, "
                           "not a file of keys")
    if read.truncated:
        raise TrainerError(f"{path}: more than {MAX_KEYS_BYTES // 1024} KiB of keys: not a submission")
    try:
        text = read.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainerError(f"{path}: not UTF-8 text (byte {exc.start}): keys are written in Vim notation") from exc
    if "\0" in text:
        raise TrainerError(f"{path}: holds NUL bytes: keys are written in Vim notation (<C-@> for NUL)")
    return "".join(text.splitlines())


def read_text(path: Path) -> str:
    """A report or answer file, read as safely as a keys file, its lines kept."""
    read = read_regular(path, MAX_KEYS_BYTES * 16, follow=True)
    if not isinstance(read, Regular):
        raise TrainerError(f"{path}: no such file" if read.what == "missing" else f"{path}: it is {read.what}")
    if read.truncated:
        raise TrainerError(f"{path}: larger than {MAX_KEYS_BYTES * 16 // 1024} KiB")
    try:
        return read.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainerError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def _read_answer(path: Path) -> str:
    text = read_keys(path, follow=False)  # the same safe reading as a keys file
    if len(text) > MAX_ANSWER_BYTES:
        raise TrainerError(f"{path}: more than {MAX_ANSWER_BYTES} bytes: not an answer")
    return text.strip()


def grade_one(template: ExerciseTemplate, submission: Submission, engines: Engines) -> Row:
    """One submission graded as ``trainer check`` grades it; a broken file or run is an error row."""
    try:
        exercise = instantiate(template, submission.seed)
        if submission.path.suffix == ".keys":
            attempt = Attempt(keys={"*": read_keys(submission.path, follow=False)})
        else:
            attempt = Attempt(answer=_read_answer(submission.path))
        verdict = grade(exercise.checks, run_attempt(exercise, attempt, engines))
    except (TrainerError, SandboxError) as exc:
        return Row(submission.student, submission.exercise, submission.seed, "error", error=" ".join(str(exc).split()))
    failed = " ".join(dict.fromkeys(r.check.id for r in verdict.failures))
    return Row(submission.student, submission.exercise, submission.seed, "pass" if verdict.passed else "fail",
               failed, verdict.keys)


def _task(args: tuple[ExerciseTemplate, Submission, Engines]) -> Row:
    return grade_one(*args)


def grade_all(submissions: Sequence[Submission], library: Library, engines: Engines, jobs: int = 1) -> list[Row]:
    """Every submission graded, ``jobs`` at a time, in the order given."""
    return list(pool_map(_task, [(library.template(s.exercise), s, engines) for s in submissions], jobs))


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow((r.student, r.exercise, r.seed, r.result, r.failed_checks, r.keys, r.error))
    return out.getvalue()


def from_csv(text: str, name: str) -> list[Row]:
    """The rows of a CSV part written by ``to_csv``; a foreign file is a TrainerError naming it."""
    reader = csv.reader(io.StringIO(text))
    if next(reader, None) != list(COLUMNS):
        raise TrainerError(f"{name}: not a grading report (its first line must be {','.join(COLUMNS)})")
    rows = []
    for line, cells in enumerate(reader, start=2):
        try:
            student, exercise, seed, result, failed, keys, error = cells
            rows.append(Row(student, exercise, int(seed), result, failed, int(keys), error))
        except ValueError as exc:
            raise TrainerError(f"{name}:{line}: not a row of {len(COLUMNS)} cells ({exc})") from exc
    return rows


def merge(parts: Iterable[list[Row]]) -> list[Row]:
    """Shards' rows as one report, by student then exercise; the same submission twice is an error."""
    rows = sorted((r for part in parts for r in part), key=lambda r: (r.student, r.exercise, r.seed))
    for a, b in itertools.pairwise(rows):
        if (a.student, a.exercise, a.seed) == (b.student, b.exercise, b.seed):
            raise TrainerError(f"{a.student}/{a.exercise}: graded in two parts (shards overlap)")
    return rows


def to_junit(rows: Sequence[Row]) -> str:
    """A testsuite per student, a testcase per exercise."""
    suites = ElementTree.Element("testsuites", name="trainer check", tests=str(len(rows)),
                                 failures=str(sum(r.result == "fail" for r in rows)),
                                 errors=str(sum(r.result == "error" for r in rows)))
    for student in dict.fromkeys(r.student for r in rows):
        mine = [r for r in rows if r.student == student]
        suite = ElementTree.SubElement(suites, "testsuite", name=student, tests=str(len(mine)),
                                       failures=str(sum(r.result == "fail" for r in mine)),
                                       errors=str(sum(r.result == "error" for r in mine)))
        for r in mine:
            case = ElementTree.SubElement(suite, "testcase", classname=student, name=f"{r.exercise} (seed {r.seed})")
            if r.result == "fail":
                ElementTree.SubElement(case, "failure", message=f"failed: {r.failed_checks}")
            elif r.result == "error":
                ElementTree.SubElement(case, "error", message=r.error)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)
