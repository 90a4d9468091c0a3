"""Assigning incoming documents, and my assignments: start, complete with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.documents import access
from vanthu.errors import NotAllowed, NotFound, VanThuError
from vanthu.organizations.access import has_role
from vanthu.organizations.models import Membership, Role
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import back_to, flash_error, page_errors, paginate

from . import actions
from .forms import AssignForm, CompleteForm
from .models import Assignee, HandlerRole


def _people(org_id: int) -> list[tuple[int, str]]:
    """Everyone in the organisation, once each, with their roles (one query)."""
    people: dict[int, tuple[str, list[str]]] = {}
    rows = Membership.objects.filter(organization_id=org_id, user__is_active=True).select_related("user").order_by("user__full_name", "user__username")
    for m in rows:
        name, roles = people.setdefault(m.user_id, (m.user.get_full_name(), []))
        roles.append(str(m.get_role_display()))
    return [(uid, f"{name} ({', '.join(roles)})") for uid, (name, roles) in people.items()]


@login_required
@page_errors
def assign(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """A leader of the recipient assigns the main handler, co-handlers, people informed, deadline."""
    d = access.get_delivery(request.user, delivery_id)
    if not has_role(request.user, d.recipient_id, Role.LEADER):
        raise NotAllowed(_("Chỉ lãnh đạo đơn vị mới được phân công xử lý văn bản."))
    current = actions.current_assignment(d)
    initial = {}
    if current:
        assignees = list(current.assignees.all())
        initial = {
            "main_handler": next((a.user_id for a in assignees if a.role == HandlerRole.MAIN), None),
            "co_handlers": [a.user_id for a in assignees if a.role == HandlerRole.CO],
            "informed": [a.user_id for a in assignees if a.role == HandlerRole.INFORMED],
            "deadline": current.deadline, "note": current.note,
        }
    elif d.document.due_date:
        initial = {"deadline": d.document.due_date}
    form = AssignForm(request.POST or None, initial=initial, people=_people(d.recipient_id))
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        try:
            actions.assign_handlers(
                d, user=request.user, main_handler_id=f["main_handler"], co_handler_ids=f["co_handlers"],
                informed_ids=f["informed"], deadline=f["deadline"], note=f["note"], working_days=f["working_days"],
            )
        except (NotFound, NotAllowed):
            raise
        except VanThuError as exc:
            if "user_ids" in exc.details:
                exc.details.setdefault("field", "main_handler")
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã phân công xử lý văn bản."))
            return redirect("documents:document", d.document_id)
    return render(request, "workflow/assign.html", {"d": d, "form": form, "received": actions.received_day(d)})


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    """What I was given to handle, the overdue first, then by deadline."""
    page = paginate(request, Assignee.objects.open_for(request.user))
    return render(request, "workflow/assignments.html", {"page": page, "complete_form": CompleteForm()})


def _handle(request: HttpRequest, delivery_id: int, run, success: str) -> HttpResponse:
    d = access.get_delivery(request.user, delivery_id)
    try:
        run(d)
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, success)
    return back_to(request, f"/documents/{d.document_id}/")


@login_required
@require_POST
@page_errors
def start(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return _handle(request, delivery_id, lambda d: actions.start_handling(d, user=request.user), _("Đã bắt đầu xử lý."))


@login_required
@page_errors
def complete(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The result and a confirmation, then 06. Without either (or with a result the text rule
    refuses), the confirm page, with what was typed kept and the reason next to the field."""
    form = CompleteForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        d = access.get_delivery(request.user, delivery_id)
        return render(request, "workflow/complete.html", {"d": d, "form": form, "next": request.POST.get("next", "")})
    note = form.cleaned_data["note"]
    return _handle(request, delivery_id, lambda d: actions.complete_handling(d, user=request.user, note=note),
                   _("Đã báo cáo hoàn thành xử lý."))
