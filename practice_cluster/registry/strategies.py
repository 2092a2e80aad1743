"""One strategy per served kind: what the apiserver does to an object of that kind on every write.

A Kubernetes registry gives each kind a strategy (PrepareForCreate, defaulting, admission, Validate,
ValidateUpdate with its immutable fields, whether it has a status and a generation). Here the table
names, for every kind the practice cluster serves, its defaulting (``defaults.DEFAULTS``), its
admission (below), its validation rules and name check (``schema.validation``), and whether it has a
``status`` subresource and a ``metadata.generation``. It is checked when the module is imported: a
served kind without a strategy, or a per-kind table naming a kind that is not served, stops the
server from starting instead of writing a kind half-handled.

    strategy = STRATEGIES["Service"]
    strategy.admit(admission, service, None)      # allocates the cluster IP and node ports
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from practice_cluster.registry.admission import Allocator, admit_daemonset, admit_job, admit_pod, admit_service
from practice_cluster.registry.defaults import DEFAULTS
from practice_cluster.schema import validation
from practice_cluster.schema.resources import GENERATION_KINDS, RESOURCES
from practice_cluster.storage.store import Obj, Store


@dataclass(frozen=True)
class Admission:
    """What admission reads and allocates from: the store and the Service IP and port allocator."""

    store: Store
    allocator: Allocator


Admit = Callable[[Admission, Obj, Obj | None], None]


def _service(a: Admission, obj: Obj, old: Obj | None) -> None:
    admit_service(a.allocator, obj, old)


def _job(a: Admission, obj: Obj, old: Obj | None) -> None:
    if old is None:
        admit_job(obj)


def _pod(a: Admission, obj: Obj, old: Obj | None) -> None:
    if old is None:
        admit_pod(a.store, obj)


def _daemonset(a: Admission, obj: Obj, old: Obj | None) -> None:
    admit_daemonset(obj, old)


#: The kinds admission changes (the rest pass through it unchanged).
ADMISSION: dict[str, Admit] = {"Service": _service, "Job": _job, "Pod": _pod, "DaemonSet": _daemonset}


def _none(a: Admission, obj: Obj, old: Obj | None) -> None:
    """No admission for this kind."""


@dataclass(frozen=True)
class Strategy:
    kind: str
    defaults: bool  # an entry in defaults.DEFAULTS
    admit: Admit
    rules: bool  # kind-specific validation rules beyond metadata
    status: bool  # a status subresource: a write of the object keeps its status
    generation: bool  # metadata.generation: 1 on create, one more on each spec change


def _table() -> dict[str, Strategy]:
    kinds = sorted({r.kind for r in RESOURCES.values()})
    return {kind: Strategy(kind, kind in DEFAULTS, ADMISSION.get(kind, _none), kind in validation.RULES,
                           any(r.kind == kind and "status" in r.subresources for r in RESOURCES.values()),
                           kind in GENERATION_KINDS)
            for kind in kinds}


def check(served: set[str], tables: Mapping[str, Mapping[str, object] | frozenset[str]]) -> list[str]:
    """What is wrong with the per-kind tables: a kind one of them names that the cluster does not serve."""
    return [f"{name} names {kind}, which the practice cluster does not serve"
            for name, table in tables.items() for kind in sorted(table) if kind not in served]


STRATEGIES = _table()
_problems = check(set(STRATEGIES), {"defaults.DEFAULTS": DEFAULTS, "ADMISSION": ADMISSION,
                                    "validation.RULES": validation.RULES,
                                    "validation.NAME_CHECKS": validation.NAME_CHECKS,
                                    "resources.GENERATION_KINDS": GENERATION_KINDS})
if _problems:
    raise RuntimeError("the practice cluster's strategies: " + "; ".join(_problems))
