"""The direction pages: the leader's follow-up, recording a directive, a directive, a task and its
actions, and an organisation's own tasks."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vanthu.documents.access import get_document
from vanthu.errors import VanThuError
from vanthu.organizations.access import member_org_ids, subtree_ids
from vanthu.organizations.models import Organization
from vanthu.organizations.session import current_org, needs_org
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors, paginate

from . import access, actions, exports, followup
from .forms import DecisionForm, DirectiveForm, ExtensionForm, FollowupFilterForm, ReportForm
from .models import ExtensionRequest, ExtensionState, Report, Task, TaskState

FOLLOWUP_PAGE = 50
NAV_LABEL = gettext_lazy("Chỉ đạo, điều hành")  # the main navigation's link (web/context.py) in this catalogue


def _filters(request: HttpRequest) -> tuple[FollowupFilterForm, followup.Filters]:
    boards = list(followup.boards(request.user))
    reach = subtree_ids({b.id for b in boards}) if boards else set()
    orgs = Organization.objects.filter(id__in=reach).only("id", "name").order_by("name")
    form = FollowupFilterForm(request.GET or None, boards=boards, organizations=orgs)
    f = followup.Filters()
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        f = followup.Filters(board=c["board"], organization=c["organization"], start=c["start"], end=c["end"], q=c["q"] or "")
    return form, f


def _select(field) -> tuple:
    """A filter's select and its options, the options' HTML made here in one pass: with 120
    organisations, a template loop over them was a third of the page's rendering."""
    chosen = str(field.value() or "")
    options = format_html_join("", "<option value=\"{}\"{}>{}</option>",
                               ((v, " selected" if str(v) == chosen else "", label) for v, label in field.field.choices))
    return field, options


def _subtitle(f: followup.Filters) -> str:
    parts = []
    if f.board:
        parts.append(Organization.objects.filter(id=f.board).values_list("name", flat=True).first() or "")
    if f.organization:
        parts.append(_("Đơn vị: %(o)s") % {"o": Organization.objects.filter(id=f.organization).values_list("name", flat=True).first()})
    if f.start or f.end:
        parts.append(_("Từ %(a)s đến %(b)s") % {"a": f.start.strftime("%d/%m/%Y") if f.start else "…",
                                                  "b": f.end.strftime("%d/%m/%Y") if f.end else "…"})
    parts.append(_("Số liệu đến %(d)s") % {"d": timezone.localdate().strftime("%d/%m/%Y")})
    return " · ".join(p for p in parts if p)


