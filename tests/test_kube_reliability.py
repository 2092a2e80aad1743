"""The practice API server under stress: racing writers, malformed requests, clients that vanish.

Racing read-modify-write loops must lose no update (409 Conflict, then retry); no request body, path or
query string may crash a handler (never a 500, always a Status with the right code); a client that hangs
up in the middle of a watch or a followed log must not leave its server thread behind.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import needs
from kubectl_env import Kubectl, kubectl_binaries, until
from practice_cluster.cluster import Cluster, ScaledClock
from practice_cluster.rest.patching import PATCH_TYPES
from practice_cluster.schema.resources import RESOURCES
from practice_cluster.wire import MAX_BODY, Request, Response

NS = "default"
CORE = f"/api/v1/namespaces/{NS}"
WRITERS = 50


# -- plumbing -------------------------------------------------------------------------------------------


def port_of(cluster: Cluster) -> int:
    return int(cluster.address.rsplit(":", 1)[1])


def request(cluster: Cluster, method: str, path: str, body: Any = None, *,
            content_type: str = "application/json", conn: http.client.HTTPConnection | None = None,
            ) -> tuple[int, Any]:
    """One request over a real socket; the status and the decoded JSON body (or the raw bytes)."""
    own = conn is None
    connection = conn or http.client.HTTPConnection("127.0.0.1", port_of(cluster), timeout=30)
    try:
        raw = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        connection.request(method, path, body=raw, headers={"Content-Type": content_type})
        response = connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, data
    finally:
        if own:
            connection.close()


def request_json(cluster: Cluster, method: str, path: str, body: Any = None,
                 content_type: str = "application/json") -> tuple[int, Any]:
    """``request`` under another name, for tests whose ``request`` is the pytest fixture."""
    return request(cluster, method, path, body, content_type=content_type)


def answers_version(cluster: Cluster) -> bool:
    status, body = request(cluster, "GET", "/version")
    return status == 200 and body["major"] == "1"


def handler_threads() -> int:
    """Threads serving connections (the listening thread and the controllers are not counted)."""
    return sum(1 for t in threading.enumerate() if t.name.startswith("Thread-") and "process_request" in t.name)


def settle_threads(limit: int, timeout: float = 8.0) -> int:
    """Poll until at most ``limit`` connection threads are left; their count when it is so."""
    deadline = time.monotonic() + timeout
    while True:
        count = handler_threads()
        if count <= limit:
            return count
        if time.monotonic() > deadline:
            names = [t.name for t in threading.enumerate()]
            raise AssertionError(f"{count} connection threads left after {timeout}s (limit {limit}): {names}")
        time.sleep(0.05)


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def open_stream(cluster: Cluster, path: str) -> tuple[socket.socket, bytes]:
    """Send a GET over a raw socket and read until the first line of the (chunked) body."""
    sock = socket.create_connection(("127.0.0.1", port_of(cluster)), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: practice\r\nAccept: application/json\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received or b"\n" not in received.split(b"\r\n\r\n", 1)[1].split(b"\r\n", 1)[-1]:
        piece = sock.recv(65536)
        if not piece:
            break
        received += piece
    return sock, received


def slam(sock: socket.socket) -> None:
    """Close with a reset, as a killed client does (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.fixture(scope="module")
def sim() -> Iterator[Cluster]:
    """A served cluster on a simulated clock: no controllers run unless a test advances it."""
    running = Cluster.simulated().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def busy() -> Iterator[Cluster]:
    """A served cluster on a clock 20 times faster than real time: its controllers write all the time."""
    running = Cluster(ScaledClock(20.0)).start()
    yield running
    running.stop()


# -- racing writers -------------------------------------------------------------------------------------


def _race(cluster: Cluster, name: str, write: Callable[[http.client.HTTPConnection, dict[str, Any]], int]) -> int:
    """WRITERS threads each add one to ``data.counter``; returns how many 409s they met."""
    status, _ = request(cluster, "POST", f"{CORE}/configmaps", configmap(name, counter="0"))
    assert status == 201
    barrier = threading.Barrier(WRITERS)
    conflicts: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port_of(cluster), timeout=60)
        try:
            first = True
            for _attempt in range(500):
                status, current = request(cluster, "GET", f"{CORE}/configmaps/{name}", conn=connection)
                assert status == 200, current
                if first:
                    barrier.wait(timeout=30)  # everyone holds the same resourceVersion: all but one must lose
                    first = False
                status = write(connection, current)
                if status in (200, 201):
                    return
                assert status == 409, status
                with lock:
                    conflicts.append(1)
            raise AssertionError("500 attempts without a successful write")
        except BaseException as exc:  # reported by the main thread
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, name=f"writer-{n}") for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert not any(t.is_alive() for t in threads)
    final = json.loads(json.dumps(cluster.store.get("configmaps", NS, name)))
    assert final["data"]["counter"] == str(WRITERS)
    return len(conflicts)


