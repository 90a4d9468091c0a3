"""Sending the mail outbox through Django's e-mail backend, and composing the daily digest.

A batch is claimed with a lease (one UPDATE), sent over one SMTP connection, and each message is
marked sent as soon as the server accepted it, so a worker killed mid-batch leaves only the
message in flight to be sent again when its lease runs out (with the same Message-ID, so that
mail programs can tell the copy). A transient failure (the server down, a 4xx answer) puts the
message back with exponential back-off; a permanent refusal (5xx for the address or the content)
marks it failed; nothing is dropped while the server is away (up to VANTHU_MAIL_MAX_AGE_HOURS).
"""

from __future__ import annotations

import logging
import random
import smtplib
import socket
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanthu.accounts.models import User

from . import kinds
from .kinds import Channel
from .models import DigestMark, MailMessage, MailState, Notification, Preference

log = logging.getLogger("vanthu.notifications")
BATCH = 50


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: exponential, capped, with jitter (many messages wait on
    one server; they should not all knock at the same moment when it comes back)."""
    ceiling = min(settings.VANTHU_MAIL_RETRY_CAP_SECONDS, settings.VANTHU_MAIL_RETRY_BASE_SECONDS * (2 ** min(attempts, 30)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def site_url(path: str = "") -> str:
    return f"{settings.VANTHU_PUBLIC_URL}{path}"


def message_id(row: MailMessage) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<vanthu.mail.{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"


def compose(row: MailMessage) -> tuple[str, str]:
    """(subject, body) of a notice's mail, in Vietnamese unless the site's language says otherwise."""
    if row.notice_id is None:
        return row.subject, row.body
    n = row.notice
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Kính gửi %(name)s,") % {"name": row.user.get_full_name()}, "", n.title]
        if n.body:
            lines += ["", n.body]
        if n.url:
            lines += ["", _("Xem chi tiết: %(url)s") % {"url": site_url(n.url)}]
        lines += ["", "—", _("Thư này do hệ thống VanThu gửi tự động (%(kind)s). Thay đổi cách nhận thông báo: %(url)s")
                  % {"kind": kinds.label(n.kind), "url": site_url("/notifications/preferences/")}]
        return f"[VanThu] {n.title}"[:255], "\n".join(lines)


def _claim(limit: int) -> list[MailMessage]:
    now = timezone.now()
    ids = list(MailMessage.objects.due(now).order_by("id").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    token = uuid.uuid4().hex
    MailMessage.objects.filter(id__in=ids, state=MailState.PENDING, lease_until__lte=now).update(
        claim=token, lease_until=now + timedelta(seconds=settings.VANTHU_MAIL_LEASE_SECONDS))
    return list(MailMessage.objects.filter(claim=token, id__in=ids).select_related("notice", "user").order_by("id"))


def _permanent(exc: Exception) -> bool:
    """A refusal that sending again will not change: the server said 5xx for the address or the content."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def _sent(row: MailMessage) -> None:
    MailMessage.objects.filter(pk=row.pk).update(state=MailState.SENT, sent_at=timezone.now(), attempts=row.attempts + 1,
                                                 last_error="", claim="")


def _failed(row: MailMessage, error: str) -> None:
    MailMessage.objects.filter(pk=row.pk).update(state=MailState.FAILED, attempts=row.attempts + 1, last_error=error[:2000],
                                                 lease_until=timezone.now(), claim="")
    log.warning("mail %s to %s failed for good: %s", row.pk, row.to, error)


def _retry(row: MailMessage, error: str) -> None:
    now = timezone.now()
    if now - row.created_at > timedelta(hours=settings.VANTHU_MAIL_MAX_AGE_HOURS):
        _failed(row, error)
        return
    MailMessage.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=error[:2000], lease_until=now, claim="",
                                                 next_attempt_at=now + timedelta(seconds=backoff(row.attempts)))


