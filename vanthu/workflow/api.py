from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from vanthu.documents import access
from vanthu.documents.api import brief_out
from vanthu.documents.schemas import DocumentBrief

from . import actions
from .models import Assignee

router = Router(tags=["workflow"])


class AssignIn(Schema):
    main_handler_id: int
    co_handler_ids: list[int] = []
    informed_ids: list[int] = []
    deadline: date | None = None
    note: str = ""


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
    document: DocumentBrief


class NoteIn(Schema):
    note: str = ""


def record_out(delivery, handlers: list[dict] | None = None) -> dict:
    """An incoming record with its handlers (read here unless the action already has them)."""
    if handlers is None:
        _aid, handlers = actions.current_handlers(delivery.id)
    return {
        "id": delivery.id, "status_code": delivery.status_code, "status_label": delivery.status_label,
        "incoming_number": delivery.incoming_number, "deadline": delivery.deadline, "handlers": handlers,
        "document": brief_out(delivery.document),
    }


# The actions return the locked row as written, with its document as read by `get_delivery`
# and the handlers they checked or created: the answer is built from those, not read again.
@router.post("/incoming/{delivery_id}/assign", response=IncomingRecordOut, summary="Lãnh đạo phân công xử lý")
def assign(request, delivery_id: int, payload: AssignIn):
    d = access.get_delivery(request.user, delivery_id)
    assignment = actions.assign_handlers(
        d, user=request.user, main_handler_id=payload.main_handler_id, co_handler_ids=payload.co_handler_ids,
        informed_ids=payload.informed_ids, deadline=payload.deadline, note=payload.note,
    )
    return record_out(assignment.delivery, assignment.handlers)


@router.post("/incoming/{delivery_id}/start", response=IncomingRecordOut, summary="Bắt đầu xử lý")
def start(request, delivery_id: int):
    d = actions.start_handling(access.get_delivery(request.user, delivery_id), user=request.user)
    return record_out(d, d.handlers)


@router.post("/incoming/{delivery_id}/complete", response=IncomingRecordOut, summary="Hoàn thành xử lý")
def complete(request, delivery_id: int, payload: NoteIn):
    d = actions.complete_handling(access.get_delivery(request.user, delivery_id), user=request.user, note=payload.note)
    return record_out(d, d.handlers)


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


@router.get("/assignments/mine", response=AssignmentList, summary="Văn bản tôi được giao xử lý")
def my_assignments(request):
    from django.utils import timezone

    today = timezone.localdate()
    rows = list(Assignee.objects.open_for(request.user)[:500])
    items = [
        {"delivery_id": a.assignment.delivery_id, "role": a.role, "status_code": a.assignment.delivery.status_code,
         "deadline": a.assignment.deadline, "overdue": bool(a.assignment.deadline and a.assignment.deadline < today),
         "document": brief_out(a.assignment.delivery.document)}
        for a in rows
    ]
    return {"items": items, "count": len(items)}