def test_racing_read_modify_write_with_put_loses_no_update(sim: Cluster) -> None:
    def put(connection: http.client.HTTPConnection, current: dict[str, Any]) -> int:
        current["data"]["counter"] = str(int(current["data"]["counter"]) + 1)
        status, _ = request(sim, "PUT", f"{CORE}/configmaps/{current['metadata']['name']}", current, conn=connection)
        return status

    conflicts = _race(sim, "race-put", put)
    assert conflicts >= WRITERS - 1, "the first round alone has one winner and 49 losers"


def test_racing_patches_with_a_resource_version_precondition_lose_no_update(sim: Cluster) -> None:
    def patch(connection: http.client.HTTPConnection, current: dict[str, Any]) -> int:
        body = {"metadata": {"resourceVersion": current["metadata"]["resourceVersion"]},
                "data": {"counter": str(int(current["data"]["counter"]) + 1)}}
        status, _ = request(sim, "PATCH", f"{CORE}/configmaps/{current['metadata']['name']}", body, conn=connection,
                            content_type="application/merge-patch+json")
        return status

    conflicts = _race(sim, "race-patch", patch)
    assert conflicts >= WRITERS - 1


# -- malformed requests ---------------------------------------------------------------------------------

SEEDED = {
    "pods": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
    "configmaps": configmap("cm", a="1"),
    "deployments": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
                        "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c",
                                                                                         "image": "nginx"}]}}}},
    "services": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
                 "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
    "jobs": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}},
}
NAMES = {"pods": "p", "configmaps": "cm", "deployments": "web", "services": "svc", "jobs": "job"}


def _base(plural: str, namespace: str | None = NS) -> str:
    r = RESOURCES[plural]
    root = "/api/v1" if not r.group else f"/apis/{r.group}/{r.version}"
    if r.namespaced and namespace is not None:
        root += f"/namespaces/{namespace}"
    return f"{root}/{plural}"


def _seed(cluster: Cluster) -> None:
    for plural, obj in SEEDED.items():
        if cluster.store.peek(plural, NS, obj["metadata"]["name"]) is None:
            response = cluster.api.handle(Request("POST", _base(plural), {}, {}, json.dumps(obj).encode()))
            assert response.status == 201, response.body


