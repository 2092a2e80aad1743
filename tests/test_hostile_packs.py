"""Hostile packs and submissions: links out of the sandbox, YAML and template bombs, keys files that are
not keys. Each is refused with one `file:line: message` (or a one-line error and exit 2), quickly, and
changes nothing on the host."""

from __future__ import annotations

import io
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from conftest import PACKS
from sandbox.isolation import SandboxRoot, SandboxUser
from trainer.cli import main
from trainer.errors import TrainerError
from trainer.loader import load_library
from trainer.materialise import materialise
from trainer.model import FileSpec, Setup
from trainer.runner import Engines


def trainer(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), env={}, out=out)
    return code, out.getvalue()


@pytest.fixture
def host_file(tmp_path: Path) -> Path:
    """A file of the host the sandbox must never touch: mode 600, owned by whoever runs the tests."""
    secret = tmp_path / "host" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the host's secret\n")
    secret.chmod(0o600)
    return secret


def pack_with(tmp_path: Path, files: list[dict[str, object]]) -> Path:
    top = tmp_path / "packs"
    (top / "evil").mkdir(parents=True)
    (top / "evil" / "pack.yaml").write_text(yaml.safe_dump({"pack": "evil", "title": {"en": "E", "ko": "E"},
                                                             "topics": ["t.yaml"]}))
    exercise = {"id": "evil", "kind": "shell", "title": {"en": "E", "ko": "E"}, "prompt": {"en": "p", "ko": "p"},
                "setup": {"files": files}, "checks": [{"kind": "file_exists", "path": "a"}],
                "hints": [{"en": "h", "ko": "h"}], "solution": {"keys": "touch a<CR>"},
                "wrong": [{"keys": ""}, {"keys": "touch b<CR>"}]}
    (top / "evil" / "t.yaml").write_text(yaml.safe_dump({"topic": "t", "title": {"en": "T", "ko": "T"},
                                                          "exercises": [exercise]}))
    return top


EVIL_FILES = {
    "symlink-absolute-with-mode": {"path": "lnk", "type": "symlink", "target": "{host}", "mode": "666"},
    "symlink-up": {"path": "lnk", "type": "symlink", "target": "{up}"},
    "hardlink-absolute": {"path": "lnk", "type": "hardlink", "target": "{host}"},
    "hardlink-up": {"path": "lnk", "type": "hardlink", "target": "{up}"},
    "path-up": {"path": "../../escape.txt", "content": "x"},
}


@pytest.mark.parametrize("name", sorted(EVIL_FILES))
def test_lint_refuses_links_and_paths_that_leave_home(tmp_path: Path, host_file: Path, name: str) -> None:
    spec = {k: v.format(host=host_file, up="../" * 12 + str(host_file).lstrip("/")) if isinstance(v, str) else v
            for k, v in EVIL_FILES[name].items()}
    code, text = trainer("lint", str(pack_with(tmp_path, [spec])))
    assert code == 2, text
    line = next(line for line in text.splitlines() if "t.yaml:" in line)
    assert "leaves HOME" in line or "hard link's target" in line, text


def test_materialise_refuses_them_and_the_host_file_is_untouched(host_file: Path) -> None:
    """Even past lint (a pack loaded some other way), the setup walks HOME by fd and follows no link."""
    before = host_file.stat()
    evil = [
        Setup(files=(FileSpec("lnk", type="symlink", target=str(host_file), mode=0o666),)),
        Setup(files=(FileSpec("lnk", type="symlink", target=str(host_file)), FileSpec("lnk/x", content="y"))),
        Setup(files=(FileSpec("lnk", type="hardlink", target=str(host_file)),)),
        Setup(files=(FileSpec("dir", type="dir"), FileSpec("dir/../../../x", content="y"))),
    ]
    engines = Engines.detect("ksh93", "nvi")
    for setup in evil:
        with SandboxRoot.create(SandboxUser()) as root, pytest.raises(TrainerError, match="setup refused"):
            materialise(root, setup, engines, None)
    after = host_file.stat()
    assert (stat.S_IMODE(after.st_mode), after.st_uid, after.st_nlink) == (0o600, before.st_uid, 1)
    assert host_file.read_text() == "the host's secret\n"


