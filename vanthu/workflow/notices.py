"""Who is told what when documents arrive and are assigned, and the daily deadline reminders.

Notifications (layer 1) know nothing of documents; the core's events reach them through here
(workflow, layer 2), wired in apps.py at `events.NOTIFICATIONS`, inside the action's transaction:
the notices commit with the arrival or the assignment, or not at all.

- A document arrives in an organisation's inbox (issued to it, or received from a peer): its
  clerks are told (`document_arrived`).
- A leader assigns a document: the main handler, the co-handlers and those informed are told,
  each in their words (`assigned`).
- Every working day (`send_deadline_reminders`, a daily task): the handlers of an open document
  whose deadline is the next working day (`deadline_soon`), the handlers of one overdue since the
  last working day (`overdue`), and on the second working day overdue the organisation's leaders
  (`overdue_head`). A document nobody was assigned goes to the leaders, who must assign it.
  Each reminder carries a key, so a task run twice tells nobody twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.calendar.workdays import add_working_days, is_working_day, working_days_between
from vanthu.documents.models import Delivery, Document, SharePurpose, StatusCode
from vanthu.notifications import kinds
from vanthu.notifications.actions import notify
from vanthu.notifications.kinds import Channel
from vanthu.organizations.models import Membership, Role

from .models import Assignee, Assignment, HandlerRole

OPEN = (StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS)
LOOK_BACK_DAYS = 60  # overdue reminders for deadlines older than this are not sent any more


def dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def register_kinds() -> None:
    kinds.register("document_arrived", gettext_lazy("Văn bản đến đơn vị (văn thư)"))
    kinds.register("assigned", gettext_lazy("Được phân công xử lý văn bản"), default=Channel.EMAIL)
    kinds.register("deadline_soon", gettext_lazy("Văn bản sắp đến hạn xử lý"), default=Channel.EMAIL)
    kinds.register("overdue", gettext_lazy("Văn bản quá hạn xử lý"), default=Channel.EMAIL)
    kinds.register("document_shared", gettext_lazy("Được chia sẻ văn bản (để biết, góp ý dự thảo)"))
    kinds.register("overdue_head", gettext_lazy("Văn bản của đơn vị quá hạn (báo lãnh đạo)"), default=Channel.EMAIL)


def _doc_url(document_id: int) -> str:
    return reverse("documents:document", args=[document_id])


def _label(doc: Document) -> str:
    return f"{doc.symbol} — {doc.subject}" if doc.symbol else doc.subject


def _people(org_ids: Iterable[int], role: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for org_id, uid in Membership.objects.filter(organization_id__in=list(org_ids), role=role, user__is_active=True
                                                 ).values_list("organization_id", "user_id"):
        out[org_id].append(uid)
    return out


def _tell_clerks(document: Document, org_ids: list[int]) -> int:
    clerks = _people(org_ids, Role.CLERK)
    everyone = sorted({uid for ids in clerks.values() for uid in ids})
    if not everyone:
        return 0
    issuer = document.issuer.name if document.issuer_id else document.external_issuer_name
    return notify(everyone, kind="document_arrived", title=_("Văn bản đến: %(doc)s") % {"doc": _label(document)},
                  body=_("Nơi gửi: %(issuer)s. Hãy tiếp nhận hoặc từ chối trong mục Văn bản đến.") % {"issuer": issuer},
                  url=_doc_url(document.id), obj=document, org=org_ids[0] if len(org_ids) == 1 else None)


def document_issued(document, deliveries, **_event) -> int:
    """Issued: the recipients of this installation have it in their inbox (01)."""
    arrived = [d.recipient_id for d in deliveries if d.status_code == StatusCode.ARRIVED]
    return _tell_clerks(document, arrived) if arrived else 0


def deliveries_created(deliveries) -> int:
    """Received from a peer (01). A paper document (03) was registered by the clerk who is told nothing new."""
    told = 0
    for d in deliveries:
        if d.status_code == StatusCode.ARRIVED:
            told += _tell_clerks(d.document, [d.recipient_id])
    return told


ROLE_TITLES = {
    HandlerRole.MAIN: gettext_lazy("Bạn được giao chủ trì xử lý: %(doc)s"),
    HandlerRole.CO: gettext_lazy("Bạn được giao phối hợp xử lý: %(doc)s"),
    HandlerRole.INFORMED: gettext_lazy("Văn bản gửi bạn để biết: %(doc)s"),
}


def assignment_changed(assignment, delivery, user) -> int:
    """A leader assigned the document: each handler is told their part, the deadline and the direction."""
    doc = delivery.document
    body = []
    if assignment.deadline:
        body.append(_("Hạn xử lý: %(date)s.") % {"date": dmy(assignment.deadline)})
    if assignment.note:
        body.append(_("Ý kiến chỉ đạo: %(note)s") % {"note": assignment.note})
    body.append(_("Người phân công: %(name)s.") % {"name": user.get_full_name()})
    by_role: dict[str, list[int]] = defaultdict(list)
    for h in assignment.handlers:
        if h["user_id"] != user.id:
            by_role[h["role"]].append(h["user_id"])
    told = 0
    for role, ids in by_role.items():
        told += notify(ids, kind="assigned", title=str(ROLE_TITLES[HandlerRole(role)]) % {"doc": _label(doc)}, body="\n".join(body),
                       url=_doc_url(doc.id), obj=delivery, org=delivery.recipient_id)
    return told


SHARE_TITLES = {
    SharePurpose.READ: gettext_lazy("Văn bản chia sẻ để biết: %(doc)s"),
    SharePurpose.REVIEW: gettext_lazy("Mời góp ý dự thảo: %(doc)s"),
}


def document_shared(share, user) -> int:
    """A clerk, a leader or the drafter shared a document: the person is told, with the note."""
    body = [_("Người chia sẻ: %(name)s.") % {"name": user.get_full_name()}]
    if share.note:
        body.append(share.note)
    return notify([share.user_id], kind="document_shared", title=str(SHARE_TITLES[SharePurpose(share.purpose)]) % {"doc": _label(share.document)},
                  body="\n".join(body), url=_doc_url(share.document_id), obj=share.document, org=share.organization_id)


# --- the daily reminders -----------------------------------------------------------------------------

def _handlers(delivery_ids: list[int]) -> dict[int, list[int]]:
    """Main and co-handlers of each delivery's current assignment."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = Assignee.objects.filter(assignment__delivery_id__in=delivery_ids, assignment__is_current=True,
                                   role__in=[HandlerRole.MAIN, HandlerRole.CO], user__is_active=True)
    for delivery_id, uid in rows.values_list("assignment__delivery_id", "user_id"):
        out[delivery_id].append(uid)
    return out


