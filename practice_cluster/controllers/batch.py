"""Job and CronJob controllers.

A Job runs pods until ``completions`` succeed (``parallelism`` at a time) or ``backoffLimit`` failures
pass; with ``restartPolicy: OnFailure`` container restarts count as failures. A CronJob creates a Job at
each time its schedule names, honouring ``suspend``, ``concurrencyPolicy``, ``startingDeadlineSeconds``
and the history limits.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from practice_cluster import cron
from practice_cluster.controllers.common import (
    delete_pod,
    deleting,
    meta,
    now_text,
    owned,
    owner_ref,
    pod_ready,
    record_event,
    replace_status,
    set_condition,
    system_create,
)
from practice_cluster.storage.clock import parse_time, rfc3339
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts

JOB_CONTROLLER = "job-controller"
CRONJOB_CONTROLLER = "cronjob-controller"


# -- Jobs -----------------------------------------------------------------------------------------------


def _finished(job: Obj) -> str | None:
    for c in job.get("status", {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return None


def _failures(pod: Obj) -> int:
    """Failures a pod counts for: a Failed pod is one, each container restart under OnFailure is one."""
    status = pod.get("status", {})
    restarts = sum(int(s.get("restartCount", 0)) for s in status.get("containerStatuses", []))
    return (1 if status.get("phase") == "Failed" else 0) + restarts


def reconcile_jobs(cluster: Parts) -> None:
    for job in cluster.store.list("jobs")[0]:
        if deleting(job):
            continue
        spec = job["spec"]
        pods = owned(cluster, "pods", job)
        succeeded = sum(1 for p in pods if p.get("status", {}).get("phase") == "Succeeded")
        failed = sum(_failures(p) for p in pods)
        active = [p for p in pods if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
                  and not deleting(p)]
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1))
        backoff = int(spec.get("backoffLimit", 6))
        status: dict[str, Any] = copy.deepcopy(job.get("status") or {})
        now = now_text(cluster)
        done = _finished(job)
        if not done and not spec.get("suspend"):
            status.setdefault("startTime", now)
            deadline = spec.get("activeDeadlineSeconds")
            started = parse_time(status.get("startTime")) or cluster.clock.now()
            if failed > backoff or (deadline is not None and cluster.clock.now() - started >= int(deadline)):
                reason, message = (("BackoffLimitExceeded", "Job has reached the specified backoff limit")
                                   if failed > backoff else ("DeadlineExceeded",
                                                             "Job was active longer than specified deadline"))
                for pod in active:
                    delete_pod(cluster, pod)
                set_condition(status, "FailureTarget", "True", reason, message, now)
                set_condition(status, "Failed", "True", reason, message, now)
                for c in status["conditions"]:
                    c["lastProbeTime"] = now
                record_event(cluster, job, "Warning", reason, message, JOB_CONTROLLER)
                active = []
            elif completions is not None and succeeded >= int(completions):
                set_condition(status, "SuccessCriteriaMet", "True", "CompletionsReached",
                              "Reached expected number of succeeded pods", now)
                set_condition(status, "Complete", "True", "CompletionsReached",
                              "Reached expected number of succeeded pods", now)
                for c in status["conditions"]:
                    c["lastProbeTime"] = now
                status["completionTime"] = now
                record_event(cluster, job, "Normal", "Completed", "Job completed", JOB_CONTROLLER)
            elif completions is None and succeeded > 0 and not active:
                set_condition(status, "Complete", "True", "CompletionsReached", "", now)
                status["completionTime"] = now
            else:
                remaining = (int(completions) - succeeded) if completions is not None else parallelism
                want = min(parallelism, remaining)
                failed_pods = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed")
                if len(active) < want and failed_pods <= backoff:
                    for _ in range(want - len(active)):
                        template = copy.deepcopy(spec.get("template") or {})
                        pod_meta = template.get("metadata") or {}
                        pod_meta.pop("creationTimestamp", None)
                        created = system_create(cluster, "pods", {
                            "apiVersion": "v1", "kind": "Pod",
                            "metadata": {**pod_meta, "generateName": f"{meta(job)['name']}-",
                                         "namespace": meta(job)["namespace"], "ownerReferences": [owner_ref(job)]},
                            "spec": template.get("spec") or {}})
                        if created is not None:
                            record_event(cluster, job, "Normal", "SuccessfulCreate",
                                         f"Created pod: {meta(created)['name']}", JOB_CONTROLLER)
                    active = [p for p in owned(cluster, "pods", job)
                              if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]
        if spec.get("suspend") and not done:
            for pod in active:
                delete_pod(cluster, pod)
            set_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", now)
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if pod_ready(p))
        status["succeeded"] = succeeded
        status["failed"] = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed") or (
            failed if _finished({"status": status}) == "Failed" else 0)
        status["terminating"] = sum(1 for p in pods if deleting(p))
        for key in ("active", "succeeded", "failed"):
            if not status[key]:
                del status[key]
        if status.get("uncountedTerminatedPods") is None:
            status["uncountedTerminatedPods"] = {}
        if status != job.get("status"):
            cluster.store.mutate_status("jobs", meta(job)["namespace"], meta(job)["name"],
                                        replace_status(status))
        ttl = spec.get("ttlSecondsAfterFinished")
        finish = status.get("completionTime") or next(
            (c.get("lastTransitionTime") for c in status.get("conditions", []) if c.get("type") == "Failed"), None)
        if ttl is not None and finish and cluster.clock.now() - (parse_time(finish) or 0) >= int(ttl):
            cluster.store.delete("jobs", meta(job)["namespace"], meta(job)["name"])


# -- cron schedules -------------------------------------------------------------------------------------

def parse_schedule(text: str) -> cron.Schedule | None:
    """A CronJob schedule, or None if invalid.

    >>> sorted(parse_schedule("*/15 9-17 * * 1-5").fields["minute"])
    [0, 15, 30, 45]
    """
    try:
        return cron.schedule(text.strip())
    except ValueError:
        return None


def next_times(schedule: cron.Schedule, after: float, until: float, limit: int = 200) -> list[float]:
    """Schedule times in (after, until], at most ``limit`` of them."""
    moment = datetime.fromtimestamp(int(after) - int(after) % 60, UTC) + timedelta(minutes=1)
    end = datetime.fromtimestamp(until, UTC)
    found: list[float] = []
    hours = schedule.fields["hour"]
    while moment <= end and len(found) < limit:
        if schedule.fires(moment):
            found.append(moment.timestamp())
        moment += timedelta(minutes=1)
        if (end - moment).days > 1 and len(found) == 0 and moment.minute == 0 and moment.hour not in hours:
            moment += timedelta(minutes=59)
    return found


def reconcile_cronjobs(cluster: Parts) -> None:
    now = cluster.clock.now()
    for cj in cluster.store.list("cronjobs")[0]:
        if deleting(cj):
            continue
        spec = cj["spec"]
        namespace, name = meta(cj)["namespace"], meta(cj)["name"]
        jobs = owned(cluster, "jobs", cj)
        active = [j for j in jobs if not _finished(j)]
        status: dict[str, Any] = copy.deepcopy(cj.get("status") or {})
        schedule = parse_schedule(str(spec.get("schedule", "")))
        last = parse_time(status.get("lastScheduleTime")) or parse_time(meta(cj).get("creationTimestamp")) or now
        if schedule is not None and not spec.get("suspend"):
            times = next_times(schedule, last, now)
            if times:
                scheduled = times[-1]
                deadline = spec.get("startingDeadlineSeconds")
                status["lastScheduleTime"] = rfc3339(scheduled)
                if deadline is not None and now - scheduled > int(deadline):
                    record_event(cluster, cj, "Warning", "MissSchedule",
                                 f"Missed scheduled time to start a job: {rfc3339(scheduled)}", CRONJOB_CONTROLLER)
                elif spec.get("concurrencyPolicy") == "Forbid" and active:
                    record_event(cluster, cj, "Normal", "JobAlreadyActive",
                                 "Not starting job because prior execution is running and concurrency policy is "
                                 "Forbid", CRONJOB_CONTROLLER)
                else:
                    if spec.get("concurrencyPolicy") == "Replace":
                        for job in active:
                            cluster.store.delete("jobs", namespace, meta(job)["name"],
                                                 finalizers=("foregroundDeletion",))
                            record_event(cluster, cj, "Normal", "SuccessfulDelete",
                                         f"Deleted job {meta(job)['name']}", CRONJOB_CONTROLLER)
                    _start_job(cluster, cj, scheduled)
        jobs = owned(cluster, "jobs", cj)
        active = [j for j in jobs if not _finished(j) and not deleting(j)]
        status["active"] = [{"kind": "Job", "namespace": namespace, "name": meta(j)["name"], "uid": meta(j)["uid"],
                             "apiVersion": "batch/v1", "resourceVersion": meta(j)["resourceVersion"]}
                            for j in active]
        if not status["active"]:
            del status["active"]
        succeeded = [j for j in jobs if _finished(j) == "Complete"]
        if succeeded:
            status["lastSuccessfulTime"] = max(j["status"].get("completionTime", "") for j in succeeded)
        for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit", 3)),
                            ("Failed", spec.get("failedJobsHistoryLimit", 1))):
            finished = sorted((j for j in jobs if _finished(j) == kind and not deleting(j)),
                              key=lambda j: meta(j)["creationTimestamp"])
            for job in finished[: max(len(finished) - int(limit), 0)]:
                cluster.store.delete("jobs", namespace, meta(job)["name"])
                record_event(cluster, cj, "Normal", "SuccessfulDelete", f"Deleted job {meta(job)['name']}",
                             CRONJOB_CONTROLLER)
        if status != cj.get("status"):
            cluster.store.mutate_status("cronjobs", namespace, name, replace_status(status))


def _start_job(cluster: Parts, cj: Obj, scheduled: float) -> None:
    template = copy.deepcopy(cj["spec"].get("jobTemplate") or {})
    job_meta = template.get("metadata") or {}
    job_meta.pop("creationTimestamp", None)
    name = f"{meta(cj)['name']}-{int(scheduled // 60)}"
    annotations = job_meta.setdefault("annotations", {})
    annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = rfc3339(scheduled)
    job: Obj = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {**job_meta, "name": name, "namespace": meta(cj)["namespace"],
                        "ownerReferences": [owner_ref(cj)]},
           "spec": template.get("spec") or {}}
    from practice_cluster.registry.admission import admit_job

    job["metadata"]["uid"] = str(uuid.uuid4())
    admit_job(job)
    if system_create(cluster, "jobs", job) is not None:
        record_event(cluster, cj, "Normal", "SuccessfulCreate", f"Created job {name}", CRONJOB_CONTROLLER)
