"""The apiserver's field-error wording and its format checks (names, labels, ports, keys, cron schedules).

Every check returns the apiserver's own message strings; ``Errors`` collects (field path, message)
pairs in the shape ``ApiError.invalid`` formats, with values printed as a v1.36 apiserver prints them: strings
quoted, numbers and booleans bare, maps, lists and structs as JSON.

>>> dns1123_label("Web")[0][:40]
'a lowercase RFC 1123 label must consist '
>>> errs = Errors()
>>> errs.invalid("spec.replicas", -1, "must be greater than or equal to 0")
>>> errs.items
[('spec.replicas', 'Invalid value: -1: must be greater than or equal to 0')]
>>> go_value({"app": "web"})
'{"app":"web"}'
"""

from __future__ import annotations

import json
import re
from typing import Any


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + f"regex used for validation is '{fmt}')"


def max_len(length: int, unit: str = "characters") -> str:
    return f"must be no more than {length} {unit}"


def inclusive_range(lo: int, hi: int) -> str:
    return f"must be between {lo} and {hi}, inclusive"


_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN = _LABEL + "(\\." + _LABEL + ")*"
_DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?"
_KEY_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _KEY_NAME + ")?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_PERCENT = "[0-9]+%"


def _full(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def dns1123_label(value: str) -> list[str]:
    errs = [max_len(63)] if len(value) > 63 else []
    if not _full(_LABEL, value):
        if _full(_SUBDOMAIN, value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                "start and end with an alphanumeric character", _LABEL, "my-name", "123-abc"))
    return errs


def dns1123_subdomain(value: str, unit: str = "characters") -> list[str]:
    errs = [max_len(253, unit)] if len(value) > 253 else []
    if not _full(_SUBDOMAIN, value):
        errs.append(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
            "must start and end with an alphanumeric character", _SUBDOMAIN, "example.com"))
    return errs


def wildcard_dns1123_subdomain(value: str) -> list[str]:
    wildcard = "\\*\\." + _SUBDOMAIN
    errs = [max_len(253)] if len(value) > 253 else []
    if not _full(wildcard, value):
        errs.append(regex_error(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
            "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
            wildcard, "*.example.com"))
    return errs


def dns1035_label(value: str) -> list[str]:
    errs = [max_len(63)] if len(value) > 63 else []
    if not _full(_DNS1035, value):
        errs.append(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            "character, and end with an alphanumeric character", _DNS1035, "my-name", "abc-123"))
    return errs


_KEY_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character")


def label_key(value: str) -> list[str]:
    """A label key (also annotation keys and other "qualified names"): optional DNS prefix, a 63-byte name."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return ["a valid label key " + regex_error(_KEY_MSG, _KEY_NAME, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in dns1123_subdomain(prefix, "bytes"))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part " + max_len(63, "bytes"))
    if not _full(_KEY_NAME, name):
        errs.append("name part " + regex_error(_KEY_MSG, _KEY_NAME, "MyName", "my.name", "123-abc"))
    return errs


def label_value(value: str) -> list[str]:
    errs = [max_len(63, "bytes")] if len(value.encode()) > 63 else []
    if not _full(_LABEL_VALUE, value):
        errs.append(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character", _LABEL_VALUE, "MyValue", "my_value", "12345"))
    return errs


def config_key(value: str) -> list[str]:
    errs = [max_len(253)] if len(value) > 253 else []
    if not _full(_CONFIG_KEY, value):
        errs.append(regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                _CONFIG_KEY, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else [inclusive_range(1, 65535)]


def port_name(port: str) -> list[str]:
    errs = [max_len(15)] if len(port) > 15 else []
    if not _full("[-a-z0-9]+", port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port.startswith("-") or port.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def percent(value: str) -> list[str]:
    if _full(_PERCENT, value):
        return []
    return [regex_error("a valid percent string must be a numeric string followed by an ending '%'", _PERCENT,
                        "1%", "93%")]


# ----------------------------------------------------------------------------------- value printing


def go_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\\/", "/")


def go_value(value: Any) -> str:
    """A JSON value as the apiserver prints a bad value: strings quoted, composite values as Go's JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return go_string(value)
    return go_json(value)


def go_json(value: Any) -> str:
    """``json.Marshal``: compact, map keys sorted, ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_label_map(labels: Any) -> str:
    """A label map as Go's JSON prints ``map[string]string``; a missing map is ``null``."""
    if not isinstance(labels, dict):
        return "null"
    return go_json({k: str(v) for k, v in labels.items()})


def go_label_selector(selector: Any) -> str:
    """A ``metav1.LabelSelector`` as JSON in its field order, empty fields left out (``omitempty``)."""
    if not isinstance(selector, dict):
        return "null"
    fields: dict[str, Any] = {}
    labels = selector.get("matchLabels")
    if isinstance(labels, dict) and labels:
        fields["matchLabels"] = dict(sorted((k, str(v)) for k, v in labels.items()))
    exprs = selector.get("matchExpressions")
    if isinstance(exprs, list) and exprs:
        rendered = []
        for e in exprs:
            e = e if isinstance(e, dict) else {}
            item: dict[str, Any] = {"key": str(e.get("key", "")), "operator": str(e.get("operator", ""))}
            if isinstance(e.get("values"), list) and e["values"]:
                item["values"] = [str(v) for v in e["values"]]
            rendered.append(item)
        fields["matchExpressions"] = rendered
    text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Errors:
    """Field errors in the apiserver's order, each ``(path, body)``; identical ones are kept once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, body: str) -> None:
        if (path, body) not in self.items:
            self.items.append((path, body))

    def invalid(self, path: str, value: Any, detail: str) -> None:
        shown = go_value(value)
        self.add(path, f"Invalid value: {shown}: {detail}" if detail else f"Invalid value: {shown}")

    def invalid_each(self, path: str, value: Any, messages: list[str]) -> None:
        for message in messages:
            self.invalid(path, value, message)

    def required(self, path: str, detail: str = "") -> None:
        self.add(path, f"Required value: {detail}" if detail else "Required value")

    def forbidden(self, path: str, detail: str) -> None:
        self.add(path, f"Forbidden: {detail}")

    def duplicate(self, path: str, value: Any) -> None:
        self.add(path, f"Duplicate value: {go_value(value)}")

    def not_found(self, path: str, value: Any) -> None:
        self.add(path, f"Not found: {go_value(value)}")

    def not_supported(self, path: str, value: Any, valid: list[str]) -> None:
        supported = ", ".join(go_string(v) for v in valid)
        self.add(path, f"Unsupported value: {go_value(value)}: supported values: {supported}")

    def too_long(self, path: str, limit: int) -> None:
        self.add(path, f"Too long: must have at most {limit} bytes")