def _no_delay(conn) -> None:
    """SMTP is a dialogue of small writes: without TCP_NODELAY each message waits for a delayed
    ACK (about 40 ms), which caps a connection at some twenty messages a second."""
    sock = getattr(getattr(conn, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket: nothing to tune
            pass


def send_due(limit: int = BATCH) -> int:
    """Send one batch of what is due; returns how many the server accepted."""
    rows = _claim(limit)
    if not rows:
        return 0
    conn = get_connection(fail_silently=False)
    try:
        conn.open()
    except Exception as exc:  # the server is down or refuses us: every message waits for a retry
        error = f"{type(exc).__name__}: {exc}"
        log.info("mail server unavailable (%s): %d messages wait", error, len(rows))
        for row in rows:
            _retry(row, error)
        return 0
    _no_delay(conn)
    sent = 0
    try:
        for i, row in enumerate(rows):
            subject, body = compose(row)
            msg = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [row.to], connection=conn,
                               headers={"Message-ID": message_id(row)})
            try:
                conn.send_messages([msg])
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if _permanent(exc):
                    _failed(row, error)
                    continue
                for rest in rows[i:]:  # the connection is gone: these wait for the next attempt
                    _retry(rest, error)
                break
            _sent(row)
            sent += 1
    finally:
        try:
            conn.close()
        except Exception:  # closing a dead connection: nothing left to lose
            pass
    return sent


def next_due():
    return MailMessage.objects.pending().aggregate(m=Min("next_attempt_at"))["m"]


# --- the daily digest -------------------------------------------------------------------------------

DIGEST_LIMIT = 100  # items listed in one digest; the rest are counted


def compose_digest(user: User, items: list[Notification], more: int) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[VanThu] %(n)s thông báo mới") % {"n": len(items) + more}
        lines = [_("Kính gửi %(name)s,") % {"name": user.get_full_name()}, "",
                 _("Những thông báo bạn chưa đọc từ thư tổng hợp trước:"), ""]
        for n in items:
            lines.append(f"• {timezone.localtime(n.notice.created_at):%d/%m %H:%M} — {n.notice.title}")
            if n.notice.url:
                lines.append(f"  {site_url(n.notice.url)}")
        if more:
            lines += ["", _("… và %(n)s thông báo khác.") % {"n": more}]
        lines += ["", _("Xem tất cả: %(url)s") % {"url": site_url("/notifications/")}, "", "—",
                  _("Thư tổng hợp hằng ngày của hệ thống VanThu. Thay đổi cách nhận thông báo: %(url)s")
                  % {"url": site_url("/notifications/preferences/")}]
        return subject, "\n".join(lines)


def journal_digests(today: date | None = None) -> int:
    """One digest mail per person who chose it for some kind and has unread notices of those
    kinds since their last digest; at most one a day. Returns the number journaled."""
    if not settings.VANTHU_EMAIL_ENABLED:
        return 0
    today = today or timezone.localdate()
    journaled = 0
    by_user: dict[int, set[str]] = {}
    for uid, kind in Preference.objects.filter(channel=Channel.DIGEST).values_list("user_id", "kind"):
        by_user.setdefault(uid, set()).add(kind)
    for uid, digest_kinds in by_user.items():
        with transaction.atomic():
            mark, _new = DigestMark.objects.select_for_update().get_or_create(user_id=uid)
            if mark.sent_on == today:
                continue
            user = User.objects.filter(pk=uid, is_active=True).exclude(email="").first()
            newer = Notification.objects.filter(user_id=uid, id__gt=mark.last_notification_id)
            last = newer.order_by("-id").values_list("id", flat=True).first()
            items = list(newer.unread().filter(notice__kind__in=digest_kinds).select_related("notice").order_by("id")[:DIGEST_LIMIT + 1])
            if last is not None:
                mark.last_notification_id = last
            mark.sent_on = today
            mark.save()
            if user is None or not items:
                continue
            more = 0
            if len(items) > DIGEST_LIMIT:
                more = newer.unread().filter(notice__kind__in=digest_kinds).count() - DIGEST_LIMIT
                items = items[:DIGEST_LIMIT]
            subject, body = compose_digest(user, items, more)
            now = timezone.now()
            MailMessage.objects.create(user=user, to=user.email, subject=subject[:255], body=body, created_at=now,
                                       next_attempt_at=now, lease_until=now)
            journaled += 1
    return journaled
