"""The cluster's record of requests: the real kubectl, spelled in every way a student would, leaves the
same record, and kube_request grades on it (against the practice cluster, in its own thread)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import needs
from practice_cluster.storage import requests
from practice_cluster.storage.requests import REQUESTS_KEY, RequestLog, describe
from sandbox.observation import Observation
from trainer.checks import CHECKS
from trainer.kube_target import PracticeTarget

pytestmark = [pytest.mark.kube, needs("kubectl")]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[PracticeTarget, Path]]:
    target = PracticeTarget()
    config = tmp_path / "kubeconfig"
    config.write_text(target.kubeconfig())
    try:
        yield target, config
    finally:
        target.close()


def kubectl(config: Path, line: str) -> None:
    kubectl_exe = shutil.which("kubectl")
    assert kubectl_exe is not None
    subprocess.run([kubectl_exe, "--kubeconfig", str(config), *line.split()], capture_output=True, timeout=60,
                   check=False)


def graded(target: PracticeTarget, kind: str, args: dict[str, object]) -> bool:
    assert CHECKS[kind].problems(args) == []
    return CHECKS[kind].evaluate(args, Observation("ksh93", cluster={REQUESTS_KEY: target.read(REQUESTS_KEY)})).passed


@pytest.mark.parametrize("line", ["scale --replicas=3 rs/front", "scale rs front --replicas 3",
                                  "-n default scale replicaset.apps front --replicas=3"])
def test_every_spelling_of_scale_leaves_the_same_record(cluster: tuple[PracticeTarget, Path], line: str) -> None:
    target, config = cluster
    target.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "front"},
                   "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "front"}},
                            "template": {"metadata": {"labels": {"app": "front"}},
                                         "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}})
    target.mark_requests()
    kubectl(config, line)
    scale = {"command": "scale", "resource": "rs", "name": "front"}
    assert graded(target, "kube_request", scale)
    assert not graded(target, "kube_request", {**scale, "failed": True})
    assert not graded(target, "kube_request", {**scale, "name": "back"})
    assert graded(target, "kube_no_request", {"command": "edit"})


def test_the_trainer_s_own_reads_and_setup_are_not_the_learner_s(cluster: tuple[PracticeTarget, Path]) -> None:
    target, config = cluster
    kubectl(config, "create deployment web --image=nginx:1.25")
    target.mark_requests()
    target.read("get|deployments|default|web")
    assert target.read(REQUESTS_KEY) == []
    kubectl(config, "set image deploy/web nginx=nginx:1.26")
    assert graded(target, "kube_request", {"command": "set image", "verb": "patch", "manager": "kubectl-set"})
    assert not graded(target, "kube_request", {"command": "set image", "dry_run": True})


def test_a_server_dry_run_is_recorded_as_one(cluster: tuple[PracticeTarget, Path]) -> None:
    target, config = cluster
    kubectl(config, "create deployment web --image=nginx:1.25")
    target.mark_requests()
    kubectl(config, "scale deploy web --replicas=2 --dry-run=server")
    assert graded(target, "kube_request", {"command": "scale", "verb": "patch", "dry_run": True})
    assert not graded(target, "kube_request", {"command": "scale", "verb": "patch", "dry_run": False})


def test_the_log_is_capped_and_marks_survive_dropping() -> None:
    log = RequestLog()
    for i in range(requests.CAP + 10):
        log.record("GET", f"/api/v1/namespaces/default/pods/p{i}", {}, {}, b"", 200)
    mark = log.mark()
    log.record("DELETE", "/api/v1/namespaces/default/pods/last", {}, {}, b'{"dryRun": ["All"]}', 200)
    assert [(r.verb, r.name, r.dry_run) for r in log.since(mark)] == [("delete", "last", True)]
    assert describe("GET", "/openapi/v3", {}) is None
