"""Posting outbox messages to peers: leases, exponential back-off with jitter, a maximum age."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import requests
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record

from . import peerauth, transit
from .models import MessageKind, OutboxMessage, OutboxState
from .packages import message_bytes

log = logging.getLogger(__name__)
_session = requests.Session()


class Permanent(Exception):
    """The message can never go as it is: it cannot be built (its text is not valid in XML, its
    signing key is missing), or the peer refused it for a reason retrying will not change. It
    fails at once, visibly, instead of being retried for VANTHU_EXCHANGE_MAX_AGE_HOURS."""


# A peer's answers that say "not now" rather than "never": a timeout, a request too early, too
# many requests, and a conflict (the peer finds the message's time stale or in the future: the
# clocks differ, and every attempt is signed anew).
TRANSIENT_REFUSALS = (408, 409, 425, 429)


def build(row: OutboxMessage) -> bytes:
    """The signed message of an outbox row. Permanent if it can never be built; the database's
    and the file store's errors pass through, as they may be gone at the next attempt."""
    try:
        return message_bytes(row)
    except (DatabaseError, OSError):
        raise
    except Exception as exc:
        raise Permanent(_("Không tạo được thư liên thông (%(kind)s: %(error)s).") % {
            "kind": type(exc).__name__, "error": str(exc)[:300]}) from exc


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: exponential, capped, with full jitter so that many
    senders coming back at once do not all knock at the same moment."""
    base = settings.VANTHU_EXCHANGE_RETRY_BASE_SECONDS
    cap = settings.VANTHU_EXCHANGE_RETRY_CAP_SECONDS
    ceiling = min(cap, base * (2 ** min(attempts, 30)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def lease() -> timedelta:
    # Longer than a post may take; a killed sender's messages wait this long before a retry.
    return timedelta(seconds=settings.VANTHU_EXCHANGE_LEASE_SECONDS)


def _claim(row_id: int) -> OutboxMessage | None:
    now = timezone.now()
    taken = OutboxMessage.objects.filter(pk=row_id, state=OutboxState.PENDING, lease_until__lte=now).update(lease_until=now + lease())
    return OutboxMessage.objects.select_related("peer").get(pk=row_id) if taken else None


def post(row: OutboxMessage, body: bytes) -> dict:
    headers = {"Content-Type": "application/xml; charset=utf-8", "X-VanThu-Message": str(row.message_id),
               "X-VanThu-Kind": row.kind,
               **peerauth.headers_for(row.peer, body)}
    resp = _session.post(row.peer.endpoint, data=body, headers=headers, timeout=min(settings.VANTHU_EXCHANGE_TIMEOUT_SECONDS, settings.VANTHU_EXCHANGE_LEASE_SECONDS - 1))
    if resp.status_code == 200:
        return resp.json()
    if 400 <= resp.status_code < 500 and resp.status_code not in TRANSIENT_REFUSALS:
        raise Permanent(_("Hệ thống nơi nhận từ chối thư (HTTP %(status)s): %(answer)s") % {
            "status": resp.status_code, "answer": resp.text[:500]})
    raise requests.HTTPError(f"HTTP {resp.status_code}: {resp.text[:200]}")


def send_one(row: OutboxMessage) -> bool:
    """Build, sign and post one message; record the outcome. True when the peer acknowledged."""
    try:
        answer = post(row, build(row))
    except Permanent as exc:
        _fail(row, str(exc))
        return False
    except Exception as exc:  # network down, peer restarting, a timeout: try again later
        _retry(row, f"{type(exc).__name__}: {exc}"[:1000])
        return False
    with transaction.atomic():
        now = timezone.now()
        OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.SENT, sent_at=now, attempts=row.attempts + 1, last_error="")
        if row.kind == MessageKind.PACKAGE and row.business_type == 0:
            # The peer acknowledged arrival: the sender's row moves to 01, arrived now.
            transit.acknowledged(row.delivery_id, at=now)
        record("exchange_message_sent", obj=row, data={"peer": row.peer_id, "kind": row.kind, "answer": answer.get("status")})
    return True


def _retry(row: OutboxMessage, error: str) -> None:
    now = timezone.now()
    if now - row.created_at > timedelta(hours=settings.VANTHU_EXCHANGE_MAX_AGE_HOURS):
        _fail(row, error)
        return
    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1, last_error=error, next_attempt_at=now + timedelta(seconds=backoff(row.attempts)), lease_until=now,
    )
    log.info("exchange: %s to %s failed (%s), retrying", row.message_id, row.peer, error)


def _fail(row: OutboxMessage, error: str) -> None:
    """Give up: the clerk sees the delivery as not sent, with the reason, and may send again."""
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.FAILED, attempts=row.attempts + 1, last_error=error[:2000], lease_until=timezone.now())
        if row.kind == MessageKind.PACKAGE and row.business_type == 0:
            transit.gave_up(row.delivery_id, error=error)  # 98 on the document page and in the API
        record("exchange_message_failed", obj=row, data={"peer": row.peer_id, "error": error[:500]})
    log.warning("exchange: %s to %s failed for good: %s", row.message_id, row.peer, error)


def send_due(limit: int = 200) -> int:
    """Send what is due, oldest first per peer; a peer that fails is skipped for this round so
    the order of a document's messages (package before its statuses, 03 before 04) holds."""
    sent = 0
    blocked: set[int] = set()
    for row_id, peer_id in OutboxMessage.objects.due().order_by("id").values_list("id", "peer_id")[:limit]:
        if peer_id in blocked:
            continue
        row = _claim(row_id)
        if row is None:
            continue
        if send_one(row):
            sent += 1
        else:
            blocked.add(peer_id)
    return sent


def next_due():
    return OutboxMessage.objects.pending().aggregate(m=Min("next_attempt_at"))["m"]