resource_paths = st.one_of(
    st.sampled_from(sorted(RESOURCES)).map(_base),
    st.sampled_from(sorted(RESOURCES)).map(lambda p: _base(p, None)),
    st.tuples(st.sampled_from(sorted(NAMES)), st.sampled_from(["", "/status", "/scale", "/log", "/eviction",
                                                                  "/binding", "/finalize", "/nope"]))
    .map(lambda t: f"{_base(t[0])}/{NAMES[t[0]]}{t[1]}"),
    st.tuples(st.sampled_from(sorted(RESOURCES)), st.text("abc-.xyz0123456789", min_size=1, max_size=12))
    .map(lambda t: f"{_base(t[0])}/{t[1]}"),
)
junk_paths = st.one_of(
    st.lists(st.text(st.characters(codec="utf-8", exclude_characters="/?#"), max_size=12), max_size=7)
    .map(lambda parts: "/" + "/".join(parts)),
    st.sampled_from(["/", "//", "/api", "/apis", "/api/v2", "/apis/apps", "/apis/apps/v2/deployments",
                     "/api/v1/namespaces//pods", "/api/v1/namespaces/default/pods/p/log/extra",
                     "/apis/apps/v1/namespaces/default/deployments/web/scale/x", "/openapi/v3/apis/nope",
                     "/api/v1/namespaces/nope/configmaps/cm", "/api/v1/nodes/node-1/log", "/version/x"]),
)
odd_queries = st.dictionaries(
    st.sampled_from(["labelSelector", "fieldSelector", "timeoutSeconds", "resourceVersion", "resourceVersionMatch",
                     "dryRun", "fieldManager", "fieldValidation", "force", "propagationPolicy", "gracePeriodSeconds",
                     "tailLines", "container", "previous", "limit", "continue", "sendInitialEvents", "follow"]),
    st.one_of(st.sampled_from(["((", "x", "abc", "-1", "0", "All", "Strict", "true", "a in (b", "!", "=", "a=b",
                               "status.phase=Running", "spec.nope=1", "NotOlderThan", "", "\x00", "9" * 30]),
              st.text(max_size=10)),
    max_size=4,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
shaped_objects = st.builds(
    lambda plural, extra, meta: {"apiVersion": RESOURCES[plural].api_version, "kind": RESOURCES[plural].kind,
                                 "metadata": meta, **extra},
    st.sampled_from(sorted(NAMES)),
    st.dictionaries(st.sampled_from(["spec", "status", "data", "items", "type", "metadata"]), json_values,
                    max_size=3),
    st.one_of(json_values, st.fixed_dictionaries({"name": st.sampled_from(sorted(NAMES.values()))},
                                                 optional={"resourceVersion": json_values, "labels": json_values,
                                                           "finalizers": json_values})),
)
yamlish = st.lists(st.sampled_from(["apiVersion: v1", "kind: Pod", "metadata:", "  name: p", "- a", "  - b: [",
                                    "spec: {", "--- ", "key: 'unterminated", "\t", "? complex", "&anchor *alias",
                                    "%YAML 1.2", "|", ">-", "null", "~", "{{ template }}", "a: b: c"]),
                   max_size=8).map(lambda lines: "\n".join(lines).encode())
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    shaped_objects.map(lambda v: json.dumps(v).encode()),
    yamlish,
    st.binary(max_size=60).map(lambda b: b"k8s\x00" + b),
    st.sampled_from([b"", b" ", b"null", b"{", b"[]", b'"\\ud800"', b"\xff\xfe", b"{}" * 3, b"[" * 5000 + b"]" * 5000]),
)
content_types = st.sampled_from([*PATCH_TYPES, "application/json", "application/yaml",
                                 "application/vnd.kubernetes.protobuf", "text/plain", "", "application/json; x=y",
                                 "APPLICATION/JSON-PATCH+JSON", "multipart/form-data; boundary=x"])
requests = st.builds(
    lambda method, path, query, body, ctype: (method, path, query, body, ctype),
    st.sampled_from(["POST", "PUT", "PATCH", "PATCH", "DELETE", "GET"]),
    st.one_of(resource_paths, resource_paths, junk_paths),
    odd_queries,
    bodies,
    content_types,
)


def _check(response: Response) -> None:
    if response.stream is not None:
        close = getattr(response.stream, "close", None)
        if close is not None:
            close()
        assert response.status == 200
        return
    assert response.status != 500, response.body[:300]
    if response.status >= 400:
        status = json.loads(response.body)
        assert status["kind"] == "Status" and status["status"] == "Failure", status
        assert status["code"] == response.status, status


@pytest.fixture(scope="module")
def target() -> Cluster:
    cluster = Cluster.simulated()
    _seed(cluster)
    cluster.advance(3)
    return cluster


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
@example(("PUT", f"{CORE}/configmaps/cm", {}, b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"":null}}',
          "application/json"))  # an unknown field named "" inside metadata once dropped metadata itself
