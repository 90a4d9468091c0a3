"""Every state change of documents and deliveries: one function each, one transaction each.

Callers (views, API handlers) fetch objects through `access.py` and pass the acting user as
`user=`; each action checks the role, checks the state, writes, and records the audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import Classified, InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.organizations.access import has_role, is_member
from vanthu.organizations.models import Organization, Role, validate_org_code
from vanthu.rows import insert_rows, update_row
from vanthu.search.tasks import index_document
from vanthu.text import NOTE_MAX, clean_text, is_clean, without_refused

from . import numbering
from .models import (
    Delivery,
    DeliveryEvent,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
    StatusCode,
    Urgency,
)
from .pdf import CLASSIFIED_MESSAGE, PdfInfo, inspect_pdf
from .storage import store_pdf

DRAFTING_ROLES = (Role.CLERK, Role.LEADER, Role.SPECIALIST)
# Confidentiality levels that never enter VanThu (mật, tối mật, tuyệt mật).
CLASSIFIED_LEVELS = {"mat", "toi_mat", "tuyet_mat"}
MAX_SUBJECT = 2000


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _now():
    return timezone.now()


def _require_member(user, org_id: int) -> None:
    if not is_member(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")


def _require_role(user, org_id: int, *roles: str, message: str) -> None:
    _require_member(user, org_id)
    if not has_role(user, org_id, *roles):
        raise NotAllowed(message, code="role_not_allowed", details={"required_roles": list(roles)})


def _require_status(doc: Document, *allowed: str) -> None:
    if doc.status not in allowed:
        raise InvalidState(
            _("Văn bản đang ở trạng thái “%(status)s”, không thể thực hiện thao tác này.") % {"status": doc.get_status_display()},
            code="invalid_document_status", details={"status": doc.status, "allowed": list(allowed)},
        )


def check_confidentiality(value: str | None) -> None:
    """Only unclassified documents enter; any other marking is refused (invariant 5)."""
    value = (value or "thuong").strip().lower()
    if value in CLASSIFIED_LEVELS:
        raise Classified(_(CLASSIFIED_MESSAGE), details={"confidentiality": value})
    if value != "thuong":
        raise Unprocessable(_("Độ mật không hợp lệ: chỉ tiếp nhận văn bản thường."), code="invalid_confidentiality",
                            details={"field": "confidentiality", "allowed": ["thuong"]})


def has_control_chars(value: str) -> bool:
    """Whether the text rule (vanthu/text.py) refuses a character of this single line."""
    return not is_clean(value)


def clean_name(value: str) -> str:
    """A file name as the browser sent it, without what the text rule refuses or path separators."""
    return without_refused(value).replace("/", "_").replace("\\", "_").strip()


def check_subject(subject: str) -> str:
    subject = clean_text(subject, field="subject", max_length=MAX_SUBJECT, label=_("Trích yếu"))
    if not subject:
        raise Unprocessable(_("Chưa nhập trích yếu văn bản."), code="subject_required", details={"field": "subject"})
    return subject


def check_urgency(value: str | None) -> str:
    value = value or Urgency.NORMAL
    if value not in Urgency.values:
        raise Unprocessable(_("Độ khẩn không hợp lệ."), code="invalid_urgency", details={"field": "urgency", "allowed": Urgency.values})
    return value


def get_doc_type(code: str) -> DocumentType:
    try:
        return DocumentType.objects.get(code=code, is_active=True)
    except DocumentType.DoesNotExist:
        raise Unprocessable(_("Loại văn bản “%(code)s” không có trong danh mục.") % {"code": code}, code="unknown_document_type", details={"field": "doc_type"}) from None


def resolve_recipients(ids: Iterable[int], *, issuer_id: int) -> list[Organization]:
    wanted = sorted(set(ids))
    found = list(Organization.objects.active().filter(id__in=wanted))
    missing = sorted(set(wanted) - {o.id for o in found})
    if missing:
        raise Unprocessable(_("Nơi nhận không tồn tại: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, code="unknown_recipients", details={"recipient_ids": missing})
    if issuer_id in wanted:
        raise Unprocessable(_("Không thể gửi văn bản cho chính đơn vị ban hành."), code="recipient_is_issuer", details={"recipient_ids": [issuer_id]})
    return found


def inspect_uploads(main: Upload | None, attachments: Sequence[Upload]) -> list[tuple[Upload, PdfInfo]]:
    """Parse every file before anything is written, so a bad file leaves nothing behind."""
    if main is None:
        raise Unprocessable(_("Chưa chọn tệp văn bản (PDF)."), code="file_required", details={"field": "file"})
    return [(u, inspect_pdf(u.data, u.name)) for u in [main, *attachments]]


def _attach_files(doc: Document, parsed: list[tuple[Upload, PdfInfo]]) -> None:
    rows = []
    for i, (upload, info) in enumerate(parsed):
        stored = store_pdf(upload.data, info)
        role = FileRole.MAIN if i == 0 else FileRole.ATTACHMENT
        name = clean_name(upload.name)[:255] or f"{stored.sha256[:12]}.pdf"
        rows.append(DocumentFile(document=doc, file=stored, role=role, name=name, position=i))
    DocumentFile.objects.bulk_create(rows)
    doc.page_count = parsed[0][1].page_count


def create_draft(
    *, user, organization: Organization, doc_type: str, subject: str, urgency: str | None = None,
    confidentiality: str | None = "thuong", recipient_ids: Iterable[int] = (), signer_name: str = "",
    signer_position: str = "", signer_authority: str = "", due_date: date | None = None,
    main_file: Upload | None, attachments: Sequence[Upload] = (),
) -> Document:
    """A specialist, leader or clerk drafts an outgoing document with its PDF."""
    _require_role(user, organization.id, *DRAFTING_ROLES, message=_("Bạn không có quyền soạn văn bản của đơn vị này."))
    check_confidentiality(confidentiality)
    subject = check_subject(subject)
    signer_name = clean_text(signer_name, field="signer_name", max_length=128, label=_("Người ký"))
    signer_position = clean_text(signer_position, field="signer_position", max_length=128, label=_("Chức vụ người ký"))
    signer_authority = clean_text(signer_authority, field="signer_authority", max_length=128, label=_("Thẩm quyền ký"))
    urgency = check_urgency(urgency)
    dtype = get_doc_type(doc_type)
    recipients = resolve_recipients(recipient_ids, issuer_id=organization.id)
    parsed = inspect_uploads(main_file, attachments)
    with transaction.atomic():
        doc = Document.objects.create(
            issuer=organization, doc_type=dtype, subject=subject, urgency=urgency,
            signer_name=signer_name, signer_position=signer_position, signer_authority=signer_authority, due_date=due_date,
            place=organization.place, created_by=user,
        )
        _attach_files(doc, parsed)
        doc.save(update_fields=["page_count"])
        doc.recipients.set(recipients)
        record("document_drafted", actor=user, obj=doc, data={"subject": subject, "recipients": [o.id for o in recipients]})
        transaction.on_commit(lambda: index_document.enqueue(doc.id))
        from vanthu.signatures.actions import verify_on_entry  # signatures depends on documents

        verify_on_entry(doc, user=user)
    return doc


@transaction.atomic
def update_recipients(document: Document, *, user, recipient_ids: Iterable[int]) -> Document:
    _require_role(user, document.issuer_id, *DRAFTING_ROLES, message=_("Bạn không có quyền sửa văn bản này."))
    _require_status(document, DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.APPROVED)
    recipients = resolve_recipients(recipient_ids, issuer_id=document.issuer_id)
    document.recipients.set(recipients)
    record("document_recipients_changed", actor=user, obj=document, data={"recipients": [o.id for o in recipients]})
    return document


@transaction.atomic
def submit_document(document: Document, *, user) -> Document:
    _require_role(user, document.issuer_id, *DRAFTING_ROLES, message=_("Bạn không có quyền trình văn bản này."))
    _require_status(document, DocStatus.DRAFT)
    document.status = DocStatus.SUBMITTED
    document.submitted_at = _now()
    document.save(update_fields=["status", "submitted_at"])
    record("document_submitted", actor=user, obj=document)
    transaction.on_commit(lambda: index_document.enqueue(document.id))
    return document


@transaction.atomic
def approve_document(document: Document, *, user) -> Document:
    """A leader of the issuing organisation approves (and, with the signatures app, signs)."""
    _require_role(user, document.issuer_id, Role.LEADER, message=_("Chỉ lãnh đạo đơn vị mới được duyệt văn bản."))
    _require_status(document, DocStatus.SUBMITTED)
    document.status = DocStatus.APPROVED
    document.approved_by = user
    document.approved_at = _now()
    if not document.signer_name:
        document.signer_name = user.get_full_name()
    document.save(update_fields=["status", "approved_by", "approved_at", "signer_name"])
    record("document_approved", actor=user, obj=document)
    transaction.on_commit(lambda: index_document.enqueue(document.id))
    from vanthu.signatures.actions import sign_on_approval  # signatures depends on documents

    sign_on_approval(document, user=user)
    return document


@transaction.atomic
def return_document(document: Document, *, user, note: str) -> Document:
    """A leader sends a submitted document back to draft, saying why."""
    _require_role(user, document.issuer_id, Role.LEADER, message=_("Chỉ lãnh đạo đơn vị mới được trả lại văn bản."))
    _require_status(document, DocStatus.SUBMITTED)
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Lý do trả lại"))
    if not note:
        raise Unprocessable(_("Hãy ghi lý do trả lại."), code="note_required", details={"field": "note"})
    document.status = DocStatus.DRAFT
    document.save(update_fields=["status"])
    record("document_returned", actor=user, obj=document, data={"note": note})
    transaction.on_commit(lambda: index_document.enqueue(document.id))
    return document


def issue_document(document: Document, *, user) -> Document:
    """The clerk numbers and issues: the number, and a delivery per recipient, in one transaction."""
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("issuer", "doc_type").get(pk=document.pk)
        _require_role(user, document.issuer_id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được cấp số và phát hành văn bản."))
        _require_status(document, DocStatus.APPROVED)
        recipient_ids = list(document.recipients.values_list("id", flat=True))
        if not recipient_ids:
            raise Unprocessable(_("Văn bản chưa có nơi nhận."), code="recipients_required", details={"field": "recipient_ids"})
        from vanthu.signatures.actions import (  # signatures depends on documents
            check_arrivals,
            seal_on_issue,
        )

        # Sign before numbering: the counter row stays locked only for the short writes below.
        sealed = seal_on_issue(document, user=user)
        now = _now()
        today = timezone.localdate(now)
        org, dtype = document.issuer, document.doc_type
        key = numbering.outgoing_register_key(org, dtype, today)
        number = numbering.next_number(org.id, key)
        document.register_key = key
        document.number = number
        document.symbol = numbering.format_symbol(org, dtype, number)
        document.issued_at = now
        document.issued_date = today
        document.issued_by = user
        document.status = DocStatus.ISSUED
        document.save(update_fields=["register_key", "number", "symbol", "issued_at", "issued_date", "issued_by", "status"])
        from vanthu.exchange import outbox  # recipients at a peer: outbox rows in this transaction

        # A recipient at a peer starts at 00 and reaches 01 when its server acknowledges the package.
        at_peer = set(outbox.peer_of(recipient_ids))
        firsts = [(StatusCode.SENDING, _("Đang gửi qua liên thông")) if rid in at_peer else (StatusCode.ARRIVED, "")
                  for rid in recipient_ids]
        delivery_ids = insert_rows(
            Delivery, ["document", "recipient", "status_code", "arrived_at", "updated_at"],
            [(document.id, rid, code.value, now, now) for rid, (code, _note) in zip(recipient_ids, firsts, strict=True)],
            returning_ids=True,
        )
        insert_rows(DeliveryEvent, ["delivery", "status_code", "at", "note"],
                    [(did, code.value, now, note) for did, (code, note) in zip(delivery_ids, firsts, strict=True)])
        deliveries = [
            Delivery(id=did, document=document, recipient_id=rid, status_code=code, arrived_at=now, updated_at=now)
            for did, rid, (code, _note) in zip(delivery_ids, recipient_ids, firsts, strict=True)
        ]
        # The sealed file's report first: the statistics count the document as authenticated by it.
        check_arrivals(document, deliveries, sealed)
        from vanthu.reports import aggregates  # statistics kept current in the same transaction

        aggregates.document_issued(document, deliveries)
        outbox.document_issued(document, deliveries)
        # Last, so that the audit chain's head is locked only until the commit just after.
        record("document_issued", actor=user, obj=document, data={
            "symbol": document.symbol, "recipients": len(recipient_ids), "sealed_file": sealed.file_id if sealed else None,
        })
        transaction.on_commit(lambda: index_document.enqueue(document.id))
    return document


# --- the recipient's side ----------------------------------------------------------------------

# Which status a delivery may move to from which.
_NEXT: dict[str, set[str]] = {
    StatusCode.ARRIVED: {StatusCode.ACCEPTED, StatusCode.REJECTED},
    StatusCode.ACCEPTED: {StatusCode.ASSIGNED},
    StatusCode.ASSIGNED: {StatusCode.ASSIGNED, StatusCode.IN_PROGRESS, StatusCode.DONE},
    StatusCode.IN_PROGRESS: {StatusCode.ASSIGNED, StatusCode.DONE},
}


_EVENT_FIELDS = ("delivery", "status_code", "at", "by", "by_name", "note")


def _event_fields():
    return [DeliveryEvent._meta.get_field(n) for n in _EVENT_FIELDS]


def move_delivery(delivery: Delivery, code: str, *, user, note: str = "", at=None,
                  changes: dict | None = None) -> DeliveryEvent:
    """Append a status event and update the delivery's current status. Caller holds the transaction.

    `changes` are other fields of the delivery that the caller changes with this move: they are
    written in the same UPDATE and the statistics see them at once (one refresh, not two).
    """
    if code not in _NEXT.get(delivery.status_code, set()):
        raise InvalidState(
            _("Văn bản đang ở trạng thái “%(status)s”, không thể chuyển sang “%(to)s”.") % {"status": delivery.status_label, "to": StatusCode(code).label},
            code="invalid_delivery_status", details={"status_code": delivery.status_code, "requested": code},
        )
    at = at or _now()
    changes = dict(changes or {})
    for name, value in changes.items():
        setattr(delivery, name, value)
    delivery.status_code = code
    delivery.updated_at = at
    update_row(Delivery, delivery, ["status_code", "updated_at", *changes])
    event = DeliveryEvent(delivery=delivery, status_code=code, at=at, by=user, by_name=user.get_full_name() if user else "", note=note)
    (event.id,) = insert_rows(DeliveryEvent, _EVENT_FIELDS, [[getattr(event, f.attname) for f in _event_fields()]], returning_ids=True)
    event._state.adding, event._state.db = False, delivery._state.db
    from vanthu.reports import aggregates  # statistics kept current in the same transaction

    aggregates.delivery_moved(delivery, event, changed=tuple(changes))
    from vanthu.exchange import outbox  # a document from a peer: the status goes back to it

    outbox.delivery_moved(delivery, event)
    return event


def _incoming_number(delivery: Delivery, at) -> dict:
    """The next number of the recipient's incoming register, as the delivery's fields to save."""
    key = numbering.incoming_register_key(timezone.localdate(at))
    return {"incoming_key": key, "incoming_number": numbering.next_number(delivery.recipient_id, key), "accepted_at": at}


def _give_incoming_number(delivery: Delivery, at) -> None:
    fields = _incoming_number(delivery, at)
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=list(fields))


def lock_delivery(delivery: Delivery) -> Delivery:
    """The delivery's row, locked; its document as the caller already read it (fixed once issued)."""
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if Delivery.document.is_cached(delivery) and delivery.document_id == locked.document_id:
        locked.document = delivery.document
    if Delivery.recipient.is_cached(delivery):
        locked.recipient = delivery.recipient
    return locked


