"""The retention periods every installation starts with (also seeded by migration 0002)."""

from __future__ import annotations

from .models import RetentionPeriod

PERIODS = [("VV", "Vĩnh viễn", None, 1), ("70", "70 năm", 70, 2), ("20", "20 năm", 20, 3),
           ("10", "10 năm", 10, 4), ("05", "5 năm", 5, 5)]


def ensure_retention_periods() -> None:
    """Idempotent: a period an administrator edited is left as it is."""
    for code, label, years, order in PERIODS:
        RetentionPeriod.objects.get_or_create(code=code, defaults={"label": label, "years": years, "sort_order": order})
