"""Every state change of documents and deliveries: one function each, one transaction each.

Callers (views, API handlers) fetch objects through `access.py` and pass the acting user as
`user=`; each action checks the role, checks the state, writes, publishes its domain event
(`events.py`: the apps above follow from there) and records the audit entry, last, so that the
audit chain's head is locked only until the commit just after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import deferred as deferred_audit
from vanthu.audit.chain import record
from vanthu.errors import InvalidState, NotAllowed, NotFound, TooLarge, Unprocessable, VanThuError
from vanthu.organizations.access import has_role, is_member
from vanthu.organizations.models import Organization, Role, validate_org_code
from vanthu.rows import insert_rows, update_row
from vanthu.text import NOTE_MAX, clean_text, is_clean, without_refused

from . import events, numbering
from .access import may_accept_for
from .classification import check_marking
from .delegations import active_delegation, signature_block
from .deliveries import created, first_events, lock_delivery, move_delivery
from .models import (
    Delivery,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
    Signatory,
    SigningForm,
    StatusCode,
    Urgency,
)
from .pdf import PdfInfo, inspect_pdf
from .signing import SignedCopy, signer
from .storage import store_pdf, write_blobs

DRAFTING_ROLES = (Role.CLERK, Role.LEADER, Role.SPECIALIST)
MAX_SUBJECT = 2000


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes

    @classmethod
    def of(cls, f: UploadedFile | None, *, field: str = "file") -> Upload | None:
        """An uploaded file (page or API) as the actions take it, refused past the upload limit
        before a byte of it is read into memory."""
        if f is None:
            return None
        if f.size is not None and f.size > settings.MAX_UPLOAD_BYTES:
            raise TooLarge(_("Tệp %(name)s vượt quá giới hạn %(mb)s MB.") % {"name": f.name, "mb": settings.MAX_UPLOAD_MB},
                           details={"field": field})
        return cls(name=f.name or "", data=f.read())


def _now():
    return timezone.now()


def _require_member(user, org_id: int) -> None:
    if not is_member(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")


def _require_role(user, org_id: int, *roles: str, message: str) -> None:
    _require_member(user, org_id)
    if not has_role(user, org_id, *roles):
        raise NotAllowed(message, code="role_not_allowed", details={"required_roles": list(roles)})


def _require_clerk_of(user, org_id: int, *, message: str) -> None:
    """The recipient's clerk (`access.may_accept_for`, the rule the pages and the API ask too)."""
    _require_member(user, org_id)
    if not may_accept_for(user, org_id):
        raise NotAllowed(message, code="role_not_allowed", details={"required_roles": [Role.CLERK]})


def _require_status(doc: Document, *allowed: str) -> None:
    if doc.status not in allowed:
        raise InvalidState(
            _("Văn bản đang ở trạng thái “%(status)s”, không thể thực hiện thao tác này.") % {"status": doc.get_status_display()},
            code="invalid_document_status", details={"status": doc.status, "allowed": list(allowed)},
        )


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


def write_files(parsed: Sequence[tuple[Upload, PdfInfo]]) -> list[str]:
    """The uploads' bytes into the store, side by side, before the transaction that records them:
    a write waits for the disk (or a bucket on the network), which no transaction should (on
    SQLite every other writer would wait too). A file written for a transaction that then rolls
    back is left unreferenced under its hash, as any content-addressed store allows."""
    return write_blobs([upload.data for upload, _info in parsed])


def attach_files(doc: Document, parsed: Sequence[tuple[Upload, PdfInfo]], *, first_role: str = FileRole.MAIN,
                 start: int = 0, written: Sequence[str] | None = None) -> list[DocumentFile]:
    """Store parsed uploads as the document's files (the first as `first_role`, then attachments);
    `written`: their hashes, when `write_files` stored the bytes already."""
    if written is None:
        written = write_files(parsed)
    rows = []
    for i, ((upload, info), sha) in enumerate(zip(parsed, written, strict=True)):
        stored = store_pdf(upload.data, info, sha256=sha)
        role = first_role if i == 0 else FileRole.ATTACHMENT
        name = clean_name(upload.name)[:255] or f"{stored.sha256[:12]}.pdf"
        rows.append(DocumentFile(document=doc, file=stored, role=role, name=name, position=start + i))
    return DocumentFile.objects.bulk_create(rows)


