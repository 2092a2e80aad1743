"""Write ``practice_cluster/data/proto_messages.json``: the protobuf field table of the Kubernetes API types.

Usage: ``python tools/proto_fields.py KUBECTL_BINARY [OUTPUT]``

The table is read from the Go runtime type information inside a kubectl binary (any version, static
linux/amd64 or arm64 ELF). Every API struct field carries its Go struct tag, for example
``json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"``, and the Go type says whether the
field is a pointer. Gzipped ``FileDescriptorProto`` registrations are not used: kubectl 1.34 and later
no longer carry them, and they never said which fields are pointers, ``omitempty``, ``omitzero`` or
``json:",inline"``, which is exactly what turning a protobuf message into its JSON form needs.

Output format (compact JSON)::

    {"messages": {"k8s.io.api.apps.v1.DeploymentSpec": {"1": ["replicas", "i", 6], ...}, ...},
     "kinds": {"apps/v1 Deployment": "k8s.io.api.apps.v1.Deployment", ...}}

A field is ``[json name, kind, flags]`` plus ``message name`` for kind ``m`` and ``[key kind, value kind,
value message or null]`` for kind ``M`` (a map). Kinds: ``s`` string, ``y`` bytes, ``i`` signed varint,
``u`` unsigned varint, ``z`` zigzag varint, ``b`` bool, ``d`` double, ``f`` float, ``m`` message, ``M`` map,
``L`` a message wrapping a repeated string (``ExtraValue``). Flags: 1 repeated, 2 Go pointer, 4 omitempty,
8 ``json:",inline"``, 16 omitzero.
"""

from __future__ import annotations

import array
import json
import re
import struct
import sys
from pathlib import Path
from typing import Any

# Go reflect kinds (internal/abi.Kind).
BOOL, INT, INT8, INT16, INT32, INT64 = 1, 2, 3, 4, 5, 6
UINT, UINT8, UINT16, UINT32, UINT64 = 7, 8, 9, 10, 11
FLOAT32, FLOAT64 = 13, 14
ARRAY, INTERFACE, MAP, PTR, SLICE, STRING, STRUCT = 17, 20, 21, 22, 23, 24, 25

# abi.Type is 48 bytes on 64-bit targets: the kind byte is at 23, the name offset at 40.
TYPE_SIZE = 48
PACKAGES = (
    "k8s.io/api/",
    "k8s.io/apimachinery/pkg/apis/meta/v1",
    "k8s.io/apimachinery/pkg/runtime",
    "k8s.io/apimachinery/pkg/util/intstr",
    "k8s.io/apimachinery/pkg/api/resource",
)
# Stable groups whose objects kubectl creates with typed clients; alpha and beta copies, and groups only
# controllers write (resource, flowcontrol, admissionregistration, ...), would triple the table for nothing.
KIND_PACKAGE_RE = re.compile(
    r"^k8s\.io/api/(core|apps|batch|networking|policy|rbac|autoscaling|scheduling|authentication|authorization"
    r"|certificates|coordination|discovery|storage|events)/v[12]$"
)
DELETE_OPTIONS = "k8s.io/apimachinery/pkg/apis/meta/v1.DeleteOptions"
NAME_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
TAG_RE = re.compile(r'(\w+):"([^"]*)"')


