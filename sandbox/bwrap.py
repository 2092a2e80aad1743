"""The bubblewrap command line of a sandbox: which host directories it sees read-only, which of the
attempt's directories it writes, and as whom it runs.

    argv = bwrap_argv("/usr/bin/bwrap", user=user, network=False, etc_files=[...],
                      writable=[(home, "/home/user")], readonly=[], cwd="/home/user", argv=["ksh93"])
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class Identity(Protocol):
    """Who the program is inside the sandbox (sandbox.isolation.SandboxUser)."""

    @property
    def hostname(self) -> str: ...
    @property
    def uid(self) -> int: ...
    @property
    def gid(self) -> int: ...


#: System directories bound read-only into a bwrap sandbox (those that exist on this machine).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Host /etc entries a sandbox sees (read-only); the rest of its /etc is the fake files of the attempt.
#: An allow-list, not the whole /etc: a bind over a file /etc lacks is impossible in a read-only /etc,
#: and binding all ~140 entries one by one costs ~30 ms a start.
ETC_ENTRIES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
               "nsswitch.conf", "terminfo", "vim", "manpath.config", "groff", "papersize", "inputrc",
               "locale.alias", "default", "hosts", "host.conf", "services", "protocols", "shells", "magic",
               "magic.mime", "mime.types", "bash.bashrc", "login.defs", "mtab", "ssl", "ca-certificates")


@functools.cache
def system_binds() -> tuple[str, ...]:
    """The read-only system directories and /etc entries (those that exist on this machine)."""
    args: list[str] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    args += ["--tmpfs", "/etc"]
    for name in ETC_ENTRIES:
        path = f"/etc/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return tuple(args)


def bwrap_argv(exe: str, *, user: Identity, network: bool, etc_files: Sequence[Path],
               writable: Sequence[tuple[Path, str]], readonly: Sequence[tuple[str, str]], cwd: str,
               argv: Sequence[str]) -> list[str]:
    """``argv`` run by bwrap in namespaces of its own (the network shared only when ``network``), with the
    attempt's fake /etc files over the host's allow-list, its ``writable`` (host, inside) directories
    bound read-write and ``readonly`` ones read-only."""
    args = [exe, "--unshare-all", *(["--share-net"] if network else []), "--die-with-parent",
            "--hostname", user.hostname, "--uid", str(user.uid), "--gid", str(user.gid), *system_binds()]
    for fake in etc_files:
        args += ["--ro-bind", str(fake), f"/etc/{fake.name}"]
    args += ["--remount-ro", "/etc", "--proc", "/proc", "--dev", "/dev"]
    for host, inside in writable:
        args += ["--bind", str(host), inside]
    for host_path, inside in readonly:
        args += ["--ro-bind", host_path, inside]
    return [*args, "--chdir", cwd, "--", *argv]
