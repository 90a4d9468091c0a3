"""Transfers to and from organisations at another installation, through the exchange.

No second transport. The sending organisation's officer issues the transfer with its letter (giấy
giới thiệu sinh hoạt đảng): an outgoing document addressed to the receiving organisation, not yet
issued. When the clerk issues the letter, its package for that organisation carries the member's
record as one more attachment, `vanthu-extra-party-member-<transfer id>.json` (the exchange's
`extras.py` hook; an attachment rather than an element of our own in the header because the
manifest already binds attachments to the signature, and receivers that do not know it keep the
header valid edXML). The record is JSON:

    {"format": "vanthu-party-member", "version": 1, "site": <sender site id>,
     "transfer_id": <sender's id>, "member_id": <sender's id>, "note": <the transfer's note>,
     "from": {"code", "name"}, "to": {"code", "name"}, "profile": {field: value}}

with the profile fields this app keeps (`PROFILE_FIELDS` but organisation and status; dates ISO).

On the receiving installation the attachment never becomes a file of the letter (clerks read
letters, not member records): `received_record` checks it and records an `IncomingTransfer`
waiting for the records officers of the receiving organisation (told by a notice with no name).
The same transfer arriving twice is one row (the sender's site and transfer id).

The officer accepts (`accept_incoming`): the member then exists here, active from that day (one
record: a member with that card number transferred out earlier comes back to the same record;
one still active here is refused), and the letter's delivery moves to 06 with a note carrying
`[vanthu-transfer:<sender's id>:accepted]`. The exchange sends that status back as any other; on
the sender, `delivery_moved` below reads the marker and only then marks the member transferred
out. A refusal (`refuse_incoming`) is a 02 with the reason: the sender's transfer is refused and
the member stays active there. A clerk's own 06 on the letter carries no marker and moves nothing;
a clerk's 02, or an agreed recall (15), closes the transfer on both sides too.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.deliveries import record_status
from vanthu.documents.models import Delivery, StatusCode
from vanthu.errors import InvalidState, Unprocessable
from vanthu.exchange import edxml
from vanthu.exchange.extras import EXTRA_PREFIX
from vanthu.exchange.site import site_id
from vanthu.notifications.actions import notify
from vanthu.organizations.models import Organization
from vanthu.text import NOTE_MAX, clean_text

from . import access
from .actions import (
    DATE_FIELDS,
    EDITABLE,
    _new_version,
    _require_manages,
    _today,
    _version,
    clean_profile,
    officers_of,
)
from .models import (
    PROFILE_FIELDS,
    IncomingStatus,
    IncomingTransfer,
    MemberStatus,
    PartyMember,
    Transfer,
    TransferStatus,
)

FORMAT, VERSION = "vanthu-party-member", 1
NAME_PREFIX = "party-member-"
# What travels: the profile fields an officer may write (EDITABLE), never the organisation or the
# status; in the profile's order, which is also the order the receiving officer reads them in.
RECORD_FIELDS = tuple(f for f in PROFILE_FIELDS if f in EDITABLE)
MARKER_RE = re.compile(r"\[vanthu-transfer:(\d+):accepted\]")


def accepted_note(origin_transfer_id: int) -> str:
    # edXML's status has no field for it: the sender reads the marker back from the description.
    return _("Đã tiếp nhận đảng viên chuyển sinh hoạt đến.") + f" [vanthu-transfer:{origin_transfer_id}:accepted]"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def record_of(transfer: Transfer) -> dict:
    m = transfer.member
    return {
        "format": FORMAT, "version": VERSION, "site": site_id(), "transfer_id": transfer.id, "member_id": m.id,
        "note": transfer.note, "issued_at": transfer.issued_at.isoformat(),
        "from": {"code": transfer.from_org.code, "name": transfer.from_org.name},
        "to": {"code": transfer.to_org.code, "name": transfer.to_org.name},
        "profile": {f: _plain(getattr(m, f)) for f in RECORD_FIELDS},
    }


def package_extra(delivery: Delivery) -> list[edxml.FilePart]:
    """The member's record, in the letter's package for the receiving organisation only."""
    transfer = (Transfer.objects.select_related("member", "from_org", "to_org")
                .filter(letter_id=delivery.document_id, to_org_id=delivery.recipient_id, status=TransferStatus.ISSUED).first())
    if transfer is None:
        return []
    data = json.dumps(record_of(transfer), ensure_ascii=False, sort_keys=True).encode()
    record("party_transfer_record_sent", obj=transfer, data={"member": transfer.member_id, "delivery": delivery.id})
    return [edxml.FilePart(name=f"{EXTRA_PREFIX}{NAME_PREFIX}{transfer.id}.json", data=data, content_type="application/json",
                           description="Hồ sơ đảng viên chuyển sinh hoạt", content_id=f"party-member-{transfer.id}")]


def _bad_record() -> Unprocessable:
    # The whole package is refused (nothing written): the sender's row shows the reason.
    return Unprocessable(_("Hồ sơ đảng viên kèm theo gói tin không hợp lệ."), code="bad_party_member_record")


def _profile(raw: dict) -> dict:
    """The travelling profile, checked by the same rules as a record typed here."""
    if not isinstance(raw, dict) or set(raw) - set(RECORD_FIELDS):
        raise _bad_record()
    values = {}
    for f, v in raw.items():
        if f in DATE_FIELDS and v is not None:
            try:
                v = date.fromisoformat(v)
            except (TypeError, ValueError):
                raise _bad_record() from None
        values[f] = v
    try:
        return clean_profile(values)
    except Unprocessable:
        raise _bad_record() from None


def received_record(data: bytes, *, delivery: Delivery, sender: Organization, peer) -> IncomingTransfer | None:
    """A member's record arrived with a letter: an incoming transfer waits for the receiving officers."""
    if not access.records_enabled():
        return None  # member records are kept outside VanThu here: the letter arrives alone
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad_record() from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise _bad_record()
    transfer_id = doc.get("transfer_id")
    if not isinstance(transfer_id, int) or transfer_id <= 0 or doc.get("site") != peer.site_id:
        raise _bad_record()
    cleaned = _profile(doc.get("profile"))
    note = clean_text(str(doc.get("note") or ""), field="note", max_length=NOTE_MAX, multiline=True)
    profile = {f: _plain(v) for f, v in cleaned.items() if f != "name_folded"}
    existing = IncomingTransfer.objects.filter(origin_site=peer.site_id, origin_transfer_id=transfer_id).first()
    if existing is not None:
        return existing  # the same transfer again (a letter sent anew): one record, never two
    try:
        with transaction.atomic():
            incoming = IncomingTransfer.objects.create(
                origin_site=peer.site_id, origin_transfer_id=transfer_id, delivery=delivery, from_org=sender,
                to_org_id=delivery.recipient_id, record=profile, note=note, received_at=timezone.now())
    except IntegrityError:
        return IncomingTransfer.objects.get(origin_site=peer.site_id, origin_transfer_id=transfer_id)
    # No name in the notice: notices may be mailed.
    notify(officers_of(delivery.recipient_id), kind="party_transfer_in", title=_("Có đảng viên chuyển sinh hoạt đến, chờ tiếp nhận"),
           url=reverse("membership:incoming", args=[incoming.id]), obj=incoming, org=delivery.recipient_id)
    record("party_transfer_received", obj=incoming, data={"peer": peer.id, "delivery": delivery.id, "origin": transfer_id})
    return incoming


