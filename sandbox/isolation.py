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
import fcntl
import functools
import os
import resource
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.processes import kill_marked, kill_session, kill_uid, process_count

#: System directories bound read-only into a bwrap sandbox (those that exist on this machine).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Host /etc entries a sandbox sees (read-only); the rest of its /etc is the fake files of the attempt.
#: An allow-list, not the whole /etc: a bind over a file /etc lacks is impossible in a read-only /etc,
#: and binding all ~140 entries one by one costs ~30 ms a start.
ETC_ENTRIES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
               "nsswitch.conf", "terminfo", "vim", "manpath.config", "groff", "papersize", "inputrc",
               "locale.alias", "default", "hosts", "host.conf", "services", "protocols", "shells", "magic",
               "magic.mime", "mime.types", "bash.bashrc", "login.defs", "mtab", "ssl", "ca-certificates")
#: Host environment variables an attempt may inherit; everything else is dropped.
INHERITED_ENV = ("TZ",)
#: The id a user namespace shows for host ids it does not map (Linux's overflowuid/overflowgid).
OVERFLOW_ID = 65534
#: First host uid handed to sandboxes when the trainer runs as root (one uid per live sandbox).
ROOT_UID_BASE = 61000
UID_POOL_SIZE = 256


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
class Limits:
    """Resource limits for one attempt; the defaults suit a shell or an editor drill."""

    cpu_seconds: int = 120
    file_bytes: int = 64 * 1024 * 1024
    processes: int = 96
    open_files: int = 256
    address_space: int | None = 2 * 1024 * 1024 * 1024
    wall_seconds: float = 3600.0
    output_bytes: int = 8 * 1024 * 1024


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
        argv = [exe, "--unshare-all", "--die-with-parent", *_system_binds(), "--proc", "/proc",
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
def _system_binds() -> tuple[str, ...]:
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


class _UidLease:
    """A host uid reserved for one sandbox while the trainer runs as root (flock per uid)."""

    def __init__(self) -> None:
        lock_dir = Path(tempfile.gettempdir()) / "trainer-uids"
        lock_dir.mkdir(mode=0o700, exist_ok=True)
        for n in range(UID_POOL_SIZE):
            fd = os.open(lock_dir / f"{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid = ROOT_UID_BASE + n
            self._fd = fd
            return
        raise SandboxError(f"all {UID_POOL_SIZE} sandbox uids are in use")

    def release(self) -> None:
        os.close(self._fd)


@dataclass
class SandboxRoot:
    """One attempt's directory tree and the means to run programs in it."""

    path: Path
    user: SandboxUser
    isolation: Isolation
    host_uid: int  # the uid programs run as on the host
    host_gid: int
    _lease: _UidLease | None = None
    _pids: list[int] = field(default_factory=list)
    #: Set in every program's environment: finds the attempt's processes that left its session.
    mark: str = field(default_factory=lambda: secrets.token_hex(8))
    #: Share the host's network (kubectl drills reach the practice cluster on 127.0.0.1).
    network: bool = False
    #: Host files shown read-only inside the sandbox: (host path, path inside).
    binds: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def create(cls, user: SandboxUser, *, isolation: Isolation | None = None,
               base_dir: str | None = None) -> SandboxRoot:
        isolation = default_isolation() if isolation is None else isolation
        path = Path(tempfile.mkdtemp(prefix="trainer-", dir=base_dir))
        lease = _UidLease() if os.geteuid() == 0 else None
        host_uid = lease.uid if lease else os.getuid()
        host_gid = lease.uid if lease else os.getgid()
        root = cls(path, user, isolation, host_uid, host_gid, lease)
        root._build()
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
            return list(argv)
        exe = shutil.which("bwrap")
        if exe is None:
            raise SandboxError("bwrap is not installed")
        lay = self.layout
        args = [exe, "--unshare-all", *(["--share-net"] if self.network else []), "--die-with-parent",
                "--hostname", self.user.hostname, "--uid", str(self.user.uid), "--gid", str(self.user.gid),
                *_system_binds()]
        for fake in sorted(self.etc.iterdir()):  # passwd, group, profile, environment, vi.exrc, ...
            args += ["--ro-bind", str(fake), f"/etc/{fake.name}"]
        args += ["--remount-ro", "/etc"]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--bind", str(self.home), lay.home,
                 "--bind", str(self.path / "tmp"), "/tmp",
                 "--bind", str(self.path / "vartmp"), "/var/tmp",
                 "--ro-bind", str(self.tools), lay.tools,
                 "--bind", str(self.state), lay.state]
        for host, inside in self.binds:
            args += ["--ro-bind", host, inside]
        args += ["--chdir", cwd or lay.home, "--", *argv]
        return args

    def host_cwd(self) -> str:
        """The directory to start a plain-mode program in (bwrap sets its own)."""
        return str(self.home)

    def preexec(self, limits: Limits | None) -> Callable[[], None]:
        """A function for the child between fork and exec: own the tty, set rlimits, drop to the uid."""
        uid, gid = self.host_uid, self.host_gid
        as_root = os.geteuid() == 0
        already = process_count(uid) if limits is not None else 0  # counted here, not in the child

        def run_in_child() -> None:
            if as_root:
                with contextlib.suppress(OSError):
                    os.fchown(0, uid, gid)  # ksh93 reopens its tty by name: it must own it
            if limits is not None:
                _set_limits(limits, already)
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
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                raise SandboxError(f"{' '.join(argv)}: no result after {timeout:g} s") from exc
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(proc.pid, signal.SIGKILL)
                kill_session(proc.pid)
                proc.wait()
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(list(argv), proc.returncode, out.read(), err.read())

    def track(self, pid: int) -> None:
        """Remember a directly spawned process so that :meth:`kill_all` can find its tree."""
        self._pids.append(pid)

    def kill_all(self) -> None:
        """Kill every process of this attempt, background jobs and ``nohup`` children included."""
        for pid in self._pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)  # the outer bwrap: its pid namespace dies with it
        if os.geteuid() == 0:
            kill_uid(self.host_uid)  # the uid is ours alone: anything still running under it goes
        else:  # our own uid: the attempt's sessions, and what escaped them (setsid) by its mark
            kill_marked(self._pids, f"TRAINER_ATTEMPT={self.mark}")

    def close(self) -> None:
        self.kill_all()
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lease is not None:
            self._lease.release()
            self._lease = None


def _set_limits(limits: Limits, already: int) -> None:
    pairs = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.processes + already),
    ]
    if limits.address_space is not None:
        pairs.append((resource.RLIMIT_AS, limits.address_space))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))
