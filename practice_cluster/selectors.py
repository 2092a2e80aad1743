"""Label and field selectors: the query-string form kubectl sends and the ``LabelSelector`` objects.

>>> sel = parse_label_selector("app=web,tier!=db,env in (prod,dev),!canary")
>>> sel.matches({"app": "web", "env": "prod"}), sel.matches({"app": "web", "env": "qa"})
(True, False)
>>> from_label_selector({"matchLabels": {"app": "web"}}).matches({"app": "web", "x": "y"})
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from practice_cluster.errors import ApiError

_TOKEN = re.compile(r"\s*([^,()=!\s]+)?\s*(==|=|!=|\bnotin\b|\bin\b|!)?\s*")


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Equals, NotEquals
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        match self.operator:
            case "Exists":
                return present
            case "DoesNotExist":
                return not present
            case "In" | "Equals":
                return present and value in self.values
            case "NotIn" | "NotEquals":
                return not present or value not in self.values
        return False


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements and not self.nothing


EVERYTHING = Selector()


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text: str | None) -> Selector:
    """The ``labelSelector`` query parameter; a 400 ApiError names an unreadable one."""
    if not text or not text.strip():
        return EVERYTHING
    requirements = []
    for part in _split_top_level(text):
        match = re.fullmatch(r"(\S+?)\s+(in|notin)\s+\((.*)\)", part)
        if match:
            values = tuple(v.strip() for v in match.group(3).split(",") if v.strip())
            requirements.append(Requirement(match.group(1), "In" if match.group(2) == "in" else "NotIn", values))
            continue
        if part.startswith("!"):
            requirements.append(Requirement(part[1:].strip(), "DoesNotExist"))
            continue
        match = re.fullmatch(r"([^=!\s]+)\s*(==|=|!=)\s*(\S*)", part)
        if match:
            operator = "NotEquals" if match.group(2) == "!=" else "Equals"
            requirements.append(Requirement(match.group(1), operator, (match.group(3),)))
            continue
        if re.fullmatch(r"[^=!\s(),]+", part):
            requirements.append(Requirement(part, "Exists"))
            continue
        raise ApiError.bad_request(f"unable to parse requirement: found '{part}', expected: identifier")
    return Selector(tuple(requirements))


def from_label_selector(selector: Mapping[str, Any] | None) -> Selector:
    """A ``metav1.LabelSelector``; a missing selector selects nothing, an empty one everything."""
    if selector is None:
        return Selector(nothing=True)
    requirements = [Requirement(k, "Equals", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        operator = expr.get("operator", "")
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return Selector(nothing=True)
        requirements.append(Requirement(str(expr.get("key", "")), operator, tuple(expr.get("values") or ())))
    return Selector(tuple(requirements))


def from_map(labels: Mapping[str, str] | None) -> Selector:
    """A Service's or ReplicationController's plain map selector (empty selects nothing)."""
    if not labels:
        return Selector(nothing=True)
    return Selector(tuple(Requirement(k, "Equals", (v,)) for k, v in labels.items()))


def format_selector(selector: Mapping[str, Any] | None) -> str:
    """``app=web,tier in (a,b)``: a LabelSelector in the query-string form."""
    if not selector:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(expr.get("values") or ())
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": f"{key}",
                      "DoesNotExist": f"!{key}"}.get(str(op), ""))
    return ",".join(p for p in parts if p)


def _path_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Field labels each kind accepts beyond metadata.name and metadata.namespace (the apiserver's tables).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
    "events": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
               "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
               "reason", "reportingComponent", "source", "type"),
    "secrets": ("type",),
    "namespaces": ("status.phase",),
    "nodes": ("spec.unschedulable",),
    "replicasets": ("status.replicas",),
    "jobs": ("status.successful",),
}


def parse_field_selector(text: str | None, plural: str) -> Callable[[Mapping[str, Any]], bool]:
    """The ``fieldSelector`` query parameter as a predicate; unsupported fields are a 400."""
    if not text or not text.strip():
        return lambda _obj: True
    allowed = {"metadata.name", "metadata.namespace", *FIELD_LABELS.get(plural, ())}
    tests: list[tuple[str, bool, str]] = []
    for part in _split_top_level(text):
        match = re.fullmatch(r"([^=!\s]+)\s*(==|=|!=)\s*(.*)", part)
        if not match:
            raise ApiError.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        field = match.group(1)
        if field not in allowed:
            raise ApiError.bad_request(f'field label not supported: {field}')
        tests.append((field, match.group(2) == "!=", match.group(3)))

    def predicate(obj: Mapping[str, Any]) -> bool:
        for field, negate, value in tests:
            actual = _path_value(obj, field)
            if field == "source":
                actual = _path_value(obj, "source.component")
            if (actual == value) == negate:
                return False
        return True

    return predicate