def _locked(incoming: IncomingTransfer, user) -> tuple[IncomingTransfer, Delivery]:
    _require_manages(user, incoming.to_org_id)
    incoming = IncomingTransfer.objects.select_for_update().get(pk=incoming.pk)
    if incoming.status != IncomingStatus.WAITING:
        raise InvalidState(_("Giấy chuyển sinh hoạt này đã được xử lý."), code="transfer_closed")
    delivery = Delivery.objects.select_for_update().get(pk=incoming.delivery_id)
    if delivery.status_code == StatusCode.RECALL_REQUESTED:
        raise InvalidState(_("Bên gửi đang đề nghị thu hồi giấy giới thiệu: chờ văn thư trả lời đề nghị."), code="letter_recalled")
    return incoming, delivery


def accept_incoming(incoming: IncomingTransfer, *, user, on: date | None = None) -> IncomingTransfer:
    """The receiving officer accepts: the member is active here from that day, and the sender is told (06)."""
    on = on or _today()
    with transaction.atomic():
        incoming, delivery = _locked(incoming, user)
        cleaned = _profile(incoming.record)
        member = PartyMember.objects.select_for_update().filter(card_number=cleaned["card_number"]).first()
        now = timezone.now()
        if member is not None and member.status != MemberStatus.TRANSFERRED_OUT:
            raise InvalidState(_("Đã có đảng viên với số thẻ này trong hệ thống: không tiếp nhận trùng; hãy từ chối và "
                                 "trao đổi với tổ chức gửi."), code="member_exists")
        if member is None:
            member = PartyMember.objects.create(organization_id=incoming.to_org_id, status=MemberStatus.ACTIVE, status_date=on, **cleaned)
            _version(member, on=on, reason="transfer_in", changes={"organization": [None, incoming.to_org_id]}, user=user, now=now).save()
        else:
            # Back from the other installation: the same record, with what the sender kept meanwhile.
            changes = {f: [_plain(getattr(member, f)), _plain(v)] for f, v in cleaned.items()
                       if f != "name_folded" and getattr(member, f) != v}
            changes["organization"] = [member.organization_id, incoming.to_org_id]
            changes["status"] = [member.status, MemberStatus.ACTIVE]
            for f, v in cleaned.items():
                setattr(member, f, v)
            member.organization_id, member.status, member.status_date = incoming.to_org_id, MemberStatus.ACTIVE, on
            member.save()
            _new_version(member, on=on, reason="transfer_in", changes=changes, user=user)
        # The history and the statistics read accepted transfers: this one came from the peer's organisation.
        Transfer.objects.create(member=member, from_org_id=incoming.from_org_id, to_org_id=incoming.to_org_id,
                                status=TransferStatus.ACCEPTED, note=incoming.note, issued_at=incoming.received_at, accepted_by=user,
                                accepted_at=now, effective_on=on, letter_id=delivery.document_id)
        incoming.status, incoming.member, incoming.decided_by, incoming.decided_at = IncomingStatus.ACCEPTED, member, user, now
        incoming.save(update_fields=["status", "member", "decided_by", "decided_at"])
        if delivery.status_code == StatusCode.DONE:
            # The clerk closed the letter already: reopen it, so that the 06 with the marker is a change the sender sees.
            record_status(delivery, StatusCode.IN_PROGRESS, user=user, note=_("Ghi kết quả tiếp nhận đảng viên."))
        record_status(delivery, StatusCode.DONE, user=user, note=accepted_note(incoming.origin_transfer_id), changes={"done_at": now})
        record("party_transfer_accepted", actor=user, obj=incoming, data={"member": member.id, "to": incoming.to_org_id})
    return incoming


