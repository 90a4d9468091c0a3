"""Exchange API: per-recipient transport state, recall/update/replace, answers, failed messages."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from vanthu.documents import access
from vanthu.documents.actions import Upload
from vanthu.errors import NotFound
from vanthu.text import NOTE_MAX, Line, Text

from . import actions
from .models import BusinessType, OutboxMessage, Peer, RecallRequest

router = Router(tags=["exchange"])


class PeerOut(Schema):
    id: int
    name: str
    base_url: str
    endpoint: str
    site_id: str
    is_active: bool
    organizations: list[str]


class PeerList(Schema):
    items: list[PeerOut]
    count: int


class RequestOut(Schema):
    business_type: int
    reason: str
    requested_at: datetime
    answer: str
    answered_at: datetime | None
    answer_note: str


class ExchangeRow(Schema):
    delivery_id: int
    recipient_code: str
    recipient_name: str
    status_code: str
    external: bool
    transport: str | None  # pending | sent | failed, for a recipient at a peer
    attempts: int
    last_error: str
    requests: list[RequestOut]


class ExchangeList(Schema):
    items: list[ExchangeRow]
    count: int


class RecallIn(Schema):
    reason: Text(NOTE_MAX)
    business_type: int = BusinessType.REVOKE


class AnswerIn(Schema):
    agree: bool
    note: Text(NOTE_MAX) = ""


class OutboxOut(Schema):
    id: int
    message_id: str
    kind: str
    peer: str
    delivery_id: int
    document_id: int
    business_type: int
    status_code: str
    state: str
    attempts: int
    last_error: str
    created_at: datetime


class OutboxList(Schema):
    items: list[OutboxOut]
    count: int


def _req(r: RecallRequest) -> dict:
    return dict(business_type=r.business_type, reason=r.reason, requested_at=r.requested_at, answer=r.answer,
                answered_at=r.answered_at, answer_note=r.answer_note)


@router.get("/exchange/peers", response=PeerList, summary="Hệ thống liên thông đã đăng ký")
def list_peers(request: HttpRequest):
    peers = Peer.objects.prefetch_related("organizations__organization")
    items = [dict(id=p.id, name=p.name, base_url=p.base_url, endpoint=p.endpoint, site_id=p.site_id, is_active=p.is_active,
                  organizations=[r.organization.code for r in p.organizations.all()]) for p in peers]
    return {"items": items, "count": len(items)}


def _rows(request, document) -> list[dict]:
    rows = []
    for d in access.visible_deliveries(request.user, document).prefetch_related("outbox_messages", "recall_requests"):
        packages = [m for m in d.outbox_messages.all() if m.kind == "package"]
        last = max(packages, key=lambda m: m.id) if packages else None
        rows.append(dict(delivery_id=d.id, recipient_code=d.recipient.code, recipient_name=d.recipient.name, status_code=d.status_code,
                         external=last is not None, transport=last.state if last else None, attempts=last.attempts if last else 0,
                         last_error=last.last_error if last else "", requests=[_req(r) for r in d.recall_requests.all()]))
    return rows


@router.get("/documents/{document_id}/exchange", response=ExchangeList, summary="Tình trạng gửi liên thông ở từng nơi nhận")
def document_exchange(request: HttpRequest, document_id: int):
    rows = _rows(request, access.get_document(request.user, document_id))
    return {"items": rows, "count": len(rows)}


@router.post("/documents/{document_id}/recall", response=ExchangeList, summary="Thu hồi văn bản đã phát hành (13)")
def recall(request: HttpRequest, document_id: int, payload: RecallIn):
    doc = access.get_document(request.user, document_id)
    actions.request_recall(doc, user=request.user, reason=payload.reason, business_type=BusinessType.REVOKE)
    rows = _rows(request, doc)
    return {"items": rows, "count": len(rows)}


@router.post("/documents/{document_id}/update", response=ExchangeList, summary="Cập nhật (2) hoặc thay thế (3) văn bản đã phát hành (multipart)")
def update(request: HttpRequest, document_id: int, file: File[UploadedFile], reason: Form[Text(NOTE_MAX)], business_type: Form[int] = BusinessType.UPDATE):
    doc = access.get_document(request.user, document_id)
    actions.request_recall(doc, user=request.user, reason=reason, business_type=business_type,
                           main_file=Upload(name=file.name or "vanban.pdf", data=file.read()))
    rows = _rows(request, doc)
    return {"items": rows, "count": len(rows)}


@router.post("/deliveries/{delivery_id}/recall-answer", response=ExchangeList, summary="Đồng ý (15) hoặc từ chối (16) yêu cầu của nơi gửi")
def answer(request: HttpRequest, delivery_id: int, payload: AnswerIn):
    delivery = access.get_delivery(request.user, delivery_id)
    actions.answer_request(delivery, user=request.user, agree=payload.agree, note=payload.note)
    rows = _rows(request, delivery.document)
    return {"items": rows, "count": len(rows)}


def _outbox_for(user):
    # The clerk's operational list of the organisation's correspondence: need to know keeps it to
    # those who see all of it (documents/access.py).
    orgs = access.full_view_org_ids(user)
    return OutboxMessage.objects.filter(delivery__document__issuer_id__in=orgs) | OutboxMessage.objects.filter(delivery__recipient_id__in=orgs, kind="status")


@router.get("/exchange/outbox", response=OutboxList, summary="Thư liên thông của đơn vị (đang chờ, đã gửi, không thành công)")
def list_outbox(request: HttpRequest, state: Line(16) = "", limit: int = 100, offset: int = 0):
    qs = _outbox_for(request.user).select_related("peer", "delivery").order_by("-id")
    if state:
        qs = qs.filter(state=state)
    total = qs.count()
    limit, offset = max(1, min(limit, 500)), max(0, min(offset, 1_000_000_000))
    items = [dict(id=m.id, message_id=str(m.message_id), kind=m.kind, peer=m.peer.name, delivery_id=m.delivery_id,
                  document_id=m.delivery.document_id, business_type=m.business_type, status_code=m.status_code,
                  state=m.state, attempts=m.attempts, last_error=m.last_error, created_at=m.created_at) for m in qs[offset:offset + limit]]
    return {"items": items, "count": total}


@router.post("/exchange/outbox/{message_id}/resend", response=OutboxOut, summary="Gửi lại thư liên thông không thành công")
def resend(request: HttpRequest, message_id: int):
    m = _outbox_for(request.user).select_related("peer", "delivery__document").filter(pk=message_id).first()
    if m is None:
        raise NotFound(_("Không tìm thấy thư liên thông."), code="message_not_found")
    m = actions.resend(m, user=request.user)
    return dict(id=m.id, message_id=str(m.message_id), kind=m.kind, peer=m.peer.name, delivery_id=m.delivery_id,
                document_id=m.delivery.document_id, business_type=m.business_type, status_code=m.status_code,
                state=m.state, attempts=m.attempts, last_error=m.last_error, created_at=m.created_at)
