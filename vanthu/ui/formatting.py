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
DAY_PATTERN = "%d/%m/%Y"
DAY_TIME_PATTERN = "%d/%m/%Y %H:%M"


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
    return value.strftime(DAY_PATTERN)


def day_time(value: datetime | None, *, empty: str = "") -> str:
    """dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh."""
    if not value:
        return empty
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(DAY_TIME_PATTERN)


# --- table cells of exports ---------------------------------------------------------------------
# An export's column says what it holds. The XLSX writers store the value itself (a number, a
# date) with the number format below, so that Excel sums, sorts and charts it and shows it in
# the reader's own Excel locale; the PDF writers print it as the page does (`cell_text`).

TEXT, INT, SHARE, HOURS, SCORE, DATE, DATETIME = "text", "int", "share", "hours", "score", "date", "datetime"
XLSX_FORMATS = {INT: "#,##0", SHARE: "0.0%", HOURS: "0.0", SCORE: "0.00", DATE: "dd/mm/yyyy", DATETIME: "dd/mm/yyyy hh:mm"}
MISSED_FILL = "FDE2E2"  # the light red of a missed target, as on the pages


def cell_text(kind: str, value: object) -> str:
    """A cell as a printed table shows it: 1.234, 99,4%, 16,8, 05/03/2026 (Vietnamese)."""
    if value is None or value == "":
        return ""
    if kind == INT:
        return number(value)  # type: ignore[arg-type]
    if kind == SHARE:
        return percent(value, empty="")  # type: ignore[arg-type]
    if kind == HOURS:
        return number(value, 1)  # type: ignore[arg-type]
    if kind == SCORE:
        return number(value, 2)  # type: ignore[arg-type]
    if kind == DATE:
        return day(value)  # type: ignore[arg-type]
    if kind == DATETIME:
        return day_time(value)  # type: ignore[arg-type]
    return str(value)


def cell_value(kind: str, value: object) -> object:
    """A value openpyxl stores as it is: datetimes naive in local time (Excel has no time zones)."""
    if kind == DATETIME and isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind in (SHARE, HOURS, SCORE) and value is not None:
        return float(value)  # type: ignore[arg-type]
    return value


def xlsx_row(ws, kinds: list[str], row: list, *, fill: str = "") -> list:
    """The write-only cells of one row: each value with its column's number format."""
    from openpyxl.cell import WriteOnlyCell  # openpyxl loads only for an export
    from openpyxl.styles import PatternFill

    paint = PatternFill("solid", start_color=fill, end_color=fill) if fill else None
    cells = []
    for i, v in enumerate(row):
        kind = kinds[i] if i < len(kinds) else TEXT
        cell = WriteOnlyCell(ws, value=cell_value(kind, v))
        if kind in XLSX_FORMATS:
            cell.number_format = XLSX_FORMATS[kind]
        if paint:
            cell.fill = paint
        cells.append(cell)
    return cells
