"""Decoding ``application/vnd.kubernetes.protobuf`` request bodies into the JSON form of the object.

kubectl's typed clients send protobuf with no JSON fallback. This module owns turning such a body (the
``k8s\\x00`` magic and a ``runtime.Unknown`` envelope around the object message) into the dict that the
JSON encoding of the same Go object gives, using the field table in ``data/proto_messages.json``
(written by ``tools/proto_fields.py`` from a kubectl binary's Go type information).

JSON rules follow Go's ``encoding/json`` on the k8s types: the protobuf side always carries non-pointer
scalars (``"generation": 0``), so a zero scalar is dropped when its field is ``omitempty``/``omitzero`` and
not a pointer; a nested struct is always written (``"status": {}``, ``"resources": {}``) unless
``omitzero`` and empty; ``json:",inline"`` structs are merged into their parent; bytes become base64.
Special types: ``Time`` and ``MicroTime`` (RFC 3339, zero is null), ``Duration`` (Go ``1h0m0s``),
``Quantity`` (its string), ``IntOrString`` (int or str), ``RawExtension`` and ``FieldsV1`` (embedded JSON).

What kubectl 1.37 sends (observed against a capture server):

- protobuf POST: every ``kubectl create <generator>`` (deployment, job, ``job --from=cronjob/x``, cronjob,
  namespace, secret, configmap, service, ingress, serviceaccount, quota, pdb, priorityclass, role, ...),
  ``autoscale`` (autoscaling/v2), ``create token`` (TokenRequest) and ``auth can-i``
  (SelfSubjectAccessReview).
- JSON POST: ``run``, ``expose``, ``create -f``; JSON PUT: ``replace``.
- PATCH: ``label``, ``annotate``, ``scale`` (on ``/scale``) and ``patch --type=merge`` send
  ``application/merge-patch+json``; ``patch`` (default), ``set image``, ``edit`` and client-side ``apply``
  send ``application/strategic-merge-patch+json``; ``patch --type=json`` sends
  ``application/json-patch+json``; ``apply --server-side`` sends ``application/apply-patch+yaml``.

>>> body = bytes.fromhex("6b3873000a0f0a02763112094e616d65737061636512080a060a046465766f")
>>> decode(body)
{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'devo'}}
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import struct
from importlib import resources
from typing import Any

from practice_cluster.errors import ApiError

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
MAX_BODY = 3 * 1024 * 1024  # the apiserver's request body limit
MAX_DEPTH = 64
MAX_VALUES = 200_000

REPEATED, POINTER, OMITEMPTY, INLINE, OMITZERO = 1, 2, 4, 8, 16
META = "k8s.io.apimachinery.pkg.apis.meta.v1."
TIME, MICROTIME, DURATION = META + "Time", META + "MicroTime", META + "Duration"
FIELDS_V1 = META + "FieldsV1"
QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension"
# Groups of k8s.io/api whose protobuf package is the first label of the group name.
_BARE_GROUPS = frozenset({"", "apps", "batch", "policy", "autoscaling"})
_WIRE_OF_KIND = {"s": 2, "y": 2, "m": 2, "M": 2, "L": 2, "i": 0, "u": 0, "z": 0, "b": 0, "d": 1, "f": 5}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@functools.cache
def _table() -> dict[str, Any]:
    """The field table, read once on first use."""
    with (resources.files("practice_cluster") / "data" / "proto_messages.json").open("rb") as handle:
        table: dict[str, Any] = json.load(handle)
    return table


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def message_name(api_version: str, kind: str) -> str | None:
    """The protobuf message of a kind, or None when the table does not have it.

    >>> message_name("networking.k8s.io/v1", "Ingress")
    'k8s.io.api.networking.v1.Ingress'
    """
    if kind == "DeleteOptions":
        return META + "DeleteOptions"
    group, _, version = api_version.rpartition("/")
    if group not in _BARE_GROUPS and not group.endswith(".k8s.io"):
        return None
    short = group.split(".")[0]
    name: str | None = _table()["kinds"].get(f"{short}/{version} {kind}" if short else f"{version} {kind}")
    return name


class _Reader:
    """Protobuf wire-format fields of one byte range; every read is bounds-checked."""

    def __init__(self, buf: bytes, budget: list[int]) -> None:
        self.buf = buf
        self.budget = budget

    def varint(self, pos: int, end: int) -> tuple[int, int]:
        value = shift = 0
        while shift < 70:
            if pos >= end:
                raise _bad("unable to decode protobuf body: unexpected EOF")
            byte = self.buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value & 0xFFFFFFFFFFFFFFFF, pos
            shift += 7
        raise _bad("unable to decode protobuf body: proto: integer overflow")

    def fields(self, start: int, end: int) -> list[tuple[int, int, Any]]:
        """(field number, wire type, value): an int, or a (start, end) range for length-delimited data."""
        out: list[tuple[int, int, Any]] = []
        pos = start
        while pos < end:
            key, pos = self.varint(pos, end)
            number, wire = key >> 3, key & 7
            if number <= 0 or number > 0x1FFFFFFF:
                raise _bad(f"unable to decode protobuf body: proto: illegal field number {number}")
            value: Any
            if wire == 0:
                value, pos = self.varint(pos, end)
            elif wire in (1, 5):
                width = 8 if wire == 1 else 4
                if pos + width > end:
                    raise _bad("unable to decode protobuf body: unexpected EOF")
                value = int.from_bytes(self.buf[pos : pos + width], "little")
                pos += width
            elif wire == 2:
                length, pos = self.varint(pos, end)
                if length > end - pos:
                    raise _bad("unable to decode protobuf body: unexpected EOF")
                value = (pos, pos + length)
                pos += length
            else:
                raise _bad(f"unable to decode protobuf body: proto: illegal wireType {wire}")
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise _bad("unable to decode protobuf body: too many fields")
            out.append((number, wire, value))
        return out

    def text(self, span: tuple[int, int]) -> str:
        return self.buf[span[0] : span[1]].decode("utf-8", "replace")

    def raw(self, span: tuple[int, int]) -> bytes:
        return self.buf[span[0] : span[1]]


def decode(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf request body, with ``apiVersion`` and ``kind`` from its envelope.

    Raises ``ApiError`` 400 for anything that is not a well-formed object of a known kind
    (413 for a body over the apiserver's 3 MiB limit).
    """
    return _decode(bytes(body), 0, [MAX_VALUES])


