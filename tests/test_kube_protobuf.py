"""Protobuf request bodies: real kubectl bodies decode to what ``--dry-run=client -o json`` prints.

The kubectl tests run a capture server that answers kubectl's POST with 201 and the decoded object,
then compare that object with kubectl's own client-side JSON of the same command. The two are Go's
encoding of one Go object, so they must be equal as they are: ``status: {}``, ``resources: {}`` and
``strategy: {}`` appear on both sides, and ``creationTimestamp`` is on neither (``omitzero`` in 1.37).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import kubectl_binary
from practice_cluster.errors import ApiError
from practice_cluster.protobuf import MAX_DEPTH, decode, message_name
from practice_cluster.schema.resources import RESOURCES

CAPTURED = Path(__file__).resolve().parent / "captured" / "kube"




KUBECTL = kubectl_binary()


def _discovery(path: str) -> dict[str, Any] | None:
    """Legacy discovery documents built from the served-resources table: enough for kubectl's REST mapper."""
    groups = sorted({r.group for r in RESOURCES.values() if r.group})
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
    if path == "/apis":
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}}
                for g in groups
            ],
        }  # fmt: skip
    group = "" if path == "/api/v1" else path.removeprefix("/apis/").removesuffix("/v1")
    if path not in ("/api/v1", f"/apis/{group}/v1") or (group and group not in groups):
        return None
    listed: list[dict[str, Any]] = []
    for r in RESOURCES.values():
        if r.group != group:
            continue
        listed.append({"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                       "verbs": list(r.verbs), "shortNames": list(r.short_names)})  # fmt: skip
        for sub in r.subresources:
            kind = "Scale" if sub == "scale" else r.kind
            listed.append({"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                           "kind": kind, "verbs": ["get", "patch", "update"]})  # fmt: skip
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/v1" if group else "v1",
            "resources": listed}  # fmt: skip


class _Capture(BaseHTTPRequestHandler):
    """Records every write and answers it with the decoded object; GETs read back what was created."""

    records: list[dict[str, Any]]
    objects: dict[str, dict[str, Any]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, code: int, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _write(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        path = self.path.split("?")[0]
        record: dict[str, Any] = {"method": self.command, "path": path, "content_type": content_type, "body": body}
        self.records.append(record)
        if self.command == "PATCH":
            stored = self.objects.get(path.removesuffix("/scale"))
            self._reply(200, stored or {})
            return
        try:
            protobuf = content_type.startswith("application/vnd.kubernetes.protobuf")
            obj: dict[str, Any] = decode(body) if protobuf else json.loads(body)
        except ApiError as err:
            self._reply(err.code, err.status())
            return
        record["decoded"] = obj
        name = obj.get("metadata", {}).get("name", "")
        self.objects[f"{path}/{name}" if self.command == "POST" else path] = obj
        self._reply(201, obj)

    do_POST = do_PUT = do_PATCH = _write

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        found = _discovery(path) or self.objects.get(path)
        if found is None:
            self._reply(404, ApiError(404, "the server could not find the requested resource").status())
        else:
            self._reply(200, found)


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[dict[str, Any]], Path]]:
    records: list[dict[str, Any]] = []
    handler = type("Handler", (_Capture,), {"records": records, "objects": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = tmp_path_factory.mktemp("kubectl")
    (home / "config").write_text("")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", records, home
    finally:
        server.shutdown()
        server.server_close()


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    env = {**os.environ, "KUBECONFIG": str(home / "config"), "HOME": str(home)}
    return subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=30, check=False)


def _tls_files(home: Path) -> tuple[Path, Path]:
    cert, key = home / "tls.crt", home / "tls.key"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=example.com",
             "-keyout", str(key), "-out", str(cert)],
            capture_output=True, check=True, timeout=30,
        )  # fmt: skip
    return cert, key


GENERATORS = {
    "deployment": ["create", "deployment", "web", "--image=nginx:1.25", "--replicas=3", "--port=80"],
    "deployment-zero": ["create", "deployment", "idle", "--image=nginx", "--replicas=0"],
    "secret-generic": ["create", "secret", "generic", "s", "--from-literal=a=b", "--from-literal=bin=\x01\xff"],
    "secret-tls": ["create", "secret", "tls", "t"],
    "secret-docker": ["create", "secret", "docker-registry", "reg", "--docker-server=r.example.com",
                      "--docker-username=u", "--docker-password=p"],
    "configmap": ["create", "configmap", "c", "--from-literal=k=v", "--from-literal=empty="],
    "service-clusterip": ["create", "service", "clusterip", "ci", "--tcp=80:8080", "--tcp=443:https"],
    "service-headless": ["create", "service", "clusterip", "hl", "--clusterip=None"],
    "service-nodeport": ["create", "service", "nodeport", "n", "--tcp=80:8080", "--node-port=30080"],
    "service-loadbalancer": ["create", "service", "loadbalancer", "lb", "--tcp=80:8080"],
    "service-externalname": ["create", "service", "externalname", "ext", "--external-name=db.example.com"],
    "job": ["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
    "cronjob": ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
    "namespace": ["create", "namespace", "ns"],
    "ingress": ["create", "ingress", "ing", "--rule=a.example.com/=svc:80,tls=cert", "--class=nginx",
                "--annotation=a=b", "--default-backend=def:http"],
    "serviceaccount": ["create", "serviceaccount", "sa"],
    "quota": ["create", "quota", "q", "--hard=cpu=1,memory=1Gi,pods=10"],
    "pdb": ["create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%"],
    "priorityclass": ["create", "priorityclass", "high", "--value=1000", "--description=important"],
    "role": ["create", "role", "r", "--verb=get,list", "--resource=pods,deployments.apps"],
    "rolebinding": ["create", "rolebinding", "rb", "--role=r", "--user=alice", "--serviceaccount=default:sa"],
    "clusterrole": ["create", "clusterrole", "cr", "--verb=get", "--non-resource-url=/healthz"],
    "run": ["run", "pod1", "--image=nginx", "--port=80", "--env=A=1", "--labels=tier=web", "--",
            "sleep", "3600"],
}  # fmt: skip
JSON_BODIES = {"run"}  # kubectl run builds an unstructured object and posts JSON


@pytest.mark.kube
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_real_kubectl_body_decodes_to_client_json(
    name: str, capture: tuple[str, list[dict[str, Any]], Path]
) -> None:
    server, records, home = capture
    args = list(GENERATORS[name])
    if name == "secret-tls":
        cert, key = _tls_files(home)
        args += [f"--cert={cert}", f"--key={key}"]
    split = args.index("--") if "--" in args else len(args)
    oracle = _run(home, "--server", server, *args[:split], "--dry-run=client", "-o", "json", *args[split:])
    assert oracle.returncode == 0, oracle.stderr
    expected = json.loads(oracle.stdout)
    before = len(records)
    done = _run(home, "--server", server, *args)
    assert done.returncode == 0, done.stderr
    posts = records[before:]
    assert [r["method"] for r in posts] == ["POST"]
    wanted = "application/json" if name in JSON_BODIES else "application/vnd.kubernetes.protobuf"
    assert posts[0]["content_type"] == wanted
    assert posts[0]["decoded"] == expected


@pytest.mark.kube
def test_job_from_cronjob_decodes(capture: tuple[str, list[dict[str, Any]], Path]) -> None:
    """``create job --from=cronjob/x`` reads the CronJob back and posts a Job with an owner reference."""
    server, records, home = capture
    made = _run(home, "--server", server, "create", "cronjob", "nightly", "--image=busybox", "--schedule=0 1 * * *")
    assert made.returncode == 0, made.stderr
    args = ["create", "job", "manual", "--from=cronjob/nightly"]
    oracle = _run(home, "--server", server, *args, "--dry-run=client", "-o", "json")
    assert oracle.returncode == 0, oracle.stderr
    before = len(records)
    done = _run(home, "--server", server, *args)
    assert done.returncode == 0, done.stderr
    (post,) = [r for r in records[before:] if r["method"] == "POST"]
    assert post["content_type"] == "application/vnd.kubernetes.protobuf"
    assert post["decoded"] == json.loads(oracle.stdout)
    owner = post["decoded"]["metadata"]["ownerReferences"][0]
    assert owner["controller"] is True and owner["kind"] == "CronJob"


def _captured(name: str) -> bytes:
    return (CAPTURED / f"{name}.pb").read_bytes()


def _expected(name: str) -> Any:
    return json.loads((CAPTURED / f"{name}.json").read_text())


@pytest.mark.parametrize("name", ["deployment", "secret-generic", "service-nodeport", "cronjob", "ingress"])
def test_captured_body_decodes(name: str) -> None:
    assert decode(_captured(name)) == _expected(name)


def test_secret_data_is_base64_and_zero_replicas_survive() -> None:
    secret = decode(_captured("secret-generic"))
    assert base64.b64decode(secret["data"]["a"]) == b"b"
    deployment = decode(_captured("deployment-zero"))
    assert deployment["spec"]["replicas"] == 0
    assert "minReadySeconds" not in deployment["spec"]  # a non-pointer zero with omitempty


def test_int_or_string_and_quantities() -> None:
    service = decode(_captured("service-nodeport"))
    assert service["spec"]["ports"][0]["targetPort"] == 8080
    assert service["spec"]["ports"][0]["nodePort"] == 30080


def test_message_names() -> None:
    assert message_name("apps/v1", "Deployment") == "k8s.io.api.apps.v1.Deployment"
    assert message_name("v1", "Pod") == "k8s.io.api.core.v1.Pod"
    assert message_name("rbac.authorization.k8s.io/v1", "Role") == "k8s.io.api.rbac.v1.Role"
    assert message_name("apps.example.com/v1", "Deployment") is None
    assert message_name("v1", "NoSuchKind") is None


def _ld(number: int, payload: bytes) -> bytes:
    length = len(payload)
    size = bytearray()
    while True:
        size.append((length & 0x7F) | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    return bytes([number << 3 | 2]) + bytes(size) + payload


def _envelope(api_version: bytes, kind: bytes, raw: bytes) -> bytes:
    return b"k8s\x00" + _ld(1, _ld(1, api_version) + _ld(2, kind)) + _ld(2, raw)


def test_special_types() -> None:
    # Event (core/v1): field 7 lastTimestamp is a Time, field 10 eventTime a MicroTime.
    meta = _ld(1, _ld(1, b"e"))
    seconds = b"\x08\xa5\xeb\xdc\xca\x06"  # 1767323045, 2026-01-02T03:04:05Z
    last = _ld(7, seconds)
    micro = _ld(10, seconds + b"\x10\xc0\x84\x3d")  # nanos 1000000
    event = decode(_envelope(b"v1", b"Event", meta + last + micro))
    assert event["lastTimestamp"] == "2026-01-02T03:04:05Z"
    assert event["eventTime"] == "2026-01-02T03:04:05.001000Z"
    zero = decode(_envelope(b"v1", b"Event", meta + _ld(7, b"")))
    assert zero["lastTimestamp"] is None  # a zero Time is null, as encoding/json writes it


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"", "does not appear to be a protobuf"),
        (b"{}", "does not appear to be a protobuf"),
        (b"k8s\x00", "Kind"),
        (_envelope(b"v1", b"Nope", b""), 'no kind "Nope"'),
        (_envelope(b"v1", b"Pod", b"\x0a\x05\x0a"), "unexpected EOF"),
        (_envelope(b"v1", b"Pod", b"\x0f"), "illegal wireType 7"),
        (_envelope(b"v1", b"Pod", b"\x08\x01"), "wrong wireType"),
        (_envelope(b"v1", b"Pod", b"\x0a\x0b" + b"\xff" * 11), "integer overflow"),
    ],
)
def test_malformed_bodies_are_bad_requests(body: bytes, fragment: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode(body)
    assert caught.value.code == 400
    assert fragment in caught.value.message


def test_nesting_is_capped() -> None:
    # JSONSchemaProps would nest forever; Pod -> spec -> ... cannot, so nest RawExtension bodies instead.
    inner = _envelope(b"v1", b"Namespace", b"")
    for _ in range(MAX_DEPTH + 2):
        inner = _envelope(b"apps/v1", b"ControllerRevision", _ld(2, _ld(1, inner)))
    with pytest.raises(ApiError) as caught:
        decode(inner)
    assert caught.value.code == 400


def _outcome(body: bytes) -> dict[str, Any] | None:
    try:
        result = decode(body)
    except ApiError as err:
        assert err.code == 400
        return None
    assert isinstance(result, dict)
    json.dumps(result)
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_random_bytes_only_give_a_dict_or_bad_request(data: bytes) -> None:
    _outcome(data)
    _outcome(b"k8s\x00" + data)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["deployment", "secret-generic", "service-nodeport", "cronjob", "ingress"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=0, max_value=10_000),
)
def test_mutated_captured_bodies_only_give_a_dict_or_bad_request(name: str, at: int, byte: int, cut: int) -> None:
    body = bytearray(_captured(name))
    body[at % len(body)] = byte
    _outcome(bytes(body))
    _outcome(bytes(body[: cut % len(body)]))


def test_durations_read_like_go() -> None:
    # metav1.Duration holds nanoseconds; JSON has Go's time.Duration.String().
    from practice_cluster.protobuf import _go_duration

    assert [_go_duration(n) for n in (0, 1500, 1_500_000_000, 3_600_000_000_000, 90_000_000_000, -2_000_000_000)] == [
        "0s", "1.5µs", "1.5s", "1h0m0s", "1m30s", "-2s",
    ]  # fmt: skip
