"""Writing outbox entries inside the transactions that cause them (transactional outbox).

Two subscribers to the core's events, in the action's transaction (`documents/events.py`, wired
in `apps.py`): `document_issued` and `delivery_moved` (every status change of a delivery). Both
are cheap when no peer is involved. A recall, an update or a replacement queues its packages
through `queue_packages`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from vanthu.documents.models import Delivery, DeliveryEvent, StatusCode

from .edxml import handler_note, incoming_number_note
from .models import (
    BusinessType,
    InboundMessage,
    MessageKind,
    OutboxMessage,
    Peer,
    RemoteOrganization,
)
from .tasks import send_outbox

# The statuses a recipient reports back to the sender.
REPORTED = {StatusCode.REJECTED, StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS,
            StatusCode.DONE, StatusCode.RECALL_AGREED, StatusCode.RECALL_REFUSED}


def _wake_sender() -> None:
    transaction.on_commit(lambda: send_outbox.enqueue())


def queue(*, peer_id: int, kind: str, delivery: Delivery | None, business_type: int = BusinessType.NEW,
          status_code: str = "", description: str = "", staff_name: str = "", staged=None) -> OutboxMessage:
    """One message to send; a status refusing a staged package has no delivery, only `staged`."""
    now = timezone.now()
    row = OutboxMessage.objects.create(
        message_id=uuid.uuid4(), peer_id=peer_id, kind=kind, delivery=delivery, staged=staged, business_type=business_type,
        status_code=status_code, description=description[:2000], staff_name=staff_name[:150],
        created_at=now, next_attempt_at=now, lease_until=now,
    )
    _wake_sender()
    return row


def peer_of(org_ids: Iterable[int]) -> dict[int, int]:
    """Organisation id → peer id, for the organisations that live at a peer."""
    return dict(RemoteOrganization.objects.filter(organization_id__in=list(org_ids), peer__is_active=True)
                .values_list("organization_id", "peer_id"))


def document_issued(document, deliveries: Iterable[Delivery], **_event) -> list[OutboxMessage]:
    """A package per delivery whose recipient lives at a peer (issued at 00), in the issuing
    transaction. Issuing to organisations of this installation only asks nothing more."""
    sending = [d for d in deliveries if d.status_code == StatusCode.SENDING]
    return queue_packages(document, sending) if sending else []


def queue_packages(document, deliveries: Iterable[Delivery], *, business_type: int = BusinessType.NEW,
                   reason: str = "") -> list[OutboxMessage]:
    """A package of this business type per delivery whose recipient lives at a peer."""
    deliveries = list(deliveries)
    peers = peer_of(d.recipient_id for d in deliveries)
    external = [d for d in deliveries if d.recipient_id in peers]
    return [queue(peer_id=peers[d.recipient_id], kind=MessageKind.PACKAGE, delivery=d, business_type=business_type,
                  description=reason) for d in external]


def delivery_moved(delivery: Delivery, event: DeliveryEvent, **_event) -> OutboxMessage | None:
    """A status of a document that came from a peer goes back to that peer."""
    if event.status_code not in REPORTED:
        return None
    origin = InboundMessage.objects.filter(delivery_id=delivery.id, kind=MessageKind.PACKAGE).values_list("peer_id", flat=True).first()
    if origin is None or not Peer.objects.filter(id=origin, is_active=True).exists():
        return None
    # A note private to the recipient (a leader's instructions not shared) never leaves it.
    note = ("" if event.note_private else event.note) or (delivery.reject_reason if event.status_code == StatusCode.REJECTED else "")
    if event.status_code == StatusCode.ASSIGNED and delivery.handler_name:
        note = handler_note(delivery.handler_name) + (f" {note}" if note else "")
    if event.status_code == StatusCode.ACCEPTED and delivery.incoming_number:
        # edXML's status has no field for it: the sender reads it back from the description.
        note = incoming_number_note(delivery.incoming_number) + (f" {note}" if note else "")
    return queue(peer_id=origin, kind=MessageKind.STATUS, delivery=delivery, status_code=event.status_code,
                 description=note, staff_name=event.by_name)