def test_a_link_planted_among_setup_dirs_is_not_followed(tmp_path: Path) -> None:
    """A symlink the setup itself made cannot be used as a directory by a later entry."""
    outside = tmp_path / "outside"
    outside.mkdir()
    setup = Setup(files=(FileSpec("d", type="symlink", target="."), FileSpec("d/f.txt", content="x", mode=0o644)))
    with SandboxRoot.create(SandboxUser()) as root, pytest.raises(TrainerError, match="not a directory"):
        materialise(root, setup, Engines.detect("ksh93", "nvi"), None)


def alias_bomb(levels: int = 12) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\ntopic: t\n"


def bomb_pack(top: Path, name: str, topic_text: str) -> None:
    (top / name).mkdir(parents=True)
    (top / name / "pack.yaml").write_text(f"pack: {name}\ntitle: {{en: X, ko: X}}\ntopics: [t.yaml]\n")
    (top / name / "t.yaml").write_text(topic_text)


EXPR_TOPIC = """topic: t
title: {{en: T, ko: T}}
exercises:
  - id: {id}
    kind: quiz
    params:
      n: {{word: file}}
      big: {{expr: "{expr}"}}
    title: {{en: "x", ko: "x"}}
    prompt: {{en: "{{{{big}}}}", ko: "p"}}
    checks: [{{kind: answer, expected: "1"}}]
    hints: [{{en: h, ko: h}}]
    solution: {{answer: "1"}}
    wrong: [{{answer: "2"}}, {{answer: "3"}}]
"""


@pytest.mark.timeout(120)
def test_bombs_are_one_line_errors_and_the_good_packs_still_list(tmp_path: Path) -> None:
    top = tmp_path / "packs"
    shutil.copytree(PACKS / "starter", top / "starter")
    bomb_pack(top, "aliases", alias_bomb())
    bomb_pack(top, "self", "a: &a [1, *a]\ntopic: t\n")
    bomb_pack(top, "repeat", EXPR_TOPIC.format(id="rep", expr="'x' * 99999999999"))
    bomb_pack(top, "width", EXPR_TOPIC.format(id="wid", expr="'%999999999999s' % n"))
    bomb_pack(top, "lines", EXPR_TOPIC.format(id="lin", expr="numbered('%d', 1, 999999999)"))
    bomb_pack(top, "deep", "x: " + "[" * 5000 + "]" * 5000 + "\n")
    os.mkfifo(top / "starter" / "fifo.yaml")  # a FIFO among the packs must not hang the loader
    (top / "fifo").mkdir()
    os.mkfifo(top / "fifo" / "pack.yaml")
    library = load_library(top)  # within the test's timeout: a FIFO or a bomb that hangs the loader fails
    assert [p.name for p in library.packs] == ["starter"]
    by_pack = {name: [e for e in library.errors if f"/{name}/" in e] for name in
               ("aliases", "self", "repeat", "width", "lines", "deep", "fifo")}
    for name, errors in by_pack.items():
        assert len(errors) == 1, (name, library.errors)
        assert errors[0].split(":")[1].isdigit(), errors[0]  # file:line: message
        assert "\n" not in errors[0] and "Traceback" not in errors[0]
    code, text = trainer("--packs", str(top), "list")
    assert code == 0 and "chmod-owner-exec" in text


@pytest.mark.parametrize("content", [b"\x00\xff\xfe binary \x81", b"ls\x00<CR>"], ids=["binary", "nul"])
def test_check_with_a_keys_file_that_is_not_keys(tmp_path: Path, content: bytes) -> None:
    keys = tmp_path / "keys"
    keys.write_bytes(content)
    code, _ = trainer("--packs", str(PACKS), "check", "chmod-owner-exec", "--keys", str(keys))
    assert code == 2


@pytest.mark.timeout(90)  # a read that blocks on the FIFO or never ends on /dev/zero fails here
@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "dir"])
def test_check_with_a_special_keys_file_does_not_hang(tmp_path: Path, special: str) -> None:
    path = Path(special) if special.startswith("/") else tmp_path / special
    if special == "fifo":
        os.mkfifo(path)
    elif special == "dir":
        path.mkdir()
    code, _ = trainer("--packs", str(PACKS), "check", "chmod-owner-exec", "--keys", str(path))
    assert code == 2
