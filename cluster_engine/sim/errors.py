"""Kubernetes `Status` errors: every failure a learner can cause, worded as kube-apiserver words it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cause:
    """One field error inside an Invalid status (`details.causes[]`)."""

    reason: str  # FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ...
    message: str
    field: str

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}


@dataclass
class Status(Exception):  # noqa: N818 - named after the Kubernetes kind it carries
    """A failed API request, convertible to a `meta/v1 Status` object.

    Raised by every layer of the simulated api-server; the HTTP API serialises it with `to_dict()`,
    the in-page kubectl prints it as kubectl does (`Error from server (Reason): message`).
    """

    code: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    causes: tuple[Cause, ...] = ()
    # The fields a decoding error names, with their list indices (`spec.containers[0].imagePullPolicee`). Not
    # part of the Status kube-apiserver sends: the in-page editor uses them to point at the lines.
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        details = dict(self.details)
        if self.causes:
            details["causes"] = [cause.to_dict() for cause in self.causes]
        if details:
            body["details"] = details
        return body

    def kubectl_text(self) -> str:
        """The line kubectl prints for this error (kubectl's `cmdutil.StandardErrorMessage`)."""
        if self.reason == "Invalid":
            # kubectl's checkErr: "The <Kind> "<name>" is invalid: " then the causes, one per line if several
            kind, name = self.details.get("kind"), self.details.get("name", "")
            head = f'The {kind} "{name}" is invalid' if kind else "The request is invalid"
            texts = [f"{c.field}: {c.message}" if c.field else c.message for c in self.causes]
            if not texts:
                return f"{head}: {self.message}"
            if len(texts) == 1:
                return f"{head}: {texts[0]}"
            return f"{head}: \n" + "\n".join(f"* {text}" for text in texts)
        if not self.reason:
            return f"Error from server: {self.message}"
        return f"Error from server ({self.reason}): {self.message}"


def _details(kind_plural: str, name: str, group: str = "") -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": kind_plural}
    if group:
        details["group"] = group
    return details


def _qualified(kind_plural: str, group: str) -> str:
    return f"{kind_plural}.{group}" if group else kind_plural


def not_found(kind_plural: str, name: str, group: str = "") -> Status:
    return Status(404, "NotFound", f'{_qualified(kind_plural, group)} "{name}" not found',
                  _details(kind_plural, name, group))


def already_exists(kind_plural: str, name: str, group: str = "") -> Status:
    return Status(409, "AlreadyExists", f'{_qualified(kind_plural, group)} "{name}" already exists',
                  _details(kind_plural, name, group))


def conflict(kind_plural: str, name: str, group: str = "", *, why: str) -> Status:
    return Status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(kind_plural, group)} "{name}": {why}',
        _details(kind_plural, name, group),
    )


def stale_conflict(kind_plural: str, name: str, group: str = "") -> Status:
    return conflict(kind_plural, name, group,
                    why="the object has been modified; please apply your changes to the latest version and "
                        "try again")


def invalid(kind: str, name: str, causes: list[Cause], group: str = "") -> Status:
    """`<Kind> "<name>" is invalid: <field>: <message>` with all causes joined as upstream joins them."""
    texts = [f"{c.field}: {c.message}" if c.field else c.message for c in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details: dict[str, Any] = {"name": name, "kind": kind}
    if group:
        details["group"] = group
    return Status(422, "Invalid", f'{kind} "{name}" is invalid: {joined}', details, tuple(causes))


def bad_request(message: str) -> Status:
    return Status(400, "BadRequest", message)


def forbidden(message: str) -> Status:
    return Status(403, "Forbidden", message)


def gone(message: str) -> Status:
    return Status(410, "Expired", message)


def method_not_allowed(message: str) -> Status:
    return Status(405, "MethodNotAllowed", message)


def too_many_requests(message: str) -> Status:
    return Status(429, "TooManyRequests", message)


def request_too_large(message: str) -> Status:
    return Status(413, "RequestEntityTooLarge", message)


def internal_error(message: str) -> Status:
    return Status(500, "InternalError", message)
