"""Assigning incoming documents, and my assignments: start, complete with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.documents import access
from vanthu.documents.actions import Upload
from vanthu.documents.models import Delivery, DocStatus
from vanthu.documents.storage import open_blob
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
            "deadline": current.deadline, "note": current.note, "share_note": current.share_note,
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
                share_note=f["share_note"],
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


def reply_choices(user, delivery) -> list[tuple[int, str]]:
    """The recipient's issued outgoing documents this person may see, newest first: the answers
    the completion form offers (the action checks the one chosen again)."""
    docs = (access.visible_documents(user).filter(issuer_id=delivery.recipient_id, status=DocStatus.ISSUED)
            .order_by("-issued_at", "-id").values_list("id", "symbol", "subject")[:REPLY_CHOICES])
    return [(i, f"{symbol} — {subject[:80]}") for i, symbol, subject in docs]


REPLY_CHOICES = 100


@login_required
@page_errors
def complete(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The result and a confirmation, then 06 (with the reply document or file, if given). Without
    either (or with a result the text rule refuses), the confirm page, with what was typed kept and
    the reason next to the field (a chosen file must be chosen again: browsers never keep one)."""
    d = access.get_delivery(request.user, delivery_id)
    form = CompleteForm(request.POST if request.method == "POST" else None, request.FILES or None,
                        replies=reply_choices(request.user, d))
    if not form.is_valid():
        return render(request, "workflow/complete.html", {"d": d, "form": form, "next": request.POST.get("next", "")})
    f = form.cleaned_data

    def run(d):
        return actions.complete_handling(d, user=request.user, note=f["note"], reply_document_id=f["reply_document"],
                                         reply_file=Upload.of(f["reply_file"], field="reply_file"))
    return _handle(request, delivery_id, run, _("Đã báo cáo hoàn thành xử lý."))


def reply_file_response(user, delivery_id: int) -> FileResponse:
    """The reply file of an incoming record, for whoever may see the record (its recipient, its sender)."""
    row = Delivery.objects.filter(id=delivery_id).values_list("document_id", flat=True).first()
    if row is None:
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    # Not found and not allowed look alike: the document first, then this delivery among those the person sees.
    d = access.visible_deliveries(user, access.get_document(user, row)).filter(id=delivery_id).first()
    if d is None or not d.reply_file_id:
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    resp = FileResponse(open_blob(d.reply_file_id), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{d.reply_file_id[:16]}.pdf"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
@page_errors
def reply_file(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return reply_file_response(request.user, delivery_id)
