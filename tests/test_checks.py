"""Every check kind, passing and failing, on observations built by hand (pure: no programs run)."""

from __future__ import annotations

from typing import Any

import pytest

from practice_cluster.storage.requests import REQUESTS_KEY
from sandbox.observation import FileInfo, Observation, ProbeResult
from sandbox.screen import ScreenSnapshot
from sandbox.session import KeyEvent
from sandbox.shell import ExecutedCommand
from trainer.checks import CHECKS, normalise
from trainer.grading import grade
from trainer.model import Check
from trainer.questions import Question
from trainer.text import Text


def _file(path: str, *, mode: int = 0o644, kind: str = "file", nlink: int = 1, text: str | None = "hello\n",
          owner: str = "student", group: str = "staff") -> FileInfo:
    return FileInfo(path=path, type=kind, mode=mode, nlink=nlink, owner=owner, group=group,
                    size=len(text or ""), inode=1, content=None if text is None else text.encode())


def _screen(*lines: str, cursor: tuple[int, int] = (0, 0)) -> ScreenSnapshot:
    rows = [line.ljust(20) for line in lines]
    return ScreenSnapshot(lines=tuple(rows), cursor=cursor, columns=20, rows=len(rows), alternate=False,
                          app_cursor=False)


OBS = Observation(
    engine="ksh93",
    files={"a.txt": _file("a.txt", mode=0o750), "d": _file("d", kind="dir", mode=0o755, nlink=3, text=None),
           "pod.yaml": _file("pod.yaml", text="apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
                                               "spec:\n  containers:\n  - name: web\n    image: nginx:1.25\n"),
           "bad.yaml": _file("bad.yaml", text="kind: [Pod\n")},
    screen=_screen("$ ls", "a.txt d", "$", cursor=(2, 2)),
    keys=tuple(KeyEvent(0.1 * i, k) for i, k in enumerate(("4", "5", "G", "d", "d", ":", "w", "q", "<CR>"))),
    commands=(ExecutedCommand(1, "chmod u+x a.txt", 0), ExecutedCommand(2, "false", 1)),
    exit_status=0,
    answer=" 4 ",
    probes={"stat -c %h d": ProbeResult("stat -c %h d", "4\n", 0), "bad": ProbeResult("bad", "", 127),
            "trainer-login 'echo $X'": ProbeResult("trainer-login 'echo $X'", "vi\n", 0)},
    namespace="default",
    cluster={
        "get|deployments|default|web": {
            "kind": "Deployment",
            "metadata": {"name": "web", "generation": 2, "labels": {"app": "web"},
                         "annotations": {"deployment.kubernetes.io/revision": "2"},
                         "managedFields": [{"manager": "kubectl-create", "operation": "Update"},
                                           {"manager": "kubectl-set", "operation": "Update"}]},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}},
            "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}},
        "get|deployments|default|api": {
            "kind": "Deployment",
            "metadata": {"name": "api", "generation": 3, "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update"}]},
            "spec": {"replicas": 2}, "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1}},
        "get|pods|default|gone": None,
        "list|pods|default|app=web": [
            {"metadata": {"name": "a"}, "status": {"phase": "Running"}},
            {"metadata": {"name": "b"}, "status": {"phase": "Running"}},
            {"metadata": {"name": "c", "deletionTimestamp": "x"}, "status": {"phase": "Running"}},
            {"metadata": {"name": "d"}, "status": {"phase": "Pending"}}],
    },
)

