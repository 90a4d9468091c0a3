"""Tasks for organisations at a peer installation: they travel with their document, not apart.

A directive may give a task to an organisation served by another installation only with a
source document addressed to it: the document (the directive itself, its deadline as the
package's DueDate) goes through the exchange as any other, and the peer's status messages come
back on its delivery. This module turns those codes into the task's state, subscribed to the
core's `delivery_moved` in apps.py, inside the exchange's transaction:

    03 accepted, 04 assigned, 05 in progress  → in progress (accepted)
    06 done                                   → completion reported (the directing side confirms)
    02 rejected                               → noted in the task's history, the directing side told

No second transport: the exchange's own audit entry (`exchange_status_received`) records the
status; the task's history row says what it meant for the task.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents.models import StatusCode

from . import notices, tallies
from .actions import refresh_figures
from .models import Directive, Report, ReportKind, Task, TaskState

ACCEPTED = (StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS)


def delivery_moved(delivery, event, changed=(), **_event) -> int:
    """Move the tasks that travelled with this delivery's document to its recipient; how many moved."""
    code = event.status_code
    if code not in (*ACCEPTED, StatusCode.DONE, StatusCode.REJECTED):
        return 0
    if event.by_id is not None:
        return 0  # a person of this installation moved it: not a peer's report (and no query on every accept)
    directive_ids = list(Directive.objects.filter(source_document_id=delivery.document_id).values_list("id", flat=True))
    if not directive_ids:
        return 0
    moved = 0
    # Every directive locked first, in order: the figures' rows (tallies.py) are locked after them.
    list(Directive.objects.select_for_update().filter(pk__in=directive_ids).order_by("id").values_list("id", flat=True))
    for directive_id in directive_ids:
        task = (Task.objects.select_for_update(of=("self",)).select_related("directive__organization", "organization")
                .filter(directive_id=directive_id, organization_id=delivery.recipient_id, organization__at_peer=True).first())
        if task is None or task.state == TaskState.DONE:
            continue
        was = tallies.share(task)
        now = timezone.now()
        note = _("Báo qua liên thông: %(status)s.") % {"status": StatusCode(code).label}
        if event.note:
            note += " " + event.note
        if code in ACCEPTED and task.state == TaskState.ASSIGNED:
            task.state, task.accepted_at = TaskState.IN_PROGRESS, now
            task.save(update_fields=["state", "accepted_at"])
            report = Report.objects.create(task=task, kind=ReportKind.ACCEPTED, content=note, organization_id=task.organization_id)
        elif code == StatusCode.DONE and task.state in (TaskState.ASSIGNED, TaskState.IN_PROGRESS):
            task.state, task.progress, task.reported_done_on, task.last_report_at = TaskState.REPORTED_DONE, 100, timezone.localdate(), now
            task.accepted_at = task.accepted_at or now
            task.save(update_fields=["state", "progress", "reported_done_on", "last_report_at", "accepted_at"])
            report = Report.objects.create(task=task, kind=ReportKind.DONE, progress=100, content=note,
                                           organization_id=task.organization_id)
        elif code == StatusCode.REJECTED:
            report = Report.objects.create(task=task, kind=ReportKind.PROGRESS, progress=task.progress, content=note,
                                           organization_id=task.organization_id)
        else:
            continue
        refresh_figures(task.directive)
        tallies.move([was], [tallies.share(task)])
        notices.report_arrived(task, report)
        moved += 1
    return moved
