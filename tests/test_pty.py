"""The real programs in a real pty: ksh93, bash, nvi and vim inside the sandbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import needs
from sandbox.editors import editor_command, find_editor, install_editor
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser
from sandbox.keys import parse_keys
from sandbox.session import Session
from sandbox.shell import (
    executed,
    find_shell,
    history_path,
    install_login,
    read_history,
    shell_command,
    write_history,
)

pytestmark = pytest.mark.pty
needs_ksh, needs_bash, needs_nvi, needs_vim = needs("ksh93"), needs("bash"), needs("nvi"), needs("vim")

ISOLATIONS = [pytest.param(Isolation.PLAIN, id="plain"),
              pytest.param(Isolation.BWRAP, id="bwrap", marks=needs("bwrap"))]


@pytest.fixture(params=ISOLATIONS)
def root(request: pytest.FixtureRequest) -> Iterator[SandboxRoot]:
    with SandboxRoot.create(SandboxUser(), isolation=request.param) as r:
        yield r


def start_shell(root: SandboxRoot, engine: str, history: tuple[str, ...] = ()) -> Session:
    name, exe = find_shell(engine)
    write_history(root, name, history)
    root.hand_over()
    argv, extra = shell_command(root, name, exe)
    session = Session.start(root, argv, env={**root.environment(), **extra})
    assert session.wait_idle(10)
    return session


def type_line(session: Session, keys: str) -> None:
    for chunk in (keys,):
        session.send(parse_keys(chunk))
        assert session.wait_idle(10)


def commands_of(root: SandboxRoot, session: Session, engine: str, first: int = 1) -> list[tuple[str, int | None]]:
    data = Path(history_path(root, inside=False)).read_bytes()
    return [(c.text, c.exit_status) for c in executed(read_history(engine, data), session.marks, first)]


@pytest.mark.parametrize("engine", [pytest.param("ksh93", marks=needs_ksh), pytest.param("bash", marks=needs_bash)])
def test_shell_reports_commands_with_exit_status_and_r(root: SandboxRoot, engine: str) -> None:
    with start_shell(root, engine) as s:
        type_line(s, "echo hello<CR>")
        type_line(s, "ls /no/such/dir<CR>")
        type_line(s, "r hello=world echo<CR>")
        assert "world" in s.screen.snapshot().text()
        got = commands_of(root, s, engine)
    assert got[0] == ("echo hello", 0)
    assert got[1][0] == "ls /no/such/dir" and got[1][1] not in (0, None)
    assert got[2] == ("echo world", 0)


@pytest.mark.parametrize("engine", [pytest.param("ksh93", marks=needs_ksh), pytest.param("bash", marks=needs_bash)])
def test_vi_mode_recall_with_esc_k(root: SandboxRoot, engine: str) -> None:
    with start_shell(root, engine, history=("echo first", "echo second")) as s:
        type_line(s, "set -o vi<CR>")
        for chunk in ("<Esc>", "k", "k", "<CR>"):
            s.send(parse_keys(chunk))
            assert s.wait_idle(10)
        got = commands_of(root, s, engine, first=3)
    assert got == [("set -o vi", 0), ("echo second", 0)]


@needs_ksh
def test_sandbox_user_looks_like_aix(root: SandboxRoot) -> None:
    with start_shell(root, "ksh93") as s:
        type_line(s, "id -un; id -gn; touch made; ls -l made<CR>")
        text = s.screen.snapshot().text()
    if root.isolation is Isolation.BWRAP:
        assert "student\nstaff\n" in text
        assert " student staff " in text
    assert (root.home / "made").exists()


@needs_ksh
def test_resize_reaches_the_program(root: SandboxRoot) -> None:
    with start_shell(root, "ksh93") as s:
        s.resize(100, 30)
        type_line(s, "stty size<CR>")
        assert "30 100" in s.screen.snapshot().text()
        assert len(s.screen.snapshot().lines[0]) == 100


@pytest.mark.parametrize("engine", [pytest.param("nvi", marks=needs_nvi), pytest.param("vim", marks=needs_vim)])
def test_editor_edits_saves_and_exits(engine: str) -> None:
    with SandboxRoot.create(SandboxUser()) as root:
        (root.home / "f.txt").write_text("one\ntwo\nthree\n", encoding="utf-8")
        install_editor(root, *find_editor(engine))
        root.hand_over()
        with Session.start(root, editor_command(root, "f.txt"), env=root.environment()) as s:
            assert s.wait_idle(10)
            assert s.screen.snapshot().lines[1].startswith("two")
            for chunk in ("jdd", "O", "2<Esc>" if False else "2", "<Esc>", ":wq<CR>"):
                s.send(parse_keys(chunk))
                s.wait_idle(10)
            assert s.wait_exit(10) == 0
        assert (root.home / "f.txt").read_text(encoding="utf-8") == "one\n2\nthree\n"
        assert [k.key for k in s.keys] == list(parse_keys("jddO2<Esc>:wq<CR>"))


@pytest.mark.parametrize("engine", [pytest.param("nvi", marks=needs_nvi), pytest.param("vim", marks=needs_vim)])
def test_idle_snapshot_is_final_after_every_key(engine: str) -> None:
    """What wait_idle returns equals the screen a moment later: the editor had finished."""
    with SandboxRoot.create(SandboxUser()) as root:
        (root.home / "f.txt").write_text("".join(f"line {i}\n" for i in range(1, 80)), encoding="utf-8")
        install_editor(root, *find_editor(engine))
        root.hand_over()
        with Session.start(root, editor_command(root, "f.txt"), env=root.environment()) as s:
            assert s.wait_idle(10)
            for key in parse_keys("jjjjGggwwbe$0x<C-f><C-b>A tail<Esc>u"):
                s.send((key,))
                assert s.wait_idle(10)
                early = s.screen.snapshot()
                s.wait_for(lambda: False, 0.15)  # a late look: nothing more may arrive
                assert s.screen.snapshot() == early, key


@pytest.mark.parametrize("engine", [pytest.param("ksh93", marks=needs_ksh), pytest.param("bash", marks=needs_bash)])
def test_login_reads_environment_then_profile_then_dot_profile(root: SandboxRoot, engine: str) -> None:
    root.write_etc("environment", "# AIX style\nGREETING=$HOME literally\nLEVEL=environment\nONLY_ENV=e\n")
    root.write_etc("profile", "LEVEL=profile; export LEVEL; FROM_PROFILE=p; export FROM_PROFILE\n")
    (root.home / ".profile").write_text("LEVEL=dot; export LEVEL\n", encoding="utf-8")
    install_login(root, find_shell(engine)[1])
    root.hand_over()
    done = root.run(["trainer-login", 'echo "$GREETING|$LEVEL|$ONLY_ENV|$FROM_PROFILE"'], env=root.environment())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "$HOME literally|dot|e|p"


@needs_ksh
def test_idle_while_a_program_reads_whole_lines(root: SandboxRoot) -> None:
    """cat reads in canonical mode: it is not woken before <CR>, yet the typed text must settle."""
    with start_shell(root, "ksh93") as s:
        type_line(s, "cat<CR>")
        s.send(parse_keys("abc"))
        assert s.wait_idle(3)
        assert s.screen.snapshot().lines[1].startswith("abc")
        s.send(parse_keys("<CR><C-d>"))
        assert s.wait_idle(3)
        assert "abc\nabc\n$" in s.screen.snapshot().text()


@pytest.mark.parametrize("engine", [pytest.param("ksh93", marks=needs_ksh), pytest.param("bash", marks=needs_bash)])
def test_vi_mode_is_off_until_the_learner_turns_it_on(root: SandboxRoot, engine: str) -> None:
    with start_shell(root, engine) as s:
        type_line(s, "set -o | grep -E '^vi[[:space:]]'<CR>")
        assert re.search(r"^vi\s+off", s.screen.snapshot().text(), re.M)