def attach_signed_copy(doc: Document, copy: SignedCopy) -> DocumentFile:
    """A signed copy enters as the document's file that counts (`authoritative_file`)."""
    source = copy.source
    stored = store_pdf(copy.data, PdfInfo(page_count=source.file.page_count, text=source.file.text))
    last = DocumentFile.objects.filter(document=doc).order_by("-position").values_list("position", flat=True).first()
    base = source.name[:-4] if source.name.lower().endswith(".pdf") else source.name
    base = base.removesuffix(".signed").removesuffix(".sealed")
    row = DocumentFile.objects.create(document=doc, file=stored, role=FileRole.SIGNED, name=f"{base}.{copy.suffix}.pdf"[:255],
                                      position=max((last or 0) + 1, 100))
    doc.authoritative_file = row
    update_row(Document, doc, ["authoritative_file"])
    copy.file = row
    return row


def add_version(doc: Document, parsed: Sequence[tuple[Upload, PdfInfo]]) -> DocumentFile:
    """A new version of an issued document (an update or a replacement): its files are kept
    beside the old ones, and its main file becomes the one that counts."""
    start = 300 + DocumentFile.objects.filter(document=doc).count()
    rows = attach_files(doc, parsed, first_role=FileRole.SIGNED, start=start)
    doc.authoritative_file = rows[0]
    update_row(Document, doc, ["authoritative_file"])
    return rows[0]


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("issuer", "doc_type").get(pk=document.pk)


def create_draft(
    *, user, organization: Organization, doc_type: str, subject: str, urgency: str | None = None,
    confidentiality: str | None = "thuong", recipient_ids: Iterable[int] = (), signatory_id: int | None = None,
    due_date: date | None = None, main_file: Upload | None, attachments: Sequence[Upload] = (),
) -> Document:
    """A specialist, leader or clerk drafts an outgoing document with its PDF, for the leader
    who will sign it (one of the organisation's signatories; the only one, when there is one)."""
    _require_role(user, organization.id, *DRAFTING_ROLES, message=_("Bạn không có quyền soạn văn bản của đơn vị này."))
    level = check_marking(confidentiality)
    subject = check_subject(subject)
    urgency = check_urgency(urgency)
    dtype = get_doc_type(doc_type)
    signatory = choose_signatory(organization.id, signatory_id)
    recipients = resolve_recipients(recipient_ids, issuer_id=organization.id)
    parsed = inspect_uploads(main_file, attachments)
    written = write_files(parsed)
    with transaction.atomic():
        doc = Document.objects.create(
            issuer=organization, doc_type=dtype, subject=subject, urgency=urgency, due_date=due_date,
            place=organization.place, created_by=user, confidentiality=level, page_count=parsed[0][1].page_count,
            **signatory_fields(signatory),
        )
        attach_files(doc, parsed, written=written)
        doc.recipients.set(recipients)
        events.document_entered.publish(document=doc, user=user)
        record("document_drafted", actor=user, obj=doc, data={"subject": subject, "recipients": [o.id for o in recipients],
                                                              "signer": signatory.user_id if signatory else None})
    return doc


# --- who signs -----------------------------------------------------------------------------------

def choose_signatory(org_id: int, signatory_id: int | None) -> Signatory | None:
    """The signatory the drafter chose, one of the organisation's; without a choice, the only
    one when the organisation has exactly one (else the choice waits until submission)."""
    rows = Signatory.objects.of_organization(org_id).with_user()
    if signatory_id is None:
        only = list(rows[:2])
        return only[0] if len(only) == 1 else None
    found = rows.filter(id=signatory_id).first()
    if found is None:
        raise Unprocessable(_("Người ký phải là một lãnh đạo có thẩm quyền ký của đơn vị."),
                            code="unknown_signatory", details={"field": "signatory_id"})
    return found


