"""Numbers, shares, durations and dates as people read them, in the page's language.

One place for pages, exports and PDFs alike, built on Django's localisation (the separators come
from the format modules in `vanthu/ui/locale_formats`): in Vietnamese 1.234.567, 99,4% and
16,8 giờ; in English 1,234,567, 99.4% and 16.8 hours. Dates are dd/mm/yyyy in both languages
(Vietnamese documents are dated so, whatever language the reader chose); times in Asia/Ho_Chi_Minh.

An unknown value (nothing to divide, no duration measured) is a dash on a page (`DASH`); the
exports pass `empty=""` so that a spreadsheet cell stays empty.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

DASH = "—"
DATE = "%d/%m/%Y"
DATE_TIME = "%d/%m/%Y %H:%M"


def number(value: int | float | Decimal | None, digits: int = 0, *, empty: str = DASH) -> str:
    """A count or an amount with thousands grouped: 1.234.567 (vi), 1,234,567 (en)."""
    if value is None:
        return empty
    return number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def percent(share: float | Decimal | None, digits: int = 1, *, empty: str = DASH) -> str:
    """A share 0..1 as a percentage: 99,4% (vi), 99.4% (en)."""
    if share is None:
        return empty
    return number(round(float(share) * 100, digits), digits) + "%"


def hours(value: float | None, *, empty: str = DASH) -> str:
    """A duration in hours, as minutes below one hour: 45 phút, 16,8 giờ (vi); 16.8 hours (en)."""
    if value is None:
        return empty
    if value < 1:
        return _("%(m)s phút") % {"m": number(round(value * 60))}
    return _("%(h)s giờ") % {"h": number(value, 1)}


def day(value: date | datetime | None, *, empty: str = "") -> str:
    """dd/mm/yyyy; a datetime first moved to Asia/Ho_Chi_Minh (its day there)."""
    if not value:
        return empty
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime(DATE)


def day_time(value: datetime | None, *, empty: str = "") -> str:
    """dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh."""
    if not value:
        return empty
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(DATE_TIME)
