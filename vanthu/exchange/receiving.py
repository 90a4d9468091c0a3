"""Receiving messages from peers: every check, then one transaction that records the result.

A package posted to the door is only stored there (inbox.py: the peer authenticated, the body
within its size, a row and its task) and acknowledged; the worker then runs these checks. Order
of checks, cheapest and most telling first: the credential (a known peer), the size, a hardened
parse, the sender organisation belongs to that peer, the envelope signature against
that organisation's pinned certificate, freshness (replay), then content (classified marking,
recipient, PDFs). A refused message is logged in `Refusal` and leaves nothing else behind (a
staged package's refusal also goes back to the sender as a status, and its bytes are deleted).
"""

from __future__ import annotations

import dataclasses
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents import actions as doc_actions
from vanthu.documents.classification import check_marking
from vanthu.documents.deliveries import record_status
from vanthu.documents.doctypes import type_for_received
from vanthu.documents.models import Delivery, DeliveryEvent, FileRole, StatusCode, Urgency
from vanthu.documents.pdf import inspect_pdf
from vanthu.errors import VanThuError
from vanthu.organizations.models import Organization, OrgKind

from . import edxml, extras, transit
from .models import (
    BusinessType,
    InboundMessage,
    MessageKind,
    Peer,
    RecallRequest,
    Refusal,
    RemoteOrganization,
)
from .outbox import REPORTED
from .packages import document_id_of

log = logging.getLogger(__name__)
PRIORITY_URGENCY = {0: Urgency.NORMAL, 1: Urgency.URGENT, 2: Urgency.VERY_URGENT, 3: Urgency.FLASH}


@dataclass
class Answer:
    http_status: int
    body: dict


