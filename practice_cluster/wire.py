r"""What travels over the API: the ``Request`` and ``Response`` values, body decoding, options, warnings.

``server`` builds a ``Request`` from HTTP and writes the ``Response``; everything between is ``api``.
A body is JSON, YAML (in its JSON form: the sandbox reads no YAML library) or protobuf; any other
media type is a 415, as on the apiserver. ``dryRun`` is checked as the apiserver checks its
``CreateOptions``, ``UpdateOptions``, ``PatchOptions`` and ``DeleteOptions``: ``All`` or a 422.

>>> decode_body(Request("POST", "/api/v1/namespaces", {}, {"content-type": "application/json"}, b'{"a": 1}'))
{'a': 1}
>>> dry_run(["All"], "CreateOptions"), dry_run(None, "CreateOptions")
(True, False)
>>> try:
...     dry_run(["Maybe"], "CreateOptions")
... except ApiError as err:
...     print(err.code, err.message)
422 CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Maybe"]: supported values: "All"
>>> warning_header('unknown field "spec.x"')
('Warning', '299 - "unknown field \\"spec.x\\""')
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from practice_cluster.errors import ApiError

if TYPE_CHECKING:
    from practice_cluster.schema.resources import Resource

MAX_BODY = 3 * 1024 * 1024
JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
YAML = "application/yaml"
#: The media types a create or update body may have; kubectl sends JSON, curl users often YAML.
BODY_TYPES = (JSON, YAML, PROTOBUF)
#: The options a write's query parameters are decoded into, by method.
OPTIONS_KIND = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions", "DELETE": "DeleteOptions"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    #: Every query parameter in order, repeated ones included (``command=sh&command=-c``).
    pairs: tuple[tuple[str, str], ...] = ()

    def query_all(self, name: str) -> list[str]:
        """Every value of a repeated query parameter, in order."""
        return [v for k, v in self.pairs if k == name] or ([self.query[name]] if name in self.query else [])

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
    """The field manager of a request (see ``manager_name``)."""
    return manager_name(req.query.get("fieldManager", ""), req.headers.get("user-agent", "")) or "unknown"


def manager_name(field_manager: str, user_agent: str) -> str:
    """The manager of a write: the ``fieldManager`` parameter, else the User-Agent's product (``kubectl``)."""
    if field_manager:
        return field_manager
    product = user_agent.split("/")[0]
    printable = [c for c in product if c == " " or unicodedata.category(c)[0] not in ("C", "Z")]
    return "".join(printable)[:128]


def dry_run(values: Any, options_kind: str) -> bool:
    """Whether a write's ``dryRun`` values (a list, or None when not sent) ask for a dry run.

    Every value must be ``All``; anything else is the apiserver's 422 on the options object.
    """
    if values is None or values == []:
        return False
    listed = values if isinstance(values, list) else [values]
    if all(v == "All" for v in listed):
        return True
    shown = "[" + ",".join(json.dumps(v) for v in listed) + "]"
    raise ApiError.invalid(options_kind, "", [("dryRun", f'Unsupported value: {shown}: supported values: "All"')],
                           "meta.k8s.io")


def query_dry_run(req: Request) -> bool:
    """``?dryRun=`` of a create, update or patch (present but not ``All``, even empty, is a 422)."""
    if "dryRun" not in req.query:
        return False
    return dry_run([req.query["dryRun"]], OPTIONS_KIND.get(req.method, "CreateOptions"))


def check_body_type(req: Request) -> None:
    """A create or update body must be JSON, YAML or protobuf (no Content-Type counts as JSON); else 415."""
    if req.content_type not in BODY_TYPES:
        raise ApiError(415, "the body of the request was in an unknown format - accepted media types include: "
                            + ", ".join(BODY_TYPES))


def _yaml_value(text: str) -> Any:
    """A YAML body as the JSON the apiserver converts it to (a whole float is an integer).

    The sandbox reads no YAML library, so only YAML written in its JSON form is read; anything else
    is a 400 that says so (kubectl sends JSON whatever the manifest is written in).
    """
    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    try:
        return convert(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ApiError.bad_request("the practice cluster reads an application/yaml body only when it is written as "
                                   "JSON; send it as application/json (kubectl does this for you)") from exc


def decode_body(req: Request) -> Any:
    """The request body as a value; a 400 names what cannot be read."""
    if len(req.body) > MAX_BODY:
        raise ApiError(413, "Request entity too large: limit is 3145728")
    if req.content_type == PROTOBUF:
        from practice_cluster import protobuf

        return protobuf.decode(req.body)
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError.bad_request(f"invalid request body: not UTF-8 ({exc.reason})") from exc
    if not text.strip():
        raise ApiError.bad_request("the request body is empty")
    if req.content_type == YAML:
        return _yaml_value(text)
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
