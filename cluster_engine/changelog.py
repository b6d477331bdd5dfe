"""The sandboxes' change log (SandboxChange): its rows written with one prepared INSERT, and its pruning."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection

from cluster_engine.models import Sandbox, SandboxChange

HISTORY_LIMIT = 2000  # versions of a sandbox the log keeps at least

CHANGE_COLUMNS = ("sandbox", "resource_version", "sim_time", "event_type", "actor", "verb", "reason", "kind",
                  "namespace", "name", "object")


@functools.cache
def _change_fields() -> list[Any]:
    return [SandboxChange._meta.get_field(name) for name in CHANGE_COLUMNS]


def change_rows(sandbox_pk: Any, changes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The change log's rows for drained `changes`, values ready for the database (objects compressed). Takes
    CPU: prepare them before taking a row lock."""
    if not changes:
        return []
    columns = _change_fields()
    sandbox_key = columns[0].get_db_prep_save(sandbox_pk, connection)
    object_column = columns[-1]
    return [(sandbox_key, int(change["resourceVersion"]), change["time"], change["type"], change["actor"],
             change["verb"], change["reason"][:200], change["kind"], change["namespace"], change["name"],
             object_column.get_db_prep_save(change["object"], connection)) for change in changes]


def record_changes(sandbox: Sandbox, rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows` (from `change_rows`, in resourceVersion order) in the caller's transaction; the log then
    keeps at least the newest HISTORY_LIMIT versions, and the row's `history_from` says where it starts."""
    if not rows:
        return
    # One prepared INSERT run for every row (psycopg pipelines it): `bulk_create` assembled the SQL value by
    # value in Python, a large part of a reconcile that records a few dozen changes (docs/performance.md).
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
