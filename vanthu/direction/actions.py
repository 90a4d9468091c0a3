"""Every change to directives and tasks: one transaction each, audited, the people concerned told.

Each action on a task locks its directive first, then the task: the directive's figures (models.py)
are recomputed after the change from committed rows only, whatever else runs at the same time;
then the figures of the directive's board for the task's organisation move by the task's change
(tallies.py, which locks their row last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.calendar.workdays import add_working_days
from vanthu.documents.access import get_document
from vanthu.errors import InvalidState, Unprocessable
from vanthu.organizations.access import subtree_ids
from vanthu.organizations.models import Organization
from vanthu.text import NOTE_MAX, clean_text

from . import access, notices, tallies
from .models import (
    OPEN_STATES,
    Cycle,
    Directive,
    DirectiveKind,
    ExtensionRequest,
    ExtensionState,
    Report,
    ReportKind,
    Task,
    TaskState,
)

TITLE_MAX = 500
CONTENT_MAX = 20000
MAX_WORKING_DAYS = 750  # about three years
MAX_TASKS = 500


@dataclass
class TaskSpec:
    organization_id: int
    content: str
    due: date | None = None
    working_days: int | None = None
    cycle: str = Cycle.ONCE
    cooperating_ids: Sequence[int] = field(default_factory=list)


# --- checks ---------------------------------------------------------------------------------------

def _bad(message: str, code: str, **details) -> Unprocessable:
    return Unprocessable(message, code=code, details=details)


def _due_of(spec: TaskSpec, start: date, index: int) -> date:
    where = f"tasks.{index}"
    if spec.due is not None and spec.working_days is not None:
        raise _bad(_("Nhiệm vụ %(n)s: chỉ ghi hạn là một ngày hoặc một số ngày làm việc, không cả hai.") % {"n": index + 1},
                   "due_ambiguous", field=where)
    if spec.working_days is not None:
        if not 1 <= spec.working_days <= MAX_WORKING_DAYS:
            raise _bad(_("Nhiệm vụ %(n)s: số ngày làm việc phải từ 1 đến %(max)s.") % {"n": index + 1, "max": MAX_WORKING_DAYS},
                       "invalid_working_days", field=f"{where}.working_days")
        try:
            return add_working_days(start, spec.working_days)
        except ValueError:
            raise _bad(_("Nhiệm vụ %(n)s: hạn vượt quá lịch làm việc.") % {"n": index + 1}, "due_out_of_range",
                       field=f"{where}.working_days") from None
    if spec.due is None:
        raise _bad(_("Nhiệm vụ %(n)s: chưa có hạn hoàn thành (ngày, hoặc số ngày làm việc).") % {"n": index + 1},
                   "due_required", field=f"{where}.due")
    if spec.due < start:
        raise _bad(_("Nhiệm vụ %(n)s: hạn hoàn thành không được trước ngày chỉ đạo.") % {"n": index + 1},
                   "due_in_past", field=f"{where}.due")
    return spec.due


def _check_targets(directing: Organization, specs: Sequence[TaskSpec], source=None) -> dict[int, Organization]:
    """The organisations tasks go to: active, under the directing organisation, each once; an
    organisation at a peer installation only with a source document addressed to it (peer.py)."""
    wanted = [s.organization_id for s in specs]
    if len(set(wanted)) != len(wanted):
        raise _bad(_("Mỗi đơn vị chỉ nhận một nhiệm vụ trong một ý kiến chỉ đạo; hãy gộp nội dung."), "duplicate_organization",
                   field="tasks")
    every = set(wanted) | {o for s in specs for o in s.cooperating_ids}
    reach = subtree_ids({directing.id})
    found = {o.id: o for o in Organization.objects.active().filter(id__in=every & reach, at_peer=False)}
    peers = {o.id: o for o in Organization.objects.active().filter(id__in=every - set(found), at_peer=True)}
    unknown = sorted(every - set(found) - set(peers))
    if unknown:
        raise _bad(_("Đơn vị không tồn tại hoặc không thuộc phạm vi chỉ đạo của %(org)s: %(ids)s.")
                   % {"org": directing.name, "ids": ", ".join(map(str, unknown))}, "unknown_organization",
                   organization_ids=unknown)
    addressed = set(source.recipients.values_list("id", flat=True)) if source is not None else set()
    unsent = sorted(set(peers) - addressed)
    if unsent:
        raise _bad(_("Nhiệm vụ cho đơn vị thuộc hệ thống liên thông khác phải đi cùng văn bản gửi đơn vị đó: "
                     "hãy chọn văn bản nguồn có nơi nhận là đơn vị này."), "peer_organization", organization_ids=unsent)
    return found | peers


# --- the directing side -------------------------------------------------------------------------

def create_directive(*, user, organization: Organization, title: str, content: str = "", tasks: Sequence[TaskSpec],
                     kind: str = DirectiveKind.DIRECTIVE, leader_name: str = "", source_document_id: int | None = None,
                     issued_on: date | None = None) -> Directive:
    """A leader (or the office on a leader's behalf) records a directive and its tasks for organisations."""
    access.require_directing_org(user, organization.id)
    title = clean_text(title, field="title", max_length=TITLE_MAX, label=_("Trích yếu"))
    if not title:
        raise _bad(_("Chưa nhập trích yếu ý kiến chỉ đạo."), "title_required", field="title")
    content = clean_text(content, field="content", max_length=CONTENT_MAX, multiline=True, label=_("Nội dung"))
    leader_name = clean_text(leader_name, field="leader_name", max_length=128, label=_("Lãnh đạo chỉ đạo"))
    if kind not in DirectiveKind.values:
        raise _bad(_("Loại ý kiến chỉ đạo không hợp lệ."), "invalid_kind", field="kind")
    if len(tasks) > MAX_TASKS:
        raise _bad(_("Một ý kiến chỉ đạo có tối đa %(n)s nhiệm vụ.") % {"n": MAX_TASKS}, "too_many_tasks", field="tasks")
    source = get_document(user, source_document_id) if source_document_id is not None else None
    issued_on = issued_on or timezone.localdate()
    targets = _check_targets(organization, tasks, source)
    rows = []
    for i, spec in enumerate(tasks):
        text = clean_text(spec.content, field=f"tasks.{i}.content", max_length=CONTENT_MAX, multiline=True,
                          label=_("Nội dung nhiệm vụ %(n)s") % {"n": i + 1})
        if not text:
            raise _bad(_("Nhiệm vụ %(n)s: chưa nhập nội dung.") % {"n": i + 1}, "content_required", field=f"tasks.{i}.content")
        if spec.cycle not in Cycle.values:
            raise _bad(_("Chế độ báo cáo không hợp lệ."), "invalid_cycle", field=f"tasks.{i}.cycle")
        rows.append((spec, text, _due_of(spec, issued_on, i)))
    with transaction.atomic():
        directive = Directive.objects.create(organization=organization, kind=kind, title=title, content=content,
                                             leader_name=leader_name, source_document=source, issued_on=issued_on,
                                             created_by=user)
        made = Task.objects.bulk_create([
            Task(directive=directive, organization=targets[spec.organization_id], content=text, due=due, cycle=spec.cycle)
            for spec, text, due in rows])
        links = [Task.cooperating.through(task_id=t.id, organization_id=o)
                 for t, (spec, _t, _d) in zip(made, rows, strict=True) for o in sorted(set(spec.cooperating_ids))
                 if o != spec.organization_id]
        Task.cooperating.through.objects.bulk_create(links)
        refresh_figures(directive)
        tallies.move([], [tallies.share_of(organization.id, t.organization_id, t.state, t.due, t.progress, None, None)
                          for t in made])
        record("directive_created", actor=user, obj=directive, data={
            "title": title, "organization": organization.id,
            "tasks": [{"id": t.id, "organization": t.organization_id, "due": t.due} for t in made]})
        notices.tasks_assigned(directive, made, user=user)
    directive.created_tasks = made
    return directive


def refresh_figures(directive: Directive) -> None:
    """The directive's figures from its tasks (the caller holds the directive's lock, or just made it)."""
    figures = Task.objects.filter(directive_id=directive.pk).aggregate(
        total=Count("id"), done=Count("id", filter=Q(state=TaskState.DONE)),
        open_due=Min("due", filter=Q(state__in=OPEN_STATES)))
    directive.task_count, directive.done_count, directive.open_due = figures["total"], figures["done"], figures["open_due"]
    Directive.objects.filter(pk=directive.pk).update(task_count=figures["total"], done_count=figures["done"],
                                                     open_due=figures["open_due"])


def _refresh(task: Task, was: tallies.Share) -> None:
    """After a change to the task: its directive's figures, and its board's for its organisation."""
    refresh_figures(task.directive)
    tallies.move([was], [tallies.share(task)])


def _locked(task: Task) -> Task:
    """Lock the directive, then the task (always in this order), and read the task afresh."""
    Directive.objects.select_for_update().filter(pk=task.directive_id).values_list("id", flat=True).first()
    return Task.objects.select_for_update(of=("self",)).select_related("directive__organization", "organization").get(pk=task.pk)


def _require_state(task: Task, *states: str, message: str) -> None:
    if task.state not in states:
        raise InvalidState(message, code="invalid_task_state", details={"state": task.state})


def _note(text: str, *, field: str, label: str, required: bool = False) -> str:
    text = clean_text(text, field=field, max_length=NOTE_MAX, multiline=True, label=label)
    if required and not text:
        raise _bad(_("%(label)s: chưa nhập.") % {"label": label}, f"{field}_required", field=field)
    return text


def _entry(task: Task, kind: str, *, user, org_id: int, **values) -> Report:
    return Report.objects.create(task=task, kind=kind, author=user, organization_id=org_id, **values)


def confirm_task(task: Task, *, user, note: str = "") -> Task:
    """The directing side confirms the completion the organisation reported."""
    access.require(access.may_review(user, task), _("Chỉ lãnh đạo hoặc văn phòng của cơ quan chỉ đạo được xác nhận hoàn thành."))
    note = _note(note, field="note", label=_("Ý kiến"))
    with transaction.atomic():
        task = _locked(task)
        was = tallies.share(task)
        _require_state(task, TaskState.REPORTED_DONE, message=_("Chỉ xác nhận được nhiệm vụ đơn vị đã báo cáo hoàn thành."))
        task.state, task.done_on, task.progress = TaskState.DONE, timezone.localdate(), 100
        task.save(update_fields=["state", "done_on", "progress"])
        _entry(task, ReportKind.CONFIRMED, user=user, org_id=task.directive.organization_id, content=note)
        _refresh(task, was)
        record("task_confirmed", actor=user, obj=task, data={"note": note})
        notices.task_reviewed(task, confirmed=True, note=note)
    return task


def send_back(task: Task, *, user, note: str) -> Task:
    """The directing side is not satisfied: the task goes back to the organisation, in progress."""
    access.require(access.may_review(user, task), _("Chỉ lãnh đạo hoặc văn phòng của cơ quan chỉ đạo được trả lại nhiệm vụ."))
    note = _note(note, field="note", label=_("Lý do trả lại"), required=True)
    with transaction.atomic():
        task = _locked(task)
        was = tallies.share(task)
        _require_state(task, TaskState.REPORTED_DONE, message=_("Chỉ trả lại được nhiệm vụ đơn vị đã báo cáo hoàn thành."))
        task.state, task.reported_done_on = TaskState.IN_PROGRESS, None
        task.save(update_fields=["state", "reported_done_on"])
        _entry(task, ReportKind.SENT_BACK, user=user, org_id=task.directive.organization_id, content=note)
        _refresh(task, was)
        record("task_sent_back", actor=user, obj=task, data={"note": note})
        notices.task_reviewed(task, confirmed=False, note=note)
    return task


def decide_extension(task: Task, *, user, grant: bool, note: str = "", due: date | None = None) -> ExtensionRequest:
    """A leader of the directing side grants (the asked date, or another) or refuses the pending request."""
    access.require(access.may_decide(user, task), _("Chỉ lãnh đạo của cơ quan chỉ đạo được quyết định gia hạn."))
    note = _note(note, field="note", label=_("Ý kiến"), required=not grant)
    with transaction.atomic():
        task = _locked(task)
        was = tallies.share(task)
        asked = ExtensionRequest.objects.select_for_update().filter(task=task, state=ExtensionState.PENDING).first()
        if asked is None:
            raise InvalidState(_("Nhiệm vụ không có đề nghị gia hạn nào đang chờ."), code="no_pending_extension")
        before = task.due
        if grant:
            new_due = due or asked.requested_due
            if new_due <= before:
                raise _bad(_("Hạn mới phải sau hạn hiện tại (%(date)s).") % {"date": before.strftime("%d/%m/%Y")},
                           "due_not_later", field="due")
            task.due, task.extended = new_due, True
            task.save(update_fields=["due", "extended"])
        asked.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
        asked.decided_by, asked.decided_at, asked.note = user, timezone.now(), note
        asked.save(update_fields=["state", "decided_by", "decided_at", "note"])
        _entry(task, ReportKind.EXTENSION_GRANTED if grant else ReportKind.EXTENSION_REFUSED, user=user,
               org_id=task.directive.organization_id, content=note, due_before=before, due_after=task.due)
        _refresh(task, was)
        record("task_extension_decided", actor=user, obj=task, data={"granted": grant, "due_before": before, "due": task.due,
                                                                        "note": note})
        notices.extension_decided(task, asked)
    return asked


# --- the receiving organisation -----------------------------------------------------------------

def _require_reporter(user, task: Task) -> None:
    access.require(access.may_report(user, task), _("Chỉ lãnh đạo, văn thư hoặc chuyên viên của đơn vị chủ trì được báo cáo nhiệm vụ."))


def accept_task(task: Task, *, user) -> Task:
    _require_reporter(user, task)
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.ASSIGNED, message=_("Nhiệm vụ đã được tiếp nhận."))
        task.state, task.accepted_at = TaskState.IN_PROGRESS, timezone.now()
        task.save(update_fields=["state", "accepted_at"])
        _entry(task, ReportKind.ACCEPTED, user=user, org_id=task.organization_id)
        record("task_accepted", actor=user, obj=task)
    return task