@login_required
def followup_page(request: HttpRequest) -> HttpResponse:
    """The leader's one screen: every directive followed, overdue first, or every organisation."""
    if not followup.boards(request.user).exists():
        if any(access.may_direct(request.user, o) for o in member_org_ids(request.user)):
            return redirect("direction:new")
        return redirect("direction:my_tasks")
    form, f = _filters(request)
    view = "organizations" if request.GET.get("view") == "organizations" else "directives"
    fmt = request.GET.get("format")
    if fmt in exports.WRITERS:
        table = (exports.organizations_table if view == "organizations" else exports.directives_table)(request.user, f, _subtitle(f))
        response = HttpResponse(exports.WRITERS[fmt](table), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="theo-doi-chi-dao-{timezone.localdate().isoformat()}.{fmt}"'
        return response
    query = urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", "format")])
    context = {"form": form, "view": view, "choice_fields": [_select(form[name]) for name in ("board", "organization")],
               "q": query, "today": timezone.localdate(),
               "may_direct": any(access.may_direct(request.user, o) for o in member_org_ids(request.user))}
    if view == "organizations":
        context["org_rows"] = followup.organization_rows(request.user, f)
    else:
        page = paginate(request, followup.directives(request.user, f), FOLLOWUP_PAGE)
        figures = followup.directive_figures([d.id for d in page], organization=f.organization)
        context["page"] = page
        context["rows"] = [(d, figures.get(d.id, followup.Figures())) for d in page]
    return render(request, "direction/followup.html", context)


@login_required
@page_errors
def new_directive(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    if org is None or not access.may_direct(request.user, org.id):
        return render(request, "direction/not_directing.html", status=403)
    targets = Organization.objects.active().filter(id__in=subtree_ids({org.id}) - {org.id}, at_peer=False).order_by("name")
    source = None
    asked = request.POST.get("source_document_id") or request.GET.get("document")
    if asked:
        # A directive recorded from a document (?document=<id>): one the person may see, or 404.
        source = get_document(request.user, int(asked)) if str(asked).isdigit() else None
        if source is None:
            raise Http404
    form = DirectiveForm(request.POST or None, organizations=targets,
                         initial={"source_document_id": source.id if source else None,
                                  "title": source.subject if source else ""})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        specs = [actions.TaskSpec(organization_id=o.id, content=c["task_content"], due=c["due"], working_days=c["working_days"],
                                  cycle=c["cycle"]) for o in c["organizations"]]
        try:
            d = actions.create_directive(user=request.user, organization=org, title=c["title"], content=c["content"],
                                         kind=c["kind"], leader_name=c["leader_name"], issued_on=c["issued_on"], tasks=specs,
                                         source_document_id=source.id if source else None)
        except VanThuError as exc:
            if str(exc.details.get("field", "")).startswith("tasks"):
                exc.details["field"] = "due" if "due" in exc.code or "working_days" in exc.code else "task_content"
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã giao %(n)s nhiệm vụ.") % {"n": len(specs)})
            return redirect("direction:directive", d.id)
    return render(request, "direction/new.html", {"form": form, "org": org, "source": source}, status=422 if form.errors else 200)


@login_required
@page_errors
def directive_page(request: HttpRequest, directive_id: int) -> HttpResponse:
    d = access.get_directive(request.user, directive_id)
    tasks = (Task.objects.filter(directive=d).with_related().overdue_first()
             .prefetch_related(Prefetch("cooperating", queryset=Organization.objects.only("id", "short_name", "name"))))
    figures = followup.directive_figures([d.id]).get(d.id, followup.Figures())
    return render(request, "direction/directive.html", {"directive": d, "tasks": tasks, "figures": figures,
                                                        "today": timezone.localdate()})


def _task_context(request: HttpRequest, task: Task, **forms) -> dict:
    user = request.user
    pending = ExtensionRequest.objects.filter(task=task, state=ExtensionState.PENDING).first()
    reporting = access.may_report(user, task) and task.state in (TaskState.ASSIGNED, TaskState.IN_PROGRESS)
    reviewing = access.may_review(user, task) and task.state == TaskState.REPORTED_DONE
    deciding = access.may_decide(user, task) and pending is not None
    return {
        "task": task, "today": timezone.localdate(), "pending": pending,
        "reports": Report.objects.filter(task=task).select_related("author", "organization", "document").order_by("created_at", "id"),
        "cooperating": task.cooperating.all(), "sees_directive": access.sees_directive(user, task.directive),
        "can_accept": reporting and task.state == TaskState.ASSIGNED,
        "report_form": forms.get("report_form") or (ReportForm(initial={"progress": task.progress}) if reporting else None),
        "extension_form": forms.get("extension_form") or (ExtensionForm() if reporting and pending is None else None),
        "can_review": reviewing, "decision_form": forms.get("decision_form") or (DecisionForm() if deciding else None),
    }


@login_required
@page_errors
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    return render(request, "direction/task.html", _task_context(request, access.get_task(request.user, task_id)))


def _act(request: HttpRequest, task_id: int, form_class, form_key: str, run, done_message: str) -> HttpResponse:
    """A task's action from its page: the form's errors and the action's come back on the page (422)."""
    task = access.get_task(request.user, task_id)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            run(task, form.cleaned_data if form else {})
        except VanThuError as exc:
            if form is None or exc.status in (403, 409):
                messages.error(request, exc.message)
                return redirect("direction:task", task.id)
            apply_error(form, exc)
        else:
            messages.success(request, done_message)
            return redirect("direction:task", task.id)
    return render(request, "direction/task.html", _task_context(request, task, **{form_key: form}), status=422)


@login_required
@require_POST
@page_errors
def accept(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, None, "", lambda t, c: actions.accept_task(t, user=request.user), _("Đã tiếp nhận nhiệm vụ."))


@login_required
@require_POST
@page_errors
def report(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, ReportForm, "report_form",
                lambda t, c: actions.report_progress(t, user=request.user, progress=c["progress"], content=c["content"], done=c["done"]),
                _("Đã gửi báo cáo."))


@login_required
@require_POST
@page_errors
def extension(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, ExtensionForm, "extension_form",
                lambda t, c: actions.ask_extension(t, user=request.user, due=c["due"], reason=c["reason"]),
                _("Đã gửi đề nghị gia hạn."))


@login_required
@require_POST
@page_errors
def decide(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, DecisionForm, "decision_form",
                lambda t, c: actions.decide_extension(t, user=request.user, grant=c["grant"], due=c["due"], note=c["note"]),
                _("Đã quyết định về đề nghị gia hạn."))


@login_required
@require_POST
@page_errors
def review(request: HttpRequest, task_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    if request.POST.get("decision") == "confirm":
        return _act(request, task_id, None, "", lambda t, c: actions.confirm_task(t, user=request.user, note=note),
                    _("Đã xác nhận hoàn thành."))
    return _act(request, task_id, None, "", lambda t, c: actions.send_back(t, user=request.user, note=note),
                _("Đã trả lại nhiệm vụ cho đơn vị."))


@login_required
@needs_org
def my_tasks(request: HttpRequest, org: Organization) -> HttpResponse:
    """The organisation's tasks: what is due this week first, then the rest open, then those done."""
    today = timezone.localdate()
    week_end = today + timedelta(days=6 - today.weekday())
    mine = Task.objects.filter(organization=org).with_related()
    state = request.GET.get("state", "")
    listed = mine.filter(state=state) if state in TaskState.values else mine
    return render(request, "direction/my_tasks.html", {
        "org": org, "today": today, "week_end": week_end, "state": state, "states": TaskState.choices,
        "this_week": mine.open().filter(due__lte=week_end).order_by("due", "id"),
        "page": paginate(request, listed.overdue_first()),
        "cooperating": Task.objects.filter(cooperating=org).open().with_related().order_by("due")[:50],
    })