def send_deadline_reminders(today: date | None = None) -> dict[str, int]:
    """The day's reminders (nothing on a day off: the last working day before it covered it)."""
    today = today or timezone.localdate()
    counts = {"deadline_soon": 0, "overdue": 0, "overdue_head": 0}
    if not is_working_day(today):
        return counts
    tomorrow = add_working_days(today, 1)
    open_ = (Delivery.objects.filter(status_code__in=OPEN, deadline__isnull=False)
             .select_related("document__issuer", "recipient"))
    soon = list(open_.filter(deadline__gt=today, deadline__lte=tomorrow))
    late = list(open_.filter(deadline__lt=today, deadline__gte=today - timedelta(days=LOOK_BACK_DAYS)))
    handlers = _handlers([d.id for d in soon + late])
    leaders = _people({d.recipient_id for d in soon + late}, Role.LEADER)
    assigned = set(Assignment.objects.filter(delivery_id__in=[d.id for d in soon + late], is_current=True).values_list("delivery_id", flat=True))

    def send(kind: str, d: Delivery, people: list[int], title: str, body: str) -> None:
        counts[kind] += notify(people, kind=kind, title=title, body=body, url=_doc_url(d.document_id), obj=d,
                               org=d.recipient_id, key=f"{kind}:{d.id}:{d.deadline}")

    for d in soon:
        people = handlers.get(d.id) if d.id in assigned else leaders.get(d.recipient_id)
        send("deadline_soon", d, people or [],
             _("Sắp đến hạn xử lý (%(date)s): %(doc)s") % {"date": dmy(d.deadline), "doc": _label(d.document)},
             _("Hạn xử lý là %(date)s, ngày làm việc kế tiếp.") % {"date": dmy(d.deadline)})
    for d in late:
        behind = working_days_between(d.deadline, today)
        if behind < 1:
            continue
        body = _("Hạn xử lý là %(date)s; đã quá %(n)s ngày làm việc.") % {"date": dmy(d.deadline), "n": behind}
        people = handlers.get(d.id) if d.id in assigned else leaders.get(d.recipient_id)
        send("overdue", d, people or [], _("Quá hạn xử lý: %(doc)s") % {"doc": _label(d.document)}, body)
        if behind >= 2:
            send("overdue_head", d, leaders.get(d.recipient_id) or [],
                 _("Văn bản của %(org)s quá hạn xử lý: %(doc)s") % {"org": d.recipient.name, "doc": _label(d.document)}, body)
    return counts
