"""Validation the server runs on create, update and patch, worded as the apiserver words it.

``validate`` returns the semantic errors of one object (and, on update, the immutable fields it
changed) as ``(field path, message)`` pairs for ``ApiError.invalid``; ``unknown_fields`` and
``decode_errors`` are the decoding checks, with ``strict_message``/``warning_text``/``decode_failure``
for their 400 and warning texts. Objects are taken as sent, after the server's defaulting.

>>> deploy = {"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}},
...           "template": {"metadata": {"labels": {"app": "api"}},
...                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
>>> [(path, text[:50]) for path, text in validate("Deployment", deploy, None)]
[('spec.template.metadata.labels', 'Invalid value: {"app":"api"}: `selector` does not ')]
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from practice_cluster import cron
from practice_cluster.schema import validation_formats as fmt
from practice_cluster.schema import validation_services as services
from practice_cluster.schema.validation_formats import Errors
from practice_cluster.schema.validation_pods import (
    as_dict,
    as_list,
    label_map,
    label_selector,
    metadata,
    pod_spec,
    pod_template,
    selector_empty,
    selector_matches,
)
from practice_cluster.schema.validation_schema import (
    decode_errors,
    decode_failure,
    strict_message,
    unknown_fields,
    warning_text,
)

__all__ = ["decode_errors", "decode_failure", "strict_message", "unknown_fields", "validate", "warning_text"]

IMMUTABLE = "field is immutable"
_NONNEG = "must be greater than or equal to 0"
_POD_UPDATE = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)

NAME_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "Service": fmt.dns1035_label,
    "Namespace": fmt.dns1123_label,
}


def validate(kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The apiserver's 422 causes for ``obj`` of ``kind``; ``old`` is the stored object on update."""
    errs = Errors()
    obj = as_dict(obj)
    metadata(errs, obj.get("metadata"), NAME_CHECKS.get(kind, fmt.dns1123_subdomain))
    spec = as_dict(obj.get("spec"))
    rules = RULES.get(kind)
    if rules is not None:
        rules(errs, obj, spec)
    if old is not None:
        _immutable(errs, kind, obj, as_dict(old))
    return errs.items


def _nonneg(errs: Errors, spec: dict[str, Any], path: str, *fields: str) -> None:
    for field in fields:
        value = spec.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errs.invalid(f"{path}.{field}", value, _NONNEG)


# ---------------------------------------------------------------------------------------- workloads


def _workload_selector(errs: Errors, spec: dict[str, Any], what: str) -> None:
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        errs.required("spec.selector")
    else:
        label_selector(errs, selector, "spec.selector")
        if selector_empty(selector):
            errs.add("spec.selector",
                     f"Invalid value: {fmt.go_label_selector(selector)}: empty selector is invalid for {what}")
    template_labels = as_dict(as_dict(spec.get("template")).get("metadata")).get("labels")
    if not (isinstance(selector, dict) and selector_empty(selector)) and not selector_matches(selector,
                                                                                             template_labels):
        errs.add("spec.template.metadata.labels",
                 f"Invalid value: {fmt.go_label_map(template_labels)}: `selector` does not match template `labels`")


def _always_restart(errs: Errors, spec: dict[str, Any]) -> None:
    template = as_dict(spec.get("template"))
    pod_template(errs, template, "spec.template")
    policy = as_dict(template.get("spec")).get("restartPolicy", "Always")
    if policy != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", policy, ["Always"])


