"""The demo's working-day calendar and a few notifications, so that the bell has something to show.

The documents the seed issues and assigns through the real actions already notify their clerks
and handlers (workflow/notices.py); this adds the current and next year's calendar and messages
of the kinds that otherwise wait for the daily reminders.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from vanthu.calendar.actions import seed_year
from vanthu.notifications.actions import notify
from vanthu.workflow.models import Assignee, HandlerRole
from vanthu.workflow.notices import send_deadline_reminders

from .world import World


def seed_calendar_and_notices(world: World) -> None:
    year = timezone.localdate().year
    for y in (year, year + 1):
        seed_year(y, user=world.admin)
    # Today's reminders, as the worker's first daily run would send them.
    send_deadline_reminders()
    everyone = [u for unit in world.units for u in (unit.clerk, *unit.leaders, *unit.specialists)]
    notify(everyone, kind="system", title=f"Lịch nghỉ lễ, Tết năm {year} và {year + 1} đã được cập nhật",
           body="Hạn xử lý văn bản tính theo ngày làm việc: không tính thứ Bảy, Chủ nhật, ngày nghỉ lễ, Tết và ngày nghỉ bù.",
           url=reverse("notifications:list"))
    # The showcase specialist's open assignments, as if assigned just now.
    open_ones = (Assignee.objects.filter(assignment__is_current=True, role=HandlerRole.MAIN, assignment__completed_at__isnull=True)
                 .select_related("assignment__delivery__document").order_by("-assignment__assigned_at")[:40])
    for a in open_ones:
        d = a.assignment.delivery
        notify([a.user_id], kind="assigned", title=f"Bạn được giao chủ trì xử lý: {d.document.symbol} — {d.document.subject}",
               body=a.assignment.note, url=reverse("documents:document", args=[d.document_id]), obj=d, org=d.recipient_id)
