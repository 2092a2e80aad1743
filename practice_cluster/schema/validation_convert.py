"""A patched object that does not fit its Go types, in the words of the apiserver's unstructured converter.

A strategic merge patch is applied to the object as a map and the result converted back into the Go
struct; a value of the wrong type fails there, and the apiserver answers 422 with the *patch* as the
invalid value, printed as Go prints a map (``map[spec:map[replicas:three]]``). The checks for the
values with their own decoding (quantities, times) are shared with the JSON decoder's.

>>> obj = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "three"}}
>>> convert_errors(obj, "io.k8s.api.apps.v1.Deployment")
['unrecognized type: int32']
>>> go_value({"spec": {"replicas": "three", "paused": True}, "a": [1, 1.5, None]})
'map[a:[1 1.5 <nil>] spec:map[paused:true replicas:three]]'
>>> quantity_error("1Gb"), quantity_error("1mi"), quantity_error("250m")
("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", \
"unable to parse quantity's suffix", None)
>>> time_error("yesterday")
'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'
>>> time_error("2026-13-01T00:00:00Z")
'parsing time "2026-13-01T00:00:00Z": month out of range'
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal
from typing import Any

from practice_cluster.schema import definitions as defs

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
TIMES = ("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")
QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
QUANTITY_SUFFIX = "unable to parse quantity's suffix"
_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"}
#: String fields whose Go type has a name of its own, by (struct, field): Go names it in its errors.
NAMED_STRINGS = {
    ("ContainerPort", "protocol"): "v1.Protocol", ("ServicePort", "protocol"): "v1.Protocol",
    ("Container", "imagePullPolicy"): "v1.PullPolicy", ("Container", "restartPolicy"): "v1.ContainerRestartPolicy",
    ("Container", "terminationMessagePolicy"): "v1.TerminationMessagePolicy",
    ("PodSpec", "restartPolicy"): "v1.RestartPolicy", ("PodSpec", "dnsPolicy"): "v1.DNSPolicy",
    ("PodSpec", "preemptionPolicy"): "v1.PreemptionPolicy",
    ("ServiceSpec", "type"): "v1.ServiceType", ("ServiceSpec", "sessionAffinity"): "v1.ServiceAffinity",
    ("ServiceSpec", "externalTrafficPolicy"): "v1.ServiceExternalTrafficPolicy",
    ("ServiceSpec", "internalTrafficPolicy"): "v1.ServiceInternalTrafficPolicy",
    ("ServiceSpec", "ipFamilyPolicy"): "v1.IPFamilyPolicy",
    ("DeploymentStrategy", "type"): "v1.DeploymentStrategyType",
    ("DaemonSetUpdateStrategy", "type"): "v1.DaemonSetUpdateStrategyType",
    ("StatefulSetUpdateStrategy", "type"): "v1.StatefulSetUpdateStrategyType",
    ("StatefulSetSpec", "podManagementPolicy"): "v1.PodManagementPolicyType",
    ("CronJobSpec", "concurrencyPolicy"): "v1.ConcurrencyPolicy", ("JobSpec", "completionMode"): "v1.CompletionMode",
    ("Toleration", "operator"): "v1.TolerationOperator", ("Toleration", "effect"): "v1.TaintEffect",
    ("Taint", "effect"): "v1.TaintEffect", ("Secret", "type"): "v1.SecretType",
    ("HTTPGetAction", "scheme"): "v1.URIScheme", ("LabelSelectorRequirement", "operator"): "v1.LabelSelectorOperator",
    ("NodeSelectorRequirement", "operator"): "v1.NodeSelectorOperator",
    ("PersistentVolumeClaimSpec", "volumeMode"): "v1.PersistentVolumeMode",
}


def named_string(struct: str, field: str) -> str:
    """The Go type of a string field: ``v1.Protocol`` for ``ContainerPort.protocol``, else ``string``."""
    return NAMED_STRINGS.get((struct, field), "string")


# -- Go's printing of an unstructured value ------------------------------------------------------------


def go_float(number: float) -> str:
    """A float64 as Go's ``%v`` prints it (shortest digits; an exponent from 1e+06 or below 1e-04).

    >>> [go_float(x) for x in (2.0, 1.5, 1e6, 123456.0, 1234567.5, 0.0001, 0.00001, -2.5e-7)]
    ['2', '1.5', '1e+06', '123456', '1.2345675e+06', '0.0001', '1e-05', '-2.5e-07']
    """
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(number)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)
    power = point - 1
    prefix = "-" if sign else ""
    if power < -4 or power >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return prefix + text + "0" * (point - len(text))
    return f"{prefix}{text[:point]}.{text[point:]}"


def go_value(value: Any) -> str:
    """A decoded JSON value as Go's ``%v`` prints a ``map[string]interface{}``: keys sorted, no quotes."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


