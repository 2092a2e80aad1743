"""The progress store on real SQLite files: records, bests, streaks, migrations, damage and SIGKILL."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import PACKS, ROOT
from trainer.loader import load_library
from trainer.progress import (
    DEFAULT_FILE,
    MIGRATIONS,
    SCHEMA_VERSION,
    AttemptRecord,
    Best,
    Progress,
    ProgressError,
)
from trainer.repl import Repl
from trainer.runner import Engines

NOW = datetime.datetime(2025, 3, 10, 14, 30).timestamp()  # local time, like the dates the streak counts


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


def at(day: int, hour: int = 12) -> float:
    return datetime.datetime(2025, 3, day, hour).timestamp()


def attempt(exercise: str = "vi-dd", *, start: float = NOW, passed: bool = True, keys: int = 5,
            seconds: float = 10.0, hints: int = 0, seen: bool = False) -> AttemptRecord:
    return AttemptRecord(exercise, "starter", "vi", start, start + seconds, passed, keys, seconds, hints, seen)


@pytest.fixture
def warnings() -> Warnings:
    return Warnings()


@pytest.fixture
def store(tmp_path: Path, warnings: Warnings) -> Iterator[Progress]:
    with Progress.open(tmp_path, warn=warnings, clock=lambda: NOW) as progress:
        yield progress
    assert warnings == []


def test_record_and_read_back_attempts_in_order_of_start(store: Progress) -> None:
    late, early = attempt(start=NOW + 60, passed=False, hints=2), attempt(start=NOW, seen=True)
    store.record(late)
    store.record(early)
    store.record(attempt("chmod-u-x"))
    assert store.attempts("vi-dd") == [early, late]
    assert [a.exercise for a in store.attempts()] == ["vi-dd", "chmod-u-x", "vi-dd"]
    assert store.attempts("nothing") == []


def test_bests_take_fewest_keys_and_fastest_time_among_passed_attempts_only(store: Progress) -> None:
    store.record(attempt(passed=False, keys=1, seconds=1.0))
    store.record(attempt(keys=9, seconds=4.0, start=NOW + 10))
    store.record(attempt(keys=6, seconds=8.0, start=NOW + 20, seen=True))
    store.record(attempt("ls-links", passed=False, keys=3))
    assert store.bests() == {
        "vi-dd": Best("vi-dd", 3, True, 6, 4.0, True, False),
        "ls-links": Best("ls-links", 1, False, None, None, False, False),
    }


def test_a_skip_is_a_row_but_not_an_attempt_and_a_later_pass_clears_it(store: Progress) -> None:
    store.skip("vi-g", "starter", "vi")
    assert store.bests()["vi-g"] == Best("vi-g", 0, False, None, None, False, True)
    [row] = store.attempts("vi-g")
    assert row.skipped and not row.passed and row.started == NOW
    store.record(attempt("vi-g", start=NOW + 5))
    assert store.bests()["vi-g"] == Best("vi-g", 1, True, 5, 10.0, False, False)


def test_last_is_the_exercise_last_started_else_the_last_attempted(store: Progress) -> None:
    assert store.last() is None
    store.record(attempt("vi-dd"))
    assert store.last() == "vi-dd"
    store.set_last("chmod-u-x")
    store.set_last("ls-links")
    assert store.last() == "ls-links"


def test_streak_counts_consecutive_days_with_a_pass(store: Progress) -> None:
    today = datetime.date(2025, 3, 10)
    assert store.streak(today) == 0
    store.record(attempt(start=at(7)))
    store.record(attempt(start=at(8, 23)))
    store.record(attempt(start=at(9, 0)))
    store.record(attempt(start=at(9, 1), passed=False))
    assert store.streak(today) == 3  # nothing yet today: the streak still ends yesterday
    store.record(attempt(start=at(10), passed=False))
    assert store.streak(today) == 3  # a failed attempt does not count
    store.record(attempt(start=at(10, 9)))
    assert store.streak(today) == 4
    assert store.streak(datetime.date(2025, 3, 12)) == 0  # a day missed ends it
    store.record(attempt(start=at(5)))  # a gap on the 6th
    assert store.streak(today) == 4


def test_wal_mode_and_schema_version_are_set(store: Progress) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)


def test_reopening_a_version_one_file_keeps_everything(tmp_path: Path, warnings: Warnings) -> None:
    with sqlite3.connect(tmp_path / DEFAULT_FILE) as conn:  # a file as the first release wrote it
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO attempt (exercise, pack, topic, started, ended, passed, keys, seconds, hints_used, "
                     "solution_seen) VALUES ('vi-dd', 'starter', 'vi', 10, 20, 1, 4, 10.0, 0, 0)")
        conn.execute("INSERT INTO state (key, value) VALUES ('last', 'vi-g')")
        conn.execute("PRAGMA user_version = 1")
    with Progress.open(tmp_path, warn=warnings) as again:
        assert [(a.exercise, a.keys, a.passed) for a in again.attempts()] == [("vi-dd", 4, True)]
        assert again.bests()["vi-dd"].best_keys == 4 and again.last() == "vi-g"
        assert again.exams() == []  # the exam tables came with the migration
    with sqlite3.connect(tmp_path / DEFAULT_FILE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert warnings == []


def test_an_unwritable_directory_is_an_error_naming_the_path(tmp_path: Path, warnings: Warnings) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ProgressError, match=str(tmp_path / "file" / "data")) as caught:
        Progress.open(tmp_path / "file" / "data", warn=warnings)
    assert "\n" not in str(caught.value) and warnings == []


def unprivileged(body: Callable[[], None]) -> None:
    """Run ``body`` as this user, or as root (CI) in a child that became ``nobody``: root may write anywhere."""
    if os.geteuid() != 0:
        body()
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the body failed as nobody (its traceback is above)"


def test_a_read_only_directory_is_an_error_naming_the_path(warnings: Warnings) -> None:
    top = Path(tempfile.mkdtemp(prefix="trainer-ro-"))  # not under tmp_path: nobody must reach it
    try:
        top.chmod(0o755)
        (top / "ro").mkdir(mode=0o555)

        def body() -> None:
            with pytest.raises(ProgressError, match=str(top / "ro")):
                Progress.open(top / "ro", warn=warnings)

        unprivileged(body)
    finally:
        shutil.rmtree(top)


def real_database(path: Path, rows: int) -> bytes:
    """A real progress file with ``rows`` attempts, checkpointed so that the main file holds them all."""
    with Progress.open(path.parent, warn=pytest.fail) as progress:
        for i in range(rows):
            progress.record(attempt(f"ex-{i}", start=NOW + i))
    assert not Path(f"{path}-wal").exists()
    return path.read_bytes()


def future_database(path: Path) -> bytes:
    real_database(path, 3)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    return path.read_bytes()


def damage(kind: str, path: Path) -> bytes | None:
    """Put a damaged file of ``kind`` at ``path``; its bytes (None for a directory)."""
    if kind == "garbage":
        path.write_bytes(bytes(range(256)) * 40)
    elif kind == "garbage after a header":
        path.write_bytes(b"SQLite format 3\0" + b"\xff" * 5000)
    elif kind == "truncated":
        path.write_bytes(real_database(path, 300)[:8192])
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_text("kept")
        return None
    elif kind == "future version":
        future_database(path)
    elif kind == "damaged pages":  # a sound header, broken b-tree pages: found only by quick_check
        data = bytearray(real_database(path, 300))
        data[18:20] = b"\x01\x01"  # as written by a rollback-journal SQLite: WAL mode would rewrite these
        for page in range(4096, len(data), 4096):
            data[page:page + 8] = b"\x0d\x00\x00\x00\x63\x00\x00\x00"
        path.write_bytes(bytes(data))
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["garbage", "garbage after a header", "truncated", "directory", "future version",
                                  "damaged pages"])
def test_a_damaged_file_is_moved_aside_with_one_warning(tmp_path: Path, warnings: Warnings, kind: str) -> None:
    path = tmp_path / DEFAULT_FILE
    original = damage(kind, path)
    with Progress.open(tmp_path, warn=warnings, clock=lambda: NOW) as progress:
        assert progress.path == path
        progress.record(attempt())
        assert progress.bests()["vi-dd"].passed
    [message] = warnings
    assert str(path) in message and "\n" not in message
    [kept] = tmp_path.glob(f"{DEFAULT_FILE}.corrupt-*")
    assert kept.name == f"{DEFAULT_FILE}.corrupt-20250310-143000" and kept.name in message
    if original is None:
        assert (kept / "inside").read_text() == "kept"
    else:
        assert kept.read_bytes() == original
    with Progress.open(tmp_path, warn=warnings) as again:  # the fresh file is a good one
        assert len(again.attempts()) == 1
    assert len(warnings) == 1


def test_a_second_damage_in_the_same_second_keeps_both_files(tmp_path: Path, warnings: Warnings) -> None:
    path = tmp_path / DEFAULT_FILE
    for _ in range(2):
        path.unlink(missing_ok=True)
        path.write_bytes(b"garbage" * 100)
        Progress.open(tmp_path, warn=warnings, clock=lambda: NOW).close()
    assert len(warnings) == 2 and len(list(tmp_path.glob("*.corrupt-*"))) == 2


def test_a_future_version_names_both_versions(tmp_path: Path, warnings: Warnings) -> None:
    future_database(tmp_path / DEFAULT_FILE)
    Progress.open(tmp_path, warn=warnings).close()
    assert f"schema version {SCHEMA_VERSION + 1}" in warnings[0]


KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from trainer.progress import AttemptRecord, Progress
    progress = Progress.open(Path(sys.argv[1]), warn=sys.exit)
    def one(i):
        progress.record(AttemptRecord(f"ex-{i}", "p", "t", time.time(), time.time(), i % 2 == 0, i, 1.5, 0, False))
    for i in range(int(sys.argv[2])):
        one(i)
    print("ready", flush=True)
    i = 0
    while True:
        one(i)
        i += 1
""")


