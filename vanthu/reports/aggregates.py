"""Maintained aggregates: journaled with every change, folded in by the worker and before any read.

An action's transaction writes one `PendingChange` row (a document issued, a delivery moved, a
verdict changed): nothing is lost if the process dies after the commit, and issuing to 150
recipients writes one row, not 150 facts and their aggregate rows. `fold_pending` applies the
journal oldest first under one lock; the worker runs it soon after each change (`fold_soon`),
and every read of the aggregates (`figures`) runs it first, so a page never shows less than the
records say.

How folding works: the *contribution* of one delivery to the aggregate tables is a pure function of
a few of its fields (`Fact`). `DeliveryFact` stores the fields last applied for each delivery,
so a change adds `contribution(new) - contribution(old)` with one upsert per table. A rebuild
computes the same contributions from the raw records, which is what the tests compare.

Durations (arrival → accepted, arrival → done) are kept as histograms with logarithmic buckets
(`bucket_of`): bucket 0 holds durations under one minute, bucket k ≥ 1 holds
[1.15^(k-1), 1.15^k) minutes. A percentile read from merged buckets is reported as the bucket's
geometric middle, so it is within ±7.3% of the exact value (and exact for zero).

Days are local (Asia/Ho_Chi_Minh) days. Deliveries count on their arrival day for the
recipient; documents and their recipients' progress count on the issue day for the sender.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from vanthu.documents.models import Delivery, DeliveryEvent, Document, StatusCode
from vanthu.rows import insert_rows
from vanthu.signatures.verdict import documents_authenticated

from .models import (
    COUNT_FIELDS,
    TYPE_COUNT_FIELDS,
    DeliveryFact,
    HistDay,
    HistMonth,
    HistYear,
    OpenDeadline,
    OrgDay,
    OrgMonth,
    PendingChange,
    TypeDay,
)

BUCKET_RATIO = 1.15
_LOG_RATIO = math.log(BUCKET_RATIO)
KIND_ACCEPT = 0
KIND_DONE = 1
NOT_PAST_ARRIVAL = (StatusCode.SENDING, StatusCode.ARRIVED, StatusCode.SEND_FAILED)


def bucket_of(seconds: float) -> int:
    minutes = max(0.0, seconds) / 60.0
    if minutes < 1.0:
        return 0
    # The small epsilon keeps exact powers of the ratio in the bucket they start.
    return int(math.floor(math.log(minutes) / _LOG_RATIO + 1e-9)) + 1


def bucket_hours(bucket: int) -> float:
    """The value reported for a bucket: its geometric middle, in hours."""
    if bucket <= 0:
        return 0.0
    return BUCKET_RATIO ** (bucket - 0.5) / 60.0


def local_day(value: datetime) -> date:
    """The local calendar day of an aware timestamp (fixed zone: faster than timezone.localdate)."""
    return value.astimezone(timezone.get_default_timezone()).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


# --- contributions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    delivery_id: int
    recipient_id: int
    issuer_id: int | None
    doc_type_id: int
    urgency: str
    source: str
    status_code: str
    arrived_at: datetime
    issued_at: datetime | None
    accepted_at: datetime | None
    done_at: datetime | None
    deadline: date | None
    authenticated: bool | None


FACT_FIELDS = tuple(f.name for f in fields(Fact))
# Keys: (table, key tuple, column).
Contribution = Counter


def contribution(f: Fact) -> Counter:
    """What one delivery adds to every aggregate table."""
    out: Counter = Counter()
    add_contribution(out, f)
    return out


def add_contribution(out: dict, f: Fact, sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) one delivery's contribution into `out` (a plain dict is fastest)."""
    day = local_day(f.arrived_at)
    month = day.replace(day=1)
    org = f.recipient_id
    rejected = f.status_code == StatusCode.REJECTED
    # A recipient at a peer is 00 (sending) or 98 (failed) before its 01: not past arrival either.
    at_arrived = f.status_code in NOT_PAST_ARRIVAL
    cols = ["received", "received_paper" if f.source == "paper" else "received_electronic"]
    if f.authenticated is True:
        cols.append("auth_yes")
    elif f.authenticated is None:
        cols.append("auth_unknown")
    if f.accepted_at:
        cols.append("accepted")
    if rejected:
        cols.append("rejected")
    if at_arrived:
        cols.append("at_arrived")
    if f.done_at:
        cols.append("done")
    if f.deadline and not rejected:
        cols.append("with_deadline")
        if f.done_at and local_day(f.done_at) > f.deadline:
            cols.append("late_done")
        elif not f.done_at:
            cols.append("open_deadline")
    kday, kmonth, ktype = (org, day), (org, month), (org, day, f.doc_type_id, f.urgency)
    get = out.get
    for col in cols:
        k = ("day", kday, col)
        out[k] = get(k, 0) + sign
        k = ("month", kmonth, col)
        out[k] = get(k, 0) + sign
        if col in TYPE_COUNT_FIELDS:
            k = ("type", ktype, col)
            out[k] = get(k, 0) + sign
    for kind, t in ((KIND_ACCEPT, f.accepted_at), (KIND_DONE, f.done_at)):
        if t:
            b = bucket_of((t - f.arrived_at).total_seconds())
            for k in (("hday", (org, day, kind, b), "n"), ("hmonth", (org, month, kind, b), "n"),
                      ("hyear", (org, month.replace(month=1), kind, b), "n")):
                out[k] = get(k, 0) + sign
    if f.deadline and not rejected and not f.done_at:
        k = ("open", (org, day, f.deadline), "n")
        out[k] = get(k, 0) + sign
    if f.issuer_id and f.issued_at:
        sday = local_day(f.issued_at)
        scols = ("sent_deliveries", "sent_at_arrived") if at_arrived else ("sent_deliveries",)
        for col in scols:
            k = ("day", (f.issuer_id, sday), col)
            out[k] = get(k, 0) + sign
            k = ("month", (f.issuer_id, sday.replace(day=1)), col)
            out[k] = get(k, 0) + sign


