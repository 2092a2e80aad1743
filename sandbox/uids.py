"""Host uids for sandboxes while the trainer runs as root: one uid per live sandbox, leased by a lock.

A sandbox's programs run under a uid no other process uses, so that everything they start can be found
and killed by that uid, wherever it moved.

    lease = UidLease()            # uid 61000 + n, the first whose lock file is free
    ...; lease.release()
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.processes import kill_uid

#: First host uid handed to sandboxes when the trainer runs as root (one uid per live sandbox).
ROOT_UID_BASE = 61000
UID_POOL_SIZE = 256


#: Where the leases are kept: one place for every trainer on the machine whatever its TMPDIR, writable
#: by root alone (/run), so that no user can plant links or lock files there.
LOCK_DIRS = (Path("/run/trainer-uids"), Path("/tmp/trainer-uids"))


def uid_lock_dir() -> Path:
    """The lease directory, made if need be; a SandboxError if it is not root's own directory."""
    for lock_dir in LOCK_DIRS:
        if not lock_dir.parent.is_dir() or not os.access(lock_dir.parent, os.W_OK):
            continue
        with contextlib.suppress(FileExistsError):
            lock_dir.mkdir(mode=0o700)
        st = os.lstat(lock_dir)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            raise SandboxError(f"{lock_dir} is not the trainer's own directory (owner {st.st_uid}, mode "
                               f"{stat.S_IMODE(st.st_mode):o}): remove it")
        return lock_dir
    raise SandboxError(f"no writable place for the sandbox uid leases ({', '.join(map(str, LOCK_DIRS))})")


class UidLease:
    """A host uid reserved for one sandbox while the trainer runs as root (flock per uid)."""

    def __init__(self) -> None:
        lock_dir = uid_lock_dir()
        for n in range(UID_POOL_SIZE):
            fd = os.open(lock_dir / f"{n}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid = ROOT_UID_BASE + n
            self._fd = fd
            kill_uid(self.uid)  # whatever a killed trainer left running under this uid
            return
        raise SandboxError(f"all {UID_POOL_SIZE} sandbox uids are in use")

    def release(self) -> None:
        os.close(self._fd)
