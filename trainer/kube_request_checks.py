"""Check kinds on the requests the drill's cluster received (practice_cluster.storage.requests): ``kube_request`` and
``kube_no_request``. kubectl names its command in every request (``Kubectl-Command: kubectl scale``),
so these grade the method however the learner wrote the command line: ``k``, flags anywhere, long
forms, a heredoc piped to ``-f -``, a script.

    - kind: kube_request
      command: scale              # the kubectl command: scale, set image, rollout undo, apply, edit ...
      resource: rs                # any name kubectl accepts; with name, subresource, verb, manager
      name: front
    - kind: kube_no_request
      command: edit

    >>> from practice_cluster import REQUESTS_KEY
    >>> rec = {"verb": "patch", "resource": "replicasets", "namespace": "default", "name": "front",
    ...        "subresource": "scale", "command": "kubectl scale", "manager": "", "dry_run": False, "status": 200}
    >>> obs = Observation("ksh93", cluster={REQUESTS_KEY: [rec]})
    >>> _request({"command": "scale", "resource": "replicaset", "name": "front"}, obs).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from practice_cluster import REQUESTS_KEY
from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.kube_paths import resource_named, resource_problems
from trainer.messages import say

VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")


def _command_matches(want: str, header: str) -> bool:
    """``scale`` is ``kubectl scale``; ``create`` is also ``kubectl create deployment``."""
    words = header.split()[1:] if header.startswith("kubectl") else header.split()
    wanted = want.removeprefix("kubectl ").split()
    return words[:len(wanted)] == wanted


def matches(args: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a recorded request is the one ``args`` describe (a successful one unless ``failed``)."""
    if "command" in args and not _command_matches(str(args["command"]), str(record.get("command", ""))):
        return False
    if "verb" in args:
        verbs = args["verb"] if isinstance(args["verb"], list) else [args["verb"]]
        if record.get("verb") not in verbs:
            return False
    if "resource" in args and record.get("resource") != resource_named(str(args["resource"])).plural:
        return False
    for name in ("name", "subresource", "manager"):
        if name in args and record.get(name) != str(args[name]):
            return False
    if "dry_run" in args and bool(record.get("dry_run")) != bool(args["dry_run"]):
        return False
    ok = int(record.get("status", 0)) < 400
    return ok != bool(args.get("failed", False))


def _writes(records: list[Mapping[str, Any]]) -> str:
    """The learner's writes, in words: ``kubectl edit (patch deployments/web)``."""
    shown = [f"{r.get('command') or 'no kubectl'} ({r.get('verb')} {r.get('resource')}"
             f"{'/' + str(r.get('name')) if r.get('name') else ''})"
             for r in records if r.get("verb") not in ("get", "list", "watch")]
    return ", ".join(shown[-4:]) or "-"


def _want(args: Mapping[str, Any]) -> str:
    what = f"kubectl {args.get('command', '')}".strip()
    if "resource" in args:
        what += f" {resource_named(str(args['resource'])).plural}"
        if "name" in args:
            what += f"/{args['name']}"
    return what


def _records(obs: Observation) -> list[Mapping[str, Any]] | None:
    records = obs.cluster.get(REQUESTS_KEY)
    return list(records) if isinstance(records, list) else None


def _request(args: Mapping[str, Any], obs: Observation) -> Outcome:
    records = _records(obs)
    if records is None:
        return Outcome(False, say("kube_unread", what="requests"))
    if any(matches(args, r) for r in records):
        return PASS
    did = _writes(records)
    return Outcome(False, say("kube_request_missing", want=_want(args), did=did),
                   did=say("kube_you_sent", did=did))


def _no_request(args: Mapping[str, Any], obs: Observation) -> Outcome:
    records = _records(obs)
    if records is None:
        return Outcome(False, say("kube_unread", what="requests"))
    for record in records:
        if matches(args, record):
            did = _writes([record]) if record.get("verb") not in ("get", "list", "watch") else str(record["command"])
            return Outcome(False, say("kube_request_forbidden", did=did), did=say("kube_you_sent", did=did))
    return PASS


def _validate(args: Mapping[str, Any]) -> list[str]:
    errors = resource_problems(args)
    verbs = args.get("verb", [])
    for verb in verbs if isinstance(verbs, list) else [verbs]:
        if verb not in VERBS:
            errors.append(f"verb {verb!r} is not one of {', '.join(VERBS)}")
    if not any(a in args for a in ("command", "verb", "manager")):
        errors.append("say which requests: command, verb or manager")
    return errors


def _reads(args: Mapping[str, Any], namespace: str) -> tuple[str, ...]:
    return (REQUESTS_KEY,)


_ARGS = ("command", "verb", "resource", "name", "subresource", "manager", "dry_run", "failed")
REQUEST_KINDS = (
    CheckKind("kube_request", (), _ARGS, _request,
              "the cluster received this request from kubectl (its command, verb, resource, name, manager)",
              reads=_reads, validate=_validate),
    CheckKind("kube_no_request", (), _ARGS, _no_request, "the cluster never received such a request",
              reads=_reads, validate=_validate),
)
