"""managedFields after Update operations, and server-side apply: merge, prune, conflicts, force."""

from __future__ import annotations

import copy
import http.server
import json
import subprocess
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import kubectl_binary
from practice_cluster.apply.apply import server_side_apply
from practice_cluster.apply.managed import LAST_APPLIED, fields_set, owned_paths, record_update
from practice_cluster.errors import ApiError
from practice_cluster.wire import manager_name

DEPLOY = "io.k8s.api.apps.v1.Deployment"
POD = "io.k8s.api.core.v1.Pod"
SERVICE = "io.k8s.api.core.v1.Service"
CONFIGMAP = "io.k8s.api.core.v1.ConfigMap"
T0, T1, T2, T3, T4 = (f"2024-05-01T10:0{i}:00Z" for i in range(5))


def deployment() -> dict[str, Any]:
    """What ``kubectl create deployment web --image=nginx`` stores once the apiserver has defaulted it."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                "spec": {
                    "containers": [{"name": "nginx", "image": "nginx", "resources": {},
                                    "terminationMessagePath": "/dev/termination-log",
                                    "terminationMessagePolicy": "File", "imagePullPolicy": "Always"}],
                    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                    "securityContext": {}, "schedulerName": "default-scheduler",
                },
            },
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
        },
        "status": {},
    }


CREATED_DEPLOYMENT = {
    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
    "f:spec": {
        "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
        "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
        "f:template": {
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:containers": {'k:{"name":"nginx"}': {
                    ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
                    "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
                "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {},
                "f:terminationGracePeriodSeconds": {},
            },
        },
    },
}


def stored(obj: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["managedFields"] = entries
    return out


def write(before: dict[str, Any] | None, after: dict[str, Any], manager: str, now: str, definition: str = DEPLOY,
          subresource: str = "") -> dict[str, Any]:
    version = "apps/v1" if definition == DEPLOY else "v1"
    return stored(after, record_update(before, after, manager, version, now, definition, subresource))


def summary(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(e["manager"], e["operation"], e.get("subresource", "")) for e in obj["metadata"]["managedFields"]]


# --- Update operations -------------------------------------------------------------------------


def test_create_records_every_field_with_the_apiservers_shape() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    [entry] = created["metadata"]["managedFields"]
    assert entry == {"manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1", "time": T0,
                     "fieldsType": "FieldsV1", "fieldsV1": CREATED_DEPLOYMENT}
    assert list(entry["fieldsV1"]["f:spec"]) == sorted(entry["fieldsV1"]["f:spec"])


def test_create_label_scale_edit_apply() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    labelled = copy.deepcopy(created)
    labelled["metadata"]["labels"]["tier"] = "web"
    labelled = write(created, labelled, "kubectl-label", T1)
    scaled = copy.deepcopy(labelled)
    scaled["spec"]["replicas"] = 3
    scaled = write(labelled, scaled, "kubectl-scale", T2, subresource="scale")
    edited = copy.deepcopy(scaled)
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    edited = write(scaled, edited, "kubectl-edit", T3)

    assert summary(edited) == [("kubectl-create", "Update", ""), ("kubectl-label", "Update", ""),
                               ("kubectl-scale", "Update", "scale"), ("kubectl-edit", "Update", "")]
    create, label, scale, edit = edited["metadata"]["managedFields"]
    assert label["fieldsV1"] == {"f:metadata": {"f:labels": {"f:tier": {}}}}
    assert scale["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert edit["fieldsV1"] == {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"nginx"}': {"f:image": {}}}}}}}
    assert "f:replicas" not in create["fieldsV1"]["f:spec"]
    assert "f:image" not in create["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"nginx"}']

    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    with pytest.raises(ApiError) as err:
        server_side_apply(edited, config, "kubectl", DEPLOY, False, "apps/v1", T4)
    assert err.value.code == 409
    assert err.value.message == ('Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource '
                                 '"scale" using apps/v1: .spec.replicas')
    applied = server_side_apply(edited, config, "kubectl", DEPLOY, True, "apps/v1", T4)
    assert applied["spec"]["replicas"] == 2
    # The image had the same value, so the applier shares it with kubectl-edit instead of taking it.
    assert summary(applied) == [("kubectl", "Apply", ""), ("kubectl-create", "Update", ""),
                                ("kubectl-label", "Update", ""), ("kubectl-edit", "Update", "")]
    assert applied["metadata"]["managedFields"][0] == {
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T4, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}}


def test_an_unchanged_write_keeps_the_entry_and_its_time() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    again = write(created, copy.deepcopy(created), "kubectl-edit", T1)
    assert again["metadata"]["managedFields"] == created["metadata"]["managedFields"]


def test_a_removed_field_leaves_its_owner() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    edited = copy.deepcopy(created)
    del edited["spec"]["strategy"]["rollingUpdate"]
    edited = write(created, edited, "kubectl-edit", T1)
    [entry] = edited["metadata"]["managedFields"]
    assert entry["manager"] == "kubectl-create"
    assert entry["fieldsV1"]["f:spec"]["f:strategy"] == {"f:type": {}}


def test_pod_from_kubectl_run() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"run": "web"}},
           "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80,
                                                                                 "protocol": "TCP"}],
                                    "env": [{"name": "A", "value": "1"}], "resources": {}}],
                    "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "enableServiceLinks": True},
           "status": {"phase": "Pending"}}
    [entry] = write(None, pod, "kubectl-run", T0, POD)["metadata"]["managedFields"]
    assert entry["apiVersion"] == "v1"
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:run": {}}},
        "f:spec": {
            "f:containers": {'k:{"name":"web"}': {
                ".": {},
                "f:env": {".": {}, 'k:{"name":"A"}': {".": {}, "f:name": {}, "f:value": {}}},
                "f:image": {}, "f:name": {},
                "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                    ".": {}, "f:containerPort": {}, "f:protocol": {}}},
                "f:resources": {}}},
            "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}}}


def test_service_ports_are_keyed_by_port_and_protocol_and_selector_is_atomic() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}},
           "spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}], "selector": {"app": "web"},
                    "type": "ClusterIP", "sessionAffinity": "None"}}
    [entry] = write(None, svc, "kubectl-expose", T0, SERVICE)["metadata"]["managedFields"]
    assert entry["fieldsV1"]["f:spec"] == {
        "f:ports": {".": {}, 'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}, "f:protocol": {},
                                                                 "f:targetPort": {}}},
        "f:selector": {}, "f:sessionAffinity": {}, "f:type": {}}


def test_status_writes_own_only_status() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    ready = copy.deepcopy(created)
    ready["status"] = {"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]}
    ready = write(created, ready, "kube-controller-manager", T1, subresource="status")
    entry = ready["metadata"]["managedFields"][1]
    assert (entry["manager"], entry["subresource"]) == ("kube-controller-manager", "status")
    assert entry["fieldsV1"] == {"f:status": {"f:conditions": {".": {}, 'k:{"type":"Available"}': {
        ".": {}, "f:status": {}, "f:type": {}}}, "f:replicas": {}}}


def test_reset_with_an_empty_entry_stops_tracking() -> None:
    created = write(None, deployment(), "kubectl-create", T0)
    cleared = copy.deepcopy(created)
    cleared["metadata"]["managedFields"] = [{}]
    assert record_update(created, cleared, "kubectl-patch", "apps/v1", T1, DEPLOY) == []
    cleared["metadata"].pop("managedFields")
    labelled = copy.deepcopy(cleared)
    labelled["metadata"]["labels"]["x"] = "y"
    assert record_update(cleared, labelled, "kubectl-label", "apps/v1", T2, DEPLOY) == []


def test_update_managers_are_capped_at_ten() -> None:
    cm: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    obj = write(None, cm, "m00", "2024-05-01T10:00:00Z", CONFIGMAP)
    for i in range(1, 12):
        after = copy.deepcopy(obj)
        after["data"][f"k{i}"] = "v"
        obj = write(obj, after, f"m{i:02d}", f"2024-05-01T10:{i:02d}:00Z", CONFIGMAP)
    managers = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(managers) == 10 and managers[0] == "ancient-changes"
    # m00 created the empty map, so the bucket owns it as well as the two oldest keys.
    assert obj["metadata"]["managedFields"][0]["fieldsV1"] == {"f:data": {".": {}, "f:k1": {}, "f:k2": {}}}


# --- fieldsV1 of objects -----------------------------------------------------------------------


def test_fields_set_of_the_docs_configmap() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "test-cm", "namespace": "default", "uid": "u", "resourceVersion": "1",
                       "creationTimestamp": "2024-01-01T00:00:00Z", "labels": {"test-label": "test"}},
          "data": {"key": "some value"}}
    assert fields_set(cm, CONFIGMAP) == {"f:data": {"f:key": {}}, "f:metadata": {"f:labels": {"f:test-label": {}}}}


def test_fields_set_keys_sets_and_atomic_lists() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["b/x", "a/y"]},
           "spec": {"containers": [{"name": "c", "image": "i", "args": ["-v"], "ports": [{"containerPort": 80}],
                                    "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}}
    assert fields_set(pod, POD) == {
        "f:metadata": {"f:finalizers": {'v:"a/y"': {}, 'v:"b/x"': {}}},
        "f:spec": {"f:containers": {'k:{"name":"c"}': {
            ".": {}, "f:args": {}, "f:image": {}, "f:name": {},
            "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}},
            "f:securityContext": {"f:capabilities": {"f:add": {}}}}}}}


def test_fields_set_of_a_deployment_configuration() -> None:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
           "status": {"replicas": 1}}
    assert fields_set(dep, DEPLOY) == {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {
            "f:containers": {'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}


# --- server-side apply -------------------------------------------------------------------------


def cm_config(data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "c", "namespace": "default"}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def apply(live: dict[str, Any] | None, config: dict[str, Any], manager: str = "kubectl", force: bool = False,
          now: str = T1) -> dict[str, Any]:
    return server_side_apply(live, config, manager, CONFIGMAP, force, "v1", now)


def test_apply_creates_then_removes_what_it_no_longer_applies() -> None:
    first = apply(None, cm_config({"a": "1", "b": "2"}, {"x": "1"}), now=T0)
    assert first["data"] == {"a": "1", "b": "2"}
    second = apply(first, cm_config({"a": "1"}), now=T1)
    assert second["data"] == {"a": "1"}
    assert "labels" not in second["metadata"]
    assert second["metadata"]["managedFields"] == [{
        "manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:a": {}}}}]


def test_a_field_shared_with_another_manager_survives_removal() -> None:
    first = apply(None, cm_config({"a": "1", "b": "2"}), now=T0)
    other = apply(first, cm_config({"b": "2"}), manager="helper", now=T1)
    assert owned_paths(other["metadata"]["managedFields"], "helper") == [("f:data", "f:b")]
    third = apply(other, cm_config({"a": "1"}), now=T2)
    assert third["data"] == {"a": "1", "b": "2"}
    assert owned_paths(third["metadata"]["managedFields"], "kubectl") == [("f:data", "f:a")]
    fourth = apply(third, cm_config({}), manager="helper", now=T3)
    assert fourth["data"] == {"a": "1"}


def test_apply_conflicts_with_an_updater_unless_forced() -> None:
    created = write(None, cm_config({"a": "1"}), "kubectl-create", T0, CONFIGMAP)
    with pytest.raises(ApiError) as err:
        apply(created, cm_config({"a": "2"}), manager="ops")
    status = err.value.status()
    assert (status["code"], status["reason"]) == (409, "Conflict")
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a'
    assert status["details"] == {"causes": [{"reason": "FieldManagerConflict",
                                             "message": 'conflict with "kubectl-create" using v1',
                                             "field": ".data.a"}]}
    forced = apply(created, cm_config({"a": "2"}), manager="ops", force=True)
    assert forced["data"] == {"a": "2"}
    # kubectl-create keeps the map it created; only the conflicting key moved to the applier.
    assert summary(forced) == [("ops", "Apply", ""), ("kubectl-create", "Update", "")]
    assert forced["metadata"]["managedFields"][1]["fieldsV1"] == {"f:data": {}}


def test_two_conflicting_managers_are_listed_in_order() -> None:
    obj = write(None, cm_config({"a": "1"}), "kubectl-create", T0, CONFIGMAP)
    after = copy.deepcopy(obj)
    after["data"]["b"] = "1"
    obj = write(obj, after, "kubectl-edit", T1, CONFIGMAP)
    with pytest.raises(ApiError) as err:
        apply(obj, cm_config({"a": "2", "b": "2"}), manager="ops")
    assert err.value.message == ('Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n'
                                 '- .data.a\nconflicts with "kubectl-edit" using v1:\n- .data.b')
    assert [c["field"] for c in err.value.status()["details"]["causes"]] == [".data.a", ".data.b"]


def test_an_update_takes_a_changed_field_from_the_applier() -> None:
    applied = apply(None, cm_config({"key": "v1"}, {"test-label": "t"}), now=T0)
    after = copy.deepcopy(applied)
    after["data"]["key"] = "new"
    updated = write(applied, after, "kube-controller-manager", T1, CONFIGMAP)
    assert summary(updated) == [("kubectl", "Apply", ""), ("kube-controller-manager", "Update", "")]
    assert updated["metadata"]["managedFields"][0]["fieldsV1"] == {"f:metadata": {"f:labels": {"f:test-label": {}}}}
    assert updated["metadata"]["managedFields"][1]["fieldsV1"] == {"f:data": {"f:key": {}}}


def test_associative_lists_merge_by_key_and_atomic_lists_are_replaced() -> None:
    live = write(None, deployment(), "kubectl-create", T0)
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"template": {"spec": {"containers": [
                  {"name": "sidecar", "image": "busybox", "args": ["sleep", "1d"]},
                  {"name": "nginx", "image": "nginx", "args": ["-g"]}]}}}}
    out = server_side_apply(live, config, "ops", DEPLOY, False, "apps/v1", T1)
    containers = out["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "nginx"]
    assert containers[1]["imagePullPolicy"] == "Always" and containers[1]["args"] == ["-g"]
    config["spec"]["template"]["spec"]["containers"][1]["args"] = ["-x"]
    again = server_side_apply(out, config, "ops", DEPLOY, False, "apps/v1", T2)
    assert again["spec"]["template"]["spec"]["containers"][1]["args"] == ["-x"]


def test_server_side_apply_takes_over_from_client_side_apply() -> None:
    last = json.dumps(cm_config({"a": "1"}))
    csa = cm_config({"a": "1"})
    csa["metadata"]["annotations"] = {LAST_APPLIED: last}
    live = write(None, csa, "kubectl-client-side-apply", T0, CONFIGMAP)
    out = apply(live, cm_config({"a": "2"}), now=T1)
    assert out["data"] == {"a": "2"}
    assert summary(out) == [("kubectl", "Apply", ""), ("kubectl-client-side-apply", "Update", "")]
    assert json.loads(out["metadata"]["annotations"][LAST_APPLIED]) == cm_config({"a": "2"})
    with pytest.raises(ApiError):
        apply(live, cm_config({"a": "2"}), manager="other")


def test_invalid_configurations_are_rejected_as_the_apiserver_does() -> None:
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"template": {"spec": {"containers": [{"image": "nginx"}]}}}}
    with pytest.raises(ApiError) as err:
        server_side_apply(None, bad, "kubectl", DEPLOY, False, "apps/v1", T0)
    assert err.value.code == 400
    assert err.value.message == (
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
        '.spec.template.spec.containers: element 0: associative list with keys has an element that omits key '
        'field "name" (and doesn\'t have default value)')
    dup = copy.deepcopy(bad)
    dup["spec"]["template"]["spec"]["containers"] = [{"name": "a"}, {"name": "a"}]
    with pytest.raises(ApiError, match=r'duplicate entries for key \[name="a"\]'):
        server_side_apply(None, dup, "kubectl", DEPLOY, False, "apps/v1", T0)
    with_managed = cm_config({})
    with_managed["metadata"]["managedFields"] = []
    with pytest.raises(ApiError, match=r"metadata\.managedFields must be nil"):
        apply(None, with_managed)


def test_manager_name_falls_back_to_the_user_agent() -> None:
    assert manager_name("kubectl-edit", "kubectl/v1.37.1") == "kubectl-edit"
    assert manager_name("", "kubectl/v1.37.1 (linux/amd64) kubernetes/f78e722") == "kubectl"


# --- properties --------------------------------------------------------------------------------

_KEYS = st.sampled_from(["spec", "containers", "name", "image", "ports", "containerPort", "protocol", "metadata",
                         "labels", "env", "value", "args", "finalizers", "selector", "data", "status", "x"])
_LEAVES = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3) | st.floats(allow_nan=False)
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
                       max_leaves=20)
_OBJECTS = st.dictionaries(_KEYS, _VALUES, max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=_OBJECTS, other=_OBJECTS, definition=st.sampled_from([POD, DEPLOY, SERVICE, CONFIGMAP]))
@example(obj={"metadata": {"labels": None, "name": "x"}}, other={}, definition=CONFIGMAP)  # once lost its name
def test_random_objects_never_crash_and_reapply_is_a_no_op(obj: dict[str, Any], other: dict[str, Any],
                                                          definition: str) -> None:
    assert isinstance(fields_set(obj, definition), dict)
    created = record_update(None, obj, "m", "v1", T0, definition)
    assert isinstance(record_update(stored_any(obj, created), other, "n", "v1", T1, definition), list)
    try:
        first = server_side_apply(None, obj, "kubectl", definition, False, "v1", T0)
    except ApiError as err:
        assert err.code == 400
        return
    assert server_side_apply(first, obj, "kubectl", definition, False, "v1", T1) == first
    try:
        assert isinstance(server_side_apply(first, other, "kubectl", definition, True, "v1", T2), dict)
    except ApiError as err:
        assert err.code == 400


def test_reapplying_a_config_with_an_empty_field_keeps_the_name() -> None:
    """`labels:` left empty in a YAML file is a null the applier owns: pruning it on the next apply must
    not take the object's name (and namespace) with it, as the real server keeps them."""
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d", "labels": None},
              "data": {"a": "1"}}
    first = server_side_apply(None, config, "kubectl", CONFIGMAP, False, "v1", T0)
    again = server_side_apply(first, config, "kubectl", CONFIGMAP, False, "v1", T1)
    assert again["metadata"]["name"] == "c" and again["metadata"]["namespace"] == "d"
    assert again == first


def stored_any(obj: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    if isinstance(out.get("metadata"), dict):
        out["metadata"]["managedFields"] = entries
    return out


# --- the real kubectl names its managers -------------------------------------------------------




@pytest.mark.kube
def test_kubectl_create_sends_its_field_manager() -> None:
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            seen.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(ApiError.bad_request("recorded").status()).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        subprocess.run([str(kubectl_binary()),
                        f"--server=http://127.0.0.1:{server.server_port}", "--request-timeout=5s",
                        "create", "configmap", "c", "--from-literal=a=1"], capture_output=True, timeout=30)
    finally:
        server.shutdown()
    assert len(seen) == 1 and seen[0].startswith("/api/v1/namespaces/default/configmaps?")
    assert "fieldManager=kubectl-create" in seen[0]