def signatory_fields(signatory: Signatory | None) -> dict:
    """The document's signer fields from a signatory: the authority and position as the block
    prints them, and the leader's name (until the certificate that signs gives its holder's)."""
    if signatory is None:
        return {"signatory": None, "signer": None, "signer_authority": "", "signer_position": "", "signer_name": ""}
    return {"signatory": signatory, "signer": signatory.user, "signer_authority": signatory.authority,
            "signer_position": signatory.position, "signer_name": signatory.user.get_full_name()}


def _signing_as(document: Document, user, *, stand_in: bool) -> Signatory:
    """The signatory row `user` approves and signs with: the one chosen for them, or, when they
    stand in for the chosen leader (and say so), their own (K/T or Q. first)."""
    own = list(Signatory.objects.of_organization(document.issuer_id).filter(user=user).with_user())
    if document.signer_id == user.id:
        chosen = next((r for r in own if r.id == document.signatory_id), None)
        if chosen is not None or own:
            return chosen or own[0]
    elif document.signer_id is not None and not stand_in:
        name = document.signer.get_full_name() if document.signer else ""
        raise NotAllowed(_("Văn bản này trình đồng chí %(name)s ký. Chỉ người ký đã chọn mới được duyệt và ký; "
                           "lãnh đạo khác chỉ duyệt khi ký thay, và việc ký thay được ghi lại.") % {"name": name},
                         code="not_the_signer", details={"signer_id": document.signer_id})
    if not own:
        raise NotAllowed(_("Bạn không có thẩm quyền ký văn bản của đơn vị này."), code="no_signing_authority")
    return next((r for r in own if r.form in (SigningForm.FOR_HEAD, SigningForm.ACTING)), own[0])


def update_draft(
    document: Document, *, user, doc_type: str, subject: str, urgency: str | None = None, confidentiality: str | None = "thuong",
    recipient_ids: Iterable[int] = (), signatory_id: int | None = None, due_date: date | None = None,
    main_file: Upload | None = None, attachments: Sequence[Upload] = (),
) -> Document:
    """The drafter edits their draft, new or returned: its subject, type, urgency, recipients,
    signer and deadline, and its files when new ones are given (the main file, or the attachments,
    each replacing what was there). Checked as a new draft is; nothing is written on a refusal."""
    _require_role(user, document.issuer_id, *DRAFTING_ROLES, message=_("Bạn không có quyền sửa văn bản này."))
    if document.created_by_id != user.id:
        raise NotAllowed(_("Chỉ người soạn mới được sửa dự thảo."), code="not_the_drafter")
    _require_status(document, DocStatus.DRAFT)
    level = check_marking(confidentiality)
    subject = check_subject(subject)
    urgency = check_urgency(urgency)
    dtype = get_doc_type(doc_type)
    signatory = choose_signatory(document.issuer_id, signatory_id)
    recipients = resolve_recipients(recipient_ids, issuer_id=document.issuer_id)
    new_main = inspect_uploads(main_file, []) if main_file is not None else []
    new_attachments = [(u, inspect_pdf(u.data, u.name)) for u in attachments]
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocStatus.DRAFT)
        changes = {"doc_type": dtype, "subject": subject, "urgency": urgency, "confidentiality": level, "due_date": due_date,
                   **signatory_fields(signatory)}
        changed = [name for name, value in changes.items() if getattr(document, name) != value]
        for name, value in changes.items():
            setattr(document, name, value)
        if new_main:
            DocumentFile.objects.filter(document=document, role=FileRole.MAIN).delete()
            attach_files(document, new_main)
            document.page_count = new_main[0][1].page_count
            changed.append("file")
        if new_attachments:
            DocumentFile.objects.filter(document=document, role=FileRole.ATTACHMENT).delete()
            attach_files(document, new_attachments, first_role=FileRole.ATTACHMENT, start=1)
            changed.append("attachments")
        document.save(update_fields=[*changes, "page_count"])
        before = set(document.recipients.values_list("id", flat=True))
        if before != {o.id for o in recipients}:
            document.recipients.set(recipients)
            changed.append("recipients")
        if new_main or new_attachments:
            events.document_entered.publish(document=document, user=user)  # the new files are checked and indexed
        else:
            events.document_changed.publish(document=document, user=user)
        record("document_edited", actor=user, obj=document, data={"changed": changed})
    return document


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
    if document.signatory_id is None or not Signatory.objects.of_organization(document.issuer_id).filter(id=document.signatory_id).exists():
        raise Unprocessable(_("Chưa chọn người ký, hoặc người ký đã chọn không còn thẩm quyền ký: hãy chọn lãnh đạo ký văn bản."),
                            code="signatory_required", details={"field": "signatory_id"})
    document.status = DocStatus.SUBMITTED
    document.submitted_at, document.submitted_by = _now(), user
    document.save(update_fields=["status", "submitted_at", "submitted_by"])
    events.document_changed.publish(document=document, user=user)
    record("document_submitted", actor=user, obj=document)
    return document


