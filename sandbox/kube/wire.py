r"""What travels over the API: the ``Request`` and ``Response`` values, body decoding, warnings.

``server`` builds a ``Request`` from HTTP and writes the ``Response``; everything between is ``api``.

>>> decode_body(Request("POST", "/api/v1/namespaces", {}, {"content-type": "application/json"}, b'{"a": 1}'))
{'a': 1}
>>> warning_header('unknown field "spec.x"')
('Warning', '299 - "unknown field \\"spec.x\\""')
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.kube.errors import ApiError

if TYPE_CHECKING:
    from sandbox.kube.resources import Resource

MAX_BODY = 3 * 1024 * 1024
JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", JSON).split(";")[0].strip().lower()


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200, content_type: str = JSON) -> Response:
        return cls(status, json.dumps(value, separators=(",", ":")).encode(), content_type)


@dataclass(frozen=True)
class Target:
    """What a resource path names: ``/apis/apps/v1/namespaces/ns/deployments/web/scale``."""

    resource: Resource
    namespace: str | None
    name: str | None
    subresource: str | None


def manager_of(req: Request) -> str:
    """The field manager of a request (see ``managed.manager_name``)."""
    from sandbox.kube.managed import manager_name

    return manager_name(req.query.get("fieldManager", ""), req.headers.get("user-agent", "")) or "unknown"


def decode_body(req: Request) -> Any:
    """The request body as a value; a 400 names what cannot be read."""
    if len(req.body) > MAX_BODY:
        raise ApiError(413, "Request entity too large: limit is 3145728")
    if req.content_type == PROTOBUF:
        from sandbox.kube import protobuf

        return protobuf.decode(req.body)
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError.bad_request(f"invalid request body: not UTF-8 ({exc.reason})") from exc
    if not text.strip():
        raise ApiError.bad_request("the request body is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if req.content_type == "application/apply-patch+yaml":
            raise ApiError.bad_request(
                f"error decoding YAML: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
        raise ApiError.bad_request(
            f"couldn't get version/kind; json parse error: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc


def is_table(accept: str) -> bool:
    return "as=Table" in accept.replace(" ", "")


def warning_header(text: str) -> tuple[str, str]:
    """A ``Warning`` header as the apiserver sends it (RFC 7234 quoting, which kubectl parses)."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return "Warning", f'299 - "{quoted}"'