# -- values with their own decoding ------------------------------------------------------------------


def quantity_error(text: str) -> str | None:
    """Why ``resource.ParseQuantity`` rejects ``text`` (its error text), or None when it is a quantity."""
    match = re.fullmatch(r"[+-]?0*([0-9]*)(\.[0-9]*)?(.*)", text)
    if not text or match is None:
        return QUANTITY_FORMAT
    suffix = match.group(3)
    letters = re.match(r"[eEinumkKMGTP]*", suffix)
    rest = suffix[letters.end():] if letters else suffix
    if not re.fullmatch(r"[-+]?[0-9]*", rest):
        return QUANTITY_FORMAT
    if suffix in _SUFFIXES or re.fullmatch(r"[eE][-+]?[0-9]+", suffix):
        return None
    return QUANTITY_SUFFIX


_LAYOUT = "2006-01-02T15:04:05Z07:00"
_ELEMENTS = (("2006", r"[0-9]{4}"), ("-", "-"), ("01", r"[0-9]{2}"), ("-", "-"), ("02", r"[0-9]{2}"), ("T", "T"),
             ("15", r"[0-9]{1,2}"), (":", ":"), ("04", r"[0-9]{2}"), (":", ":"), ("05", r"[0-9]{2}(?:[.,][0-9]+)?"),
             ("Z07:00", r"Z|[+-][0-9]{2}:[0-9]{2}"))
_RANGES = {"01": ("month", 1, 12), "02": ("day", 1, 31), "15": ("hour", 0, 23), "04": ("minute", 0, 59),
           "05": ("second", 0, 59)}


def time_error(text: str) -> str | None:
    """Why Go's ``time.Parse(time.RFC3339, text)`` fails, in its words, or None when it parses."""
    rest = text
    numbers: dict[str, int] = {}
    for element, pattern in _ELEMENTS:
        match = re.match(pattern, rest)
        if match is None:
            return f'parsing time "{text}" as "{_LAYOUT}": cannot parse "{rest}" as "{element}"'
        if element in _RANGES or element == "2006":
            numbers[element] = int(match.group()[:4 if element == "2006" else 2])
            if element in _RANGES:
                name, low, high = _RANGES[element]
                if not low <= numbers[element] <= high:
                    return f'parsing time "{text}": {name} out of range'
        rest = rest[match.end():]
    if rest:
        return f'parsing time "{text}": extra text: "{rest}"'
    if numbers["02"] > calendar.monthrange(numbers["2006"], numbers["01"])[1]:
        return f'parsing time "{text}": day out of range'
    return None


def _go_kind(value: Any) -> str:
    """The reflect kind of a decoded JSON value (integers are int64, other numbers float64)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "slice" if isinstance(value, list) else "map"


def json_token(value: Any) -> str:
    """How Go's JSON decoder names a value it cannot store: bool, number, string, array, object."""
    return {"bool": "bool", "int64": "number", "float64": "number", "string": "string", "slice": "array",
            "map": "object"}[_go_kind(value)]


