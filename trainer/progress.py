"""The learner's progress: attempts, best results, the last exercise and mock exams, in SQLite in the user data
directory.

This module owns the progress file: its schema and migrations, its transactions, and what happens when it is
damaged (moved aside with a one-line warning, never deleted). Everything else reads it through ``Progress``.

    with Progress.open(default_data_dir(), warn=print) as progress:
        progress.record(AttemptRecord("vi-dd", "starter", "vi", t0, t1, True, 4, 12.5, 0, False))
        progress.bests()["vi-dd"].best_keys            # 4
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from trainer.errors import TrainerError

DEFAULT_FILE = "progress.sqlite3"

#: Schema version N is reached by applying MIGRATIONS[N - 1] to version N - 1, each in its own transaction.
#: Add a step by appending a tuple of statements; never edit a step that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE attempt (
            id INTEGER PRIMARY KEY,
            exercise TEXT NOT NULL, pack TEXT NOT NULL, topic TEXT NOT NULL,
            started REAL NOT NULL, ended REAL NOT NULL,
            passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
            keys INTEGER NOT NULL, seconds REAL NOT NULL, hints_used INTEGER NOT NULL,
            solution_seen INTEGER NOT NULL CHECK (solution_seen IN (0, 1)),
            skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)))""",
        "CREATE INDEX attempt_by_exercise ON attempt (exercise, started)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # Best results are derived, so they can never disagree with the attempts they come from.
        """CREATE VIEW best AS SELECT exercise,
            SUM(NOT skipped) AS attempts, MAX(passed) AS passed,
            MIN(CASE WHEN passed THEN keys END) AS best_keys,
            MIN(CASE WHEN passed THEN seconds END) AS best_seconds,
            MAX(solution_seen) AS solution_seen, MAX(skipped) AND NOT MAX(passed) AS skipped
            FROM attempt GROUP BY exercise""",
    ),
    (
        # A mock exam: its paper (JSON: the tasks in order), the seconds it has left (kept as it runs, so a
        # killed trainer resumes with the time that was left), and its score once handed in.
        """CREATE TABLE exam (
            id INTEGER PRIMARY KEY,
            seed INTEGER NOT NULL, minutes INTEGER NOT NULL, chapter INTEGER,
            paper TEXT NOT NULL, started REAL NOT NULL, time_left REAL NOT NULL,
            finished REAL, score REAL)""",
        # A task's latest result: saved each time the learner leaves it, so no finished task is lost.
        """CREATE TABLE exam_task (
            exam INTEGER NOT NULL REFERENCES exam (id), number INTEGER NOT NULL,
            exercise TEXT NOT NULL, seed INTEGER NOT NULL,
            earned REAL NOT NULL, possible REAL NOT NULL,
            passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
            keys TEXT NOT NULL, key_count INTEGER NOT NULL, answer TEXT,
            checks TEXT NOT NULL, recording TEXT, seconds REAL NOT NULL,
            PRIMARY KEY (exam, number))""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = "exercise, pack, topic, started, ended, passed, keys, seconds, hints_used, solution_seen, skipped"
#: Errors that say the file is not a usable progress database; anything else (busy, disk full, read-only) is
#: a problem of the machine, reported as ProgressError without touching the file.
_DAMAGE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_ERROR, sqlite3.SQLITE_CANTOPEN}


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("trainer"))


class ProgressError(TrainerError):
    """The progress file cannot be used; the message is one line that names the path."""


class _Damaged(Exception):
    """The file at the path is not a progress database this trainer can use."""


@dataclass(frozen=True)
class AttemptRecord:
    exercise: str
    pack: str
    topic: str
    started: float
    ended: float
    passed: bool
    keys: int
    seconds: float
    hints_used: int
    solution_seen: bool
    skipped: bool = False


@dataclass(frozen=True)
class ExamRecord:
    """One mock exam as stored: ``paper`` is JSON (the tasks in order), ``finished`` None while it runs."""

    id: int
    seed: int
    minutes: int
    chapter: int | None
    paper: str
    started: float
    time_left: float
    finished: float | None = None
    score: float | None = None


@dataclass(frozen=True)
class ExamTaskRecord:
    """A task's latest result in an exam: its score, what the learner typed or answered, each check (JSON)."""

    exam: int
    number: int
    exercise: str
    seed: int
    earned: float
    possible: float
    passed: bool
    keys: str  # key notation
    key_count: int
    answer: str | None
    checks: str  # JSON: [{"id", "kind", "passed", "weight", "reason": {"en", "ko"} | null}]
    recording: str | None  # a file name in the recordings directory
    seconds: float


@dataclass(frozen=True)
class Best:
    """One exercise summed up. Skips are not attempts; best keys and seconds come from passed attempts only."""

    exercise: str
    attempts: int
    passed: bool
    best_keys: int | None
    best_seconds: float | None
    solution_seen: bool
    skipped: bool


class Progress:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Callable[[], float], *,
                 writable: bool = True) -> None:
        self._conn = conn
        self.path = path
        self._clock = clock
        self.writable = writable
        self.unsaved = 0  # records a read-only store could not keep

    @classmethod
    def open(cls, directory: Path, *, warn: Callable[[str], None],
             clock: Callable[[], float] = time.time) -> Progress:
        """The store in ``directory``; a damaged file is moved aside (``warn`` says so) and a fresh one made."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(f"cannot create the progress directory {directory}: {exc.strerror}") from exc
        if not os.access(directory, os.W_OK | os.X_OK):
            raise ProgressError(f"the progress directory {directory} is not writable")
        path = directory / DEFAULT_FILE
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            try:
                store = cls(_connect(path, read_only=True), path, clock, writable=False)
            except _Damaged as exc:
                raise ProgressError(f"the progress file {path} is read-only and unusable ({exc})") from exc
            warn(f"progress file {path} is read-only: drills run, but nothing you do is saved")
            return store
        for _ in range(3):  # the file, then a fresh one next to it if the damaged one cannot be moved
            try:
                return cls(_connect(path), path, clock)
            except _Damaged as exc:
                problem = " ".join(str(exc).split())
            moved = _move_aside(path, time.strftime("%Y%m%d-%H%M%S", time.localtime(clock())))
            if moved is not None:
                warn(f"progress file {path} is unusable ({problem}); kept it as {moved.name}, starting afresh")
                continue
            fresh = path.with_name(f"{path.stem}-fresh{path.suffix}")
            warn(f"progress file {path} is unusable ({problem}) and cannot be moved; using {fresh.name}")
            path = fresh
        raise ProgressError(f"cannot make a usable progress file in {directory}")

    def record(self, attempt: AttemptRecord) -> int | None:
        """Keep ``attempt``; its number in the file (None when the file is read-only)."""
        if not self.writable:
            self.unsaved += 1
            return None
        with self._transaction():
            cursor = self._conn.execute(f"INSERT INTO attempt ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                attempt.exercise, attempt.pack, attempt.topic, attempt.started, attempt.ended,
                int(attempt.passed), attempt.keys, attempt.seconds, attempt.hints_used,
                int(attempt.solution_seen), int(attempt.skipped)))
        return cursor.lastrowid

    def skip(self, exercise: str, pack: str, topic: str) -> None:
        now = self._clock()
        self.record(AttemptRecord(exercise, pack, topic, now, now, False, 0, 0.0, 0, False, skipped=True))

    def bests(self) -> dict[str, Best]:
        rows = self._query("SELECT exercise, attempts, passed, best_keys, best_seconds, solution_seen, skipped "
                           "FROM best")
        return {r[0]: Best(r[0], int(r[1]), bool(r[2]), r[3], r[4], bool(r[5]), bool(r[6])) for r in rows}

    def attempts(self, exercise: str | None = None) -> list[AttemptRecord]:
        where, args = ("WHERE exercise = ?", (exercise,)) if exercise is not None else ("", ())
        rows = self._query(f"SELECT {_COLUMNS} FROM attempt {where} ORDER BY started, id", args)
        return [AttemptRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8], bool(r[9]), bool(r[10]))
                for r in rows]

    # -- mock exams ----------------------------------------------------------------------------
    def begin_exam(self, seed: int, minutes: int, chapter: int | None, paper: str, started: float) -> int:
        """A new exam with all its time left; its id (0 when the file is read-only: nothing is kept)."""
        if not self.writable:
            return 0
        with self._transaction():
            cursor = self._conn.execute(
                "INSERT INTO exam (seed, minutes, chapter, paper, started, time_left) VALUES (?, ?, ?, ?, ?, ?)",
                (seed, minutes, chapter, paper, started, minutes * 60.0))
        return int(cursor.lastrowid or 0)

    def save_exam_task(self, task: ExamTaskRecord, time_left: float) -> None:
        """Keep ``task``'s result (replacing the one before) and the exam's time left, in one transaction."""
        if not self.writable:
            return
        with self._transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO exam_task (exam, number, exercise, seed, earned, possible, passed, keys, "
                "key_count, answer, checks, recording, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (task.exam, task.number, task.exercise, task.seed, task.earned, task.possible, int(task.passed),
                 task.keys, task.key_count, task.answer, task.checks, task.recording, task.seconds))
            self._conn.execute("UPDATE exam SET time_left = ? WHERE id = ?", (max(time_left, 0.0), task.exam))

    def exam_time_left(self, exam: int, time_left: float) -> None:
        if not self.writable:
            return
        with self._transaction():
            self._conn.execute("UPDATE exam SET time_left = ? WHERE id = ? AND finished IS NULL",
                               (max(time_left, 0.0), exam))

    def finish_exam(self, exam: int, score: float | None, time_left: float, finished: float) -> None:
        """Hand the exam in (``score`` None: set aside unscored, e.g. its paper could not be read)."""
        if not self.writable:
            return
        with self._transaction():
            self._conn.execute("UPDATE exam SET finished = ?, score = ?, time_left = ? WHERE id = ?",
                               (finished, score, max(time_left, 0.0), exam))

    def exams(self) -> list[ExamRecord]:
        """Every exam, the first begun first."""
        rows = self._query("SELECT id, seed, minutes, chapter, paper, started, time_left, finished, score "
                           "FROM exam ORDER BY started, id")
        return [ExamRecord(*r) for r in rows]

    def exam_tasks(self, exam: int) -> dict[int, ExamTaskRecord]:
        rows = self._query("SELECT exam, number, exercise, seed, earned, possible, passed, keys, key_count, answer, "
                           "checks, recording, seconds FROM exam_task WHERE exam = ? ORDER BY number", (exam,))
        return {r[1]: ExamTaskRecord(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), *r[7:]) for r in rows}

    def set_last(self, exercise: str) -> None:
        if not self.writable:
            return
        with self._transaction():
            self._conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('last', ?)", (exercise,))

    def last(self) -> str | None:
        """The exercise last started, or else the one last attempted."""
        rows = (self._query("SELECT value FROM state WHERE key = 'last'")
                or self._query("SELECT exercise FROM attempt ORDER BY started DESC, id DESC LIMIT 1"))
        return str(rows[0][0]) if rows else None

    def streak(self, today: datetime.date) -> int:
        """Consecutive local days with a passed attempt, ending today (or yesterday, if none yet today)."""
        days = {datetime.date.fromtimestamp(r[0]) for r in self._query("SELECT ended FROM attempt WHERE passed")}
        day = today if today in days else today - datetime.timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= datetime.timedelta(days=1)
        return count

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            with _transaction(self._conn):
                yield
        except sqlite3.Error as exc:
            raise ProgressError(f"cannot write the progress file {self.path}: {exc}") from exc

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise ProgressError(f"cannot read the progress file {self.path}: {exc}") from exc


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: a SIGKILL before COMMIT leaves the file as it was before BEGIN."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself after some errors (disk full, I/O)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


#: The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """_Damaged when ``path`` is something SQLite would turn into a database or refuse only after writing
    to it: not a regular file, or a file without SQLite's header."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError as exc:
        raise _Damaged("a directory, not a file") from exc
    except OSError as exc:
        raise ProgressError(f"cannot read the progress file {path}: {exc.strerror}") from exc
    if head and head != SQLITE_HEADER:
        raise _Damaged("not an SQLite database")  # an empty file is fine: SQLite makes it a database


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection to a checked, migrated store at ``path``; _Damaged if the file is not one."""
    _check_header(path)
    conn: sqlite3.Connection | None = None
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5, isolation_level=None)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version != SCHEMA_VERSION:
                raise _Damaged(f"schema version {version}, this trainer needs {SCHEMA_VERSION} (it cannot migrate a "
                               "read-only file)")
            conn.execute(f"SELECT {_COLUMNS} FROM attempt LIMIT 0")
            return conn
        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        # Checked before anything is written: switching a damaged file to WAL would rewrite its header.
        found = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if found != ["ok"]:
            raise _Damaged(f"quick_check: {found[0]}")
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed attempt survives a killed process; only power loss may undo the last.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn)
        conn.execute(f"SELECT {_COLUMNS} FROM attempt LIMIT 0")  # the tables are ours, not another program's
        conn.execute("SELECT key, value FROM state LIMIT 0")
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if not isinstance(exc, sqlite3.Error):
            raise
        code = exc.sqlite_errorcode & 0xFF  # the primary code of an extended one
        if code in _DAMAGE and (code != sqlite3.SQLITE_CANTOPEN or path.exists()):
            raise _Damaged(str(exc)) from exc
        raise ProgressError(f"cannot open the progress file {path}: {exc}") from exc


def _migrate(conn: sqlite3.Connection) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    while version < SCHEMA_VERSION:
        with _transaction(conn):
            # Read again inside the transaction: another trainer may have migrated since.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
    if version > SCHEMA_VERSION:
        raise _Damaged(f"schema version {version} is newer than this trainer's {SCHEMA_VERSION}")


def _move_aside(path: Path, stamp: str) -> Path | None:
    """Rename ``path`` (and its -wal, -shm, -journal files) to ``<name>.corrupt-<stamp>``; None if it cannot be."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    # The WAL may hold committed pages of the damaged file: it travels with it (first, so that a stale one
    # is never replayed into a fresh file at the old name), and nothing is ever deleted.
    for name in (f"{path}-wal", f"{path}-shm", f"{path}-journal", str(path)):
        try:
            os.rename(name, name.replace(str(path), str(target), 1))
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return target