class Refused(Exception):
    def __init__(self, http_status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = http_status, code, message


def refuse(http_status: int, code: str, message: str, *, peer: Peer | None = None, site: str = "",
           remote_addr: str = "", size: int = 0) -> Answer:
    """Log the refusal (kept for the administrator) and answer clearly."""
    Refusal.objects.create(peer=peer, site_id=site[:64], remote_addr=remote_addr[:64], code=code, detail=message[:2000], size=size)
    log.warning("exchange: refused %s from %s (%s): %s", code, site or "?", remote_addr, message)
    return Answer(http_status, {"status": "refused", "error": {"code": code, "message": message}})


def receive(data: bytes, *, peer: Peer | None, site: str = "", remote_addr: str = "", by_hand: bool = False) -> Answer:
    """Check and record one message at once: `vanthu edxml import` (with by_hand), a status
    message at the door. A package posted to the door is staged instead (inbox.py), and the
    worker runs the same checks through `check_and_record`."""
    seen = Seen()
    try:
        return check_and_record(data, peer=peer, by_hand=by_hand, seen=seen)
    except Refused as exc:
        return refuse(exc.http_status, exc.code, exc.message, peer=seen.peer, site=site, remote_addr=remote_addr, size=len(data))


@dataclass
class Seen:
    """What the checks learnt of a message before they stopped, for the refusal's record."""

    peer: Peer | None = None
    remote: RemoteOrganization | None = None
    kind: str = ""
    # What a package says of itself: read before its signature is checked (a refusal then says
    # which document it was), replaced by the verified reading when the signature holds.
    header: edxml.Package | None = None


def check_and_record(data: bytes, *, peer: Peer | None, by_hand: bool = False, seen: Seen | None = None,
                     arrived_at=None) -> Answer:
    """Every check of a message, then the transaction that records it; Refused (with the HTTP
    status that says why) when it may not enter. `arrived_at`: when a staged package reached
    the door, the moment its freshness is judged at (the worker may come to it later)."""
    seen = seen if seen is not None else Seen()
    try:
        files: dict[str, bytes] = {}
        root = edxml.parse(data, payloads=files)
        kind = seen.kind = edxml.message_kind(root)
        if kind == "package":
            with suppress(edxml.PackageError):
                seen.header = edxml.read_header(root)
        remote = _sender(root, peer)
        peer = seen.peer = remote.peer
        seen.remote = remote
        try:
            edxml.verify(root, _certificate(bytes(remote.certificate_der)))
        except edxml.PackageError as exc:
            raise Refused(403, exc.code, _("Chữ ký số của gói tin không hợp lệ.")) from None
        if kind == "package":
            pkg = seen.header = edxml.read_package(root, files)
            _fresh(pkg.timestamp, by_hand, arrived_at)
            return _receive_package(pkg, peer, remote)
        msg = edxml.read_status(root)
        _fresh(msg.timestamp, by_hand, arrived_at)
        return _receive_status(msg, peer, remote)
    except edxml.PackageError as exc:
        raise Refused(400, exc.code, _("Gói tin không đúng định dạng edXML: %(why)s") % {"why": exc.message}) from None
    except VanThuError as exc:
        raise Refused(exc.status, exc.code, exc.message) from None


@lru_cache(maxsize=256)
def _certificate(der: bytes) -> x509.Certificate:
    """A peer organisation's pinned certificate, parsed once per process (keyed by its bytes, so a
    re-registered certificate is simply another entry)."""
    return x509.load_der_x509_certificate(der)


def _sender(root, peer: Peer | None) -> RemoteOrganization:
    code = edxml.sender_code(root)
    qs = RemoteOrganization.objects.select_related("peer", "organization").filter(organization__code=code, peer__is_active=True)
    if peer is not None:
        qs = qs.filter(peer=peer)
    remote = qs.first()
    if remote is None:
        raise Refused(403, "unknown_sender", _("Cơ quan gửi %(code)s không thuộc hệ thống liên thông đã đăng ký.") % {"code": code[:35]})
    return remote


def _fresh(moment, by_hand: bool, arrived_at=None) -> None:
    """Replay protection: a message carries its signing time; an old one is refused. (Exact
    repeats within the window are caught by the message id.) Files carried by hand may be older."""
    now = arrived_at or timezone.now()
    window = timedelta(days=settings.VANTHU_EXCHANGE_IMPORT_MAX_AGE_DAYS) if by_hand else timedelta(seconds=settings.VANTHU_EXCHANGE_REPLAY_WINDOW_SECONDS)
    if moment < now - window:
        raise Refused(409, "stale_message", _("Gói tin đã quá cũ (có thể là gói tin bị phát lại)."))
    if moment > now + timedelta(minutes=5):
        raise Refused(409, "message_from_future", _("Thời điểm ký gói tin ở tương lai: đồng hồ hai hệ thống lệch nhau?"))


def _duplicate(message_id: str, key: str) -> InboundMessage | None:
    return InboundMessage.objects.filter(message_id=message_id).first() or InboundMessage.objects.filter(dedupe_key=key).first()


def _dup_answer(row: InboundMessage) -> Answer:
    return Answer(200, {"status": "duplicate", "status_code": StatusCode.ARRIVED, "document_id": row.document_id_text})


def _receive_package(pkg: edxml.Package, peer: Peer, remote: RemoteOrganization) -> Answer:
    level = check_marking(*pkg.markings)  # Classified (422) is refused and logged like the rest
    recipient = Organization.objects.active().exclude(kind=OrgKind.EXTERNAL).filter(code=pkg.recipient.code).first()
    if recipient is None:
        raise Refused(422, "unknown_recipient", _("Nơi nhận %(code)s không có trong hệ thống.") % {"code": pkg.recipient.code})
    key = f"P|{pkg.document_id}|{pkg.recipient.code}|{pkg.business_type}"
    if pkg.business_type in (BusinessType.UPDATE, BusinessType.REPLACE):
        key += f"|{pkg.message_id}"  # a document may be updated more than once
    dup = _duplicate(pkg.message_id, key)
    if dup is not None:
        return _dup_answer(dup)
    subject = doc_actions.check_subject(pkg.subject)
    # Upper apps' extras (extras.py) are never files of the document; their handlers take them.
    pkg.files, carried = extras.split(pkg.files)
    if pkg.business_type != BusinessType.NEW:
        carried = []
    # Parse every file before anything is written (bad input leaves nothing half-written).
    parsed = [(f, inspect_pdf(f.data, f.name)) for f in pkg.files]
    if pkg.business_type == BusinessType.NEW and not parsed:
        raise Refused(422, "file_required", _("Gói tin không có tệp văn bản."))
    arrival, written = None, None
    if pkg.business_type == BusinessType.NEW:
        arrival = _arrival(pkg, remote, subject, level)
        doc_actions.check_arrival(arrival)
        # Checked in full: the files are written before the transaction (side by side, each
        # waiting for the disk), which then only records them.
        written = doc_actions.write_files(parsed)
    try:
        with transaction.atomic():
            if arrival is not None:
                delivery = _new_document(pkg, arrival, recipient, remote, parsed, written)
            else:
                delivery = _request(pkg, recipient, parsed)
            InboundMessage.objects.create(
                message_id=pkg.message_id, peer=peer, kind=MessageKind.PACKAGE, dedupe_key=key[:400],
                document_id_text=pkg.document_id[:255], document_id=delivery.document_id, delivery=delivery,
                business_type=pkg.business_type, received_at=timezone.now(),
            )
            extras.received(carried, delivery=delivery, sender=remote.organization, peer=peer)
    except IntegrityError:
        # The same package arrived twice at once: the other request recorded it.
        dup = _duplicate(pkg.message_id, key)
        if dup is None:
            raise
        return _dup_answer(dup)
    return Answer(200, {"status": "accepted", "status_code": StatusCode.ARRIVED if pkg.business_type == 0 else StatusCode.RECALL_REQUESTED,
                        "document_id": pkg.document_id, "delivery_id": delivery.id})


def _arrival(pkg: edxml.Package, remote: RemoteOrganization, subject: str, confidentiality: str) -> doc_actions.ElectronicArrival:
    """What a new document from the peer says of itself, as the documents app takes it."""
    sender = remote.organization
    notation = pkg.code_notation
    symbol = f"{pkg.code_number}-{notation}" if "/" in notation and "-" not in notation else f"{pkg.code_number}/{notation}"
    return doc_actions.ElectronicArrival(
        # The type is found (or created) in the transaction that records the document.
        external_issuer_name=pkg.sender.name or sender.name, issuer_code=sender.code, doc_type=None,
        subject=subject, urgency=PRIORITY_URGENCY.get(pkg.priority, Urgency.NORMAL),
        number=int(pkg.code_number) if pkg.code_number.isdigit() else None, symbol=symbol, issued_date=pkg.issued_date,
        place=pkg.place, signer_authority=pkg.signer_authority, signer_position=pkg.signer_position,
        signer_name=pkg.signer_name, due_date=pkg.due_date, confidentiality=confidentiality,
    )


def _new_document(pkg: edxml.Package, arrival: doc_actions.ElectronicArrival, recipient: Organization,
                  remote: RemoteOrganization, parsed, written: list[str] | None) -> Delivery:
    """The document enters through the documents app; its PDFs' signatures are checked in the
    background (the verdict may still refuse it, and the 02 then goes back to the sender)."""
    arrival = dataclasses.replace(arrival, doc_type=type_for_received(pkg.type_code, pkg.type_name))
    delivery = doc_actions.receive_document(arrival, recipient=recipient, files=parsed, by_name=(pkg.staff_name or "")[:150],
                                            written=written,
                                            note=_("Nhận qua liên thông từ %(peer)s") % {"peer": remote.peer.name})
    record("exchange_document_received", obj=delivery, data={"document_id": pkg.document_id, "peer": remote.peer_id, "message": pkg.message_id})
    return delivery


def _origin(document_id: str, recipient: Organization) -> InboundMessage:
    origin = (InboundMessage.objects.select_related("delivery").filter(
        document_id_text=document_id, kind=MessageKind.PACKAGE, business_type=BusinessType.NEW, delivery__recipient=recipient).first())
    if origin is None or origin.delivery is None:
        raise Refused(404, "unknown_document", _("Không tìm thấy văn bản %(id)s đã nhận trước đó.") % {"id": document_id})
    return origin


def _request(pkg: edxml.Package, recipient: Organization, parsed) -> Delivery:
    """Recall, update or replace a document received earlier: the clerk decides (15 or 16)."""
    origin = _origin(pkg.document_id, recipient)
    delivery = Delivery.objects.select_for_update().select_related("document").get(pk=origin.delivery_id)
    if parsed:
        # Kept beside the old files; the new version counts once the clerk agrees (15).
        doc_actions.attach_files(delivery.document, parsed, first_role=FileRole.SIGNED,
                                 start=200 + delivery.document.files.count())
    open_request(delivery, business_type=pkg.business_type, reason=pkg.business_reason, by_name=pkg.staff_name)
    return delivery


def open_request(delivery: Delivery, *, business_type: int, reason: str, by_name: str = "", user=None) -> RecallRequest:
    """Status 13 on the delivery, remembering where it stood (restored if the answer is 16)."""
    now = timezone.now()
    req = RecallRequest.objects.create(delivery=delivery, business_type=business_type, reason=reason[:2000],
                                       requested_at=now, previous_status=delivery.status_code)
    set_status(delivery, StatusCode.RECALL_REQUESTED, note=reason or str(BusinessType(business_type).label), by_name=by_name, user=user, at=now)
    record("exchange_recall_requested", actor=user, obj=delivery, data={"business_type": business_type, "reason": reason[:500]})
    return req


def set_status(delivery: Delivery, code: str, *, note: str = "", by_name: str = "", user=None, at=None,
               changes: dict | None = None, stays_at: str | None = None) -> DeliveryEvent:
    """Record a status reported by a peer, or a recall's, as it happened elsewhere."""
    # A peer's timestamps carry whole seconds: never let a status sort before the one it follows.
    at = max(at or timezone.now(), delivery.updated_at)
    return record_status(delivery, code, user=user, by_name=by_name, note=note[:2000], at=at, changes=changes, stays_at=stays_at)


def _receive_status(msg: edxml.StatusMessage, peer: Peer, remote: RemoteOrganization) -> Answer:
    if msg.status_code not in REPORTED:  # national codes only: never our own 00/98
        raise Refused(422, "unknown_status_code", _("Mã trạng thái %(code)s không hợp lệ.") % {"code": msg.status_code})
    key = f"S|{msg.message_id}"
    dup = _duplicate(msg.message_id, key)
    if dup is not None:
        return Answer(200, {"status": "duplicate", "document_id": msg.document_id})
    delivery = _sent_delivery(msg, remote)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
            apply_status(delivery, msg)
            InboundMessage.objects.create(
                message_id=msg.message_id, peer=peer, kind=MessageKind.STATUS, dedupe_key=key, document_id_text=msg.document_id[:255],
                document_id=delivery.document_id, delivery=delivery, status_code=msg.status_code, received_at=timezone.now(),
            )
            record("exchange_status_received", obj=delivery, data={"status_code": msg.status_code, "peer": peer.id, "message": msg.message_id})
    except IntegrityError:
        return Answer(200, {"status": "duplicate", "document_id": msg.document_id})
    return Answer(200, {"status": "accepted", "status_code": msg.status_code, "document_id": msg.document_id})


def _sent_delivery(msg: edxml.StatusMessage, remote: RemoteOrganization) -> Delivery:
    candidates = Delivery.objects.select_related("document__issuer").filter(
        recipient=remote.organization, document__issuer__code=msg.recipient.code, document__issued_date=msg.issued_date)
    for d in candidates:
        if document_id_of(d.document) == msg.document_id:
            return d
    raise Refused(404, "unknown_document", _("Không tìm thấy văn bản %(id)s đã gửi tới cơ quan này.") % {"id": msg.document_id})


def apply_status(delivery: Delivery, msg: edxml.StatusMessage) -> None:
    """The sender's row follows what the recipient reports."""
    code = msg.status_code
    who = msg.staff_name or msg.sender.name
    # A status means the package arrived, whether or not its acknowledgement reached us (a
    # package carried by hand, a sender killed after posting): 01 first, then the status.
    if transit.acknowledged(delivery.pk, at=min(msg.timestamp, timezone.now())):
        delivery.refresh_from_db()
    if code in (StatusCode.RECALL_AGREED, StatusCode.RECALL_REFUSED):
        req = delivery.recall_requests.filter(answer="").order_by("-requested_at", "-id").first()
        if req is not None:
            req.answer, req.answered_at, req.answer_note = code, msg.timestamp, msg.description[:2000]
            req.save(update_fields=["answer", "answered_at", "answer_note"])
        # A refusal leaves the document with the recipient, where it was: the 16 stays in the history.
        back = req.previous_status if code == StatusCode.RECALL_REFUSED and req is not None and req.previous_status else None
        set_status(delivery, code, note=msg.description, by_name=who, at=msg.timestamp, stays_at=back)
        return
    # The same status again is nothing new, but for a second assignment: a re-assignment.
    if code == delivery.status_code and code != StatusCode.ASSIGNED:
        return
    changes = {StatusCode.REJECTED: {"reject_reason": msg.description[:2000]}, StatusCode.ACCEPTED: {"accepted_at": msg.timestamp},
               StatusCode.DONE: {"done_at": msg.timestamp}}.get(code)
    number = edxml.incoming_number_in(msg.description) if code == StatusCode.ACCEPTED else None
    if number is not None and delivery.incoming_number is None:
        # The peer's register, as the peer numbers it: one series a year per recipient.
        key = f"in:{timezone.localtime(msg.timestamp).year}"
        if not Delivery.objects.filter(recipient_id=delivery.recipient_id, incoming_key=key, incoming_number=number).exists():
            changes = {**changes, "incoming_number": number, "incoming_key": key}
    handler = edxml.handler_in(msg.description) if code == StatusCode.ASSIGNED else ""
    if handler:
        changes = {**(changes or {}), "handler_name": handler[:150]}
    set_status(delivery, code, note=msg.description, by_name=who, at=msg.timestamp, changes=changes)