def report_progress(task: Task, *, user, progress: int, content: str, done: bool = False,
                    document_id: int | None = None) -> Report:
    """The lead organisation reports progress (percent, text, optionally a document of its own); `done`
    reports completion, which the directing side then confirms or sends back."""
    _require_reporter(user, task)
    if not 0 <= progress <= 100:
        raise _bad(_("Tiến độ phải từ 0 đến 100%."), "invalid_progress", field="progress")
    content = clean_text(content, field="content", max_length=CONTENT_MAX, multiline=True, label=_("Nội dung báo cáo"))
    if not content:
        raise _bad(_("Chưa nhập nội dung báo cáo."), "content_required", field="content")
    document = get_document(user, document_id) if document_id is not None else None
    if document is not None and document.issuer_id != task.organization_id:
        raise _bad(_("Văn bản báo cáo phải do đơn vị chủ trì ban hành."), "report_document_not_ours", field="document_id")
    with transaction.atomic():
        task = _locked(task)
        was = tallies.share(task)
        _require_state(task, TaskState.ASSIGNED, TaskState.IN_PROGRESS,
                       message=_("Nhiệm vụ đã báo cáo hoàn thành hoặc đã hoàn thành: chờ cơ quan chỉ đạo xem xét."))
        now = timezone.now()
        task.progress = 100 if done else progress
        task.last_report_at = now
        if task.accepted_at is None:
            task.accepted_at = now
        task.state = TaskState.REPORTED_DONE if done else TaskState.IN_PROGRESS
        task.reported_done_on = timezone.localdate() if done else None
        task.save(update_fields=["progress", "last_report_at", "accepted_at", "state", "reported_done_on"])
        report = _entry(task, ReportKind.DONE if done else ReportKind.PROGRESS, user=user, org_id=task.organization_id,
                        progress=task.progress, content=content, document=document)
        _refresh(task, was)
        record("task_reported", actor=user, obj=task, data={"progress": task.progress, "done": done,
                                                             "document": document.id if document else None})
        notices.report_arrived(task, report)
    return report


def ask_extension(task: Task, *, user, due: date, reason: str) -> ExtensionRequest:
    _require_reporter(user, task)
    reason = _note(reason, field="reason", label=_("Lý do đề nghị gia hạn"), required=True)
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.ASSIGNED, TaskState.IN_PROGRESS,
                       message=_("Chỉ đề nghị gia hạn được nhiệm vụ đang thực hiện."))
        if due <= task.due:
            raise _bad(_("Hạn đề nghị phải sau hạn hiện tại (%(date)s).") % {"date": task.due.strftime("%d/%m/%Y")},
                       "due_not_later", field="due")
        if ExtensionRequest.objects.filter(task=task, state=ExtensionState.PENDING).exists():
            raise InvalidState(_("Đã có một đề nghị gia hạn đang chờ quyết định."), code="extension_pending")
        asked = ExtensionRequest.objects.create(task=task, requested_due=due, reason=reason, asked_by=user)
        _entry(task, ReportKind.EXTENSION_ASKED, user=user, org_id=task.organization_id, content=reason,
               due_before=task.due, due_after=due)
        record("task_extension_asked", actor=user, obj=task, data={"due": due, "reason": reason})
        notices.extension_asked(task, asked)
    return asked