#: A shell session with vi-mode recall: set -o vi, then ESC k k reran the grep.
OBS_RECALL = Observation(
    engine="ksh93",
    keys=tuple(KeyEvent(0.1 * i, k) for i, k in enumerate((*"set -o vi", "<CR>", "<Esc>", "k", "k", "<CR>"))),
    commands=(ExecutedCommand(1, "set -o vi", 0), ExecutedCommand(2, "grep -c apple b.txt", 0)),
)
#: The requests a kubectl drill's cluster received: kubectl scale, then a read by kubectl get.
OBS_REQUESTS = Observation(engine="ksh93", cluster={REQUESTS_KEY: [
    {"verb": "patch", "resource": "replicasets", "namespace": "default", "name": "front", "subresource": "scale",
     "command": "kubectl scale", "manager": "", "dry_run": False, "status": 200},
    {"verb": "list", "resource": "pods", "namespace": "default", "name": "", "subresource": "",
     "command": "kubectl get", "manager": "", "dry_run": False, "status": 200},
    {"verb": "run", "resource": "pods", "namespace": "default", "name": "t", "subresource": "exec", "command": "",
     "manager": "", "dry_run": False, "status": 200, "exec_command": ["nslookup", "db"], "container": "t",
     "exit_code": 0, "resolved": "db.default.svc.cluster.local", "target": "service/default/db"}]},
    namespace="default")
#: The observation a kind's cases are graded on, where it is not OBS.
OBS_FOR = {"recalled": OBS_RECALL, "kube_request": OBS_REQUESTS, "kube_no_request": OBS_REQUESTS,
           "kube_in_pod": OBS_REQUESTS}

