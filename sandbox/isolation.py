"""Where an attempt runs: a fresh root directory, an allow-listed environment, rlimits, bubblewrap.

This module owns the sandbox *place*: the per-attempt directory tree, the fake ``/etc`` files
(passwd, group, profile, environment) that make it look like an AIX login, the command line that
starts a program inside it (under ``bwrap`` where that works, plainly where it does not), the uid it
runs as, and the kill that removes the attempt's whole process tree.

    root = SandboxRoot.create(SandboxUser())
    argv = root.command(["ksh93", "-i"])        # bwrap ... ksh93 -i, or ksh93 -i in plain mode
    ...                                         # spawn argv with root.environment() and root.preexec
    root.close()                                # kills what is left, removes the directory
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from sandbox.bwrap import bwrap_argv, system_binds
from sandbox.errors import SandboxError
from sandbox.holder import holder_command
from sandbox.leftovers import sweep_stale, write_mark
from sandbox.limits import Limits, set_limits
from sandbox.mounts import is_full, mount_tmpfs, unmount, used_bytes
from sandbox.processes import (
    become_subreaper,
    command_of,
    kill_tree,
    kill_uid,
    process_count,
    reap,
    set_subreaper,
    tree,
    uid_of,
    zombie_children,
)
from sandbox.safefs import remove_tree
from sandbox.uids import ROOT_UID_BASE, UID_POOL_SIZE, UidLease, uid_lock_dir

#: Host environment variables an attempt may inherit; everything else is dropped.
INHERITED_ENV = ("TZ",)
#: The id a user namespace shows for host ids it does not map (Linux's overflowuid/overflowgid).
OVERFLOW_ID = 65534
#: First host uid handed to sandboxes when the trainer runs as root (one uid per live sandbox).
#: Every sandbox this process has and has not closed yet (closed on SIGTERM/SIGHUP and at exit).
_LIVE: weakref.WeakSet[SandboxRoot] = weakref.WeakSet()


class Isolation(Enum):
    """How strongly an attempt is separated from the machine."""

    BWRAP = "bwrap"  # namespaces: no network, read-only system, fake /etc, own pid space
    PLAIN = "plain"  # a temporary directory and rlimits only


@dataclass(frozen=True)
class SandboxUser:
    """The account the learner has inside the sandbox, as AIX would show it."""

    name: str = "student"
    group: str = "staff"
    uid: int = 200
    gid: int = 1
    hostname: str = "aixlab"
    shell: str = "/usr/bin/ksh"


@dataclass(frozen=True)
class Layout:
    """Paths of the sandbox as the program inside sees them."""

    home: str
    tmp: str
    tools: str  # read-only: shell rc files, editor wrappers
    state: str  # writable, outside HOME: the history file


@functools.cache
def bwrap_usable() -> bool:
    """True when ``bwrap`` exists and can start a process in new namespaces as a non-root uid."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as probe:
        argv = [exe, "--unshare-all", "--die-with-parent", *system_binds(), "--proc", "/proc",
                "--dev", "/dev", "true"]
        try:
            done = subprocess.run(argv, preexec_fn=probe.preexec(None), capture_output=True, timeout=10,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0


def default_isolation() -> Isolation:
    return Isolation.BWRAP if bwrap_usable() else Isolation.PLAIN


@functools.cache
def _swept(base: str) -> int:
    """Sweep the sandboxes of dead trainers from ``base`` once per process (see sandbox.leftovers)."""
    return sweep_stale(Path(base), uid_lock_dir() if os.geteuid() == 0 else None, ROOT_UID_BASE)


@dataclass(eq=False)  # one sandbox is one object: kept in a set of live ones
class SandboxRoot:
    """One attempt's directory tree and the means to run programs in it."""

    path: Path
    user: SandboxUser
    isolation: Isolation
    host_uid: int  # the uid programs run as on the host
    host_gid: int
    _lease: UidLease | None = None
    _pids: list[int] = field(default_factory=list)
    #: Set in every program's environment: finds the attempt's processes that left its session.
    mark: str = field(default_factory=lambda: secrets.token_hex(8))
    #: Share the host's network (kubectl drills reach the practice cluster on 127.0.0.1).
    network: bool = False
    #: Host files shown read-only inside the sandbox: (host path, path inside).
    binds: list[tuple[str, str]] = field(default_factory=list)
    #: Whether the tree is a size-capped tmpfs of its own (root); else its size is measured.
    sized: bool = False
    disk_limit: int = Limits.disk_bytes
    _closed: bool = False
    #: The process that made the sandbox: a forked child (a verify worker) never closes its parent's.
    _owner: int = field(default_factory=os.getpid)

    @classmethod
    def create(cls, user: SandboxUser, *, isolation: Isolation | None = None,
               base_dir: str | None = None, limits_disk: int | None = None) -> SandboxRoot:
        isolation = default_isolation() if isolation is None else isolation
        become_subreaper()  # orphans of attempts come to the trainer, which reaps them
        _swept(base_dir or tempfile.gettempdir())
        reap_orphans()
        lease = UidLease() if os.geteuid() == 0 else None
        try:
            path = Path(tempfile.mkdtemp(prefix="trainer-", dir=base_dir))
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        host_uid = lease.uid if lease else os.getuid()
        host_gid = lease.uid if lease else os.getgid()
        root = cls(path, user, isolation, host_uid, host_gid, lease)
        try:
            root.disk_limit = limits_disk or Limits().disk_bytes
            root.sized = mount_tmpfs(path, root.disk_limit)
            write_mark(path, host_uid, root.mark)
            root._build()
        except BaseException:
            root.close()
            raise
        _LIVE.add(root)
        return root

    def __enter__(self) -> SandboxRoot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the tree ------------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.path / "home"

    @property
    def etc(self) -> Path:
        return self.path / "etc"

    @property
    def tools(self) -> Path:
        return self.path / "tools"

    @property
    def state(self) -> Path:
        return self.path / "state"

    @property
    def layout(self) -> Layout:
        if self.isolation is Isolation.BWRAP:
            return Layout(home=f"/home/{self.user.name}", tmp="/tmp", tools="/opt/trainer",
                          state="/var/trainer")
        return Layout(home=str(self.home), tmp=str(self.path / "tmp"), tools=str(self.tools),
                      state=str(self.state))

    def _build(self) -> None:
        for sub in ("home", "etc", "tools", "tools/bin", "state", "tmp", "vartmp"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        u = self.user
        # Inside the user namespace the host's root shows as the overflow id 65534: naming it root and
        # system makes `ls -l /usr/bin` read as on AIX (root system) instead of bare numbers.
        self.write_etc("passwd", f"root:x:0:0:root:/root:/bin/sh\n"
                                 f"{u.name}:x:{u.uid}:{u.gid}:AIX student:/home/{u.name}:{u.shell}\n"
                                 f"root:x:{OVERFLOW_ID}:{OVERFLOW_ID}:root outside the sandbox:/:/bin/false\n")
        self.write_etc("group", f"system:x:0:root\n{u.group}:x:{u.gid}:{u.name}\nsystem:x:{OVERFLOW_ID}:\n")
        self.write_etc("hostname", f"{u.hostname}\n")
        self.write_etc("profile", "")
        self.write_etc("environment", "")
        self.path.chmod(0o711)
        (self.path / "tmp").chmod(0o1777)
        (self.path / "vartmp").chmod(0o1777)

    def write_etc(self, name: str, text: str) -> None:
        """Write a fake ``/etc`` file that the sandbox shows instead of the host's."""
        target = self.etc / name
        target.write_text(text, encoding="utf-8")
        target.chmod(0o644)

    def hand_over(self) -> None:
        """Give HOME, tmp and state to the sandbox uid (after the setup wrote them as us)."""
        if os.geteuid() != 0:
            return
        for sub in ("home", "state", "tmp", "vartmp"):
            top = self.path / sub
            for dirpath, dirnames, filenames in os.walk(top):
                for name in [*dirnames, *filenames]:
                    self.give(Path(dirpath, name))
            self.give(top)

    def give(self, path: Path) -> None:
        """Make ``path`` the sandbox user's (as root; otherwise it is ours already)."""
        if os.geteuid() == 0:
            os.lchown(path, self.host_uid, self.host_gid)

    def owner_names(self) -> Mapping[int, str]:
        """Host uid -> the name the sandbox shows for it."""
        return {self.host_uid: self.user.name, 0: "root"}

    def group_names(self) -> Mapping[int, str]:
        return {self.host_gid: self.user.group, 0: "system"}

    # -- running programs ----------------------------------------------------------------------
    def environment(self, extra: Mapping[str, str] | None = None, *, lang: str = "C.UTF-8",
                    term: str = "xterm", host_env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The allow-listed environment of a program in this sandbox."""
        lay = self.layout
        env = {
            "HOME": lay.home, "USER": self.user.name, "LOGNAME": self.user.name,
            "SHELL": self.user.shell, "TERM": term, "LANG": lang, "LC_ALL": lang,
            "PATH": f"{lay.tools}/bin:/usr/bin:/bin", "TMPDIR": lay.tmp,
            "PAGER": "more", "MANPAGER": "more",  # no EDITOR/VISUAL: ksh93 would turn on vi mode itself
            "TRAINER_ETC": "/etc" if self.isolation is Isolation.BWRAP else str(self.etc),
            "TRAINER_ATTEMPT": self.mark,
        }
        for name in INHERITED_ENV:
            if host_env and name in host_env:
                env[name] = host_env[name]
        if extra:
            env.update(extra)
        return env

    def command(self, argv: Sequence[str], *, cwd: str | None = None) -> list[str]:
        """The command line that runs ``argv`` inside this sandbox."""
        if self.isolation is Isolation.PLAIN:
            if os.geteuid() == 0:
                return list(argv)  # the attempt's uid finds every process it starts
            return holder_command(list(argv))  # without one, the holder keeps them
        exe = shutil.which("bwrap")
        if exe is None:
            raise SandboxError("bwrap is not installed")
        lay = self.layout
        return bwrap_argv(exe, user=self.user, network=self.network,
                          etc_files=sorted(self.etc.iterdir()),  # passwd, group, profile, vi.exrc, ...
                          writable=[(self.home, lay.home), (self.path / "tmp", "/tmp"),
                                    (self.path / "vartmp", "/var/tmp"), (self.state, lay.state)],
                          readonly=[(str(self.tools), lay.tools), *self.binds], cwd=cwd or lay.home, argv=argv)

    def host_cwd(self) -> str:
        """The directory to start a plain-mode program in (bwrap sets its own)."""
        return str(self.home)

    def preexec(self, limits: Limits | None) -> Callable[[], None]:
        """A function for the child between fork and exec: own the tty, set rlimits, drop to the uid."""
        uid, gid = self.host_uid, self.host_gid
        as_root = os.geteuid() == 0
        already = process_count(uid) if limits is not None else 0  # counted here, not in the child

        def run_in_child() -> None:
            set_subreaper()  # what the program's children leave behind stays in its tree
            if as_root:
                with contextlib.suppress(OSError):
                    os.fchown(0, uid, gid)  # ksh93 reopens its tty by name: it must own it
            if limits is not None:
                set_limits(limits, already)
            if as_root:
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)

        return run_in_child

    def run(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 10.0,
            limits: Limits | None = None, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        """Run a program inside the sandbox without a terminal (setup steps, probes).

        What it leaves running is killed when it returns (its pid namespace under bwrap, its
        session otherwise); a live pty session of the same attempt is not touched.
        """
        # Files, not pipes: a background job left holding a pipe would keep the reader waiting.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
            inp.write(stdin)
            inp.seek(0)
            proc = subprocess.Popen(self.command(argv), stdin=inp, stdout=out, stderr=err,
                                    env=dict(env or self.environment()), cwd=self.host_cwd(),
                                    preexec_fn=self.preexec(limits or Limits()), start_new_session=True)
            self._pids.append(proc.pid)  # its wait is Popen's: no reaper may take it
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                raise SandboxError(f"{' '.join(argv)}: no result after {timeout:g} s") from exc
            finally:
                seen = tree([proc.pid])
                kill_tree([proc.pid], None, self.host_uid, deadline_s=1.0)  # its tree and session
                proc.wait()
                self._pids.remove(proc.pid)
                reap(p for p in seen if p != proc.pid)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(list(argv), proc.returncode, out.read(), err.read())

    def track(self, pid: int) -> None:
        """Remember a directly spawned process so that :meth:`kill_all` can find its tree."""
        self._pids.append(pid)

    def kill_all(self) -> None:
        """Kill every process of this attempt, background jobs, ``nohup`` and ``setsid`` children included,
        and reap those that became the trainer's (the leaders are reaped by whoever spawned them)."""
        leaders = list(self._pids)
        seen = tree(leaders)  # before anything dies: afterwards orphans have moved
        if os.geteuid() == 0:
            for pid in leaders:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)  # the outer bwrap: its pid namespace dies with it
            kill_uid(self.host_uid)  # the uid is ours alone: anything still running under it goes
        else:  # our own uid: the tree (leaders last), the sessions, and what carries the mark
            kill_tree(leaders, f"TRAINER_ATTEMPT={self.mark}")
        reap(p for p in seen if p not in leaders)
        reap_orphans()

    def disk_state(self) -> str | None:
        """``"full"`` when the attempt's tmpfs is full, ``"over"`` when (without one) what it wrote passed
        its budget, else None."""
        if self.sized:
            return "full" if is_full(self.path) else None
        used = used_bytes(self.path / sub for sub in ("home", "tmp", "vartmp", "state"))
        return "over" if used > self.disk_limit else None

    def close(self) -> None:
        """Kill what is left, remove the tree (unmounting its tmpfs), give the uid back; safe to call twice."""
        if self._closed or self._owner != os.getpid():
            return
        self._closed = True
        _LIVE.discard(self)
        try:
            self.kill_all()
        finally:
            if self.sized:
                unmount(self.path)
            remove_tree(self.path)
            if self._lease is not None:
                self._lease.release()
                self._lease = None


def reap_orphans() -> int:
    """Reap the zombies attempts left to this process (it is their subreaper), and nothing someone else
    will wait for: never a live sandbox's program or probe. Returns how many were reaped.

    An orphan may die after its attempt was closed (bwrap's inner process exits when the outer one is
    gone), so this also runs when the next sandbox is made.
    """
    spawned = {p for root in _mine() for p in root._pids}
    root = os.geteuid() == 0
    orphans = []
    for pid in zombie_children():
        if pid in spawned:
            continue
        uid = uid_of(pid)
        if (root and uid is not None and ROOT_UID_BASE <= uid < ROOT_UID_BASE + UID_POOL_SIZE) or (
                not root and command_of(pid) == "bwrap"):
            orphans.append(pid)
    return reap(orphans)


def close_all() -> None:
    """Close every sandbox this process still has (a signal or the exit is taking the trainer down)."""
    for root in _mine():
        with contextlib.suppress(Exception):
            root.close()


def _mine() -> list[SandboxRoot]:
    """The live sandboxes this process made (a forked child inherits its parent's set)."""
    me = os.getpid()
    return [root for root in list(_LIVE) if root._owner == me]
