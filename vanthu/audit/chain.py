"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vanthu.rows import insert_rows

from .models import AuditEntry, AuditHead

_ENTRY_FIELDS = ("seq", "at", "actor", "actor_name", "action", "object_type", "object_id", "data", "prev_hash", "hash")


def _lock_head() -> tuple[int, str] | None:
    """The chain's head (last seq, last hash), locked until the caller's transaction ends."""
    qn = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the write lock
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn('last_seq')}, {qn('last_hash')} FROM {qn(AuditHead._meta.db_table)} WHERE {qn('id')} = 1{lock}")
        return cur.fetchone()


def _head_update_sql() -> str:
    qn = connection.ops.quote_name
    return f"UPDATE {qn(AuditHead._meta.db_table)} SET {qn('last_seq')} = %s, {qn('last_hash')} = %s WHERE {qn('id')} = 1"


def _digest(prev_hash: str, seq: int, at: str, actor_name: str, action: str, object_type: str,
            object_id: str, data: Any) -> str:
    payload = json.dumps(
        [prev_hash, seq, at, actor_name, action, object_type, object_id, data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(action: str, *, actor=None, obj=None, object_type: str = "", object_id: Any = "",
           data: dict | None = None) -> AuditEntry:
    """Append one entry. Must run inside the action's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    # Round-trip through JSON so that what is hashed is exactly what is stored.
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    # No savepoint inside the caller's transaction: nothing here may fail and be carried on past.
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        if head is None:  # created by migration; only a flushed test database lacks it
            AuditHead.objects.get_or_create(id=1)
            head = _lock_head()
        last_seq, last_hash = head
        seq = last_seq + 1
        at = timezone.now()
        actor_name = getattr(actor, "username", "") or ""
        h = _digest(last_hash, seq, at.isoformat(), actor_name, action, object_type,
                    str(object_id), data)
        entry = AuditEntry(
            seq=seq, at=at, actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_name, action=action, object_type=object_type,
            object_id=str(object_id), data=data, prev_hash=last_hash, hash=h,
        )
        row = [entry.actor_id if f == "actor" else getattr(entry, f) for f in _ENTRY_FIELDS]
        entry.id = insert_rows(AuditEntry, _ENTRY_FIELDS, [row], returning_ids=True)[0]
        entry._state.adding = False
        entry._state.db = "default"
        with connection.cursor() as cur:
            cur.execute(_head_update_sql(), [seq, h])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; name the first entry that does not follow from its predecessor."""
    prev_hash = "0" * 64
    expected_seq = 1
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for e in rows:
            last_id = e.id
            if e.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"entry #{expected_seq} is missing")
            if e.prev_hash != prev_hash:
                return VerifyResult(False, checked, e.seq, "previous hash does not match")
            h = _digest(e.prev_hash, e.seq, e.at.isoformat(), e.actor_name, e.action,
                        e.object_type, e.object_id, e.data)
            if h != e.hash:
                return VerifyResult(False, checked, e.seq, "content does not match its hash")
            prev_hash = e.hash
            expected_seq += 1
            checked += 1
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "entries after this point were removed")
    return VerifyResult(True, checked)
