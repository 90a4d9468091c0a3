"""Issuing a document with the bare engine: the baseline of the `issue` and `numbering` scenarios.

The same reads and rows as `vanthu.documents.actions.issue_document` (unsealed), written with the
driver's own cursor in one transaction: read the document (locked), check the clerk's role, ask
whether the organisation has an active seal certificate, read the recipients, insert a delivery
and an "arrived" event per recipient, look up the main file's signature report and queue its
check, journal the statistics' change, queue the indexing, take the register's next number
(UPDATE … RETURNING), update the document, tell the recipients' clerks (a notice, a copy per
person, the mail journal when e-mail is on), append one hash-chained audit entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vanthu.accounts.models import User
from vanthu.audit.models import AuditEntry, AuditHead
from vanthu.documents.models import Delivery, DeliveryEvent, Document, DocumentFile, RegisterCounter
from vanthu.notifications.models import MailMessage, Notice, Notification, Preference
from vanthu.organizations.models import Membership, Organization
from vanthu.reports.models import PendingChange
from vanthu.signatures.models import SignatureReport, SigningCertificate

from .database import Raw, other_columns

# What `issue_document` does that this baseline does not (said in the benches' details, so that
# a ratio is read knowing that VanThu does more). Every row it writes, the baseline writes too.
NOT_IN_BASELINE = ("the translation of the notice's title and body (the baseline writes them in Vietnamese)",)
# A task the database queue runs when it can: django-tasks' "no run_after".
_RUN_WHENEVER = datetime(9999, 1, 1, tzinfo=UTC)


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
        "cert": SigningCertificate._meta.db_table, "report": SignatureReport._meta.db_table,
        "docfile": DocumentFile._meta.db_table, "task": DBTaskResult._meta.db_table,
        "pending": PendingChange._meta.db_table, "user": User._meta.db_table,
        "notice": Notice._meta.db_table, "copy": Notification._meta.db_table,
        "mail": MailMessage._meta.db_table, "pref": Preference._meta.db_table,
    }


@cache
def _defaults(model_label: str, given: frozenset[str]) -> tuple[list[str], list[Any]]:
    model = {"delivery": Delivery, "event": DeliveryEvent, "audit": AuditEntry, "task": DBTaskResult,
             "notice": Notice, "pending": PendingChange}[model_label]
    return other_columns(model, set(given))


def _digest(prev_hash: str, seq: int, at: str, actor_name: str, action: str, object_type: str,
            object_id: str, data: Any) -> str:
    # The audit chain's format, so that the benchmark database's chain still verifies.
    payload = json.dumps([prev_hash, seq, at, actor_name, action, object_type, object_id, data],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _queue_task(raw: Raw, cur, task_path: str, doc_id: int, now: datetime) -> None:
    """A row of django-tasks' database queue, as `events.queue_work` writes it."""
    given = frozenset({"id", "status", "enqueued_at", "args_kwargs", "priority", "task_path", "worker_ids", "queue_name",
                       "backend_name", "run_after", "exception_class_path", "traceback"})
    cols, defaults = _defaults("task", given)
    t = tables()
    task_id = uuid.uuid4()
    cols = [*given, *cols]
    values = {"id": task_id.hex if raw.sqlite else task_id, "status": "READY", "enqueued_at": raw.dt(now),
              "args_kwargs": raw.json({"args": [doc_id], "kwargs": {}}), "priority": 0, "task_path": task_path,
              "worker_ids": raw.json([]), "queue_name": "default", "backend_name": "default",
              "run_after": raw.dt(_RUN_WHENEVER), "exception_class_path": "", "traceback": ""}
    raw.execute(cur, f"INSERT INTO {t['task']} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                [*(values[c] for c in given), *defaults])


def _tell_clerks(raw: Raw, cur, doc_id: int, recipients: list[int], title: str, now: datetime) -> None:
    """The recipients' clerks: one notice, a copy per person, the mail journal (notifications.notify)."""
    t = tables()
    marks = ", ".join(["%s"] * len(recipients))
    raw.execute(cur, f"""SELECT m.organization_id, m.user_id FROM {t['member']} m JOIN {t['user']} u ON u.id = m.user_id
                         WHERE m.organization_id IN ({marks}) AND m.role = %s AND u.is_active""", [*recipients, "clerk"])
    people = sorted({r[1] for r in cur.fetchall()})
    if not people:
        return
    given = frozenset({"kind", "title", "body", "url", "object_type", "object_id", "organization_id", "created_at", "key"})
    cols, defaults = _defaults("notice", given)
    values = {"kind": "document_arrived", "title": title[:255], "body": "Hãy tiếp nhận hoặc từ chối trong mục Văn bản đến.",
              "url": f"/documents/{doc_id}/", "object_type": "documents.document", "object_id": str(doc_id),
              "organization_id": recipients[0] if len(recipients) == 1 else None, "created_at": raw.dt(now), "key": None}
    cols = [*given, *cols]
    raw.execute(cur, f"INSERT INTO {t['notice']} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) RETURNING id",
                [*(values[c] for c in given), *defaults])
    notice_id = cur.fetchone()[0]
    raw.execute(cur, f"INSERT INTO {t['copy']} (notice_id, user_id) VALUES {', '.join(['(%s, %s)'] * len(people))}",
                [v for uid in people for v in (notice_id, uid)])
    if settings.VANTHU_EMAIL_ENABLED:
        when = raw.dt(now)
        raw.execute(cur, f"""
            INSERT INTO {t['mail']} (user_id, notice_id, "to", subject, body, state, attempts, created_at, next_attempt_at,
                                     lease_until, claim, last_error)
            SELECT n.user_id, n.notice_id, u.email, '', '', 'pending', 0, %s, %s, %s, '', ''
            FROM {t['copy']} n JOIN {t['user']} u ON u.id = n.user_id
            LEFT JOIN {t['pref']} p ON p.user_id = n.user_id AND p.kind = %s
            WHERE n.notice_id = %s AND u.is_active AND u.email <> '' AND COALESCE(p.channel, %s) = %s""",
                    [when, when, when, "document_arrived", notice_id, "app", "email"])


def issue(raw: Raw, doc_id: int, *, user_id: int, username: str) -> tuple[str, int]:
    """Issue one approved document; returns (register key, number)."""
    t = tables()
    now = timezone.now()
    today = timezone.localdate(now)
    with raw.transaction():
        cur = raw.cursor()
        raw.execute(cur, f"""
            SELECT d.status, d.issuer_id, o.short_name, o.numbering_style, o.term_label, o.term_start, ty.code, d.subject
            FROM {t['doc']} d JOIN {t['org']} o ON o.id = d.issuer_id JOIN {t['dtype']} ty ON ty.id = d.doc_type_id
            WHERE d.id = %s{raw.for_update('d')}""", [doc_id])
        row = cur.fetchone()
        if row is None or row[0] != "approved":
            raise BareIssueError(f"document {doc_id} is not approved")
        _status, org_id, short_name, style, term_label, term_start, type_code, subject = row
        raw.execute(cur, f"SELECT 1 FROM {t['member']} WHERE user_id = %s AND organization_id = %s AND role = %s",
                    [user_id, org_id, "clerk"])
        if cur.fetchone() is None:
            raise BareIssueError("not a clerk of the issuing organisation")
        # Does the organisation seal what it issues? (an active certificate of its own, no person's)
        raw.execute(cur, f"""SELECT 1 FROM {t['cert']} WHERE is_active AND not_after > %s AND not_before <= %s
                             AND organization_id = %s AND user_id IS NULL LIMIT 1""", [raw.dt(now), raw.dt(now), org_id])
        if cur.fetchone() is not None:
            raise BareIssueError("the baseline issues without a seal")
        raw.execute(cur, f"SELECT o.id, o.at_peer FROM {t['org']} o JOIN {t['rcpt']} r ON r.organization_id = o.id WHERE r.document_id = %s",
                    [doc_id])
        recipients = [r[0] for r in cur.fetchall()]
        if not recipients:
            raise BareIssueError("no recipients")

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

        # The main file's latest signature report, and its check queued when there is none.
        raw.execute(cur, f"""SELECT r.id, r.status FROM {t['report']} r JOIN {t['docfile']} f ON f.id = r.document_file_id
                             WHERE f.role = 'main' AND r.document_id = %s ORDER BY r.checked_at DESC, r.id DESC LIMIT 1""", [doc_id])
        if cur.fetchone() is None:
            _queue_task(raw, cur, "vanthu.signatures.tasks.verify_entered", doc_id, now)
        # The statistics' journal row (folded in by the worker), then the search index's task.
        p_cols, p_defaults = _defaults("pending", frozenset({"document_id", "delivery_id", "counts_sent"}))
        cols = ["document_id", "delivery_id", "counts_sent", *p_cols]
        raw.execute(cur, f"INSERT INTO {t['pending']} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                    [doc_id, None, True, *p_defaults])
        _queue_task(raw, cur, "vanthu.search.tasks.index_document", doc_id, now)

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

        _tell_clerks(raw, cur, doc_id, recipients, f"Văn bản đến: {symbol} — {subject}", now)

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
