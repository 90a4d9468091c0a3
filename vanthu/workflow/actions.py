"""Handling incoming documents: assign, start, complete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.calendar.workdays import add_working_days
from vanthu.documents import events
from vanthu.documents.access import visible_documents
from vanthu.documents.actions import Upload, lock_delivery, move_delivery
from vanthu.documents.models import Delivery, DocStatus, Document, StatusCode
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.storage import store_pdf
from vanthu.errors import InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.organizations.access import has_role, is_member
from vanthu.organizations.models import Membership, Role
from vanthu.rows import insert_rows
from vanthu.text import NOTE_MAX, clean_text

from .models import Assignee, Assignment, HandlerRole


def _members_of(org_id: int, user_ids: set[int]) -> dict[int, dict]:
    """The active members among `user_ids`, with what a handler's entry shows of them."""
    rows = (Membership.objects.filter(organization_id=org_id, user_id__in=user_ids, user__is_active=True)
            .values_list("user_id", "user__username", "user__full_name", "user__first_name", "user__last_name"))
    out = {}
    for uid, username, full_name, first, last in rows:
        # As User.get_full_name: the full name, else first and last, else the username.
        out[uid] = {"user_id": uid, "username": username,
                    "full_name": full_name or f"{first} {last}".strip() or username}
    return out


@transaction.atomic
def assign_handlers(
    delivery: Delivery, *, user, main_handler_id: int, co_handler_ids: Sequence[int] = (),
    informed_ids: Sequence[int] = (), deadline: date | None = None, note: str = "", working_days: int | None = None,
    share_note: bool = False,
) -> Assignment:
    """A leader of the recipient assigns a main handler, co-handlers and people informed (04).

    The deadline is a date, or `working_days` after the day the document was received (that day
    not counted: vanthu.calendar.workdays). The new assignment comes back with `handlers` set:
    the handlers' entries, main first.

    The note (the leader's instructions) is for the recipient's staff: the sender reads it only
    when `share_note`. The sender always reads who handles it (the main handler's name)."""
    if not is_member(user, delivery.recipient_id):
        raise NotFound(_("Không tìm thấy văn bản đến."), code="delivery_not_found")
    if not has_role(user, delivery.recipient_id, Role.LEADER):
        raise NotAllowed(_("Chỉ lãnh đạo đơn vị mới được phân công xử lý văn bản."), code="role_not_allowed")
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ý kiến chỉ đạo"))
    delivery = lock_delivery(delivery)
    co = [i for i in dict.fromkeys(co_handler_ids) if i != main_handler_id]
    informed = [i for i in dict.fromkeys(informed_ids) if i != main_handler_id and i not in co]
    everyone = {main_handler_id, *co, *informed}
    members = _members_of(delivery.recipient_id, everyone)
    strangers = sorted(everyone - set(members))
    if strangers:
        raise Unprocessable(_("Người được phân công phải thuộc đơn vị nhận văn bản."), code="unknown_handlers", details={"user_ids": strangers})
    if working_days is not None:
        deadline = _deadline_in_working_days(delivery, deadline, working_days)
    if deadline and deadline < timezone.localdate():
        raise Unprocessable(_("Hạn xử lý không thể trước hôm nay."), code="deadline_in_past", details={"field": "deadline"})
    now = timezone.now()
    # The deadline is saved with the status (it changes what counts as late: the statistics see both).
    move_delivery(delivery, StatusCode.ASSIGNED, user=user, note=note, at=now, note_private=not share_note,
                  changes={"deadline": deadline or delivery.document.due_date,
                           "handler_name": members[main_handler_id]["full_name"][:150]})
    Assignment.objects.filter(delivery=delivery, is_current=True).update(is_current=False)
    assignment = Assignment.objects.create(delivery=delivery, assigned_by=user, assigned_at=now, deadline=deadline, note=note,
                                           share_note=share_note)
    people = [(main_handler_id, HandlerRole.MAIN)] + [(i, HandlerRole.CO) for i in co] + [(i, HandlerRole.INFORMED) for i in informed]
    insert_rows(Assignee, ["assignment", "user", "role"], [(assignment.id, uid, role.value) for uid, role in people])
    assignment.delivery = delivery
    assignment.handlers = [{**members[uid], "role": role.value} for uid, role in people]
    events.assignment_changed.publish(assignment=assignment, delivery=delivery, user=user)
    record("delivery_assigned", actor=user, obj=delivery, data={"main": main_handler_id, "co": co, "informed": informed,
                                                                "deadline": deadline, "working_days": working_days,
                                                                "share_note": share_note})
    return assignment


def received_day(delivery: Delivery) -> date:
    """The day a document was received: accepted into the register (or arrived, if not yet)."""
    return timezone.localdate(delivery.accepted_at or delivery.arrived_at)


def _deadline_in_working_days(delivery: Delivery, deadline: date | None, working_days: int) -> date:
    if deadline is not None:
        raise Unprocessable(_("Chỉ nhập hạn xử lý hoặc số ngày làm việc, không nhập cả hai."), code="deadline_twice",
                            details={"field": "working_days"})
    if not 1 <= working_days <= 365:
        raise Unprocessable(_("Số ngày làm việc phải từ 1 đến 365."), code="invalid_working_days", details={"field": "working_days"})
    return add_working_days(received_day(delivery), working_days)


