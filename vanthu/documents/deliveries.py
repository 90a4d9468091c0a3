"""A delivery's status: the one place that writes it, with its event.

    issue ──► 01 arrived ──► 03 accepted ──► 04 assigned ──► 05 in progress ──► 06 done
      │           │                             ▲  │              │
      │           └──► 02 rejected              └──┴──────────────┘ (re-assigned)
      └──► 00 sending ⇄ 98 failed ──► 01   (a recipient at a peer: exchange/transit.py)
    any ──► 13 recall/update requested ──► 15 agreed | 16 refused (back where it stood)

`NEXT` lists the moves a recipient makes itself; `move_delivery` checks them. The moves that
happened elsewhere (reported by a peer, the transit of a package, a recall) are recorded as
they came with `record_status`, which `move_delivery` also ends in: so every status change
writes the delivery's row and appends one immutable `DeliveryEvent` the same way, and
publishes `delivery_moved` (the statistics and the outbox follow in the same transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vanthu.errors import InvalidState
from vanthu.rows import insert_rows, update_row

from . import access, events
from .models import Delivery, DeliveryEvent, StatusCode

# Which status a recipient may move a delivery to from which.
NEXT: dict[str, frozenset[str]] = {
    StatusCode.ARRIVED: frozenset({StatusCode.ACCEPTED, StatusCode.REJECTED}),
    StatusCode.ACCEPTED: frozenset({StatusCode.ASSIGNED}),
    StatusCode.ASSIGNED: frozenset({StatusCode.ASSIGNED, StatusCode.IN_PROGRESS, StatusCode.DONE}),
    StatusCode.IN_PROGRESS: frozenset({StatusCode.ASSIGNED, StatusCode.DONE}),
}

_EVENT_FIELDS = ("delivery", "status_code", "at", "by", "by_name", "note", "note_private")


def can_move(current: str, to: str) -> bool:
    return to in NEXT.get(current, frozenset())


def lock_delivery(delivery: Delivery) -> Delivery:
    """The delivery's row, locked; its document as the caller already read it (fixed once issued).
    It carries `handed_over` (the recipient handed the document over to its archive), read in the
    same statement, which `move_delivery` asks."""
    locked = (Delivery.objects.select_for_update()
              .annotate(handed_over=access.handed_over_here("recipient_id", "document_id")).get(pk=delivery.pk))
    if Delivery.document.is_cached(delivery) and delivery.document_id == locked.document_id:
        locked.document = delivery.document
    if Delivery.recipient.is_cached(delivery):
        locked.recipient = delivery.recipient
    return locked


def move_delivery(delivery: Delivery, code: str, *, user, note: str = "", at: datetime | None = None,
                  changes: dict | None = None, note_private: bool = False) -> DeliveryEvent:
    """A recipient's own move (accept, reject, assign, start, complete), checked against `NEXT`.

    The caller holds the transaction and the row's lock. `changes` are other fields of the
    delivery changed with this move: written in the same UPDATE, seen by the statistics at once.
    """
    if not can_move(delivery.status_code, code):
        raise InvalidState(
            _("Văn bản đang ở trạng thái “%(status)s”, không thể chuyển sang “%(to)s”.") % {"status": delivery.status_label, "to": StatusCode(code).label},
            code="invalid_delivery_status", details={"status_code": delivery.status_code, "requested": code},
        )
    # Handed over to the recipient's archive (or disposed of there): read-only in that organisation.
    handed_over = getattr(delivery, "handed_over", None)  # lock_delivery read it; else ask now
    if handed_over is None:
        handed_over = access.handed_over(delivery.document_id, delivery.recipient_id)
    if handed_over:
        raise InvalidState(_("Văn bản đã nộp lưu, chỉ được đọc: không xử lý tiếp được."), code="document_handed_over")
    return record_status(delivery, code, user=user, note=note, at=at, changes=changes, note_private=note_private)


def record_status(delivery: Delivery, code: str, *, user=None, by_name: str = "", note: str = "",
                  at: datetime | None = None, changes: dict | None = None,
                  stays_at: str | None = None, note_private: bool = False) -> DeliveryEvent:
    """Append the event `code` and set the delivery's status to it, with `changes`, in one UPDATE.

    `stays_at` keeps the row at another status than the event's: a refused recall (16) brings the
    delivery back where it stood; an acknowledgement of a package under recall leaves it at 13.
    The caller holds the transaction and the row's lock, and has checked that the move is right.
    """
    at = at or timezone.now()
    changes = dict(changes or {})
    for name, value in changes.items():
        setattr(delivery, name, value)
    delivery.status_code = stays_at or code
    delivery.updated_at = at
    update_row(Delivery, delivery, ["status_code", "updated_at", *changes])
    name = (by_name or (user.get_full_name() if user else ""))[:150]
    event = DeliveryEvent(delivery=delivery, status_code=code, at=at, by=user, by_name=name, note=note,
                          note_private=note_private and bool(note))
    fields = [DeliveryEvent._meta.get_field(n) for n in _EVENT_FIELDS]
    (event.id,) = insert_rows(DeliveryEvent, _EVENT_FIELDS, [[getattr(event, f.attname) for f in fields]], returning_ids=True)
    event._state.adding, event._state.db = False, connection.alias
    events.delivery_moved.publish(delivery=delivery, event=event, changed=tuple(changes))
    return event


def created(rows: Iterable[dict]) -> list[Delivery]:
    """Model instances of delivery rows just inserted, each given as its non-default fields.

    Issuing makes 150 at once, and `Model.__init__` (keyword or positional) would cost more than
    inserting them: the instances are filled in directly, as loaded rows. Delivery has no
    mutable default and no init signal receivers, so nothing of `__init__` is missed."""
    template = {f.attname: f.get_default() for f in Delivery._meta.concrete_fields}
    out = []
    for row in rows:
        d = Delivery.__new__(Delivery)
        d.__dict__.update(template)
        d.__dict__.update(row)
        d._state = ModelState()
        d._state.adding, d._state.db = False, connection.alias
        out.append(d)
    return out


def first_events(deliveries: Iterable[Delivery], *, notes: dict[int, str] | None = None,
                 by_name: str = "", user=None) -> None:
    """The first event of deliveries just created, one statement for all (issuing to 150)."""
    notes = notes or {}
    name = (by_name or (user.get_full_name() if user else ""))[:150]
    insert_rows(DeliveryEvent, _EVENT_FIELDS, [
        (d.id, d.status_code, d.arrived_at, user.id if user else None, name, notes.get(d.id, ""), False) for d in deliveries
    ])


def timeline(events: Iterable[DeliveryEvent], *, for_sender: bool) -> list[dict]:
    """A delivery's steps as a person reads them: a second assignment (04 after a 04) is a
    re-assignment, not the same step again; the sender never reads a note private to the
    recipient (a leader's instructions it chose not to share)."""
    out, assigned = [], False
    for e in events:
        label = str(StatusCode(e.status_code).label) if e.status_code in StatusCode.values else e.status_code
        if e.status_code == StatusCode.ASSIGNED:
            if assigned:
                label = pgettext("delivery step", "Phân công lại")
            assigned = True
        out.append({"event": e, "status_code": e.status_code, "label": label, "at": e.at, "by": e.by_name,
                    "note": "" if for_sender and e.note_private else e.note})
    return out