def sent_contribution(issuer_id: int, issued_at: datetime, doc_type_id: int, urgency: str) -> Counter:
    day = local_day(issued_at)
    return Counter({
        ("day", (issuer_id, day), "sent"): 1,
        ("month", (issuer_id, month_of(day)), "sent"): 1,
        ("type", (issuer_id, day, doc_type_id, urgency), "sent"): 1,
    })


# --- writing deltas -------------------------------------------------------------------------

TABLES = {
    "day": (OrgDay, ("organization_id", "day"), COUNT_FIELDS),
    "month": (OrgMonth, ("organization_id", "month"), COUNT_FIELDS),
    "type": (TypeDay, ("organization_id", "day", "doc_type_id", "urgency"), TYPE_COUNT_FIELDS),
    "hday": (HistDay, ("organization_id", "day", "kind", "bucket"), ("n",)),
    "hmonth": (HistMonth, ("organization_id", "month", "kind", "bucket"), ("n",)),
    "hyear": (HistYear, ("organization_id", "year", "kind", "bucket"), ("n",)),
    "open": (OpenDeadline, ("organization_id", "day", "deadline"), ("n",)),
}


def _rows_by_table(delta: dict) -> dict[str, dict[tuple, dict[str, int]]]:
    grouped: dict[str, dict[tuple, dict[str, int]]] = {}
    for (table, key, col), n in delta.items():
        if n:
            row = grouped.setdefault(table, {}).setdefault(key, {})
            row[col] = row.get(col, 0) + n
    return grouped


