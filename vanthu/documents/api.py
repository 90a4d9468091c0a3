"""Documents, deliveries, the inbox, incoming records and files, over the API."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vanthu.errors import NotFound, TooLarge, Unprocessable
from vanthu.organizations.access import is_member
from vanthu.organizations.models import Organization

from . import access, actions
from .models import Delivery, DeliveryEvent, DocStatus, Document, DocumentType, StatusCode
from .schemas import (
    DeliveryList,
    DocumentOut,
    DocumentTypeList,
    InboxItem,
    InboxList,
    RejectIn,
)
from .storage import path_for

router = Router(tags=["documents"])
# Past this, an offset is junk; bigger ones overflow the database's integers.
MAX_OFFSET = 1_000_000_000


# --- serialising -------------------------------------------------------------------------------

def issuer_out(doc: Document) -> dict:
    if doc.issuer_id:
        return {"id": doc.issuer_id, "code": doc.issuer.code, "name": doc.issuer.name}
    return {"id": None, "code": doc.external_issuer_code, "name": doc.external_issuer_name}


def document_out(doc: Document) -> dict:
    files = doc.files.select_related("file").order_by("position")
    return {
        "id": doc.id, "status": doc.status, "status_label": doc.get_status_display(), "source": doc.source,
        "issuer": issuer_out(doc), "doc_type": doc.doc_type.code, "doc_type_name": doc.doc_type.name,
        "subject": doc.subject, "urgency": doc.urgency, "number": doc.number, "symbol": doc.symbol,
        "issued_at": doc.issued_at, "issued_date": doc.issued_date, "place": doc.place,
        "signer_name": doc.signer_name, "signer_position": doc.signer_position,
        "signer_authority": doc.signer_authority, "due_date": doc.due_date, "page_count": doc.page_count,
        "recipients": list(doc.recipients.order_by("name")),
        "files": [
            {"sha256": f.file_id, "name": f.name, "role": f.role, "size": f.file.size,
             "page_count": f.file.page_count, "url": f"/api/v1/files/{f.file_id}"}
            for f in files
        ],
        "created_at": doc.created_at, "approved_at": doc.approved_at,
    }


def delivery_out(d: Delivery) -> dict:
    return {
        "id": d.id, "recipient": d.recipient, "source": d.source, "status_code": d.status_code,
        "status_label": d.status_label, "incoming_number": d.incoming_number,
        "reject_reason": d.reject_reason, "deadline": d.deadline, "updated_at": d.updated_at,
        "history": [
            {"status_code": e.status_code, "status_label": e.get_status_code_display(), "at": e.at, "by": e.by_name, "note": e.note}
            for e in d.events.all()
        ],
    }


def brief_out(doc: Document) -> dict:
    return {
        "id": doc.id, "symbol": doc.symbol, "subject": doc.subject, "doc_type": doc.doc_type.code,
        "urgency": doc.urgency, "issuer": issuer_out(doc), "issued_at": doc.issued_at,
        "issued_date": doc.issued_date, "due_date": doc.due_date,
    }


def inbox_item_out(d: Delivery) -> dict:
    return {
        "id": d.id, "status_code": d.status_code, "status_label": d.status_label, "source": d.source,
        "incoming_number": d.incoming_number, "arrived_at": d.arrived_at, "updated_at": d.updated_at,
        "deadline": d.deadline, "document": brief_out(d.document),
    }


def _events_prefetch() -> Prefetch:
    return Prefetch("events", queryset=DeliveryEvent.objects.order_by("at", "id"))


def _read_upload(f: UploadedFile | None) -> actions.Upload | None:
    if f is None:
        return None
    if f.size is not None and f.size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp %(name)s vượt quá giới hạn %(mb)s MB.") % {"name": f.name, "mb": settings.MAX_UPLOAD_MB})
    return actions.Upload(name=f.name or "", data=f.read())


def _org_for(user, org_id: int) -> Organization:
    org = Organization.objects.filter(id=org_id, is_active=True).first()
    if org is None or not is_member(user, org.id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return org


# --- document types ------------------------------------------------------------------------------

@router.get("/document-types", response=DocumentTypeList, summary="Danh mục loại văn bản")
def list_document_types(request):
    items = list(DocumentType.objects.filter(is_active=True))
    return {"items": items, "count": len(items)}


# --- outgoing documents --------------------------------------------------------------------------

class DocumentListItem(Schema):
    id: int
    status: str
    symbol: str
    subject: str
    doc_type: str
    urgency: str
    issued_at: str | None
    created_at: str


class DocumentList(Schema):
    items: list[DocumentListItem]
    count: int


class DocumentFilter(Schema):
    organization_id: int
    status: DocStatus | None = None
    limit: int = 50
    offset: int = 0


@router.get("/documents", response=DocumentList, summary="Văn bản đi của một đơn vị")
def list_documents(request, filters: Query[DocumentFilter]):
    org = _org_for(request.user, filters.organization_id)
    qs = Document.objects.issued_by(org.id).select_related("doc_type")
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-created_at", "-id")
    limit, offset = max(1, min(filters.limit, 200)), max(0, min(filters.offset, MAX_OFFSET))
    items = [
        {"id": d.id, "status": d.status, "symbol": d.symbol, "subject": d.subject, "doc_type": d.doc_type.code,
         "urgency": d.urgency, "issued_at": d.issued_at.isoformat() if d.issued_at else None, "created_at": d.created_at.isoformat()}
        for d in qs[offset:offset + limit]
    ]
    return {"items": items, "count": qs.count()}


@router.post("/documents", response={201: DocumentOut}, summary="Tạo dự thảo văn bản đi (multipart)")
def create_document(
    request: HttpRequest,
    organization_id: Form[int],
    doc_type: Form[str],
    subject: Form[str],
    file: File[UploadedFile],
    urgency: Form[str] = "thuong",
    confidentiality: Form[str] = "thuong",
    recipient_ids: Form[list[int]] = None,  # type: ignore[assignment]
    signer_name: Form[str] = "",
    signer_position: Form[str] = "",
    signer_authority: Form[str] = "",
    due_date: Form[date | None] = None,
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    org = _org_for(request.user, organization_id)
    doc = actions.create_draft(
        user=request.user, organization=org, doc_type=doc_type, subject=subject, urgency=urgency,
        confidentiality=confidentiality, recipient_ids=recipient_ids or [], signer_name=signer_name,
        signer_position=signer_position, signer_authority=signer_authority, due_date=due_date,
        main_file=_read_upload(file), attachments=[_read_upload(a) for a in (attachments or [])],
    )
    return Status(201, document_out(access.get_document(request.user, doc.id)))


@router.get("/documents/{document_id}", response=DocumentOut, summary="Chi tiết văn bản")
def get_document(request, document_id: int):
    return document_out(access.get_document(request.user, document_id))


class RecipientsIn(Schema):
    recipient_ids: list[int]


@router.put("/documents/{document_id}/recipients", response=DocumentOut, summary="Sửa nơi nhận trước khi phát hành")
def set_recipients(request, document_id: int, payload: RecipientsIn):
    doc = access.get_document(request.user, document_id)
    actions.update_recipients(doc, user=request.user, recipient_ids=payload.recipient_ids)
    return document_out(access.get_document(request.user, document_id))


@router.post("/documents/{document_id}/submit", response=DocumentOut, summary="Trình duyệt")
def submit(request, document_id: int):
    actions.submit_document(access.get_document(request.user, document_id), user=request.user)
    return document_out(access.get_document(request.user, document_id))


@router.post("/documents/{document_id}/approve", response=DocumentOut, summary="Lãnh đạo duyệt")
def approve(request, document_id: int):
    actions.approve_document(access.get_document(request.user, document_id), user=request.user)
    return document_out(access.get_document(request.user, document_id))


class ReturnIn(Schema):
    note: str


@router.post("/documents/{document_id}/return", response=DocumentOut, summary="Lãnh đạo trả lại dự thảo")
def return_to_draft(request, document_id: int, payload: ReturnIn):
    actions.return_document(access.get_document(request.user, document_id), user=request.user, note=payload.note)
    return document_out(access.get_document(request.user, document_id))


@router.post("/documents/{document_id}/issue", response=DocumentOut, summary="Văn thư cấp số, phát hành")
def issue(request, document_id: int):
    actions.issue_document(access.get_document(request.user, document_id), user=request.user)
    return document_out(access.get_document(request.user, document_id))


@router.get("/documents/{document_id}/deliveries", response=DeliveryList, summary="Tình trạng ở từng nơi nhận")
def list_deliveries(request, document_id: int):
    doc = access.get_document(request.user, document_id)
    rows = list(access.visible_deliveries(request.user, doc).prefetch_related(_events_prefetch()).order_by("recipient__name"))
    return {"items": [delivery_out(d) for d in rows], "count": len(rows)}


# --- inbox and incoming records ------------------------------------------------------------------

class InboxFilter(Schema):
    organization_id: int
    status_code: StatusCode | None = None
    limit: int = 50
    offset: int = 0


def _page(qs, limit: int, offset: int):
    limit, offset = max(1, min(limit, 200)), max(0, min(offset, MAX_OFFSET))
    return list(qs[offset:offset + limit])


@router.get("/inbox", response=InboxList, summary="Văn bản đến của đơn vị")
def inbox(request, filters: Query[InboxFilter]):
    org = _org_for(request.user, filters.organization_id)
    qs = Delivery.objects.for_organization(org.id)
    if filters.status_code:
        qs = qs.filter(status_code=filters.status_code)
    page = _page(qs.with_document().newest_first(), filters.limit, filters.offset)
    return {"items": [inbox_item_out(d) for d in page], "count": qs.count()}


@router.post("/inbox/{delivery_id}/accept", response=InboxItem, summary="Tiếp nhận, cấp số đến")
def accept(request, delivery_id: int):
    d = actions.accept_delivery(access.get_delivery(request.user, delivery_id), user=request.user)
    return inbox_item_out(access.get_delivery(request.user, d.id))


@router.post("/inbox/{delivery_id}/reject", response=InboxItem, summary="Từ chối tiếp nhận")
def reject(request, delivery_id: int, payload: RejectIn):
    d = actions.reject_delivery(access.get_delivery(request.user, delivery_id), user=request.user, reason=payload.reason)
    return inbox_item_out(access.get_delivery(request.user, d.id))


class IncomingFilter(Schema):
    organization_id: int
    status_code: StatusCode | None = None
    source: str | None = None
    limit: int = 50
    offset: int = 0


@router.get("/incoming", response=InboxList, summary="Sổ văn bản đến")
def incoming(request, filters: Query[IncomingFilter]):
    org = _org_for(request.user, filters.organization_id)
    qs = Delivery.objects.for_organization(org.id).registered()
    if filters.status_code:
        qs = qs.filter(status_code=filters.status_code)
    if filters.source in ("electronic", "paper"):
        qs = qs.filter(source=filters.source)
    page = _page(qs.with_document().newest_first(), filters.limit, filters.offset)
    return {"items": [inbox_item_out(d) for d in page], "count": qs.count()}


@router.post("/incoming/paper", response={201: InboxItem}, summary="Vào sổ văn bản giấy (bản quét PDF)")
def register_paper(
    request: HttpRequest,
    organization_id: Form[int],
    sender_name: Form[str],
    number_symbol: Form[str],
    issued_date: Form[date],
    doc_type: Form[str],
    subject: Form[str],
    file: File[UploadedFile],
    sender_code: Form[str] = "",
    urgency: Form[str] = "thuong",
    due_date: Form[date | None] = None,
    confidentiality: Form[str] = "thuong",
):
    org = _org_for(request.user, organization_id)
    d = actions.register_paper_document(
        user=request.user, organization=org, sender_name=sender_name, number_symbol=number_symbol,
        issued_date=issued_date, doc_type=doc_type, subject=subject, file=_read_upload(file),
        sender_code=sender_code, urgency=urgency, due_date=due_date, confidentiality=confidentiality,
    )
    return Status(201, inbox_item_out(access.get_delivery(request.user, d.id)))


# Registered after /incoming/paper: the first matching path wins, and a GET-only
# /incoming/{delivery_id} would answer 405 to POST /incoming/paper.
@router.get("/incoming/{delivery_id}", response=InboxItem, summary="Một văn bản đến")
def incoming_detail(request, delivery_id: int):
    return inbox_item_out(access.get_delivery(request.user, delivery_id))


# --- files ---------------------------------------------------------------------------------------

@router.get("/files/{sha256}", summary="Tải tệp (PDF)", response={200: None})
def download_file(request, sha256: str):
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise Unprocessable(_("Mã tệp không hợp lệ."), code="invalid_file_id")
    stored = access.get_file(request.user, sha256)
    is_pdf = stored.content_type == "application/pdf"
    # Only a PDF is shown in the browser; anything else is a download that no page can run.
    resp = FileResponse(open(path_for(stored.sha256), "rb"), content_type=stored.content_type if is_pdf else "application/octet-stream")
    resp["Content-Disposition"] = f'inline; filename="{stored.sha256[:16]}.pdf"' if is_pdf else f'attachment; filename="{stored.sha256[:16]}.bin"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["X-Frame-Options"] = "SAMEORIGIN"  # the document page shows it in a frame; pages are DENY
    resp["Cache-Control"] = "private, max-age=3600"
    return resp