def approve_document(document: Document, *, user, stand_in: bool = False, note: str = "") -> Document:
    """The leader chosen to sign approves, and signs when they have a certificate; another of
    the organisation's signatories may do so only standing in (`stand_in`), which is recorded.
    `note` is the leader's opinion, kept in the document's history (the audit entry).

    The document's "Người ký" becomes the holder of the certificate that signed (the approving
    leader's name without one), so the name shown and the signature cannot disagree. The
    signature is made before the transaction (see `signing.py`); the status is checked again
    under the row's lock, so that of two leaders approving at once only one signed copy enters."""
    _require_role(user, document.issuer_id, Role.LEADER, message=_("Chỉ lãnh đạo đơn vị mới được duyệt văn bản."))
    _require_status(document, DocStatus.SUBMITTED)
    # Checked before signing: a bad opinion must not cost a signature.
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ý kiến của lãnh đạo"))
    chosen_signer_id = document.signer_id
    # A deputy the chosen leader named for this period stands in by that delegation, with its
    # form (K/T or Q.), whether or not they hold signing authority of their own.
    delegation = active_delegation(document, user)
    if delegation is not None:
        acting = None
        block = signature_block(document, delegation)
    else:
        acting = _signing_as(document, user, stand_in=stand_in)
        block = (acting.authority, acting.position)
    # The signature block the certificate signs: the acting leader's authority and position.
    document.signer_authority, document.signer_position = block
    signed = signer().sign_approval(document, user=user)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocStatus.SUBMITTED)
        if signed is not None:
            attach_signed_copy(document, signed)
        if acting is not None:
            fields = signatory_fields(acting)
        else:  # the leader's signatory row stays the one chosen; the deputy signs, standing in
            fields = {"signatory_id": document.signatory_id, "signer": user, "signer_authority": block[0], "signer_position": block[1]}
        fields["signer_name"] = (signed.holder if signed is not None and signed.holder else "") or user.get_full_name()
        fields["stood_in_for_id"] = chosen_signer_id if chosen_signer_id not in (None, user.id) else None
        fields["delegation"] = delegation
        for name, value in fields.items():
            setattr(document, name, value)
        document.status = DocStatus.APPROVED
        document.approved_by = user
        document.approved_at = _now()
        document.save(update_fields=["status", "approved_by", "approved_at", "signatory", "signer", "signer_authority",
                                     "signer_position", "signer_name", "stood_in_for", "delegation"])
        events.document_approved.publish(document=document, user=user, signed=signed)
        record("document_approved", actor=user, obj=document, data={
            "signer": document.signer_name, "authority": document.signer_authority, "position": document.signer_position,
            **({"stood_in_for": fields["stood_in_for_id"]} if fields["stood_in_for_id"] else {}),
            **({"note": note} if note else {}),
            **({"delegation": delegation.id, "form": delegation.form} if delegation is not None else {}),
        })
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
    document.returned_by, document.returned_at, document.return_note = user, _now(), note
    document.save(update_fields=["status", "returned_by", "returned_at", "return_note"])
    events.document_changed.publish(document=document, user=user)
    record("document_returned", actor=user, obj=document, data={"note": note})
    return document