def apply(delta: dict) -> None:
    """Add `delta` to the aggregate tables: one multi-row upsert statement per table touched."""
    qn = connection.ops.quote_name
    grouped = _rows_by_table(delta)
    # Tables in one fixed order and rows sorted by key: concurrent transactions then lock the
    # rows they share in the same order, so that PostgreSQL never sees a deadlock.
    for table in TABLES:
        rows = grouped.get(table)
        if not rows:
            continue
        model, keys, cols = TABLES[table]
        name = qn(model._meta.db_table)
        all_cols = list(keys) + list(cols)
        one = "(" + ", ".join(["%s"] * len(all_cols)) + ")"
        conflict = (
            f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
            + ", ".join(f"{qn(c)} = {name}.{qn(c)} + excluded.{qn(c)}" for c in cols)
        )
        items = sorted(rows.items())
        per_statement = max(1, (connection.features.max_query_params or 999) // len(all_cols))
        with connection.cursor() as cur:
            for start in range(0, len(items), per_statement):
                chunk = items[start:start + per_statement]
                params = [v for key, vals in chunk for v in (*key, *(vals.get(c, 0) for c in cols))]
                cur.execute(f"INSERT INTO {name} ({', '.join(qn(c) for c in all_cols)}) VALUES "
                            f"{', '.join([one] * len(chunk))}{conflict}", params)


# --- hooks called by the actions ------------------------------------------------------------

_DELIVERY_VALUES = (
    "id", "recipient_id", "document__issuer_id", "document__doc_type_id", "document__urgency", "source",
    "status_code", "arrived_at", "document__issued_at", "accepted_at", "done_at", "deadline", "document_id",
)


def _facts_from_db(delivery_ids: Iterable[int]) -> list[Fact]:
    rows = list(Delivery.objects.filter(id__in=list(delivery_ids)).values_list(*_DELIVERY_VALUES))
    verdicts = _verdicts({row[-1] for row in rows if row[5] != "paper"})
    out = []
    for row in rows:
        (did, rid, iid, tid, urg, src, code, arr, iss, acc, done, dl, doc_id) = row
        out.append(Fact(did, rid, iid, tid, urg, src, code, arr, iss, acc, done, dl, False if src == "paper" else verdicts.get(doc_id)))
    return out


def _verdicts(document_ids: set[int]) -> dict[int, bool | None]:
    """Signature verdicts for many documents in one query: every signature valid and one an
    organisation's; None while a document is not checked yet (unknown, never yes). Paper is
    never authenticated: callers pass only electronic documents."""
    return documents_authenticated(document_ids) if document_ids else {}


def _stored_facts(ids: list[int]) -> dict[int, Fact]:
    return {row[0]: Fact(*row) for row in DeliveryFact.objects.filter(delivery_id__in=ids).values_list(*FACT_FIELDS)}


def _refresh(new_facts: list[Fact], extra: dict | None = None, stored: dict[int, Fact] | None = None) -> None:
    if not new_facts and not extra:
        return
    old = stored if stored is not None else _stored_facts([f.delivery_id for f in new_facts])
    delta: dict = dict(extra or {})  # applied with the facts' rows: one ordered batch of locks
    changed = []
    for f in new_facts:
        before = old.get(f.delivery_id)
        if before == f:
            continue
        add_contribution(delta, f)
        if before is not None:
            add_contribution(delta, before, -1)
        changed.append(f)
    apply(delta)
    # New deliveries (an issue to 150 recipients) go in as one plain insert; changed ones upsert.
    fresh = [f for f in changed if f.delivery_id not in old]
    insert_rows(DeliveryFact, FACT_FIELDS, [tuple(getattr(f, k) for k in FACT_FIELDS) for f in fresh])
    moved = [f for f in changed if f.delivery_id in old]
    if len(moved) == 1:
        _update_fact(moved[0], old[moved[0].delivery_id])
    elif moved:
        DeliveryFact.objects.bulk_create(
            [DeliveryFact(**{k: getattr(f, k) for k in FACT_FIELDS}) for f in moved],
            update_conflicts=True, unique_fields=["delivery_id"],
            update_fields=[k for k in FACT_FIELDS if k != "delivery_id"],
        )


def _update_fact(f: Fact, before: Fact) -> None:
    """One stored fact brought up to date: a plain UPDATE of the columns that changed."""
    qn = connection.ops.quote_name
    opts = DeliveryFact._meta
    names = [k for k in FACT_FIELDS if k != "delivery_id" and getattr(f, k) != getattr(before, k)]
    fields_ = [opts.get_field(k) for k in names]
    params = [field.get_db_prep_save(getattr(f, k), connection) for field, k in zip(fields_, names, strict=True)]
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {qn(opts.db_table)} SET {', '.join(f'{qn(x.column)} = %s' for x in fields_)}"
                    f" WHERE {qn(opts.get_field('delivery_id').column)} = %s", [*params, f.delivery_id])


