"""Writing and verifying the audit chain, and anchoring it outside the database.

`record` appends one entry inside the caller's transaction (it locks the head row, one INSERT,
one UPDATE). `verify` walks the whole chain and compares it with every signed checkpoint
(checkpoints.py); `anchor` checks only what was written since the last checkpoint and signs a
new one for the head, so that it can run every few minutes.

Hash versions (AuditEntry.hash_version): version 1 hashed everything but the actor's id; version
2 hashes every column that says who did what, when, to what. Entries of older installations
keep their version-1 hashes as they were written (re-chaining them would bless whatever they
hold now and void every hash already exported); their actors' ids are sealed instead by a running
digest that each checkpoint carries (`v1_actors`), so they are covered from the first checkpoint on.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from vanthu.rows import insert_rows

from . import checkpoints
from .checkpoints import ChainEnd, Checkpoint, CheckpointError
from .models import HASH_VERSION, AuditEntry, AuditHead

GENESIS = "0" * 64
_ENTRY_FIELDS = ("seq", "at", "actor", "actor_name", "action", "object_type", "object_id", "data",
                 "prev_hash", "hash", "hash_version")


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


def _sha256_json(payload: list) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_hash(*, prev_hash: str, seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str,
               object_type: str, object_id: str, data: Any, version: int = HASH_VERSION) -> str:
    """The hash of one entry as `record` computes it (for bulk writers such as the demo seed)."""
    if version == 2:
        # The version is inside the payload: an entry relabelled 1 or 2 no longer matches its hash.
        return _sha256_json(["vanthu-audit-2", prev_hash, seq, at.isoformat(), actor_id, actor_name, action,
                             object_type, object_id, data])
    if version == 1:
        return _sha256_json([prev_hash, seq, at.isoformat(), actor_name, action, object_type, object_id, data])
    raise ValueError(f"unknown hash version {version}")


def _hash_of(e: AuditEntry) -> str:
    return entry_hash(prev_hash=e.prev_hash, seq=e.seq, at=e.at, actor_id=e.actor_id, actor_name=e.actor_name,
                      action=e.action, object_type=e.object_type, object_id=e.object_id, data=e.data,
                      version=e.hash_version)


def record(action: str, *, actor=None, obj=None, object_type: str = "", object_id: Any = "",
           data: dict | None = None) -> AuditEntry:
    """Append one entry. Must run inside the action's transaction.

    Inside `deferred()` the entry is held back and appended when the block ends (the returned
    entry gets its seq, hash and id then)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    # Round-trip through JSON so that what is hashed is exactly what is stored.
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    entry = AuditEntry(
        actor_id=actor.pk if getattr(actor, "pk", None) else None, actor_name=getattr(actor, "username", "") or "",
        action=action, object_type=object_type, object_id=str(object_id), data=data, hash_version=HASH_VERSION,
    )
    held = getattr(connection, _HELD, None)
    if held is not None:
        held.append(entry)
        return entry
    _append([entry])
    return entry


_HELD = "_vanthu_audit_held"


@contextmanager
def deferred() -> Iterator[None]:
    """Hold back the entries recorded inside the block and append them, in the order recorded,
    when it ends: the chain's head is then locked once, last, whatever the block locked before
    (issuing takes the register's counter after subscribers that may record; the head must never
    be locked before the counter, or two issuers could wait for each other). Must run inside the
    action's transaction; an exception discards the held entries with the transaction."""
    assert connection.in_atomic_block, "the audit entries need the caller's transaction"
    if getattr(connection, _HELD, None) is not None:  # nested: the outer block appends
        yield
        return
    held: list[AuditEntry] = []
    setattr(connection, _HELD, held)
    try:
        yield
    finally:
        setattr(connection, _HELD, None)
    if held:
        _append(held)


