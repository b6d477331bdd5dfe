"""Every write to a sandbox: the api-server role of the web process, and the reconcile run by workers.

Each write loads the engine from the sandbox row, changes it, and stores it back with a version check
(plus a row lock on PostgreSQL), so two writers never lose each other's update. A failed request raises
a `Status` before anything is stored: the sandbox stays exactly as it was.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cluster_engine import engine, realtime, selectors
from cluster_engine.fields import CompressedJSONField, EncodedJSON
from cluster_engine.models import PLAYGROUND_KEY, Sandbox, SandboxChange, SandboxCommand
from cluster_engine.signals import sandbox_changed
from cluster_engine.sim.errors import Status, conflict, too_many_requests
from cluster_engine.sim.manifests import field_problems, parse_objects

logger = logging.getLogger(__name__)
T = TypeVar("T")

HISTORY_LIMIT = 2000
HIBERNATE_AFTER = timedelta(minutes=30)
COMMANDS_PER_MINUTE = 120
COMMAND_TEXT_LIMIT = 65_536  # an editor's manifest is kept whole in the command history up to this size
WRITE_ATTEMPTS = 5


def wall_now() -> float:
    """The one place the wall clock enters: the engine converts it to simulated time itself."""
    return time.time()


@functools.cache
def _redis_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)  # one connection pool per process, shared by its threads


def _redis() -> redis.Redis:
    return _redis_for(settings.REDIS_URL)


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
    cluster = engine.new_cluster(scenario, seed=_new_seed(), wall_now=wall_now())
    sandbox = Sandbox(owner=owner, key=key, scenario=scenario)
    _store_fields(sandbox, cluster)
    changes = [*engine.initial_changes(cluster), *engine.drain_changes(cluster)]
    sandbox.history_from = _history_start(sandbox, changes)
    try:
        with transaction.atomic():
            sandbox.save()
            _record_changes(sandbox, _change_rows(sandbox.pk, changes))
    except IntegrityError:  # a concurrent request created it first
        return Sandbox.objects.get(owner=owner, key=key)
    transaction.on_commit(lambda: reconcile_soon(sandbox.id))
    return sandbox


@transaction.atomic
def sandbox_reset(*, sandbox: Sandbox, scenario: dict[str, Any] | None = None) -> Sandbox:
    """Rebuild the sandbox from its scenario (or from `scenario`, which it then keeps): a fresh cluster, change
    log and command history cleared, resourceVersion kept rising so open pages notice."""
    locked = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
    previous_resource_version = locked.resource_version
    if scenario is not None:
        locked.scenario = scenario
    cluster = engine.new_cluster(locked.scenario, seed=_new_seed(), wall_now=wall_now(),
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
    _record_changes(locked, _change_rows(locked.pk, changes))
    snapshot = engine.snapshot(cluster)
    transaction.on_commit(lambda: (realtime.publish_batch(locked.id, {"reset": True, **snapshot}),
                                   reconcile_soon(locked.id)))
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


def _watched(sandbox: Sandbox) -> bool:
    return sandbox.watched_until is not None and sandbox.watched_until > timezone.now()


def _publish_terminal(sandbox_id: Any, *, source: str, text: str, message: dict[str, Any]) -> None:
    """What the owner typed and what they were answered, for the sandbox's read-only watchers."""
    realtime.publish_terminal(sandbox_id, {"source": source, "command": text[:COMMAND_TEXT_LIMIT],
                                           "ok": bool(message["ok"]), "output": message["output"] or "",
                                           "error": message["error"] or ""})


# ------------------------------------------------------------------ the write path

