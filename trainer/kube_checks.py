"""The kubectl check kinds: cluster objects, their fields, how they were made, files of YAML, rollouts.

Pure like every check: the runner reads what ``reads`` names from the cluster (practice or real)
into ``Observation.cluster`` before grading, keyed by ``cluster_key``.

    kind = CHECKS["kube_object"]
    kind.cluster_reads({"resource": "deploy", "name": "web"}, "default")   # ('get|deployments|default|web',)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from practice_cluster import ApiError, parse_label_selector
from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.kube_paths import field_value, parse_path, resource_named, resource_problems, same_value, show
from trainer.messages import say

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
METHODS = ("imperative", "declarative", "server-side")
REVISION = "deployment.kubernetes.io/revision"


def cluster_key(verb: str, plural: str, namespace: str, what: str) -> str:
    """``get|deployments|default|web`` or ``list|pods|default|app=web``."""
    return f"{verb}|{plural}|{namespace}|{what}"


def _namespace(args: Mapping[str, Any], default: str, plural: str) -> str:
    if not resource_named(plural).namespaced:
        return ""
    return str(args.get("namespace") or default)


def _get_key(args: Mapping[str, Any], namespace: str) -> str:
    plural = resource_named(str(args["resource"])).plural
    return cluster_key("get", plural, _namespace(args, namespace, plural), str(args["name"]))


def _list_key(args: Mapping[str, Any], namespace: str) -> str:
    plural = resource_named(str(args["resource"])).plural
    return cluster_key("list", plural, _namespace(args, namespace, plural), str(args.get("selector", "")))


def _reads_get(args: Mapping[str, Any], namespace: str) -> tuple[str, ...]:
    return (_get_key(args, namespace),)


def _reads_list(args: Mapping[str, Any], namespace: str) -> tuple[str, ...]:
    return (_list_key(args, namespace),)


def _label(args: Mapping[str, Any]) -> str:
    return f"{resource_named(str(args['resource'])).singular} {args.get('name', '')}".strip()


def _fetched(args: Mapping[str, Any], obs: Observation) -> tuple[Any, Outcome | None]:
    key = _get_key(args, obs.namespace)
    if key not in obs.cluster:
        return None, Outcome(False, say("kube_unread", what=_label(args)))
    obj = obs.cluster[key]
    if obj is None:
        namespace = key.split("|")[2]
        return None, Outcome(False, say("kube_missing", what=_label(args), namespace=namespace or "-"))
    return obj, None


def _compare_fields(what: str, obj: Any, fields: Mapping[str, Any]) -> Outcome:
    for path, want in fields.items():
        got = field_value(obj, str(path))
        if not same_value(got, want):
            return Outcome(False, say("kube_field", what=what, path=path, got=show(got), want=show(want)))
    return PASS


def _wanted_fields(args: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(args.get("fields") or {})
    for key, value in (args.get("labels") or {}).items():
        fields[f"metadata.labels[{key}]"] = value
    return fields


def _validate_common(args: Mapping[str, Any]) -> list[str]:
    errors = resource_problems(args)
    fields = args.get("fields", {})
    if not isinstance(fields, Mapping):
        errors.append("fields must be a mapping of field path to value")
    else:
        for path in fields:
            try:
                parse_path(str(path))
            except ValueError as exc:
                errors.append(str(exc))
    if "labels" in args and not isinstance(args["labels"], Mapping):
        errors.append("labels must be a mapping")
    if "selector" in args:
        try:
            parse_label_selector(str(args["selector"]))
        except ApiError as exc:
            errors.append(f"selector: {exc.message}")
    if "method" in args and args["method"] not in METHODS:
        errors.append(f"method must be one of {', '.join(METHODS)}")
    return errors


# -- evaluation -----------------------------------------------------------------------------------------


def _kube_object(args: Mapping[str, Any], obs: Observation) -> Outcome:
    if args.get("absent"):
        key = _get_key(args, obs.namespace)
        if key not in obs.cluster:
            return Outcome(False, say("kube_unread", what=_label(args)))
        return Outcome(False, say("kube_present", what=_label(args))) if obs.cluster[key] is not None else PASS
    obj, failed = _fetched(args, obs)
    if failed is not None:
        return failed
    return _compare_fields(_label(args), obj, _wanted_fields(args))


def _kube_count(args: Mapping[str, Any], obs: Observation) -> Outcome:
    key = _list_key(args, obs.namespace)
    if key not in obs.cluster or obs.cluster[key] is None:
        return Outcome(False, say("kube_unread", what=resource_named(str(args["resource"])).plural))
    where = dict(args.get("where") or {})
    items = [o for o in obs.cluster[key] if not (o.get("metadata") or {}).get("deletionTimestamp")
             and all(same_value(field_value(o, str(p)), v) for p, v in where.items())]
    got = len(items)
    low = int(args.get("min", args.get("count", 0)))
    high = int(args.get("max", args.get("count", 10**9)))
    if low <= got <= high:
        return PASS
    want = str(args["count"]) if "count" in args else f"{low}..{high}" if high < 10**9 else f">= {low}"
    what = resource_named(str(args["resource"])).plural
    condition = ", ".join([str(args.get("selector") or "")] + [f"{p}={v}" for p, v in where.items()]).strip(", ")
    return Outcome(False, say("kube_count", what=what, condition=condition or "-", got=got, want=want))


def _managers(obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(m.get("manager", "")), str(m.get("operation", "")))
            for m in (obj.get("metadata") or {}).get("managedFields") or []]


def method_of(obj: Mapping[str, Any]) -> str:
    """How an object was made and kept: ``server-side``, ``declarative`` or ``imperative``."""
    managers = _managers(obj)
    if any(op == "Apply" for _m, op in managers):
        return "server-side"
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if LAST_APPLIED in annotations or any(m == "kubectl-client-side-apply" for m, _op in managers):
        return "declarative"
    return "imperative"


def _kube_method(args: Mapping[str, Any], obs: Observation) -> Outcome:
    obj, failed = _fetched(args, obs)
    if failed is not None:
        return failed
    managers = _managers(obj)
    if "manager" in args:
        want = str(args["manager"])
        if any(m == want for m, _op in managers):
            return PASS
        return Outcome(False, say("kube_manager_missing", what=_label(args), manager=want,
                                  managers=", ".join(sorted({m for m, _op in managers})) or "-"))
    want = str(args["method"])
    got = method_of(obj)
    if got == want or (want == "declarative" and got == "server-side"):
        return PASS
    return Outcome(False, say(f"kube_not_{want.replace('-', '_')}", what=_label(args)))


def _kube_file(args: Mapping[str, Any], obs: Observation) -> Outcome:
    path = str(args["path"])
    info = obs.file(path)
    if info is None or info.text is None:
        return Outcome(False, say("file_missing", path=path))
    try:
        documents = [d for d in yaml.safe_load_all(info.text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return Outcome(False, say("kube_file_yaml", path=path, where=where))
    wanted_kind = resource_named(str(args["resource"])).kind if "resource" in args else None
    for document in documents:
        if not isinstance(document, dict):
            continue
        if wanted_kind is not None and document.get("kind") != wanted_kind:
            continue
        if "name" in args and (document.get("metadata") or {}).get("name") != str(args["name"]):
            continue
        return _compare_fields(path, document, _wanted_fields(args))
    return Outcome(False, say("kube_file_object", path=path, kind=wanted_kind or "object",
                              name=str(args.get("name", ""))))


def _kube_rollout(args: Mapping[str, Any], obs: Observation) -> Outcome:
    obj, failed = _fetched(args, obs)
    if failed is not None:
        return failed
    what = _label(args)
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    if "revision" in args:
        got = (meta.get("annotations") or {}).get(REVISION)
        if str(got) != str(args["revision"]):
            return Outcome(False, say("kube_revision", what=what, got=got or "-", want=args["revision"]))
    replicas = int(spec.get("replicas", 1))
    if obj.get("kind") == "DaemonSet":
        done = (status.get("updatedNumberScheduled", 0) == status.get("desiredNumberScheduled", 0)
                == status.get("numberAvailable", 0))
    else:
        done = (status.get("updatedReplicas", 0) == replicas == status.get("replicas", 0)
                and status.get("availableReplicas", status.get("readyReplicas", 0)) == replicas)
    if int(status.get("observedGeneration", 0)) < int(meta.get("generation", 1)) or not done:
        return Outcome(False, say("kube_rollout_pending", what=what))
    return PASS


_KUBE = ("resource", "name")
KUBE_KINDS = (
    CheckKind("kube_object", _KUBE, ("namespace", "fields", "labels", "absent"), _kube_object,
              "a cluster object exists (or not) with these field values", reads=_reads_get,
              validate=_validate_common),
    CheckKind("kube_count", ("resource",), ("namespace", "selector", "where", "count", "min", "max"), _kube_count,
              "how many objects match a label selector and field values", reads=_reads_list,
              validate=_validate_common),
    CheckKind("kube_method", _KUBE, ("namespace",), _kube_method,
              "how an object was made: imperative, declarative (kubectl apply), server-side, or by a manager",
              one_of=("method", "manager"), reads=_reads_get, validate=_validate_common),
    CheckKind("kube_file", ("path",), ("resource", "name", "fields", "labels"), _kube_file,
              "a YAML file the learner wrote holds an object with these field values",
              validate=_validate_common),
    CheckKind("kube_rollout", _KUBE, ("namespace", "revision"), _kube_rollout,
              "a rollout finished (at a revision)", reads=_reads_get, validate=_validate_common),
)