def _special(name: str, value: Any) -> str | None:
    """The error of a type that decodes itself through JSON (IntOrString, Quantity, Time)."""
    if name == INT_OR_STRING:
        if isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                      and float(value).is_integer()):
            return None
        shown = f"number {go_float(value)}" if isinstance(value, float) else json_token(value)
        return f"json: cannot unmarshal {shown} into Go value of type int32"
    if name == QUANTITY:
        if isinstance(value, (bool, dict, list)):
            return QUANTITY_FORMAT
        return quantity_error(value.strip() if isinstance(value, str) else go_value(value))
    if not isinstance(value, str):
        return f"json: cannot unmarshal {json_token(value)} into Go value of type string"
    return time_error(value)


# -- the converter -----------------------------------------------------------------------------------


def convert_errors(obj: dict[str, Any], definition: str) -> list[str]:
    """What the unstructured converter says about ``obj`` as a ``definition``; the apiserver reports the first.

    A whole float in an integer field is turned into the integer in ``obj``, as the converter does.
    """
    schema = defs.definitions().get(definition)
    if schema is None:
        return []
    found: list[str] = []
    _walk(obj, schema, definition.rsplit(".", 1)[-1], "", found)
    return found


def _walk(value: Any, schema: dict[str, Any], struct: str, field: str, found: list[str]) -> None:
    if value is None:
        return
    name = defs.ref_name(schema)
    if name in (INT_OR_STRING, QUANTITY, *TIMES):
        problem = _special(name or "", value)
        if problem:
            found.append(problem)
        return
    target = defs.resolve(schema)
    kinds = target.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds or ())
    if "properties" in target:
        if not isinstance(value, dict):
            found.append(f"cannot restore struct from: {_go_kind(value)}")
            return
        own = name.rsplit(".", 1)[-1] if name else struct
        for key, child in value.items():
            if key in target["properties"]:
                _walk(child, target["properties"][key], own, key, found)
                value[key] = _whole(child, target["properties"][key])
    elif "object" in kinds:
        if not isinstance(value, dict):
            found.append(f"cannot restore map from {_go_kind(value)}")
            return
        extra = target.get("additionalProperties")
        if isinstance(extra, dict):
            for key, child in value.items():
                _walk(child, extra, struct, field, found)
                value[key] = _whole(child, extra)
    elif "array" in kinds:
        if target.get("format") == "byte" or (isinstance(value, str) and "string" in kinds):
            return
        if not isinstance(value, list):
            found.append(f"cannot restore slice from {_go_kind(value)}")
            return
        if isinstance(target.get("items"), dict):
            for i, child in enumerate(value):
                _walk(child, target["items"], struct, field, found)
                value[i] = _whole(child, target["items"])
    else:
        problem = _simple(value, kinds, target, struct, field)
        if problem:
            found.append(problem)


def _whole(value: Any, schema: dict[str, Any]) -> Any:
    """A whole float in an integer field as the integer the converter stores (``2.0`` is ``2``)."""
    if isinstance(value, float) and value.is_integer() and "integer" in str(defs.resolve(schema).get("type")):
        return int(value)
    return value


def _simple(value: Any, kinds: set[str], target: dict[str, Any], struct: str, field: str) -> str | None:
    """Go's ``fromUnstructured`` for a simple destination: assign, convert within a family, or fail."""
    source = _go_kind(value)
    if "integer" in kinds:
        wanted = "int64" if target.get("format") == "int64" else "int32"
        if source == "int64" or (source == "float64" and float(value).is_integer()):
            return None
        return f"cannot convert float64 to {wanted}" if source == "float64" else f"unrecognized type: {wanted}"
    if "number" in kinds:
        return None if source in ("int64", "float64") else "unrecognized type: float64"
    if "boolean" in kinds:
        return None if source == "bool" else "unrecognized type: bool"
    if "string" in kinds:
        if source == "string" or target.get("format") == "byte":
            return None
        if source == "int64":  # an integer converts to a string in Go's reflection, so this is the error
            return f"cannot convert int64 to {named_string(struct, field)}"
        return "unrecognized type: string"
    return None
