"""`{% handling_panel delivery %}`: who handles an incoming document, and the handling buttons.

A template tag, so that the document page (documents app, below workflow) shows the handling
without importing workflow."""

from __future__ import annotations

from django import template

from vanthu.documents.models import StatusCode
from vanthu.organizations.access import has_role
from vanthu.organizations.models import Role

from ..actions import current_assignment
from ..forms import CompleteForm
from ..models import HandlerRole
from ..views import reply_choices

register = template.Library()

ASSIGNABLE = (StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS)


@register.inclusion_tag("workflow/_handling.html", takes_context=True)
def handling_panel(context, delivery) -> dict:
    user = context["request"].user
    assignment = current_assignment(delivery)
    assignees = list(assignment.assignees.all()) if assignment else []
    is_main = any(a.user_id == user.id and a.role == HandlerRole.MAIN for a in assignees)
    can_complete = is_main and delivery.status_code in (StatusCode.ASSIGNED, StatusCode.IN_PROGRESS)
    return {
        "d": delivery, "assignment": assignment, "assignees": assignees,
        "can_assign": delivery.status_code in ASSIGNABLE and has_role(user, delivery.recipient_id, Role.LEADER),
        "can_start": is_main and delivery.status_code == StatusCode.ASSIGNED,
        "can_complete": can_complete,
        "complete_form": CompleteForm(replies=reply_choices(user, delivery), auto_id=f"c{delivery.id}_%s") if can_complete else None,
        "csrf_token": context.get("csrf_token"),
    }
