"""Data migrations that a live database of a million documents survives.

`tests/test_migrations_safe.py` refuses a `RunPython` whose function does not say how it touches
rows: mark it `@batched` (it walks a table in short transactions, `for_each_batch` below, inside a
migration with `atomic = False`, so no lock is held longer than one batch) or `@few_rows` (it
writes a bounded handful of rows, e.g. seeds a catalogue, whatever the installation's size). The
mark is a statement the reviewer checks; the test checks that it is there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.postgres import operations as pg_operations
from django.db import transaction
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.models import QuerySet

BATCH = 1000


def batched(func: Callable) -> Callable:
    """Mark a RunPython function that works in batches of short transactions."""
    func.vanthu_rows = "batched"
    return func


def few_rows(func: Callable) -> Callable:
    """Mark a RunPython function that touches a bounded number of rows (seeds, single settings)."""
    func.vanthu_rows = "few"
    return func


def rows_of(func: Callable) -> str | None:
    """How a RunPython function says it touches rows: "batched", "few" or None (unsaid)."""
    return getattr(func, "vanthu_rows", None)


def batches(queryset: QuerySet, size: int = BATCH) -> Iterator[list[Any]]:
    """The queryset's rows in primary-key order, `size` at a time, keyset-paginated (no OFFSET,
    so the last batch costs what the first does)."""
    last = None
    while True:
        qs = queryset.order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        rows = list(qs[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def for_each_batch(queryset: QuerySet, work: Callable[[list[Any]], None], size: int = BATCH) -> int:
    """Call `work` on each batch in a transaction of its own; returns how many rows were seen.
    Inside a migration with `atomic = False`, each batch's locks end with its commit."""
    seen = 0
    for rows in batches(queryset, size):
        with transaction.atomic():
            work(rows)
        seen += len(rows)
    return seen



class _PlainOffPostgres:
    """The concurrent form on PostgreSQL (writers go on while it works; the migration needs
    `atomic = False`), the plain operation `plain` elsewhere: SQLite has no concurrent form and
    serves one host whose writers wait on its one lock anyway."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexConcurrently(_PlainOffPostgres, pg_operations.AddIndexConcurrently):
    """`CREATE INDEX CONCURRENTLY` on PostgreSQL, `CREATE INDEX` on SQLite."""

    plain = AddIndex


class RemoveIndexConcurrently(_PlainOffPostgres, pg_operations.RemoveIndexConcurrently):
    """`DROP INDEX CONCURRENTLY` on PostgreSQL, `DROP INDEX` on SQLite."""

    plain = RemoveIndex
