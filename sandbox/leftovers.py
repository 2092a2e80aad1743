"""What a trainer that died without cleaning up (SIGKILL, a crash) left behind, and removing it.

Every sandbox directory carries a mark naming the trainer process it belongs to (pid and start
time, so a later process with the same pid is not mistaken for it), the host uid its programs ran
as and the attempt's environment mark. The first sandbox a trainer makes sweeps the temporary
directory: a marked sandbox of a trainer that is gone has its processes killed, its tmpfs unmounted
and its tree removed.

    write_mark(path, host_uid, attempt_mark)
    sweep_stale(Path(tempfile.gettempdir()))      # how many stale sandboxes were removed
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from sandbox.mounts import unmount
from sandbox.processes import kill_tree, kill_uid, start_time
from sandbox.safefs import Regular, read_regular, remove_tree

OWNER_MARK = ".trainer-owner"
PREFIX = "trainer-"


@dataclass(frozen=True)
class Mark:
    pid: int
    started: int | None
    host_uid: int
    attempt: str

    def owner_alive(self) -> bool:
        return start_time(self.pid) == self.started and self.started is not None


def write_mark(path: Path, host_uid: int, attempt: str) -> None:
    me = os.getpid()
    text = f"{me} {start_time(me)} {host_uid} {attempt}\n"
    fd = os.open(path / OWNER_MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def read_mark(path: Path) -> Mark | None:
    read = read_regular(path / OWNER_MARK, 256)
    if not isinstance(read, Regular):
        return None
    try:
        pid, started, uid, attempt = read.data.decode().split()
        return Mark(int(pid), None if started == "None" else int(started), int(uid), attempt)
    except ValueError:
        return None


def sweep_stale(base: Path, uid_locks: Path | None = None, uid_base: int = 0) -> int:
    """Remove the sandboxes under ``base`` whose trainer is gone; how many were removed.

    Only directories this user owns are looked at. As root, a dead trainer's uid is swept only when
    its lease is free (``uid_locks``: the lease files), so a uid another trainer took since is left be.
    """
    removed = 0
    me = os.geteuid()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != me:
                continue
            path = Path(entry.path)
            mark = read_mark(path)
            if mark is None or mark.owner_alive():
                continue
            _stop_leftovers(mark, uid_locks, uid_base)
            if os.path.ismount(path):
                unmount(path)
            removed += remove_tree(path)
    return removed


def _stop_leftovers(mark: Mark, uid_locks: Path | None, uid_base: int) -> None:
    if os.geteuid() != 0:
        kill_tree([], f"TRAINER_ATTEMPT={mark.attempt}", deadline_s=0.5)
        return
    if uid_locks is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(uid_locks / f"{mark.host_uid - uid_base}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            kill_uid(mark.host_uid)
        except BlockingIOError:
            pass  # a live trainer leased that uid since: its processes are not ours to kill
        finally:
            os.close(fd)
