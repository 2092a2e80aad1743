"""Host-side file access inside a sandbox tree that no link, race or special file can redirect.

The trainer runs as the invoking user (root in CI) and touches files the learner controls. Every
such access goes through here: paths are walked one component at a time from a directory fd with
``O_NOFOLLOW``, a file is read through the one fd it was opened with (``O_NONBLOCK``, so a FIFO cannot
block; ``fstat`` on that fd, so only a regular file is read; size-capped), and nothing is ever
looked up by path twice.

    with DirFd.open(root.home) as home:
        parent, name = home.parent_of("docs/notes.txt", create=True)
        write_new(parent, name, b"hello\\n", 0o644)
    data = read_regular("/tmp/x/history", cap=1 << 20)   # Regular(data=b"...") or Unreadable("a fifo")
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink", stat.S_IFIFO: "fifo",
         stat.S_IFSOCK: "socket", stat.S_IFCHR: "char", stat.S_IFBLK: "block"}


#: What a file that is not a regular one is, in words.
_WHAT = {"dir": "a directory", "fifo": "a FIFO", "socket": "a socket", "char": "a character device",
         "block": "a block device"}


class UnsafePath(ValueError):
    """A path that would leave its directory (absolute, or with ``..``), or crosses a non-directory."""


def kind_of(mode: int) -> str:
    """``file``, ``dir``, ``symlink``, ... for an ``st_mode``.

    >>> kind_of(stat.S_IFIFO | 0o644)
    'fifo'
    """
    return KINDS.get(stat.S_IFMT(mode), "other")


def parts_of(relative: str) -> list[str]:
    """The components of a path that stays inside its directory; UnsafePath otherwise.

    >>> parts_of("a/./b//c")
    ['a', 'b', 'c']
    >>> parts_of("a/../../etc")
    Traceback (most recent call last):
    ...
    sandbox.safefs.UnsafePath: 'a/../../etc' leaves its directory
    """
    if relative.startswith("/"):
        raise UnsafePath(f"{relative!r} is absolute")
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if ".." in parts or not parts:
        raise UnsafePath(f"{relative!r} leaves its directory" if ".." in parts else f"{relative!r} names nothing")
    return parts


@dataclass
class DirFd:
    """An open directory; every lookup below it is relative to this fd and follows no link."""

    fd: int

    @classmethod
    def open(cls, path: str | Path) -> DirFd:
        return cls(os.open(path, _DIR_FLAGS))

    def __enter__(self) -> DirFd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def parent_of(self, relative: str, *, create: bool = False) -> tuple[DirFd, str]:
        """The directory holding ``relative`` (made on the way when ``create``) and the last name.

        The caller closes the returned DirFd (it is a new fd, even for a top-level name).
        """
        *dirs, name = parts_of(relative)
        current = os.dup(self.fd)
        try:
            for part in dirs:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=current)
                try:
                    child = os.open(part, _DIR_FLAGS, dir_fd=current)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise UnsafePath(f"{relative!r}: {part!r} is not a directory") from exc
                    raise
                os.close(current)
                current = child
        except BaseException:
            os.close(current)
            raise
        return DirFd(current), name


def write_new(parent: DirFd, name: str, data: bytes, mode: int = 0o644) -> None:
    """Create ``name`` in ``parent`` with ``data``; never through an existing entry or link."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=parent.fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def chmod_entry(parent: DirFd, name: str, mode: int) -> None:
    """Set the mode of a file or directory ``name`` in ``parent`` through an fd (never a link's target)."""
    st = os.lstat(name, dir_fd=parent.fd)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(f"{name!r} is a symbolic link: it has no mode of its own")
    flags = _DIR_FLAGS if stat.S_ISDIR(st.st_mode) else _READ_FLAGS
    fd = os.open(name, flags, dir_fd=parent.fd)
    try:
        if os.fstat(fd).st_ino != st.st_ino:
            raise UnsafePath(f"{name!r} changed while its mode was set")
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Regular:
    """A regular file's content (at most the cap) and its metadata, read through one fd."""

    data: bytes
    st: os.stat_result
    truncated: bool = False


@dataclass(frozen=True)
class Unreadable:
    """Why a file was not read: what it is instead ("a fifo", "a symbolic link", "missing", ...)."""

    what: str


def read_regular(path: str | Path, cap: int, *, dir_fd: int | None = None,
                 follow: bool = False) -> Regular | Unreadable:
    """Read a regular file without following a link (unless ``follow``: a file the trainer's user chose,
    such as a pack) or blocking on a special file (at most ``cap`` bytes; ``truncated`` says there was
    more)."""
    try:
        fd = os.open(path, _READ_FLAGS & ~os.O_NOFOLLOW if follow else _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return Unreadable("missing")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Unreadable("a symbolic link")
        return Unreadable(exc.strerror or "unreadable")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return Unreadable(_WHAT.get(kind_of(st.st_mode), "not a regular file"))
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except BlockingIOError:  # pragma: no cover - a regular file does not block
                break
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return Regular(data[:cap], st, truncated=len(data) > cap)
    except OSError as exc:
        return Unreadable(exc.strerror or "unreadable")
    finally:
        os.close(fd)


def walk(top: str | Path) -> Iterator[tuple[str, list[str], list[str], int]]:
    """``os.fwalk`` that follows no link, with sorted names: (relative dir, dirs, files, dir fd)."""
    for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
        dirnames.sort()
        filenames.sort()
        yield os.path.relpath(dirpath, top), dirnames, filenames, dirfd


def remove_tree(path: str | Path) -> bool:
    """Remove a tree the learner may have made unremovable (``chmod 500`` directories): give every
    directory back its owner's rights first, without following links. True when it is gone."""
    if not os.path.lexists(path):
        return True
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        return True
    with contextlib.suppress(OSError):
        if not os.path.islink(path):
            os.chmod(path, 0o700)
            for _dirpath, dirnames, _files, dirfd in os.fwalk(path, follow_symlinks=False):
                for name in dirnames:  # (the attempt's processes are gone: nothing swaps these now)
                    with contextlib.suppress(OSError):
                        if stat.S_ISDIR(os.lstat(name, dir_fd=dirfd).st_mode):
                            os.chmod(name, 0o700, dir_fd=dirfd)
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)
