"""OpenAPI v3 documents: their shape, and the real kubectl reading them for explain and field validation."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import kubectl_binary
from practice_cluster.rest import openapi
from practice_cluster.schema.resources import GROUPS, RESOURCES


def doc(path: str) -> dict[str, Any]:
    body = openapi.document(path)
    assert body is not None
    result: dict[str, Any] = json.loads(body)
    return result


def test_index_lists_every_served_group_version_with_a_content_hash() -> None:
    paths = json.loads(openapi.index())["paths"]
    assert set(paths) == {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/networking.k8s.io/v1",
                          "apis/discovery.k8s.io/v1", "apis/coordination.k8s.io/v1"}
    url = paths["api/v1"]["serverRelativeURL"]
    assert url == f"/openapi/v3/api/v1?hash={openapi.content_hash('api/v1')}"
    assert len(url.rpartition("=")[2]) == 128


def test_unknown_paths_and_query_strings() -> None:
    assert openapi.document("apis/nope/v1") is None
    assert openapi.document("apis/apps/v2") is None
    assert openapi.document("/openapi/v3/apis/apps/v1?hash=X") == openapi.document("apis/apps/v1")


def test_documents_are_cached() -> None:
    assert openapi.document("api/v1") is openapi.document("api/v1")
    assert openapi.index() is openapi.index()


def test_schemas_are_openapi_3_with_extensions_and_refs_resolvable() -> None:
    for path in json.loads(openapi.index())["paths"]:
        document = doc(path)
        schemas = document["components"]["schemas"]
        text = json.dumps(document)
        assert "#/$defs/" not in text
        assert '"null"' not in text
        for ref in {part.split('"')[0] for part in text.split('"$ref":"#/components/schemas/')[1:]}:
            assert ref in schemas, (path, ref)
    schemas = doc("apis/apps/v1")["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deployment["type"] == "object"
    assert deployment["x-kubernetes-group-version-kind"] == [{"group": "apps", "kind": "Deployment", "version": "v1"}]
    assert "required" not in deployment
    assert "enum" not in deployment["properties"]["apiVersion"]
    spec_ref = "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"
    assert deployment["properties"]["spec"]["allOf"] == [{"$ref": spec_ref}]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert "ObjectMeta" in "".join(schemas)
    int_or_string = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string["format"] == "int-or-string" and "type" not in int_or_string
    assert int_or_string["oneOf"] == [{"type": "integer"}, {"type": "string"}]


def test_paths_carry_field_validation_on_every_write() -> None:
    paths = doc("apis/apps/v1")["paths"]
    item = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    assert set(item) == {"get", "put", "patch", "delete", "parameters"}
    for verb in ("put", "patch"):
        assert "fieldValidation" in [p["name"] for p in item[verb]["parameters"]]
        assert item[verb]["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment",
                                                                 "version": "v1"}
    post = paths["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert "fieldValidation" in [p["name"] for p in post["parameters"]]
    scale = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"]
    assert scale["x-kubernetes-group-version-kind"]["kind"] == "Scale"
    assert "/apis/apps/v1/deployments" in paths
    core = doc("api/v1")["paths"]
    assert "/api/v1/namespaces/{name}" in core and "/api/v1/namespaces/{namespace}/pods/{name}/log" in core
    assert [p["name"] for p in core["/api/v1/namespaces/{name}"]["parameters"]] == ["name", "pretty"]
    for resource in RESOURCES.values():
        if resource.group == "":
            assert any(f"/{resource.plural}" in path for path in core), resource.plural


# ------------------------------------------------------------------------- the real kubectl reading it




def _discovery(path: str) -> dict[str, Any] | None:
    """Legacy discovery, just enough for kubectl to map resource names to kinds."""
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/apis":
        groups = [{"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                   "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}} for g in GROUPS if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    for gv in {r.group_version for r in RESOURCES.values()}:
        if path == ("/apis/" if "/" in gv else "/api/") + gv:
            listed = [{"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                       "verbs": list(r.verbs), "shortNames": list(r.short_names)}
                      for r in RESOURCES.values() if r.group_version == gv]
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": listed}
    return None


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Handler.requests.append(self.path)
        path = self.path.split("?")[0]
        if path == "/openapi/v3":
            body: bytes | None = openapi.index()
        elif path.startswith("/openapi/v3/"):
            body = openapi.document(path[len("/openapi/v3/"):])
        else:
            found = _discovery(path)
            body = None if found is None else json.dumps(found).encode()
        self.send_response(404 if body is None else 200)
        body = body or b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run(server: str, tmp: Path, *args: str) -> str:
    binary = kubectl_binary()
    assert binary is not None, "kubectl is not installed"
    env = {**os.environ, "HOME": str(tmp), "KUBECONFIG": os.devnull}
    done = subprocess.run([binary, "--server", server, *args], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.kube
def test_kubectl_explain_pod_spec(server: str, tmp_path: Path) -> None:
    out = run(server, tmp_path, "explain", "pods.spec")
    lines = out.splitlines()
    assert lines[:2] == ["KIND:       Pod", "VERSION:    v1"]
    assert "FIELD: spec <PodSpec>" in lines
    assert "DESCRIPTION:" in lines and "FIELDS:" in lines
    assert "  containers\t<[]Container> -required-" in lines
    assert "  restartPolicy\t<string>" in lines
    assert any(path.startswith("/openapi/v3/api/v1?hash=") for path in _Handler.requests)


@pytest.mark.kube
def test_kubectl_explain_deployment_strategy_recursive(server: str, tmp_path: Path) -> None:
    out = run(server, tmp_path, "explain", "deployment.spec.strategy", "--recursive")
    lines = out.rstrip("\n").splitlines()
    assert lines[:3] == ["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1"]
    assert "FIELD: strategy <DeploymentStrategy>" in lines
    assert lines[-5:] == ["  rollingUpdate\t<RollingUpdateDeployment>", "    maxSurge\t<IntOrString>",
                          "    maxUnavailable\t<IntOrString>", "  type\t<string>",
                          "  enum: Recreate, RollingUpdate"]  # as a real apiserver's documents have it
    top = run(server, tmp_path, "explain", "deployments").splitlines()
    assert "  spec\t<DeploymentSpec>" in top
    limits = run(server, tmp_path, "explain", "pod.spec.containers.resources").splitlines()
    assert "  limits\t<map[string]Quantity>" in limits