# (kind, arguments that pass on OBS, arguments that fail on OBS)
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("file_exists", {"path": "a.txt"}, {"path": "b.txt"}),
    ("file_absent", {"path": "b.txt"}, {"path": "d"}),
    ("file_content", {"path": "a.txt", "equals": "hello\n"}, {"path": "a.txt", "equals": "hello"}),
    ("file_content", {"path": "a.txt", "matches": "^hel+o$"}, {"path": "a.txt", "matches": "^bye"}),
    ("file_content", {"path": "a.txt", "contains": "ell"}, {"path": "d", "contains": "x"}),
    ("file_mode", {"path": "a.txt", "mode": "750"}, {"path": "a.txt", "mode": "rwxr-xr-x"}),
    ("file_mode", {"path": "a.txt", "mode": "rwxr-x---"}, {"path": "nope", "mode": "750"}),
    ("file_type", {"path": "d", "type": "dir"}, {"path": "a.txt", "type": "dir"}),
    ("link_count", {"path": "d", "count": 3}, {"path": "d", "count": "2"}),
    ("file_owner", {"path": "a.txt", "owner": "student", "group": "staff"}, {"path": "a.txt", "owner": "root"}),
    ("screen_contains", {"text": "a.txt d"}, {"text": "b.txt"}),
    ("screen_contains", {"matches": r"^\$ ls"}, {"matches": r"^# "}),
    ("screen_lacks", {"text": "b.txt"}, {"text": "a.txt"}),
    ("cursor_at", {"row": 3, "col": 3}, {"row": 1}),
    ("command_ran", {"pattern": r"chmod\s+u\+x", "status": 0, "text": True},
     {"pattern": "false", "status": 0, "text": True}),
    ("command_ran", {"pattern": "a", "count": 1, "text": True}, {"pattern": "chmod", "count": 2, "text": True}),
    ("command_not_ran", {"pattern": "rm ", "text": True}, {"pattern": "^false$", "text": True}),
    ("ran", {"command": "chmod u+x ./a.txt", "status": 0}, {"program": "chmod", "notation": "octal"}),
    ("ran", {"program": "chmod", "clause": "u+x", "notation": "symbolic"}, {"command": "false", "status": 0}),
    ("not_ran", {"program": "rm"}, {"program": "chmod", "notation": "symbolic"}),
    ("recalled", {"command": "grep -c apple ./b.txt", "moves": ["k"]}, {"command": "grep -c apple b.txt", "via": "r"}),
    ("ex_ran", {"command": "wq"}, {"command": "quit"}),
    ("ex_not_ran", {"command": "q"}, {"command": "wq"}),
    ("kube_request", {"command": "scale", "resource": "rs", "name": "front", "verb": ["patch", "update"]},
     {"command": "edit"}),
    ("kube_no_request", {"command": "edit"}, {"command": "get", "resource": "pods"}),
    ("kube_in_pod", {"program": ["nslookup", "wget"], "reaches": "service/db", "succeeded": True, "pod": "t"},
     {"program": "nslookup", "reaches": "service/other/db"}),
    ("kube_in_pod", {"program": "nslookup", "reaches": "service/default/db"},
     {"program": "curl", "reaches": "service/db"}),
    ("vi_did", {"keys": "45G"}, {"keys": "G"}),
    ("vi_not_did", {"keys": "x"}, {"keys": "dd"}),
    ("keys_contain", {"keys": "45G"}, {"keys": "<Esc>"}),
    ("keys_contain", {"keys": ":wq<CR>"}, {"keys": "GG"}),
    ("keys_not_contain", {"keys": "jj"}, {"keys": "dd"}),
    ("keys_max", {"count": 9}, {"count": 8}),
    ("exit_status", {"status": 0}, {"status": 1}),
    ("answer", {"expected": "4", "normalise": "int"}, {"expected": "5"}),
    ("answer", {"probe": "stat -c %h d", "normalise": "int"}, {"probe": "bad"}),
    ("question", {"question": Question("numeric", value=4)}, {"question": Question("numeric", value=5)}),
    ("probe_output", {"command": "stat -c %h d", "equals": "4"}, {"command": "stat -c %h d", "matches": "^2"}),
    ("login_output", {"command": "echo $X", "equals": "vi"}, {"command": "echo $X", "matches": "^emacs"}),
    ("kube_object", {"resource": "deploy", "name": "web", "fields": {"spec.replicas": 3},
                     "labels": {"app": "web"}},
     {"resource": "deployment", "name": "web", "fields": {"spec.template.spec.containers[0].image": "nginx:1.25"}}),
    ("kube_object", {"resource": "pod", "name": "gone", "absent": True}, {"resource": "po", "name": "gone"}),
    ("kube_object", {"resource": "deploy", "name": "web", "fields": {"metadata.labels[app]": "web"}},
     {"resource": "deploy", "name": "web", "absent": True}),
    ("kube_count", {"resource": "pods", "selector": "app=web", "where": {"status.phase": "Running"}, "count": 2},
     {"resource": "pods", "selector": "app=web", "min": 4}),
    ("kube_method", {"resource": "deploy", "name": "web", "method": "imperative"},
     {"resource": "deploy", "name": "web", "method": "declarative"}),
    ("kube_method", {"resource": "deploy", "name": "api", "method": "declarative"},
     {"resource": "deploy", "name": "api", "manager": "kubectl-edit"}),
    ("kube_method", {"resource": "deploy", "name": "web", "manager": "kubectl-set"},
     {"resource": "deploy", "name": "api", "method": "imperative"}),
    ("kube_file", {"path": "pod.yaml", "resource": "pod", "name": "web",
                   "fields": {"spec.containers[0].image": "nginx:1.25"}},
     {"path": "bad.yaml", "resource": "pod"}),
    ("kube_file", {"path": "pod.yaml", "fields": {"kind": "Pod"}}, {"path": "pod.yaml", "resource": "deploy"}),
    ("kube_rollout", {"resource": "deploy", "name": "web", "revision": 2},
     {"resource": "deploy", "name": "api"}),
    ("kube_rollout", {"resource": "deploy", "name": "web"}, {"resource": "deploy", "name": "web", "revision": 1}),
]


