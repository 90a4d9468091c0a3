from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from vanthu.documents import access
from vanthu.documents import api as doc_api
from vanthu.documents.actions import Upload
from vanthu.documents.api import brief_out
from vanthu.documents.models import Delivery, StatusCode
from vanthu.documents.schemas import DocumentBrief
from vanthu.text import NOTE_MAX, Text

from . import actions
from .models import Assignee, Assignment, HandlerRole
from .views import reply_file_response

router = Router(tags=["workflow"])


class AssignIn(Schema):
    main_handler_id: int
    co_handler_ids: list[int] = []
    informed_ids: list[int] = []
    deadline: date | None = None
    # Instead of a date: the deadline is this many working days after the day received.
    working_days: int | None = None
    note: Text(NOTE_MAX) = ""
    # The leader's instructions are private to the recipient unless shared with the sender.
    share_note: bool = False


class CompleteIn(Schema):
    note: Text(NOTE_MAX) = ""
    # The answer: an issued outgoing document of the recipient (văn bản trả lời).
    reply_document_id: int | None = None


class ReplyDocumentOut(Schema):
    id: int
    symbol: str
    subject: str


class ReplyFileOut(Schema):
    name: str
    url: str


class HandlerOut(Schema):
    user_id: int
    username: str
    full_name: str
    role: str


class IncomingRecordOut(Schema):
    id: int
    status_code: str
    status_label: str
    incoming_number: int | None
    deadline: date | None
    handlers: list[HandlerOut]
    reply_document: ReplyDocumentOut | None = None
    reply_file: ReplyFileOut | None = None
    document: DocumentBrief



def record_out(delivery, handlers: list[dict] | None = None) -> dict:
    """An incoming record with its handlers (read here unless the action already has them)."""
    if handlers is None:
        _aid, handlers = actions.current_handlers(delivery.id)
    return {
        "id": delivery.id, "status_code": delivery.status_code, "status_label": delivery.status_label,
        "incoming_number": delivery.incoming_number, "deadline": delivery.deadline, "handlers": handlers,
        **doc_api.reply_out(delivery, document_visible=True),
        "document": brief_out(delivery.document),
    }


# The actions return the locked row as written, with its document as read by `get_delivery`
# and the handlers they checked or created: the answer is built from those, not read again.
@router.post("/incoming/{delivery_id}/assign", response=IncomingRecordOut, summary="Lãnh đạo phân công xử lý")
def assign(request, delivery_id: int, payload: AssignIn):
    d = access.get_delivery(request.user, delivery_id)
    assignment = actions.assign_handlers(
        d, user=request.user, main_handler_id=payload.main_handler_id, co_handler_ids=payload.co_handler_ids,
        informed_ids=payload.informed_ids, deadline=payload.deadline, note=payload.note, working_days=payload.working_days,
        share_note=payload.share_note,
    )
    return record_out(assignment.delivery, assignment.handlers)


@router.post("/incoming/{delivery_id}/start", response=IncomingRecordOut, summary="Bắt đầu xử lý")
def start(request, delivery_id: int):
    d = actions.start_handling(access.get_delivery(request.user, delivery_id), user=request.user)
    return record_out(d, d.handlers)


@router.post("/incoming/{delivery_id}/complete", response=IncomingRecordOut, summary="Hoàn thành xử lý")
def complete(request, delivery_id: int, payload: CompleteIn):
    d = actions.complete_handling(access.get_delivery(request.user, delivery_id), user=request.user, note=payload.note,
                                  reply_document_id=payload.reply_document_id)
    return record_out(d, d.handlers)


@router.post("/incoming/{delivery_id}/complete-with-file", response=IncomingRecordOut,
             summary="Hoàn thành xử lý, kèm tệp trả lời (multipart)")
def complete_with_file(request, delivery_id: int, reply_file: File[UploadedFile], note: Form[Text(NOTE_MAX)] = "",
                       reply_document_id: Form[int | None] = None):
    """As /complete, with the reply as a PDF (and, if there is one, the reply document too)."""
    d = access.get_delivery(request.user, delivery_id)
    d = actions.complete_handling(d, user=request.user, note=note, reply_document_id=reply_document_id,
                                  reply_file=Upload.of(reply_file, field="reply_file"))
    return record_out(d, d.handlers)


@router.get("/incoming/{delivery_id}/reply-file", summary="Tải tệp trả lời của văn bản đến", response={200: None})
def download_reply_file(request, delivery_id: int):
    """The reply file, for the recipient and the sender alike (the page's link serves the same)."""
    return reply_file_response(request.user, delivery_id)


class AssignmentItem(Schema):
    delivery_id: int
    role: str
    status_code: str
    deadline: date | None
    overdue: bool
    document: DocumentBrief


class AssignmentList(Schema):
    items: list[AssignmentItem]
    count: int


# A specialist's most requested list: read with one plain statement and serialised from the rows
# (as the inbox in vanthu/documents/api.py), the same items the models gave through brief_out.
_MINE_COLUMNS = "s.role, a.delivery_id, d.status_code, a.deadline, " + doc_api.BRIEF_COLUMNS
MINE_LIMIT = 500


def _mine_sql() -> str:
    qn = connection.ops.quote_name
    asg, who = qn(Assignment._meta.db_table), qn(Assignee._meta.db_table)
    # Open ones by deadline, those without one last (NULLS LAST, written so SQLite reads it too).
    return (
        f"SELECT {_MINE_COLUMNS} FROM {who} s JOIN {asg} a ON a.id = s.assignment_id"
        f" JOIN {qn(Delivery._meta.db_table)} d ON d.id = a.delivery_id{doc_api.brief_joins()}"
        f" WHERE s.user_id = %s AND a.is_current AND d.status_code IN (%s, %s)"
        f" ORDER BY CASE WHEN a.deadline IS NULL THEN 1 ELSE 0 END, a.deadline, a.assigned_at, s.id LIMIT %s"
    )


@router.get("/assignments/mine", response=AssignmentList, summary="Văn bản tôi được giao xử lý")
def my_assignments(request):
    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute(_mine_sql(), [request.user.id, StatusCode.ASSIGNED.value, StatusCode.IN_PROGRESS.value, MINE_LIMIT])
        rows = cur.fetchall()
    items = []
    for role, delivery_id, code, deadline, *brief in rows:
        if isinstance(deadline, str):
            deadline = parse_date(deadline)
        items.append({
            "delivery_id": delivery_id, "role": role, "status_code": code, "deadline": doc_api.json_day(deadline),
            # Those told for information (để biết) have nothing to deliver: never overdue.
            "overdue": bool(deadline and deadline < today and role != HandlerRole.INFORMED), "document": doc_api.brief_from_row(*brief),
        })
    return doc_api.render_json(request, {"items": items, "count": len(items)})
