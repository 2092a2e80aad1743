"""What an attempt left behind: an immutable snapshot that graders read and nothing else.

    files = snapshot_files(root.home, owners={1000: "student"}, groups={1000: "staff"})
    obs = Observation(engine="ksh93", files=files)
    obs.file("notes.txt").mode            # 0o644
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.screen import ScreenSnapshot
from sandbox.session import KeyEvent
from sandbox.shell import ExecutedCommand

#: Files larger than this keep their metadata but not their content.
CONTENT_CAP = 1024 * 1024
#: A snapshot stops after this many entries (a learner may create many files).
ENTRY_CAP = 5000

_TYPES = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink", stat.S_IFIFO: "fifo",
          stat.S_IFSOCK: "socket", stat.S_IFCHR: "char", stat.S_IFBLK: "block"}


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
    notes: tuple[str, ...] = ()
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
                   skip: frozenset[str] = frozenset()) -> dict[str, FileInfo]:
    """Describe every entry under ``top`` (not following symlinks), keyed by relative path."""
    found: dict[str, FileInfo] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, top)
            if rel in skip:
                continue
            if len(found) >= ENTRY_CAP:
                return found
            found[rel] = describe(full, rel, owners, groups)
    return found


def describe(full: str, rel: str, owners: Mapping[int, str], groups: Mapping[int, str]) -> FileInfo:
    st = os.lstat(full)
    kind = _TYPES.get(stat.S_IFMT(st.st_mode), "other")
    content = None
    if kind == "file" and st.st_size <= CONTENT_CAP:
        try:
            content = Path(full).read_bytes()
        except OSError:
            content = None
    return FileInfo(
        path=rel, type=kind, mode=stat.S_IMODE(st.st_mode), nlink=st.st_nlink,
        owner=owners.get(st.st_uid, str(st.st_uid)), group=groups.get(st.st_gid, str(st.st_gid)),
        size=st.st_size, inode=st.st_ino, content=content,
        target=os.readlink(full) if kind == "symlink" else None)