@transaction.atomic
def accept_delivery(delivery: Delivery, *, user, note: str = "") -> Delivery:
    _require_role(user, delivery.recipient_id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được tiếp nhận văn bản đến."))
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    delivery = lock_delivery(delivery)
    at = _now()
    changes = {}
    if delivery.status_code == StatusCode.ARRIVED:
        # The register counter before the statistics rows (move_delivery), as in issuing and paper
        # registration: concurrent actions then lock rows in one order and never deadlock.
        changes = _incoming_number(delivery, at)
    move_delivery(delivery, StatusCode.ACCEPTED, user=user, note=note, at=at, changes=changes)
    record("delivery_accepted", actor=user, obj=delivery, data={"incoming_number": delivery.incoming_number})
    return delivery


@transaction.atomic
def reject_delivery(delivery: Delivery, *, user, reason: str) -> Delivery:
    _require_role(user, delivery.recipient_id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được từ chối tiếp nhận văn bản."))
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True, label=_("Lý do từ chối"))
    if not reason:
        raise Unprocessable(_("Hãy ghi lý do từ chối tiếp nhận."), code="reason_required", details={"field": "reason"})
    delivery = lock_delivery(delivery)
    move_delivery(delivery, StatusCode.REJECTED, user=user, note=reason, changes={"reject_reason": reason})
    record("delivery_rejected", actor=user, obj=delivery, data={"reason": reason})
    return delivery


def register_paper_document(
    *, user, organization: Organization, sender_name: str, number_symbol: str, issued_date: date,
    doc_type: str, subject: str, file: Upload | None, sender_code: str = "", urgency: str | None = None,
    due_date: date | None = None, confidentiality: str | None = "thuong",
) -> Delivery:
    """A clerk registers a paper document that arrived from outside, with its scan."""
    _require_role(user, organization.id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được vào sổ văn bản đến."))
    check_confidentiality(confidentiality)
    subject = check_subject(subject)
    urgency = check_urgency(urgency)
    dtype = get_doc_type(doc_type)
    sender_name = clean_text(sender_name, field="sender_name", max_length=255, label=_("Cơ quan gửi"))
    number_symbol = clean_text(number_symbol, field="number_symbol", max_length=64, label=_("Số và ký hiệu"))
    sender_code = clean_text(sender_code, field="sender_code", max_length=35, label=_("Mã định danh cơ quan gửi"))
    if not sender_name:
        raise Unprocessable(_("Chưa nhập cơ quan gửi."), code="sender_required", details={"field": "sender_name"})
    if not number_symbol:
        raise Unprocessable(_("Chưa nhập số và ký hiệu văn bản."), code="number_symbol_required", details={"field": "number_symbol"})
    if issued_date is None:
        raise Unprocessable(_("Chưa nhập ngày ban hành."), code="issued_date_required", details={"field": "issued_date"})
    if issued_date > timezone.localdate():
        raise Unprocessable(_("Ngày ban hành không thể sau hôm nay."), code="issued_date_in_future", details={"field": "issued_date"})
    if sender_code and not _code_ok(sender_code):
        raise Unprocessable(_("Mã định danh cơ quan gửi không hợp lệ."), code="invalid_sender_code", details={"field": "sender_code"})
    parsed = inspect_uploads(file, [])
    with transaction.atomic():
        now = _now()
        doc = Document.objects.create(
            issuer=None, external_issuer_name=sender_name, external_issuer_code=sender_code.upper(),
            doc_type=dtype, subject=subject, urgency=urgency, status=DocStatus.EXTERNAL,
            source=DocSource.PAPER, symbol=number_symbol, issued_date=issued_date,
            due_date=due_date, created_by=user,
        )
        _attach_files(doc, parsed)
        doc.save(update_fields=["page_count"])
        delivery = Delivery.objects.create(
            document=doc, recipient=organization, source="paper", status_code=StatusCode.ACCEPTED,
            arrived_at=now, updated_at=now, deadline=due_date,
        )
        _give_incoming_number(delivery, now)
        DeliveryEvent.objects.create(delivery=delivery, status_code=StatusCode.ACCEPTED, at=now, by=user, by_name=user.get_full_name(), note=_("Vào sổ từ bản giấy"))
        from vanthu.reports import aggregates  # statistics kept current in the same transaction

        aggregates.deliveries_changed([delivery])
        record("paper_document_registered", actor=user, obj=delivery, data={"document": doc.id, "symbol": doc.symbol, "incoming_number": delivery.incoming_number})
        transaction.on_commit(lambda: index_document.enqueue(doc.id))
        from vanthu.signatures.actions import verify_on_entry  # signatures depends on documents

        verify_on_entry(doc, user=user)
    return delivery


def _code_ok(code: str) -> bool:
    """The same rule as organisations' own identifier codes."""
    try:
        validate_org_code(code.strip().upper())
    except ValidationError:
        return False
    return True
