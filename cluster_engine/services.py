"""Every write to a sandbox: the api-server role of the web process, and the reconcile run by workers.

Each write loads the engine from the sandbox row, changes it, and stores it back with a version check
(plus a row lock on PostgreSQL), so two writers never lose each other's update. A failed request raises
a `Status` before anything is stored: the sandbox stays exactly as it was.

What a write also records or sets off has a module of its own: the change log (`changelog`), the command
history (`commandlog`), wake-ups of the worker (`wakeups`), a worker's kept engines (`kept_engines`). Replies
to the page are `replies`; time control is `control`; tokens and kubeconfigs are `tokens`.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cluster_engine import changelog, commandlog, engine, realtime, redis_pool, wakeups, wallclock
from cluster_engine.engine import Status, conflict, field_problems, parse_objects, too_many_requests
from cluster_engine.fields import CompressedJSONField, EncodedJSON
from cluster_engine.kept_engines import this_process as _kept_engines
from cluster_engine.models import PLAYGROUND_KEY, Sandbox, SandboxChange, SandboxCommand
from cluster_engine.signals import sandbox_changed

logger = logging.getLogger(__name__)
T = TypeVar("T")

COMMANDS_PER_MINUTE = 120
WRITE_ATTEMPTS = 5


def actor_for(user: AbstractBaseUser) -> str:
    return f"user:{user.get_username()}"


# ------------------------------------------------------------------ creating and resetting

def playground_scenario() -> dict[str, Any]:
    return engine.default_scenario()


def _new_seed() -> int:
    """Each sandbox gets its own seed: the same lesson plays out alike but not identically for everyone."""
    return random.SystemRandom().randrange(2**31)


def sandbox_get_or_create(*, owner: AbstractBaseUser, key: str = PLAYGROUND_KEY,
                          scenario: dict[str, Any] | None = None) -> Sandbox:
    """The learner's sandbox for `key`, created from `scenario` (the playground's when None) if it does not exist.

    An existing sandbox keeps the scenario it was started from: `sandbox_reset(scenario=...)` changes it."""
    existing = Sandbox.objects.filter(owner=owner, key=key).first()
    if existing is not None:
        return existing
    scenario = scenario or playground_scenario()
    cluster = engine.new_cluster(scenario, seed=_new_seed(), wall_now=wallclock.wall_now())
    sandbox = Sandbox(owner=owner, key=key, scenario=scenario)
    _store_fields(sandbox, cluster)
    changes = [*engine.initial_changes(cluster), *engine.drain_changes(cluster)]
    sandbox.history_from = _history_start(sandbox, changes)
    try:
        with transaction.atomic():
            sandbox.save()
            changelog.record_changes(sandbox, changelog.change_rows(sandbox.pk, changes))
    except IntegrityError:  # a concurrent request created it first
        return Sandbox.objects.get(owner=owner, key=key)
    transaction.on_commit(lambda: wakeups.reconcile_soon(sandbox.id))
    return sandbox


@transaction.atomic
def sandbox_reset(*, sandbox: Sandbox, scenario: dict[str, Any] | None = None) -> Sandbox:
    """Rebuild the sandbox from its scenario (or from `scenario`, which it then keeps): a fresh cluster, change
    log and command history cleared, resourceVersion kept rising so open pages notice."""
    locked = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
    previous_resource_version = locked.resource_version
    if scenario is not None:
        locked.scenario = scenario
    cluster = engine.new_cluster(locked.scenario, seed=_new_seed(), wall_now=wallclock.wall_now(),
                                 first_resource_version=locked.resource_version)
    SandboxChange.objects.filter(sandbox=locked).delete()
    SandboxCommand.objects.filter(sandbox=locked).delete()
    _store_fields(locked, cluster)
    changes = [*engine.initial_changes(cluster), *engine.drain_changes(cluster)]
    # The new cluster's starting objects keep the low resourceVersions they were built with; nothing from before
    # the reset can be rebuilt from the log any more.
    locked.history_from = max(_history_start(locked, changes), previous_resource_version)
    locked.version += 1
    locked.hibernating = False
    locked.last_active_at = timezone.now()
    locked.save()
    changelog.record_changes(locked, changelog.change_rows(locked.pk, changes))
    snapshot = engine.snapshot(cluster)
    transaction.on_commit(lambda: (realtime.publish_batch(locked.id, {"reset": True, **snapshot}),
                                   wakeups.reconcile_soon(locked.id)))
    return locked


def _history_start(sandbox: Sandbox, changes: list[dict[str, Any]]) -> int:
    """Where the change log of a just-built cluster starts: before its earliest recorded change (its starting
    objects, logged as the actor `scenario`, then what was drained), so the log replays it from empty."""
    return min(int(change["resourceVersion"]) for change in changes) - 1 if changes else sandbox.resource_version


def _store_fields(sandbox: Sandbox, cluster: engine.Cluster) -> None:
    sandbox.state = engine.dump(cluster)
    sandbox.resource_version = engine.resource_version(cluster)
    sandbox.speed, sandbox.paused = engine.speed_and_paused(cluster)


def sandbox_set_live(*, sandbox: Sandbox, key: str, seconds: float) -> None:
    """Mark what the page evaluates live against the sandbox (`key`, opaque here) for the next `seconds`;
    an empty key stops it. `sandbox_changed` receivers read it from the row each write already loads."""
    until = timezone.now() + timedelta(seconds=seconds) if key else None
    Sandbox.objects.filter(pk=sandbox.pk).update(live_key=key, live_until=until)
    sandbox.live_key, sandbox.live_until = key, until


def sandbox_set_watched(*, sandbox_id: Any, seconds: float) -> None:
    """Someone reads the sandbox live (an instructor's read-only page) for the next `seconds`: until then the
    owner's terminal and editor answers are also published on its group (`terminal` messages), which nobody
    would otherwise receive. The owner's requests read the flag from the row they load anyway."""
    Sandbox.objects.filter(pk=sandbox_id).update(watched_until=timezone.now() + timedelta(seconds=seconds))


def watched(sandbox: Sandbox) -> bool:
    """Whether someone reads the sandbox live now (`sandbox_set_watched`), as the loaded row says."""
    return sandbox.watched_until is not None and sandbox.watched_until > timezone.now()


# ------------------------------------------------------------------ the write path


@dataclass
class WriteResult:
    """What a write returned, plus what it changed (already published and recorded)."""

    value: Any
    resource_version: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    last_active_at: datetime | None = None  # as the row holds it after the write
    watched: bool = False  # someone reads the sandbox live (sandbox_set_watched)


def sandbox_write(*, sandbox_id: Any, operation: Callable[[engine.Cluster], T], dry_run: bool = False,
                  touch: bool = True, always_store: bool = False, lock: bool = True,
                  wake_worker: bool = True, log: Callable[[T], commandlog.CommandLog] | None = None,
                  author: AbstractBaseUser | None = None) -> WriteResult:
    """Run `operation` on the sandbox's engine and store the result atomically.

    `operation` raises `Status` to refuse: nothing is stored then. With `dry_run` the operation runs on a
    copy that is thrown away. The state is stored when objects changed, or always with `always_store`
    (the clock or settings moved). A concurrent write makes this retry on fresh state; after WRITE_ATTEMPTS
    misses it raises a 409 Conflict Status.

    With `lock` (learners' requests) the row stays locked from read to commit, so a request never has to
    redo its work. Without it (reconciles) the state is read unlocked and only the final version-checked
    UPDATE takes the lock: a learner's request then never waits behind a reconcile's computation; the
    reconcile is the one that starts again when both wrote at once.

    With `wake_worker` a write that changed objects enqueues a reconcile (controllers react to it); a
    reconcile itself passes False: it ran until idle, and schedules its own next wake-up.

    With `log`, what the request was (`log(value)`) joins the sandbox's command history in the same
    transaction, whether or not it changed anything. After a commit that changed objects, `sandbox_changed`
    is sent (cluster_engine/signals.py).

    With `author` (a learner's request), only the sandbox's owner may write: anyone else (an instructor who
    reads it) gets a 403 Forbidden Status and nothing runs. Reconciles pass no author.
    """
    for attempt in range(WRITE_ATTEMPTS):
        with transaction.atomic():
            locking = lock or attempt == WRITE_ATTEMPTS - 1  # a reconcile outrun this often waits its turn
            if locking:
                sandbox = Sandbox.objects.select_for_update().defer("scenario").get(pk=sandbox_id)
                _kept_engines.take(sandbox_id, None)
                cluster = engine.load(sandbox.state)
            else:
                sandbox, cluster = _read_unlocked(sandbox_id)
            if author is not None and sandbox.owner_id != author.pk:
                raise read_only_status(author)
            engine.sync_clock(cluster, wallclock.wall_now())
            value = operation(cluster)  # raises Status: the transaction stores nothing
            changes = engine.drain_changes(cluster)
            if dry_run or not (changes or always_store):
                if touch and not dry_run:
                    _touch(sandbox)
                if log is not None:
                    commandlog.record_command(sandbox.pk, log(value), sim_time=cluster.now,
                                 resource_version=sandbox.resource_version)
                return WriteResult(value, sandbox.resource_version, [], sandbox.last_active_at,
                                   watched=author is not None and watched(sandbox))
            old_version = sandbox.version
            sandbox_previous_rv = sandbox.resource_version
            # Everything that takes CPU is prepared before the UPDATE takes the row lock (a reconcile runs
            # at a lower priority: whatever it does while holding the lock, a learner's request waits for).
            state = CompressedJSONField.encode(engine.dump(cluster))
            change_rows = changelog.change_rows(sandbox.pk, changes)
            batch = engine.batch(cluster, changes, previous_resource_version=sandbox_previous_rv) if changes else None
            speed, paused = engine.speed_and_paused(cluster)
            new_rv = engine.resource_version(cluster)
            last_active_at = timezone.now() if touch else sandbox.last_active_at
            updated = Sandbox.objects.filter(pk=sandbox.pk, version=old_version).update(
                state=EncodedJSON(state), version=F("version") + 1, resource_version=new_rv, speed=speed,
                paused=paused, hibernating=False, last_active_at=last_active_at)
            if updated != 1:
                continue  # somebody else stored first: start again from their state
            sandbox.resource_version = new_rv
            changelog.record_changes(sandbox, change_rows)
            if log is not None:
                commandlog.record_command(sandbox.pk, log(value), sim_time=cluster.now, resource_version=new_rv)
            if batch is not None:
                transaction.on_commit(functools.partial(_after_write, sandbox_id, batch, wake_worker=wake_worker))
            if batch is not None or not lock:
                # Before the engine is kept (below): receivers read it while no other reconcile can take it. A
                # reconcile announces itself even when it changed nothing: what a write asked receivers to look
                # at is looked at there.
                transaction.on_commit(functools.partial(_announce_change, sandbox, cluster,
                                                        batch["changes"] if batch is not None else [],
                                                        source="write" if lock else "reconcile"))
            if not lock:
                transaction.on_commit(functools.partial(_kept_engines.keep, sandbox_id, old_version + 1, cluster,
                                                        stored_bytes=len(state)))
            return WriteResult(value, new_rv, changes, last_active_at,
                               watched=author is not None and watched(sandbox))
    raise conflict("sandboxes", str(sandbox_id), why="too many concurrent writes; please try again")


class ReadOnly(Status):
    """A write by someone who may only read the sandbox (its owner's instructor): 403 Forbidden. Never part of
    the owner's history, unlike the owner's own refused requests (a ResourceQuota's 403 among them)."""


def read_only_status(user: AbstractBaseUser) -> ReadOnly:
    return ReadOnly(403, "Forbidden",
                    f'User "{user.get_username()}" may only read this sandbox: it belongs to another learner')


def _read_unlocked(sandbox_id: Any) -> tuple[Sandbox, engine.Cluster]:
    """A reconcile's read: the row without its state when this process still holds the engine of the stored
    version (one query, nothing to decode), else the row with it."""
    kept_version = _kept_engines.version_of(sandbox_id)
    if kept_version is not None:
        sandbox = Sandbox.objects.defer("scenario", "state").get(pk=sandbox_id)
        cluster = _kept_engines.take(sandbox_id, sandbox.version)
        if cluster is not None:
            return sandbox, cluster
        return sandbox, engine.load(Sandbox.objects.filter(pk=sandbox_id).values_list("state", flat=True).get())
    sandbox = Sandbox.objects.defer("scenario").get(pk=sandbox_id)
    return sandbox, engine.load(sandbox.state)


def _after_write(sandbox_id: Any, batch: dict[str, Any], *, wake_worker: bool) -> None:
    realtime.publish_batch(sandbox_id, batch)
    if wake_worker:
        wakeups.reconcile_soon(sandbox_id)


def _announce_change(sandbox: Sandbox, cluster: engine.Cluster, changes: list[dict[str, Any]], *, source: str) -> None:
    for receiver, outcome in sandbox_changed.send_robust(sender=Sandbox, sandbox=sandbox, cluster=cluster,
                                                         changes=changes, source=source):
        if isinstance(outcome, Exception):
            logger.error("sandbox_changed receiver %r failed", receiver, exc_info=outcome)


def _touch(sandbox: Sandbox) -> None:
    Sandbox.objects.filter(pk=sandbox.pk).update(last_active_at=timezone.now(), hibernating=False)
    if sandbox.hibernating:
        transaction.on_commit(lambda: wakeups.reconcile_soon(sandbox.pk))


def rate_limit(*, user: AbstractBaseUser) -> None:
    """Refuse more than COMMANDS_PER_MINUTE commands a minute from one user (429 Status)."""
    key = f"{settings.REDIS_KEY_PREFIX}:rate:{user.pk}:{int(wallclock.wall_now() // 60)}"
    pipeline = redis_pool.connection().pipeline(transaction=False)  # one round trip
    count, _expiry_set = pipeline.incr(key).expire(key, 120).execute()
    if count > COMMANDS_PER_MINUTE:
        raise too_many_requests(
            f"too many requests: at most {COMMANDS_PER_MINUTE} commands a minute per learner; wait a moment")


# ------------------------------------------------------------------ learner verbs

def sandbox_apply_yaml(*, sandbox_id: Any, user: AbstractBaseUser, text: str, dry_run: bool = False,
                       namespace: str = "default") -> WriteResult:
    """`kubectl apply -f -`: every document is applied in one transaction, or none is (the first error wins).

    Returns, as `value`, the list of `{object, action}` (`created`, `configured`, `unchanged`).
    """
    rate_limit(user=user)
    documents = parse_objects(text)
    if not documents:
        raise Status(400, "BadRequest", "no objects passed to apply")
    actor = actor_for(user)

    def apply_all(cluster: engine.Cluster) -> list[dict[str, Any]]:
        results = []
        for document in documents:
            try:
                results.append(engine.apply(cluster, document.body, actor=actor, namespace=namespace,
                                            dry_run=dry_run))
            except Status as error:
                # Where it went wrong, for the editor: each field the error names, at the line it is written on
                # (lines count from the top of the whole text, across documents).
                problems = field_problems(error, document.node)
                if problems:
                    error.details["fields"] = problems
                located = next((p for p in problems if "line" in p), None)
                error.details.setdefault("line", located["line"] if located else document.line)
                if located:
                    error.details.setdefault("column", located["column"])
                raise
        return results

    return sandbox_write(sandbox_id=sandbox_id, operation=apply_all, dry_run=dry_run,
                         log=lambda _value: commandlog.editor_log(text, dry_run=dry_run), author=user)


# ------------------------------------------------------------------ reconcile (workers)

def asynchronous_commits(sender: Any, connection: Any, **_kwargs: Any) -> None:
    """For workers' database connections (config/celery_app.py): PostgreSQL acknowledges a commit before it
    reaches the disk. A crash of the database could then lose the last fraction of a second of reconciles,
    which the next reconcile simply redoes from the state before them (simulated time catches up); learners'
    own writes, made by the web process, stay synchronous."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def sandbox_reconcile(*, sandbox_id: Any) -> float | None:
    """Advance the sandbox's clock to now and let its components act until idle; store and publish.

    Returns the wall time of the next wake-up it scheduled (None when idle or hibernating).
    Idempotent: a redelivered task just finds less (or nothing) to do.
    """
    wakeups.reconcile_started(sandbox_id)

    def advance(cluster: engine.Cluster) -> float | None:
        engine.advance(cluster, wallclock.wall_now())
        return engine.next_wakeup_wall(cluster)

    result = sandbox_write(sandbox_id=sandbox_id, operation=advance, touch=False, always_store=True, lock=False,
                           wake_worker=False)
    due, last_active_at = result.value, result.last_active_at
    if last_active_at is not None and timezone.now() - last_active_at > wakeups.HIBERNATE_AFTER:
        Sandbox.objects.filter(pk=sandbox_id).update(hibernating=True)
        return None
    if due is not None:
        wakeups.schedule_wakeup(sandbox_id, due)
    return due