def test_malformed_requests_are_answered_with_a_status(target: Cluster,
                                                       req: tuple[str, str, dict[str, str], bytes, str]) -> None:
    method, path, query, body, ctype = req
    headers = {"content-type": ctype} if ctype else {}
    _check(target.api.handle(Request(method, path, query, headers, body)))
    if method == "DELETE":
        _seed(target)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_malformed_requests_over_the_socket(sim: Cluster, req: tuple[str, str, dict[str, str], bytes, str]) -> None:
    method, path, query, body, ctype = req
    query = {k: v for k, v in query.items() if k not in ("follow", "watch")}
    url = path.encode("utf-8").decode("latin-1")
    url = "".join(c if 32 < ord(c) < 127 else f"%{ord(c):02X}" for c in url)
    if query:
        url += "?" + urlencode(query)
    connection = http.client.HTTPConnection("127.0.0.1", port_of(sim), timeout=30)
    try:
        connection.putrequest(method, url, skip_accept_encoding=True)
        if ctype:
            connection.putheader("Content-Type", ctype)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    assert response.status != 500, data[:300]
    if response.status >= 400:
        status = json.loads(data)
        assert status["kind"] == "Status" and status["code"] == response.status
    if method == "DELETE":
        _seed(sim)


def test_the_server_still_answers_after_the_fuzzing(sim: Cluster) -> None:
    assert answers_version(sim)
    settle_threads(0)


