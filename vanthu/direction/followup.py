"""The follow-up's reads: directives with their figures, organisations with theirs, overdue first.

One screen shows a page of directives ordered by their earliest open deadline (an index on the
directive's own figures, models.py), and the figures of that page's tasks in one GROUP BY; the
organisations' view reads the figures each board keeps per organisation (tallies.py) and sums
the overdue from their open deadlines before today — or, with a period chosen, is one GROUP BY
over the tasks of the directives the person follows in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization

from .access import visible_directives
from .models import OPEN_STATES, Directive, OpenDeadline, OrganizationFigures, Task, TaskState


@dataclass
class Filters:
    board: int | None = None  # the directing organisation (the Bloc, or one of its boards)
    organization: int | None = None  # directives with a task for this organisation
    start: date | None = None  # directives issued from
    end: date | None = None  # … to
    q: str = ""


@dataclass
class Figures:
    total: int = 0
    done: int = 0
    reported: int = 0
    overdue: int = 0
    progress: int = 0  # average percent
    on_time: int = 0  # done, reported on or before the deadline

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def boards(user) -> QuerySet[Organization]:
    """The directing organisations the person follows (those of theirs that recorded a directive)."""
    ids = Directive.objects.filter(organization_id__in=member_org_ids(user)).values("organization_id")
    return Organization.objects.filter(id__in=ids).order_by("name")


def directives(user, f: Filters) -> QuerySet[Directive]:
    qs = visible_directives(user)
    if f.board:
        qs = qs.filter(organization_id=f.board)
    if f.organization:
        qs = qs.filter(id__in=Task.objects.filter(organization_id=f.organization).values("directive_id"))
    if f.start:
        qs = qs.filter(issued_on__gte=f.start)
    if f.end:
        qs = qs.filter(issued_on__lte=f.end)
    if f.q.strip():
        qs = qs.filter(title__icontains=f.q.strip())
    return qs.select_related("organization").overdue_first()


def _aggregate(tasks: QuerySet[Task], today: date, key: str) -> dict[int, Figures]:
    overdue = Q(state__in=OPEN_STATES, due__lt=today)
    on_time = Q(state=TaskState.DONE, reported_done_on__lte=F("due")) | Q(state=TaskState.DONE, reported_done_on__isnull=True,
                                                                          done_on__lte=F("due"))
    rows = tasks.order_by().values(key).annotate(
        total=Count("id"), done=Count("id", filter=Q(state=TaskState.DONE)),
        reported=Count("id", filter=Q(state=TaskState.REPORTED_DONE)), overdue=Count("id", filter=overdue),
        progress=Avg("progress"), on_time=Count("id", filter=on_time))
    return {r[key]: Figures(r["total"], r["done"], r["reported"], r["overdue"], round(r["progress"] or 0), r["on_time"])
            for r in rows}


def directive_figures(directive_ids: list[int], *, organization: int | None = None,
                      today: date | None = None) -> dict[int, Figures]:
    """Each directive's figures (of one organisation's task only, when filtered by organisation)."""
    tasks = Task.objects.filter(directive_id__in=directive_ids)
    if organization:
        tasks = tasks.filter(organization_id=organization)
    return _aggregate(tasks, today or timezone.localdate(), "directive_id")


def organization_rows(user, f: Filters, today: date | None = None) -> list[tuple[Organization, Figures]]:
    """Every organisation with tasks from the directives followed, the most overdue first."""
    today = today or timezone.localdate()
    figures = _kept_figures(user, f, today) if f.start is None and f.end is None else _live_figures(user, f, today)
    orgs = Organization.objects.in_bulk(list(figures))
    rows = [(orgs[i], fig) for i, fig in figures.items()]
    rows.sort(key=lambda r: (-r[1].overdue, r[1].percent_done, r[0].name))
    return rows


def _live_figures(user, f: Filters, today: date) -> dict[int, Figures]:
    ds = visible_directives(user)
    if f.board:
        ds = ds.filter(organization_id=f.board)
    if f.start:
        ds = ds.filter(issued_on__gte=f.start)
    if f.end:
        ds = ds.filter(issued_on__lte=f.end)
    tasks = Task.objects.filter(directive__in=ds)
    if f.organization:
        tasks = tasks.filter(organization_id=f.organization)
    return _aggregate(tasks, today, "organization_id")


def _kept_figures(user, f: Filters, today: date) -> dict[int, Figures]:
    """The same figures as `_live_figures` over every directive of the boards followed, from the
    rows each board keeps per organisation (summed over the boards) and its open deadlines."""
    boards = member_org_ids(user)
    if f.board:
        boards = set(boards) & {f.board}
    kept = OrganizationFigures.objects.filter(board_id__in=boards, task_count__gt=0)
    late = OpenDeadline.objects.filter(board_id__in=boards, due__lt=today)
    if f.organization:
        kept, late = kept.filter(organization_id=f.organization), late.filter(organization_id=f.organization)
    sums: dict[int, list[int]] = {}
    for row in kept.values_list("organization_id", "task_count", "done_count", "reported_count", "on_time_count", "progress_sum"):
        acc = sums.setdefault(row[0], [0] * 5)
        for i, v in enumerate(row[1:]):
            acc[i] += v
    overdue = dict(late.order_by().values("organization_id").annotate(n=Sum("task_count")).values_list("organization_id", "n"))
    return {org: Figures(total, done, reported, overdue.get(org, 0), round(progress / total), on_time)
            for org, (total, done, reported, on_time, progress) in sums.items()}


def on_time_shares(org_ids: list[int], start: date, end: date) -> dict[int, float | None]:
    """For the evaluation (reports): each organisation's share of its tasks due in [start, end]
    that were done on time (completion reported by the deadline and confirmed); a task still open
    past its deadline counts as late, one not yet due is left out. None where no task was due."""
    today = timezone.localdate()
    due = Task.objects.filter(organization_id__in=org_ids, due__gte=start, due__lte=min(end, today))
    on_time = Q(state=TaskState.DONE) & (Q(reported_done_on__lte=F("due")) | Q(reported_done_on__isnull=True, done_on__lte=F("due")))
    rows = due.order_by().values("organization_id").annotate(n=Count("id"), ok=Count("id", filter=on_time))
    found = {r["organization_id"]: r["ok"] / r["n"] for r in rows if r["n"]}
    return {o: found.get(o) for o in org_ids}