# --- the journal: written in the action's transaction (subscribers of the core's events) ------

def _journal(rows: list[tuple[int, int | None, bool]]) -> None:
    insert_rows(PendingChange, ["document_id", "delivery_id", "counts_sent"], rows)
    transaction.on_commit(fold_soon)


def document_issued(document: Document, deliveries: Iterable[Delivery], **_event) -> None:
    """One more document sent, and its new deliveries: one row for all of them."""
    _journal([(document.pk, None, True)])


def deliveries_changed(deliveries: Iterable[Delivery], **_event) -> None:
    """Deliveries created past issuing (paper, a peer's document), or changed outside an action."""
    _journal([(d.document_id, d.pk, False) for d in deliveries])


def delivery_moved(delivery: Delivery, event: DeliveryEvent, changed: Iterable[str] = (), **_event) -> None:
    _journal([(delivery.document_id, delivery.pk, False)])


def verdict_changed(sender, document, **_kwargs) -> None:
    """A document was verified again: its deliveries' facts take the verdict stored now."""
    _journal([(document.pk, None, False)])


def fold_soon() -> None:
    """After a journaling commit: have the worker fold within seconds, queueing at most one fold
    per process every few seconds (each fold takes in everything pending)."""
    if cache.add(FOLD_QUEUED_KEY, True, timeout=FOLD_EVERY_SECONDS):
        from .tasks import fold_statistics  # here: tasks imports this module (a cycle at the top)

        # A second's grace lets the changes of that second ride along (where the backend defers).
        deferred = fold_statistics.get_backend().supports_defer
        (fold_statistics.using(run_after=timezone.now() + timedelta(seconds=1)) if deferred else fold_statistics).enqueue()


# --- folding the journal in ---------------------------------------------------------------------

FOLD_BATCH = 200  # journal rows per transaction: a document's row may stand for 150 deliveries
FOLD_EVERY_SECONDS = 5
FOLD_QUEUED_KEY = "vanthu:reports:fold-queued"
_FOLD_LOCK = 0x5641_4E54_4855  # PostgreSQL advisory lock id ("VANTHU")


