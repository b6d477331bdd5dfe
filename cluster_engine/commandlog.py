"""The sandbox's command history (SandboxCommand): what each learner's request was, refused ones included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cluster_engine.models import SandboxCommand

COMMAND_TEXT_LIMIT = 65_536  # an editor's manifest is kept whole in the command history up to this size


@dataclass(frozen=True)
class CommandLog:
    """What to record in the sandbox's command history for a request (SandboxCommand)."""

    source: str
    text: str
    exit_code: int | None = None


def record_command(sandbox_pk: Any, entry: CommandLog, *, sim_time: float | None,
                   resource_version: int | None) -> None:
    """Add `entry` to the history, in the caller's transaction; `sim_time` and `resource_version` say when it ran
    (None for a refused request, whose write rolled back)."""
    SandboxCommand.objects.create(sandbox_id=sandbox_pk, sim_time=sim_time, source=entry.source,
                                  text=entry.text[:COMMAND_TEXT_LIMIT], exit_code=entry.exit_code,
                                  resource_version=resource_version)


def sandbox_command_refused(*, sandbox_id: Any, entry: CommandLog) -> None:
    """Record a request the sandbox refused with a `Status` (its write rolled back), so the history is complete."""
    record_command(sandbox_id, entry, sim_time=None, resource_version=None)


def editor_log(text: str, *, dry_run: bool, exit_code: int = 0) -> CommandLog:
    """An editor apply in the command history: the manifest itself, as `kubectl apply -f -` would read it."""
    return CommandLog(SandboxCommand.EDITOR, f"kubectl apply{' --dry-run=server' if dry_run else ''} -f -\n{text}",
                      exit_code)
