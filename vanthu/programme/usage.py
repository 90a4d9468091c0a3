"""Training linked to use: each trainee's use of VanThu in the 90 days before the course and the 90
days after it, and per course the share of trained people who became active users.

Use is read from the records the work leaves: incoming documents the person completed as the main
handler (and how many hours from the assignment to completion), and documents they drafted. A
person is active in a window if they handled or drafted at least one document in it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vanthu.documents.models import Document
from vanthu.workflow.models import Assignee, HandlerRole

from .models import Course

WINDOW_DAYS = 90


@dataclass(frozen=True)
class Use:
    handled: int
    drafted: int
    median_hours_to_complete: float | None

    @property
    def active(self) -> bool:
        return bool(self.handled or self.drafted)

    def as_dict(self) -> dict:
        return {"handled": self.handled, "drafted": self.drafted, "median_hours_to_complete": self.median_hours_to_complete,
                "active": self.active}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)


def use_between(user_ids: Iterable[int], start: date, end: date) -> dict[int, Use]:
    """Each person's use of VanThu from `start` (inclusive) to `end` (exclusive): two queries."""
    ids = list(user_ids)
    lo, hi = _bounds(start, end)
    hours: dict[int, list[float]] = defaultdict(list)
    for uid, assigned, completed in Assignee.objects.filter(
            user_id__in=ids, role=HandlerRole.MAIN, assignment__completed_at__gte=lo, assignment__completed_at__lt=hi,
    ).values_list("user_id", "assignment__assigned_at", "assignment__completed_at"):
        hours[uid].append((completed - assigned).total_seconds() / 3600)
    drafted: dict[int, int] = defaultdict(int)
    for uid in Document.objects.filter(created_by_id__in=ids, created_at__gte=lo, created_at__lt=hi).values_list("created_by_id", flat=True):
        drafted[uid] += 1
    return {u: Use(len(hours[u]), drafted[u], round(statistics.median(hours[u]), 1) if hours[u] else None) for u in ids}


def course_use(course: Course, user_ids: list[int]) -> dict[int, tuple[Use, Use]]:
    """(before, after) for each person: the 90 days before the course starts, and after it ends."""
    before = use_between(user_ids, course.starts - timedelta(days=WINDOW_DAYS), course.starts)
    after = use_between(user_ids, course.ends + timedelta(days=1), course.ends + timedelta(days=1 + WINDOW_DAYS))
    return {u: (before[u], after[u]) for u in user_ids}


def became_active_share(uses: dict[int, tuple[Use, Use]], passed: set[int]) -> tuple[float | None, int, int]:
    """(share, count, of): of the people who passed, those active in the 90 days after the course."""
    trained = [u for u in uses if u in passed]
    active = sum(1 for u in trained if uses[u][1].active)
    return (active / len(trained) if trained else None), active, len(trained)