class KeptEngines:
    """The engines a worker process stored last, by sandbox: the next reconcile of the same sandbox (a timer's
    wake-up) skips reading and decoding the state when nobody wrote in between. A kept engine and its stored
    state are interchangeable (test_properties: a reloaded cluster continues exactly as the original). An entry
    is taken out while in use, so a failed write leaves none behind, and kept only once its write committed.

    The least recently stored go first once the engines' estimated memory passes `budget_bytes`: an engine
    takes up to 50 times its stored (compressed) state (measured: 33x for a lesson's cluster, 48x with 100
    replicas)."""

    MEMORY_PER_STORED_BYTE = 50

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._engines: OrderedDict[str, tuple[int, engine.Cluster, int]] = OrderedDict()
        self._used_bytes = 0
        self._lock = threading.Lock()

    def version_of(self, sandbox_id: Any) -> int | None:
        with self._lock:
            kept = self._engines.get(str(sandbox_id))
        return kept[0] if kept is not None else None

    def take(self, sandbox_id: Any, version: int | None) -> engine.Cluster | None:
        with self._lock:
            kept = self._engines.pop(str(sandbox_id), None)
            if kept is not None:
                self._used_bytes -= kept[2]
        return kept[1] if kept is not None and kept[0] == version else None

    def keep(self, sandbox_id: Any, version: int, cluster: engine.Cluster, *, stored_bytes: int) -> None:
        estimate = stored_bytes * self.MEMORY_PER_STORED_BYTE
        with self._lock:
            previous = self._engines.pop(str(sandbox_id), None)
            if previous is not None:
                self._used_bytes -= previous[2]
            if estimate > self.budget_bytes:
                return
            self._engines[str(sandbox_id)] = (version, cluster, estimate)
            self._used_bytes += estimate
            while self._used_bytes > self.budget_bytes:
                _, (_, _, evicted) = self._engines.popitem(last=False)
                self._used_bytes -= evicted

    def __len__(self) -> int:
        return len(self._engines)


_kept_engines = KeptEngines(budget_bytes=settings.SANDBOX_KEPT_ENGINES_MB * 2**20)


@dataclass
class WriteResult:
    """What a write returned, plus what it changed (already published and recorded)."""

    value: Any
    resource_version: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    last_active_at: datetime | None = None  # as the row holds it after the write
    watched: bool = False  # someone reads the sandbox live (sandbox_set_watched)


@dataclass(frozen=True)
class CommandLog:
    """What to record in the sandbox's command history for a request (SandboxCommand)."""

    source: str
    text: str
    exit_code: int | None = None


def sandbox_write(*, sandbox_id: Any, operation: Callable[[engine.Cluster], T], dry_run: bool = False,
                  touch: bool = True, always_store: bool = False, lock: bool = True,
                  wake_worker: bool = True, log: Callable[[T], CommandLog] | None = None,
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
            engine.sync_clock(cluster, wall_now())
            value = operation(cluster)  # raises Status: the transaction stores nothing
            changes = engine.drain_changes(cluster)
            if dry_run or not (changes or always_store):
                if touch and not dry_run:
                    _touch(sandbox)
                if log is not None:
                    _log_command(sandbox.pk, log(value), sim_time=cluster.now,
                                 resource_version=sandbox.resource_version)
                return WriteResult(value, sandbox.resource_version, [], sandbox.last_active_at,
                                   watched=author is not None and _watched(sandbox))
            old_version = sandbox.version
            sandbox_previous_rv = sandbox.resource_version
            # Everything that takes CPU is prepared before the UPDATE takes the row lock (a reconcile runs
            # at a lower priority: whatever it does while holding the lock, a learner's request waits for).
            state = CompressedJSONField.encode(engine.dump(cluster))
            change_rows = _change_rows(sandbox.pk, changes)
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
            _record_changes(sandbox, change_rows)
            if log is not None:
                _log_command(sandbox.pk, log(value), sim_time=cluster.now, resource_version=new_rv)
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
                               watched=author is not None and _watched(sandbox))
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
        reconcile_soon(sandbox_id)


def _announce_change(sandbox: Sandbox, cluster: engine.Cluster, changes: list[dict[str, Any]], *, source: str) -> None:
    for receiver, outcome in sandbox_changed.send_robust(sender=Sandbox, sandbox=sandbox, cluster=cluster,
                                                         changes=changes, source=source):
        if isinstance(outcome, Exception):
            logger.error("sandbox_changed receiver %r failed", receiver, exc_info=outcome)


