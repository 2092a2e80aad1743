"""kubectl exec, attach and run -it into the practice cluster's simulated containers (practice_cluster.streams).

The real kubectl speaks the WebSocket channel protocol to the practice server; the container is a
bubblewrap sandbox with the pod's environment, volumes, hostname and the cluster's DNS and Services.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from practice_cluster.cluster import Cluster, ScaledClock
from practice_cluster.storage.attached import AttachedProcesses
from practice_cluster.streams import channels, netsim
from sandbox.isolation import bwrap_usable

KUBECTL = Path(sys.executable).parent / "kubectl"
needs_bwrap = pytest.mark.skipif(not bwrap_usable() or shutil.which("bwrap") is None,
                                 reason="a container's sandbox needs bubblewrap")

MANIFEST = {
    "apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config-dev"},
         "data": {"DEBUG_INFO": "verbose", "LOG_LEVEL": "info"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "user-pass-yaml"},
         "stringData": {"username": "admin", "password": "s3cr3t"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
         "spec": {"containers": [{
             "name": "web", "image": "nginx",
             "env": [{"name": "SECRET_USERNAME",
                      "valueFrom": {"secretKeyRef": {"name": "user-pass-yaml", "key": "username"}}}],
             "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/config"},
                              {"name": "scratch", "mountPath": "/data"}]}],
             "volumes": [{"name": "config-volume", "configMap": {"name": "config-dev"}},
                         {"name": "scratch", "emptyDir": {}}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "externalname-service"},
         "spec": {"type": "ExternalName", "externalName": "google.com"}},
    ]}


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, dict[str, str]]]:
    if not KUBECTL.exists():
        pytest.skip("kubectl is not installed beside this Python")
    cluster = Cluster(ScaledClock(20)).start()
    home = tmp_path_factory.mktemp("kube")
    config = cluster.write_kubeconfig(home / "config")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "KUBECONFIG": str(config),
           "KUBECACHEDIR": str(home / "cache")}
    manifest = home / "m.json"
    manifest.write_text(json.dumps(MANIFEST), encoding="utf-8")
    subprocess.run([str(KUBECTL), "apply", "-f", str(manifest)], env=env, check=True, capture_output=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pod = cluster.store.peek("pods", "default", "web") or {}
        if pod.get("status", {}).get("phase") == "Running" and \
                cluster.store.peek("endpoints", "default", "web") is not None:
            break
        time.sleep(0.05)
    yield cluster, env
    cluster.stop()


def kubectl(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KUBECTL), *args], env=env, capture_output=True, text=True, input=stdin,
                          timeout=60, check=False)


# -- in a real pty-less kubectl, through the WebSocket protocol ---------------------------------------------

@needs_bwrap
def test_exec_reads_a_configmap_volume_and_secret_env(practice: tuple[Cluster, dict[str, str]]) -> None:
    cluster, env = practice
    got = kubectl(env, "exec", "web", "--", "cat", "/etc/config/DEBUG_INFO")
    assert (got.returncode, got.stdout) == (0, "verbose")
    got = kubectl(env, "exec", "web", "--", "sh", "-c", "env | grep SECRET_; hostname; ls /etc/config")
    assert got.stdout.splitlines() == ["SECRET_USERNAME=admin", "web", "DEBUG_INFO", "LOG_LEVEL"]
    record = [r for r in cluster.requests.since(0) if r.subresource == "exec" and r.verb != "run"][-1]
    assert (record.name, record.command, record.exec_command) == (
        "web", "kubectl exec", ("sh", "-c", "env | grep SECRET_; hostname; ls /etc/config"))


@needs_bwrap
def test_a_configmap_volume_is_read_only_and_an_empty_dir_writable(practice: tuple[Cluster, dict[str, str]]) -> None:
    _, env = practice
    got = kubectl(env, "exec", "web", "--", "sh", "-c", "echo x > /etc/config/NEW")
    assert got.returncode != 0 and "Read-only file system" in got.stderr
    got = kubectl(env, "exec", "web", "--", "sh", "-c", "echo kept > /data/f && cat /data/f")
    assert (got.returncode, got.stdout) == (0, "kept\n")


@needs_bwrap
def test_exit_code_and_missing_command_as_a_real_cluster_reports_them(
        practice: tuple[Cluster, dict[str, str]]) -> None:
    _, env = practice
    got = kubectl(env, "exec", "web", "--", "sh", "-c", "exit 3")
    assert got.returncode == 3 and "command terminated with exit code 3" in got.stderr
    got = kubectl(env, "exec", "web", "--", "no-such-program")
    assert got.returncode != 0 and 'exec: "no-such-program": executable file not found in $PATH' in got.stderr


@needs_bwrap
def test_stdin_reaches_the_command(practice: tuple[Cluster, dict[str, str]]) -> None:
    _, env = practice
    got = kubectl(env, "exec", "-i", "web", "--", "wc", "-l", stdin="a\nb\nc\n")
    assert (got.returncode, got.stdout.strip()) == (0, "3")


@needs_bwrap
def test_dns_and_services_from_inside(practice: tuple[Cluster, dict[str, str]]) -> None:
    cluster, env = practice
    ip = cluster.store.get("services", "default", "web")["spec"]["clusterIP"]
    got = kubectl(env, "exec", "web", "--", "nslookup", "web")
    assert got.returncode == 0 and f"Name:\tweb.default.svc.cluster.local\nAddress: {ip}" in got.stdout
    page = kubectl(env, "exec", "web", "--", "curl", "-s", "web.default.svc.cluster.local")
    assert "<title>Welcome to nginx!</title>" in page.stdout
    page = kubectl(env, "exec", "web", "--", "wget", "-qO-", "web")
    assert "<title>Welcome to nginx!</title>" in page.stdout
    got = kubectl(env, "exec", "web", "--", "curl", "externalname-service.default.svc.cluster.local")
    assert got.returncode == 6 and "CNAME" in got.stderr and "google.com" in got.stderr
    got = kubectl(env, "exec", "web", "--", "nslookup", "no-such-service")
    assert got.returncode == 1 and "NXDOMAIN" in got.stdout
    runs = [r for r in cluster.requests.since(0) if r.verb == "run"]
    assert ("nslookup", "web") in [r.exec_command for r in runs]
    assert any(r.target == "externalname/default/externalname-service" and r.exit_code == 6 for r in runs)


@needs_bwrap
def test_run_i_rm_runs_the_command_attached_and_deletes_the_pod(practice: tuple[Cluster, dict[str, str]]) -> None:
    cluster, env = practice
    got = kubectl(env, "run", "-i", "--rm", "--restart=Never", "bb", "--image=busybox:1.28", "--",
                  "nslookup", "kubernetes.default")
    assert got.returncode == 0, got.stderr
    assert "Name:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local" in got.stdout
    assert 'pod "bb" deleted' in got.stdout + got.stderr
    assert any(r.subresource == "attach" for r in cluster.requests.since(0))


@needs_bwrap
def test_portforward_says_it_is_not_simulated(practice: tuple[Cluster, dict[str, str]]) -> None:
    _, env = practice
    got = subprocess.run([str(KUBECTL), "port-forward", "pod/web", "18080:80"], env=env, capture_output=True,
                         text=True, timeout=30, check=False)
    assert got.returncode != 0 and "does not run real containers" in got.stderr


def test_secret_string_data_is_stored_as_data(practice: tuple[Cluster, dict[str, str]]) -> None:
    cluster, _ = practice
    secret = cluster.store.get("secrets", "default", "user-pass-yaml")
    assert "stringData" not in secret
    assert base64.b64decode(secret["data"]["username"]) == b"admin"


# -- the parts, without a cluster ---------------------------------------------------------------------------

VIEW = {"namespace": "inu", "domain": "cluster.local", "nameserver": "10.96.0.10",
        "search": ["inu.svc.cluster.local", "svc.cluster.local", "cluster.local"], "style": "busybox-old",
        "records": {"db.inu.svc.cluster.local": {"a": ["10.96.0.50"], "target": "service/inu/db"},
                    "ext.inu.svc.cluster.local": {"cname": "example.com", "target": "externalname/inu/ext"}},
        "reverse": {"10.96.0.50": "db.inu.svc.cluster.local"},
        "services": {"10.96.0.50": {"name": "db.inu.svc.cluster.local", "ports": {"80": ["10.244.1.5:8080"],
                                                                                 "81": []}}},
        "listeners": {"10.244.1.5:8080": {"server": "", "any": "hello\n", "type": "text/plain"}},
        "pods": {"10.244.1.5": "inu/db-0"}, "hostname": "t", "ip": "10.244.2.2"}


@pytest.mark.parametrize("name", ["db", "db.inu", "db.inu.svc", "db.inu.svc.cluster.local",
                                  "db.inu.svc.cluster.local."])
def test_names_resolve_through_the_search_list(name: str) -> None:
    found = netsim.Resolver(VIEW).resolve(name)
    assert found is not None and found[0] == "db.inu.svc.cluster.local" and found[1]["a"] == ["10.96.0.50"]


def test_a_pod_record_is_its_dashed_ip_and_names_its_pod() -> None:
    resolver = netsim.Resolver(VIEW)
    assert resolver.resolve("10-244-1-5.inu.pod.cluster.local") == (
        "10-244-1-5.inu.pod.cluster.local", {"a": ["10.244.1.5"]})
    assert netsim.FOUND["target"] == "pod/inu/db-0"
    assert resolver.resolve("10-244-1-300.inu.pod.cluster.local") is None


def test_connections_go_to_endpoints_or_fail_as_curl_says() -> None:
    assert netsim.connect(VIEW, "db", 80)[1:] == ("10.244.1.5:8080", VIEW["listeners"]["10.244.1.5:8080"])
    with pytest.raises(netsim.Failure) as refused:
        netsim.connect(VIEW, "db", 81)
    assert refused.value.code == 7 and "no ready endpoints" in refused.value.curl
    with pytest.raises(netsim.Failure) as alias:
        netsim.connect(VIEW, "ext", 80)
    assert alias.value.code == 6 and "CNAME" in alias.value.curl
    with pytest.raises(netsim.Failure) as unknown:
        netsim.connect(VIEW, "nothing", 80)
    assert unknown.value.curl == "curl: (6) Could not resolve host: nothing"


def test_a_cluster_ip_is_its_service_and_a_pod_ip_its_pod() -> None:
    netsim.connect(VIEW, "10.96.0.50", 80)
    assert netsim.FOUND["target"] == "service/inu/db"
    netsim.connect(VIEW, "10.244.1.5", 8080)
    assert netsim.FOUND["target"] == "pod/inu/db-0"


def test_the_old_busybox_nslookup_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert netsim.nslookup(["db"], VIEW) == 0
    assert capsys.readouterr().out == ("Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc."
                                       "cluster.local\n\nName:      db\nAddress 1: 10.96.0.50 db.inu.svc."
                                       "cluster.local\n")


def test_wget_reads_flags_as_busybox_does(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert netsim.wget(["-qO-", "http://db"], VIEW) == 0
    assert capsys.readouterr().out == "hello\n"
    monkeypatch.chdir(tmp_path)
    assert netsim.wget(["-q", "db:80/"], VIEW) == 0
    assert (tmp_path / "index.html").read_text() == "hello\n"


def test_handshake_answers_the_key_and_the_best_protocol() -> None:
    headers = {"sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
               "sec-websocket-protocol": "v4.channel.k8s.io, v5.channel.k8s.io", "upgrade": "websocket",
               "connection": "Upgrade"}
    assert channels.is_upgrade(headers)
    protocol = channels.choose_protocol(headers)
    assert protocol == "v5.channel.k8s.io"
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in channels.handshake(headers, protocol)
    assert channels.choose_protocol({"sec-websocket-protocol": "channel.k8s.io"}) is None


def test_an_attached_process_runs_once_and_keeps_its_exit() -> None:
    book = AttachedProcesses()
    key = ("default", "uid", "bb", 0)
    assert book.claim(key) and not book.claim(key)
    book.finish(key, 3, 10.0)
    assert book.exit_of(key) == (3, 10.0) and not book.claim(key)
    token = book.opened(tty=False)
    assert book.streams_busy(0.5)
    book.closed(token)
    assert not book.streams_busy(0.5)


@needs_bwrap
def test_a_refused_exec_is_recorded_as_refused(practice: tuple[Cluster, dict[str, str]]) -> None:
    cluster, env = practice
    assert kubectl(env, "run", "stuck", "--image=nginx:doesnotexist").returncode == 0
    got = kubectl(env, "exec", "stuck", "--", "true")  # its image never pulls: no container runs
    assert got.returncode != 0 and 'container not found ("stuck")' in got.stderr
    refused = [r for r in cluster.requests.since(0) if r.subresource == "exec" and r.name == "stuck"]
    assert refused and all(r.status >= 400 for r in refused), (got.stderr, refused)
    assert kubectl(env, "exec", "web", "--", "sh", "-c", "exit 4").returncode == 4
    served = [r for r in cluster.requests.since(0) if r.subresource == "exec" and r.exec_command == ("sh", "-c",
                                                                                                     "exit 4")]
    assert served and all(r.status == 101 for r in served)


@needs_bwrap
def test_the_container_shows_nothing_of_the_trainer(practice: tuple[Cluster, dict[str, str]]) -> None:
    _, env = practice
    script = "env; ls /; for c in nslookup curl wget; do command -v $c; done"
    got = kubectl(env, "exec", "web", "--", "sh", "-c", script)
    assert got.returncode == 0, got.stderr
    assert "NETSIM" not in got.stdout and "trainer" not in got.stdout.lower()
    assert "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in got.stdout.splitlines()
    assert got.stdout.splitlines()[-3:] == ["/usr/local/bin/nslookup", "/usr/local/bin/curl", "/usr/local/bin/wget"]
