"""``ApiError``: a failed API request, carried as the apiserver's ``Status`` object.

>>> err = ApiError.not_found("pods", "web")
>>> err.code, err.status()["reason"], err.status()["message"]
(404, 'NotFound', 'pods "web" not found')
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import SandboxError

REASONS = {
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    500: "InternalError",
}
#: The cause reason of a field error, by the words its message starts with (``field.ErrorType``).
CAUSE_REASONS = (
    ("Unsupported value", "FieldValueNotSupported"),
    ("Required value", "FieldValueRequired"),
    ("Duplicate value", "FieldValueDuplicate"),
    ("Forbidden", "FieldValueForbidden"),
    ("Too long", "FieldValueTooLong"),
    ("Too many", "FieldValueTooMany"),
    ("Not found", "FieldValueNotFound"),
    ("Internal error", "InternalError"),
)


class ApiError(SandboxError):
    """An API request that fails; ``status()`` is the body the apiserver would send."""

    def __init__(
        self, code: int, message: str, *, reason: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = REASONS.get(code, "Unknown") if reason is None else reason  # "": no reason, as some 500s
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if not self.reason:
            del body["reason"]
        if self.details is not None:
            body["details"] = self.details
        return body

    @classmethod
    def not_found(cls, resource: str, name: str, group: str = "") -> ApiError:
        qualified = f"{resource}.{group}" if group else resource
        return cls(404, f'{qualified} "{name}" not found', details={"name": name, "group": group, "kind": resource})

    @classmethod
    def already_exists(cls, resource: str, name: str, group: str = "") -> ApiError:
        qualified = f"{resource}.{group}" if group else resource
        return cls(
            409,
            f'{qualified} "{name}" already exists',
            reason="AlreadyExists",
            details={"name": name, "group": group, "kind": resource},
        )

    @classmethod
    def conflict(cls, resource: str, name: str, group: str = "") -> ApiError:
        qualified = f"{resource}.{group}" if group else resource
        return cls(
            409,
            f'Operation cannot be fulfilled on {qualified} "{name}": the object has been modified; '
            "please apply your changes to the latest version and try again",
            details={"name": name, "group": group, "kind": resource},
        )

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, message)

    @classmethod
    def invalid(cls, kind: str, name: str, causes: list[tuple[str, str]], group: str = "") -> ApiError:
        """A 422 in the apiserver's wording: ``Deployment.apps "web" is invalid: field: message``.

        ``causes`` are (field path, message) pairs, e.g. ``("metadata.name", 'Invalid value: ...')``; a
        cause's reason follows its message (``Unsupported value: ...`` is ``FieldValueNotSupported``). An
        empty name, group or kind is left out of the details, as the apiserver omits empty fields.

        >>> ApiError.invalid("CreateOptions", "", [("dryRun", 'Unsupported value: ["x"]')], "meta.k8s.io").details
        {'group': 'meta.k8s.io', 'kind': 'CreateOptions', 'causes': [{'reason': 'FieldValueNotSupported', \
'message': 'Unsupported value: ["x"]', 'field': 'dryRun'}]}
        """
        qualified = f"{kind}.{group}" if group else kind
        joined = ", ".join(f"{field}: {text}" for field, text in causes)
        if len(causes) > 1:
            joined = "[" + joined + "]"
        details: dict[str, Any] = {key: value for key, value in (("name", name), ("group", group), ("kind", kind))
                                   if value}
        details["causes"] = [{"reason": _cause_reason(text), "message": text, "field": field}
                             for field, text in causes]
        return cls(422, f'{qualified} "{name}" is invalid: {joined}', details=details)


def _cause_reason(text: str) -> str:
    return next((reason for words, reason in CAUSE_REASONS if text.startswith(words)), "FieldValueInvalid")
