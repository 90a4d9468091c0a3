"""Documents, deliveries, the inbox, incoming records and files, over the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import NinjaJSONEncoder

from vanthu import prepared
from vanthu.errors import NotFound, Unprocessable
from vanthu.organizations.access import is_member, member_org_ids
from vanthu.organizations.models import Organization
from vanthu.text import NOTE_MAX, Line, Text

from . import access, actions, delegations, sharing
from .deliveries import timeline
from .models import (
    Delivery,
    DeliveryEvent,
    DocStatus,
    Document,
    DocumentShare,
    DocumentType,
    SharePurpose,
    Signatory,
    StatusCode,
)
from .schemas import (
    DeliveryList,
    DocumentOut,
    DocumentTypeList,
    InboxItem,
    InboxList,
    RejectIn,
)
from .storage import open_blob

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
        "subject": doc.subject, "urgency": doc.urgency, "confidentiality": doc.confidentiality,
        "number": doc.number, "symbol": doc.symbol,
        "issued_at": doc.issued_at, "issued_date": doc.issued_date, "place": doc.place,
        "signer_name": doc.signer_name, "signer_position": doc.signer_position,
        "signer_authority": doc.signer_authority, "signer_id": doc.signer_id, "signatory_id": doc.signatory_id,
        "stood_in_for": doc.stood_in_for.get_full_name() if doc.stood_in_for_id else "",
        "delegation_id": doc.delegation_id, "stood_in_form": doc.delegation.form if doc.delegation_id else "", "due_date": doc.due_date, "page_count": doc.page_count,
        "recipients": list(doc.recipients.order_by("name")),
        "files": [
            {"sha256": f.file_id, "name": f.name, "role": f.role, "size": f.file.size,
             "page_count": f.file.page_count, "url": f"/api/v1/files/{f.file_id}"}
            for f in files
        ],
        "created_at": doc.created_at, "approved_at": doc.approved_at,
        "submitted_at": doc.submitted_at, "submitted_by": doc.submitted_by.get_full_name() if doc.submitted_by_id else "",
    }


def reply_out(d: Delivery, *, document_visible: bool) -> dict:
    """The answer to an incoming record: the reply document (when the reader may open it) and file."""
    return {
        "reply_document": {"id": d.reply_document_id, "symbol": d.reply_document.symbol, "subject": d.reply_document.subject}
        if d.reply_document_id and document_visible else None,
        "reply_file": {"name": d.reply_file_name, "url": f"/api/v1/incoming/{d.id}/reply-file"} if d.reply_file_id else None,
    }


def delivery_out(d: Delivery, *, own: bool, reply_visible: bool = False) -> dict:
    """A delivery as its recipient (`own`) or its sender reads it: the sender's history leaves out
    the notes private to the recipient, and names a re-assignment as one."""
    return {
        "id": d.id, "recipient": d.recipient, "source": d.source, "status_code": d.status_code,
        "status_label": d.status_label, "incoming_number": d.incoming_number,
        "reject_reason": d.reject_reason, "deadline": d.deadline, "updated_at": d.updated_at,
        "handler_name": d.handler_name, **reply_out(d, document_visible=own or reply_visible),
        "history": [
            {"status_code": st["status_code"], "status_label": str(st["label"]), "at": st["at"], "by": st["by"], "note": st["note"]}
            for st in timeline(d.events.all(), for_sender=not own)
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


def _org_for(user, org_id: int) -> Organization:
    org = Organization.objects.filter(id=org_id, is_active=True).first()
    if org is None or not is_member(user, org.id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return org


# --- who signs -----------------------------------------------------------------------------------

class SignatoryOut(Schema):
    id: int
    user_id: int
    name: str
    form: str
    authority: str
    position: str


class SignatoryList(Schema):
    items: list[SignatoryOut]
    count: int


@router.get("/signatories", response=SignatoryList, summary="Lãnh đạo có thẩm quyền ký của một tổ chức (chọn người ký khi soạn)")
def list_signatories(request, organization_id: int):
    org = _org_for(request.user, organization_id)
    rows = [{"id": s.id, "user_id": s.user_id, "name": s.user.get_full_name(), "form": s.form, "authority": s.authority,
             "position": s.position} for s in Signatory.objects.of_organization(org.id).with_user()]
    return {"items": rows, "count": len(rows)}


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
    # In the leaders' queue (status submitted): when and by whom it was submitted.
    submitted_at: str | None = None
    submitted_by: str | None = None


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
    org_id = _member_org_id(request.user, filters.organization_id)
    # Need to know: a specialist lists only their drafts and what was shared with them.
    qs = access.documents_seen_in(request.user, org_id).select_related("doc_type")
    if filters.status:
        qs = qs.filter(status=filters.status)
    # The leaders' queue (status submitted): the most urgent first, then the oldest submission.
    qs = qs.approval_queue() if filters.status == DocStatus.SUBMITTED else qs.order_by("-created_at", "-id")
    limit, offset = max(1, min(filters.limit, 200)), max(0, min(filters.offset, MAX_OFFSET))
    items = [
        {"id": d.id, "status": d.status, "symbol": d.symbol, "subject": d.subject, "doc_type": d.doc_type.code,
         "urgency": d.urgency, "issued_at": d.issued_at.isoformat() if d.issued_at else None, "created_at": d.created_at.isoformat(),
         **({"submitted_at": d.submitted_at.isoformat() if d.submitted_at else None,
             "submitted_by": d.submitted_by.get_full_name() if d.submitted_by_id else ""} if filters.status == DocStatus.SUBMITTED else {})}
        for d in qs[offset:offset + limit]
    ]
    return {"items": items, "count": qs.count()}


@router.post("/documents", response={201: DocumentOut}, summary="Tạo dự thảo văn bản đi (multipart)")
def create_document(
    request: HttpRequest,
    organization_id: Form[int],
    doc_type: Form[Line(16)],
    subject: Form[Line(actions.MAX_SUBJECT)],
    file: File[UploadedFile],
    urgency: Form[Line(16)] = "thuong",
    confidentiality: Form[Line(32)] = "thuong",
    recipient_ids: Form[list[int]] = None,  # type: ignore[assignment]
    signatory_id: Form[int | None] = None,
    due_date: Form[date | None] = None,
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    org = _org_for(request.user, organization_id)
    doc = actions.create_draft(
        user=request.user, organization=org, doc_type=doc_type, subject=subject, urgency=urgency,
        confidentiality=confidentiality, recipient_ids=recipient_ids or [], signatory_id=signatory_id,
        due_date=due_date,
        main_file=actions.Upload.of(file), attachments=[actions.Upload.of(a) for a in (attachments or [])],
    )
    return Status(201, document_out(access.get_document(request.user, doc.id)))


@router.get("/documents/{document_id}", response=DocumentOut, summary="Chi tiết văn bản")
def get_document(request, document_id: int):
    doc = access.get_document(request.user, document_id)
    # The incoming records this document answers (văn bản trả lời), among those the reader may see.
    answered = Delivery.objects.filter(reply_document=doc).values("document_id")
    answers = (Delivery.objects.filter(reply_document=doc, document__in=access.visible_documents(request.user, document_id=answered))
               .select_related("document").order_by("incoming_number", "id")) if doc.issuer_id else []
    return {**document_out(doc), "answers": [
        {"delivery_id": d.id, "incoming_number": d.incoming_number, "document_id": d.document_id,
         "symbol": d.document.symbol, "subject": d.document.subject} for d in answers]}


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


class ApproveIn(Schema):
    stand_in: bool = False  # another signatory standing in for the chosen leader (recorded)
    note: Text(NOTE_MAX) = ""  # the leader's opinion, kept in the document's history


@router.post("/documents/{document_id}/approve", response=DocumentOut, summary="Lãnh đạo được chọn ký duyệt (hoặc ký thay)")
def approve(request, document_id: int, payload: ApproveIn | None = None):
    actions.approve_document(access.get_document(request.user, document_id), user=request.user,
                             stand_in=bool(payload and payload.stand_in), note=payload.note if payload else "")
    return document_out(access.get_document(request.user, document_id))


class ReturnIn(Schema):
    note: Text(NOTE_MAX)


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
    rows = list(access.visible_deliveries(request.user, doc).select_related("reply_document")
                .prefetch_related(_events_prefetch()).order_by("recipient__name"))
    orgs = member_org_ids(request.user)
    reply_ids = {d.reply_document_id for d in rows if d.reply_document_id and d.recipient_id not in orgs}
    visible = set(access.visible_documents(request.user, document_id=sorted(reply_ids)).values_list("id", flat=True)) if reply_ids else set()
    return {"items": [delivery_out(d, own=d.recipient_id in orgs, reply_visible=d.reply_document_id in visible) for d in rows],
            "count": len(rows)}


# --- inbox and incoming records ------------------------------------------------------------------

# --- sharing (need to know) ---------------------------------------------------------------------

class ShareIn(Schema):
    person_id: int
    # Through which of the organisations holding the document (issuer, recipient); may be left
    # out when the person sharing belongs to only one of them.
    organization_id: int | None = None
    purpose: SharePurpose = SharePurpose.READ
    note: Text(NOTE_MAX) = ""


class ShareOut(Schema):
    id: int
    document_id: int
    organization_id: int
    person_id: int
    person_name: str
    purpose: str
    purpose_label: str
    note: str
    shared_by: str
    shared_at: datetime


class ShareList(Schema):
    items: list[ShareOut]
    count: int


def share_out(s: DocumentShare) -> dict:
    return {"id": s.id, "document_id": s.document_id, "organization_id": s.organization_id, "person_id": s.user_id,
            "person_name": s.user.get_full_name() or s.user.get_username(), "purpose": s.purpose,
            "purpose_label": s.get_purpose_display(), "note": s.note,
            "shared_by": s.shared_by.get_full_name() if s.shared_by_id else "", "shared_at": s.shared_at}


@router.get("/documents/{document_id}/shares", response=ShareList, summary="Những người được chia sẻ văn bản")
def list_shares(request, document_id: int):
    doc = access.get_document(request.user, document_id)
    items = [share_out(s) for s in sharing.shares_of(request.user, doc)]
    return {"items": items, "count": len(items)}


@router.post("/documents/{document_id}/shares", response={201: ShareOut},
             summary="Chia sẻ văn bản với một người trong đơn vị (để biết, góp ý dự thảo)")
def share(request, document_id: int, payload: ShareIn):
    doc = access.get_document(request.user, document_id)
    s = sharing.share_document(doc, user=request.user, person_id=payload.person_id, organization_id=payload.organization_id,
                               purpose=payload.purpose, note=payload.note)
    return Status(201, share_out(DocumentShare.objects.select_related("user", "shared_by").get(pk=s.pk)))


@router.delete("/documents/{document_id}/shares/{person_id}", response={204: None}, summary="Thôi chia sẻ văn bản với một người")
def withdraw_share(request, document_id: int, person_id: int, organization_id: int | None = None):
    doc = access.get_document(request.user, document_id)
    shares = sharing.shares_of(request.user, doc).filter(user_id=person_id)
    if organization_id is not None:
        shares = shares.filter(organization_id=organization_id)
    found = shares.first()
    if found is None:
        raise NotFound(_("Không tìm thấy lượt chia sẻ."), code="share_not_found")
    sharing.withdraw_share(found, user=request.user)
    return Status(204, None)


class InboxFilter(Schema):
    organization_id: int
    status_code: StatusCode | None = None
    limit: int = 50
    offset: int = 0


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, 200)), max(0, min(offset, MAX_OFFSET))


# The inbox and the incoming register are the most requested lists, so a page of them is read
# with one plain statement (the page with its documents and issuers, and the count of the whole
# set) and serialised straight from the rows: the same items `inbox_item_out` builds from models,
# at a fraction of the cost of compiling ORM queries and instantiating three models per row.
# On PostgreSQL the statement is prepared once per connection (vanthu/prepared.py) and writes the
# dates and times as the API's text itself, which costs it less than loading them costs Python.
# The document brief of a row (`brief_out`'s fields), read through `brief_joins()` from a delivery `d`;
# the incoming records' list in vanthu/workflow/api.py reads it the same way.
BRIEF_COLUMNS = (
    "doc.id, doc.symbol, doc.subject, ty.code, doc.urgency, doc.issuer_id, iss.code, iss.name,"
    " doc.external_issuer_code, doc.external_issuer_name, doc.issued_at, doc.issued_date, doc.due_date"
)


def times_as_text() -> bool:
    """Whether `sql_time`/`sql_day` columns arrive as the API's text (PostgreSQL) or as the driver
    gives them (SQLite: `json_time`/`json_day` make the text in Python)."""
    return connection.vendor == "postgresql"


def sql_time(column: str) -> str:
    """A timestamp column written by PostgreSQL as DjangoJSONEncoder writes it: UTC, milliseconds
    (truncated) unless it is a whole second, and 'Z'. Elsewhere the column itself."""
    if not times_as_text():
        return column
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (f"to_char({utc}, CASE WHEN date_trunc('second', {utc}) = {utc}"
            f" THEN 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"' ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"' END)")


def sql_day(column: str) -> str:
    """A date column written by PostgreSQL as the API writes it (ISO). Elsewhere the column itself."""
    return f"to_char({column}, 'YYYY-MM-DD')" if times_as_text() else column


def brief_columns() -> str:
    """BRIEF_COLUMNS with the dates and times as `sql_time`/`sql_day` give them."""
    return BRIEF_COLUMNS.replace("doc.issued_at", sql_time("doc.issued_at")).replace(
        "doc.issued_date", sql_day("doc.issued_date")).replace("doc.due_date", sql_day("doc.due_date"))


@cache
def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {"d": qn(Delivery._meta.db_table), "doc": qn(Document._meta.db_table),
            "ty": qn(DocumentType._meta.db_table), "org": qn(Organization._meta.db_table)}


def brief_joins() -> str:
    """From a delivery `d` to what BRIEF_COLUMNS reads: its document, type and issuer."""
    t = _tables()
    return (f" JOIN {t['doc']} doc ON doc.id = d.document_id JOIN {t['ty']} ty ON ty.id = doc.doc_type_id"
            f" LEFT JOIN {t['org']} iss ON iss.id = doc.issuer_id")


def brief_from_row(doc_id, symbol, subject, type_code, urgency, issuer_id, issuer_code, issuer_name, ext_code,
                   ext_name, issued_at, issued_date, due_date, *, as_text: bool = False) -> dict:
    """`brief_out` from the BRIEF_COLUMNS of a row (`as_text`: read through `brief_columns()`
    where `times_as_text()`, so the dates and times are already the API's text)."""
    issuer = ({"id": issuer_id, "code": issuer_code, "name": issuer_name} if issuer_id
              else {"id": None, "code": ext_code, "name": ext_name})
    if not as_text:
        issued_at, issued_date, due_date = json_time(issued_at), json_day(issued_date), json_day(due_date)
    return {"id": doc_id, "symbol": symbol, "subject": subject, "doc_type": type_code, "urgency": urgency,
            "issuer": issuer, "issued_at": issued_at, "issued_date": issued_date, "due_date": due_date}


_as_json = DjangoJSONEncoder().default  # the API's own text for dates and times, applied once


def json_time(value):
    """A timestamp column as the API writes it.

    PostgreSQL returns aware datetimes; SQLite's driver naive UTC ones (or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value) or value
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _as_json(value)


def json_day(value):
    """A date column as the API writes it (SQLite's driver may give text)."""
    if value is None:
        return None
    return _as_json(parse_date(value) if isinstance(value, str) else value)


@cache
def _page_sql(vendor: str, where: str) -> str:
    """One organisation's deliveries matching `where` (SQL on `d`): the count of all of them,
    then a page, newest first. The page is cut from the inbox index before the joins, so a page
    costs the same whatever the size of the inbox; the count reads the same index only."""
    t = _tables()
    cond = f"d.recipient_id = %s{where}"
    return (
        f"SELECT (SELECT COUNT(*) FROM {t['d']} d WHERE {cond}),"
        f" d.id, d.status_code, d.source, d.incoming_number, {sql_time('d.arrived_at')}, {sql_time('d.updated_at')},"
        f" {sql_day('d.deadline')}, {brief_columns()}"
        f" FROM (SELECT d.id, d.status_code, d.source, d.incoming_number, d.arrived_at, d.updated_at, d.deadline,"
        f" d.document_id FROM {t['d']} d WHERE {cond} ORDER BY d.arrived_at DESC, d.id DESC LIMIT %s OFFSET %s) d"
        f"{brief_joins()} ORDER BY d.arrived_at DESC, d.id DESC"
    )


def _delivery_rows(org_id: int, where: str, params: list, limit: int, offset: int) -> tuple[list[dict], int]:
    """(inbox items, total) of one organisation's deliveries matching `where` (SQL on `d`)."""
    limit, offset = _bounds(limit, offset)
    as_text = times_as_text()
    with connection.cursor() as cur:
        prepared.execute(cur, _page_sql(connection.vendor, where), [org_id, *params, org_id, *params, limit, offset])
        rows = cur.fetchall()
        if rows:
            total = rows[0][0]
        elif offset == 0:
            total = 0
        else:  # past the end: the count came with no row
            cur.execute(f"SELECT COUNT(*) FROM {_tables()['d']} d WHERE d.recipient_id = %s{where}", [org_id, *params])
            total = cur.fetchone()[0]
    labels: dict[str, str] = {}
    items = []
    for _total, did, code, source, number, arrived, updated, deadline, *brief in rows:
        if code not in labels:
            labels[code] = str(StatusCode(code).label)
        if not as_text:
            arrived, updated, deadline = json_time(arrived), json_time(updated), json_day(deadline)
        items.append({
            "id": did, "status_code": code, "status_label": labels[code], "source": source,
            "incoming_number": number, "arrived_at": arrived, "updated_at": updated,
            "deadline": deadline, "document": brief_from_row(*brief, as_text=as_text),
        })
    return items, total


def _member_org_id(user, org_id: int) -> int:
    """`_org_for` without loading the organisation: a person's roles only name active ones."""
    if not is_member(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return org_id


def _narrow_rows(user, org_id: int, qs, limit: int, offset: int) -> tuple[list[dict], int]:
    """`_delivery_rows` for a person who sees only some of the organisation's incoming records
    (documents/access.py, need to know): the few assigned to or shared with them, read through the
    ORM and serialised by `inbox_item_out`, the same items."""
    limit, offset = _bounds(limit, offset)
    qs = access.deliveries_seen_in(user, org_id, qs).with_document().newest_first()
    return [inbox_item_out(d) for d in qs[offset:offset + limit]], qs.count()


def render_json(request: HttpRequest, data: dict) -> JsonResponse:
    # Built from trusted rows in the documented shape: rendered directly, not re-validated, with
    # the encoder and content type the API's own responses have.
    return JsonResponse(data, encoder=NinjaJSONEncoder, content_type="application/json; charset=utf-8")


@router.get("/inbox", response=InboxList, summary="Văn bản đến của đơn vị")
def inbox(request, filters: Query[InboxFilter]):
    org_id = _member_org_id(request.user, filters.organization_id)
    if not access.sees_all_of(request.user, org_id):
        qs = Delivery.objects.all()
        if filters.status_code:
            qs = qs.filter(status_code=filters.status_code)
        items, total = _narrow_rows(request.user, org_id, qs, filters.limit, filters.offset)
        return render_json(request, {"items": items, "count": total})
    where, params = "", []
    if filters.status_code:
        where, params = " AND d.status_code = %s", [filters.status_code]
    sealed = access.sealed_document_ids(request.user, {org_id})
    if sealed is not None:  # handed over to the archive: out of the inbox (documents/access.py)
        # NOT EXISTS, not NOT IN: PostgreSQL pulls the subquery up into an anti-join probing the
        # partial index per row of the page, instead of hashing every id the organisation sealed.
        sql, sealed_params = sealed.query.sql_with_params()
        where = f"{where} AND NOT EXISTS (SELECT 1 FROM ({sql}) s WHERE s.document_id = d.document_id)"
        params = [*params, *sealed_params]
    items, total = _delivery_rows(org_id, where, params, filters.limit, filters.offset)
    return render_json(request, {"items": items, "count": total})


class AcceptManyIn(Schema):
    organization_id: int
    delivery_ids: list[int]


class AcceptFailure(Schema):
    delivery_id: int
    code: str
    message: str


class AcceptManyOut(Schema):
    accepted: list[InboxItem]
    failed: list[AcceptFailure]


BULK_ACCEPT_MAX = 100


@router.post("/inbox/accept", response=AcceptManyOut, summary="Tiếp nhận nhiều văn bản đến một lần")
def accept_many(request, payload: AcceptManyIn):
    """Each is accepted in its own transaction, in the order they arrived; those that cannot be
    (another state, or not this organisation's) are listed with the reason, and nothing of them is written."""
    ids = list(dict.fromkeys(payload.delivery_ids))
    chosen = access.arrivals_to_accept(request.user, payload.organization_id, ids)  # the rule first, as on the page
    if not ids:
        raise Unprocessable(_("Chưa chọn văn bản nào để tiếp nhận."), code="delivery_ids_required", details={"field": "delivery_ids"})
    if len(ids) > BULK_ACCEPT_MAX:
        raise Unprocessable(_("Mỗi lần tiếp nhận tối đa %(n)s văn bản.") % {"n": BULK_ACCEPT_MAX}, code="too_many_deliveries",
                            details={"field": "delivery_ids", "max": BULK_ACCEPT_MAX})
    found = list(chosen)
    result = actions.accept_deliveries(found, user=request.user)
    known = {d.id for d in found}
    failed = [{"delivery_id": d.id, "code": exc.code, "message": exc.message} for d, exc in result.failed]
    failed += [{"delivery_id": i, "code": "delivery_not_found", "message": _("Không tìm thấy văn bản đến.")} for i in ids if i not in known]
    return {"accepted": [inbox_item_out(d) for d in result.accepted], "failed": failed}


@router.post("/inbox/{delivery_id}/accept", response=InboxItem, summary="Tiếp nhận, cấp số đến")
def accept(request, delivery_id: int):
    # The action returns the locked row as written, with the document `get_delivery` read.
    return inbox_item_out(actions.accept_delivery(access.get_delivery(request.user, delivery_id), user=request.user))


@router.post("/inbox/{delivery_id}/reject", response=InboxItem, summary="Từ chối tiếp nhận")
def reject(request, delivery_id: int, payload: RejectIn):
    return inbox_item_out(actions.reject_delivery(access.get_delivery(request.user, delivery_id), user=request.user, reason=payload.reason))


class IncomingFilter(Schema):
    organization_id: int
    status_code: StatusCode | None = None
    source: Line(16) | None = None
    limit: int = 50
    offset: int = 0


@router.get("/incoming", response=InboxList, summary="Sổ văn bản đến")
def incoming(request, filters: Query[IncomingFilter]):
    org_id = _member_org_id(request.user, filters.organization_id)
    if not access.sees_all_of(request.user, org_id):
        qs = Delivery.objects.registered()
        if filters.status_code:
            qs = qs.filter(status_code=filters.status_code)
        if filters.source in ("electronic", "paper"):
            qs = qs.filter(source=filters.source)
        items, total = _narrow_rows(request.user, org_id, qs, filters.limit, filters.offset)
        return render_json(request, {"items": items, "count": total})
    # The incoming register, as DeliveryQuerySet.registered(): accepted records, electronic or paper.
    where = " AND d.status_code NOT IN (%s, %s) AND d.incoming_number IS NOT NULL"
    params: list = [StatusCode.ARRIVED.value, StatusCode.REJECTED.value]
    if filters.status_code:
        where += " AND d.status_code = %s"
        params.append(filters.status_code)
    if filters.source in ("electronic", "paper"):
        where += " AND d.source = %s"
        params.append(filters.source)
    items, total = _delivery_rows(org_id, where, params, filters.limit, filters.offset)
    return render_json(request, {"items": items, "count": total})


@router.post("/incoming/paper", response={201: InboxItem}, summary="Vào sổ văn bản giấy (bản quét PDF)")
def register_paper(
    request: HttpRequest,
    organization_id: Form[int],
    sender_name: Form[Line(255)],
    number_symbol: Form[Line(64)],
    issued_date: Form[date],
    doc_type: Form[Line(16)],
    subject: Form[Line(actions.MAX_SUBJECT)],
    file: File[UploadedFile],
    sender_code: Form[Line(35)] = "",
    urgency: Form[Line(16)] = "thuong",
    due_date: Form[date | None] = None,
    confidentiality: Form[Line(32)] = "thuong",
    # A likely duplicate (same sender, number and date) is refused (409 likely_duplicate) unless confirmed.
    confirm_duplicate: Form[bool] = False,
):
    org = _org_for(request.user, organization_id)
    d = actions.register_paper_document(
        user=request.user, organization=org, sender_name=sender_name, number_symbol=number_symbol,
        issued_date=issued_date, doc_type=doc_type, subject=subject, file=actions.Upload.of(file),
        sender_code=sender_code, urgency=urgency, due_date=due_date, confidentiality=confidentiality,
        confirm_duplicate=confirm_duplicate,
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
    # Streamed from the store (a local file or the bucket), never read whole into memory.
    resp = FileResponse(open_blob(stored.sha256), content_type=stored.content_type if is_pdf else "application/octet-stream")
    resp["Content-Length"] = str(stored.size)
    resp["Content-Disposition"] = f'inline; filename="{stored.sha256[:16]}.pdf"' if is_pdf else f'attachment; filename="{stored.sha256[:16]}.bin"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["X-Frame-Options"] = "SAMEORIGIN"  # the document page shows it in a frame; pages are DENY
    resp["Cache-Control"] = "private, max-age=3600"
    return resp


# --- delegation of signing -----------------------------------------------------------------------

class DelegationIn(Schema):
    organization_id: int
    deputy_id: int
    form: Line(8)
    starts_on: date
    ends_on: date
    position: Line(128) = ""
    reason: Text(NOTE_MAX) = ""


class DelegationOut(Schema):
    id: int
    organization_id: int
    delegator_id: int
    delegator_name: str
    deputy_id: int
    deputy_name: str
    form: str
    position: str
    starts_on: date
    ends_on: date
    reason: str
    revoked_at: datetime | None


class DelegationList(Schema):
    items: list[DelegationOut]
    count: int


def delegation_out(d) -> dict:
    return {"id": d.id, "organization_id": d.organization_id, "delegator_id": d.delegator_id,
            "delegator_name": d.delegator.get_full_name(), "deputy_id": d.deputy_id, "deputy_name": d.deputy.get_full_name(),
            "form": d.form, "position": d.position, "starts_on": d.starts_on, "ends_on": d.ends_on, "reason": d.reason,
            "revoked_at": d.revoked_at}


class DelegationFilter(Schema):
    organization_id: int
    limit: int = 50
    offset: int = 0


@router.get("/delegations", response=DelegationList, summary="Ủy quyền ký của một tổ chức")
def list_delegations(request, filters: Query[DelegationFilter]):
    limit, offset = _bounds(filters.limit, filters.offset)
    qs = access.delegations_of(request.user, filters.organization_id)
    return {"items": [delegation_out(d) for d in qs[offset:offset + limit]], "count": qs.count()}


@router.post("/delegations", response={201: DelegationOut}, summary="Lãnh đạo ủy quyền ký cho người khác trong một thời gian")
def create_delegation(request, payload: DelegationIn):
    org = _org_for(request.user, payload.organization_id)
    d = delegations.create_delegation(user=request.user, organization=org, deputy_id=payload.deputy_id, form=payload.form,
                                      starts_on=payload.starts_on, ends_on=payload.ends_on, reason=payload.reason,
                                      position=payload.position)
    return Status(201, delegation_out(access.get_delegation(request.user, d.id)))


@router.post("/delegations/{delegation_id}/revoke", response=DelegationOut, summary="Hủy ủy quyền ký")
def revoke_delegation(request, delegation_id: int):
    d = delegations.revoke_delegation(access.get_delegation(request.user, delegation_id), user=request.user)
    return delegation_out(access.get_delegation(request.user, d.id))
