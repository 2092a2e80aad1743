"""The check kind ``kube_in_pod``: a program the learner ran inside a practice container, judged by what it did.

In a practice container ``nslookup``, ``curl`` and ``wget`` answer from the cluster's DNS and Services,
and each call is recorded (practice_cluster.streams): the program, its exit code, the DNS name that
answered and whose name it is. So ``nslookup db``, ``nslookup db.inu``, ``nslookup
db.inu.svc.cluster.local`` and ``wget -qO- db.inu:80`` all reach ``service/db`` however they are
spelt, whether typed in ``kubectl exec -it POD -- sh`` or given to ``kubectl run -it --rm``.

    - kind: kube_in_pod
      program: nslookup          # or a list: [curl, wget]
      reaches: service/db        # service/NAME, pod/NAME, externalname/NAME (NAMESPACE/NAME elsewhere)
      pod: web                   # optional: the pod it ran in
      succeeded: true            # optional: its exit status was 0 (false: it failed; leave out: either)

    >>> from practice_cluster import REQUESTS_KEY
    >>> rec = {"verb": "run", "namespace": "inu", "name": "bb", "exec_command": ["nslookup", "db"],
    ...        "exit_code": 0, "resolved": "db.inu.svc.cluster.local", "target": "service/inu/db"}
    >>> obs = Observation("ksh93", cluster={REQUESTS_KEY: [rec]}, namespace="inu")
    >>> _in_pod({"program": "nslookup", "reaches": "service/db"}, obs).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from practice_cluster import REQUESTS_KEY
from sandbox.observation import Observation
from trainer.check_base import PASS, CheckKind, Outcome
from trainer.messages import say
from trainer.text import Text

PROGRAMS = ("nslookup", "curl", "wget")
KINDS = ("service", "pod", "externalname")


def _programs(args: Mapping[str, Any]) -> list[str]:
    wanted = args["program"]
    return [str(p) for p in wanted] if isinstance(wanted, list) else [str(wanted)]


def _target(reaches: str, namespace: str) -> str:
    """``service/db`` in namespace inu is ``service/inu/db``."""
    kind, _, rest = reaches.partition("/")
    return f"{kind}/{rest}" if "/" in rest else f"{kind}/{namespace}/{rest}"


def matches(args: Mapping[str, Any], record: Mapping[str, Any], namespace: str) -> bool:
    if record.get("verb") != "run":
        return False
    argv = list(record.get("exec_command") or [])
    if not argv or argv[0] not in _programs(args):
        return False
    if "pod" in args and record.get("name") != str(args["pod"]):
        return False
    if "reaches" in args and record.get("target") != _target(str(args["reaches"]), namespace):
        return False
    return "succeeded" not in args or (int(record.get("exit_code", 1)) == 0) == bool(args["succeeded"])


def _said(records: list[Mapping[str, Any]]) -> str:
    runs = [" ".join(str(a) for a in r.get("exec_command") or []) for r in records if r.get("verb") == "run"]
    return ", ".join(f"`{r}`" for r in runs[-4:]) or "-"  # "-": nothing, as kube_request says it


def _want(args: Mapping[str, Any]) -> Text:
    """What the drill asks for, in words: ``nslookup of the Service db``."""
    programs = " / ".join(_programs(args))
    if "reaches" not in args:
        return Text(programs, programs)
    kind, _, name = str(args["reaches"]).partition("/")
    en = {"service": "the Service", "pod": "the pod", "externalname": "the ExternalName Service"}[kind]
    ko = {"service": "서비스", "pod": "파드", "externalname": "ExternalName 서비스"}[kind]
    return Text(f"{programs} reaching {en} {name}", f"{programs} (대상: {ko} {name})")


def _in_pod(args: Mapping[str, Any], obs: Observation) -> Outcome:
    records = obs.cluster.get(REQUESTS_KEY)
    if not isinstance(records, list):
        return Outcome(False, say("kube_unread", what="requests"))
    if any(matches(args, r, obs.namespace) for r in records):
        return PASS
    did = _said(records)
    return Outcome(False, say("kube_in_pod_missing", want=_want(args), did=did),
                   did=say("kube_in_pod_ran", did=did))


def _validate(args: Mapping[str, Any]) -> list[str]:
    errors = [f"program {p!r} is not one of {', '.join(PROGRAMS)}" for p in _programs(args) if p not in PROGRAMS]
    if "reaches" in args:
        kind, _, name = str(args["reaches"]).partition("/")
        if kind not in KINDS or not name:
            errors.append(f"reaches {args['reaches']!r} is not KIND/NAME with KIND one of {', '.join(KINDS)}")
    return errors


def _reads(args: Mapping[str, Any], namespace: str) -> tuple[str, ...]:
    return (REQUESTS_KEY,)


POD_KINDS = (
    CheckKind("kube_in_pod", ("program",), ("reaches", "pod", "succeeded"), _in_pod,
              "a program ran inside a practice container (nslookup, curl, wget) and reached this name",
              reads=_reads, validate=_validate),
)
