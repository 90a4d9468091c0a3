"""The raw records behind a number, and the registers of a period: deliveries and documents.

These read the raw tables (not the aggregates) with the same definitions as `aggregates.py`,
so that a clicked number lists exactly the documents it counts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vanthu.documents.models import Delivery, DocStatus, Document, StatusCode

from .aggregates import NOT_PAST_ARRIVAL
from .figures import Period

STUCK_DAYS = 7

METRICS = ("received", "electronic", "paper", "never_past_arrived", "late", "stuck", "done", "sent")


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's local days as an aware [start, end) interval (index-friendly)."""
    tz = timezone.get_default_timezone()
    return (datetime.combine(period.date_from, time.min, tz),
            datetime.combine(period.date_to + timedelta(days=1), time.min, tz))


def received(org_ids: list[int], period: Period) -> QuerySet[Delivery]:
    start, end = bounds(period)
    return Delivery.objects.filter(recipient_id__in=org_ids, arrived_at__gte=start, arrived_at__lt=end)


def late(qs: QuerySet[Delivery], today: date | None = None) -> QuerySet[Delivery]:
    """Done after the deadline, or still open past it (as of today)."""
    today = today or timezone.localdate()
    return qs.filter(deadline__isnull=False).exclude(status_code=StatusCode.REJECTED).filter(
        Q(done_at__isnull=False, done_at__date__gt=F("deadline")) | Q(done_at__isnull=True, deadline__lt=today)
    )


def stuck(qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Open (not rejected, not done) and untouched for more than a week."""
    cutoff = timezone.now() - timedelta(days=STUCK_DAYS)
    return qs.exclude(status_code__in=[StatusCode.REJECTED, StatusCode.DONE]).filter(updated_at__lt=cutoff)


def deliveries_for(metric: str, org_ids: list[int], period: Period) -> QuerySet[Delivery]:
    qs = received(org_ids, period)
    if metric == "electronic":
        qs = qs.filter(source="electronic")
    elif metric == "paper":
        qs = qs.filter(source="paper")
    elif metric == "never_past_arrived":
        qs = qs.filter(status_code__in=NOT_PAST_ARRIVAL)
    elif metric == "late":
        qs = late(qs)
    elif metric == "stuck":
        qs = stuck(qs)
    elif metric == "done":
        qs = qs.filter(done_at__isnull=False)
    return qs.select_related("document__issuer", "document__doc_type", "recipient").order_by("-arrived_at", "-id")


def sent(org_ids: list[int], period: Period) -> QuerySet[Document]:
    start, end = bounds(period)
    return (Document.objects.filter(issuer_id__in=org_ids, issued_at__gte=start, issued_at__lt=end,
                                    status__in=[DocStatus.ISSUED, DocStatus.REVOKED])
            .select_related("issuer", "doc_type").order_by("issued_at", "id"))


def incoming_register(org_id: int, period: Period) -> QuerySet[Delivery]:
    """The incoming register (sổ văn bản đến): accepted records of the period, by incoming number."""
    start, end = bounds(period)
    return (Delivery.objects.registered().filter(recipient_id=org_id, accepted_at__gte=start, accepted_at__lt=end)
            .select_related("document__issuer", "document__doc_type").order_by("accepted_at", "incoming_number", "id"))


def outgoing_register(org_id: int, period: Period) -> QuerySet[Document]:
    """The outgoing register (sổ văn bản đi): documents issued in the period, by number."""
    return sent([org_id], period).prefetch_related("recipients")
