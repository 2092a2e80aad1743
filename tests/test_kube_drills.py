"""kubectl drills end to end: ksh93 in the sandbox, the real kubectl, a practice cluster per attempt, and
real-cluster mode (a guarded namespace of "the learner's cluster", here a standalone practice cluster)."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import time
from pathlib import Path

import pytest
import yaml

from conftest import PACKS, kubectl_binary, needs
from practice_cluster.cluster import Cluster
from practice_cluster.http.guard import refusal
from trainer.errors import TrainerError
from trainer.grading import grade
from trainer.kube_target import PracticeTarget
from trainer.loader import Library, instantiate, load_library
from trainer.model import Setup
from trainer.runner import Drill, Engines, KubeSpec

pytestmark = [pytest.mark.pty, pytest.mark.kube, needs("ksh93", "nvi", "kubectl")]

TOPIC = {
    "topic": "drills",
    "title": {"en": "Drills", "ko": "연습"},
    "exercises": [
        {"id": "t-run", "kind": "kubectl", "title": {"en": "Run", "ko": "실행"},
         "prompt": {"en": "Run web.", "ko": "web 실행."},
         "checks": [
             {"kind": "kube_object", "resource": "pod", "name": "web", "fields": {"spec.containers[0].image": "nginx"}},
             {"kind": "kube_method", "resource": "pod", "name": "web", "method": "imperative"}],
         "hints": [{"en": "k run", "ko": "k run"}],
         "solution": {"keys": "k run web --image=nginx<CR>"},
         "wrong": [{"keys": "", "fails": ["kube_object"]},
                   {"keys": "k run web --image=httpd<CR>", "fails": ["kube_object"]},
                   {"keys": "k run web --image=nginx --dry-run=client -o yaml > w.yaml<CR>k apply -f w.yaml<CR>",
                    "fails": ["kube_method"]}]},
        {"id": "t-ns", "kind": "kubectl", "requires": ["practice-cluster"], "title": {"en": "Ns", "ko": "Ns"},
         "prompt": {"en": "Make namespace prod.", "ko": "prod 네임스페이스."},
         "checks": [{"kind": "kube_object", "resource": "ns", "name": "prod"}],
         "hints": [{"en": "k create ns", "ko": "k create ns"}],
         "solution": {"keys": "k create ns prod<CR>"},
         "wrong": [{"keys": ""}, {"keys": "k create ns dev<CR>"}]},
    ],
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    top = tmp_path_factory.mktemp("packs")
    (top / "k").mkdir()
    (top / "k" / "pack.yaml").write_text(yaml.safe_dump({"pack": "k", "title": {"en": "K", "ko": "K"},
                                                         "topics": ["drills.yaml"]}))
    (top / "k" / "drills.yaml").write_text(yaml.safe_dump(TOPIC, allow_unicode=True))
    loaded = load_library(top)
    assert loaded.errors == []
    return loaded


def screen(drill: Drill) -> str:
    assert drill.session is not None
    return "".join(line.rstrip() for line in drill.session.screen.lines())  # long lines wrap


def test_practice_drill_has_kubectl_the_alias_and_vi(library: object) -> None:
    ex = instantiate(library.template("t-run"), 0)  # type: ignore[attr-defined]
    with Drill(ex, Engines.detect("ksh93", "nvi", kube=KubeSpec(speed=10))) as drill:
        drill.replay("echo $KUBE_EDITOR $KUBECONFIG; alias k<CR>")
        assert "vi " in screen(drill) and "/.kube/config" in screen(drill) and "k=kubectl" in screen(drill)
        assert not grade(ex.checks, drill.observe()).passed
        drill.replay(ex.solution.keys_for("ksh93"))
        assert "pod/web created" in screen(drill)
        verdict = grade(ex.checks, drill.observe())
        assert verdict.passed, [f.reason for f in verdict.failures]


def test_real_cluster_mode_works_in_a_guarded_namespace(library: object, tmp_path: Path) -> None:
    learners = Cluster().start()
    try:
        kubeconfig = learners.write_kubeconfig(tmp_path / "config")
        engines = Engines.detect("ksh93", "nvi", kube=KubeSpec(kubeconfig=kubeconfig))
        ex = instantiate(library.template("t-run"), 0)  # type: ignore[attr-defined]
        with Drill(ex, engines) as drill:
            assert drill.target is not None
            namespace = drill.target.namespace
            assert namespace.startswith("trainer-")
            assert learners.store.peek("namespaces", "", namespace) is not None
            drill.replay(ex.solution.keys_for("ksh93"))
            verdict = grade(ex.checks, drill.observe())
            assert verdict.passed, [f.reason for f in verdict.failures]
            assert learners.store.peek("pods", namespace, "web") is not None
            assert learners.store.peek("pods", "default", "web") is None
            drill.replay("k create namespace intruder<CR>")
            drill.replay("k run other --image=nginx -n default<CR>")
            text = screen(drill)
            assert "refusing POST /api/v1/namespaces" in text and "(cluster-scoped objects are left alone)" in text
            assert "(namespace default is left alone)" in text
            assert learners.store.peek("namespaces", "", "intruder") is None
        deadline = time.monotonic() + 20
        while learners.store.peek("namespaces", "", namespace) is not None:
            assert time.monotonic() < deadline, "the drill's namespace was not deleted"
            time.sleep(0.1)
        assert not learners.store.list("pods", namespace)[0]
        cluster_wide = instantiate(library.template("t-ns"), 0)  # type: ignore[attr-defined]
        with pytest.raises(TrainerError, match="only on the practice cluster"):
            Drill(cluster_wide, engines)
    finally:
        learners.stop()


def test_missing_kubeconfig_is_a_clear_error(library: object, tmp_path: Path) -> None:
    ex = instantiate(library.template("t-run"), 0)  # type: ignore[attr-defined]
    engines = Engines.detect("ksh93", "nvi", kube=KubeSpec(kubeconfig=tmp_path / "nope"))
    with pytest.raises(TrainerError, match="no such kubeconfig"):
        Drill(ex, engines)


def test_guard_refuses_writes_outside_the_namespace() -> None:
    assert refusal("GET", "/api/v1/namespaces", "trainer-a") is None
    assert refusal("POST", "/api/v1/namespaces/trainer-a/pods", "trainer-a") is None
    assert refusal("PATCH", "/apis/apps/v1/namespaces/trainer-a/deployments/web/scale", "trainer-a") is None
    assert "cluster-scoped" in (refusal("POST", "/api/v1/namespaces", "trainer-a") or "")
    assert "cluster-scoped" in (refusal("DELETE", "/api/v1/namespaces/trainer-a", "trainer-a") or "")
    assert "namespace kube-system" in (refusal("DELETE", "/api/v1/namespaces/kube-system/pods/x", "trainer-a") or "")
    assert "cluster-scoped" in (refusal("PATCH", "/api/v1/nodes/node-1", "trainer-a") or "")


def test_shipped_drills_verify_on_a_learners_cluster(tmp_path: Path) -> None:
    """A sample of the kubectl pack (edit in vi, expose, apply, a job) through kubectl proxy and the guard."""
    import io

    from conftest import PACKS
    from practice_cluster.cluster import ScaledClock
    from trainer.cli import main

    learners = Cluster(ScaledClock(10.0)).start()
    try:
        kubeconfig = learners.write_kubeconfig(tmp_path / "config")
        out = io.StringIO()
        code = main(["--packs", str(PACKS), "--kubeconfig", str(kubeconfig), "verify", "kube-deploy-edit",
                     "kube-svc-expose", "kube-config-cm-declarative", "kube-job-create", "kube-ns-pod",
                     "--shell", "ksh93", "--editor", "nvi", "--jobs", "2"], env={}, out=out)
        text = out.getvalue()
        assert code == 0, text
        assert " 0 failed" in text and "skip kube-ns-pod" in text and "only on the practice cluster" in text
        deadline = time.monotonic() + 30  # every drill's namespace is deleted (it terminates in the background)
        while [ns for ns in learners.store.list("namespaces")[0] if ns["metadata"]["name"].startswith("trainer-")]:
            assert time.monotonic() < deadline, "a drill's namespace was left behind"
            time.sleep(0.1)
    finally:
        learners.stop()


@needs("bwrap", "socat")
def test_a_drill_reaches_its_own_cluster_and_nothing_else_on_the_host(library: Library) -> None:
    """The sandbox has a network of its own: a server on the host's 127.0.0.1 (another user's practice
    cluster, say) is not reachable, the drill's cluster is."""
    other = socket.create_server(("127.0.0.1", 0))
    other.settimeout(0.2)
    port = other.getsockname()[1]
    exercise = instantiate(library.template("t-run"), 0)
    with other, Drill(exercise, Engines.detect("ksh93", "nvi", kube=KubeSpec(speed=10.0))) as drill:
        drill.replay(f"kubectl --server=http://127.0.0.1:{port} --request-timeout=3s get ns > out.txt 2>&1;"
                     " kubectl get ns >> out.txt 2>&1<CR>")
        observation = drill.observe()
        with contextlib.suppress(TimeoutError):
            other.accept()
            pytest.fail("the sandbox reached a server on the host's loopback")
    out = observation.file("out.txt")
    assert out is not None and out.text is not None
    assert "connection refused" in out.text and "kube-system" in out.text, out.text


