"""Writing tens of thousands of rows fast, for the demo seed: plain INSERTs (COPY on
PostgreSQL), executemany UPDATEs, and audit entries appended to the chain in one go."""

from __future__ import annotations

import json
from datetime import UTC

from django.conf import settings
from django.db import connection
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.audit.chain import entry_hash
from vanthu.audit.models import HASH_VERSION, AuditEntry, AuditHead


def update_many(model, set_fields: list[str], where_fields: list[str], rows: list[tuple[list, list]]) -> None:
    """UPDATE one row per parameter tuple with executemany: far faster than bulk_update's CASE."""
    if not rows:
        return
    meta, qn = model._meta, connection.ops.quote_name
    fields = [meta.get_field(f) for f in set_fields]
    where = [meta.get_field(f) for f in where_fields]
    adapt = [_adapter(f) for f in fields + where]
    sql = "UPDATE {} SET {} WHERE {}".format(
        qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in fields), " AND ".join(f"{qn(f.column)} = %s" for f in where),
    )
    params = [[a(v) for a, v in zip(adapt, [*values, *keys], strict=True)] for values, keys in rows]
    with connection.cursor() as cursor:
        for i in range(0, len(params), 5000):
            cursor.executemany(sql, params[i:i + 5000])


def _adapter(f):
    """A fast value → database converter for one field (Django's per-value path is slow at scale)."""
    ops = connection.ops
    kind = f.get_internal_type()
    if kind == "DateTimeField" and connection.vendor == "sqlite" and settings.USE_TZ:
        # What Django's SQLite adapter does (naive UTC, as text), without its per-value checks.
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if kind == "JSONField" and connection.vendor == "sqlite":
        return lambda v: json.dumps(v, ensure_ascii=False)
    if kind == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "JSONField":
        return lambda v: f.get_db_prep_save(v, connection)
    return lambda v: v


def insert_many(model, field_names: list[str], rows: list[list]) -> None:
    """INSERT plain rows, many per statement: no model instances and few round trips, for the
    tens of thousands of rows (one statement per row costs a round trip each on PostgreSQL)."""
    if not rows:
        return
    meta, qn = model._meta, connection.ops.quote_name
    fields = [meta.get_field(f) for f in field_names]
    adapt = [_adapter(f) for f in fields]
    per_row = "({})".format(", ".join(["%s"] * len(fields)))
    head = "INSERT INTO {} ({}) VALUES ".format(qn(meta.db_table), ", ".join(qn(f.column) for f in fields))
    if connection.vendor == "postgresql":
        # COPY: the fastest way in, and psycopg adapts each value in C.
        copy_sql = "COPY {} ({}) FROM STDIN".format(qn(meta.db_table), ", ".join(qn(f.column) for f in fields))
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([a(v) for a, v in zip(adapt, row, strict=True)])
        return
    limit = min(connection.features.max_query_params or 30000, 30000)
    size = max(1, min(1000, limit // len(fields)))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            chunk = rows[i:i + size]
            params = [a(v) for row in chunk for a, v in zip(adapt, row, strict=True)]
            cursor.execute(head + ", ".join([per_row] * len(chunk)), params)


def append_audit(entries: list[tuple[str, User, str, int, dict]]) -> None:
    """Append many entries to the audit chain at once, hashed exactly as `record` hashes one."""
    if not entries:
        return
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        AuditHead.objects.get_or_create(id=1)
        head = AuditHead.objects.select_for_update().get(id=1)
    seq, prev = head.last_seq, head.last_hash
    at = timezone.now()
    rows = []
    for action, actor, object_type, object_id, payload in entries:
        payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
        seq += 1
        h = entry_hash(prev_hash=prev, seq=seq, at=at, actor_id=actor.pk, actor_name=actor.username, action=action,
                       object_type=object_type, object_id=str(object_id), data=payload)
        rows.append([seq, at, actor.pk, actor.username, action, object_type, str(object_id), payload, prev, h, HASH_VERSION])
        prev = h
    insert_many(AuditEntry, ["seq", "at", "actor", "actor_name", "action", "object_type", "object_id", "data", "prev_hash", "hash", "hash_version"], rows)
    AuditHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
