"""Bearer-token authentication of the Kubernetes API: a token opens exactly one sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from cluster_engine import tokens
from cluster_engine.engine import Status
from cluster_engine.models import SandboxToken

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """Who is asking: the sandbox the token opens and the learner it belongs to."""

    sandbox_id: uuid.UUID
    username: str

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


def unauthorized() -> Status:
    return Status(401, "Unauthorized", "Unauthorized")


def authenticate(request: HttpRequest, sandbox_id: uuid.UUID) -> Caller:
    """The caller of a request to sandbox `sandbox_id`.

    Raises a 401 Status when the `Authorization: Bearer` token is missing, unknown or revoked, and a 403 when
    it is valid for another sandbox (an unknown sandbox id is answered the same way, so ids reveal nothing) or
    acts as another user (`refuse_impersonation`).
    """
    caller = authenticate_header(request.headers.get("Authorization", ""), sandbox_id)
    refuse_impersonation(caller, request.headers.items())
    return caller


def authenticate_scope(scope: dict[str, Any], sandbox_id: uuid.UUID) -> Caller:
    """`authenticate` for a WebSocket's handshake (its ASGI scope)."""
    headers = [(key.decode("latin1"), value.decode("latin1")) for key, value in scope.get("headers") or []]
    caller = authenticate_header(next((value for key, value in headers if key.lower() == "authorization"), ""),
                                 sandbox_id)
    refuse_impersonation(caller, headers)
    return caller


def refuse_impersonation(caller: Caller, headers: Iterable[tuple[str, str]]) -> None:
    """403 for a request that acts as another user (kubectl's `--as`, `--as-group`, `--as-uid`: `Impersonate-*`
    headers). A sandbox has one user, so there is nobody else to be; answering as the owner instead would tell
    `kubectl auth can-i --as=...` what the owner may do. Impersonating oneself is the request itself."""
    asked = {key.lower(): value for key, value in headers if key.lower().startswith("impersonate-")}
    if not asked or asked == {"impersonate-user": caller.username}:
        return
    who = asked.get("impersonate-user") or "another user"
    raise Status(403, "Forbidden", f'impersonation is not simulated: User "{caller.username}" cannot act as "{who}" '
                                   "here (a sandbox has one user, its owner, who may do everything in it)", {})


def token_sandbox(request: HttpRequest) -> uuid.UUID:
    """The sandbox the request's bearer token opens (401 Status without a valid one)."""
    return _valid_token(request.headers.get("Authorization", ""))[1]


def _valid_token(header: str) -> tuple[int, uuid.UUID, str, datetime | None]:
    """(pk, sandbox id, owner's username, last used) of the live token in a `Bearer` header, else 401."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    found = (SandboxToken.objects.filter(key_hash=tokens.token_hash(token.strip()), revoked_at__isnull=True)
             .values_list("pk", "sandbox_id", "sandbox__owner__username", "last_used_at").first())
    if found is None:
        raise unauthorized()
    return found


def authenticate_header(header: str, sandbox_id: uuid.UUID) -> Caller:
    """`authenticate` for the value of an `Authorization` header (the exec WebSocket reads it from the scope)."""
    pk, token_sandbox, username, last_used = _valid_token(header)
    if token_sandbox != sandbox_id:
        raise Status(403, "Forbidden", f'forbidden: User "{username}" cannot access sandbox "{sandbox_id}": '
                                       "this token opens another sandbox only", {})
    now = timezone.now()
    if last_used is None or now - last_used > TOUCH_EVERY:
        SandboxToken.objects.filter(pk=pk).update(last_used_at=now)
    return Caller(sandbox_id=token_sandbox, username=username)
