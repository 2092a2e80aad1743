"""The three patch types: directive by directive, against ``kubectl patch --local``, and under random input."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import kubectl_binary
from practice_cluster.errors import ApiError
from practice_cluster.patch.bodies import json_merge_patch, json_patch, strategic_merge_patch
from practice_cluster.patch.values import Unprocessable
from practice_cluster.schema.definitions import definition_name

POD = "io.k8s.api.core.v1.Pod"
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"


def pod_spec(*containers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"containers": list(containers), **extra}


def deployment(**template_spec: Any) -> dict[str, Any]:
    containers = template_spec.pop("containers", [{"name": "web", "image": "nginx:1.25"}])
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": pod_spec(*containers, **template_spec),
            },
        },
    }


def containers_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return result


def template_patch(**spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


# ------------------------------------------------------------------------------------- strategic merge


def test_containers_merge_by_name_and_the_original_is_untouched() -> None:
    live = deployment(containers=[{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}])
    before = copy.deepcopy(live)
    out = strategic_merge_patch(live, template_patch(containers=[{"name": "b", "image": "y:2"}]), DEPLOYMENT)
    assert [(c["name"], c["image"]) for c in containers_of(out)] == [("a", "x:1"), ("b", "y:2")]
    assert live == before


def test_new_container_goes_first_as_the_apiserver_puts_it() -> None:
    live = deployment()
    out = strategic_merge_patch(live, template_patch(containers=[{"name": "side", "image": "busybox"}]), DEPLOYMENT)
    assert [c["name"] for c in containers_of(out)] == ["side", "web"]


def test_null_deletes_a_key_and_labels_merge_by_key() -> None:
    out = strategic_merge_patch(deployment(), {"metadata": {"labels": {"tier": None, "env": "prod"}}}, DEPLOYMENT)
    assert out["metadata"]["labels"] == {"app": "web", "env": "prod"}


def test_nulls_inside_a_new_value_are_dropped() -> None:
    out = strategic_merge_patch(deployment(), {"metadata": {"annotations": {"a": None, "b": "x"}}}, DEPLOYMENT)
    assert out["metadata"]["annotations"] == {"b": "x"}


def test_list_without_merge_strategy_is_replaced() -> None:
    live = deployment(tolerations=[{"key": "a", "operator": "Exists"}])
    patch = template_patch(tolerations=[{"key": "b", "operator": "Exists"}])
    out = strategic_merge_patch(live, patch, DEPLOYMENT)
    assert out["spec"]["template"]["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}]


def test_primitive_list_with_merge_strategy_is_a_set_union() -> None:
    live = {"metadata": {"name": "p", "finalizers": ["a", "b"]}}
    out = strategic_merge_patch(live, {"metadata": {"finalizers": ["c", "a"]}}, POD)
    assert out["metadata"]["finalizers"] == ["c", "a", "b"]


def test_patch_delete_element_in_a_list() -> None:
    live = deployment(containers=[{"name": "web", "image": "i", "ports": [{"containerPort": 80},
                                                                         {"containerPort": 443}]}])
    patch = template_patch(containers=[{"name": "web", "ports": [{"containerPort": 443, "$patch": "delete"}]}])
    out = strategic_merge_patch(live, patch, DEPLOYMENT)
    assert containers_of(out)[0]["ports"] == [{"containerPort": 80}]


def test_patch_delete_element_needs_the_merge_key() -> None:
    patch = template_patch(containers=[{"$patch": "delete"}])
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), patch, DEPLOYMENT)
    assert info.value.code == 400
    assert info.value.message == "map: map[$patch:delete] does not contain declared merge key: name"


def test_patch_replace_element_replaces_the_list() -> None:
    live = deployment(containers=[{"name": "a", "image": "i"}, {"name": "b", "image": "i"}])
    patch = template_patch(containers=[{"$patch": "replace"}, {"name": "c", "image": "j"}])
    out = strategic_merge_patch(live, patch, DEPLOYMENT)
    assert containers_of(out) == [{"name": "c", "image": "j"}]


def test_patch_replace_in_a_map_replaces_the_map() -> None:
    patch = {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}}
    out = strategic_merge_patch(deployment(), patch, DEPLOYMENT)
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_patch_delete_in_a_map_empties_it() -> None:
    out = strategic_merge_patch(deployment(), {"metadata": {"labels": {"$patch": "delete"}}}, DEPLOYMENT)
    assert out["metadata"]["labels"] == {}


def test_patch_merge_and_unknown_directives_are_rejected_in_the_apiserver_wording() -> None:
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), {"metadata": {"labels": {"$patch": "merge"}}}, DEPLOYMENT)
    assert info.value.message == "unknown patch type: merge in map: map[$patch:merge]"
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), template_patch(containers=[{"name": "web", "$patch": "merge"}]),
                              DEPLOYMENT)
    assert info.value.message == "merging lists cannot yet be specified in the patch"


def test_retain_keys_clears_the_fields_not_listed() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    out = strategic_merge_patch(deployment(), patch, DEPLOYMENT)
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_must_name_every_field_the_patch_sets() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["rollingUpdate"], "type": "Recreate"}}}
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), patch, DEPLOYMENT)
    assert (info.value.code, info.value.message) == (400, "invalid patch format of retainKeys")


def test_set_element_order_reorders_a_merged_list() -> None:
    live = deployment(containers=[{"name": "a", "image": "i"}, {"name": "b", "image": "i"}])
    patch = template_patch(containers=[{"name": "b", "image": "j"}],
                           **{"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]})
    out = strategic_merge_patch(live, patch, DEPLOYMENT)
    assert [(c["name"], c["image"]) for c in containers_of(out)] == [("b", "j"), ("a", "i")]


def test_set_element_order_must_agree_with_the_patch_list() -> None:
    patch = {"metadata": {"$setElementOrder/finalizers": ["a", "b"], "finalizers": ["b", "a"]}}
    with pytest.raises(ApiError) as info:
        strategic_merge_patch({"metadata": {"finalizers": ["a"]}}, patch, POD)
    assert info.value.message.startswith("The order in patch list:\n[b a]\n")


def test_delete_from_primitive_list() -> None:
    live = {"metadata": {"finalizers": ["a", "b", "c"]}}
    out = strategic_merge_patch(live, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}, POD)
    assert out["metadata"]["finalizers"] == ["a", "c"]


def test_malformed_directive_keys_are_bad_requests() -> None:
    for patch, message in [
        ({"metadata": {"$deleteFromPrimitiveList": ["x"]}}, "invalid patch format of primitive list"),
        ({"metadata": {"$setElementOrder": ["x"]}}, "invalid patch format of setElementOrder list"),
        ({"spec": {"$retainKeys": "x"}}, "invalid patch format of retainKeys"),
    ]:
        with pytest.raises(ApiError) as info:
            strategic_merge_patch(deployment(), patch, DEPLOYMENT)
        assert (info.value.code, info.value.message) == (400, message)


def test_list_of_lists_is_unprocessable() -> None:
    with pytest.raises(ApiError) as info:
        strategic_merge_patch({"metadata": {"finalizers": []}}, {"metadata": {"finalizers": [["x"]]}}, POD)
    assert info.value.code == 422
    assert info.value.status()["details"] == {}  # the apiserver does not send the library's message
    assert cause(info.value) == "lists of lists are not supported"


def test_unknown_schema_parts_merge_like_a_merge_patch() -> None:
    live = {"spec": {"group": "x", "items": [1, 2], "nested": {"a": 1, "b": 2}}}
    patch = {"spec": {"items": [3], "nested": {"a": None, "c": 3}}}
    out = strategic_merge_patch(live, patch, "no.such.Definition")
    assert out == {"spec": {"group": "x", "items": [3], "nested": {"b": 2, "c": 3}}}


def test_strategic_patch_must_be_an_object() -> None:
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), ["x"], DEPLOYMENT)
    assert info.value.code == 400


# ------------------------------------------------------------------------------------------ merge patch


def test_merge_patch_replaces_lists_and_deletes_nulls() -> None:
    live = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert json_merge_patch(live, {"a": {"b": None}, "l": [3, None]}) == {"a": {"c": 2}, "l": [3, None]}
    assert live == {"a": {"b": 1, "c": 2}, "l": [1, 2]}


def test_merge_patch_must_be_an_object() -> None:
    for patch in (None, [1], 3):
        with pytest.raises(ApiError) as info:
            json_merge_patch({}, patch)
        assert (info.value.code, info.value.message) == (400, "Invalid JSON Patch")


# ------------------------------------------------------------------------------------------- JSON patch


def cause(err: ApiError) -> str:
    """The patch library's message of a generic 422 (kept on the error, not sent)."""
    assert isinstance(err, Unprocessable)
    return err.cause