class Binary:
    """A static Go ELF executable, addressed by virtual address."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != b"\x7fELF" or data[4] != 2:
            raise SystemExit("not a 64-bit ELF file")
        self.data = data
        shoff = struct.unpack_from("<Q", data, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        raw = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
        names_off = raw[shstrndx][4]
        self.sections: dict[str, tuple[int, int, int]] = {}
        for name_idx, kind, _flags, addr, off, size in raw:
            end = data.index(b"\0", names_off + name_idx)
            if kind != 8:  # SHT_NOBITS has no bytes in the file
                self.sections[data[names_off + name_idx : end].decode()] = (addr, off, size)
        self.ro_addr, self.ro_off, self.ro_size = self.sections[".rodata"]

    def offset(self, addr: int) -> int:
        for base, off, size in self.sections.values():
            if base and base <= addr < base + size:
                return addr - base + off
        raise ValueError(f"address {addr:#x} is not in the file")

    def u64(self, addr: int) -> int:
        value: int = struct.unpack_from("<Q", self.data, self.offset(addr))[0]
        return value

    def kind(self, typ: int) -> int:
        return self.data[self.offset(typ) + 23] & 0x1F

    def _varint(self, off: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = self.data[off]
            off += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, off

    def name_at(self, off: int) -> tuple[str, str]:
        """A Go ``abi.Name`` at a file offset: (name, tag); an embedded field's tag gets a leading NUL."""
        flags = self.data[off]
        length, off = self._varint(off + 1)
        name = self.data[off : off + length].decode("utf-8", "replace")
        off += length
        tag = ""
        if flags & 2:
            length, off = self._varint(off)
            tag = self.data[off : off + length].decode("utf-8", "replace")
        if flags & 8:
            tag = "\0" + tag
        return name, tag

    def type_name(self, typ: int) -> str:
        """``k8s.io/api/apps/v1.Deployment`` for a named struct type."""
        off = self.offset(typ)
        tflag = self.data[off + 20]
        name_off = struct.unpack_from("<i", self.data, off + 40)[0]
        name = self.name_at(self.ro_off + name_off)[0]
        if tflag & 2:  # TFlagExtraStar: the stored name is that of the pointer type
            name = name[1:]
        if not tflag & 1 or self.kind(typ) != STRUCT:
            return name
        # The UncommonType of a struct follows its 80-byte StructType.
        pkg_off = struct.unpack_from("<i", self.data, off + 80)[0]
        pkg = self.name_at(self.ro_off + pkg_off)[0]
        return pkg + "." + name.rsplit(".", 1)[-1]

    def fields(self, typ: int) -> list[tuple[str, str, int]]:
        """(Go field name, struct tag, field type) of a struct type."""
        data, length = self.u64(typ + 56), self.u64(typ + 64)
        out = []
        for i in range(length):
            rec = data + 24 * i
            name, tag = self.name_at(self.offset(self.u64(rec)))
            out.append((name, tag, self.u64(rec + 8)))
        return out


def tagged_structs(binary: Binary) -> list[int]:
    """Addresses of every struct type with a field that has a ``protobuf`` tag."""
    data, ro_off, ro_size = binary.data, binary.ro_off, binary.ro_size
    name_addrs: set[int] = set()
    for match in re.finditer(rb'protobuf:"', data[ro_off : ro_off + ro_size]):
        # Walk back from the tag to the start of its abi.Name: flags, varint name length, name, varint tag length.
        pos = ro_off + match.start()
        start = data.rfind(b'json:"', max(ro_off, pos - 300), pos)
        if start < 0:
            continue
        for width in (1, 2):
            q = start - width
            length = data[q] if width == 1 else (data[q] & 0x7F) | (data[q + 1] << 7)
            if (width == 1 and length >= 0x80) or (width == 2 and (data[q] < 0x80 or data[q + 1] >= 0x80)):
                continue
            if start + length < pos:
                continue
            for n in range(1, 80):
                if data[q - n - 1] == n and data[q - n - 2] & 2 and NAME_RE.fullmatch(data[q - n : q]):
                    name_addrs.add(q - n - 2 - ro_off + binary.ro_addr)
                    break
            break
    words = array.array("Q")
    words.frombytes(data[ro_off : ro_off + ro_size - ro_size % 8])
    starts: set[int] = set()
    for i, value in enumerate(words):
        if value in name_addrs:
            # Back up to the struct's first field (offset 0) in its []StructField array.
            j = i
            while j >= 3 and words[j + 2] != 0:
                j -= 3
            starts.add(binary.ro_addr + 8 * j)
    found = []
    for i, value in enumerate(words):
        # StructType: 48-byte Type, PkgPath, then Fields {data, len, cap} with len == cap.
        if value in starts and i >= 7 and i + 2 < len(words) and words[i + 1] == words[i + 2] and words[i + 1]:
            typ = binary.ro_addr + 8 * (i - 7)
            if binary.kind(typ) == STRUCT:
                found.append(typ)
    return found


def proto_name(go_name: str) -> str:
    return go_name.replace("/", ".")


def parse_tag(tag: str) -> dict[str, str]:
    """The struct tag's keys; ``protobuf:"-"`` (meta/v1 Time) counts as no protobuf tag."""
    tags = dict(TAG_RE.findall(tag))
    if tags.get("protobuf") == "-":
        del tags["protobuf"]
    return tags


def scalar_kind(binary: Binary, typ: int, wire: str) -> str:
    kind = binary.kind(typ)
    if wire.startswith("zigzag"):
        return "z"
    if kind == BOOL:
        return "b"
    if kind == STRING:
        return "s"
    if kind == FLOAT64:
        return "d"
    if kind == FLOAT32:
        return "f"
    if kind in (UINT, UINT8, UINT16, UINT32, UINT64):
        return "u"
    if kind in (INT, INT8, INT16, INT32, INT64):
        return "i"
    raise ValueError(f"unexpected scalar kind {kind}")