def refuse_incoming(incoming: IncomingTransfer, *, user, reason: str) -> IncomingTransfer:
    """The receiving officer refuses, with the reason: the sender is told (02); the member stays there."""
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True)
    if not reason:
        raise Unprocessable(_("Hãy ghi lý do từ chối."), code="reason_required", details={"field": "reason"})
    with transaction.atomic():
        incoming, delivery = _locked(incoming, user)
        incoming.status, incoming.decided_by, incoming.decided_at, incoming.answer_note = (
            IncomingStatus.REFUSED, user, timezone.now(), reason)
        incoming.save(update_fields=["status", "decided_by", "decided_at", "answer_note"])
        record_status(delivery, StatusCode.REJECTED, user=user, note=reason, changes={"reject_reason": reason})
        record("party_transfer_refused", actor=user, obj=incoming, data={"origin": incoming.origin_transfer_id})
    return incoming


ANSWERS = (StatusCode.DONE, StatusCode.REJECTED, StatusCode.RECALL_AGREED)


def delivery_moved(delivery: Delivery, event, **_event) -> None:
    """Both ends of a letter: on the receiver, a clerk's 02 or an agreed recall closes the waiting
    transfer; on the sender, the peer's 06 with the marker, its 02 or 15 answers the transfer."""
    code = event.status_code
    if code not in ANSWERS:
        return
    if code != StatusCode.DONE:
        closed = IncomingTransfer.objects.filter(delivery_id=delivery.id, status=IncomingStatus.WAITING).update(
            status=IncomingStatus.REFUSED if code == StatusCode.REJECTED else IncomingStatus.WITHDRAWN,
            decided_at=timezone.now(), answer_note=(event.note or "")[:NOTE_MAX])
        if closed:
            return
    if event.by_id is not None:
        return  # a person of this installation moved it: not the peer's answer
    transfer = (Transfer.objects.select_for_update().filter(letter_id=delivery.document_id, to_org_id=delivery.recipient_id,
                                                           to_org__at_peer=True, status=TransferStatus.ISSUED).first())
    if transfer is None:
        return
    if code == StatusCode.DONE:
        found = MARKER_RE.search(event.note or "")
        if found is None or int(found.group(1)) != transfer.id:
            return  # the peer's clerk closed the letter: its records officer has not accepted yet
        _transferred_out(transfer, event)
    else:
        transfer.status = TransferStatus.REFUSED if code == StatusCode.REJECTED else TransferStatus.CANCELLED
        transfer.answer_note = (event.note or "")[:NOTE_MAX]
        transfer.save(update_fields=["status", "answer_note"])
        record("party_transfer_refused_by_peer", obj=transfer, data={"member": transfer.member_id, "status_code": code})
        notify(officers_of(transfer.from_org_id), kind="party_transfer_refused", url=reverse("membership:transfers"), obj=transfer,
               org=transfer.from_org_id, title=_("Tổ chức nhận ở hệ thống khác không tiếp nhận đảng viên chuyển đi"))


