"""Reads of sandboxes, with who may see what."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from cluster_engine import access, engine
from cluster_engine.models import Sandbox, SandboxChange, SandboxCommand


def sandbox_for_viewer(*, sandbox_id: Any, user: AbstractBaseUser | AnonymousUser) -> tuple[Sandbox, bool]:
    """The sandbox and whether `user` may only read it.

    The owner reads and writes (False). Anyone a rule of `cluster_engine.access` admits (an instructor of the
    owner's cohort, staff) only reads (True). Raises Sandbox.DoesNotExist for an unknown id *and* for a sandbox
    the user may not see at all (so ids leak nothing), PermissionDenied for anonymous users.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    if sandbox.owner_id == user.pk:
        return sandbox, False
    if access.may_read(user, sandbox):
        return sandbox, True
    raise Sandbox.DoesNotExist


def sandbox_list(*, user: AbstractBaseUser) -> list[Sandbox]:
    return list(Sandbox.objects.filter(owner=user).order_by("created_at"))


def sandbox_changes_since(*, sandbox: Sandbox, since: int, limit: int = 2000) -> list[SandboxChange] | None:
    """The changes after resourceVersion `since`, oldest first; None if the log no longer reaches back
    that far (the caller then sends a fresh snapshot)."""
    if since >= sandbox.resource_version:
        return []
    changes = list(SandboxChange.objects.filter(sandbox=sandbox, resource_version__gt=since)
                   .order_by("resource_version")[: limit + 1])
    if not changes or changes[0].resource_version > since + 1 or len(changes) > limit:
        return None
    return changes


def sandbox_change_log(*, sandbox: Sandbox, after: int, until: int | None = None,
                       limit: int = 2000) -> tuple[list[SandboxChange], bool]:
    """One page of the whole recorded history, oldest first: the changes with a resourceVersion above `after` and
    at most `until` (None: up to now), at most `limit` of them, and whether more follow."""
    changes = SandboxChange.objects.filter(sandbox=sandbox, resource_version__gt=after)
    if until is not None:
        changes = changes.filter(resource_version__lte=until)
    page = list(changes.order_by("resource_version")[: limit + 1])
    return page[:limit], len(page) > limit


def sandbox_settings(sandbox: Sandbox, *, read_only: bool, components: dict[str, bool]) -> dict[str, Any]:
    """The `sandbox` object of docs/realtime.md."""
    return {
        "id": str(sandbox.id),
        "key": sandbox.key,
        "speed": sandbox.speed,
        "paused": sandbox.paused,
        "readOnly": read_only,
        "components": components,
    }


def sandbox_with_engine(*, sandbox_id: Any) -> tuple[Sandbox, engine.Cluster]:
    """The sandbox row and its engine, from one read of the row: the objects, the resourceVersion and the
    clock all belong to the same stored write (a consistent reading for the grader). Takes no lock."""
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    return sandbox, engine.load(sandbox.state)


def sandbox_changes_of_kinds(*, sandbox_id: Any, kinds: Iterable[str], up_to: int) -> list[SandboxChange]:
    """The recorded changes of these kinds up to resourceVersion `up_to`, oldest first (objects decoded on use)."""
    return list(SandboxChange.objects.filter(sandbox_id=sandbox_id, kind__in=list(kinds),
                                             resource_version__lte=up_to).order_by("resource_version"))


def sandbox_command_history(*, sandbox_id: Any, limit: int = 500) -> list[SandboxCommand]:
    """The learner's latest requests to the sandbox (terminal, editor, Kubernetes API), oldest first."""
    latest = SandboxCommand.objects.filter(sandbox_id=sandbox_id).order_by("-id")[:limit]
    return list(reversed(latest))
