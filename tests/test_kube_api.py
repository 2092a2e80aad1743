"""API semantics of the practice cluster without kubectl: requests straight into ``Api.handle``.

Watches (bookmarks, initial events, 410 Expired, selections), optimistic concurrency, generation and
observedGeneration, dry runs, the status/scale/log subresources, deletion propagation, selectors, events
and the controllers' timing (rolling updates, StatefulSet ordering, CronJobs, Jobs) on a simulated clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from practice_cluster.cluster import Cluster
from practice_cluster.rest import watch as watch_module
from practice_cluster.storage import store as store_module
from practice_cluster.wire import Request, Response

NS = "default"
CORE = f"/api/v1/namespaces/{NS}"
APPS = f"/apis/apps/v1/namespaces/{NS}"
BATCH = f"/apis/batch/v1/namespaces/{NS}"


# -- helpers --------------------------------------------------------------------------------------------


def send(cluster: Cluster, method: str, path: str, body: Any = None, *, query: dict[str, str] | None = None,
         content_type: str = "application/json") -> Response:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type, "user-agent": "test-api/1.0"}
    return cluster.api.handle(Request(method, path, query or {}, headers, raw))


def call(cluster: Cluster, method: str, path: str, body: Any = None, *, query: dict[str, str] | None = None,
         content_type: str = "application/json", expect: int | None = None) -> Any:
    """The decoded JSON answer; asserts the status when ``expect`` is given (a Status has a matching code)."""
    response = send(cluster, method, path, body, query=query, content_type=content_type)
    assert response.stream is None, "use watch() for streams"
    value = json.loads(response.body)
    if expect is not None:
        assert response.status == expect, (response.status, value)
    if response.status >= 400:
        assert value["kind"] == "Status" and value["code"] == response.status, value
    return value


def ok(cluster: Cluster, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    response = send(cluster, method, path, body, **kwargs)
    value = json.loads(response.body)
    assert response.status < 300, (response.status, value)
    return value


def watch(cluster: Cluster, path: str, **query: str) -> Iterator[dict[str, Any]]:
    """The events of a watch as dicts; ``b""`` keep-alive pieces are skipped."""
    response = send(cluster, "GET", path, query={"watch": "true", **query})
    assert response.status == 200 and response.stream is not None, response.body
    for piece in response.stream:
        for line in piece.splitlines():
            if line.strip():
                yield json.loads(line)


def snapshot(cluster: Cluster, path: str, **query: str) -> list[dict[str, Any]]:
    """Every event a watch delivers at once: ``timeoutSeconds=0`` ends it after the log is read."""
    return list(watch(cluster, path, timeoutSeconds="0", **query))


def take(events: Iterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [next(events) for _ in range(count)]


def configmap(name: str, labels: dict[str, str] | None = None, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}},
            "data": data}


def container(image: str = "nginx:1.25", *command: str, name: str = "app") -> dict[str, Any]:
    made: dict[str, Any] = {"name": name, "image": image}
    if command:
        made["command"] = list(command)
    return made


def pod(name: str, *command: str, image: str = "busybox", restart: str = "Always",
        labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"restartPolicy": restart, "containers": [container(image, *command)]}}


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.25", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container(image)]}},
                     **spec}}


def statefulset(name: str, replicas: int, policy: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
                     "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container()]}}}}


def cronjob(name: str, script: str, policy: str = "Allow", **spec: Any) -> dict[str, Any]:
    job_spec = {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
        container("busybox", "sh", "-c", script)]}}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": policy, "jobTemplate": {"spec": job_spec},
                     **spec}}


def advance_until(cluster: Cluster, predicate: Callable[[], Any], limit: float = 120.0, step: float = 0.5,
                  what: str = "condition") -> Any:
    """Move the simulated clock until ``predicate`` holds; fail after ``limit`` simulated seconds."""
    waited = 0.0
    cluster.settle()
    while True:
        value = predicate()
        if value:
            return value
        if waited >= limit:
            raise AssertionError(f"{what} not reached after {limit} simulated seconds")
        cluster.advance(step)
        waited += step


def pods_of(cluster: Cluster, prefix: str) -> list[dict[str, Any]]:
    return [p for p in cluster.objects("pods", NS) if p["metadata"]["name"].startswith(prefix + "-")]


def is_ready(obj: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in obj.get("status", {}).get("conditions") or [])


def deleting(obj: dict[str, Any]) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.simulated()


# -- watches --------------------------------------------------------------------------------------------


def test_watch_from_a_version_sends_changes_then_bookmarks(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "BOOKMARK_EVERY", 0.0)
    start = ok(cluster, "GET", f"{CORE}/configmaps")["metadata"]["resourceVersion"]
    ok(cluster, "POST", f"{CORE}/configmaps", configmap("one", a="1"))
    ok(cluster, "PATCH", f"{CORE}/configmaps/one", {"data": {"a": "2"}},
       content_type="application/merge-patch+json")
    events = watch(cluster, f"{CORE}/configmaps", resourceVersion=start, allowWatchBookmarks="true")
    added, modified, bookmark = take(events, 3)
    assert (added["type"], added["object"]["metadata"]["name"]) == ("ADDED", "one")
    assert (modified["type"], modified["object"]["data"]) == ("MODIFIED", {"a": "2"})
    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["kind"] == "ConfigMap"
    assert bookmark["object"]["metadata"]["resourceVersion"] == str(cluster.store.resource_version)
    assert "annotations" not in bookmark["object"]["metadata"]

    quiet = snapshot(cluster, f"{CORE}/configmaps", resourceVersion=start)
    assert [e["type"] for e in quiet] == ["ADDED", "MODIFIED"], "no bookmarks unless asked for"


def test_watch_send_initial_events_ends_with_the_initial_events_end_bookmark(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        ok(cluster, "POST", f"{CORE}/configmaps", configmap(name, {"set": "x"}))
    events = watch(cluster, f"{CORE}/configmaps", sendInitialEvents="true", resourceVersionMatch="NotOlderThan",
                   allowWatchBookmarks="true", labelSelector="set=x")
    first = take(events, 4)
    assert [e["type"] for e in first] == ["ADDED", "ADDED", "ADDED", "BOOKMARK"]
    assert [e["object"]["metadata"]["name"] for e in first[:3]] == ["a", "b", "c"]
    end = first[3]["object"]["metadata"]
    assert end["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(end["resourceVersion"]) >= max(int(e["object"]["metadata"]["resourceVersion"]) for e in first[:3])
    ok(cluster, "POST", f"{CORE}/configmaps", configmap("d", {"set": "x"}))
    later = next(events)
    assert (later["type"], later["object"]["metadata"]["name"]) == ("ADDED", "d")

    wrong = send(cluster, "GET", f"{CORE}/configmaps", query={"watch": "true", "sendInitialEvents": "true"})
    assert wrong.status == 422 and b"resourceVersionMatch" in wrong.body


def test_watch_from_a_version_older_than_the_log_is_an_expired_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "WATCH_LOG_SIZE", 30)
    cluster = Cluster.simulated()
    first = ok(cluster, "POST", f"{CORE}/configmaps", configmap("first"))["metadata"]["resourceVersion"]
    for n in range(40):
        ok(cluster, "POST", f"{CORE}/configmaps", configmap(f"cm{n}"))
    events = snapshot(cluster, f"{CORE}/configmaps", resourceVersion=first)
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith(f"too old resource version: {first} (")

    recent = str(cluster.store.resource_version - 5)
    assert [e["type"] for e in snapshot(cluster, f"{CORE}/configmaps", resourceVersion=recent)] == ["ADDED"] * 5


def test_label_selector_watch_sends_deleted_when_an_object_leaves_the_selection(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{CORE}/configmaps", configmap("in", {"tier": "web"}))
    events = watch(cluster, f"{CORE}/configmaps", labelSelector="tier=web")
    assert next(events)["type"] == "ADDED"
    ok(cluster, "PATCH", f"{CORE}/configmaps/in", {"metadata": {"labels": {"tier": "db"}}},
       content_type="application/merge-patch+json")
    left = next(events)
    assert (left["type"], left["object"]["metadata"]["labels"]) == ("DELETED", {"tier": "db"})
    ok(cluster, "PATCH", f"{CORE}/configmaps/in", {"metadata": {"labels": {"tier": "web"}}},
       content_type="application/merge-patch+json")
    back = next(events)
    assert (back["type"], back["object"]["metadata"]["labels"]) == ("ADDED", {"tier": "web"})
    ok(cluster, "DELETE", f"{CORE}/configmaps/in")
    assert next(events)["type"] == "DELETED"


def test_watch_rejects_unreadable_parameters(cluster: Cluster) -> None:
    for query, text in (({"timeoutSeconds": "abc"}, "timeoutSeconds"),
                        ({"resourceVersion": "x1"}, "resourceVersion"),
                        ({"labelSelector": "a in (b"}, "unable to parse"),
                        ({"fieldSelector": "x"}, "invalid selector")):
        response = send(cluster, "GET", f"{CORE}/configmaps", query={"watch": "true", **query})
        body = json.loads(response.body)
        assert response.status == 400 and body["kind"] == "Status" and text in body["message"], (query, body)


# -- optimistic concurrency, generations, dry runs ------------------------------------------------------


def test_put_with_a_stale_resource_version_is_a_conflict(cluster: Cluster) -> None:
    created = ok(cluster, "POST", f"{CORE}/configmaps", configmap("cm", n="0"))
    stale = json.loads(json.dumps(created))
    created["data"]["n"] = "1"
    ok(cluster, "PUT", f"{CORE}/configmaps/cm", created)
    stale["data"]["n"] = "2"
    conflict = call(cluster, "PUT", f"{CORE}/configmaps/cm", stale, expect=409)
    assert conflict["reason"] == "Conflict"
    assert conflict["details"] == {"name": "cm", "group": "", "kind": "configmaps"}
    assert "the object has been modified" in conflict["message"]
    assert cluster.store.get("configmaps", NS, "cm")["data"] == {"n": "1"}
    stale_patch = {"metadata": {"resourceVersion": stale["metadata"]["resourceVersion"]}, "data": {"n": "3"}}
    call(cluster, "PATCH", f"{CORE}/configmaps/cm", stale_patch, content_type="application/merge-patch+json",
         expect=409)


def test_generation_moves_with_the_spec_and_observed_generation_follows(cluster: Cluster) -> None:
    created = ok(cluster, "POST", f"{APPS}/deployments", deployment("gen"))
    assert created["metadata"]["generation"] == 1
    cluster.settle()
    current = ok(cluster, "GET", f"{APPS}/deployments/gen")
    assert current["status"]["observedGeneration"] == 1
    current["metadata"]["labels"]["extra"] = "yes"
    relabelled = ok(cluster, "PUT", f"{APPS}/deployments/gen", current)
    assert relabelled["metadata"]["generation"] == 1
    assert int(relabelled["metadata"]["resourceVersion"]) > int(current["metadata"]["resourceVersion"])
    scaled = ok(cluster, "PATCH", f"{APPS}/deployments/gen", {"spec": {"replicas": 3}},
                content_type="application/strategic-merge-patch+json")
    assert scaled["metadata"]["generation"] == 2
    assert scaled["status"]["observedGeneration"] == 1, "no controller has seen it yet"
    cluster.advance(1)
    assert ok(cluster, "GET", f"{APPS}/deployments/gen")["status"]["observedGeneration"] == 2
    status_only = ok(cluster, "GET", f"{APPS}/deployments/gen")
    status_only["status"]["observedGeneration"] = 1
    written = ok(cluster, "PUT", f"{APPS}/deployments/gen/status", status_only)
    assert written["metadata"]["generation"] == 2 and written["status"]["observedGeneration"] == 1


def test_dry_run_all_stores_nothing(cluster: Cluster) -> None:
    before = cluster.store.resource_version
    dry = {"dryRun": "All"}
    created = ok(cluster, "POST", f"{CORE}/configmaps", configmap("dry", a="1"), query=dry)
    assert created["metadata"]["name"] == "dry" and created["metadata"]["uid"]
    assert cluster.store.peek("configmaps", NS, "dry") is None
    ok(cluster, "POST", f"{APPS}/deployments", deployment("dry"), query=dry)
    assert cluster.store.peek("deployments", NS, "dry") is None
    assert cluster.store.resource_version == before

    real = ok(cluster, "POST", f"{CORE}/configmaps", configmap("real", a="1"))
    version = cluster.store.resource_version
    real["data"]["a"] = "2"
    assert ok(cluster, "PUT", f"{CORE}/configmaps/real", real, query=dry)["data"] == {"a": "2"}
    patched = ok(cluster, "PATCH", f"{CORE}/configmaps/real", {"data": {"b": "3"}}, query=dry,
                 content_type="application/merge-patch+json")
    assert patched["data"] == {"a": "1", "b": "3"}
    ok(cluster, "DELETE", f"{CORE}/configmaps/real", query=dry)
    assert cluster.store.resource_version == version
    assert cluster.store.get("configmaps", NS, "real")["data"] == {"a": "1"}


# -- subresources ---------------------------------------------------------------------------------------


def test_status_subresource_writes_status_only(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{APPS}/deployments", deployment("st", replicas=1))
    current = ok(cluster, "GET", f"{APPS}/deployments/st")
    current["spec"]["replicas"] = 7
    current["status"] = {"replicas": 42}
    written = ok(cluster, "PUT", f"{APPS}/deployments/st/status", current)
    assert written["status"] == {"replicas": 42} and written["spec"]["replicas"] == 1
    written["status"] = {"replicas": 0}
    written["spec"]["replicas"] = 2
    main = ok(cluster, "PUT", f"{APPS}/deployments/st", written)
    assert main["status"] == {"replicas": 42} and main["spec"]["replicas"] == 2
    patched = ok(cluster, "PATCH", f"{APPS}/deployments/st/status", {"status": {"readyReplicas": 5}},
                 content_type="application/merge-patch+json")
    assert patched["status"] == {"replicas": 42, "readyReplicas": 5}


def test_scale_subresource_reads_and_writes_replicas(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{APPS}/deployments", deployment("sc", replicas=2))
    cluster.advance(3)
    scale = ok(cluster, "GET", f"{APPS}/deployments/sc/scale")
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 2, "selector": "app=sc"}
    stale = json.loads(json.dumps(scale))
    scale["spec"]["replicas"] = 4
    assert ok(cluster, "PUT", f"{APPS}/deployments/sc/scale", scale)["spec"]["replicas"] == 4
    assert cluster.store.get("deployments", NS, "sc")["spec"]["replicas"] == 4
    stale["spec"]["replicas"] = 9
    call(cluster, "PUT", f"{APPS}/deployments/sc/scale", stale, expect=409)
    patched = ok(cluster, "PATCH", f"{APPS}/deployments/sc/scale", {"spec": {"replicas": 1}},
                 content_type="application/merge-patch+json")
    assert patched["kind"] == "Scale" and patched["spec"]["replicas"] == 1
    call(cluster, "PATCH", f"{APPS}/deployments/sc/scale", {"spec": {"replicas": -1}},
         content_type="application/merge-patch+json", expect=422)
    cluster.advance(5)
    assert len([p for p in pods_of(cluster, "sc") if not deleting(p)]) == 1
    call(cluster, "GET", f"{APPS}/daemonsets/none/scale", expect=404)


def test_pod_log_tail_lines_and_previous(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{CORE}/pods", pod("talk", "sh", "-c", "echo a; echo b; echo c; echo d; sleep 5; exit 1"))
    log = f"{CORE}/pods/talk/log"

    def text(**query: str) -> tuple[int, str]:
        response = send(cluster, "GET", log, query=query)
        return response.status, response.body.decode()

    assert text()[0] == 400, "waiting to start"
    advance_until(cluster, lambda: text()[0] == 200, what="the container to start")
    assert text() == (200, "a\nb\nc\nd\n")
    assert text(tailLines="2") == (200, "c\nd\n")
    assert text(tailLines="0") == (200, "")
    assert text(tailLines="10") == (200, "a\nb\nc\nd\n")
    assert text(tailLines="x")[0] == 400
    status, message = text(previous="true")
    assert status == 400
    assert json.loads(message)["message"] == 'previous terminated container "app" in pod "talk" not found'

    def restarted_and_running() -> bool:
        statuses = cluster.store.get("pods", NS, "talk")["status"]["containerStatuses"]
        return statuses[0]["restartCount"] == 1 and "running" in statuses[0]["state"]

    advance_until(cluster, restarted_and_running, what="the first restart")
    cluster.logs.write(NS, "talk", "app", 1, "second run")
    assert text(previous="true") == (200, "a\nb\nc\nd\n")
    assert text(tailLines="1") == (200, "second run\n")
    assert text(container="nope")[0] == 400


# -- deletion -------------------------------------------------------------------------------------------


def _rollout(cluster: Cluster, name: str, replicas: int = 2) -> tuple[dict[str, Any], dict[str, Any]]:
    ok(cluster, "POST", f"{APPS}/deployments", deployment(name, replicas=replicas))
    advance_until(cluster, lambda: len([p for p in pods_of(cluster, name) if is_ready(p)]) == replicas,
                  what=f"{name} ready")
    deploy = cluster.store.get("deployments", NS, name)
    (rs,) = [r for r in cluster.objects("replicasets", NS) if r["metadata"]["name"].startswith(name + "-")]
    return deploy, rs


def test_background_deletion_removes_dependents_after_the_owner(cluster: Cluster) -> None:
    _rollout(cluster, "bg")
    ok(cluster, "DELETE", f"{APPS}/deployments/bg", query={"propagationPolicy": "Background"})
    assert cluster.store.peek("deployments", NS, "bg") is None
    assert pods_of(cluster, "bg"), "dependents go later, not with the owner"
    advance_until(cluster, lambda: not pods_of(cluster, "bg") and not [
        r for r in cluster.objects("replicasets", NS) if r["metadata"]["name"].startswith("bg-")],
        limit=30, what="dependents gone")


def test_foreground_deletion_keeps_the_owner_until_dependents_are_gone(cluster: Cluster) -> None:
    _deploy, rs = _rollout(cluster, "fg")
    owner = ok(cluster, "DELETE", f"{APPS}/deployments/fg", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                                "propagationPolicy": "Foreground"})
    assert owner["metadata"]["finalizers"] == ["foregroundDeletion"] and owner["metadata"]["deletionTimestamp"]
    saw_waiting_owner = False
    for _ in range(60):
        cluster.advance(0.5)
        stored = cluster.store.peek("deployments", NS, "fg")
        dependents = pods_of(cluster, "fg") + [r for r in cluster.objects("replicasets", NS)
                                               if r["metadata"]["uid"] == rs["metadata"]["uid"]]
        if stored is None:
            assert not dependents, "the owner went before its dependents"
            break
        assert stored["metadata"]["deletionTimestamp"] and "foregroundDeletion" in stored["metadata"]["finalizers"]
        saw_waiting_owner = saw_waiting_owner or bool(dependents)
    else:
        raise AssertionError("the foreground deletion never finished")
    assert saw_waiting_owner


def test_orphan_deletion_keeps_dependents_and_drops_their_owner_references(cluster: Cluster) -> None:
    _deploy, rs = _rollout(cluster, "or")
    ok(cluster, "DELETE", f"{APPS}/deployments/or", query={"propagationPolicy": "Orphan"})
    cluster.advance(5)
    assert cluster.store.peek("deployments", NS, "or") is None
    kept = cluster.store.get("replicasets", NS, rs["metadata"]["name"])
    assert kept["metadata"]["uid"] == rs["metadata"]["uid"]
    assert "ownerReferences" not in kept["metadata"]
    assert len(pods_of(cluster, "or")) == 2 and all(not deleting(p) for p in pods_of(cluster, "or"))
    call(cluster, "DELETE", f"{APPS}/replicasets/{rs['metadata']['name']}", query={"propagationPolicy": "Sideways"},
         expect=422)


# -- selectors ------------------------------------------------------------------------------------------


def test_label_selectors_in_notin_and_does_not_exist(cluster: Cluster) -> None:
    for name, labels in (("prod", {"env": "prod"}), ("dev", {"env": "dev"}), ("qa", {"env": "qa"}),
                         ("bare", {"other": "x"})):
        ok(cluster, "POST", f"{CORE}/configmaps", configmap(name, labels))

    def names(selector: str) -> list[str]:
        items = ok(cluster, "GET", f"{CORE}/configmaps", query={"labelSelector": selector})["items"]
        return sorted(i["metadata"]["name"] for i in items if i["metadata"]["name"] != "kube-root-ca.crt")

    assert names("env in (prod,dev)") == ["dev", "prod"]
    assert names("env notin (prod,dev)") == ["bare", "qa"]
    assert names("!env") == ["bare"]
    assert names("env,env!=qa") == ["dev", "prod"]
    assert names("env in (prod),!other") == ["prod"]
    assert call(cluster, "GET", f"{CORE}/configmaps", query={"labelSelector": "(("}, expect=400)["reason"] == \
        "BadRequest"


def test_field_selectors_on_pods(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{CORE}/pods", pod("runs", "sleep", "100"))
    ok(cluster, "POST", f"{CORE}/pods", pod("stuck", image="nginx") | {"spec": {
        "nodeSelector": {"disk": "ssd"}, "containers": [container()]}})
    advance_until(cluster, lambda: cluster.store.get("pods", NS, "runs")["status"]["phase"] == "Running")

    def names(selector: str) -> list[str]:
        return [i["metadata"]["name"] for i in ok(cluster, "GET", f"{CORE}/pods",
                                                  query={"fieldSelector": selector})["items"]]

    assert names("status.phase=Running") == ["runs"]
    assert names("status.phase!=Running") == ["stuck"]
    assert names("status.phase=Pending,metadata.name=stuck") == ["stuck"]
    assert names("spec.nodeName=") == ["stuck"]
    bad = call(cluster, "GET", f"{CORE}/pods", query={"fieldSelector": "spec.containers=x"}, expect=400)
    assert bad["message"] == "field label not supported: spec.containers"
    bad = call(cluster, "GET", f"{CORE}/configmaps", query={"fieldSelector": "status.phase=Running"}, expect=400)
    assert "field label not supported" in bad["message"]


# -- events ---------------------------------------------------------------------------------------------


def test_events_are_recorded_with_increasing_names(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{APPS}/deployments", deployment("ev", replicas=2))
    advance_until(cluster, lambda: len([p for p in pods_of(cluster, "ev") if is_ready(p)]) == 2)
    ok(cluster, "PATCH", f"{APPS}/deployments/ev", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.26"}]}}}}, content_type="application/strategic-merge-patch+json")
    advance_until(cluster, lambda: all(p["spec"]["containers"][0]["image"] == "nginx:1.26" and is_ready(p)
                                       for p in pods_of(cluster, "ev")) and len(pods_of(cluster, "ev")) == 2,
                  what="the rollout")
    events = ok(cluster, "GET", f"{CORE}/events")["items"]
    events.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    scaling = [e for e in events if e["reason"] == "ScalingReplicaSet"]
    assert len(scaling) >= 3
    assert all(e["involvedObject"]["kind"] == "Deployment" and e["involvedObject"]["name"] == "ev" for e in scaling)
    assert scaling[0]["message"].startswith("Scaled up replica set ev-") and scaling[0]["message"].endswith("to 2")
    assert scaling[0]["source"] == {"component": "deployment-controller"}
    scheduled = [e for e in events if e["reason"] == "Scheduled"]
    assert len(scheduled) == 4 and all(e["source"]["component"] == "default-scheduler" for e in scheduled)
    assert all(e["message"].startswith("Successfully assigned default/ev-") for e in scheduled)
    suffixes = [int(e["metadata"]["name"].rsplit(".", 1)[1], 16) for e in events]
    assert suffixes == sorted(suffixes) and len(set(suffixes)) == len(suffixes)
    assert len({e["metadata"]["name"] for e in events}) == len(events)
    by_field = ok(cluster, "GET", f"{CORE}/events", query={"fieldSelector": "reason=Scheduled"})["items"]
    assert len(by_field) == 4


# -- controllers on the simulated clock -----------------------------------------------------------------


def test_rolling_update_stays_within_surge_and_unavailability(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{APPS}/deployments", deployment(
        "roll", replicas=10, strategy={"type": "RollingUpdate",
                                       "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}))
    advance_until(cluster, lambda: len([p for p in pods_of(cluster, "roll") if is_ready(p)]) == 10)
    ok(cluster, "PATCH", f"{APPS}/deployments/roll", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.26"}]}}}}, content_type="application/strategic-merge-patch+json")
    most, fewest = 0, 10
    for _ in range(240):
        cluster.advance(0.5)
        live = [p for p in pods_of(cluster, "roll") if not deleting(p)]
        available = [p for p in live if is_ready(p)]
        most, fewest = max(most, len(live)), min(fewest, len(available))
        assert len(live) <= 13, f"{len(live)} pods: more than replicas + maxSurge"
        assert len(available) >= 8, f"{len(available)} available: fewer than replicas - maxUnavailable"
        updated = [p for p in available if p["spec"]["containers"][0]["image"] == "nginx:1.26"]
        if len(updated) == 10 and len(live) == 10:
            break
    else:
        raise AssertionError("the rollout did not finish in 120 simulated seconds")
    assert most == 13 and fewest == 8, "the rollout used its whole surge and unavailability budget"


@pytest.mark.parametrize(("replicas", "old", "new"), [(10, 8, 5), (6, 5, 3), (14, 11, 7)])
def test_a_rollout_to_a_broken_image_stops_at_the_notes_numbers(cluster: Cluster, replicas: int, old: int,
                                                                 new: int) -> None:
    """10 replicas at 25%/25% to an image that never starts: 13 pods at most, 8 old ones left running
    (2 terminated) and 5 new ones creating, as the course notes and Kubernetes' rolling.go say."""
    ok(cluster, "POST", f"{APPS}/deployments", deployment(
        "stuck", replicas=replicas, strategy={"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}))
    advance_until(cluster, lambda: len([p for p in pods_of(cluster, "stuck") if is_ready(p)]) == replicas)
    ok(cluster, "PATCH", f"{APPS}/deployments/stuck", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.26-typo"}]}}}}, content_type="application/strategic-merge-patch+json")
    for _ in range(40):
        cluster.advance(0.5)
    sets = {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs["spec"]["replicas"]
            for rs in cluster.objects("replicasets", NS) if rs["metadata"]["name"].startswith("stuck-")}
    assert sets == {"nginx:1.25": old, "nginx:1.26-typo": new}
    live = [p for p in pods_of(cluster, "stuck") if not deleting(p)]
    assert len(live) == old + new and len([p for p in live if is_ready(p)]) == old


@pytest.mark.parametrize("policy", ["OrderedReady", "Parallel"])
def test_statefulset_creation_order(cluster: Cluster, policy: str) -> None:
    ok(cluster, "POST", f"{APPS}/statefulsets", statefulset("db", 3, policy))
    cluster.settle()
    names = sorted(p["metadata"]["name"] for p in pods_of(cluster, "db"))
    if policy == "Parallel":
        assert names == ["db-0", "db-1", "db-2"]
    else:
        assert names == ["db-0"]
    for _ in range(60):
        present = {p["metadata"]["name"]: p for p in pods_of(cluster, "db")}
        if policy == "OrderedReady":
            assert set(present) == {f"db-{i}" for i in range(len(present))}, sorted(present)
            below = [present[f"db-{i}"] for i in range(len(present) - 1)]
            assert all(is_ready(p) for p in below), "a pod was created before the one below it was ready"
        if len([p for p in present.values() if is_ready(p)]) == 3:
            break
        cluster.advance(0.5)
    else:
        raise AssertionError("the StatefulSet never became ready")
    created = sorted(pods_of(cluster, "db"), key=lambda p: p["metadata"]["creationTimestamp"])
    assert [p["metadata"]["name"] for p in created] == ["db-0", "db-1", "db-2"]
    times = [p["metadata"]["creationTimestamp"] for p in created]
    if policy == "OrderedReady":
        assert times[0] < times[1] < times[2], "each pod waits for the previous one"
    else:
        assert len(set(times)) == 1, "all at once"


def _jobs(cluster: Cluster, cronjob_name: str) -> list[dict[str, Any]]:
    return sorted((j for j in cluster.objects("jobs", NS) if j["metadata"]["name"].startswith(cronjob_name + "-")),
                  key=lambda j: j["metadata"]["name"])


def _finished(job: dict[str, Any]) -> str | None:
    for c in job.get("status", {}).get("conditions") or []:
        if c["type"] in ("Complete", "Failed") and c["status"] == "True":
            return str(c["type"])
    return None


def test_cronjob_forbid_skips_runs_while_one_is_active(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{BATCH}/cronjobs", cronjob("forbid", "sleep 150", "Forbid"))
    advance_until(cluster, lambda: _jobs(cluster, "forbid"), limit=61, step=1, what="the first job")
    (first,) = _jobs(cluster, "forbid")
    cluster.advance(120, step=2)
    assert [j["metadata"]["name"] for j in _jobs(cluster, "forbid")] == [first["metadata"]["name"]]
    reasons = [e["reason"] for e in cluster.objects("events", NS) if e["involvedObject"]["name"] == "forbid"]
    assert "JobAlreadyActive" in reasons
    advance_until(cluster, lambda: len(_jobs(cluster, "forbid")) == 2, limit=120, step=2,
                  what="a run after the first finished")
    assert _finished(cluster.store.get("jobs", NS, first["metadata"]["name"])) == "Complete"


def test_cronjob_replace_deletes_the_running_job(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{BATCH}/cronjobs", cronjob("repl", "sleep 150", "Replace"))
    advance_until(cluster, lambda: _jobs(cluster, "repl"), limit=61, step=1, what="the first job")
    (first,) = _jobs(cluster, "repl")
    first_uid = first["metadata"]["uid"]
    advance_until(cluster, lambda: [j for j in _jobs(cluster, "repl") if j["metadata"]["uid"] != first_uid],
                  limit=61, step=1, what="the replacement")
    advance_until(cluster, lambda: cluster.store.peek("jobs", NS, first["metadata"]["name"]) is None, limit=30,
                  what="the replaced job gone")
    (second,) = _jobs(cluster, "repl")
    assert not _finished(second)
    messages = [e["message"] for e in cluster.objects("events", NS) if e["involvedObject"]["name"] == "repl"]
    assert f"Deleted job {first['metadata']['name']}" in messages
    cronjob_now = cluster.store.get("cronjobs", NS, "repl")
    assert [a["name"] for a in cronjob_now["status"]["active"]] == [second["metadata"]["name"]]


def test_cronjob_history_limits(cluster: Cluster) -> None:
    ok(cluster, "POST", f"{BATCH}/cronjobs", cronjob("good", "echo ok", successfulJobsHistoryLimit=2))
    ok(cluster, "POST", f"{BATCH}/cronjobs", cronjob("bad", "exit 1", failedJobsHistoryLimit=1))
    cluster.advance(5 * 60 + 30, step=2)
    good = _jobs(cluster, "good")
    bad = _jobs(cluster, "bad")
    assert [_finished(j) for j in good] == ["Complete", "Complete"]
    assert [_finished(j) for j in bad] == ["Failed"]
    assert good[-1]["metadata"]["name"] > good[0]["metadata"]["name"], "the newest are kept"
    status = cluster.store.get("cronjobs", NS, "good")["status"]
    assert status["lastSuccessfulTime"] == good[-1]["status"]["completionTime"]
    deleted = [e for e in cluster.objects("events", NS)
               if e["involvedObject"]["name"] == "good" and e["reason"] == "SuccessfulDelete"]
    assert len(deleted) >= 3


def test_job_on_failure_counts_restarts_against_the_backoff_limit(cluster: Cluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "flaky"},
           "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [
               container("busybox", "sh", "-c", "echo try; exit 1")]}}}}
    created = ok(cluster, "POST", f"{BATCH}/jobs", job)
    assert created["spec"]["template"]["metadata"]["labels"]["job-name"] == "flaky"
    failed = advance_until(cluster, lambda: _finished(cluster.store.get("jobs", NS, "flaky")) == "Failed",
                           limit=180, step=1, what="the job failing")
    assert failed
    stored = cluster.store.get("jobs", NS, "flaky")
    reasons = {c["type"]: c["reason"] for c in stored["status"]["conditions"]}
    assert reasons["Failed"] == "BackoffLimitExceeded"
    assert "completionTime" not in stored["status"]
    pods = [p for p in cluster.objects("pods", NS) if p["metadata"].get("labels", {}).get("job-name") == "flaky"]
    assert len(pods) <= 1, "OnFailure restarts the container in its pod; it does not make new pods"
    if pods:
        assert pods[0]["status"]["containerStatuses"][0]["restartCount"] >= 3 or deleting(pods[0])
    events = [e["reason"] for e in cluster.objects("events", NS) if e["involvedObject"]["name"] == "flaky"]
    assert "BackoffLimitExceeded" in events

