"""``trainer cluster up|status``: the practice cluster as a standalone server for any kubectl.

``up`` serves until Ctrl-C and prints the ``export KUBECONFIG=...`` line to paste; with ``--state`` the
objects are written to that file while it runs and read back at the next start. ``status`` finds a
running one through the run file in the data directory.

    code = cluster_main(["up", "--port", "6443"], data_dir, out)
"""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import TextIO

RUN_FILE = "cluster.json"


def _run_file(data_dir: Path) -> Path:
    return data_dir / "cluster" / RUN_FILE


def cluster_up(port: int, state: Path | None, data_dir: Path, out: TextIO, ready: threading.Event | None = None,
               stop: threading.Event | None = None) -> int:
    """Serve a practice cluster on 127.0.0.1 until SIGINT/SIGTERM (or ``stop`` is set)."""
    from practice_cluster import Cluster

    try:
        cluster = Cluster(state=state)
    except ValueError as exc:
        print(f"trainer: {exc}", file=out)
        return 2
    try:
        cluster.start(port)
    except OSError as exc:
        print(f"trainer: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", file=out)
        return 2
    home = data_dir / "cluster"
    kubeconfig = cluster.write_kubeconfig(home / "kubeconfig")
    run_file = _run_file(data_dir)
    run_file.write_text(json.dumps({"url": cluster.url, "pid": os.getpid(), "kubeconfig": str(kubeconfig),
                                    "state": str(state) if state else None}), encoding="utf-8")
    print(f"practice cluster serving at {cluster.url} (3 nodes; Ctrl-C stops it)", file=out)
    if state is not None:
        print(f"objects are kept in {state}", file=out)
    print(f"export KUBECONFIG={kubeconfig}", file=out)
    out.flush()
    stop = stop or threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        cluster.stop()
        run_file.unlink(missing_ok=True)
    print("practice cluster stopped", file=out)
    return 0


def cluster_status(data_dir: Path, out: TextIO) -> int:
    """Say whether a practice cluster started from this data directory is serving (exit 0) or not (1)."""
    run_file = _run_file(data_dir)
    try:
        info = json.loads(run_file.read_text(encoding="utf-8"))
        url, pid = str(info["url"]), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        print("practice cluster: not running (start it with: trainer cluster up)", file=out)
        return 1
    try:
        with urllib.request.urlopen(f"{url}/api/v1/nodes", timeout=3) as response:
            nodes = len(json.load(response).get("items", []))
        with urllib.request.urlopen(f"{url}/api/v1/pods", timeout=3) as response:
            pods = len(json.load(response).get("items", []))
    except (OSError, urllib.error.URLError, ValueError):
        print(f"practice cluster: not answering at {url} (pid {pid}); the run file {run_file} is stale", file=out)
        return 1
    print(f"practice cluster: serving at {url} (pid {pid}), {nodes} nodes, {pods} pods", file=out)
    print(f"export KUBECONFIG={info.get('kubeconfig')}", file=out)
    return 0
