"""A trainer taken down (TERM, HUP, INT, KILL) leaves nothing behind; attempts whose learner hides
processes (setsid, double forks, a cleared environment) leave no process and no zombie; what an attempt
writes to disk is capped."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PACKS, ROOT, needs
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser, close_all
from sandbox.processes import all_pids, is_zombie, parent_of, uid_of
from sandbox.session import Session
from sandbox.uids import ROOT_UID_BASE, UID_POOL_SIZE
from trainer.loader import instantiate, load_library
from trainer.model import Attempt
from trainer.runner import Engines, run_attempt

pytestmark = [pytest.mark.pty, needs("ksh93", "nvi")]

#: The pack of the drill these tests start (the one pack: each start loads it, not the whole library).
STARTER = PACKS / "starter"
ISOLATIONS = [pytest.param(Isolation.PLAIN, id="plain"),
              pytest.param(Isolation.BWRAP, id="bwrap", marks=needs("bwrap"))]
#: Keys a learner types to leave processes behind in every way a shell allows.
HIDING = ("/bin/sleep {n} & nohup /bin/sleep {n} >/dev/null 2>&1 & setsid -f env -i /bin/sleep {n}; "
          "(env -i sh -c '/bin/sleep {n} &' &); disown<CR>")


def sleepers(n: int) -> list[int]:
    """Live processes running ``sleep n`` (a duration no other test uses; ksh93's own sleep is a builtin,
    so the keys name /bin/sleep)."""
    found = []
    for pid in all_pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[0].endswith(b"sleep") and argv[1] == str(n).encode() and not is_zombie(pid):
            found.append(pid)
    return found


def sandbox_zombies() -> list[int]:
    """Zombies of sandbox uids left to this process or to pid 1 (which may never reap them)."""
    me = os.getpid()
    return [p for p in all_pids() if is_zombie(p) and parent_of(p) in (me, 1)
            and ROOT_UID_BASE <= (uid_of(p) or 0) < ROOT_UID_BASE + UID_POOL_SIZE]


@pytest.fixture
def tmpdir_of_its_own() -> Iterator[Path]:
    """A TMPDIR for the trainers a test starts, so that their sandboxes can be counted."""
    top = Path(tempfile.mkdtemp(prefix="hostile-tmp-"))
    top.chmod(0o1777)
    yield top
    subprocess.run(["rm", "-rf", str(top)], check=False)


def sandboxes(tmpdir: Path) -> list[Path]:
    return [p for p in tmpdir.iterdir() if p.name.startswith("trainer-") and p.name != "trainer-uids"]


def start_checking(tmpdir: Path, keys: str, n: int) -> subprocess.Popen[bytes]:
    """`trainer check` replaying ``keys`` (which start ``sleep n``), once its sleeper runs."""
    keys_file = tmpdir / f"keys-{time.monotonic_ns()}"
    keys_file.write_text(keys)
    proc = subprocess.Popen([sys.executable, "-m", "trainer", "--packs", str(STARTER), "check", "chmod-owner-exec",
                             "--keys", str(keys_file)], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmpdir)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not sleepers(n):
        assert proc.poll() is None, f"the trainer ended early: {proc.stderr.read() if proc.stderr else ''}"
        assert time.monotonic() < deadline, "the drill never started its sleeper"
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"])
def test_a_signalled_trainer_tears_its_drill_down(signum: int, tmpdir_of_its_own: Path) -> None:
    n = 4700 + signum
    proc = start_checking(tmpdir_of_its_own, f"/bin/sleep {n}<CR>", n)
    assert len(sandboxes(tmpdir_of_its_own)) == 1
    proc.send_signal(signum)
    assert proc.wait(timeout=20) != 0
    assert sandboxes(tmpdir_of_its_own) == []
    assert sleepers(n) == []


def test_sandboxes_of_killed_trainers_go_at_the_next_start(tmpdir_of_its_own: Path) -> None:
    n, kills = 4720, 20
    for _ in range(kills):
        proc = start_checking(tmpdir_of_its_own, f"/bin/sleep {n}<CR>", n)
        proc.kill()
        proc.wait(timeout=10)
    assert len(sandboxes(tmpdir_of_its_own)) == 1  # each start swept those before it; the last is left
    done = subprocess.run([sys.executable, "-m", "trainer", "--packs", str(STARTER), "check", "chmod-owner-exec",
                           "--answer", "x"], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmpdir_of_its_own)},
                          capture_output=True, timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert sandboxes(tmpdir_of_its_own) == []
    deadline = time.monotonic() + 5
    while sleepers(n) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sleepers(n) == []


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_hidden_processes_and_zombies_never_outlive_their_attempt(isolation: Isolation) -> None:
    n = 4731 if isolation is Isolation.PLAIN else 4732
    exercise = instantiate(load_library(STARTER).template("chmod-owner-exec"), 0)
    engines = Engines.detect("ksh93", "nvi", isolation)
    zombies_before = len(sandbox_zombies())
    for _ in range(ATTEMPTS):
        run_attempt(exercise, Attempt(keys={"*": HIDING.format(n=n)}), engines)
    assert sleepers(n) == []
    assert len(sandbox_zombies()) <= zombies_before  # none of ours (others may be older, from elsewhere)


#: Attempts per isolation (HOSTILE_ATTEMPTS=200 gives the figure the issue asks for; 40 keep the suite short).
ATTEMPTS = int(os.environ.get("HOSTILE_ATTEMPTS", "40"))


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the non-root plain sandbox by becoming nobody, as root")
def test_as_a_plain_user_hidden_processes_are_found_too(tmpdir_of_its_own: Path) -> None:
    """Without root there is no uid of the attempt's own: the holder, a subreaper, finds them, even once the
    shell that started them has exited."""
    n = 4740
    script = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser, close_all
from sandbox.keys import parse_keys
from sandbox.session import Session
from sandbox.shell import find_shell, shell_command
with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as root:
    argv, extra = shell_command(root, *find_shell("ksh93"))
    with Session.start(root, argv, env={{**root.environment(), **extra}}) as s:
        s.wait_idle()
        s.send(parse_keys({HIDING.format(n=n).replace("<CR>", "; exit<CR>")!r}))  # the shell goes first
        s.wait_idle()
        time.sleep(0.3)
print("closed")
"""
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                           script], cwd=tmpdir_of_its_own, env={**os.environ, "TMPDIR": str(tmpdir_of_its_own),
                                                                 "HOME": str(tmpdir_of_its_own)},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "closed" in done.stdout, done.stderr
    assert sleepers(n) == []


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_what_an_attempt_writes_is_capped(isolation: Isolation) -> None:
    with SandboxRoot.create(SandboxUser(), isolation=isolation, limits_disk=64 << 20) as root:
        root.hand_over()
        script = "for i in 1 2 3 4 5 6 7 8 9 10; do head -c 20000000 /dev/zero > f$i; done; echo wrote"
        with Session.start(root, ["/bin/sh", "-c", script], env=root.environment()) as session:
            def noted() -> bool:
                session.tick()  # a program that has ended is still measured
                return any(n.code in ("disk_full", "disk_budget") for n in session.notes)

            session.wait_for(noted, timeout=30)
            codes = [n.code for n in session.notes]
        used = sum(p.stat().st_blocks * 512 for p in root.home.iterdir())
    assert used <= (64 << 20) + (20 << 20)  # at the cap (a tmpfs), or a check later (a budget)
    assert "disk_full" in codes or "disk_budget" in codes


