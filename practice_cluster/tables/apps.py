"""Table cells of the workload controllers: Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob.

Each follows its printer in ``pkg/printers/internalversion``; the wide cells (containers, images,
selector) are always included, kubectl hides them without ``-o wide``.

>>> deploy = {"metadata": {"name": "web", "creationTimestamp": "2024-01-01T00:00:00Z"},
...           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
...                    "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
...           "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
>>> deployment_cells(deploy, 1704067200.0 + 600)
['web', '2/3', 3, 2, '10m', 'nginx', 'nginx:1.27', 'app=web']
"""

from __future__ import annotations

from typing import Any

from practice_cluster.tables.format import (
    NONE,
    as_dict,
    as_int,
    as_list,
    as_str,
    bool_ptr,
    dig,
    format_label_selector,
    format_labels,
    human_duration,
    layout_containers,
    parse_time,
    selector_string,
    since,
)
from practice_cluster.tables.rows import Cells, condition_true


def _age(obj: dict[str, Any], now: float) -> str:
    return since(dig(obj, "metadata", "creationTimestamp"), now)


def _replicas(obj: dict[str, Any]) -> int:
    """``spec.replicas`` after defaulting: an omitted count means 1."""
    value = dig(obj, "spec", "replicas")
    return as_int(value) if isinstance(value, int) else 1


def _template_containers(obj: dict[str, Any]) -> tuple[str, str]:
    return layout_containers(dig(obj, "spec", "template", "spec", "containers"))


def deployment_cells(obj: dict[str, Any], now: float) -> Cells:
    status = as_dict(obj.get("status"))
    names, images = _template_containers(obj)
    selector = selector_string(dig(obj, "spec", "selector"))
    return [
        as_str(dig(obj, "metadata", "name")), f"{as_int(status.get('readyReplicas'))}/{_replicas(obj)}",
        as_int(status.get("updatedReplicas")), as_int(status.get("availableReplicas")), _age(obj, now),
        names, images, "<invalid>" if selector is None else selector,
    ]


def replicaset_cells(obj: dict[str, Any], now: float) -> Cells:
    status = as_dict(obj.get("status"))
    names, images = _template_containers(obj)
    return [
        as_str(dig(obj, "metadata", "name")), _replicas(obj), as_int(status.get("replicas")),
        as_int(status.get("readyReplicas")), _age(obj, now),
        names, images, format_label_selector(dig(obj, "spec", "selector")),
    ]


def daemonset_cells(obj: dict[str, Any], now: float) -> Cells:
    status = as_dict(obj.get("status"))
    names, images = _template_containers(obj)
    counts = ("desiredNumberScheduled", "currentNumberScheduled", "numberReady", "updatedNumberScheduled",
              "numberAvailable")
    return [
        as_str(dig(obj, "metadata", "name")), *(as_int(status.get(c)) for c in counts),
        format_labels(dig(obj, "spec", "template", "spec", "nodeSelector")), _age(obj, now),
        names, images, format_label_selector(dig(obj, "spec", "selector")),
    ]


def statefulset_cells(obj: dict[str, Any], now: float) -> Cells:
    names, images = _template_containers(obj)
    ready = as_int(dig(obj, "status", "readyReplicas"))
    return [as_str(dig(obj, "metadata", "name")), f"{ready}/{_replicas(obj)}", _age(obj, now), names, images]


def job_status(job: dict[str, Any]) -> str:
    """The STATUS word of ``printJob``: Complete, Failed, Terminating, Suspended, FailureTarget, Running."""
    conditions = dig(job, "status", "conditions")
    if condition_true(conditions, "Complete"):
        return "Complete"
    if condition_true(conditions, "Failed"):
        return "Failed"
    if dig(job, "metadata", "deletionTimestamp") is not None:
        return "Terminating"
    if condition_true(conditions, "Suspended"):
        return "Suspended"
    if condition_true(conditions, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_cells(job: dict[str, Any], now: float) -> Cells:
    spec, status = as_dict(job.get("spec")), as_dict(job.get("status"))
    succeeded = as_int(status.get("succeeded"))
    if isinstance(spec.get("completions"), int):
        completions = f"{succeeded}/{as_int(spec.get('completions'))}"
    else:
        parallelism = as_int(spec.get("parallelism"))
        completions = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    started, finished = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    duration = ""
    if started is not None:
        duration = human_duration((now if finished is None else finished) - started)
    names, images = _template_containers(job)
    return [
        as_str(dig(job, "metadata", "name")), job_status(job), completions, duration, _age(job, now),
        names, images, format_label_selector(spec.get("selector")),
    ]


def cronjob_cells(obj: dict[str, Any], now: float) -> Cells:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    last = status.get("lastScheduleTime")
    time_zone = spec.get("timeZone")
    job_spec = dig(spec, "jobTemplate", "spec")
    names, images = layout_containers(dig(job_spec, "template", "spec", "containers"))
    return [
        as_str(dig(obj, "metadata", "name")), as_str(spec.get("schedule")),
        time_zone if isinstance(time_zone, str) else NONE, bool_ptr(spec.get("suspend")),
        len(as_list(status.get("active"))), NONE if last is None else since(last, now), _age(obj, now),
        names, images, format_label_selector(dig(job_spec, "selector")),
    ]
