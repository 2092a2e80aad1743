"""``trainer cluster up|status``: serving the practice cluster for any kubectl, and keeping its state."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import needs
from kubectl_env import VENV_KUBECTL
from trainer.cli import main
from trainer.cluster_cli import cluster_status, cluster_up


def serve(data_dir: Path, state: Path | None = None) -> tuple[threading.Thread, threading.Event, io.StringIO]:
    """Run ``cluster up`` in a thread until the returned event is set; its output collects in the StringIO."""
    out, ready, stop = io.StringIO(), threading.Event(), threading.Event()
    thread = threading.Thread(target=cluster_up, args=(0, state, data_dir, out), kwargs={"ready": ready, "stop": stop})
    thread.start()
    assert ready.wait(10), out.getvalue()
    return thread, stop, out


def kubectl(kubeconfig: str, *args: str) -> subprocess.CompletedProcess[str]:
    home = Path(kubeconfig).parent
    return subprocess.run([str(VENV_KUBECTL), *args], capture_output=True, text=True, timeout=60,
                          env={"KUBECONFIG": kubeconfig, "HOME": str(home), "KUBECACHEDIR": str(home / "cache")})


@pytest.mark.kube
@needs("kubectl")
def test_up_prints_a_kubeconfig_that_kubectl_uses_and_state_survives(tmp_path: Path) -> None:
    (tmp_path / "cluster").mkdir()
    state = tmp_path / "state.json"
    thread, stop, out = serve(tmp_path, state=state)
    try:
        lines = out.getvalue().splitlines()
        export = next(line for line in lines if line.startswith("export KUBECONFIG="))
        kubeconfig = export.split("=", 1)[1]
        assert lines[0].startswith("practice cluster serving at http://127.0.0.1:")
        assert kubectl(kubeconfig, "create", "configmap", "kept", "--from-literal=a=b").returncode == 0
        said = io.StringIO()
        assert cluster_status(tmp_path, said) == 0 and "3 nodes" in said.getvalue()
    finally:
        stop.set()
        thread.join(10)
    assert "practice cluster stopped" in out.getvalue()
    assert cluster_status(tmp_path, io.StringIO()) == 1
    assert json.loads(state.read_text())["objects"]
    thread, stop, out = serve(tmp_path, state=state)
    try:
        got = kubectl(kubeconfig, "get", "configmap", "kept", "-o", "jsonpath={.data.a}")
        assert got.returncode == 0 and got.stdout == "b"
    finally:
        stop.set()
        thread.join(10)


def test_status_without_a_cluster_and_a_bad_state_file(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["--data-dir", str(tmp_path), "cluster", "status"], env={}, out=out) == 1
    assert "not running" in out.getvalue()
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    (tmp_path / "cluster").mkdir(exist_ok=True)
    out = io.StringIO()
    assert cluster_up(0, bad, tmp_path, out) == 2
    assert out.getvalue().startswith(f"trainer: {bad}: not a practice-cluster state file")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        out = io.StringIO()
        port = holder.getsockname()[1]
        started = time.monotonic()
        assert cluster_up(port, None, tmp_path, out) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in out.getvalue() and time.monotonic() - started < 10
    finally:
        holder.close()
