"""Telling people: `notify()` for every app, and what a person does with their notifications.

`notify()` runs inside the caller's transaction: the notice, one row per person (one multi-row
INSERT), and the outbox rows of those who want an e-mail at once (one INSERT … SELECT, which
reads their choice and address in the same statement) commit or roll back with the caller's own
writes. After the commit the worker sends the mail (tasks.py); a mail server that is down delays
the mail, never the request.

Marking read is a person's own view of their notices, like a session: it is not written to the
audit log (every click would then lock the chain's head). Changing one's preferences is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.errors import Unprocessable
from vanthu.rows import insert_rows

from . import kinds
from .kinds import Channel
from .models import MailMessage, MailState, Notice, Notification, Preference
from .tasks import wake_sender


def _user_ids(recipients: Iterable[Any]) -> list[int]:
    ids = set()
    for r in recipients:
        pk = r if isinstance(r, int) else getattr(r, "pk", None)
        if pk is not None:
            ids.add(int(pk))
    return sorted(ids)


def _insert_notice(values: dict[str, Any]) -> int | None:
    """The notice's id; None when `key` is set and a notice with that key exists already."""
    if not values.get("key"):
        return insert_rows(Notice, list(values), [list(values.values())], returning_ids=True)[0]
    qn = connection.ops.quote_name
    fields = [Notice._meta.get_field(n) for n in values]
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {qn(Notice._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({qn('key')}) DO NOTHING RETURNING {qn('id')}", params)
        row = cur.fetchone()
    return row[0] if row else None


def _journal_mail(notice_id: int, kind: kinds.Kind, now) -> int:
    """Outbox rows for the people who want this kind by e-mail at once and have an address."""
    qn = connection.ops.quote_name
    mail, note, user, pref = (qn(m._meta.db_table) for m in (MailMessage, Notification, User, Preference))
    cols = ["user_id", "notice_id", "to", "subject", "body", "state", "attempts", "created_at", "next_attempt_at",
            "lease_until", "claim", "last_error"]
    when = MailMessage._meta.get_field("created_at").get_db_prep_save(now, connection)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {mail} ({', '.join(qn(c) for c in cols)})"
            f" SELECT n.user_id, n.notice_id, u.email, '', '', %s, 0, %s, %s, %s, '', ''"
            f" FROM {note} n JOIN {user} u ON u.id = n.user_id"
            f" LEFT JOIN {pref} p ON p.user_id = n.user_id AND p.kind = %s"
            f" WHERE n.notice_id = %s AND u.is_active AND u.email <> '' AND COALESCE(p.channel, %s) = %s",
            [MailState.PENDING.value, when, when, when, kind.code, notice_id, kind.default, Channel.EMAIL.value])
        return cur.rowcount


def check_url(url: str) -> str:
    """A notice links to a page of this site: a path, never another site."""
    url = (url or "").strip()
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"a notice's url must be a path on this site, not {url!r}")
    return url[:500]


def notify(recipients: Iterable[Any], *, kind: str, title: str, body: str = "", url: str = "", obj=None,
           org=None, key: str | None = None) -> int:
    """Tell people (User objects or ids) something of `kind`; returns how many were told.

    `url` is a path on this site (the object's page); `obj` the object it is about; `org` the
    organisation it concerns (a person in several sees which). `key`, if given, makes the call
    idempotent: a notice with the same key is written once (a daily reminder run twice)."""
    found = kinds.get(kind)
    ids = _user_ids(recipients)
    if not ids:
        return 0
    now = timezone.now()
    values = {
        "kind": found.code, "title": " ".join(str(title).split())[:255], "body": str(body)[:4000], "url": check_url(url),
        "object_type": obj._meta.label_lower if obj is not None else "", "object_id": str(obj.pk) if obj is not None else "",
        "organization": getattr(org, "pk", org), "created_at": now, "key": key[:200] if key else None,
    }
    with transaction.atomic(savepoint=False):
        notice_id = _insert_notice(values)
        if notice_id is None:
            return 0
        insert_rows(Notification, ["notice", "user"], [(notice_id, uid) for uid in ids])
        if settings.VANTHU_EMAIL_ENABLED and _journal_mail(notice_id, found, now):
            transaction.on_commit(wake_sender)
    return len(ids)


# --- what a person does --------------------------------------------------------------------------

def mark_read(notification: Notification, *, user) -> Notification:
    """One's own notification (fetched through access.py) is read now; reading again keeps the first time."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, user=user, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def channels_of(user) -> dict[str, str]:
    """Every registered kind → the person's channel for it (their choice, else the kind's default)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {k.code: chosen.get(k.code, k.default) for k in kinds.all_kinds()}


@transaction.atomic
def set_preferences(*, user, channels: Mapping[str, str]) -> dict[str, str]:
    """The person's channel per kind; kinds not named keep theirs. Returns every kind's channel."""
    known = {k.code: k for k in kinds.all_kinds()}
    unknown = sorted(set(channels) - set(known))
    if unknown:
        raise Unprocessable(_("Loại thông báo không tồn tại."), code="unknown_kind", details={"kinds": unknown})
    bad = sorted(k for k, c in channels.items() if c not in Channel.values)
    if bad:
        raise Unprocessable(_("Cách nhận thông báo không hợp lệ."), code="invalid_channel", details={"kinds": bad})
    before = channels_of(user)
    # Choosing mail needs an address; keeping a kind's default (mail, say) while changing another does not.
    if not user.email and any(c != Channel.APP and c != before[k] for k, c in channels.items()):
        raise Unprocessable(_("Tài khoản của bạn chưa có địa chỉ thư điện tử: hãy nhờ quản trị thêm trước khi chọn nhận thư."),
                            code="email_missing", details={"field": "email"})
    for code, channel in channels.items():
        Preference.objects.update_or_create(user=user, kind=code, defaults={"channel": channel})
    after = channels_of(user)
    changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    if changed:
        record("notification_preferences_changed", actor=user, obj=user, data={"changed": changed})
    return after