# --- issuing -------------------------------------------------------------------------------------

def issue_document(document: Document, *, user) -> Document:
    """The clerk numbers, seals and issues the document.

    Two shapes, both keeping the register's counter locked as briefly as possible (concurrent
    issuers into one register wait for each other there, and on SQLite everyone waits):
    - With a seal, sealing puts the number on the page before the organisation's signature covers
      it, and it must neither run in a transaction nor while the counter is locked. So three steps:
        1. a transaction takes the register's next number (and its audit entry): `issuing`;
        2. the sealed copy is made outside any transaction (the signatures app);
        3. a transaction lets the copy in, writes a delivery for every recipient: `issued`.
      A document left `issuing` (the process died, the signing failed) keeps its number: issuing
      it again resumes at step 2, so numbers stay gapless.
    - Without a seal, one transaction writes everything that does not need the number first (the
      deliveries and their events, the signature check, the statistics, the outbox rows, the
      queued tasks), then takes the number, then writes what shows it (the notices) and the audit
      entries, last, so that issuers wait for the register only for those few writes and the commit.
    """
    with transaction.atomic():
        locked = _lock(document)
        _require_role(user, locked.issuer_id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được cấp số và phát hành văn bản."))
        _require_status(locked, DocStatus.APPROVED, DocStatus.ISSUING)
        if locked.status == DocStatus.APPROVED:
            if not signer().will_seal(locked):
                return _issue_unsealed(locked, user=user)
            if not locked.recipients.exists():
                raise _no_recipients()
            _take_number(locked, user=user, status=DocStatus.ISSUING)
            record("document_numbered", actor=user, obj=locked, data={"symbol": locked.symbol})
    sealed = signer().seal_issue(locked, user=user)
    with transaction.atomic():
        locked = _lock(locked)
        _require_status(locked, DocStatus.ISSUING)
        if sealed is not None:
            attach_signed_copy(locked, sealed)
        deliveries = _deliveries(locked)
        locked.status = DocStatus.ISSUED
        update_row(Document, locked, ["status"])
        return _issued(locked, deliveries, sealed, user=user)


def _issue_unsealed(document: Document, *, user) -> Document:
    """Issuing without a seal, in the caller's transaction: the number as late as it can be.

    The subscribers before NOTIFICATIONS see the document issued but not yet numbered
    (`number` and `symbol` empty); an audit entry one of them records (an automatic refusal)
    is held back with the issuance's own, so that the counter is locked before the audit chain's
    head, as in the sealed shape."""
    deliveries = _deliveries(document)
    now = _now()
    document.issued_at, document.issued_date, document.issued_by = now, timezone.localdate(now), user
    document.status = DocStatus.ISSUED
    with deferred_audit():
        events.document_issued.publish_around(
            partial(_take_number, document, user=user, status=DocStatus.ISSUED, now=now), before=events.NOTIFICATIONS,
            document=document, deliveries=deliveries, user=user, sealed=None)
        _record_issued(document, deliveries, None, user=user)
    return document


def _no_recipients() -> Unprocessable:
    return Unprocessable(_("Văn bản chưa có nơi nhận."), code="recipients_required", details={"field": "recipient_ids"})


def _take_number(document: Document, *, user, status: str, now=None) -> None:
    """The register's next number: the counter's row stays locked until the commit."""
    now = now or _now()
    today = timezone.localdate(now)
    org, dtype = document.issuer, document.doc_type
    key = numbering.outgoing_register_key(org, dtype, today)
    document.register_key = key
    document.number = numbering.next_number(org.id, key)
    document.symbol = numbering.format_symbol(org, dtype, document.number)
    document.issued_at = now
    document.issued_date = today
    document.issued_by = user
    document.status = status
    update_row(Document, document, ["register_key", "number", "symbol", "issued_at", "issued_date", "issued_by", "status"])


def _deliveries(document: Document) -> list[Delivery]:
    """A delivery (and its first event) for every recipient.

    A recipient at a peer starts at 00 and reaches 01 when its server acknowledges the package
    (the exchange keeps `Organization.at_peer` current); the others have it in their inbox: 01."""
    recipients = list(document.recipients.values_list("id", "at_peer"))
    if not recipients:
        raise _no_recipients()
    now = _now()
    codes = [StatusCode.SENDING if at_peer else StatusCode.ARRIVED for _rid, at_peer in recipients]
    ids = insert_rows(Delivery, ["document", "recipient", "status_code", "arrived_at", "updated_at"],
                      [(document.id, rid, code.value, now, now) for (rid, _p), code in zip(recipients, codes, strict=True)],
                      returning_ids=True)
    deliveries = created({"id": did, "document_id": document.id, "recipient_id": rid, "status_code": code.value,
                          "arrived_at": now, "updated_at": now}
                         for did, (rid, _p), code in zip(ids, recipients, codes, strict=True))
    first_events(deliveries, notes={d.id: _("Đang gửi qua liên thông") for d in deliveries if d.status_code == StatusCode.SENDING})
    return deliveries


def _issued(document: Document, deliveries: list[Delivery], sealed: SignedCopy | None, *, user) -> Document:
    """The issued document's event and audit entry, last in the issuing transaction."""
    events.document_issued.publish(document=document, deliveries=deliveries, user=user, sealed=sealed)
    _record_issued(document, deliveries, sealed, user=user)
    return document


def _record_issued(document: Document, deliveries: list[Delivery], sealed: SignedCopy | None, *, user) -> None:
    record("document_issued", actor=user, obj=document, data={
        "symbol": document.symbol, "recipients": len(deliveries), "sealed_file": sealed.file.file_id if sealed else None,
    })


# --- the recipient's side ----------------------------------------------------------------------

def _incoming_number(delivery: Delivery, at) -> dict:
    """The next number of the recipient's incoming register, as the delivery's fields to save."""
    key = numbering.incoming_register_key(timezone.localdate(at))
    return {"incoming_key": key, "incoming_number": numbering.next_number(delivery.recipient_id, key), "accepted_at": at}


@transaction.atomic
def accept_delivery(delivery: Delivery, *, user, note: str = "") -> Delivery:
    _require_clerk_of(user, delivery.recipient_id, message=_("Chỉ văn thư đơn vị mới được tiếp nhận văn bản đến."))
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


@dataclass
class BulkAcceptance:
    """What accepting several arrivals at once did: each accepted, or why not."""

    accepted: list[Delivery]
    failed: list[tuple[Delivery, VanThuError]]


def accept_deliveries(deliveries: Sequence[Delivery], *, user) -> BulkAcceptance:
    """A clerk accepts several arrivals at once, in the order they arrived (so the incoming
    numbers follow it), each in its own transaction: one that cannot be accepted now (already
    accepted or rejected by someone else, not this clerk's) is reported and leaves nothing
    written, and the others go on. Must not run inside a transaction (each commits alone)."""
    ordered = sorted(deliveries, key=lambda d: (d.arrived_at, d.id))
    result = BulkAcceptance(accepted=[], failed=[])
    for d in ordered:
        if d.status_code != StatusCode.ARRIVED:  # as read: no lock needed to refuse
            result.failed.append((d, _not_arrived(d)))
            continue
        try:
            result.accepted.append(accept_delivery(d, user=user))
        except InvalidState:  # moved since it was read: say so as for the others
            d.refresh_from_db(fields=["status_code"])
            result.failed.append((d, _not_arrived(d)))
        except (NotAllowed, Unprocessable) as exc:
            result.failed.append((d, exc))
    return result


def _not_arrived(d: Delivery) -> InvalidState:
    return InvalidState(_("Văn bản đang ở trạng thái “%(status)s”, không còn chờ tiếp nhận.") % {"status": d.status_label},
                        code="invalid_delivery_status", details={"status_code": d.status_code})


@transaction.atomic
def reject_delivery(delivery: Delivery, *, user, reason: str) -> Delivery:
    _require_clerk_of(user, delivery.recipient_id, message=_("Chỉ văn thư đơn vị mới được từ chối tiếp nhận văn bản."))
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
    due_date: date | None = None, confidentiality: str | None = "thuong", confirm_duplicate: bool = False,
) -> Delivery:
    """A clerk registers a paper document that arrived from outside, with its scan.

    The same paper often arrives twice (by post and by hand, or after its electronic copy): one
    already in this organisation's incoming register from the same sender, with the same number
    and date, is refused as a likely duplicate unless the clerk confirms (`confirm_duplicate`)."""
    _require_role(user, organization.id, Role.CLERK, message=_("Chỉ văn thư đơn vị mới được vào sổ văn bản đến."))
    level = check_marking(confidentiality)
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
    # Asked last, of an entry otherwise right: the answer to a bad file or field comes first.
    if not confirm_duplicate:
        earlier = likely_duplicate(organization.id, sender_name=sender_name, sender_code=sender_code,
                                   number_symbol=number_symbol, issued_date=issued_date)
        if earlier is not None:
            raise InvalidState(
                _("Văn bản này có thể đã vào sổ: số đến %(n)s, %(symbol)s ngày %(date)s của %(sender)s. Hãy kiểm tra; "
                  "nếu đúng là văn bản khác, đánh dấu “Vẫn vào sổ” rồi gửi lại.") % {
                    "n": earlier.incoming_number or "—", "symbol": earlier.document.symbol,
                    "date": issued_date.strftime("%d/%m/%Y"), "sender": earlier.document.issuer_name},
                code="likely_duplicate",
                details={"field": "confirm_duplicate", "delivery_id": earlier.id, "document_id": earlier.document_id,
                         "incoming_number": earlier.incoming_number})
    with transaction.atomic():
        now = _now()
        doc = Document.objects.create(
            issuer=None, external_issuer_name=sender_name, external_issuer_code=sender_code.upper(),
            doc_type=dtype, subject=subject, urgency=urgency, status=DocStatus.EXTERNAL,
            source=DocSource.PAPER, symbol=number_symbol, issued_date=issued_date,
            due_date=due_date, created_by=user, confidentiality=level, page_count=parsed[0][1].page_count,
        )
        attach_files(doc, parsed)
        delivery = Delivery(document=doc, recipient=organization, source="paper", status_code=StatusCode.ACCEPTED,
                            arrived_at=now, updated_at=now, deadline=due_date)
        # The register counter before the statistics rows, as everywhere (see accept_delivery).
        for name, value in _incoming_number(delivery, now).items():
            setattr(delivery, name, value)
        delivery.save(force_insert=True)
        first_events([delivery], notes={delivery.id: _("Vào sổ từ bản giấy")}, user=user)
        events.deliveries_created.publish(deliveries=[delivery])
        events.document_entered.publish(document=doc, user=user)
        record("paper_document_registered", actor=user, obj=delivery, data={
            "document": doc.id, "symbol": doc.symbol, "incoming_number": delivery.incoming_number,
            **({"confirmed_duplicate": True} if confirm_duplicate else {})})
    return delivery


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def likely_duplicate(org_id: int, *, sender_name: str, sender_code: str, number_symbol: str, issued_date: date) -> Delivery | None:
    """A document already among this organisation's incoming ones (registered from paper or
    received electronically, not refused) from the same sender, with the same number and symbol
    and date. Found through the (issued_date, symbol) index; the sender is compared here, by its
    identifier code when both have one, else by its name, ignoring case and spacing."""
    candidates = (Delivery.objects.filter(recipient_id=org_id, document__issued_date=issued_date,
                                          document__symbol__iexact=" ".join(number_symbol.split()))
                  .exclude(status_code=StatusCode.REJECTED)
                  .select_related("document__issuer").order_by("id"))
    code = sender_code.strip().upper()
    for d in candidates:
        doc = d.document
        theirs = doc.issuer.code if doc.issuer_id else doc.external_issuer_code
        if code and theirs:
            if code == theirs.upper():
                return d
        elif _same_words(sender_name, doc.issuer_name) or (doc.issuer_id and _same_words(sender_name, doc.issuer.short_name)):
            return d
    return None