def _raw(cluster: Cluster, data: bytes, half_close: bool = False) -> bytes:
    """Send raw bytes, read whatever comes back until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port_of(cluster)), timeout=5) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                received += piece
                if half_close is False and b"\r\n\r\n" in received:
                    head, rest = received.split(b"\r\n\r\n", 1)
                    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")]
                    if lengths and len(rest) >= lengths[0]:
                        break
        return received


def _status_line(received: bytes) -> int:
    return int(received.split(b" ", 2)[1])


def test_wrong_content_lengths(sim: Cluster) -> None:
    body = json.dumps(configmap("cl")).encode()
    post = f"POST {CORE}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    for length in ("abc", "-5", "1e3", ""):
        received = _raw(sim, (post + f"Content-Length: {length}\r\n\r\n").encode() + body)
        assert _status_line(received) == 400, received[:200]
    # Longer than what is sent: the server reads to the end of what the client sends, then answers.
    received = _raw(sim, (post + f"Content-Length: {len(body) + 50}\r\n\r\n").encode() + body, half_close=True)
    assert _status_line(received) == 400 and b'"kind":"Status"' in received
    # Shorter: the body is cut (unreadable JSON), and the rest is not taken for a request of its own.
    received = _raw(sim, (post + f"Content-Length: {len(body) - 5}\r\n\r\n").encode() + body)
    assert _status_line(received) == 400
    assert sim.store.peek("configmaps", NS, "cl") is None
    assert answers_version(sim)


def test_bodies_over_three_mebibytes_are_refused(sim: Cluster) -> None:
    big = b"{" + b" " * MAX_BODY + b"}"
    assert sim.api.handle(Request("POST", f"{CORE}/configmaps", {}, {}, big)).status == 413
    head = (f"POST {CORE}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(big)}\r\n\r\n").encode()
    received = _raw(sim, head)  # refused on the header alone, before a byte of the body
    assert _status_line(received) == 413
    status = json.loads(received.split(b"\r\n\r\n", 1)[1])
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 413, "RequestEntityTooLarge")
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server may hang up mid-send
        received = _raw(sim, head + big)
        if received:
            assert _status_line(received) == 413
    assert answers_version(sim)


def test_unknown_http_methods(sim: Cluster) -> None:
    handled = sim.api.handle(Request("BREW", f"{CORE}/configmaps", {}, {}, b""))
    assert handled.status == 405 and json.loads(handled.body)["reason"] == "MethodNotAllowed"
    received = _raw(sim, f"BREW {CORE}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
    assert _status_line(received) in (405, 501)
    received = _raw(sim, b"NOT A REQUEST LINE AT ALL\r\n\r\n")
    assert b"400" in received
    assert answers_version(sim)


# -- clients that go away -------------------------------------------------------------------------------


def _first_event(received: bytes) -> dict[str, Any]:
    body = received.split(b"\r\n\r\n", 1)[1]
    line = body.split(b"\r\n", 1)[1].split(b"\n", 1)[0]
    event: dict[str, Any] = json.loads(line)
    return event


@pytest.mark.parametrize("clock", ["sim", "busy"])
def test_a_watch_client_that_vanishes_frees_its_thread(clock: str, request: pytest.FixtureRequest) -> None:
    cluster: Cluster = request.getfixturevalue(clock)
    name = f"watched-{clock}"
    status, _ = request_json(cluster, "POST", f"{CORE}/configmaps", configmap(name))
    assert status == 201
    baseline = settle_threads(0)
    for _ in range(3):
        sock, received = open_stream(cluster, f"{CORE}/configmaps?watch=true&fieldSelector=metadata.name%3D{name}")
        assert received.startswith(b"HTTP/1.1 200") and _first_event(received)["type"] == "ADDED"
        slam(sock)
    assert answers_version(cluster)
    settle_threads(baseline)

    sock, received = open_stream(cluster, f"{CORE}/configmaps?watch=true&fieldSelector=metadata.name%3D{name}")
    try:
        assert _first_event(received)["object"]["metadata"]["name"] == name
        status, _ = request_json(cluster, "PATCH", f"{CORE}/configmaps/{name}", {"data": {"k": "v"}},
                                 content_type="application/merge-patch+json")
        assert status == 200
        more = b""
        deadline = time.monotonic() + 10
        while b"MODIFIED" not in more and time.monotonic() < deadline:
            more += sock.recv(65536)
        assert b'"type":"MODIFIED"' in more, "a later watch still sees changes"
    finally:
        sock.close()
    settle_threads(baseline)


def test_a_log_follower_that_vanishes_frees_its_thread(sim: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "chatty"},
           "spec": {"containers": [{"name": "c", "image": "busybox", "command": [
               "sh", "-c", "while true; do echo tick; sleep 1; done"]}]}}
    assert request_json(sim, "POST", f"{CORE}/pods", pod)[0] == 201
    sim.advance(5)
    baseline = settle_threads(0)
    for _ in range(3):
        sock, received = open_stream(sim, f"{CORE}/pods/chatty/log?follow=true")
        assert received.startswith(b"HTTP/1.1 200") and b"tick" in received
        slam(sock)
    assert answers_version(sim)
    settle_threads(baseline)
    sock, received = open_stream(sim, f"{CORE}/pods/chatty/log?follow=true")
    sock.close()
    assert b"tick" in received
    settle_threads(baseline)


# -- the real kubectl -----------------------------------------------------------------------------------


@pytest.mark.kube
@needs("kubectl")
def test_killed_kubectl_watch_and_log_follow_free_their_threads(busy: Cluster, tmp_path: Path) -> None:
    k = Kubectl(kubectl_binaries()[0], busy, tmp_path / "home")
    k.ok("run", "loud", "--image=busybox", "--", "sh", "-c", "while true; do echo tick; sleep 1; done")
    until(lambda: (busy.store.peek("pods", NS, "loud") or {}).get("status", {}).get("phase") == "Running",
          what="pod loud Running")
    baseline = settle_threads(0)
    for args in (["get", "pods", "--watch"], ["logs", "-f", "loud"]):
        process = subprocess.Popen([k.binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=k.env,
                                   cwd=k.home)
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            assert first, process.stderr.read() if process.stderr else ""
        finally:
            process.kill()
            process.wait(timeout=10)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        settle_threads(baseline)
    assert k.ok("get", "pods", "loud", "-o", "name").out.strip() == "pod/loud"
