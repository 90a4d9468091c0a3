"""The acknowledgement tallies: derived data kept in the acknowledging transaction, and rebuilt
from the acknowledgements themselves (after a bulk load, or if a regulation was deleted)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F

from .models import Acknowledgement, AcknowledgementTally


def count_acknowledgement(org_id: int, year: int) -> None:
    """One more acknowledgement for the organisation's year; inside the caller's transaction."""
    row, created = AcknowledgementTally.objects.get_or_create(organization_id=org_id, year=year, defaults={"n": 1})
    if not created:
        AcknowledgementTally.objects.filter(pk=row.pk).update(n=F("n") + 1)


@transaction.atomic
def rebuild(year: int | None = None, org_ids: list[int] | None = None) -> int:
    """Recompute the tallies (of one year, or all; of some organisations, or all) from the
    acknowledgements; returns the rows written."""
    acks = Acknowledgement.objects.all()
    tallies = AcknowledgementTally.objects.all()
    if year is not None:
        acks, tallies = acks.filter(regulation__year=year), tallies.filter(year=year)
    if org_ids is not None:
        acks, tallies = acks.filter(organization_id__in=org_ids), tallies.filter(organization_id__in=org_ids)
    tallies.delete()
    rows = [AcknowledgementTally(organization_id=r["organization_id"], year=r["regulation__year"], n=r["n"])
            for r in acks.values("organization_id", "regulation__year").annotate(n=Count("id")).order_by()]
    AcknowledgementTally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