def _deployment(image: str, cause: str) -> dict[str, object]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {"kubernetes.io/change-cause": cause}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "nginx", "image": image}]}}}}


def test_setup_objects_in_order_make_rollout_revisions_on_the_fast_setup_clock(library: Library) -> None:
    """Three versions of one Deployment in ``setup.objects`` are three revisions, each rolled out before
    the next, and the drill then runs at its own speed: the setup takes no real rollout time."""
    base = instantiate(library.template("t-run"), 0)
    setup = Setup(objects=tuple(_deployment(f"nginx:1.2{n}", f"step {n}") for n in range(3)))
    with Drill(dataclasses.replace(base, setup=setup), Engines.detect("ksh93", "nvi")) as drill:
        assert isinstance(drill.target, PracticeTarget) and drill.target.clock.speed == 1.0
        history = drill._probe("kubectl rollout history deploy/web")
        assert [line.split()[:3] for line in history.stdout.splitlines()[2:] if line.strip()] == [
            ["1", "step", "0"], ["2", "step", "1"], ["3", "step", "2"]], history.stdout
        deployment = drill.target.read("get|deployments|default|web")
        assert deployment["status"]["updatedReplicas"] == 2 and deployment["status"]["availableReplicas"] == 2
        sets = drill.target.read("list|replicasets|default|app=web")
        assert sorted(rs["spec"]["replicas"] for rs in sets) == [0, 0, 2]


