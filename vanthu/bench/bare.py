"""Issuing a document with the bare engine: the baseline of the `issue` and `numbering` scenarios.

The same rows as `vanthu.documents.actions.issue_document`, written with the driver's own cursor
in one transaction: read the document (locked), check the clerk's role, read the recipients,
take the register's next number (UPDATE … RETURNING), update the document, insert a delivery
and an "arrived" event per recipient, append one hash-chained audit entry.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from django.utils import timezone

from vanthu.audit.models import AuditEntry, AuditHead
from vanthu.documents.models import Delivery, DeliveryEvent, Document, RegisterCounter
from vanthu.organizations.models import Membership, Organization

from .database import Raw, other_columns

# What `issue_document` writes or asks that this baseline does not (said in the benches' details,
# so that a ratio is read knowing that VanThu does more).
NOT_IN_BASELINE = ("the seal check (an active organisation certificate?)", "the signature report lookup and its queued check",
                   "the statistics journal row", "the search indexing task row",
                   "the notices to the recipients' clerks")


class BareIssueError(RuntimeError):
    pass


@cache
def tables() -> dict[str, str]:
    return {
        "doc": Document._meta.db_table, "org": Organization._meta.db_table,
        "dtype": Document._meta.get_field("doc_type").related_model._meta.db_table,
        "rcpt": Document.recipients.through._meta.db_table,
        "member": Membership._meta.db_table, "counter": RegisterCounter._meta.db_table,
        "delivery": Delivery._meta.db_table, "event": DeliveryEvent._meta.db_table,
        "audit": AuditEntry._meta.db_table, "head": AuditHead._meta.db_table,
    }


@cache
def _defaults(model_label: str, given: frozenset[str]) -> tuple[list[str], list[Any]]:
    model = {"delivery": Delivery, "event": DeliveryEvent, "audit": AuditEntry}[model_label]
    return other_columns(model, set(given))


def _digest(prev_hash: str, seq: int, at: str, actor_name: str, action: str, object_type: str,
            object_id: str, data: Any) -> str:
    # The audit chain's format, so that the benchmark database's chain still verifies.
    payload = json.dumps([prev_hash, seq, at, actor_name, action, object_type, object_id, data],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def issue(raw: Raw, doc_id: int, *, user_id: int, username: str) -> tuple[str, int]:
    """Issue one approved document; returns (register key, number)."""
    t = tables()
    now = timezone.now()
    today = timezone.localdate(now)
    with raw.transaction():
        cur = raw.cursor()
        raw.execute(cur, f"""
            SELECT d.status, d.issuer_id, o.short_name, o.numbering_style, o.term_label, o.term_start, ty.code
            FROM {t['doc']} d JOIN {t['org']} o ON o.id = d.issuer_id JOIN {t['dtype']} ty ON ty.id = d.doc_type_id
            WHERE d.id = %s{raw.for_update('d')}""", [doc_id])
        row = cur.fetchone()
        if row is None or row[0] != "approved":
            raise BareIssueError(f"document {doc_id} is not approved")
        _status, org_id, short_name, style, term_label, term_start, type_code = row
        raw.execute(cur, f"SELECT 1 FROM {t['member']} WHERE user_id = %s AND organization_id = %s AND role = %s",
                    [user_id, org_id, "clerk"])
        if cur.fetchone() is None:
            raise BareIssueError("not a clerk of the issuing organisation")
        raw.execute(cur, f"SELECT organization_id FROM {t['rcpt']} WHERE document_id = %s", [doc_id])
        recipients = [r[0] for r in cur.fetchall()]
        if not recipients:
            raise BareIssueError("no recipients")

        if style == "state":
            key = f"out:{today.year}"
        else:
            key = f"out:{type_code}:{term_label or (str(term_start) if term_start else '-')}"
        bump = f"UPDATE {t['counter']} SET last_number = last_number + 1 WHERE organization_id = %s AND key = %s RETURNING last_number"
        raw.execute(cur, bump, [org_id, key])
        got = cur.fetchone()
        if got is None:
            raw.execute(cur, f"INSERT INTO {t['counter']} (organization_id, key, last_number) VALUES (%s, %s, 0) ON CONFLICT DO NOTHING", [org_id, key])
            raw.execute(cur, bump, [org_id, key])
            got = cur.fetchone()
        number = got[0]
        symbol = f"{number:02d}/{type_code}-{short_name}" if style == "state" else f"{number:02d}-{type_code}/{short_name}"
        raw.execute(cur, f"""
            UPDATE {t['doc']} SET register_key = %s, number = %s, symbol = %s, issued_at = %s, issued_date = %s,
                issued_by_id = %s, status = %s WHERE id = %s""",
                    [key, number, symbol, raw.dt(now), raw.day(today), user_id, "issued", doc_id])

        d_given = frozenset({"document_id", "recipient_id", "status_code", "arrived_at", "updated_at"})
        d_cols, d_defaults = _defaults("delivery", d_given)
        cols = ["document_id", "recipient_id", "status_code", "arrived_at", "updated_at", *d_cols]
        one = "(" + ", ".join(["%s"] * len(cols)) + ")"
        params: list[Any] = []
        for rid in recipients:
            params += [doc_id, rid, "01", raw.dt(now), raw.dt(now), *d_defaults]
        raw.execute(cur, f"INSERT INTO {t['delivery']} ({', '.join(cols)}) VALUES {', '.join([one] * len(recipients))} RETURNING id", params)
        delivery_ids = [r[0] for r in cur.fetchall()]

        e_given = frozenset({"delivery_id", "status_code", "at"})
        e_cols, e_defaults = _defaults("event", e_given)
        cols = ["delivery_id", "status_code", "at", *e_cols]
        one = "(" + ", ".join(["%s"] * len(cols)) + ")"
        params = []
        for did in delivery_ids:
            params += [did, "01", raw.dt(now), *e_defaults]
        # One multi-row INSERT, as for deliveries: the fastest way the driver offers.
        raw.execute(cur, f"INSERT INTO {t['event']} ({', '.join(cols)}) VALUES {', '.join([one] * len(delivery_ids))}", params)

        raw.execute(cur, f"SELECT last_seq, last_hash FROM {t['head']} WHERE id = 1{raw.for_update()}")
        head = cur.fetchone()
        if head is None:
            raw.execute(cur, f"INSERT INTO {t['head']} (id, last_seq, last_hash) VALUES (1, 0, %s)", ["0" * 64])
            head = (0, "0" * 64)
        seq, prev = head[0] + 1, head[1]
        at = timezone.now()
        data = {"symbol": symbol, "recipients": len(recipients)}
        h = _digest(prev, seq, at.isoformat(), username, "document_issued", "documents.document", str(doc_id), data)
        a_given = frozenset({"seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "data", "prev_hash", "hash"})
        a_cols, a_defaults = _defaults("audit", a_given)
        cols = ["seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "data", "prev_hash", "hash", *a_cols]
        raw.execute(cur, f"INSERT INTO {t['audit']} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                    [seq, raw.dt(at), user_id, username, "document_issued", "documents.document", str(doc_id),
                     raw.json(data), prev, h, *a_defaults])
        raw.execute(cur, f"UPDATE {t['head']} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, h])
        cur.close()
    return key, number
