"""Handling incoming documents: assign, start, complete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.actions import move_delivery
from vanthu.documents.models import Delivery, StatusCode
from vanthu.errors import InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.organizations.access import has_role, is_member
from vanthu.organizations.models import Membership, Role

from .models import Assignee, Assignment, HandlerRole


def _members_of(org_id: int, user_ids: set[int]) -> set[int]:
    return set(Membership.objects.filter(organization_id=org_id, user_id__in=user_ids, user__is_active=True).values_list("user_id", flat=True))


@transaction.atomic
def assign_handlers(
    delivery: Delivery, *, user, main_handler_id: int, co_handler_ids: Sequence[int] = (),
    informed_ids: Sequence[int] = (), deadline: date | None = None, note: str = "",
) -> Assignment:
    """A leader of the recipient assigns a main handler, co-handlers and people informed (04)."""
    if not is_member(user, delivery.recipient_id):
        raise NotFound(_("Không tìm thấy văn bản đến."), code="delivery_not_found")
    if not has_role(user, delivery.recipient_id, Role.LEADER):
        raise NotAllowed(_("Chỉ lãnh đạo đơn vị mới được phân công xử lý văn bản."), code="role_not_allowed")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    co = [i for i in dict.fromkeys(co_handler_ids) if i != main_handler_id]
    informed = [i for i in dict.fromkeys(informed_ids) if i != main_handler_id and i not in co]
    everyone = {main_handler_id, *co, *informed}
    strangers = sorted(everyone - _members_of(delivery.recipient_id, everyone))
    if strangers:
        raise Unprocessable(_("Người được phân công phải thuộc đơn vị nhận văn bản."), code="unknown_handlers", details={"user_ids": strangers})
    if deadline and deadline < timezone.localdate():
        raise Unprocessable(_("Hạn xử lý không thể trước hôm nay."), code="deadline_in_past", details={"field": "deadline"})
    now = timezone.now()
    move_delivery(delivery, StatusCode.ASSIGNED, user=user, note=note, at=now)
    Assignment.objects.filter(delivery=delivery, is_current=True).update(is_current=False)
    assignment = Assignment.objects.create(delivery=delivery, assigned_by=user, assigned_at=now, deadline=deadline, note=note)
    Assignee.objects.bulk_create(
        [Assignee(assignment=assignment, user_id=main_handler_id, role=HandlerRole.MAIN)]
        + [Assignee(assignment=assignment, user_id=i, role=HandlerRole.CO) for i in co]
        + [Assignee(assignment=assignment, user_id=i, role=HandlerRole.INFORMED) for i in informed]
    )
    delivery.deadline = deadline or delivery.document.due_date
    delivery.save(update_fields=["deadline"])
    from vanthu.reports import aggregates  # the deadline changes what counts as late

    aggregates.deliveries_changed([delivery])
    record("delivery_assigned", actor=user, obj=delivery, data={"main": main_handler_id, "co": co, "informed": informed, "deadline": deadline})
    return assignment


def current_assignment(delivery: Delivery) -> Assignment | None:
    return Assignment.objects.filter(delivery=delivery, is_current=True).prefetch_related("assignees__user").first()


def _require_main_handler(delivery: Delivery, user) -> Assignment:
    assignment = current_assignment(delivery)
    if assignment is None:
        raise InvalidState(_("Văn bản chưa được phân công xử lý."), code="not_assigned")
    if not any(a.user_id == user.id and a.role == HandlerRole.MAIN for a in assignment.assignees.all()):
        raise NotAllowed(_("Chỉ người chủ trì xử lý mới được cập nhật tiến độ văn bản này."), code="not_main_handler")
    return assignment


@transaction.atomic
def start_handling(delivery: Delivery, *, user, note: str = "") -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    _require_main_handler(delivery, user)
    if delivery.status_code != StatusCode.ASSIGNED:
        raise InvalidState(_("Chỉ bắt đầu xử lý được văn bản vừa được phân công."), code="invalid_delivery_status", details={"status_code": delivery.status_code})
    move_delivery(delivery, StatusCode.IN_PROGRESS, user=user, note=note)
    record("handling_started", actor=user, obj=delivery)
    return delivery


@transaction.atomic
def complete_handling(delivery: Delivery, *, user, note: str = "") -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    assignment = _require_main_handler(delivery, user)
    now = timezone.now()
    move_delivery(delivery, StatusCode.DONE, user=user, note=note, at=now)
    delivery.done_at = now
    delivery.save(update_fields=["done_at"])
    assignment.completed_at = now
    assignment.completion_note = note
    assignment.save(update_fields=["completed_at", "completion_note"])
    record("handling_completed", actor=user, obj=delivery, data={"note": note})
    return delivery