def current_assignment(delivery: Delivery) -> Assignment | None:
    return Assignment.objects.filter(delivery=delivery, is_current=True).prefetch_related("assignees__user").first()


def current_handlers(delivery_id: int) -> tuple[int | None, list[dict]]:
    """(the current assignment's id, its handlers' entries in the order assigned), in one statement."""
    qn = connection.ops.quote_name
    t_asg, t_who, t_user = (qn(m._meta.db_table) for m in (Assignment, Assignee, User))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT a.id, s.user_id, s.role, u.username, u.full_name, u.first_name, u.last_name FROM {t_asg} a"
            f" LEFT JOIN {t_who} s ON s.assignment_id = a.id LEFT JOIN {t_user} u ON u.id = s.user_id"
            f" WHERE a.delivery_id = %s AND a.is_current ORDER BY s.id", [delivery_id])
        rows = cur.fetchall()
    if not rows:
        return None, []
    handlers = [
        {"user_id": uid, "username": username, "full_name": full_name or f"{first} {last}".strip() or username, "role": role}
        for _aid, uid, role, username, full_name, first, last in rows if uid is not None
    ]
    return rows[0][0], handlers


def _require_main_handler(delivery: Delivery, user) -> tuple[int, list[dict]]:
    assignment_id, handlers = current_handlers(delivery.id)
    if assignment_id is None:
        raise InvalidState(_("Văn bản chưa được phân công xử lý."), code="not_assigned")
    if not any(h["user_id"] == user.id and h["role"] == HandlerRole.MAIN for h in handlers):
        raise NotAllowed(_("Chỉ người chủ trì xử lý mới được cập nhật tiến độ văn bản này."), code="not_main_handler")
    return assignment_id, handlers


@transaction.atomic
def start_handling(delivery: Delivery, *, user, note: str = "") -> Delivery:
    """The main handler starts (05). The delivery comes back with `handlers` set."""
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    delivery = lock_delivery(delivery)
    _aid, delivery.handlers = _require_main_handler(delivery, user)
    if delivery.status_code != StatusCode.ASSIGNED:
        raise InvalidState(_("Chỉ bắt đầu xử lý được văn bản vừa được phân công."), code="invalid_delivery_status", details={"status_code": delivery.status_code})
    move_delivery(delivery, StatusCode.IN_PROGRESS, user=user, note=note)
    record("handling_started", actor=user, obj=delivery)
    return delivery


def _reply_document(delivery: Delivery, user, reply_document_id: int) -> Document:
    """The answer must be an issued outgoing document of the recipient that this person may see."""
    reply = (visible_documents(user, document_id=reply_document_id).filter(issuer_id=delivery.recipient_id)
             .only("id", "status", "symbol", "subject").first())
    if reply is None:
        raise Unprocessable(_("Văn bản trả lời phải là văn bản đi của đơn vị nhận, mà bạn được xem."),
                            code="reply_document_not_found", details={"field": "reply_document_id"})
    if reply.status != DocStatus.ISSUED:
        raise Unprocessable(_("Văn bản trả lời phải là văn bản đã phát hành."), code="reply_document_not_issued",
                            details={"field": "reply_document_id"})
    return reply


def complete_handling(delivery: Delivery, *, user, note: str = "", reply_document_id: int | None = None,
                      reply_file: Upload | None = None) -> Delivery:
    """The main handler completes (06), with the answer when there is one: an outgoing document
    of the recipient (văn bản trả lời) and/or a PDF. The delivery comes back with `handlers` set."""
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Kết quả xử lý"))
    file_name = clean_text(reply_file.name, field="reply_file", max_length=255, label=_("Tên tệp trả lời")) if reply_file else ""
    # The file is read before the row is locked; its row is written in the transaction, so that a
    # refused completion leaves no StoredFile behind (the bytes under their hash are harmless).
    info = inspect_pdf(reply_file.data, file_name) if reply_file else None
    with transaction.atomic():
        delivery = lock_delivery(delivery)
        assignment_id, delivery.handlers = _require_main_handler(delivery, user)
        changes: dict = {}
        if reply_document_id is not None:
            changes["reply_document"] = _reply_document(delivery, user, reply_document_id)
        stored = store_pdf(reply_file.data, info) if reply_file and info else None
        if stored is not None:
            changes.update(reply_file=stored, reply_file_name=file_name)
        now = timezone.now()
        move_delivery(delivery, StatusCode.DONE, user=user, note=note, at=now, changes={"done_at": now, **changes})
        Assignment.objects.filter(id=assignment_id).update(completed_at=now, completion_note=note)
        record("handling_completed", actor=user, obj=delivery, data={
            "note": note, **({"reply_document": reply_document_id} if reply_document_id else {}),
            **({"reply_file": stored.sha256} if stored else {})})
    return delivery
