"""What an attempt left behind: an immutable snapshot that graders read and nothing else.

    files = snapshot_files(root.home, owners={1000: "student"}, groups={1000: "staff"})
    obs = Observation(engine="ksh93", files=files)
    obs.file("notes.txt").mode            # 0o644
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.safefs import Regular, kind_of, read_regular, walk
from sandbox.screen import ScreenSnapshot
from sandbox.session import KeyEvent, Note
from sandbox.shell import ExecutedCommand

#: Files larger than this keep their metadata but not their content.
CONTENT_CAP = 1024 * 1024
#: A snapshot stops after this many entries (a learner may create many files).
ENTRY_CAP = 5000
#: Content kept across the whole snapshot; later files keep their metadata only.
TOTAL_CONTENT_CAP = 32 * 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    """One entry under HOME as ``ls -l`` would describe it (path relative to HOME)."""

    path: str
    type: str
    mode: int  # permission bits with setuid/setgid/sticky (0o7777)
    nlink: int
    owner: str
    group: str
    size: int
    inode: int
    content: bytes | None = None  # regular files up to CONTENT_CAP
    target: str | None = None  # symlinks

    @property
    def text(self) -> str | None:
        return None if self.content is None else self.content.decode("utf-8", "replace")


@dataclass(frozen=True)
class ProbeResult:
    """The output of a command the grader asked to run in the sandbox after the attempt."""

    command: str
    stdout: str
    status: int


@dataclass(frozen=True)
class Observation:
    """Everything a grader may look at. Built once after the attempt; never changed."""

    engine: str
    files: Mapping[str, FileInfo] = field(default_factory=dict)
    screen: ScreenSnapshot | None = None
    keys: tuple[KeyEvent, ...] = ()
    commands: tuple[ExecutedCommand, ...] = ()
    exit_status: int | None = None
    answer: str | None = None
    probes: Mapping[str, ProbeResult] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    seconds: float = 0.0
    #: kubectl drills: what the graders asked to read from the cluster (see ``cluster_key``), and the
    #: namespace the drill ran in.
    cluster: Mapping[str, Any] = field(default_factory=dict)
    namespace: str = ""

    def file(self, path: str) -> FileInfo | None:
        return self.files.get(os.path.normpath(path).lstrip("/"))

    @property
    def key_tokens(self) -> tuple[str, ...]:
        return tuple(k.key for k in self.keys)


def snapshot_files(top: Path, owners: Mapping[int, str], groups: Mapping[int, str],
                   skip: frozenset[str] = frozenset(), reader: tuple[int, int] | None = None) -> dict[str, FileInfo]:
    """Describe every entry under ``top`` (following no link), keyed by relative path.

    The tree is walked through directory fds and each file read through the one fd it was opened
    with, so swapping an entry for a link while the snapshot runs shows the link, never its target.
    With ``reader`` (uid, gid: the sandbox user), a file's content is kept only where that user could
    read it: the trainer may be root, the learner is not.
    """
    found: dict[str, FileInfo] = {}
    budget = TOTAL_CONTENT_CAP
    try:
        entries = walk(top)
        for rel_dir, dirnames, filenames, dirfd in entries:
            for name in sorted([*dirnames, *filenames]):
                rel = os.path.normpath(os.path.join(rel_dir, name))
                if rel in skip:
                    continue
                if len(found) >= ENTRY_CAP:
                    return found
                info = describe(dirfd, name, rel, owners, groups, reader, min(CONTENT_CAP, budget))
                if info is not None:
                    found[rel] = info
                    budget -= len(info.content or b"")
    except OSError:
        pass  # the top itself went away or was never a directory: what was seen is what there is
    return found


def _may_read(st: os.stat_result, reader: tuple[int, int] | None) -> bool:
    if reader is None:
        return True
    uid, gid = reader
    return st.st_uid == uid or bool(st.st_mode & stat.S_IROTH) or (st.st_gid == gid and bool(st.st_mode & stat.S_IRGRP))


def describe(dirfd: int, name: str, rel: str, owners: Mapping[int, str], groups: Mapping[int, str],
             reader: tuple[int, int] | None = None, cap: int = CONTENT_CAP) -> FileInfo | None:
    """One entry of the directory ``dirfd`` (None if it vanished): a regular file's content is read
    through the fd its metadata comes from."""
    try:
        st = os.lstat(name, dir_fd=dirfd)
    except OSError:
        return None
    content = None
    if stat.S_ISREG(st.st_mode) and st.st_size <= cap and _may_read(st, reader):
        read = read_regular(name, cap, dir_fd=dirfd)
        if isinstance(read, Regular) and not read.truncated and _may_read(read.st, reader):
            st, content = read.st, read.data  # what was read, and the metadata of that very file
    target = None
    if stat.S_ISLNK(st.st_mode):
        with contextlib.suppress(OSError):
            target = os.readlink(name, dir_fd=dirfd)
    return FileInfo(
        path=rel, type=kind_of(st.st_mode), mode=stat.S_IMODE(st.st_mode), nlink=st.st_nlink,
        owner=owners.get(st.st_uid, str(st.st_uid)), group=groups.get(st.st_gid, str(st.st_gid)),
        size=st.st_size, inode=st.st_ino, content=content, target=target)