def _log_command(sandbox_pk: Any, entry: CommandLog, *, sim_time: float | None, resource_version: int) -> None:
    SandboxCommand.objects.create(sandbox_id=sandbox_pk, sim_time=sim_time, source=entry.source,
                                  text=entry.text[:COMMAND_TEXT_LIMIT], exit_code=entry.exit_code,
                                  resource_version=resource_version)


def sandbox_command_refused(*, sandbox_id: Any, entry: CommandLog) -> None:
    """Record a request the sandbox refused with a `Status` (its write rolled back), so the history is complete."""
    SandboxCommand.objects.create(sandbox_id=sandbox_id, sim_time=None, source=entry.source,
                                  text=entry.text[:COMMAND_TEXT_LIMIT], exit_code=entry.exit_code,
                                  resource_version=None)


def _touch(sandbox: Sandbox) -> None:
    Sandbox.objects.filter(pk=sandbox.pk).update(last_active_at=timezone.now(), hibernating=False)
    if sandbox.hibernating:
        transaction.on_commit(lambda: reconcile_soon(sandbox.pk))


CHANGE_COLUMNS = ("sandbox", "resource_version", "sim_time", "event_type", "actor", "verb", "reason", "kind",
                  "namespace", "name", "object")


@functools.cache
def _change_fields() -> list[Any]:
    return [SandboxChange._meta.get_field(name) for name in CHANGE_COLUMNS]


def _change_rows(sandbox_pk: Any, changes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The change log's rows for `changes`, values ready for the database (objects compressed)."""
    if not changes:
        return []
    columns = _change_fields()
    sandbox_key = columns[0].get_db_prep_save(sandbox_pk, connection)
    object_column = columns[-1]
    return [(sandbox_key, int(change["resourceVersion"]), change["time"], change["type"], change["actor"],
             change["verb"], change["reason"][:200], change["kind"], change["namespace"], change["name"],
             object_column.get_db_prep_save(change["object"], connection)) for change in changes]


def _record_changes(sandbox: Sandbox, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    # One prepared INSERT run for every row (psycopg pipelines it): `bulk_create` assembled the SQL value by
    # value in Python, a quarter of a reconcile's time when a reconcile records a few dozen changes.
    columns = _change_fields()
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values bound
        connection.ops.quote_name(SandboxChange._meta.db_table),
        ", ".join(connection.ops.quote_name(column.column) for column in columns),
        ", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    first, last = rows[0][1], rows[-1][1]
    # Prune in bulk each time the log grows past another HISTORY_LIMIT versions, not on every write.
    if first // HISTORY_LIMIT != (last + 1) // HISTORY_LIMIT and last > HISTORY_LIMIT:
        cutoff = (SandboxChange.objects.filter(sandbox=sandbox).order_by("-resource_version")
                  .values_list("resource_version", flat=True)[HISTORY_LIMIT - 1:HISTORY_LIMIT].first())
        if cutoff is not None:
            SandboxChange.objects.filter(sandbox=sandbox, resource_version__lt=cutoff).delete()
            Sandbox.objects.filter(pk=sandbox.pk).update(history_from=cutoff - 1)


def rate_limit(*, user: AbstractBaseUser) -> None:
    """Refuse more than COMMANDS_PER_MINUTE commands a minute from one user (429 Status)."""
    key = f"{settings.REDIS_KEY_PREFIX}:rate:{user.pk}:{int(wall_now() // 60)}"
    pipeline = _redis().pipeline(transaction=False)  # one round trip
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
                         log=lambda _value: _editor_log(text, dry_run=dry_run), author=user)


def _editor_log(text: str, *, dry_run: bool, exit_code: int = 0) -> CommandLog:
    """An editor apply in the command history: the manifest itself, as `kubectl apply -f -` would read it."""
    return CommandLog(SandboxCommand.EDITOR, f"kubectl apply{' --dry-run=server' if dry_run else ''} -f -\n{text}",
                      exit_code)


# ------------------------------------------------------------------ reconcile (workers)

def warm_up_publishing() -> None:
    """Load, at server start, what the first enqueued reconcile would otherwise load inside a learner's
    request: the broker's transport and the result backend's modules (a third of a second here). Nothing
    connects yet."""
    from cluster_engine.tasks import reconcile

    app = reconcile.app
    _ = app.amqp.producer_pool, app.backend, app.connection_for_write().transport


def reconcile_soon(sandbox_id: Any) -> None:
    """Enqueue one reconcile for the sandbox unless one is already waiting (de-duplicated in Redis)."""
    from cluster_engine.tasks import reconcile

    if not _redis().set(f"{settings.REDIS_KEY_PREFIX}:reconcile:{sandbox_id}", "1", nx=True, ex=30):
        return
    reconcile.apply_async(args=[str(sandbox_id)])


def schedule_wakeup(sandbox_id: Any, due_wall: float) -> None:
    """Make sure a reconcile runs at `due_wall` (wall seconds); an earlier pending wake-up suffices."""
    from cluster_engine.tasks import reconcile

    now = wall_now()
    # Nothing further than the hibernation horizon needs a task: the next reconcile looks again. Nor further
    # than half the broker's visibility timeout: Redis hands a message back to the queue when it stays
    # unacknowledged longer, and a task held for its countdown would then run twice (or more).
    due_wall = min(due_wall, now + HIBERNATE_AFTER.total_seconds(), now + _longest_countdown())
    key = f"{settings.REDIS_KEY_PREFIX}:wakeups:{sandbox_id}"
    claim_wakeup = _wakeup_script(settings.REDIS_URL)
    if not claim_wakeup(keys=[key], args=[repr(now), repr(due_wall), max(1, int(due_wall - now) + 600)]):
        return
    reconcile.apply_async(args=[str(sandbox_id)], countdown=max(0.0, due_wall - now))


def _longest_countdown() -> float:
    return max(1.0, settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) / 2)