def test_sigkill_loses_at_most_the_attempt_in_flight(tmp_path: Path, warnings: Warnings) -> None:
    committed = 0
    for kills in range(1, 4):  # three kills, each at a different moment of the writing loop
        child = subprocess.Popen([sys.executable, "-c", KILLED, str(tmp_path), "25"], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
        child.stdout.close()
        committed += 25
        with Progress.open(tmp_path, warn=warnings) as progress:
            rows = progress.attempts()
            assert len(rows) >= committed
            assert sum(1 for r in rows if r.exercise == "ex-24") >= kills
            committed = len(rows)
    with sqlite3.connect(tmp_path / DEFAULT_FILE) as conn:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT COUNT(*) FROM attempt").fetchone()[0] == committed
    assert warnings == []


def test_a_read_only_progress_file_is_read_and_nothing_is_claimed_saved() -> None:
    """The file can be read but not written (as root: a root-owned file in nobody's directory, as nobody):
    progress shows, drills run, and what they do is counted as unsaved, not silently dropped."""
    top = Path(tempfile.mkdtemp(prefix="trainer-ro-"))
    try:
        top.chmod(0o755)
        data = top / "data"
        data.mkdir()
        real_database(data / DEFAULT_FILE, 3)
        (data / DEFAULT_FILE).chmod(0o444 if os.geteuid() else 0o644)
        if os.geteuid() == 0:
            os.chown(data, 65534, 65534)
        library = load_library(PACKS / "starter")

        def body() -> None:
            said = Warnings()
            with Progress.open(data, warn=said) as progress:
                assert not progress.writable and len(progress.attempts()) == 3
                progress.record(attempt("x"))
                progress.set_last("x")
                assert progress.unsaved == 1 and len(progress.attempts()) == 3
                out = io.StringIO()
                with create_pipe_input() as pipe:
                    pipe.send_text("quit\r")
                    Repl(library, progress, Engines.detect(), "en", data, input=pipe, output=DummyOutput(),
                         out=out).run()
            assert len(said) == 1 and "read-only" in said[0] and str(data / DEFAULT_FILE) in said[0]
            assert "Nothing was saved" in out.getvalue() and "is saved" not in out.getvalue()

        unprivileged(body)
    finally:
        shutil.rmtree(top)
