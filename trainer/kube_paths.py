"""Naming things on a cluster in exercise files: resources by any of kubectl's names, fields by paths.

Pure helpers for the kubectl checks. A resource is named as kubectl accepts it (``deploy``,
``deployment``, ``deployments``, ``Deployment``); a field path is dotted with list indexes and
bracketed keys for names that contain dots.

>>> resource_named("deploy").plural
'deployments'
>>> obj = {"metadata": {"annotations": {"kubernetes.io/change-cause": "v2"}},
...        "spec": {"containers": [{"image": "nginx:1.25"}]}}
>>> field_value(obj, "spec.containers[0].image"), field_value(obj, "metadata.annotations[kubernetes.io/change-cause]")
('nginx:1.25', 'v2')
>>> field_value(obj, "spec.missing") is MISSING
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from practice_cluster import RESOURCES, Resource


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
_NAMES: dict[str, Resource] = {}
for _r in RESOURCES.values():
    for _name in (_r.plural, _r.singular, _r.kind.lower(), *_r.short_names):
        _NAMES.setdefault(_name, _r)
_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]|\[([^\]]+)\]")


def resource_named(name: str) -> Resource:
    """The resource kubectl means by ``name``; KeyError (naming the choices) for an unknown one."""
    found = _NAMES.get(name.lower())
    if found is None:
        raise KeyError(f"unknown resource {name!r} (known: {', '.join(sorted(RESOURCES))})")
    return found


def resource_problems(args: Mapping[str, Any]) -> list[str]:
    """What is wrong with a check's ``resource`` argument (empty when it names one kubectl knows)."""
    if "resource" not in args:
        return []
    try:
        resource_named(str(args["resource"]))
    except KeyError as exc:
        return [str(exc.args[0])]
    return []


def parse_path(path: str) -> list[str | int]:
    """``a.b[0][x.y/z]`` to ``['a', 'b', 0, 'x.y/z']``; ValueError for a malformed path."""
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None or match.end() == position:
            raise ValueError(f"bad field path {path!r} at {path[position:]!r}")
        name, index, key = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else key))
        position = match.end()
    if not parts:
        raise ValueError("empty field path")
    return parts


def field_value(obj: Any, path: str) -> Any:
    """The value at ``path`` in ``obj``, or MISSING."""
    value = obj
    for part in parse_path(path):
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return MISSING
            value = value[part]
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return MISSING
    return value


def same_value(got: Any, want: Any) -> bool:
    """Equal as a learner means it: ``3`` and ``"3"``, ``true`` and ``True`` are the same."""
    if got is MISSING:
        return False
    if isinstance(want, (dict, list)) or isinstance(got, (dict, list)):
        return bool(got == want)
    return _scalar(got) == _scalar(want)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show(value: Any) -> str:
    """A value as a learner reads it in a message."""
    if value is MISSING:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
