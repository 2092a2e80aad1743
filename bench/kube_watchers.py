"""Practice-cluster watches: writes seen by 20 concurrent watch clients, against the same writes with no watchers.

A started cluster (real clock, controller thread running, HTTP on 127.0.0.1) and, taking turns, 3 rounds of:

* no watchers: N configmap creates, ``POST /api/v1/namespaces/default/configmaps`` one after another over one
  keep-alive ``http.client`` connection; the time to the last response;
* 20 watchers: 20 ``http.client`` connections, each ``GET .../configmaps?watch=1&resourceVersion=<current>``
  (the version from a list just before) with its response headers read (so every watch is open), each read
  line by line by its own thread; then the same N creates (new names); the time from the first create to
  the moment the last watcher has seen the last of the N ADDED events (each watcher must see each name
  exactly once), and the time the writes alone took meanwhile.

Then 15,000 changes to one configmap in ``kube-public`` fill the store's watch log (as hours of a running
cluster do; it keeps the last 20,000) and 3 more rounds with 20 watchers measure the same after them.

Then every watch connection is closed, the cluster stopped and every thread joined; the script fails if a
thread or a watch is left over. Prints medians over the rounds in ms, per-write figures, and the ratio
(all seen with watchers)/(writes without), also for the rounds after the long log. ``--quick``: N = 40
instead of 200, 3,000 earlier changes instead of 15,000.

    .venv/bin/python bench/kube_watchers.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from _figures import add_figures_option, write_figures

from practice_cluster import Cluster

WATCHERS = 20
ROUNDS = 3
TIMEOUT_S = 60.0
PATH = "/api/v1/namespaces/default/configmaps"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def connect(cluster: Cluster) -> http.client.HTTPConnection:
    host, port = cluster.address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=TIMEOUT_S)


def write(connection: http.client.HTTPConnection, names: Sequence[str]) -> None:
    """Create one configmap per name, one request after another on ``connection``."""
    for name in names:
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {
            "bench": "watchers"}}, "data": {"key": name, "settings": "a=1\nb=2\n"}})
        connection.request("POST", PATH, body=body, headers={"Content-Type": "application/json",
                                                             "Accept": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"creating {name} answered {response.status}: {answer[:300]!r}")


class Watcher:
    """One watch connection and the thread that reads it until it has seen every expected name."""

    def __init__(self, cluster: Cluster, version: str, expected: set[str]) -> None:
        self.expected = expected
        self.seen: set[str] = set()
        self.problem = ""
        self.done_at = 0.0
        self.connection = connect(cluster)
        self.connection.request("GET", f"{PATH}?watch=1&resourceVersion={version}",
                                headers={"Accept": "application/json"})
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"the watch answered {self.response.status}: {self.response.read(300)!r}")
        self.thread = threading.Thread(target=self._read, name="bench-watcher", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while self.seen != self.expected:
                line = self.response.readline()
                if not line:
                    self.problem = f"the watch ended after {len(self.seen)} of {len(self.expected)} events"
                    return
                event = json.loads(line)
                name = event["object"]["metadata"]["name"]
                if event["type"] != "ADDED" or name not in self.expected or name in self.seen:
                    self.problem = f"unexpected event {event['type']} {name}"
                    return
                self.seen.add(name)
            self.done_at = time.perf_counter()
        except (OSError, ValueError, KeyError, http.client.HTTPException) as exc:
            self.problem = f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def current_version(connection: http.client.HTTPConnection) -> str:
    connection.request("GET", PATH, headers={"Accept": "application/json"})
    response = connection.getresponse()
    listed = json.loads(response.read())
    return str(listed["metadata"]["resourceVersion"])


def round_with_watchers(cluster: Cluster, writer: http.client.HTTPConnection, names: list[str]
                        ) -> tuple[float, float]:
    """(seconds until every watcher saw every name, seconds of the writes alone)."""
    version = current_version(writer)
    watchers: list[Watcher] = []
    try:
        for _ in range(WATCHERS):
            watchers.append(Watcher(cluster, version, set(names)))
        started = time.perf_counter()
        write(writer, names)
        written = time.perf_counter()
        for watcher in watchers:
            watcher.thread.join(TIMEOUT_S)
        problems = [w.problem or "still reading" for w in watchers if w.problem or w.thread.is_alive()]
        if problems:
            raise RuntimeError(f"{len(problems)} of {WATCHERS} watchers failed: {problems[0]}")
        return max(w.done_at for w in watchers) - started, written - started
    finally:
        for watcher in watchers:
            watcher.close()
        for watcher in watchers:
            watcher.thread.join(5)


def fill_log(cluster: Cluster, changes: int) -> None:
    """``changes`` updates of one configmap in kube-public: a watch log as long as hours of a running cluster."""
    cluster.store.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "history", "namespace": "kube-public"}, "data": {}})

    def bump(obj: dict[str, Any]) -> None:
        obj["data"]["count"] = str(int(obj["data"].get("count", "0")) + 1)

    for _ in range(changes - 1):
        cluster.store.mutate("configmaps", "kube-public", "history", bump)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 writes per round instead of 200, 3,000 earlier "
                        "changes instead of 15,000")
    add_figures_option(parser)
    args = parser.parse_args(argv)
    writes, history = (40, 3000) if args.quick else (200, 15000)
    long_log = f"{WATCHERS} watchers, long log: all seen"
    threads_before = threading.active_count()
    cluster = Cluster().start()
    times: dict[str, list[float]] = {"no watchers: writes": [], f"{WATCHERS} watchers: all seen": [],
                                     f"{WATCHERS} watchers: writes": []}
    try:
        writer = connect(cluster)
        try:
            write(writer, [f"warm-up-{n}" for n in range(10)])
            for round_ in range(ROUNDS):
                names = [f"plain-{round_}-{n}" for n in range(writes)]
                started = time.perf_counter()
                write(writer, names)
                times["no watchers: writes"].append(time.perf_counter() - started)
                names = [f"watched-{round_}-{n}" for n in range(writes)]
                seen, written = round_with_watchers(cluster, writer, names)
                times[f"{WATCHERS} watchers: all seen"].append(seen)
                times[f"{WATCHERS} watchers: writes"].append(written)
            fill_log(cluster, history)
            times[long_log] = []
            for round_ in range(ROUNDS):
                names = [f"late-{round_}-{n}" for n in range(writes)]
                times[long_log].append(round_with_watchers(cluster, writer, names)[0])
        finally:
            writer.close()
    except (RuntimeError, OSError, http.client.HTTPException, ValueError, KeyError) as exc:
        print(f"kube watchers: cannot measure: {exc}")
        return 1
    finally:
        cluster.stop()
    deadline = time.monotonic() + 5
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's connection threads end once the store is closed
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(f"kube watchers: {writes} configmap creates over HTTP per round, {ROUNDS} rounds, {WATCHERS} watchers")
    print(f"{'what':<36}{'median ms':>11}{'min ms':>9}{'ms/write':>10}")
    medians = {}
    for name, values in times.items():
        medians[name] = percentile(values, 0.5)
        print(f"{name:<36}{medians[name] * 1000:>11.1f}{min(values) * 1000:>9.1f}"
              f"{medians[name] * 1000 / writes:>10.2f}")
    ratio = medians[f"{WATCHERS} watchers: all seen"] / medians["no watchers: writes"]
    print(f"ratio all seen by {WATCHERS} watchers/writes without watchers: {ratio:.2f}x; after {history:,} "
          f"earlier changes: {medians[long_log] / medians['no watchers: writes']:.2f}x")
    write_figures(args.figures, {**{f"{name} ms": value * 1000 for name, value in medians.items()},
                                 "ratio all seen/writes": ratio, "threads left": len(left)})
    print(f"after stop: {len(left)} threads left besides the main one{': ' + ', '.join(left) if left else ''}")
    if left:
        print("kube watchers: cannot measure cleanly: threads left running")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
