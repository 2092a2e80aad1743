"""What the trainer reads from a sandbox while the learner attacks it: a checked file swapped for a link
to a host secret, over and over, while the snapshot runs; the shell's history file replaced by a FIFO,
by a link to /dev/zero, by a link to a host file. The trainer, root in CI, never reads what the learner
could not, never blocks and never crashes."""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PACKS, needs
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser
from sandbox.observation import snapshot_files
from sandbox.session import Session
from trainer.loader import instantiate, load_library
from trainer.runner import Drill, Engines

pytestmark = [pytest.mark.pty, needs("ksh93", "nvi")]

SECRET = "the host's secret"
ISOLATIONS = [pytest.param(Isolation.PLAIN, id="plain"),
              pytest.param(Isolation.BWRAP, id="bwrap", marks=needs("bwrap"))]
#: Snapshots taken while the learner swaps: the closing figure is for 1,000.
RACE_ROUNDS = 1000


@pytest.fixture
def secret_dir() -> Iterator[Path]:
    """A directory of the host with a file only its owner (the trainer's user) may read."""
    top = Path(tempfile.mkdtemp(prefix="hostile-"))
    (top / "secret.txt").write_text(SECRET + "\n")
    (top / "secret.txt").chmod(0o600)
    yield top
    for p in top.iterdir():
        p.unlink()
    top.rmdir()


#: The learner's side of the race: swap a file and a link to the host secret (and a directory and a link
#: to the secret's directory) as fast as the kernel allows, with renameat2(RENAME_EXCHANGE).
SWAPPER = """import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def exchange(a, b):
    libc.renameat2(-100, a.encode(), -100, b.encode(), 2)
with open("f", "w") as out:
    out.write("mine\\n")
os.symlink(sys.argv[1] + "/secret.txt", "fl")
os.mkdir("d")
with open("d/g", "w") as out:
    out.write("mine\\n")
os.symlink(sys.argv[1], "dl")
while True:
    exchange("f", "fl")
    exchange("d", "dl")
"""


@needs("python3")
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_swapping_a_file_for_a_link_never_shows_the_host_file(isolation: Isolation, secret_dir: Path) -> None:
    with SandboxRoot.create(SandboxUser(), isolation=isolation) as root:
        (root.tools / "swapper.py").write_text(SWAPPER)
        root.hand_over()
        owners, groups = root.owner_names(), root.group_names()
        reader = (root.host_uid, root.host_gid)
        with Session.start(root, ["/usr/bin/python3", f"{root.layout.tools}/swapper.py", str(secret_dir)],
                           env=root.environment()) as swapper:
            seen_kinds: set[str] = set()
            leaked = 0
            deadline = time.monotonic() + 10
            while not seen_kinds >= {"file", "symlink"} and time.monotonic() < deadline:
                info = snapshot_files(root.home, owners, groups, reader=reader).get("f")
                if info is not None:
                    seen_kinds.add(info.type)
            for _ in range(RACE_ROUNDS):
                files = snapshot_files(root.home, owners, groups, reader=reader)
                leaked += sum(SECRET.encode() in (f.content or b"") for f in files.values())
                leaked += sum(f.path.endswith("secret.txt") for f in files.values())
                for info in files.values():
                    if info.type == "file" and info.content is not None:
                        assert info.content == b"mine\n", info
            assert swapper.alive, "the swapping loop ended early: the race was not run"
    assert seen_kinds >= {"file", "symlink"}, "the race never showed both kinds"
    assert leaked == 0


def shell_drill() -> Drill:
    exercise = instantiate(load_library(PACKS / "aix").template("aix-history-enable"), 0)
    return Drill(exercise, Engines.detect("ksh93", "nvi"))


def replaced_history(how: str) -> tuple[float, Drill]:
    drill = shell_drill()
    drill.replay(f'rm -f "$HISTFILE"; {how}<CR>')
    started = time.monotonic()
    return started, drill


@pytest.mark.parametrize("how", ['mkfifo "$HISTFILE"', 'ln -s /dev/zero "$HISTFILE"'], ids=["fifo", "dev-zero"])
def test_a_special_history_file_neither_blocks_nor_floods(how: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, drill = replaced_history(how)
    with drill:
        observation = drill.observe()
    assert time.monotonic() - started < 15
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # kB: no 180 MB/s growth
    assert observation.commands == ()
    assert [n.code for n in observation.notes if n.code == "history_unreadable"] == ["history_unreadable"]


def test_a_history_link_to_a_host_file_is_not_read(secret_dir: Path) -> None:
    """Once the history is a link, no command is read at all: a check cannot tell the host file's text."""
    _, drill = replaced_history(f'ln -s {secret_dir}/secret.txt "$HISTFILE"')
    with drill:
        observation = drill.observe()
    assert observation.commands == ()
    assert any(n.code == "history_unreadable" for n in observation.notes)
    assert all(SECRET not in c.text for c in observation.commands)