def test_a_failing_setup_command_is_named(library: Library) -> None:
    base = instantiate(library.template("t-run"), 0)
    setup = Setup(commands=("true", "kubectl get pod missing", "touch never"))
    with pytest.raises(TrainerError, match=r"setup command failed \(1\): kubectl get pod missing: .*not found"):
        Drill(dataclasses.replace(base, setup=setup), Engines.detect("ksh93", "nvi"))


def test_hollow_nodes_skip_the_drills_that_need_containers(tmp_path: Path) -> None:
    """A cluster whose every node reports a fake runtime (kubemark's hollow nodes) runs no containers: drills
    marked `requires: [containers]` are skipped there with the reason; a practice cluster's nodes run them."""
    from trainer.kube_target import runs_containers

    fake = tmp_path / "kubectl"
    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nkind: Config\n")
    for printed, code, want in [("fakeRuntime://0.1.0 fakeRuntime://0.1.0", 0, False),
                                ("fakeRuntime://0.1.0 containerd://2.1.0", 0, True), ("", 1, True)]:
        fake.write_text(f"#!/bin/sh\necho '{printed}'\nexit {code}\n")
        fake.chmod(0o755)
        assert runs_containers(config, str(fake)) is want, printed
    learners = Cluster().start()
    try:
        assert runs_containers(learners.write_kubeconfig(tmp_path / "practice"), str(kubectl_binary())) is True
    finally:
        learners.stop()
    job = instantiate(load_library(PACKS, (0,)).template("kube-job-create"), 0)
    assert "containers" in job.requires
    hollow = Engines.detect(kube=KubeSpec(kubeconfig=config, containers=False))
    assert "no container runtime (hollow nodes)" in (hollow.unmet(job) or "")
    assert Engines.detect(kube=KubeSpec(kubeconfig=config)).unmet(job) is None


def test_keys_after_an_exec_wait_for_the_shell_to_have_the_terminal_again(library: Library) -> None:
    """A key replay types on only once the kubectl whose exec ended has given the terminal back: typed
    while it (or, here, a command after it) still holds the terminal, the keys would be read by that."""
    exercise = instantiate(library.template("t-run"), 0)
    with Drill(exercise, Engines.detect("ksh93", "nvi", kube=KubeSpec(speed=10.0))) as drill:
        drill.replay("k run web --image=nginx<CR>k wait --for=condition=Ready pod/web --timeout=60s<CR>")
        drill.replay("k exec web -- true; timeout 2 cat > /dev/null<CR>echo kept > kept.txt<CR>")
        observation = drill.observe()
    kept = observation.file("kept.txt")
    assert kept is not None and kept.text == "kept\n", observation.screen and observation.screen.text()