# One round trip: the sandbox's pending wake-ups are a sorted set of their times. A new one is needed unless
# one is pending (still in the future) no later than the new due time; the past ones are forgotten.
_CLAIM_WAKEUP = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], tonumber(ARGV[2]) + 0.01) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


@functools.cache
def _wakeup_script(url: str) -> Any:
    return _redis_for(url).register_script(_CLAIM_WAKEUP)


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
    _redis().delete(f"{settings.REDIS_KEY_PREFIX}:reconcile:{sandbox_id}")

    def advance(cluster: engine.Cluster) -> float | None:
        engine.advance(cluster, wall_now())
        return engine.next_wakeup_wall(cluster)

    result = sandbox_write(sandbox_id=sandbox_id, operation=advance, touch=False, always_store=True, lock=False,
                           wake_worker=False)
    due, last_active_at = result.value, result.last_active_at
    if last_active_at is not None and timezone.now() - last_active_at > HIBERNATE_AFTER:
        Sandbox.objects.filter(pk=sandbox_id).update(hibernating=True)
        return None
    if due is not None:
        schedule_wakeup(sandbox_id, due)
    return due


# ------------------------------------------------------------------ replies for the page (WebSocket and REST)

REASON_TEXT = {
    "NotFound": _("The object does not exist."),
    "AlreadyExists": _("An object with that name already exists."),
    "Conflict": _("Someone changed the object first; read it again and retry."),
    "Invalid": _("The object is invalid; the message names the field."),
    "BadRequest": _("The request could not be understood."),
    "Forbidden": _("This is not allowed."),
    "TooManyRequests": _("Too many requests; wait a moment."),
    "RequestEntityTooLarge": _("The manifest is too large."),
    "MethodNotAllowed": _("That operation is not supported here."),
    "Expired": _("That version is too old; start again from a fresh list."),
}


