"""The sender's delivery row for a recipient at a peer, while its package is in transit.

    issue ──► 00 sending ──(the peer's HTTP acknowledgement, or any status from it)──► 01 arrived
                 │  ▲
      outbox     │  │ a clerk resends
      gives up   ▼  │
              98 failed ──(an acknowledgement or a status after all)──► 01 arrived

`issue_document` writes a recipient at a peer at 00 (internal ones at 01, because the
recipient's inbox has them then); a recipient at another installation has nothing until its
server answers, so its row says so. 00 and 98 are VanThu's own codes: they never travel (a
status message carries only what the recipient did). Each move goes through
`documents.deliveries.record_status` (the event, the statistics in the same transaction) and
is recorded in the audit chain by the caller's own record.

A package written to a file (`vanthu edxml export`) does not move the row: nobody has confirmed
that it arrived. Its outbox message stays pending with the same message id, so when the network
is back the peer answers "duplicate", which is an acknowledgement; and the first status the
recipient sends back (03 accepted…) moves the row to 01 on the way.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents.deliveries import record_status
from vanthu.documents.models import Delivery, StatusCode

from .models import RecallRequest

IN_TRANSIT = (StatusCode.SENDING, StatusCode.SEND_FAILED)


def _locked(delivery_id: int) -> Delivery | None:
    return Delivery.objects.select_for_update().filter(pk=delivery_id).first()


def acknowledged(delivery_id: int, *, at: datetime | None = None, note: str = "") -> bool:
    """The peer has the package: 00/98 → 01, arrival time = now. True when the row moved.

    If the sender asked for a recall before the acknowledgement came, the row stays at 13 and
    only remembers 01 as where it stood (a refusal, 16, then brings it back to 01)."""
    delivery = _locked(delivery_id)
    if delivery is None:
        return False
    waiting = RecallRequest.objects.filter(delivery_id=delivery_id, answer="", previous_status__in=IN_TRANSIT)
    in_transit = delivery.status_code in IN_TRANSIT
    if not in_transit and not waiting.exists():
        return False
    at = max(at or timezone.now(), delivery.updated_at)
    record_status(delivery, StatusCode.ARRIVED, at=at, note=note or _("Hệ thống nơi nhận đã xác nhận nhận được"),
                  changes={"arrived_at": at}, stays_at=None if in_transit else delivery.status_code)
    waiting.update(previous_status=StatusCode.ARRIVED)
    return True


def gave_up(delivery_id: int, *, error: str) -> bool:
    """The outbox stopped retrying: 00 → 98, with the reason in the history. True when moved."""
    delivery = _locked(delivery_id)
    if delivery is None:
        return False
    if delivery.status_code != StatusCode.SENDING:
        RecallRequest.objects.filter(delivery_id=delivery_id, answer="", previous_status=StatusCode.SENDING).update(
            previous_status=StatusCode.SEND_FAILED)
        return False
    record_status(delivery, StatusCode.SEND_FAILED, at=max(timezone.now(), delivery.updated_at),
                  note=_("Không gửi được đến hệ thống nơi nhận: %(error)s") % {"error": error[:500]})
    return True


def resending(delivery_id: int, *, by_name: str = "") -> bool:
    """A clerk sends a failed package again: 98 → 00."""
    delivery = _locked(delivery_id)
    if delivery is None or delivery.status_code != StatusCode.SEND_FAILED:
        return False
    record_status(delivery, StatusCode.SENDING, at=max(timezone.now(), delivery.updated_at), by_name=by_name,
                  note=_("Gửi lại qua liên thông"))
    return True
