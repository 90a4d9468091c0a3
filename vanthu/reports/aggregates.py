"""Maintained aggregates: kept current in the same transaction as every delivery change.

How it works: the *contribution* of one delivery to the aggregate tables is a pure function of
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
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

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


def deliveries_changed(deliveries: Iterable[Delivery | int]) -> None:
    """Bring the aggregates up to date with these deliveries' current rows. Inside the caller's transaction."""
    ids = [d if isinstance(d, int) else d.pk for d in deliveries]
    _refresh(_facts_from_db(ids))


def verdict_changed(sender, document, **_kwargs) -> None:
    """A document was verified again: its deliveries' facts take the verdict stored now."""
    deliveries_changed(Delivery.objects.filter(document_id=document.pk).values_list("id", flat=True))


# Fact fields that are the delivery's own columns (the rest come from its document and signatures).
_DELIVERY_FACT_FIELDS = frozenset({"recipient_id", "source", "status_code", "arrived_at", "accepted_at", "done_at", "deadline"})


def delivery_moved(delivery: Delivery, event: DeliveryEvent, changed: Iterable[str] = ()) -> None:
    """Called by `move_delivery` after it writes the event (and the fields named in `changed`).

    The stored fact is the delivery as of its last change, so only what this move changes is
    taken from the caller's (locked) row: the status, the fields in `changed`, and the time
    accepted or done, from the event for callers that save those times after the move. The
    signature verdict is read afresh, as a full recomputation would.
    """
    stored = _stored_facts([delivery.pk]).get(delivery.pk)
    if stored is None:
        (fact,) = _facts_from_db([delivery.pk])
    else:
        auth = False if stored.source == "paper" else _verdicts({delivery.document_id}).get(delivery.document_id)
        fact = replace(stored, authenticated=auth,
                       **{name: getattr(delivery, name) for name in changed if name in _DELIVERY_FACT_FIELDS})
    patch = {"status_code": event.status_code}
    if event.status_code == StatusCode.ACCEPTED and fact.accepted_at is None:
        patch["accepted_at"] = event.at
    if event.status_code == StatusCode.DONE and fact.done_at is None:
        patch["done_at"] = event.at
    _refresh([replace(fact, **patch)], stored={delivery.pk: stored} if stored is not None else None)


def document_issued(document: Document, deliveries: Iterable[Delivery]) -> None:
    """Called by `issue_document`: one more document sent, and its new deliveries."""
    sent = sent_contribution(document.issuer_id, document.issued_at, document.doc_type_id, document.urgency)
    _refresh(_facts_from_db([d if isinstance(d, int) else d.pk for d in deliveries]), extra=sent)


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
    """The aggregate tables' non-zero content, for comparing maintained with recomputed."""
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
    """Recompute every aggregate table from the raw records, in one transaction."""
    for model in (OrgDay, OrgMonth, TypeDay, HistDay, HistMonth, HistYear, OpenDeadline, DeliveryFact):
        model.objects.all().delete()
    say("computing contributions")
    total = compute_all(write_facts=True)
    say("writing aggregates")
    apply(total)  # into empty tables: the upsert is a plain bulk insert, without model objects
    counts = {table: model.objects.count() for table, (model, _k, _c) in TABLES.items()}
    return counts | {"facts": DeliveryFact.objects.count()}
