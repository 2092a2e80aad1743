"""The two clusters a run compares: a practice cluster in this process and a reference kube-apiserver.

Both are handed out as an ``Endpoint`` (server URL, CA, token) and stopped whatever happens (context
managers). Kubeconfigs are written per scenario with the same cluster, user and context names for both,
so that nothing kubectl prints about its configuration differs but the server.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference-cluster"
CONTEXT = "fidelity"


@dataclass(frozen=True)
class Endpoint:
    """Where kubectl finds one cluster."""

    name: str  # "practice" or "reference"
    server: str
    token: str
    ca_data: str = ""  # base64 PEM, empty for plain http

    def kubeconfig(self, path: Path, namespace: str) -> Path:
        cluster: dict[str, str] = {"server": self.server}
        if self.ca_data:
            cluster["certificate-authority-data"] = self.ca_data
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": CONTEXT, "cluster": cluster}],
            "users": [{"name": CONTEXT, "user": {"token": self.token}}],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
            "current-context": CONTEXT, "preferences": {},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path


@contextmanager
def practice() -> Iterator[Endpoint]:
    """A fresh practice cluster on the real clock, served on a free port."""
    from practice_cluster import Cluster

    cluster = Cluster().start(0)
    try:
        yield Endpoint("practice", cluster.url, "practice")
    finally:
        cluster.stop()


def reference_available() -> bool:
    return (REFERENCE / "up").is_file() and (REFERENCE / "down").is_file()


@contextmanager
def reference() -> Iterator[Endpoint]:
    """A fresh reference cluster (3 hollow nodes and the controllers), always stopped and removed."""
    state = Path(tempfile.mkdtemp(prefix="fidelity-ref-"))
    try:
        done = subprocess.run([str(REFERENCE / "up"), str(state)], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "REFERENCE_TIMEOUT": os.environ.get("REFERENCE_TIMEOUT", "120")})
        if done.returncode != 0:
            raise RuntimeError(f"reference cluster did not come up: {done.stderr.strip()[-2000:]}")
        config = yaml.safe_load((state / "kubeconfig").read_text(encoding="utf-8"))
        cluster = config["clusters"][0]["cluster"]
        yield Endpoint("reference", cluster["server"], config["users"][0]["user"]["token"],
                       cluster.get("certificate-authority-data", ""))
    finally:
        subprocess.run([str(REFERENCE / "down"), "--clean", str(state)], capture_output=True, timeout=120)

