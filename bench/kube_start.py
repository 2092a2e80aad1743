"""Practice-cluster start: a new cluster to the first successful ``kubectl get ns``, and a warm ``kubectl get pods``.

Uses the kubectl next to this Python (the venv's, from PyPI). Two parts:

* cold start, 10 runs (after one untimed warm-up), each in a new Python process (this script with
  ``--cold-child``) so that the cluster's lazy imports (API, controllers, bootstrap) count:
  ``Cluster()`` (real clock, bootstrapped) + ``start()`` (HTTP server, controller thread) +
  ``write_kubeconfig`` (the cluster part), then ``kubectl get ns`` with a fresh ``HOME`` and
  ``KUBECACHEDIR`` (a cold discovery cache) until it exits 0 listing ``default`` (the kubectl part).
  ``import practice_cluster.cluster`` before it and ``cluster.stop()`` after it are shown apart (not in the
  start). Baseline, in the same runs: ``kubectl version --client`` (kubectl's own start, no server);
* warm: one started cluster with a 3-replica Deployment rolled out (pods Running), one untimed
  ``kubectl get pods`` to fill the discovery cache, then 20 runs each, taking turns, of ``kubectl get pods``
  (3 rows) and ``kubectl version --client``; also the time spent in ``Api.handle`` per ``get pods``.

Prints medians, min and max; the cold start's ratio to the baseline, and ``get pods``/``version --client``.
Targets: cluster part median < 0.5 s; warm ``get pods`` < 1.2x ``kubectl version --client`` (the server
adds under 20%). ``--quick``: 2 cold runs, 4 warm runs each.

    .venv/bin/python bench/kube_start.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _figures import add_figures_option, write_figures

if TYPE_CHECKING:
    from practice_cluster import Cluster, Request, Response

KUBECTL = Path(sys.executable).parent / "kubectl"
TARGET_CLUSTER_S = 0.5
TARGET_WARM_RATIO = 1.2
TIMEOUT_S = 30.0
PODS_PATH = "/api/v1/namespaces/default/pods?limit=500"  # what ``kubectl get pods`` asks for
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io," \
               "application/json"
DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                                   "ports": [{"containerPort": 80}]}]}}},
}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def kubectl_env(home: Path, kubeconfig: Path | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECACHEDIR": str(home / "cache"),
           "LANG": "C.UTF-8"}
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    return env


def kubectl(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Seconds to the exit of ``kubectl args``, and its output; a RuntimeError unless it exits 0."""
    started = time.perf_counter()
    done = subprocess.run([str(KUBECTL), *args], env=env, cwd=env["HOME"], capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[:300]}")
    return seconds, done.stdout


def cold_child() -> int:
    """In a new process: time one new cluster and a first ``kubectl get ns``; print the seconds as JSON."""
    with tempfile.TemporaryDirectory(prefix="bench-kube-") as home_dir:
        home = Path(home_dir)
        importing = time.perf_counter()
        from practice_cluster import Cluster

        started = time.perf_counter()
        cluster = Cluster()
        try:
            cluster.start()
            kubeconfig = cluster.write_kubeconfig(home / "kubeconfig")
            ready = time.perf_counter()
            seconds, out = kubectl(kubectl_env(home, kubeconfig), "get", "ns")
            if "default" not in out.split():
                raise RuntimeError(f"kubectl get ns did not list default: {out[:300]!r}")
        finally:
            stopping = time.perf_counter()
            cluster.stop()
            stopped = time.perf_counter()
    print(json.dumps({"import": started - importing, "cluster": ready - started, "kubectl": seconds,
                      "stop": stopped - stopping}))
    return 0


