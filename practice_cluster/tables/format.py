"""Small formatters the table printers share: ages, label maps, label selectors, container lists.

Each one reproduces a helper of the Kubernetes apiserver (``duration.HumanDuration``,
``labels.FormatLabels``, ``metav1.FormatLabelSelector``...) so the cells read exactly as a real
cluster's. They read plain JSON dicts and never raise on odd shapes: a field of the wrong type
counts as absent.

>>> human_duration(150), human_duration(3 * 3600 + 25 * 60), human_duration(-5)
('2m30s', '3h25m', '<invalid>')
>>> format_labels({"tier": "web", "app": "shop"})
'app=shop,tier=web'
>>> selector_string({"matchLabels": {"app": "shop"}, "matchExpressions": [
...     {"key": "env", "operator": "In", "values": ["prod", "dev"]}]})
'app=shop,env in (dev,prod)'
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

NONE = "<none>"
UNKNOWN = "<unknown>"
UNSET = "<unset>"
_NS = 1_000_000_000
_MINUTE = 60 * _NS
_HOUR = 60 * _MINUTE


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_int(value: Any) -> int:
    # bool is an int subclass in Python; JSON true is not a number to the apiserver.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return 0


def dig(obj: Any, *path: str) -> Any:
    """``obj[a][b]...`` or None as soon as a step is missing or not a dict."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: about two significant figures, "<invalid>" below -1s."""
    nanos = round(seconds * _NS)
    whole = int(nanos / _NS)  # Go's int(d.Seconds()) truncates toward zero
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = nanos // _MINUTE
    if minutes < 10:
        rest = (nanos // _NS) % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = nanos // _HOUR
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(value: Any) -> float | None:
    """Epoch seconds of an RFC 3339 ``metav1.Time``/``MicroTime``; None for the zero time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp()


def since(value: Any, now: float) -> str:
    """``translateTimestampSince``: the age of a timestamp, "<unknown>" when it is unset."""
    moment = parse_time(value)
    return UNKNOWN if moment is None else human_duration(now - moment)


def format_labels(labels: Any) -> str:
    """``labels.FormatLabels``: ``k=v`` pairs sorted by key, "<none>" for an empty map."""
    pairs = [f"{k}={v if isinstance(v, str) else ''}" for k, v in sorted(as_dict(labels).items())]
    return ",".join(pairs) if pairs else NONE


def _requirement(key: str, operator: str, values: list[str]) -> str | None:
    if operator in ("In", "NotIn"):
        if not values:
            return None
        word = "in" if operator == "In" else "notin"
        return f"{key} {word} ({','.join(sorted(values))})"
    if operator in ("Exists", "DoesNotExist"):
        if values:
            return None
        return key if operator == "Exists" else "!" + key
    return None


def selector_string(selector: Any) -> str | None:
    """``metav1.LabelSelectorAsSelector(s).String()``; None where the apiserver reports an error.

    A missing or empty selector selects everything (or nothing) and prints as "".
    """
    if not isinstance(selector, dict):
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in as_dict(selector.get("matchLabels")).items():
        if not key or not isinstance(value, str):
            return None
        requirements.append((key, f"{key}={value}"))
    for expression in as_list(selector.get("matchExpressions")):
        expression = as_dict(expression)
        key = as_str(expression.get("key"))
        values = [v for v in as_list(expression.get("values")) if isinstance(v, str)]
        text = _requirement(key, as_str(expression.get("operator")), values) if key else None
        if text is None:
            return None
        requirements.append((key, text))
    requirements.sort(key=lambda pair: pair[0])
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: Any) -> str:
    """``metav1.FormatLabelSelector``: "<none>" for an empty selector, "<error>" for a broken one."""
    text = selector_string(selector)
    if text is None:
        return "<error>"
    return text or NONE


def layout_containers(containers: Any) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, each joined with commas."""
    items = [as_dict(c) for c in as_list(containers)]
    return ",".join(as_str(c.get("name")) for c in items), ",".join(as_str(c.get("image")) for c in items)


def join_host_port(host: str, port: int) -> str:
    """``net.JoinHostPort``: IPv6 hosts get brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def list_with_more(items: list[str], more: bool, count: int, limit: int) -> str:
    """``listWithMoreString``: the first few, then "+ N more...", "<unset>" when empty."""
    text = ",".join(items)
    if more:
        return f"{text} + {count - limit} more..."
    return text or UNSET


def access_modes(modes: Any) -> str:
    """``helper.GetAccessModesAsString``: RWO, ROX, RWX, RWOP in that order."""
    present = set(m for m in as_list(modes) if isinstance(m, str))
    short = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
    return ",".join(abbr for mode, abbr in short if mode in present)


def bool_ptr(value: Any) -> str:
    """``printBoolPtr``: "True", "False", or "<unset>" when the field is absent."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return UNSET


def quantity(value: Any) -> str:
    """A resource quantity as stored (the store keeps the canonical form a client sent)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return as_str(value)