def _decode(body: bytes, depth: int, budget: list[int]) -> dict[str, Any]:
    if len(body) > MAX_BODY:
        raise ApiError(413, f"Request entity too large: limit is {MAX_BODY}")
    if body[:4] != MAGIC:
        raise _bad("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
    reader = _Reader(body, budget)
    api_version = kind = encoding = ""
    raw: tuple[int, int] | None = None
    for number, wire, value in reader.fields(4, len(body)):
        if wire != 2:
            continue
        if number == 1:
            for sub, sub_wire, sub_value in reader.fields(*value):
                if sub_wire == 2 and sub == 1:
                    api_version = reader.text(sub_value)
                elif sub_wire == 2 and sub == 2:
                    kind = reader.text(sub_value)
        elif number == 2:
            raw = value
        elif number == 3:
            encoding = reader.text(value)
    if encoding:
        raise _bad(f"unable to decode protobuf body: unsupported content encoding {encoding!r}")
    if not kind:
        raise _bad("Object 'Kind' is missing in protobuf body")
    name = message_name(api_version, kind)
    if name is None:
        raise _bad(f'no kind "{kind}" is registered for version "{api_version}" in scheme "pkg/runtime/scheme.go:100"')
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    if raw is not None:
        decoded = _Decoder(reader, depth).message(name, raw, depth + 1)
        if isinstance(decoded, dict):
            obj.update(decoded)
    return obj


class _Decoder:
    def __init__(self, reader: _Reader, base_depth: int) -> None:
        self.reader = reader
        self.messages: dict[str, dict[str, list[Any]]] = _table()["messages"]
        self.base_depth = base_depth

    def message(self, name: str, span: tuple[int, int], depth: int) -> Any:
        """The JSON value of one message: a dict, or a special type's scalar form."""
        if depth > MAX_DEPTH:
            raise _bad("unable to decode protobuf body: exceeded maximum nesting depth")
        fields = self.reader.fields(*span)
        special = _SPECIAL.get(name)
        if special is not None:
            return special(self, fields, depth)
        table = self.messages.get(name, {})
        values: dict[str, Any] = {}
        specs: dict[str, list[Any]] = {}
        for number, wire, value in fields:
            spec = table.get(str(number))
            if spec is None:
                continue  # like the apiserver's protobuf decoder, unknown fields are skipped
            key = str(number)
            specs[key] = spec
            kind, flags = spec[1], spec[2]
            if flags & REPEATED:
                items = values.setdefault(key, [])
                if wire == 2 and kind in "iuzbdf":
                    items.extend(self.packed(kind, value))
                else:
                    items.append(self.single(spec, wire, value, depth))
            elif kind == "M":
                entries = values.setdefault(key, {})
                self.map_entry(spec, wire, value, depth, entries)
            else:
                values[key] = self.single(spec, wire, value, depth)
        out: dict[str, Any] = {}
        for key in sorted(values, key=int):
            self.emit(out, specs[key], values[key])
        return out

    def emit(self, out: dict[str, Any], spec: list[Any], value: Any) -> None:
        json_name, kind, flags = spec[0], spec[1], spec[2]
        if json_name == "-":
            return
        if flags & INLINE and isinstance(value, dict):
            out.update(value)
            return
        if flags & REPEATED or kind == "M":
            if value:
                out[json_name] = value
            return
        empty = value in (None, {}) if kind == "m" else not value
        if empty and not flags & POINTER:
            if kind == "m" and not flags & OMITZERO:
                out[json_name] = value  # encoding/json never omits a struct: "status": {}
            elif kind != "m" and not flags & (OMITEMPTY | OMITZERO):
                out[json_name] = value
            return
        out[json_name] = value

    def single(self, spec: list[Any], wire: int, value: Any, depth: int) -> Any:
        kind = spec[1]
        if _WIRE_OF_KIND.get(kind) != wire:
            raise _bad(f"unable to decode protobuf body: proto: wrong wireType = {wire} for field {spec[0]}")
        return self.scalar(kind, value, spec[3] if len(spec) > 3 else None, depth)

    def scalar(self, kind: str, value: Any, ref: Any, depth: int) -> Any:
        if kind == "s":
            return self.reader.text(value)
        if kind == "y":
            return base64.b64encode(self.reader.raw(value)).decode("ascii")
        if kind == "m":
            return self.message(str(ref), value, depth + 1)
        if kind == "L":
            return [self.reader.text(v) for n, w, v in self.reader.fields(*value) if n == 1 and w == 2]
        if kind == "i":
            return value - (1 << 64) if value >= 1 << 63 else value
        if kind == "z":
            return (value >> 1) ^ -(value & 1)
        if kind == "b":
            return value != 0
        if kind in "df":
            fmt = "<d" if kind == "d" else "<f"
            number: float = struct.unpack(fmt, value.to_bytes(8 if kind == "d" else 4, "little"))[0]
            return number
        return value  # "u"

    def packed(self, kind: str, span: tuple[int, int]) -> list[Any]:
        out: list[Any] = []
        pos, end = span
        while pos < end:
            if kind in "df":
                width = 8 if kind == "d" else 4
                if pos + width > end:
                    raise _bad("unable to decode protobuf body: unexpected EOF")
                raw = int.from_bytes(self.reader.buf[pos : pos + width], "little")
                pos += width
            else:
                raw, pos = self.reader.varint(pos, end)
            self.reader.budget[0] -= 1
            if self.reader.budget[0] < 0:
                raise _bad("unable to decode protobuf body: too many fields")
            out.append(self.scalar(kind, raw, None, 0))
        return out

    def map_entry(self, spec: list[Any], wire: int, value: Any, depth: int, entries: dict[str, Any]) -> None:
        if wire != 2:
            raise _bad(f"unable to decode protobuf body: proto: wrong wireType = {wire} for field {spec[0]}")
        key_kind, val_kind, val_ref = spec[3]
        key: Any = "" if key_kind == "s" else 0
        val: Any = None
        for number, sub_wire, sub_value in self.reader.fields(*value):
            if number == 1:
                if _WIRE_OF_KIND.get(key_kind) != sub_wire:
                    raise _bad(f"unable to decode protobuf body: proto: bad map key for field {spec[0]}")
                key = self.scalar(key_kind, sub_value, None, depth)
            elif number == 2:
                if _WIRE_OF_KIND.get(val_kind) != sub_wire:
                    raise _bad(f"unable to decode protobuf body: proto: bad map value for field {spec[0]}")
                val = self.scalar(val_kind, sub_value, val_ref, depth)
        if val is None:
            val = self.scalar(val_kind, (0, 0) if val_kind in "symL" else 0, val_ref, depth)
        entries[str(key)] = val


def _ints(fields: list[tuple[int, int, Any]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for number, wire, value in fields:
        if wire == 0:
            out[number] = value - (1 << 64) if value >= 1 << 63 else value
    return out


def _time(micro: bool) -> Any:
    def convert(decoder: _Decoder, fields: list[tuple[int, int, Any]], depth: int) -> str | None:
        ints = _ints(fields)
        seconds, nanos = ints.get(1, 0), ints.get(2, 0)
        if seconds == 0 and nanos == 0:
            return None
        try:
            moment = _EPOCH + datetime.timedelta(seconds=seconds, microseconds=nanos // 1000)
        except OverflowError:
            raise _bad(f"unable to decode protobuf body: timestamp out of range: {seconds}") from None
        # Go pads the year to four digits; strftime's %Y does not on every platform.
        text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
        return f"{text}.{moment.microsecond:06d}Z" if micro else f"{text}Z"

    return convert


def _go_duration(nanos: int) -> str:
    """Go's ``time.Duration.String``: ``1h0m0s``, ``1.5s``, ``300ms``, ``0s``."""
    if nanos == 0:
        return "0s"
    sign, n = ("-", -nanos) if nanos < 0 else ("", nanos)
    if n < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if n >= size:
                return sign + _fraction(n, size) + unit
    hours, rest = divmod(n, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = _fraction(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def _duration(decoder: _Decoder, fields: list[tuple[int, int, Any]], depth: int) -> str:
    return _go_duration(_ints(fields).get(1, 0))


def _quantity(decoder: _Decoder, fields: list[tuple[int, int, Any]], depth: int) -> str:
    text = "0"
    for number, wire, value in fields:
        if number == 1 and wire == 2:
            text = decoder.reader.text(value)
    return text


def _int_or_string(decoder: _Decoder, fields: list[tuple[int, int, Any]], depth: int) -> int | str:
    ints = _ints(fields)
    if ints.get(1, 0) == 1:
        text = ""
        for number, wire, value in fields:
            if number == 3 and wire == 2:
                text = decoder.reader.text(value)
        return text
    return (ints.get(2, 0) + (1 << 31)) % (1 << 32) - (1 << 31)


def _embedded_json(decoder: _Decoder, fields: list[tuple[int, int, Any]], depth: int) -> Any:
    raw = b""
    for number, wire, value in fields:
        if number == 1 and wire == 2:
            raw = decoder.reader.raw(value)
    if not raw:
        return None
    if raw[:4] == MAGIC:
        return _decode(raw, depth, decoder.reader.budget)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise _bad("unable to decode protobuf body: embedded object is not valid JSON") from None


_SPECIAL = {
    TIME: _time(micro=False),
    MICROTIME: _time(micro=True),
    DURATION: _duration,
    QUANTITY: _quantity,
    INT_OR_STRING: _int_or_string,
    RAW_EXTENSION: _embedded_json,
    FIELDS_V1: _embedded_json,
}