def _lock_folding() -> None:
    """One folder at a time (a reader and the worker may both fold). SQLite's IMMEDIATE
    transaction already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_FOLD_LOCK])


def fold_pending() -> int:
    """Apply every pending change to the aggregates; returns how many journal rows were folded.

    A fact is always recomputed from the delivery's current row, so folding is idempotent: a
    change committed while a fold runs is taken in by the next one, and the stored fact makes a
    repeated delivery contribute nothing twice."""
    if not PendingChange.objects.exists():
        return 0
    folded = 0
    while True:
        with transaction.atomic():
            _lock_folding()
            entries = list(PendingChange.objects.order_by("id").values_list("id", "document_id", "delivery_id", "counts_sent")[:FOLD_BATCH])
            if not entries:
                return folded
            whole = {doc for _id, doc, dl, _sent in entries if dl is None}
            ids = {dl for _id, _doc, dl, _sent in entries if dl is not None}
            if whole:
                ids.update(Delivery.objects.filter(document_id__in=whole).values_list("id", flat=True))
            sent: Counter = Counter()
            issued = Document.objects.filter(id__in={doc for _id, doc, _dl, s in entries if s}, issued_at__isnull=False,
                                             issuer_id__isnull=False)
            for issuer_id, issued_at, tid, urg in issued.values_list("issuer_id", "issued_at", "doc_type_id", "urgency"):
                sent.update(sent_contribution(issuer_id, issued_at, tid, urg))
            _refresh(_facts_from_db(ids), extra=dict(sent))
            PendingChange.objects.filter(id__in=[e[0] for e in entries]).delete()
            folded += len(entries)


# --- rebuilding from the raw records --------------------------------------------------------

def _fact_row(f: Fact) -> DeliveryFact:
    return DeliveryFact(**{k: getattr(f, k) for k in FACT_FIELDS})


def compute_all(*, write_facts: bool = False, chunk: int = 20000) -> dict:
    """Every contribution, computed from the raw tables (documents, deliveries).

    With `write_facts`, also stores each delivery's fact as it goes (the rebuild), in batches,
    so that millions of deliveries never sit in memory at once.
    """
    total: dict = {}
    qs = Document.objects.filter(issuer_id__isnull=False, issued_at__isnull=False).order_by()
    get = total.get
    for issuer_id, issued_at, tid, urg in qs.values_list("issuer_id", "issued_at", "doc_type_id", "urgency").iterator(chunk_size=chunk):
        for k in sent_contribution(issuer_id, issued_at, tid, urg):
            total[k] = get(k, 0) + 1
    def consume(rows: list[tuple]) -> None:
        verdicts = _verdicts({row[-1] for row in rows if row[5] != "paper"})
        batch = []
        for row in rows:
            (did, rid, iid, tid, urg, src, code, arr, iss, acc, done, dl, doc_id) = row
            f = Fact(did, rid, iid, tid, urg, src, code, arr, iss, acc, done, dl, False if src == "paper" else verdicts.get(doc_id))
            add_contribution(total, f)
            if write_facts:
                batch.append(_fact_row(f))
        if batch:
            DeliveryFact.objects.bulk_create(batch)

    pending: list[tuple] = []
    for row in Delivery.objects.values_list(*_DELIVERY_VALUES).order_by().iterator(chunk_size=chunk):
        pending.append(row)
        if len(pending) >= 5000:
            consume(pending)
            pending = []
    consume(pending)
    return total


def snapshot() -> dict[str, dict[tuple, dict[str, int]]]:
    """The aggregate tables' non-zero content (the journal folded in), for comparing maintained
    with recomputed."""
    fold_pending()
    out: dict[str, dict[tuple, dict[str, int]]] = {}
    for table, (model, keys, cols) in TABLES.items():
        rows = {}
        for values in model.objects.values_list(*keys, *cols):
            counts = {c: v for c, v in zip(cols, values[len(keys):], strict=True) if v}
            if counts:
                rows[tuple(values[:len(keys)])] = counts
        out[table] = rows
    return out


def expected() -> dict[str, dict[tuple, dict[str, int]]]:
    """What the aggregate tables should hold, computed from the raw records without writing."""
    grouped = _rows_by_table(compute_all())
    return {table: grouped.get(table, {}) for table in TABLES}


@transaction.atomic
def rebuild(*, say=lambda _m: None) -> dict[str, int]:
    """Recompute every aggregate table from the raw records, in one transaction.

    The journal is emptied first: what it held is in the records. (Run it while nobody works:
    an issue committed during the rebuild may be counted as sent twice.)"""
    _lock_folding()
    PendingChange.objects.all().delete()
    for model in (OrgDay, OrgMonth, TypeDay, HistDay, HistMonth, HistYear, OpenDeadline, DeliveryFact):
        model.objects.all().delete()
    say("computing contributions")
    total = compute_all(write_facts=True)
    say("writing aggregates")
    apply(total)  # into empty tables: the upsert is a plain bulk insert, without model objects
    counts = {table: model.objects.count() for table, (model, _k, _c) in TABLES.items()}
    return counts | {"facts": DeliveryFact.objects.count()}