def test_a_tree_the_learner_made_unremovable_is_removed() -> None:
    """chmod 500 and 000 directories: the owner gets its rights back before the tree goes."""
    def body() -> None:
        with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as root:
            root.hand_over()
            done = root.run(["/bin/sh", "-c", "mkdir -p d/e && head -c 1000000 /dev/zero > d/e/f && chmod 500 d/e "
                                              "&& chmod 000 d"])
            assert done.returncode == 0, done.stderr
            path = root.path
        assert not path.exists()

    if os.geteuid() == 0:  # as root every directory is removable anyway: try it as nobody
        top = Path(tempfile.mkdtemp(prefix="hostile-rm-"))
        top.chmod(0o1777)
        script = (f"import os, sys, tempfile; sys.path.insert(0, {str(ROOT)!r}); tempfile.tempdir = {str(top)!r}\n"
                  "from sandbox.isolation import Isolation, SandboxRoot, SandboxUser\n"
                  "with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as root:\n"
                  "    root.hand_over()\n"
                  "    root.run(['/bin/sh', '-c', 'mkdir -p d/e && echo x > d/e/f && chmod 500 d/e && chmod 000 d'])\n"
                  "    path = root.path\n"
                  "print(os.path.exists(path))\n")
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                               script], capture_output=True, text=True, timeout=60, check=False, cwd=top)
        subprocess.run(["rm", "-rf", str(top)], check=False)
        assert done.stdout.strip() == "False", done.stdout + done.stderr
    else:
        body()


def test_a_forked_worker_reaps_its_own_and_leaves_its_parents_sandbox_alone() -> None:
    """`trainer verify` forks its workers: PR_SET_CHILD_SUBREAPER is not inherited, so each worker must set
    it again (else every orphan of its attempts goes to the parent as a zombie), and a worker that is taken
    down must not close the sandboxes it inherited from its parent."""
    def is_subreaper() -> bool:
        flag = ctypes.c_int(0)
        ctypes.CDLL(None).prctl(37, ctypes.byref(flag), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
        return flag.value == 1

    with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN) as root:
        assert is_subreaper()
        pid = os.fork()
        if pid == 0:  # the worker: what close_all and SandboxRoot.create do there
            ok = not is_subreaper()  # the kernel's rule that made this necessary
            close_all()
            ok = ok and root.path.exists()
            with SandboxRoot.create(SandboxUser(), isolation=Isolation.PLAIN):
                ok = ok and is_subreaper()
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert root.path.exists()