def _deployment(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _nonneg(errs, spec, "spec", "replicas")
    _workload_selector(errs, spec, "deployment")
    _always_restart(errs, spec)
    _nonneg(errs, spec, "spec", "minReadySeconds", "revisionHistoryLimit")
    strategy = as_dict(spec.get("strategy"))
    kind = strategy.get("type", "RollingUpdate")
    if kind == "Recreate":
        if "rollingUpdate" in strategy:
            errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    elif kind == "RollingUpdate":
        _rolling_update(errs, as_dict(strategy.get("rollingUpdate")), "spec.strategy.rollingUpdate")
    else:
        errs.add("spec.strategy", f"Unsupported value: {_internal_strategy(strategy)}: supported values: "
                                  '"Recreate", "RollingUpdate"')
    deadline, ready = spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds", 0)
    if isinstance(deadline, int) and isinstance(ready, int) and deadline <= ready:
        errs.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")


def _int_or_percent(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


def _rolling_update(errs: Errors, rolling: dict[str, Any], path: str) -> None:
    unavailable, surge = rolling.get("maxUnavailable", "25%"), rolling.get("maxSurge", "25%")
    for name, value in (("maxUnavailable", unavailable), ("maxSurge", surge)):
        if isinstance(value, str):
            errs.invalid_each(f"{path}.{name}", value, fmt.percent(value))
        elif isinstance(value, int) and value < 0:
            errs.invalid(f"{path}.{name}", value, _NONNEG)
    if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
        errs.add(f"{path}.maxUnavailable", f"Invalid value: {unavailable}: may not be 0 when `maxSurge` is 0")
    if isinstance(unavailable, str) and (_int_or_percent(unavailable) or 0) > 100:
        errs.add(f"{path}.maxUnavailable", f"Invalid value: {unavailable}: must not be greater than 100%")


def _replicaset(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _nonneg(errs, spec, "spec", "replicas", "minReadySeconds")
    _workload_selector(errs, spec, "deployment")
    _always_restart(errs, spec)


def _daemonset(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _workload_selector(errs, spec, "daemonset")
    _always_restart(errs, spec)
    _nonneg(errs, spec, "spec", "minReadySeconds", "revisionHistoryLimit")
    strategy = as_dict(spec.get("updateStrategy"))
    if strategy.get("type", "RollingUpdate") not in ("OnDelete", "RollingUpdate"):
        errs.add("spec.updateStrategy", f"Unsupported value: {_internal_strategy(strategy)}: supported values: "
                                        '"RollingUpdate", "OnDelete"')


def _internal_strategy(strategy: dict[str, Any]) -> str:
    """A Deployment or DaemonSet strategy as the apiserver prints its internal struct (JSON without tags)."""
    rolling = strategy.get("rollingUpdate")
    shown_rolling = None if not isinstance(rolling, dict) else {
        "MaxUnavailable": rolling.get("maxUnavailable") or 0, "MaxSurge": rolling.get("maxSurge") or 0}
    return json.dumps({"Type": strategy.get("type", ""), "RollingUpdate": shown_rolling}, separators=(",", ":"))


def _statefulset(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    policy = spec.get("podManagementPolicy", "OrderedReady")
    if policy not in ("OrderedReady", "Parallel"):
        errs.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
    kind = as_dict(spec.get("updateStrategy")).get("type", "RollingUpdate")
    if kind not in ("OnDelete", "RollingUpdate"):
        errs.not_supported("spec.updateStrategy.type", kind, ["OnDelete", "RollingUpdate"])
    _nonneg(errs, spec, "spec", "replicas", "minReadySeconds")
    _workload_selector(errs, spec, "statefulset")
    _always_restart(errs, spec)


def _job_spec(errs: Errors, spec: dict[str, Any], path: str) -> None:
    _nonneg(errs, spec, path, "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
            "ttlSecondsAfterFinished")
    if spec.get("manualSelector") is True:
        selector = spec.get("selector")
        if not isinstance(selector, dict):
            errs.required(f"{path}.selector")
        template_labels = as_dict(as_dict(spec.get("template")).get("metadata")).get("labels")
        if not selector_matches(selector, template_labels):
            errs.add(f"{path}.template.metadata.labels", f"Invalid value: {fmt.go_label_map(template_labels)}: "
                     "`selector` does not match template `labels`")
    mode = spec.get("completionMode", "NonIndexed")
    if mode not in ("NonIndexed", "Indexed"):
        errs.not_supported(f"{path}.completionMode", mode, ["NonIndexed", "Indexed"])
    template = as_dict(spec.get("template"))
    pod_template(errs, template, f"{path}.template")
    policy = as_dict(template.get("spec")).get("restartPolicy", "Always")
    if policy not in ("OnFailure", "Never"):  # the Job validation's own Required, whatever the value
        errs.required(f"{path}.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"')


def _job(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _job_spec(errs, spec, "spec")


def _cronjob(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    name = as_dict(obj.get("metadata")).get("name")
    if isinstance(name, str) and len(name) > 52:
        errs.invalid("metadata.name", name, "must be no more than 52 characters")
    schedule = spec.get("schedule")
    if not isinstance(schedule, str) or not schedule:
        errs.required("spec.schedule")
    else:
        try:
            cron.parse(schedule)
        except ValueError as problem:
            errs.invalid("spec.schedule", schedule, str(problem))
        if "TZ" in schedule:
            errs.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy == "":
        errs.required("spec.concurrencyPolicy")
    elif policy not in ("Allow", "Forbid", "Replace"):
        errs.not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"])
    _nonneg(errs, spec, "spec", "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")
    job = as_dict(spec.get("jobTemplate"))
    label_map(errs, as_dict(job.get("metadata")).get("labels"), "spec.jobTemplate.metadata.labels")
    _job_spec(errs, as_dict(job.get("spec")), "spec.jobTemplate.spec")


def _pod(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    pod_spec(errs, spec, "spec")


RULES: dict[str, Callable[[Errors, dict[str, Any], dict[str, Any]], None]] = {
    "Pod": _pod, "Deployment": _deployment, "ReplicaSet": _replicaset, "DaemonSet": _daemonset,
    "StatefulSet": _statefulset, "Job": _job, "CronJob": _cronjob, "Service": services.service,
    "ConfigMap": services.configmap, "Secret": services.secret, "Ingress": services.ingress,
}


# ---------------------------------------------------------------------------------------- on update


def _immutable(errs: Errors, kind: str, new: dict[str, Any], old: dict[str, Any]) -> None:
    spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet") and spec.get("selector") != old_spec.get(
            "selector"):
        errs.add("spec.selector", f"Invalid value: {fmt.go_label_selector(spec.get('selector'))}: {IMMUTABLE}")
    if kind == "StatefulSet":
        allowed = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                   "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "selector")
        if {k: v for k, v in spec.items() if k not in allowed} != {
                k: v for k, v in old_spec.items() if k not in allowed}:
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                           "'template', 'updateStrategy', 'revisionHistoryLimit', "
                           "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
    if kind == "Job":
        if spec.get("selector") != old_spec.get("selector"):
            errs.add("spec.selector", f"Invalid value: {fmt.go_label_selector(spec.get('selector'))}: {IMMUTABLE}")
        if spec.get("template") != old_spec.get("template"):
            errs.add("spec.template", f"Invalid value: core.PodTemplateSpec{{...}}: {IMMUTABLE}")
        if old_spec.get("completions") is not None and spec.get("completions") != old_spec.get("completions"):
            errs.invalid("spec.completions", spec.get("completions"), IMMUTABLE)
    if kind == "Service":
        old_ip = old_spec.get("clusterIP")
        if old_ip and old_spec.get("type") != "ExternalName" and spec.get("type") != "ExternalName" \
                and spec.get("clusterIP", old_ip) != old_ip:
            errs.invalid("spec.clusterIP", spec.get("clusterIP"), IMMUTABLE)
    if kind == "Pod":
        def strip(s: dict[str, Any]) -> dict[str, Any]:
            rest = {k: v for k, v in s.items() if k not in ("activeDeadlineSeconds", "tolerations",
                                                             "terminationGracePeriodSeconds")}
            for key in ("containers", "initContainers"):
                rest[key] = [{k: v for k, v in as_dict(c).items() if k != "image"} for c in as_list(s.get(key))]
            return rest
        if strip(spec) != strip(old_spec):
            errs.forbidden("spec", _POD_UPDATE)
    if kind in ("ConfigMap", "Secret") and old.get("immutable") is True:
        if new.get("immutable") is not True:
            errs.forbidden("immutable", "field is immutable when `immutable` is set")
        for bag in ("data", "binaryData") if kind == "ConfigMap" else ("data",):
            if new.get(bag) != old.get(bag):
                errs.forbidden(bag, "field is immutable when `immutable` is set")
    if kind == "Secret" and new.get("type", "Opaque") != old.get("type", "Opaque"):
        errs.invalid("type", new.get("type", "Opaque"), IMMUTABLE)