def explain_status(status: Status) -> str:
    """The learner-facing error: a sentence in the active language, then the API server's own words."""
    lead = REASON_TEXT.get(status.reason, _("The request failed."))
    return f"{lead} {status.kubectl_text()}"


def reply(request_id: Any, *, output: str = "", error: Status | None = None, language: str = "en",
          extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `reply` message (docs/realtime.md)."""
    with translation.override(language):
        message = {
            "type": "reply",
            "id": request_id,
            "ok": error is None,
            "output": output,
            "error": explain_status(error) if error is not None else None,
            "status": error.to_dict() if error is not None else None,
            "details": dict(error.details) if error is not None else {},
        }
    if extra:
        message.update(extra)
    return message


def _summary(change: SandboxChange) -> dict[str, Any]:
    return engine.change_summary(change.resource_version, change.sim_time, change.event_type, change.actor,
                                 change.verb, change.reason, change.kind, change.namespace, change.name)


def sandbox_catch_up(*, sandbox_id: Any, since: int | None, read_only: bool) -> dict[str, Any]:
    """A `batch` with what a reconnecting page missed after `since`, or a full `snapshot`."""
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    if sandbox.hibernating:
        reconcile_soon(sandbox.pk)
    cluster = engine.load(sandbox.state)
    settings_message = selectors.sandbox_settings(sandbox, read_only=read_only,
                                                  components=engine.components(cluster))
    if since is not None:
        missed = selectors.sandbox_changes_since(sandbox=sandbox, since=since)
        if missed is not None:
            return {"type": "batch", "previousResourceVersion": str(since),
                    "resourceVersion": str(sandbox.resource_version), "time": engine.sim_time_text(cluster),
                    "events": [{"type": c.event_type, "object": c.object} for c in missed],
                    "changes": [_summary(c) for c in missed],
                    "sandbox": settings_message}
    # Summaries only: the objects stay compressed in the database (decoding 200 of them was 40% of the CPU
    # that opening a page costs).
    recent = [_summary(c) for c in reversed(SandboxChange.objects.filter(sandbox=sandbox).defer("object")
                                            .order_by("-resource_version")[:200])]
    return {"type": "snapshot", **engine.snapshot(cluster), "sandbox": settings_message, "recent": recent}


def sandbox_history(*, sandbox_id: Any, after: int, until: int | None, limit: int = 2000) -> dict[str, Any]:
    """One page of the sandbox's whole recorded history for the timeline (docs/realtime.md, `history`): the watch
    events and change summaries after resourceVersion `after` (up to `until`), oldest first; `more` tells the
    page to ask again from `last`. The log starts at the sandbox's creation or its last reset."""
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    changes, more = selectors.sandbox_change_log(sandbox=sandbox, after=after, until=until, limit=limit)
    return {"type": "history", "events": [{"type": c.event_type, "object": c.object} for c in changes],
            "changes": [_summary(c) for c in changes], "more": more,
            "last": str(changes[-1].resource_version) if changes else str(after)}


def sandbox_explanation_reply(*, sandbox_id: Any, namespace: str, name: str, request_id: Any,
                              language: str) -> dict[str, Any]:
    """The scheduler's last decision for a pod: each node's filter verdict and plugin scores (or null)."""
    state = Sandbox.objects.filter(pk=sandbox_id).values_list("state", flat=True).get()
    return reply(request_id, language=language,
                 extra={"explanation": engine.scheduling_explanation(engine.load(state), namespace, name)})


def sandbox_apply_reply(*, sandbox_id: Any, user: AbstractBaseUser, text: str, dry_run: bool, request_id: Any,
                        language: str) -> dict[str, Any]:
    try:
        result = sandbox_apply_yaml(sandbox_id=sandbox_id, user=user, text=text, dry_run=dry_run)
    except Status as error:
        message = reply(request_id, error=error, language=language)
        if error.code != 429 and not isinstance(error, ReadOnly):  # a refused manifest is part of the learner's
            # history; a rate limit or a reader's attempt is not
            sandbox_command_refused(sandbox_id=sandbox_id, entry=_editor_log(text, dry_run=dry_run, exit_code=1))
            if Sandbox.objects.filter(pk=sandbox_id, watched_until__gt=timezone.now()).exists():
                _publish_terminal(sandbox_id, source=SandboxCommand.EDITOR, text=_editor_log(text, dry_run=dry_run)
                                  .text, message=message)
        return message
    suffix = " (dry run)" if dry_run else ""
    lines = [f"{engine.kubectl_name(item['object'])} {item['action']}{suffix}" for item in result.value]
    message = reply(request_id, output="\n".join(lines), language=language)
    if result.watched:
        _publish_terminal(sandbox_id, source=SandboxCommand.EDITOR, text=_editor_log(text, dry_run=dry_run).text,
                          message=message)
    return message


CONTROL_ACTIONS = {"pause", "resume", "speed", "step", "stop-component", "start-component", "delete-pod"}


def sandbox_control(*, sandbox_id: Any, user: AbstractBaseUser, request: dict[str, Any]) -> WriteResult:
    """Time control and fault injection. Raises Status 400 for an unknown action or a missing argument."""
    rate_limit(user=user)
    action = request.get("action")
    if action not in CONTROL_ACTIONS:
        raise Status(400, "BadRequest", f"unknown control action {action!r}; expected one of "
                                        + ", ".join(sorted(CONTROL_ACTIONS)))
    actor = actor_for(user)

    def required(name: str) -> Any:
        if request.get(name) in (None, ""):
            raise Status(400, "BadRequest", f"the action {action!r} needs '{name}'")
        return request[name]

    def number(name: str) -> float:
        try:
            return float(required(name))
        except (TypeError, ValueError) as error:
            raise Status(400, "BadRequest", f"'{name}' must be a number") from error

    def act(cluster: engine.Cluster, now: float) -> None:
        if action in ("pause", "resume"):
            engine.set_paused(cluster, paused=action == "pause", wall_now=now)
        elif action == "speed":
            engine.set_speed(cluster, speed=number("value"), wall_now=now)
        elif action == "step":
            engine.step(cluster, seconds=number("seconds"), wall_now=now)
        elif action in ("stop-component", "start-component"):
            engine.set_component(cluster, str(required("component")), running=action == "start-component",
                                 actor=actor, wall_now=now)
        else:
            engine.delete_pod(cluster, namespace=str(request.get("namespace") or "default"),
                              name=str(required("name")), actor=actor, wall_now=now)

    def operate(cluster: engine.Cluster) -> tuple[dict[str, bool], str]:
        act(cluster, wall_now())
        return engine.components(cluster), engine.sim_time_text(cluster)

    result = sandbox_write(sandbox_id=sandbox_id, operation=operate, always_store=True, author=user)
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    components, sim_time = result.value
    # The simulated time at the change: a page runs its clock on from there at the new speed (or holds it).
    settings_message = {**selectors.sandbox_settings(sandbox, read_only=False, components=components),
                        "time": sim_time}
    # Even with no object changed (a stopped kubelet, a new speed) timers moved: let a worker look now.
    transaction.on_commit(lambda: (realtime.publish_sandbox(sandbox_id, settings_message), reconcile_soon(sandbox_id)))
    return result


def sandbox_control_reply(*, sandbox_id: Any, user: AbstractBaseUser, request: dict[str, Any], request_id: Any,
                          language: str) -> dict[str, Any]:
    try:
        sandbox_control(sandbox_id=sandbox_id, user=user, request=request)
    except Status as error:
        return reply(request_id, error=error, language=language)
    return reply(request_id, language=language)


def sandbox_command_reply(*, sandbox_id: Any, user: AbstractBaseUser, command: str, request_id: Any,
                          language: str) -> dict[str, Any]:
    """Run one in-page kubectl command line; reads run on the stored state, writes through sandbox_write."""
    sandbox = None
    try:
        rate_limit(user=user)
        actor = actor_for(user)
        sandbox = Sandbox.objects.only("id", "key", "watched_until").get(pk=sandbox_id)
        # `cluster-info` and `config view` show what the downloadable kubeconfig holds.
        server_url, context_name = kube_api_url(sandbox), kubeconfig_context_name(sandbox)
        output = sandbox_write(
            sandbox_id=sandbox_id,
            operation=lambda cluster: engine.run_kubectl(cluster, command, actor=actor, language=language,
                                                         server_url=server_url, context_name=context_name),
            log=lambda result: CommandLog(SandboxCommand.TERMINAL, command, result.exit_code),
            author=user,
        ).value
    except Status as error:
        message = reply(request_id, error=error, language=language)
        if error.code != 429 and not isinstance(error, ReadOnly):
            sandbox_command_refused(sandbox_id=sandbox_id,
                                    entry=CommandLog(SandboxCommand.TERMINAL, command, 1))
            if sandbox is not None and _watched(sandbox):
                _publish_terminal(sandbox_id, source=SandboxCommand.TERMINAL, text=command, message=message)
        return message
    message = reply(request_id, output=output.text, language=language,
                    extra={"ok": output.exit_code == 0, "exitCode": output.exit_code})
    if _watched(sandbox):
        _publish_terminal(sandbox_id, source=SandboxCommand.TERMINAL, text=command, message=message)
    return message


# ------------------------------------------------------------------ Kubernetes API tokens and kubeconfigs

TOKEN_PREFIX = "podlab_"  # noqa: S105 - a prefix that makes leaked tokens recognisable, not a secret
DEFAULT_KUBE_API_URL = "https://127.0.0.1:6443"


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256 hex): tokens are long and random, so no slow hash is needed."""
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def sandbox_token_create(*, sandbox: Sandbox) -> str:
    """A fresh bearer token for the sandbox's Kubernetes API; the previous ones are revoked.

    Returns the token itself, which is not stored (only its hash): show it once.
    """
    import secrets

    from cluster_engine.models import SandboxToken

    sandbox_token_revoke(sandbox=sandbox)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    SandboxToken.objects.create(sandbox=sandbox, key_hash=token_hash(token), hint=token[:14])
    return token


def sandbox_token_revoke(*, sandbox: Sandbox) -> int:
    """Revoke every live token of the sandbox; returns how many were live."""
    from cluster_engine.models import SandboxToken

    return SandboxToken.objects.filter(sandbox=sandbox, revoked_at__isnull=True).update(revoked_at=timezone.now())


def kubeconfig_context_name(sandbox: Sandbox) -> str:
    """The cluster and context name in the sandbox's kubeconfig (`podlab-playground`, `podlab-<lesson>`)."""
    return f"podlab-{sandbox.label}"


def kube_api_url(sandbox: Sandbox, *, base: str | None = None) -> str:
    """The kubeconfig's `server:` for the sandbox: `base`, else the setting `KUBE_API_PUBLIC_URL` (default
    https://127.0.0.1:6443), followed by `/k8s/<id>`."""
    base = base or settings.KUBE_API_PUBLIC_URL or DEFAULT_KUBE_API_URL
    return f"{base.rstrip('/')}/k8s/{sandbox.pk}"


def sandbox_kubeconfig(*, sandbox: Sandbox, ca_pem: bytes | None, base_url: str | None = None) -> str:
    """A kubeconfig (YAML) for the sandbox with a freshly made token (older tokens stop working).

    `ca_pem` is the CA that signed the API's certificate (None when a public CA does, as behind an ingress).
    """
    import base64

    import yaml

    token = sandbox_token_create(sandbox=sandbox)
    name = kubeconfig_context_name(sandbox)
    cluster: dict[str, Any] = {"server": kube_api_url(sandbox, base=base_url)}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    user = f"{name}-{sandbox.owner.get_username()}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user, "namespace": "default"}}],
        "current-context": name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)