class Builder:
    def __init__(self, binary: Binary) -> None:
        self.binary = binary
        self.messages: dict[str, dict[str, list[Any]]] = {}
        self.types: dict[str, int] = {}

    def value(self, typ: int, wire: str) -> tuple[str, Any]:
        """(kind, message name or map info) of a non-repeated Go value type."""
        b = self.binary
        kind = b.kind(typ)
        if kind == PTR:
            return self.value(b.u64(typ + TYPE_SIZE), wire)
        if kind == STRUCT:
            name = b.type_name(typ)
            self.types.setdefault(name, typ)
            return "m", proto_name(name)
        if kind == SLICE and b.kind(b.u64(typ + TYPE_SIZE)) == UINT8:
            return "y", None
        if kind == SLICE and wire == "bytes" and b.kind(b.u64(typ + TYPE_SIZE)) == STRING:
            return "L", None
        if kind == MAP:
            key = scalar_kind(b, b.u64(typ + TYPE_SIZE), "")
            val_kind, val_ref = self.value(b.u64(typ + TYPE_SIZE + 8), "bytes")
            return "M", [key, val_kind, val_ref]
        return scalar_kind(b, typ, wire), None

    def add(self, typ: int) -> None:
        b = self.binary
        name = proto_name(b.type_name(typ))
        if name in self.messages:
            return
        table: dict[str, list[Any]] = {}
        self.messages[name] = table
        for _go_name, tag, ftyp in b.fields(typ):
            tags = parse_tag(tag)
            if "protobuf" not in tags:
                continue
            wire, number, _label, *rest = tags["protobuf"].split(",")
            json_parts = tags.get("json", "").split(",")
            json_name = json_parts[0] or next((p[5:] for p in rest if p.startswith("name=")), "")
            # Some tags say "opt" for a slice (batch/v1 PodFailurePolicy.rules): the Go type decides.
            repeated = b.kind(ftyp) == SLICE and b.kind(b.u64(ftyp + TYPE_SIZE)) != UINT8
            flags = (1 if repeated else 0) | (2 if b.kind(ftyp) == PTR else 0)
            # encoding/json inlines an embedded struct whose tag gives no name (k8s writes json:",inline").
            inline = tag.startswith("\0") and not json_parts[0]
            flags |= (4 if "omitempty" in json_parts else 0) | (8 if inline else 0)
            flags |= 16 if "omitzero" in json_parts else 0
            elem = b.u64(ftyp + TYPE_SIZE) if repeated else ftyp
            kind, ref = self.value(elem, wire)
            table[number] = [json_name, kind, flags] + ([ref] if ref is not None else [])
        self.messages[name] = dict(sorted(table.items(), key=lambda item: int(item[0])))

    def close(self) -> None:
        """Add every struct a field refers to, until nothing new turns up."""
        while True:
            pending = [t for n, t in self.types.items() if proto_name(n) not in self.messages]
            if not pending:
                return
            for typ in pending:
                if any("protobuf" in parse_tag(tag) for _, tag, _ in self.binary.fields(typ)):
                    self.add(typ)
                else:
                    # Time, MicroTime, Quantity: custom marshalling, known to the decoder by name.
                    self.messages[proto_name(self.binary.type_name(typ))] = {}


def group_version(go_pkg: str) -> str:
    """``k8s.io/api/apps/v1`` -> ``apps/v1``; core -> ``v1``; the real group names come from the decoder."""
    parts = go_pkg.split("/")
    return parts[-1] if parts[-2] == "core" else f"{parts[-2]}/{parts[-1]}"


def build(data: bytes) -> dict[str, Any]:
    binary = Binary(data)
    builder = Builder(binary)
    kinds: dict[str, str] = {}
    for typ in tagged_structs(binary):
        go_name = binary.type_name(typ)
        pkg, _, short = go_name.rpartition(".")
        if go_name == DELETE_OPTIONS:
            builder.add(typ)
            continue
        if not KIND_PACKAGE_RE.match(pkg):
            continue
        fields = binary.fields(typ)
        has_type_meta = any(
            binary.kind(t) == STRUCT and binary.type_name(t).endswith("meta/v1.TypeMeta") for _, _, t in fields
        )
        if not has_type_meta or short.endswith("List"):
            continue
        builder.add(typ)
        kinds[f"{group_version(pkg)} {short}"] = proto_name(go_name)
    builder.close()
    messages = {
        n: builder.messages[n] for n in sorted(builder.messages) if n.startswith(tuple(proto_name(p) for p in PACKAGES))
    }
    return {"messages": messages, "kinds": dict(sorted(kinds.items()))}


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    default = Path(__file__).resolve().parent.parent / "practice_cluster" / "data" / "proto_messages.json"
    out = Path(argv[2]) if len(argv) == 3 else default
    table = build(Path(argv[1]).read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"{out}: {len(table['messages'])} messages, {len(table['kinds'])} kinds, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