def cold_start() -> dict[str, float]:
    """The seconds of one ``--cold-child`` run: import, cluster part, kubectl part, stop."""
    done = subprocess.run([sys.executable, __file__, "--cold-child"], capture_output=True, text=True,
                          timeout=TIMEOUT_S * 2, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the cold-start child failed ({done.returncode}): {done.stdout[-300:]}"
                           f"{done.stderr[-600:]}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return figures


def rolled_out(cluster: Cluster) -> bool:
    pods = cluster.objects("pods", "default")
    return len(pods) == 3 and all(p.get("status", {}).get("phase") == "Running" for p in pods)


def round_trip(address: str) -> float:
    """Seconds of kubectl's ``get pods`` request over a new HTTP connection (http.client), to the last byte."""
    host, port = address.rsplit(":", 1)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT_S)
    try:
        connection.request("GET", PODS_PATH, headers={"Accept": TABLE_ACCEPT, "User-Agent": "kubectl/v1.37.1"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {PODS_PATH} answered {response.status}")
    return time.perf_counter() - started


def warm_runs(runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds of ``kubectl get pods`` and ``kubectl version --client`` runs; and the server's part of each get:
    the seconds spent in ``Api.handle`` during it, and the HTTP round trip of its request (``http.client``)."""
    from practice_cluster import Cluster, Request

    times: dict[str, list[float]] = {"kubectl get pods": [], "kubectl version --client (warm)": []}
    server: dict[str, list[float]] = {"Api.handle": [], "round trip": []}
    in_handle = [0.0]
    with tempfile.TemporaryDirectory(prefix="bench-kube-") as home_dir:
        home = Path(home_dir)
        cluster = Cluster().start()
        try:
            handle = cluster.api.handle

            def timed_handle(req: Request) -> Response:  # the server calls api.handle: time what it spends
                started = time.perf_counter()
                try:
                    return handle(req)
                finally:
                    in_handle[0] += time.perf_counter() - started

            setattr(cluster.api, "handle", timed_handle)  # noqa: B010 (an instance attribute over the method)
            body = json.dumps(DEPLOYMENT).encode()
            response = cluster.api.handle(Request("POST", "/apis/apps/v1/namespaces/default/deployments", {},
                                                  {"content-type": "application/json"}, body))
            if response.status != 201:
                raise RuntimeError(f"creating the Deployment answered {response.status}: {response.body[:300]!r}")
            deadline = time.monotonic() + TIMEOUT_S
            while not rolled_out(cluster):
                if time.monotonic() > deadline:
                    raise RuntimeError("the Deployment's 3 pods were not Running in time")
                time.sleep(0.05)
            env = kubectl_env(home, cluster.write_kubeconfig(home / "kubeconfig"))
            _, out = kubectl(env, "get", "pods")  # fills the discovery cache
            if len(out.splitlines()) != 4:
                raise RuntimeError(f"kubectl get pods did not show 3 pods: {out[:300]!r}")
            for _ in range(runs):
                in_handle[0] = 0.0
                times["kubectl get pods"].append(kubectl(env, "get", "pods")[0])
                server["Api.handle"].append(in_handle[0])
                times["kubectl version --client (warm)"].append(kubectl(env, "version", "--client")[0])
                server["round trip"].append(round_trip(cluster.address))
        finally:
            cluster.stop()
    return times, server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 cold runs and 4 warm runs instead of 10 and 20")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    add_figures_option(parser)
    args = parser.parse_args(argv)
    if args.cold_child:
        return cold_child()
    cold_count, warm_count = (2, 4) if args.quick else (10, 20)
    if not KUBECTL.exists():
        print(f"kube start: cannot measure: no kubectl next to {sys.executable}")
        return 1
    cold: dict[str, list[float]] = {"cluster part": [], "kubectl get ns": [], "cold start total": [],
                                    "kubectl version --client": []}
    apart: dict[str, list[float]] = {"import": [], "stop": []}
    try:
        cold_start()  # warms the page cache up
        for _ in range(cold_count):
            figures: dict[str, Any] = cold_start()
            cold["cluster part"].append(figures["cluster"])
            cold["kubectl get ns"].append(figures["kubectl"])
            cold["cold start total"].append(figures["cluster"] + figures["kubectl"])
            apart["import"].append(figures["import"])
            apart["stop"].append(figures["stop"])
            with tempfile.TemporaryDirectory(prefix="bench-kube-") as home_dir:
                cold["kubectl version --client"].append(kubectl(kubectl_env(Path(home_dir)), "version", "--client")[0])
        warm, server = warm_runs(warm_count)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"kube start: cannot measure: {exc}")
        return 1
    print(f"kube start: the kubectl next to {sys.executable}; {cold_count} cold runs, "
          f"{warm_count} warm runs each")
    print(f"{'cold (fresh HOME, KUBECACHEDIR)':<34}{'median s':>10}{'min s':>8}{'max s':>8}")
    medians = {}
    for name, values in (*cold.items(), *warm.items()):
        if name == "kubectl get pods":
            print(f"{'warm (discovery cached)':<34}")
        medians[name] = percentile(values, 0.5)
        print(f"  {name:<32}{medians[name]:>10.3f}{min(values):>8.3f}{max(values):>8.3f}")
    print(f"not in the cold start: import practice_cluster.cluster median {percentile(apart['import'], 0.5):.3f} s, "
          f"cluster.stop() median {percentile(apart['stop'], 0.5):.3f} s")
    handle_ms, trip_ms = (percentile(server[k], 0.5) * 1000 for k in ("Api.handle", "round trip"))
    print(f"warm get pods, the server's part: median {handle_ms:.2f} ms in Api.handle per run; "
          f"its request over a new HTTP connection (http.client, same headers): median {trip_ms:.2f} ms")
    cold_ratio = medians["cold start total"] / medians["kubectl version --client"]
    own = medians["kubectl version --client (warm)"]
    warm_ratio = medians["kubectl get pods"] / own
    server_share = trip_ms / 1000 / own
    print(f"ratio cold start total/kubectl version --client: {cold_ratio:.2f}x")
    print(f"ratio warm kubectl get pods/kubectl version --client: {warm_ratio:.2f}x "
          f"(get pods - version: {(medians['kubectl get pods'] - own) * 1000:+.1f} ms; the server's round "
          f"trip is {trip_ms:.1f} ms = {server_share * 100:.1f}% of version --client; the rest is kubectl's own "
          "get: kubeconfig, discovery cache, printing)")
    cluster_s = medians["cluster part"]
    write_figures(args.figures, {**{f"{name} s": value for name, value in medians.items()},
                                 "Api.handle ms": handle_ms, "round trip ms": trip_ms,
                                 "ratio cold start/version": cold_ratio, "ratio warm get pods/version": warm_ratio})
    print(f"target cluster part < {TARGET_CLUSTER_S} s: {'met' if cluster_s < TARGET_CLUSTER_S else 'MISSED'} "
          f"({cluster_s:.3f} s)")
    print(f"target the server adds < {(TARGET_WARM_RATIO - 1) * 100:.0f}% to kubectl's time: "
          f"{'met' if server_share < TARGET_WARM_RATIO - 1 else 'MISSED'} ({server_share * 100:.1f}%); "
          f"whole get pods < {TARGET_WARM_RATIO:.2f}x version --client: "
          f"{'met' if warm_ratio < TARGET_WARM_RATIO else 'MISSED'} ({warm_ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