def test_json_patch_operations() -> None:
    doc = {"a": {"b": [1, 2]}, "c~d": 1, "e/f": 2}
    ops = [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "add", "path": "/a/b/0", "value": 0},
        {"op": "remove", "path": "/a/b/1"},
        {"op": "replace", "path": "/c~0d", "value": 5},
        {"op": "move", "from": "/e~1f", "path": "/g"},
        {"op": "copy", "from": "/a", "path": "/h"},
        {"op": "test", "path": "/h/b", "value": [0, 2, 3]},
    ]
    assert json_patch(doc, ops) == {"a": {"b": [0, 2, 3]}, "c~d": 5, "g": 2, "h": {"b": [0, 2, 3]}}


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([{"op": "test", "path": "/a", "value": 2}], "testing value /a failed: test failed"),
        ([{"op": "remove", "path": "/x"}], "error in remove for path: '/x': Unable to remove nonexistent key: x: "
                                           "missing value"),
        ([{"op": "add", "path": "/x/y", "value": 1}], 'add operation does not apply: doc is missing path: "/x/y": '
                                                      "missing value"),
        ([{"op": "add", "path": "/l/5", "value": 1}], "error in add for path: '/l/5': Unable to access invalid "
                                                      "index: 5: invalid index referenced"),
        ([{"op": "replace", "path": "/l/7", "value": 1}], "replace operation does not apply: doc is missing key: "
                                                          "/l/7: missing value"),
        ([{"op": "bogus", "path": "/a"}], "Unexpected kind: bogus"),
        ([{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    ],
)
def test_json_patch_errors_are_422_in_the_library_wording(ops: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ApiError) as info:
        json_patch({"a": 1, "l": [1]}, ops)
    assert info.value.code == 422
    assert info.value.message == "the server rejected our request due to an error in our request"
    assert cause(info.value) == message


def test_json_patch_that_is_not_a_list_is_a_bad_request() -> None:
    with pytest.raises(ApiError) as info:
        json_patch({}, {"op": "add"})
    assert (info.value.code, info.value.message) == (
        400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch")


def test_json_patch_copies_cannot_grow_without_bound() -> None:
    ops = [{"op": "copy", "from": "/a", "path": "/a/-"} for _ in range(40)]
    with pytest.raises(ApiError) as info:
        json_patch({"a": ["x" * 100]}, ops)
    assert info.value.code == 422


# --------------------------------------------------------------------------------- the real kubectl




def obj(api_version: str, kind: str, spec: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", **metadata}}
    if spec is not None:
        body["spec"] = spec
    return body


def workload(kind: str, api_version: str = "apps/v1", **extra: Any) -> dict[str, Any]:
    template = {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec(
        {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}, {"containerPort": 443}],
         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
         "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cache", "mountPath": "/cache"}]},
        {"name": "log", "image": "busybox", "args": ["tail", "-f"]},
        volumes=[{"name": "data", "emptyDir": {}}, {"name": "cache", "configMap": {"name": "c"}}],
        tolerations=[{"key": "a", "operator": "Exists"}],
    )}
    return obj(api_version, kind, {"selector": {"matchLabels": {"app": "x"}}, "template": template, **extra},
               labels={"app": "x", "tier": "fe"}, finalizers=["a/one", "b/two"])


