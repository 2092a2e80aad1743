"""The size of what an attempt writes: a size-capped tmpfs where the trainer may mount one (root), or
a measured budget where it may not.

    if mount_tmpfs(path, size=256 << 20):     # root: the kernel refuses writes past the cap
        ...; unmount(path)
    used_bytes([home, tmp])                   # elsewhere: blocks in use, each inode counted once
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from sandbox.libc import libc

_MS_NOSUID, _MS_NODEV = 2, 4
_MNT_DETACH = 2
#: A tmpfs holds at most this many files and directories (a learner may create them by the million).
TMPFS_INODES = 100_000


def mount_tmpfs(path: Path, size: int, mode: int = 0o711) -> bool:
    """Mount a tmpfs of ``size`` bytes on the empty directory ``path``; False where that is not allowed
    (not root) or fails."""
    c = libc()
    if c is None or os.geteuid() != 0:
        return False
    options = f"size={size},nr_inodes={TMPFS_INODES},mode={mode:o}".encode()
    done = c.mount(b"tmpfs", os.fsencode(path), b"tmpfs", _MS_NOSUID | _MS_NODEV, options)
    return bool(done == 0)


def unmount(path: Path) -> bool:
    """Detach the file system mounted on ``path`` (lazily: a process still inside cannot keep it)."""
    c = libc()
    return c is not None and c.umount2(os.fsencode(path), _MNT_DETACH) == 0


def is_full(path: Path) -> bool:
    """Whether the file system of ``path`` has no block left for an unprivileged writer."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail == 0


def used_bytes(tops: Iterable[Path]) -> int:
    """Disk blocks in use under ``tops``, following no link, each inode once (hard links)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for top in tops:
        with contextlib.suppress(OSError):
            for _dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
                for name in [*dirnames, *filenames]:
                    with contextlib.suppress(OSError):
                        st = os.lstat(name, dir_fd=dirfd)
                        key = (st.st_dev, st.st_ino)
                        if key not in seen and not stat.S_ISLNK(st.st_mode):
                            seen.add(key)
                            total += st.st_blocks * 512
    return total