@pytest.mark.parametrize(("kind", "good", "bad"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_kind_passes_and_fails(kind: str, good: dict[str, Any], bad: dict[str, Any]) -> None:
    table = CHECKS[kind]
    assert table.problems(good) == [] and table.problems(bad) == []
    obs = OBS_FOR.get(kind, OBS)
    assert table.evaluate(good, obs).passed
    failed = table.evaluate(bad, obs)
    assert not failed.passed
    assert failed.reason is not None and failed.reason.en and failed.reason.ko


def test_kube_arguments_are_checked_when_the_pack_loads() -> None:
    assert CHECKS["kube_object"].problems({"resource": "widgets", "name": "x"})
    assert CHECKS["kube_object"].problems({"resource": "pod", "name": "x", "fields": {"a..b": 1}})
    assert CHECKS["kube_count"].problems({"resource": "pod", "selector": "app in (a"})
    assert CHECKS["kube_method"].problems({"resource": "pod", "name": "x", "method": "by hand"})
    assert CHECKS["kube_object"].cluster_reads({"resource": "ns", "name": "prod"}, "default") == (
        "get|namespaces||prod",)


def test_every_kind_is_covered() -> None:
    assert {c[0] for c in CASES} == set(CHECKS)


def test_content_failure_carries_a_diff() -> None:
    outcome = CHECKS["file_content"].evaluate({"path": "a.txt", "equals": "hullo\n"}, OBS)
    assert outcome.diff is not None and "-hullo" in outcome.diff and "+hello" in outcome.diff


def test_mode_reason_names_both_forms() -> None:
    reason = CHECKS["file_mode"].evaluate({"path": "a.txt", "mode": "700"}, OBS).reason
    assert reason is not None
    assert "750 (rwxr-x---)" in reason.en and "700 (rwx------)" in reason.en


def test_checks_need_something_to_look_at() -> None:
    empty = Observation(engine="quiz")
    assert not CHECKS["screen_contains"].evaluate({"text": "x"}, empty).passed
    assert not CHECKS["exit_status"].evaluate({"status": 0}, empty).passed
    assert not CHECKS["answer"].evaluate({"expected": "x"}, empty).passed
    assert not CHECKS["probe_output"].evaluate({"command": "ls", "equals": ""}, empty).passed


@pytest.mark.parametrize(("kind", "args", "fragment"), [
    ("file_mode", {"path": "a"}, "missing argument 'mode'"),
    ("file_mode", {"path": "a", "mode": "999"}, "not a mode"),
    ("file_content", {"path": "a"}, "exactly one of"),
    ("file_content", {"path": "a", "equals": "x", "contains": "y"}, "exactly one of"),
    ("command_ran", {"pattern": "(", "text": True}, "bad regular expression"),
    ("command_ran", {"pattern": "^date$"}, "use ran or not_ran"),
    ("keys_contain", {"keys": "<Nope>"}, "Nope"),
    ("exit_status", {"status": 0, "colour": "red"}, "unknown argument 'colour'"),
])
def test_bad_arguments_are_named(kind: str, args: dict[str, Any], fragment: str) -> None:
    assert any(fragment in p for p in CHECKS[kind].problems(args))


def test_normalise() -> None:
    assert normalise("  Hello   World ", "text") == "hello world"
    assert normalise("007", "int") == "7"
    assert normalise("rwxr-x---", "mode") == normalise("0750", "mode") == "750"
    assert normalise("a  b", "exact") == "a  b"


def test_grade_reports_every_failure_and_the_custom_message() -> None:
    custom = Text("use symbolic mode", "심볼릭 모드를 쓰세요")
    checks = (
        Check("file_mode", {"path": "a.txt", "mode": "750"}, "result"),
        Check("command_not_ran", {"pattern": "chmod", "text": True}, "method", message=custom, hint=1),
        Check("file_exists", {"path": "zzz"}, "exists", hint=0),
    )
    verdict = grade(checks, OBS)
    assert not verdict.passed
    assert [r.check.id for r in verdict.failures] == ["method", "exists"]
    assert verdict.failures[0].reason == custom
    assert verdict.hint == 1
    assert verdict.failed("method") and verdict.failed("file_exists") and not verdict.failed("result")
    assert verdict.keys == 9


def test_grade_passes_when_all_pass() -> None:
    verdict = grade((Check("file_exists", {"path": "d"}, "d"),), OBS)
    assert verdict.passed and verdict.failures == () and verdict.hint is None


def test_checks_for_another_engine_are_not_graded() -> None:
    checks = (Check("screen_contains", {"text": "-- INSERT --"}, "vim-mode", engines=("vim",)),
              Check("screen_contains", {"text": "a.txt d"}, "both"))
    verdict = grade(checks, OBS)  # OBS.engine is ksh93
    assert verdict.passed and [r.check.id for r in verdict.results] == ["both"]