def _append(entries: list[AuditEntry]) -> None:
    """Chain and insert entries (their seq, at, hashes set here): one lock of the head, one
    INSERT, one UPDATE."""
    # No savepoint inside the caller's transaction: nothing here may fail and be carried on past.
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        if head is None:  # created by migration; only a flushed test database lacks it
            AuditHead.objects.get_or_create(id=1)
            head = _lock_head()
        last_seq, last_hash = head
        for entry in entries:
            last_seq += 1
            entry.seq, entry.at, entry.prev_hash = last_seq, timezone.now(), last_hash
            entry.hash = last_hash = _hash_of(entry)
        rows = [[e.actor_id if f == "actor" else getattr(e, f) for f in _ENTRY_FIELDS] for e in entries]
        for entry, pk in zip(entries, insert_rows(AuditEntry, _ENTRY_FIELDS, rows, returning_ids=True), strict=True):
            entry.id = pk
            entry._state.adding = False
            entry._state.db = "default"
        with connection.cursor() as cur:
            cur.execute(_head_update_sql(), [last_seq, last_hash])


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0  # checkpoints compared with the chain
    anchored_seq: int = 0  # the newest checkpointed entry
    end: ChainEnd | None = field(default=None, repr=False)  # the last entry checked, when intact


class _Walk:
    """Where a walk along the chain stands: what the next entry must follow from."""

    def __init__(self, seq: int = 0, hash: str = GENESIS, v1_actors: str = GENESIS,
                 entry_id: int | None = None, at: str = "") -> None:
        self.seq, self.hash, self.v1_actors, self.entry_id, self.at = seq, hash, v1_actors, entry_id, at
        self.checked = 0

    def step(self, e: AuditEntry) -> tuple[int, str] | None:
        """Take the next entry; (seq, reason) if it does not follow."""
        if e.seq != self.seq + 1:
            return self.seq + 1, f"entry #{self.seq + 1} is missing"
        if e.prev_hash != self.hash:
            return e.seq, "previous hash does not match"
        if e.hash_version not in (1, 2):
            return e.seq, f"unknown hash version {e.hash_version}"
        if _hash_of(e) != e.hash:
            return e.seq, "content does not match its hash"
        if e.hash_version == 1:
            self.v1_actors = hashlib.sha256(f"{self.v1_actors}:{e.seq}:{e.actor_id or ''}".encode()).hexdigest()
        self.seq, self.hash, self.entry_id, self.at = e.seq, e.hash, e.id, e.at.isoformat()
        self.checked += 1
        return None

    def differs(self, cp: Checkpoint, walked_from: int) -> str | None:
        """Why the entry just taken is not the one `cp` vouches for, if it is not."""
        if (self.entry_id, self.hash) != (cp.entry_id, cp.hash):
            return (f"entries #{walked_from + 1}–#{cp.seq} were rewritten: entry #{cp.seq} is not the one"
                    f" checkpointed (signed hash {cp.hash[:16]}…, now {self.hash[:16]}…; {_signed(cp)})")
        if self.v1_actors != cp.v1_actors:
            return (f"the actors of old-style entries up to #{cp.seq} are not those checkpointed in {cp.name}"
                    " (an actor id was changed)")
        return None

    def end(self) -> ChainEnd:
        return ChainEnd(seq=self.seq, entry_id=self.entry_id, hash=self.hash, at=self.at, v1_actors=self.v1_actors)


def _entries(after_seq: int, upto_seq: int | None, batch: int):
    while True:
        qs = AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq")
        if upto_seq is not None:
            qs = qs.filter(seq__lte=upto_seq)
        rows = list(qs[:batch])
        if not rows:
            return
        yield from rows
        after_seq = rows[-1].seq


def _signed(cp: Checkpoint) -> str:
    return f"{cp.name}, signed {cp.written_at[:19].replace('T', ' ')} UTC"


def _tail_cut(cp: Checkpoint, walk: _Walk) -> str:
    ends = f"ends at entry #{walk.seq} (hash {walk.hash[:16]}…)" if walk.seq else "is empty"
    return (f"the tail was cut: the chain in the database {ends}, but the last checkpoint names entry"
            f" #{cp.seq} (hash {cp.hash[:16]}…; {_signed(cp)})")


def _head() -> tuple[int, str]:
    head = AuditHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    return head or (0, GENESIS)


