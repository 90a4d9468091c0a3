"""Directives and tasks in the API: record a directive with its tasks, follow them, report on them."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vanthu.errors import Unprocessable
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization
from vanthu.text import Line

from . import access, actions, followup
from .models import Directive, ExtensionRequest, ExtensionState, Report, Task, TaskState
from .schemas import (
    DecisionIn,
    DirectiveIn,
    DirectiveList,
    DirectiveOut,
    ExtensionIn,
    ExtensionOut,
    ReportOut,
    ReviewNoteIn,
    TaskDetail,
    TaskList,
    TaskReportIn,
)

router = Router(tags=["direction"])
MAX_OFFSET = 1_000_000


def org_ref(o: Organization) -> dict:
    return {"id": o.id, "code": o.code, "name": o.name, "short_name": o.short_name}


def task_out(t: Task, cooperating: list[int] | None = None) -> dict:
    if cooperating is None:
        cooperating = sorted(o.id for o in t.cooperating.all())
    return {"id": t.id, "directive_id": t.directive_id, "directive_title": t.directive.title, "organization": org_ref(t.organization),
            "cooperating_ids": cooperating, "content": t.content, "due": t.due, "cycle": t.cycle, "state": t.state,
            "state_label": str(TaskState(t.state).label), "extended": t.extended, "overdue": t.is_overdue(),
            "progress": t.progress, "last_report_at": t.last_report_at, "done_on": t.done_on}


def with_cooperating(qs):
    return qs.with_related().prefetch_related(Prefetch("cooperating", queryset=Organization.objects.only("id")))


def directive_out(d: Directive, user) -> dict:
    tasks = with_cooperating(Task.objects.filter(directive=d)).overdue_first()
    figures = followup.directive_figures([d.id]).get(d.id, followup.Figures())
    return {"id": d.id, "organization": org_ref(d.organization), "kind": d.kind, "title": d.title, "content": d.content,
            "leader_name": d.leader_name, "source_document_id": d.source_document_id, "issued_on": d.issued_on,
            "created_at": d.created_at, "task_count": d.task_count, "done_count": d.done_count, "overdue_count": figures.overdue,
            "tasks": [task_out(t) for t in tasks]}


def report_out(r: Report) -> dict:
    return {"id": r.id, "kind": r.kind, "kind_label": r.get_kind_display(), "progress": r.progress, "content": r.content,
            "document_id": r.document_id, "due_before": r.due_before, "due_after": r.due_after,
            "author_name": (r.author.get_full_name() or r.author.username) if r.author else _("qua liên thông"),
            "organization_id": r.organization_id,
            "created_at": r.created_at}


def extension_out(e: ExtensionRequest) -> dict:
    return {"id": e.id, "task_id": e.task_id, "requested_due": e.requested_due, "reason": e.reason, "state": e.state, "note": e.note}


def task_detail(t: Task) -> dict:
    reports = Report.objects.filter(task=t).select_related("author").order_by("created_at", "id")
    pending = ExtensionRequest.objects.filter(task=t, state=ExtensionState.PENDING).first()
    return {**task_out(t), "reports": [report_out(r) for r in reports],
            "pending_extension": extension_out(pending) if pending else None}


def _directing_org(user, org_id: int | None) -> Organization:
    if org_id is None:
        mine = [o for o in member_org_ids(user) if access.may_direct(user, o)]
        if len(mine) != 1:
            raise Unprocessable(_("Hãy chọn cơ quan chỉ đạo (organization_id)."), code="organization_required",
                                details={"field": "organization_id"})
        org_id = mine[0]
    access.require_directing_org(user, org_id)
    return Organization.objects.get(id=org_id)


@router.post("/directives", response={201: DirectiveOut}, summary="Ghi ý kiến chỉ đạo và giao nhiệm vụ")
def create_directive(request, payload: DirectiveIn):
    """A directive and its tasks, each for one organisation, with a deadline: a date (`due`) or a
    number of working days after the directive's date (`working_days`)."""
    org = _directing_org(request.user, payload.organization_id)
    specs = [actions.TaskSpec(organization_id=t.organization_id, content=t.content, due=t.due, working_days=t.working_days,
                              cycle=t.cycle, cooperating_ids=t.cooperating_ids) for t in payload.tasks]
    d = actions.create_directive(user=request.user, organization=org, title=payload.title, content=payload.content,
                                 tasks=specs, kind=payload.kind, leader_name=payload.leader_name,
                                 source_document_id=payload.source_document_id, issued_on=payload.issued_on)
    return Status(201, directive_out(d, request.user))


class DirectiveFilters(Schema):
    organization_id: int | None = None  # the directing organisation (a board)
    task_organization_id: int | None = None
    start: Line(10) | None = None
    end: Line(10) | None = None
    q: Line(200) = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/directives", response=DirectiveList, summary="Theo dõi ý kiến chỉ đạo (quá hạn trước)")