def tpl(**spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


DEPLOY = workload("Deployment", replicas=2, strategy={"type": "RollingUpdate",
                                                      "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
DAEMONSET = workload("DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}})
STATEFULSET = workload("StatefulSet", serviceName="x")
JOB = obj("batch/v1", "Job", {"template": workload("Deployment")["spec"]["template"]})
CRONJOB = obj("batch/v1", "CronJob", {"schedule": "* * * * *", "jobTemplate": {"spec": JOB["spec"]}})
POD_OBJ = obj("v1", "Pod", workload("Deployment")["spec"]["template"]["spec"], labels={"app": "x"})
SERVICE = obj("v1", "Service", {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80},
                                                                   {"name": "https", "port": 443}]})
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1", "b": "2"}}
INGRESS = obj("networking.k8s.io/v1", "Ingress", {"rules": [{"host": "a.example", "http": {"paths": [
    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}],
    "tls": [{"hosts": ["a.example"], "secretName": "t"}]})

ORACLE_CASES: list[tuple[str, dict[str, Any], str, Any]] = [
    ("set image", DEPLOY, "strategic", tpl(containers=[{"name": "web", "image": "nginx:1.27"}])),
    ("label", DEPLOY, "strategic", {"metadata": {"labels": {"env": "prod"}}}),
    ("label removal", DEPLOY, "strategic", {"metadata": {"labels": {"tier": None}}}),
    ("annotate", SERVICE, "strategic", {"metadata": {"annotations": {"note": "hi"}}}),
    ("rollout restart", DEPLOY, "strategic",
     {"spec": {"template": {"metadata": {"annotations": {
         "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"}}}}}),
    ("apply: remove a container port", DEPLOY, "strategic", tpl(**{
        "$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
        "containers": [{"name": "web", "$setElementOrder/ports": [{"containerPort": 80}],
                        "ports": [{"$patch": "delete", "containerPort": 443}]}]})),
    ("apply: change the env list", DEPLOY, "strategic", tpl(**{
        "$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
        "containers": [{"name": "web", "$setElementOrder/env": [{"name": "A"}, {"name": "C"}],
                        "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "B"}]}]})),
    ("apply: reorder containers", DEPLOY, "strategic", tpl(**{
        "$setElementOrder/containers": [{"name": "log"}, {"name": "web"}]})),
    ("apply: volumes with retainKeys", DEPLOY, "strategic", tpl(**{
        "$setElementOrder/volumes": [{"name": "data"}, {"name": "cache"}],
        "volumes": [{"$retainKeys": ["name", "secret"], "name": "cache", "secret": {"secretName": "s"}}]})),
    ("volumeMounts by mountPath", STATEFULSET, "strategic", tpl(containers=[{"name": "web", "volumeMounts": [
        {"mountPath": "/data", "readOnly": True}, {"mountPath": "/cache", "$patch": "delete"},
        {"name": "new", "mountPath": "/new"}]}])),
    ("tolerations are replaced", DAEMONSET, "strategic", tpl(tolerations=[{"key": "b", "operator": "Exists"}])),
    ("strategy retainKeys", DEPLOY, "strategic",
     {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    ("daemonset updateStrategy retainKeys", DAEMONSET, "strategic",
     {"spec": {"updateStrategy": {"$retainKeys": ["type"], "type": "OnDelete"}}}),
    ("finalizers union", DEPLOY, "strategic", {"metadata": {"finalizers": ["c/three", "a/one"]}}),
    ("deleteFromPrimitiveList", DEPLOY, "strategic", {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/one"]}}),
    ("finalizers setElementOrder", DEPLOY, "strategic", {"metadata": {
        "$setElementOrder/finalizers": ["c/three", "b/two"], "finalizers": ["c/three"],
        "$deleteFromPrimitiveList/finalizers": ["a/one"]}}),
    ("args are atomic", POD_OBJ, "strategic", {"spec": {"containers": [{"name": "log", "args": ["sleep"]}]}}),
    ("pod container delete", POD_OBJ, "strategic", {"spec": {"containers": [{"name": "log", "$patch": "delete"}]}}),
    ("pod list replace directive", POD_OBJ, "strategic",
     {"spec": {"volumes": [{"$patch": "replace"}, {"name": "only", "emptyDir": {}}]}}),
    ("service ports by port", SERVICE, "strategic",
     {"spec": {"ports": [{"port": 443, "targetPort": 8443}, {"port": 80, "$patch": "delete"}, {"port": 9000}]}}),
    ("configmap data", CONFIGMAP, "strategic", {"data": {"a": None, "c": "3"}}),
    ("job template", JOB, "strategic", {"spec": {"backoffLimit": 2, "template": {"spec": {"containers": [
        {"name": "web", "env": [{"name": "B", "value": "9"}, {"name": "Z", "value": "z"}]}]}}}}),
    ("cronjob nested template", CRONJOB, "strategic", {"spec": {"suspend": True, "jobTemplate": {"spec": {
        "template": {"spec": {"containers": [{"name": "log", "image": "busybox:2"}]}}}}}}),
    ("ingress rules are atomic", INGRESS, "strategic", {"spec": {"rules": [{"host": "b.example"}]}}),
    ("statefulset template replace", STATEFULSET, "strategic", {"spec": {"template": {
        "$patch": "replace", "metadata": {"labels": {"app": "x"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}}}}),
    ("new container keeps no nulls", DEPLOY, "strategic",
     tpl(containers=[{"name": "extra", "image": "busybox", "env": [{"name": "A", "value": None}]}])),
    ("unknown patch type", DEPLOY, "strategic", {"metadata": {"labels": {"$patch": "merge"}}}),
    ("missing merge key", DEPLOY, "strategic", tpl(containers=[{"image": "x"}])),
    ("scale", DEPLOY, "merge", {"spec": {"replicas": 5}}),
    ("merge patch replaces lists", DEPLOY, "merge", {"metadata": {"labels": {"tier": None}, "finalizers": ["z"]}}),
    ("rollout undo", DEPLOY, "json", [
        {"op": "replace", "path": "/spec/template", "value": {
            "metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "web", "image": "v1"}]}}},
        {"op": "replace", "path": "/metadata/annotations", "value": {"deployment.kubernetes.io/revision": "1"}}]),
    ("json patch test fails", DEPLOY, "json", [{"op": "test", "path": "/spec/replicas", "value": 3}]),
    ("json patch escaped pointer", CONFIGMAP, "json", [{"op": "add", "path": "/data/a~1b~0c", "value": "v"},
                                                       {"op": "move", "from": "/data/a", "path": "/data/z"}]),
]


def mine(obj_: dict[str, Any], kind: str, patch: Any) -> tuple[str, Any]:
    try:
        if kind == "strategic":
            group, _, version = obj_["apiVersion"].rpartition("/")
            name = definition_name(group, version, obj_["kind"])
            assert name is not None
            return "ok", strategic_merge_patch(obj_, patch, name)
        if kind == "merge":
            return "ok", json_merge_patch(obj_, patch)
        return "ok", json_patch(obj_, patch)
    except ApiError as err:
        if isinstance(err, Unprocessable):
            return "error", cause(err)
        return "error", err.message


def kubectl_patch(binary: str, workdir: Path, obj_: dict[str, Any], kind: str, patch: Any) -> tuple[str, Any]:
    source = workdir / "object.json"
    source.write_text(json.dumps(obj_))
    env = {**os.environ, "KUBECONFIG": str(workdir / "kubeconfig"), "HOME": str(workdir)}
    done = subprocess.run(
        [binary, "patch", "--local", "-f", str(source), "--type", kind, "-p", json.dumps(patch), "-o", "json"],
        capture_output=True, text=True, env=env, timeout=30, check=False,
    )
    if done.returncode:
        return "error", done.stderr.strip().removeprefix("error: ")
    return "ok", json.loads(done.stdout)


@pytest.mark.kube
def test_matches_kubectl_patch_local(tmp_path: Path) -> None:
    binary = kubectl_binary()
    assert binary is not None, "kubectl is not installed"
    kinds = {case[1]["kind"] for case in ORACLE_CASES}
    assert {"Deployment", "Pod", "Service", "ConfigMap", "DaemonSet", "StatefulSet", "Job", "CronJob",
            "Ingress"} <= kinds
    mismatches = []
    for title, obj_, kind, patch in ORACLE_CASES:
        expected = kubectl_patch(binary, tmp_path, obj_, kind, patch)
        if expected != mine(obj_, kind, patch):
            mismatches.append((title, expected, mine(obj_, kind, patch)))
    assert mismatches == []
    assert len(ORACLE_CASES) >= 25


# ----------------------------------------------------------------------------------------- random input

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["a", "b", "$patch", "delete", "replace", "merge", "name"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "a", "b", "containers", "ports", "spec", "metadata", "labels", "finalizers",
                         "template", "$patch", "$retainKeys", "$setElementOrder/containers",
                         "$setElementOrder/finalizers", "$deleteFromPrimitiveList/finalizers", "containerPort",
                         "strategy", "type", "volumes", "/", "~1", "-", "0"]),
        inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.sampled_from(["metadata", "spec", "a", "b"]), json_values, max_size=3)
pointers = st.lists(st.sampled_from(["spec", "a", "0", "1", "-", "~1", "~0", "x"]), max_size=3).map(
    lambda steps: "/" + "/".join(steps))
operations = st.lists(st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "x"]), "path": pointers},
    optional={"value": json_values, "from": pointers}) | json_values, max_size=4) | json_values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(original=json_objects, patch=json_values)
def test_random_strategic_and_merge_patches_raise_only_api_errors(original: dict[str, Any], patch: Any) -> None:
    appliers: list[Callable[[], dict[str, Any]]] = [
        lambda: strategic_merge_patch(original, patch, DEPLOYMENT),
        lambda: strategic_merge_patch(original, {"spec": {"template": {"spec": patch}}}, DEPLOYMENT),
        lambda: strategic_merge_patch(original, {"metadata": patch}, POD),
        lambda: json_merge_patch(original, patch),
    ]
    for apply in appliers:
        try:
            result = apply()
        except ApiError as err:
            assert err.code in (400, 422)
        else:
            assert isinstance(result, dict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(original=json_objects, ops=operations)
def test_random_json_patches_raise_only_api_errors(original: dict[str, Any], ops: Any) -> None:
    before = copy.deepcopy(original)
    try:
        result = json_patch(original, ops)
    except ApiError as err:
        assert err.code in (400, 422)
    else:
        assert isinstance(result, dict)
    assert original == before