@dataclass(frozen=True)
class ElectronicArrival:
    """What a document received from another installation says of itself."""

    external_issuer_name: str
    issuer_code: str
    doc_type: DocumentType
    subject: str
    urgency: str
    number: int | None
    symbol: str
    issued_date: date | None
    place: str = ""
    signer_authority: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: date | None = None
    confidentiality: str = "thuong"  # the ordinary level: anything else was refused at the door


def check_arrival(arrival: ElectronicArrival) -> tuple[str, dict[str, str]]:
    """The subject and the texts of a document from a peer, as they will be saved.

    What the sender wrote goes through the same text rule as what a clerk types: a field too long
    or with control characters refuses the package (and the sender is told), never cut."""
    subject = check_subject(arrival.subject)
    texts = {name: clean_text(getattr(arrival, name), field=name, max_length=Document._meta.get_field(name).max_length)
             for name in ("external_issuer_name", "symbol", "place", "signer_authority", "signer_position", "signer_name")}
    return subject, texts


def receive_document(arrival: ElectronicArrival, *, recipient: Organization, files: Sequence[tuple[Upload, PdfInfo]],
                     by_name: str = "", note: str = "", written: Sequence[str] | None = None) -> Delivery:
    """A document from another installation arrives (01) in the recipient's inbox.

    The exchange app has checked the package (its signature, the sender, the marking) and holds
    the transaction in which it also records the message; the PDFs' signatures are checked in
    the background (`document_entered`), and the verdict may still refuse the document (02)."""
    if not files:
        raise Unprocessable(_("Gói tin không có tệp văn bản."), code="file_required")
    subject, texts = check_arrival(arrival)
    if written is None:
        written = write_files(files)  # the caller's transaction, if any, should have done it before
    with transaction.atomic():
        now = _now()
        doc = Document.objects.create(
            issuer=None, external_issuer_code=arrival.issuer_code, doc_type=arrival.doc_type, subject=subject,
            urgency=check_urgency(arrival.urgency), status=DocStatus.EXTERNAL, source=DocSource.PEER, number=arrival.number,
            issued_date=arrival.issued_date, due_date=arrival.due_date, page_count=files[0][1].page_count,
            confidentiality=arrival.confidentiality, **texts,
        )
        attach_files(doc, files, written=written)
        delivery = Delivery.objects.create(document=doc, recipient=recipient, status_code=StatusCode.ARRIVED,
                                           arrived_at=now, updated_at=now, deadline=arrival.due_date)
        first_events([delivery], notes={delivery.id: note}, by_name=by_name)
        events.deliveries_created.publish(deliveries=[delivery])
        events.document_entered.publish(document=doc, user=None)
    return delivery


@transaction.atomic
def follow_sender(document: Document, *, revoked: bool) -> Document:
    """The recipient's copy of a document from a peer follows the sender's request its clerk
    agreed to: revoked, or its newest version (sent with the request) now counts."""
    if revoked:
        document.status = DocStatus.REVOKED
        update_row(Document, document, ["status"])
    else:
        newest = DocumentFile.objects.filter(document=document, role=FileRole.SIGNED).order_by("-position").first()
        if newest is None:
            return document
        document.authoritative_file = newest
        update_row(Document, document, ["authoritative_file"])
    events.document_changed.publish(document=document, user=None)
    return document


def _code_ok(code: str) -> bool:
    """The same rule as organisations' own identifier codes."""
    try:
        validate_org_code(code.strip().upper())
    except ValidationError:
        return False
    return True