def list_directives(request, filters: Query[DirectiveFilters]):
    f = followup.Filters(board=filters.organization_id, organization=filters.task_organization_id, q=filters.q[:200],
                         start=_date(filters.start, "start"), end=_date(filters.end, "end"))
    qs = followup.directives(request.user, f)
    page = list(qs[filters.offset:filters.offset + filters.limit])
    figures = followup.directive_figures([d.id for d in page], organization=f.organization)
    items = []
    for d in page:
        fig = figures.get(d.id, followup.Figures())
        items.append({"id": d.id, "organization": org_ref(d.organization), "kind": d.kind, "title": d.title,
                      "issued_on": d.issued_on, "task_count": fig.total, "done_count": fig.done, "overdue_count": fig.overdue,
                      "progress": fig.progress, "open_due": d.open_due})
    return {"items": items, "count": qs.count()}


def _date(value: str | None, field: str):
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Unprocessable(_("Ngày không hợp lệ (YYYY-MM-DD)."), code="invalid_date", details={"field": field})
    return parsed


@router.get("/directives/{directive_id}", response=DirectiveOut, summary="Một ý kiến chỉ đạo và các nhiệm vụ")
def get_directive(request, directive_id: int):
    return directive_out(access.get_directive(request.user, directive_id), request.user)


class TaskFilters(Schema):
    organization_id: int | None = None  # the lead organisation
    directive_id: int | None = None
    state: Line(32) | None = None
    overdue: bool | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/tasks", response=TaskList, summary="Nhiệm vụ (lọc theo đơn vị, trạng thái, quá hạn)")
def list_tasks(request, filters: Query[TaskFilters]):
    """Tasks the person sees: of their organisations, and of the directives they follow."""
    qs = access.visible_tasks(request.user)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    if filters.directive_id is not None:
        qs = qs.filter(directive_id=filters.directive_id)
    if filters.state:
        if filters.state not in TaskState.values:
            raise Unprocessable(_("Trạng thái không hợp lệ."), code="invalid_state_filter",
                                details={"field": "state", "allowed": TaskState.values})
        qs = qs.filter(state=filters.state)
    today = timezone.localdate()
    if filters.overdue is True:
        qs = qs.overdue(today)
    elif filters.overdue is False:
        qs = qs.not_overdue(today)
    page = with_cooperating(qs.overdue_first())[filters.offset:filters.offset + filters.limit]
    return {"items": [task_out(t) for t in page], "count": qs.count()}


@router.get("/tasks/{task_id}", response=TaskDetail, summary="Một nhiệm vụ và các báo cáo")
def get_task(request, task_id: int):
    return task_detail(access.get_task(request.user, task_id))


@router.post("/tasks/{task_id}/accept", response=TaskDetail, summary="Đơn vị tiếp nhận nhiệm vụ")
def accept(request, task_id: int):
    return task_detail(actions.accept_task(access.get_task(request.user, task_id), user=request.user))


@router.post("/tasks/{task_id}/reports", response={201: ReportOut}, summary="Báo cáo tiến độ hoặc hoàn thành")
def report(request, task_id: int, payload: TaskReportIn):
    r = actions.report_progress(access.get_task(request.user, task_id), user=request.user, progress=payload.progress,
                                content=payload.content, done=payload.done, document_id=payload.document_id)
    return Status(201, report_out(r))


@router.post("/tasks/{task_id}/extension", response={201: ExtensionOut}, summary="Đề nghị gia hạn")
def ask_extension(request, task_id: int, payload: ExtensionIn):
    e = actions.ask_extension(access.get_task(request.user, task_id), user=request.user, due=payload.due, reason=payload.reason)
    return Status(201, extension_out(e))


@router.post("/tasks/{task_id}/extension/decision", response=ExtensionOut, summary="Đồng ý hoặc không đồng ý gia hạn")
def decide_extension(request, task_id: int, payload: DecisionIn):
    e = actions.decide_extension(access.get_task(request.user, task_id), user=request.user, grant=payload.grant,
                                 note=payload.note, due=payload.due)
    return extension_out(e)


@router.post("/tasks/{task_id}/confirm", response=TaskDetail, summary="Xác nhận hoàn thành")
def confirm(request, task_id: int, payload: ReviewNoteIn):
    return task_detail(actions.confirm_task(access.get_task(request.user, task_id), user=request.user, note=payload.note))


@router.post("/tasks/{task_id}/send-back", response=TaskDetail, summary="Trả lại, yêu cầu tiếp tục thực hiện")
def send_back(request, task_id: int, payload: ReviewNoteIn):
    return task_detail(actions.send_back(access.get_task(request.user, task_id), user=request.user, note=payload.note))