def _transferred_out(transfer: Transfer, event) -> None:
    """Only now, accepted on the other side, does the member leave this installation's active list."""
    member = PartyMember.objects.select_for_update().get(pk=transfer.member_id)
    on = timezone.localdate(event.at)
    changes = {"status": [member.status, MemberStatus.TRANSFERRED_OUT], "status_date": [_plain(member.status_date), on.isoformat()]}
    member.status, member.status_date = MemberStatus.TRANSFERRED_OUT, on
    member.save(update_fields=["status", "status_date", "updated_at"])
    version = _new_version(member, on=on, reason="transfer", changes=changes, user=None)
    transfer.status, transfer.accepted_at, transfer.effective_on = TransferStatus.ACCEPTED, event.at, version.valid_from
    transfer.answer_note = (event.note or "")[:NOTE_MAX]
    transfer.save(update_fields=["status", "accepted_at", "effective_on", "answer_note"])
    record("party_transfer_accepted_by_peer", obj=transfer, data={"member": member.id, "to": transfer.to_org_id})
    notify(officers_of(transfer.from_org_id), kind="party_transfer_accepted", url=reverse("membership:transfers"), obj=transfer,
           org=transfer.from_org_id, title=_("Tổ chức mới đã tiếp nhận đảng viên chuyển sinh hoạt đi"))
