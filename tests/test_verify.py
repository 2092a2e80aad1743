"""`trainer verify` over every pack under every installed engine, and `trainer check` for instructors."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import PACKS, have
from trainer.cli import main
from trainer.loader import instantiate, load_library

pytestmark = pytest.mark.pty
#: The packs verified under every engine pair; the kubectl pack runs once, under ksh93 (its own test).
SHELL_AND_VI_PACKS = ("starter", "aix", "vi")

COMBOS = [
    pytest.param(["--shell", "ksh93", "--editor", "nvi"], marks=pytest.mark.skipif(
        not have("ksh93", "nvi"), reason="needs ksh93 and nvi"), id="ksh93-nvi"),
    pytest.param(["--shell", "bash", "--editor", "vim"], marks=pytest.mark.skipif(
        not have("bash", "vim"), reason="needs bash and vim"), id="bash-vim"),
]


def trainer(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), env={}, out=out)
    return code, out.getvalue()


@pytest.mark.parametrize("engines", COMBOS)
def test_verify_every_pack(engines: list[str], tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, text = trainer("--packs", str(PACKS), "verify", *SHELL_AND_VI_PACKS, *engines, "--seeds", "3",
                         "--jobs", "2", "--junit", str(report))
    assert code == 0, text
    assert " 0 failed" in text
    suite = ET.parse(report).getroot()
    assert int(suite.get("tests", "0")) > 50 and suite.get("failures") == "0"
    labels = {case.get("name", "").split(": ")[-1] for case in suite}
    assert {"solution", "wrong 1", "wrong 2", "start"} <= labels


@pytest.mark.skipif(not have("ksh93", "vim"), reason="needs ksh93 and vim")
def test_verify_without_bubblewrap() -> None:
    code, text = trainer("--packs", str(PACKS), "--no-bwrap", "verify", *SHELL_AND_VI_PACKS, "--shell", "ksh93",
                         "--editor", "vim", "--jobs", "2")
    assert code == 0, text


@pytest.mark.kube
@pytest.mark.skipif(not have("ksh93", "nvi"), reason="needs ksh93 and nvi")
def test_verify_the_kubectl_pack_on_the_practice_cluster(tmp_path: Path) -> None:
    """Every kubectl drill, two seeds, through ksh93, the real kubectl and a practice cluster per attempt."""
    report = tmp_path / "report.xml"
    code, text = trainer("--packs", str(PACKS), "verify", "kubectl", "--shell", "ksh93", "--editor", "nvi",
                         "--seeds", "2", "--jobs", "2", "--junit", str(report))
    assert code == 0, text
    suite = ET.parse(report).getroot()
    assert int(suite.get("tests", "0")) >= 50 * 2 * 3 and suite.get("failures") == "0"


def test_check_passes_fails_and_errors(tmp_path: Path) -> None:
    dir_name = instantiate(load_library(PACKS).template("chmod-equals-clears"), 0).params["dir"]
    keys = tmp_path / "keys.txt"
    keys.write_text(f"chmod o=\n {dir_name}<CR>\n", encoding="utf-8")  # line breaks are ignored
    code, text = trainer("--packs", str(PACKS), "check", "chmod-equals-clears", "--keys", str(keys), "--json")
    assert code == 0, text
    verdict = json.loads(text)
    assert verdict["passed"] is True and verdict["keys"] == len(f"chmod o= {dir_name}") + 1
    keys.write_text(f"chmod 700 {dir_name}<CR>", encoding="utf-8")
    code, text = trainer("--packs", str(PACKS), "--lang", "ko", "check", "chmod-equals-clears", "--keys", str(keys))
    assert code == 1 and "✗ equals" in text and "= 연산자" in text
    code, _ = trainer("--packs", str(PACKS), "check", "no-such-exercise", "--answer", "1")
    assert code == 2
    code, _ = trainer("--packs", str(PACKS), "check", "chmod-equals-clears", "--keys", str(tmp_path / "none"))
    assert code == 2


def test_check_a_quiz_answer() -> None:
    ex = instantiate(load_library(PACKS).template("ls-dir-link-count"), 1)
    right = str(ex.params["subdirs"] + 2)
    assert trainer("--packs", str(PACKS), "check", ex.id, "--seed", "1", "--answer", right)[0] == 0
    assert trainer("--packs", str(PACKS), "check", ex.id, "--seed", "1", "--answer", "2")[0] == 1


def test_list_and_doctor() -> None:
    code, text = trainer("--packs", str(PACKS), "list")
    assert code == 0 and "chmod-owner-exec" in text and "vi-global-substitute" in text
    code, text = trainer("--packs", str(PACKS), "--lang", "ko", "list")
    assert "심볼릭" in text
    code, text = trainer("doctor")
    assert code == 0 and "isolation:" in text and "ksh93" in text
