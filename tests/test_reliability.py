"""A learner cannot hurt the machine: writes stay in the sandbox, floods and fork bombs are contained,
and nothing an attempt started outlives it."""

from __future__ import annotations

import os
import resource
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import needs
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser
from sandbox.keys import parse_keys
from sandbox.limits import Limits
from sandbox.session import Session
from sandbox.shell import find_shell, shell_command

pytestmark = [pytest.mark.pty, needs("ksh93")]

needs_bwrap = needs("bwrap")
ISOLATIONS = [pytest.param(Isolation.PLAIN, id="plain"), pytest.param(Isolation.BWRAP, id="bwrap", marks=needs_bwrap)]


@pytest.fixture(params=ISOLATIONS)
def root(request: pytest.FixtureRequest) -> Iterator[SandboxRoot]:
    with SandboxRoot.create(SandboxUser(), isolation=request.param) as r:
        yield r


def shell(root: SandboxRoot, limits: Limits | None = None) -> Session:
    root.hand_over()
    argv, extra = shell_command(root, *find_shell("ksh93"))
    session = Session.start(root, argv, env={**root.environment(), **extra}, limits=limits)
    assert session.wait_idle(10)
    return session


def run(session: Session, line: str, timeout: float = 20) -> None:
    session.send(parse_keys(line + "<CR>"))
    assert session.wait_idle(timeout), f"no prompt after {line!r}"


def _uid(path: str) -> int | None:
    try:
        return os.stat(path).st_uid
    except OSError:
        return None


def attempt_processes(root: SandboxRoot, session: Session) -> list[int]:
    """Live pids that belong to the attempt: its uid when run as root, else its session id.

    Zombies are left out: they hold no resources, and where pid 1 does not reap (some containers)
    they stay in /proc after their parent is gone.
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
            if stat[stat.rindex(b")") + 2:].startswith(b"Z"):
                continue
            if os.geteuid() == 0:
                mine = entry.stat().st_uid == root.host_uid
            else:  # its session, or its mark for what left the session (setsid)
                mine = os.getsid(int(entry.name)) == session.pid or \
                    f"TRAINER_ATTEMPT={root.mark}".encode() in Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        if mine:
            found.append(int(entry.name))
    return found


@needs_bwrap
def test_writes_to_home_and_tmp_stay_inside() -> None:
    marker = f"trainer-marker-{uuid.uuid4().hex}"
    with SandboxRoot.create(SandboxUser(), isolation=Isolation.BWRAP) as root, shell(root) as s:
        run(s, f"echo inside > ~/{marker}; echo inside > /tmp/{marker}; echo inside > $TMPDIR/{marker}.2")
        run(s, f"touch /etc/{marker} /usr/{marker}; echo status=$?")
        assert "status=1" in s.screen.snapshot().text()
        assert (root.home / marker).read_text() == "inside\n"
        assert (root.path / "tmp" / marker).exists()
    for outside in (Path.home(), Path("/tmp"), Path("/etc"), Path("/usr")):
        assert not (outside / marker).exists()
        assert not (outside / f"{marker}.2").exists()


def test_a_flood_is_stopped_and_the_shell_lives_on(root: SandboxRoot) -> None:
    limits = Limits(output_bytes=512 * 1024)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with shell(root, limits) as s:
        started = time.monotonic()
        run(s, "yes", timeout=60)
        assert s.flooded and s.output_bytes > limits.output_bytes
        assert time.monotonic() - started < 30
        run(s, "echo still here")
        assert "still here" in s.screen.snapshot().text()
        assert any(n.code == "flooded" for n in s.notes)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 64 * 1024, f"memory grew by {grown_kib} KiB"


def test_a_fork_bomb_is_contained(root: SandboxRoot) -> None:
    limits = Limits(processes=40)
    uid = root.host_uid if os.geteuid() == 0 else os.getuid()
    lingering = sum(1 for e in os.scandir("/proc") if e.name.isdigit() and _uid(e.path) == uid)  # zombies count
    with shell(root, limits) as s:
        s.send(parse_keys("b(){ b|b& }; b<CR>"))
        deadline = time.monotonic() + 3
        peak = 0
        while time.monotonic() < deadline:  # let it rage for a while, watching the count
            s.pump(timeout=0.05)
            peak = max(peak, len(attempt_processes(root, s)))
        assert peak <= limits.processes + lingering + 8, f"{peak} processes"
        usable = subprocess.run(["true"], check=False, timeout=10)
        assert usable.returncode == 0
    assert attempt_processes(root, s) == []


def test_background_jobs_are_gone_when_the_attempt_ends(root: SandboxRoot) -> None:
    with shell(root) as s:
        run(s, "sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 & (setsid sleep 1002 &) ; echo started")
        assert s.wait_for(lambda: len(attempt_processes(root, s)) >= 4, 10)  # the shell and three sleeps
    assert attempt_processes(root, s) == []


def test_closing_twice_and_after_exit_is_harmless(root: SandboxRoot) -> None:
    s = shell(root)
    run(s, "exit")
    assert s.wait_exit(10) == 0
    s.close()
    s.close()
    assert s.exit_status == 0


def test_the_wall_clock_limit_ends_the_attempt(root: SandboxRoot) -> None:
    with shell(root, Limits(wall_seconds=1.5)) as s:
        s.send(parse_keys("sleep 600<CR>"))
        assert s.wait_for(lambda: not s.alive, 20)
        assert s.timed_out and any(n.code == "wall_time" for n in s.notes)


def test_probes_leave_the_live_session_alone(root: SandboxRoot) -> None:
    with shell(root) as s:
        done = root.run(["/bin/sh", "-c", "sleep 1000 & echo $HOME"], env=root.environment())
        assert done.returncode == 0 and done.stdout.decode().strip() == root.layout.home
        assert s.alive
        run(s, "echo alive")
        assert "alive" in s.screen.snapshot().text()
