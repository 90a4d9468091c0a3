"""Who is told what about directives and tasks, and the daily deadline reminders.

- Tasks assigned: the leaders and clerks of each lead organisation (`task_assigned`), and those of
  the co-operating ones (the same kind, saying they co-operate).
- A report arrives, an extension is asked: the directive's author and the directing side's
  leaders (`task_report`).
- The directing side answers (confirmed, sent back, extension granted or refused): the lead
  organisation's leaders and clerks (`task_reviewed`).
- Every working day: the lead organisation's leaders and clerks, of a task due on the next
  working day (`task_deadline_soon`) and of one overdue (`task_overdue`); on the second working
  day overdue its head is told again under `task_overdue_head`. Each reminder carries a key, so a
  run repeated tells nobody twice.
- A task reported weekly or monthly that has had no report for a cycle: the organisation's
  leaders and clerks, once per cycle (`task_report_due`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.calendar.workdays import add_working_days, is_working_day, working_days_between
from vanthu.notifications import kinds
from vanthu.notifications.actions import notify
from vanthu.notifications.kinds import Channel
from vanthu.organizations.models import Membership, Role

from .models import OPEN_STATES, Task

LOOK_BACK_DAYS = 60


def register_kinds() -> None:
    kinds.register("task_assigned", gettext_lazy("Đơn vị được giao nhiệm vụ chỉ đạo"), default=Channel.EMAIL)
    kinds.register("task_report", gettext_lazy("Đơn vị báo cáo nhiệm vụ được giao"))
    kinds.register("task_reviewed", gettext_lazy("Cơ quan chỉ đạo trả lời về nhiệm vụ"))
    kinds.register("task_deadline_soon", gettext_lazy("Nhiệm vụ sắp đến hạn"), default=Channel.EMAIL)
    kinds.register("task_overdue", gettext_lazy("Nhiệm vụ quá hạn"), default=Channel.EMAIL)
    kinds.register("task_overdue_head", gettext_lazy("Nhiệm vụ của đơn vị quá hạn (báo lãnh đạo)"), default=Channel.EMAIL)
    kinds.register("task_report_due", gettext_lazy("Đến kỳ báo cáo tiến độ nhiệm vụ"))


def dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def task_url(task_id: int) -> str:
    return reverse("direction:task", args=[task_id])


def people(org_ids: Iterable[int], *roles: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(organization_id__in=list(org_ids), role__in=roles, user__is_active=True)
    for org_id, uid in rows.values_list("organization_id", "user_id").distinct():
        if uid not in out[org_id]:
            out[org_id].append(uid)
    return out


def tasks_assigned(directive, tasks: list[Task], *, user) -> int:
    leads = people({t.organization_id for t in tasks}, Role.LEADER, Role.CLERK)
    told = 0
    for t in tasks:
        ids = [u for u in leads.get(t.organization_id, []) if u != user.id]
        told += notify(ids, kind="task_assigned", title=_("Nhiệm vụ mới từ %(org)s: %(title)s") % {
            "org": directive.organization.short_name or directive.organization.name, "title": directive.title},
            body=_("%(content)s\nHạn hoàn thành: %(date)s.") % {"content": t.content[:1000], "date": dmy(t.due)},
            url=task_url(t.id), obj=t, org=t.organization_id)
    co = defaultdict(list)
    for task_id, org_id in Task.cooperating.through.objects.filter(task__in=tasks).values_list("task_id", "organization_id"):
        co[task_id].append(org_id)
    if co:
        staff = people({o for orgs in co.values() for o in orgs}, Role.LEADER, Role.CLERK)
        for t in tasks:
            for org_id in co.get(t.id, []):
                told += notify(staff.get(org_id, []), kind="task_assigned",
                               title=_("Phối hợp thực hiện nhiệm vụ: %(title)s") % {"title": directive.title},
                               body=_("Đơn vị chủ trì: %(org)s. Hạn hoàn thành: %(date)s.") % {
                                   "org": t.organization.name, "date": dmy(t.due)},
                               url=task_url(t.id), obj=t, org=org_id)
    return told


def _directing_side(task: Task) -> list[int]:
    ids = people([task.directive.organization_id], Role.LEADER).get(task.directive.organization_id, [])
    return sorted({*ids, task.directive.created_by_id})


def report_arrived(task: Task, report) -> int:
    if report.kind == "done":
        title = _("%(org)s báo cáo hoàn thành nhiệm vụ: %(title)s")
    else:
        title = _("%(org)s báo cáo tiến độ (%(p)s%%) nhiệm vụ: %(title)s")
    return notify(_directing_side(task), kind="task_report",
                  title=title % {"org": task.organization.short_name or task.organization.name, "p": report.progress,
                                 "title": task.directive.title},
                  body=report.content[:2000], url=task_url(task.id), obj=task, org=task.directive.organization_id)


def extension_asked(task: Task, asked) -> int:
    return notify(_directing_side(task), kind="task_report",
                  title=_("%(org)s đề nghị gia hạn nhiệm vụ đến %(date)s: %(title)s") % {
                      "org": task.organization.short_name or task.organization.name, "date": dmy(asked.requested_due),
                      "title": task.directive.title},
                  body=asked.reason, url=task_url(task.id), obj=task, org=task.directive.organization_id)


def _tell_lead(task: Task, title: str, body: str) -> int:
    ids = people([task.organization_id], Role.LEADER, Role.CLERK).get(task.organization_id, [])
    return notify(ids, kind="task_reviewed", title=title, body=body, url=task_url(task.id), obj=task, org=task.organization_id)


def task_reviewed(task: Task, *, confirmed: bool, note: str) -> int:
    if confirmed:
        title = _("Cơ quan chỉ đạo xác nhận hoàn thành nhiệm vụ: %(title)s")
    else:
        title = _("Cơ quan chỉ đạo trả lại, yêu cầu tiếp tục thực hiện nhiệm vụ: %(title)s")
    return _tell_lead(task, title % {"title": task.directive.title}, note)


def extension_decided(task: Task, asked) -> int:
    if asked.state == "granted":
        title = _("Đồng ý gia hạn nhiệm vụ đến %(date)s: %(title)s")
    else:
        title = _("Không đồng ý gia hạn nhiệm vụ (hạn vẫn là %(date)s): %(title)s")
    return _tell_lead(task, title % {"date": dmy(task.due), "title": task.directive.title}, asked.note)


def send_deadline_reminders(today: date | None = None) -> dict[str, int]:
    """The day's reminders about tasks (nothing on a day off: the last working day covered it)."""
    today = today or timezone.localdate()
    counts = {"task_deadline_soon": 0, "task_overdue": 0, "task_overdue_head": 0, "task_report_due": 0}
    if not is_working_day(today):
        return counts
    tomorrow = add_working_days(today, 1)
    open_ = Task.objects.filter(state__in=OPEN_STATES).select_related("directive", "organization")
    soon = list(open_.filter(due__gt=today, due__lte=tomorrow))
    late = list(open_.filter(due__lt=today, due__gte=today - timedelta(days=LOOK_BACK_DAYS)))
    orgs = {t.organization_id for t in soon + late}
    staff = people(orgs, Role.LEADER, Role.CLERK)
    leaders = people(orgs, Role.LEADER)

    def send(kind: str, t: Task, ids: list[int], title: str, body: str) -> None:
        counts[kind] += notify(ids, kind=kind, title=title, body=body, url=task_url(t.id), obj=t, org=t.organization_id,
                               key=f"{kind}:{t.id}:{t.due}")

    for t in soon:
        send("task_deadline_soon", t, staff.get(t.organization_id, []),
             _("Nhiệm vụ sắp đến hạn (%(date)s): %(title)s") % {"date": dmy(t.due), "title": t.directive.title},
             _("Hạn hoàn thành là %(date)s, ngày làm việc kế tiếp.") % {"date": dmy(t.due)})
    for t in late:
        behind = working_days_between(t.due, today)
        if behind < 1:
            continue
        body = _("Hạn hoàn thành là %(date)s; đã quá %(n)s ngày làm việc.") % {"date": dmy(t.due), "n": behind}
        send("task_overdue", t, staff.get(t.organization_id, []),
             _("Nhiệm vụ quá hạn: %(title)s") % {"title": t.directive.title}, body)
        if behind >= 2:
            send("task_overdue_head", t, leaders.get(t.organization_id, []),
                 _("Nhiệm vụ của %(org)s quá hạn: %(title)s") % {"org": t.organization.name, "title": t.directive.title}, body)
    _cycle_reminders(today, counts)
    return counts


CYCLE_DAYS = {"weekly": 7, "monthly": 30}


def _cycle_reminders(today: date, counts: dict[str, int]) -> None:
    """A task reported weekly or monthly whose last report (or assignment) is a cycle old: its
    organisation's leaders and clerks are told once per cycle."""
    for cycle, days in CYCLE_DAYS.items():
        since = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
        due = (Task.objects.filter(state__in=OPEN_STATES, cycle=cycle).exclude(last_report_at__gte=since)
               .filter(created_at__lt=since).select_related("directive"))
        due = list(due)
        staff = people({t.organization_id for t in due}, Role.LEADER, Role.CLERK)
        for t in due:
            period = (today - t.created_at.date()).days // days
            counts["task_report_due"] += notify(
                staff.get(t.organization_id, []), kind="task_report_due",
                title=_("Đến kỳ báo cáo tiến độ: %(title)s") % {"title": t.directive.title},
                body=_("Nhiệm vụ báo cáo %(cycle)s; hạn hoàn thành %(date)s.") % {
                    "cycle": t.get_cycle_display().lower(), "date": dmy(t.due)},
                url=task_url(t.id), obj=t, org=t.organization_id, key=f"task_report_due:{t.id}:{period}")
