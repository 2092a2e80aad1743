"""Method checks judge what a command means: the answers an outsider wrote that the old text checks got
wrong, each graded on a hand-built observation (pure: no programs run)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.keys import parse_keys
from sandbox.observation import Observation
from sandbox.session import KeyEvent
from sandbox.shell import ExecutedCommand
from trainer.checks import CHECKS
from trainer.grading import grade
from trainer.model import Check


def shell(*lines: str, keys: str = "") -> Observation:
    commands = tuple(ExecutedCommand(i + 1, line, 0) for i, line in enumerate(lines))
    typed = keys or "".join(f"{line}<CR>" for line in lines)
    return Observation("ksh93", keys=tuple(KeyEvent(0.0, k) for k in parse_keys(typed)), commands=commands)


def vi(keys: str) -> Observation:
    return Observation("nvi", keys=tuple(KeyEvent(0.0, k) for k in parse_keys(keys)))


def passes(kind: str, args: dict[str, Any], obs: Observation) -> bool:
    assert CHECKS[kind].problems(args) == []
    return CHECKS[kind].evaluate(args, obs).passed


SCALE = {"program": "kubectl", "args": ["scale", "replicasets", "front"], "options": ["replicas=4"]}


@pytest.mark.parametrize("line", ["kubectl scale --replicas=4 rs/front", "k scale rs front --replicas 4",
                                  "kubectl scale replicaset.apps front --replicas=4", "kubectl scale -n default "
                                  "--replicas=4 replicasets/front"])
def test_a_kubectl_flag_anywhere_in_any_spelling(line: str) -> None:
    assert passes("ran", SCALE, shell(line))


@pytest.mark.parametrize("line", ["kubectl scale --replicas=3 rs/front", "kubectl scale deploy front --replicas=4",
                                  "kubectl get rs front"])
def test_another_count_kind_or_verb_is_not_that_scale(line: str) -> None:
    assert not passes("ran", SCALE, shell(line))


def test_long_forms_of_kubectl_flags() -> None:
    apply = {"program": "kubectl", "args": ["apply"], "options": ["f"]}
    assert passes("ran", apply, shell("kubectl apply --filename=api.yaml"))
    assert passes("ran", apply, shell("k apply -f api.yaml"))
    assert not passes("ran", apply, shell("kubectl create -f api.yaml"))
    selector = {"program": "kubectl", "args": ["get", "pods"], "options": ["l"]}
    assert passes("ran", selector, shell("kubectl get po --selector app=web"))


def test_two_commands_on_one_line() -> None:
    assert passes("ran", {"command": "cal", "status": 0}, shell("date; cal"))
    assert passes("ran", {"command": "date"}, shell("date && cal"))
    rollout = {"program": "kubectl", "args": ["rollout", "status"]}
    assert passes("ran", rollout, shell("k set image deploy/api nginx=nginx:1.26 && k rollout status deploy/api"))


def test_quotes_and_paths_that_change_nothing() -> None:
    assert passes("ran", {"command": "banner grape"}, shell('banner "grape"'))
    assert passes("ran", {"command": "ls -ld drafts"}, shell("ls -ld ./drafts"))
    assert passes("ran", {"command": "ls -ld drafts"}, shell("ls -l -d drafts/"))
    assert not passes("ran", {"command": "ls -ld drafts"}, shell("ls -l drafts"))
    assert not passes("ran", {"command": "banner grape"}, shell("banner grapes"))


def test_aliases_the_learner_defined_apply_to_later_lines() -> None:
    assert passes("ran", {"command": "ls -l notes"}, shell("alias ll='ls -l'", "ll notes"))


@pytest.mark.parametrize(("line", "symbolic"), [("chmod 740 a.sh", False), ("chmod -R 0750 d", False),
                                                ("chmod u+x a.sh", True), ("chmod -w a.sh", True)])
def test_chmod_notation(line: str, symbolic: bool) -> None:
    assert passes("not_ran", {"program": "chmod", "notation": "octal"}, shell(line)) is symbolic


@pytest.mark.parametrize(("mode", "clause", "ok"), [("ugo+r", "a+r", True), ("g=xr", "g=rx", True),
                                                    ("og=", "go=", True), ("u+x,go=", "go=", True),
                                                    ("g=r", "g=rx", False), ("go-rwx", "go=", False)])
def test_chmod_clauses_are_sets(mode: str, clause: str, ok: bool) -> None:
    assert passes("ran", {"program": "chmod", "clause": clause}, shell(f"chmod {mode} f")) is ok


@pytest.mark.parametrize("keys", [":set autoindent<CR>", ":se ai<CR>", ":set ai<CR>", ":set nu ai<CR>"])
def test_vi_option_names_and_abbreviations(keys: str) -> None:
    assert passes("ex_ran", {"command": "set", "option": "ai"}, vi(keys))


def test_ex_commands_with_an_address_and_full_names() -> None:
    assert passes("ex_ran", {"command": "substitute"}, vi(":2s/mango/grape/<CR>"))
    assert passes("ex_ran", {"command": "s", "range": "%"}, vi(":1,$s/a/b/g<CR>"))
    assert passes("ex_ran", {"command": "global", "pattern": " the ", "then": "s"}, vi(":g/ the /s// one /g<CR>"))
    assert passes("ex_ran", {"command": "vglobal"}, vi(":g!/x/d<CR>"))
    assert passes("ex_ran", {"command": "append"}, vi(":a<CR>"))
    assert not passes("ex_ran", {"command": "substitute", "range": "%"}, vi(":s/a/b/<CR>"))


def test_text_typed_in_insert_mode_or_searched_is_no_command() -> None:
    assert not passes("ex_ran", {"command": "substitute"}, vi("ihello :s/a/b/<Esc>/:s/x<CR>"))
    assert not passes("ex_ran", {"command": "substitute"}, vi(":s/a/b/<Esc>"))  # ESC abandons the line


def test_ksh_r_forms() -> None:
    r = {"command": "wc -l b.txt", "via": "r"}
    assert passes("recalled", r, shell("wc -l b.txt", keys="r wc<CR>"))
    assert passes("recalled", {**r, "substitutes": True}, shell("wc -l b.txt", keys="r a=b wc<CR>"))
    assert not passes("recalled", {**r, "substitutes": True}, shell("wc -l b.txt", keys="r<CR>"))


def test_r_is_not_esc_k_and_r_old_new_is_not_x() -> None:
    vi_recall = {"command": "grep -c fig b.txt", "via": "vi"}
    assert passes("recalled", vi_recall, shell("set -o vi", "grep -c fig b.txt", keys="set -o vi<CR><Esc>kk<CR>"))
    assert not passes("recalled", vi_recall, shell("set -o vi", "grep -c fig b.txt", keys="set -o vi<CR>r grep<CR>"))
    fix = {"command": "cat f.txt", "edits": ["x"]}
    assert passes("recalled", fix, shell("cat f.txt", keys="<Esc>kx<CR>"))
    assert not passes("recalled", fix, shell("cat f.txt", keys="r ccat=cat<CR>"))


def test_a_failed_method_says_what_was_done_in_both_languages() -> None:
    check = Check("not_ran", {"program": "chmod", "notation": "octal"}, "symbolic")
    [result] = grade([check], shell("chmod 740 notes.sh")).results
    assert not result.passed and result.reason is not None
    assert "chmod 740 notes.sh" in result.reason.en and "chmod 740 notes.sh" in result.reason.ko
    assert "notation" not in result.reason.en and "not_ran" not in result.reason.en
