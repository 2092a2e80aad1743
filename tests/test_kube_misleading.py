"""Behaviours where the practice cluster once answered unlike a real kube-apiserver and misled a student.

Each test drives the real kubectl (or, for a raw-API case, an HTTP request) against the practice
cluster; the expected texts and status codes are what a real v1.36 control plane answers to the same
commands: a server-side dry run of ``delete`` changes nothing, an unknown kind is "no matches for
kind", a patch with a value of the wrong type is a 422 on ``patch`` (and ``kubectl edit`` keeps a
copy), a pod's new image restarts its container, cron ORs the two day fields, and odd query strings,
paths and media types get the apiserver's answers.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import VENV_KUBECTL, needs
from kubectl_env import Kubectl, until
from practice_cluster import cron
from practice_cluster.cluster import Cluster, ScaledClock
from practice_cluster.controllers.batch import next_times, parse_schedule

_names = itertools.count()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    running = Cluster(ScaledClock(20.0)).start()
    yield running
    running.stop()


@pytest.fixture
def k(cluster: Cluster, tmp_path: Path) -> Kubectl:
    namespace = f"m{next(_names)}"
    Kubectl(str(VENV_KUBECTL), cluster, tmp_path / "admin").ok("create", "namespace", namespace)
    return Kubectl(str(VENV_KUBECTL), cluster, tmp_path / "home", namespace)


def raw(cluster: Cluster, method: str, path: str, body: bytes | str = b"",
        content_type: str | None = "application/json") -> tuple[int, Any]:
    """One HTTP request, the path sent as it is (no ``..`` folding); the status and the decoded JSON."""
    host, port = cluster.address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    data = body.encode() if isinstance(body, str) else body
    headers = {"Content-Length": str(len(data))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def configmap(name: str, **labels: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}})


def unsupported(options: str, field: str, shown: str, supported: str) -> dict[str, Any]:
    """The 422 Status of an options object with a value it does not support."""
    text = f"Unsupported value: {shown}: supported values: {supported}"
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f'{options}.meta.k8s.io "" is invalid: {field}: {text}', "reason": "Invalid",
            "details": {"group": "meta.k8s.io", "kind": options,
                        "causes": [{"reason": "FieldValueNotSupported", "message": text, "field": field}]},
            "code": 422}


# -- 1. delete --dry-run=server -------------------------------------------------------------------------


@pytest.mark.kube
@needs("kubectl")
def test_delete_with_server_dry_run_keeps_every_object(k: Kubectl) -> None:
    for name in ("one", "two"):
        k.ok("create", "configmap", name, "--from-literal=a=b")
    k.ok("label", "configmap", "one", "two", "grp=x")
    single = k.ok("delete", "configmap", "one", "--dry-run=server")
    assert single.lines == [f'configmap "one" deleted from {k.namespace} namespace (server dry run)']
    selected = k.ok("delete", "configmap", "-l", "grp=x", "--dry-run=server")
    assert selected.lines == [f'configmap "{n}" deleted from {k.namespace} namespace (server dry run)'
                              for n in ("one", "two")]
    k.ok("delete", "configmap", "--all", "--dry-run=server")
    assert k.obj("configmaps", "one") is not None and k.obj("configmaps", "two") is not None
    k.ok("delete", "configmap", "one")
    assert k.obj("configmaps", "one") is None


@pytest.mark.kube
def test_delete_options_come_from_the_body_and_are_checked(cluster: Cluster, k: Kubectl) -> None:
    base = f"/api/v1/namespaces/{k.namespace}/configmaps"
    for name in ("keep", "also"):
        assert raw(cluster, "POST", base, configmap(name))[0] == 201
    status, listed = raw(cluster, "DELETE", base, '{"dryRun": ["All"]}')  # deletecollection, dry run
    assert status == 200 and listed["kind"] == "ConfigMapList"
    assert {"keep", "also"} <= {item["metadata"]["name"] for item in listed["items"]}
    assert raw(cluster, "DELETE", f"{base}/keep", '{"dryRun": ["Maybe"]}') == (
        422, unsupported("DeleteOptions", "dryRun", '["Maybe"]', '"All"'))
    assert raw(cluster, "DELETE", f"{base}/keep", '{"dryRun": "All"}')[1]["message"] == (
        "json: cannot unmarshal string into Go struct field DeleteOptions.dryRun of type []string")
    # With a body the query string is not read (real: the object goes with ?dryRun=All and an empty body `{}`).
    assert raw(cluster, "DELETE", f"{base}/keep?dryRun=Maybe", '{"dryRun": ["All"]}')[0] == 200
    assert raw(cluster, "DELETE", f"{base}/keep?dryRun=Bogus", "", None)[0] == 422
    assert raw(cluster, "DELETE", base, '{"propagationPolicy": "Bogus"}')[1]["message"] == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": supported '
        'values: "Foreground", "Background", "Orphan", "nil"')
    assert k.obj("configmaps", "keep") is not None and k.obj("configmaps", "also") is not None
    assert raw(cluster, "DELETE", f"{base}/keep?dryRun=All", "{}", "application/json")[0] == 200
    assert k.obj("configmaps", "keep") is None


# -- 2. an unknown kind or version ------------------------------------------------------------------------


@pytest.mark.kube
@needs("kubectl")
@pytest.mark.parametrize(("api_version", "kind"), [("v1", "Deploymnt"), ("apps/v2", "Deployment"),
                                                   ("foo.example.com/v1", "Widget")])
def test_apply_of_an_unknown_kind_says_no_matches_for_kind(k: Kubectl, api_version: str, kind: str) -> None:
    manifest = k.home / "bad.yaml"
    manifest.write_text(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n")
    for verb in ("apply", "create"):
        result = k(verb, "-f", str(manifest))
        assert result.code == 1
        assert result.err.splitlines() == [
            f'error: resource mapping not found for name: "x" namespace: "" from "{manifest}": no matches for '
            f'kind "{kind}" in version "{api_version}"', "ensure CRDs are installed first"]


# -- 3. a patch with a value of the wrong type ------------------------------------------------------------


@pytest.mark.kube
@needs("kubectl")
def test_patch_type_errors_are_422_on_patch(k: Kubectl) -> None:
    k.ok("create", "deployment", "web", "--image=nginx")
    cases: list[tuple[list[str], str, str]] = [
        ([], '{"spec":{"replicas":"three"}}', '"map[spec:map[replicas:three]]": unrecognized type: int32'),
        ([], '{"spec":{"replicas":1.5}}', '"map[spec:map[replicas:1.5]]": cannot convert float64 to int32'),
        ([], '{"metadata":{"labels":{"a":1}}}', '"map[metadata:map[labels:map[a:1]]]": cannot convert int64 to '
                                                "string"),
        ([], '{"spec":{"paused":"yes"}}', '"map[spec:map[paused:yes]]": unrecognized type: bool'),
        ([], '{"spec":{"template":"x"}}', '"map[spec:map[template:x]]": cannot restore struct from: string'),
        ([], '{"metadata":{"labels":["x"]}}', '"map[metadata:map[labels:[x]]]": cannot restore map from slice'),
        ([], '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":80,'
             '"protocol":5}]}]}}}}',
         '"map[spec:map[template:map[spec:map[containers:[map[name:nginx ports:[map[containerPort:80 protocol:5]]]]'
         ']]]]": cannot convert int64 to v1.Protocol'),
        ([], '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":true}}}}',
         '"map[spec:map[strategy:map[rollingUpdate:map[maxSurge:true]]]]": json: cannot unmarshal bool into Go '
         "value of type int32"),
        ([], '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","resources":{"limits":{"cpu":"abc"}}}]}}}}',
         '"map[spec:map[template:map[spec:map[containers:[map[name:nginx resources:map[limits:map[cpu:abc]]]]]]]]": '
         "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ]
    for flags, patch, expected in cases:
        result = k("patch", "deployment", "web", *flags, "-p", patch)
        assert (result.code, result.err.strip()) == (1, f"The request is invalid: patch: Invalid value: {expected}")
    merge = k("patch", "deployment", "web", "--type=merge", "-p", '{"spec":{"replicas":"three"}}')
    assert merge.code == 1
    assert merge.err.startswith('The request is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"apps/v1\\",')
    assert merge.err.strip().endswith(": json: cannot unmarshal string into Go struct field DeploymentSpec.spec."
                                      "replicas of type int32")
    # A whole number written 2.0 converts in a strategic merge patch; the JSON decoder of a merge patch refuses it.
    k.ok("patch", "deployment", "web", "-p", '{"spec":{"replicas":2.0}}')
    deployment = k.obj("deployments", "web")
    assert deployment is not None and deployment["spec"]["replicas"] == 2
    whole = k("patch", "deployment", "web", "--type=merge", "-p", '{"spec":{"replicas":2.0}}')
    assert whole.err.strip().endswith("cannot unmarshal number 2.0 into Go struct field DeploymentSpec.spec.replicas"
                                      " of type int32")


@pytest.mark.kube
@needs("kubectl")
def test_edit_with_a_wrong_type_keeps_a_copy_and_cancels(k: Kubectl, tmp_path: Path) -> None:
    k.ok("create", "deployment", "web", "--image=nginx")
    seen = tmp_path / "seen"
    seen.mkdir()
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\n"
        f"seen = pathlib.Path({str(seen)!r})\n"
        "n = len(list(seen.iterdir()))\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text()\n"
        "(seen / str(n)).write_text(text)\n"
        "if n == 0:\n"
        "    path.write_text(text.replace('spec:\\n  progressDeadlineSeconds', 'spec:\\n  replicas: three\\n"
        "  progressDeadlineSeconds', 1).replace('  replicas: 1\\n  revisionHistoryLimit', "
        "'  revisionHistoryLimit', 1))\n")
    launcher = tmp_path / "editor.sh"
    launcher.write_text(f"#!/bin/sh\nexec {os.environ.get('PYTHON', 'python3')} {editor} \"$@\"\n")
    launcher.chmod(launcher.stat().st_mode | stat.S_IEXEC)
    result = k("edit", "deployment", "web", env={"EDITOR": str(launcher), "TMPDIR": str(tmp_path)})
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == 'error: deployments.apps "web" is invalid'
    assert lines[1].startswith('A copy of your changes has been stored to "') and lines[1].endswith('.yaml"')
    assert lines[2] == "error: Edit cancelled, no valid changes were saved."
    reopened = (seen / "1").read_text().splitlines()
    assert reopened[4:7] == ['# deployments.apps "web" was not valid:',
                             '# * patch: Invalid value: "map[spec:map[replicas:three]]": unrecognized type: int32',
                             "#"]
    deployment = k.obj("deployments", "web")
    assert deployment is not None and deployment["spec"]["replicas"] == 1


# -- 4. a pod's image changed -----------------------------------------------------------------------------


@pytest.mark.kube
@needs("kubectl")
def test_set_image_on_a_pod_restarts_its_container(k: Kubectl) -> None:
    k.ok("run", "simg", "--image=nginx:1.25")

    def container() -> dict[str, Any]:
        pod = k.obj("pods", "simg") or {}
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        return dict(statuses[0])

    until(lambda: "running" in container().get("state", {}), what="simg running")
    first = container()
    assert (first["image"], first["restartCount"]) == ("nginx:1.25", 0)
    assert k.ok("set", "image", "pod/simg", "simg=nginx:1.26").lines == ["pod/simg image updated"]
    after = until(lambda: container() if container().get("restartCount") == 1 else None, what="one restart")
    assert after["image"] == "nginx:1.26" and "running" in after["state"]
    assert after["lastState"]["terminated"]["exitCode"] == 0
    assert after["containerID"] != first["containerID"]
    table = k.ok("get", "pod", "simg").lines
    assert table[1].split()[1:4] == ["1/1", "Running", "1"]
    events = k.ok("get", "events", "--field-selector", "involvedObject.name=simg", "-o",
                  "jsonpath={range .items[*]}{.reason}: {.message}{'\\n'}{end}").lines
    assert "Killing: Container simg definition changed, will be restarted" in events


# -- 5. cron: day of month OR day of week -----------------------------------------------------------------


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _fired(spec: str, start: str, end: str) -> list[str]:
    schedule = parse_schedule(spec)
    assert schedule is not None
    return [datetime.fromtimestamp(t, UTC).strftime("%m-%d %a") for t in next_times(schedule, _at(start), _at(end))]


def test_cron_ors_day_of_month_and_day_of_week_when_both_are_restricted() -> None:
    # 2026-06-01 is a Monday: "0 0 1 * 1" fires on every 1st and on every Monday.
    assert _fired("0 0 1 * 1", "2026-05-28T00:00:00", "2026-07-07T00:00:00") == [
        "06-01 Mon", "06-08 Mon", "06-15 Mon", "06-22 Mon", "06-29 Mon", "07-01 Wed", "07-06 Mon"]
    assert _fired("0 0 13 * fri", "2026-02-01T00:00:00", "2026-03-01T00:00:00") == [
        "02-06 Fri", "02-13 Fri", "02-20 Fri", "02-27 Fri"]
    assert _fired("0 0 15 * 0", "2026-01-31T23:00:00", "2026-02-16T00:00:00") == [
        "02-01 Sun", "02-08 Sun", "02-15 Sun"]


def test_cron_ands_the_day_fields_when_one_is_a_star() -> None:
    assert _fired("0 0 1 * *", "2026-05-28T00:00:00", "2026-07-07T00:00:00") == ["06-01 Mon", "07-01 Wed"]
    assert _fired("0 0 * * 1", "2026-05-28T00:00:00", "2026-06-16T00:00:00") == ["06-01 Mon", "06-08 Mon",
                                                                                 "06-15 Mon"]
    # "*/1" is still a star; "*/2" (a step above 1) is a restriction, so the fields are ORed again.
    assert _fired("0 0 1 * */1", "2026-05-28T00:00:00", "2026-07-07T00:00:00") == ["06-01 Mon", "07-01 Wed"]
    assert _fired("0 0 2 * */3", "2026-06-01T00:00:00", "2026-06-08T00:00:00") == [
        "06-02 Tue", "06-03 Wed", "06-06 Sat", "06-07 Sun"]
    assert cron.schedule("@monthly").fires(datetime(2026, 6, 1)) and not cron.schedule("@monthly").fires(
        datetime(2026, 6, 8))
    assert cron.schedule("@weekly").fires(datetime(2026, 6, 7)) and not cron.schedule("@weekly").fires(
        datetime(2026, 6, 1))


# -- 6. the raw API's edges -------------------------------------------------------------------------------


@pytest.mark.kube
def test_dry_run_values_other_than_all_are_refused(cluster: Cluster, k: Kubectl) -> None:
    base = f"/api/v1/namespaces/{k.namespace}/configmaps"
    assert raw(cluster, "POST", f"{base}?dryRun=Maybe", configmap("dm")) == (
        422, unsupported("CreateOptions", "dryRun", '["Maybe"]', '"All"'))
    assert raw(cluster, "POST", f"{base}?dryRun=", configmap("dm"))[1]["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: [""]: supported values: "All"')
    assert k.obj("configmaps", "dm") is None
    assert raw(cluster, "POST", f"{base}?dryRun=All", configmap("dm"))[0] == 201
    assert k.obj("configmaps", "dm") is None
    assert raw(cluster, "POST", base, configmap("dm"))[0] == 201
    patched = raw(cluster, "PATCH", f"{base}/dm?dryRun=Maybe", "{}", "application/merge-patch+json")
    assert patched == (422, unsupported("PatchOptions", "dryRun", '["Maybe"]', '"All"'))
    assert raw(cluster, "PUT", f"{base}/dm?dryRun=Maybe", configmap("dm"))[1]["details"]["kind"] == "UpdateOptions"
    assert raw(cluster, "GET", f"{base}/dm?dryRun=Maybe")[0] == 200


@pytest.mark.kube
def test_list_parameters_that_do_not_parse_are_400(cluster: Cluster, k: Kubectl) -> None:
    base = f"/api/v1/namespaces/{k.namespace}/configmaps"
    for query, text in (("limit=abc", "abc"), ("limit=1.5", "1.5"), ("limit=", ""), ("timeoutSeconds=x", "x")):
        status, body = raw(cluster, "GET", f"{base}?{query}")
        assert (status, body["reason"], body["message"]) == (
            400, "BadRequest", f'strconv.ParseInt: parsing "{text}": invalid syntax'), query
    assert raw(cluster, "GET", f"{base}?resourceVersion=abc")[1]["message"] == (
        'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": '
        "invalid syntax")
    assert raw(cluster, "GET", f"{base}?limit=0")[0] == 200
    assert raw(cluster, "GET", f"{base}?limit=-1")[0] == 200


@pytest.mark.kube
def test_dot_paths_and_empty_segments_name_nothing(cluster: Cluster, k: Kubectl) -> None:
    assert raw(cluster, "POST", f"/api/v1/namespaces/{k.namespace}/configmaps", configmap("dr1"))[0] == 201
    assert raw(cluster, "GET", "/api/v1/namespaces/../configmaps") == (500, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'invalid key: "/configmaps/.."', "code": 500})
    assert raw(cluster, "GET", "/api/v1/namespaces/./configmaps/x")[1]["message"] == 'invalid key: "/configmaps/./x"'
    assert raw(cluster, "GET", "/apis/apps/v1/namespaces/%2E%2E/deployments")[1]["message"] == (
        'invalid key: "/deployments/.."')
    created = raw(cluster, "POST", "/api/v1/namespaces/../configmaps", configmap("x"))
    assert created == (500, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "Internal error occurred: invalid resource name \"..\": [may not be '..']",
                             "reason": "InternalError",
                             "details": {"causes": [{"message": "invalid resource name \"..\": [may not be '..']"}]},
                             "code": 500})
    for path, problem in ((f"/api/v1/namespaces/{k.namespace}/configmaps/..", '"..": may not be \'..\''),
                          (f"/api/v1/namespaces/{k.namespace}/configmaps/.", '".": may not be \'.\''),
                          (f"/api/v1/namespaces/{k.namespace}/configmaps/a%25b", '"a%b": may not contain \'%\''),
                          ("/api/v1/namespaces/..", '"..": may not be \'..\'')):
        assert raw(cluster, "GET", path)[1] == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                "status": "Failure", "message": f"Name parameter invalid: {problem}",
                                                "reason": "BadRequest", "code": 400}, path
    for path in (f"/api/v1/namespaces/{k.namespace}//configmaps", f"/api/v1//namespaces/{k.namespace}/configmaps",
                 "/api/v1/namespaces/de%2Ffault/configmaps"):
        assert raw(cluster, "GET", path)[1]["message"] == "the server could not find the requested resource", path
    assert raw(cluster, "GET", f"/api/v1/namespaces/{k.namespace}/configmaps/dr%31")[1]["metadata"]["name"] == "dr1"
    assert raw(cluster, "GET", f"/api/v1/namespaces/{k.namespace}/configmaps/")[1]["kind"] == "ConfigMapList"


@pytest.mark.kube
def test_body_media_types_are_those_of_the_apiserver(cluster: Cluster, k: Kubectl) -> None:
    base = f"/api/v1/namespaces/{k.namespace}/configmaps"
    refused = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "the body of the request was in an unknown format - accepted media types include: "
                          "application/json, application/yaml, application/vnd.kubernetes.protobuf",
               "reason": "UnsupportedMediaType", "code": 415}
    assert raw(cluster, "POST", base, configmap("plain"), "text/plain") == (415, refused)
    assert raw(cluster, "POST", base, configmap("form"), "application/x-www-form-urlencoded") == (415, refused)
    assert k.obj("configmaps", "plain") is None
    status, created = raw(cluster, "POST", base, '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": '
                                                 '{"name": "yml"}, "data": {"a": "1"}}', "application/yaml")
    assert status == 201 and created["data"] == {"a": "1"}
    assert raw(cluster, "POST", base, configmap("untyped"), None)[0] == 201
    assert raw(cluster, "PUT", f"{base}/yml", configmap("yml"), "text/plain") == (415, refused)
    assert raw(cluster, "PATCH", f"{base}/yml", "{}", "text/plain")[1] == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "415: Unsupported Media Type", "reason": "UnsupportedMediaType", "code": 415}
    assert raw(cluster, "PATCH", f"{base}/yml", "{}", "application/json")[0] == 415
    # YAML turns a whole float into an integer, as the apiserver's conversion does; JSON keeps 2.0 and fails.
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "f"},
                  "spec": {"replicas": 2.0, "selector": {"matchLabels": {"a": "b"}},
                           "template": {"metadata": {"labels": {"a": "b"}},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    status, answer = raw(cluster, "POST", f"/apis/apps/v1/namespaces/{k.namespace}/deployments?dryRun=All",
                         json.dumps(deployment), "application/yaml")
    assert (status, answer["spec"]["replicas"]) == (201, 2)


@pytest.mark.kube
def test_json_refuses_a_whole_float_for_an_integer(cluster: Cluster, k: Kubectl) -> None:
    body = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "f"},
                       "spec": {"replicas": 2.0, "selector": {"matchLabels": {"a": "b"}},
                                "template": {"metadata": {"labels": {"a": "b"}},
                                             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    status, answer = raw(cluster, "POST", f"/apis/apps/v1/namespaces/{k.namespace}/deployments?dryRun=All", body)
    assert (status, answer["message"]) == (400, 'Deployment in version "v1" cannot be handled as a Deployment: json: '
                                                "cannot unmarshal number 2.0 into Go struct field DeploymentSpec.spec."
                                                "replicas of type int32")


@pytest.mark.parametrize(("resources", "want"), [
    ([{}], "BestEffort"),
    ([{"requests": {"cpu": "100m"}, "limits": {"cpu": "200m", "memory": "64Mi"}}], "Burstable"),
    ([{"limits": {"cpu": "200m", "memory": "64Mi"}}], "Guaranteed"),  # requests default to the limits
    ([{"requests": {"cpu": "200m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}}, {}],
     "Burstable"),  # one container without limits
])
def test_a_pods_qos_class_follows_its_resources(resources: list[dict[str, Any]], want: str) -> None:
    from practice_cluster.registry.defaults import qos_class

    spec = {"containers": [{"name": f"c{n}", "image": "nginx", "resources": r} for n, r in enumerate(resources)]}
    assert qos_class(spec) == want