def _head_mismatch(walk: _Walk, head_seq: int, head_hash: str) -> VerifyResult | None:
    if walk.seq < head_seq:
        return VerifyResult(False, walk.checked, walk.seq + 1, "entries after this point were removed")
    if walk.hash != head_hash:
        return VerifyResult(False, walk.checked, walk.seq, "the chain's head row does not name this entry's hash")
    # One statement, so one snapshot: an entry committed meanwhile moves the head along with it.
    head_now = AuditHead.objects.filter(id=1).values("last_seq")
    beyond = AuditEntry.objects.filter(seq__gt=Subquery(head_now)).order_by("seq").values_list("seq", flat=True).first()
    if beyond is not None:
        return VerifyResult(False, walk.checked, beyond, "the chain's head row was set back before this entry")
    return None


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order and compare it with every checkpoint; name the first entry
    that does not follow from its predecessor, the first checkpoint it contradicts, or the cut."""
    try:
        anchors = checkpoints.load_all()
    except CheckpointError as exc:
        return VerifyResult(False, 0, exc.seq, exc.reason)
    # The head before the walk, and the walk up to it: entries committed meanwhile are not a break.
    head_seq, head_hash = _head()
    pending = deque(anchors)
    walk = _Walk()
    matched = 0  # the entry of the last checkpoint that matched
    for e in _entries(0, head_seq, batch):
        broken = walk.step(e)
        if broken:
            return VerifyResult(False, walk.checked, broken[0], broken[1], anchors=len(anchors) - len(pending))
        while pending and pending[0].seq == walk.seq:
            why = walk.differs(pending.popleft(), matched)
            if why:
                return VerifyResult(False, walk.checked, walk.seq, why, anchors=len(anchors) - len(pending))
            matched = walk.seq
    if pending:
        return VerifyResult(False, walk.checked, walk.seq + 1, _tail_cut(anchors[-1], walk),
                            anchors=len(anchors) - len(pending), anchored_seq=anchors[-1].seq)
    mismatch = _head_mismatch(walk, head_seq, head_hash)
    if mismatch:
        mismatch.anchors = len(anchors)
        return mismatch
    return VerifyResult(True, walk.checked, anchors=len(anchors), anchored_seq=anchors[-1].seq if anchors else 0,
                        end=walk.end())


def anchor(batch: int = 5000) -> VerifyResult:
    """Check the entries written since the last checkpoint and sign a checkpoint for the head.

    Incremental: the checkpointed part is taken on the checkpoint's word (the full `verify`
    checks it), so a run costs the entries written since, not the whole chain. `anchored_seq`
    is the entry of the checkpoint written (or of the last one, when nothing was new)."""
    try:
        last = checkpoints.latest()
    except CheckpointError as exc:
        return VerifyResult(False, 0, exc.seq, exc.reason)
    head_seq, head_hash = _head()
    walk = _Walk()
    if last is not None:
        at_last = AuditEntry.objects.filter(seq=last.seq).first()
        if at_last is None:
            if head_seq >= last.seq:
                return VerifyResult(False, 0, last.seq, f"entry #{last.seq} is missing (it is checkpointed in {last.name})")
            cut = _Walk(seq=head_seq, hash=head_hash)
            return VerifyResult(False, 0, head_seq + 1, _tail_cut(last, cut), anchors=1, anchored_seq=last.seq)
        if at_last.hash_version not in (1, 2) or _hash_of(at_last) != at_last.hash:
            return VerifyResult(False, 0, last.seq, "content does not match its hash")
        walk = _Walk(seq=last.seq, hash=at_last.hash, v1_actors=last.v1_actors, entry_id=at_last.id,
                     at=at_last.at.isoformat())
        why = walk.differs(last, 0)
        if why:
            return VerifyResult(False, 0, last.seq, why, anchors=1)
    for e in _entries(walk.seq, head_seq, batch):
        broken = walk.step(e)
        if broken:
            return VerifyResult(False, walk.checked, broken[0], broken[1], anchors=1 if last else 0)
    mismatch = _head_mismatch(walk, head_seq, head_hash)
    if mismatch:
        return mismatch
    if walk.checked:
        try:
            checkpoints.write(walk.end())  # None when another run anchored the same entry first
        except CheckpointError as exc:
            return VerifyResult(False, walk.checked, exc.seq, exc.reason)
    return VerifyResult(True, walk.checked, anchors=1 if last else 0, anchored_seq=walk.seq, end=walk.end())
