"""Figures for organisations and periods, read from the maintained aggregates.

A period is split into whole months (read from the monthly tables: 12 rows per organisation
for a year) and the remaining days (read from the daily tables), so any period costs about the
same. "Late" includes deliveries still open past their deadline, which depends on today: that
part is read from `OpenDeadline` with today's date, so figures are as of now.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents.models import DocumentType, Urgency
from vanthu.errors import Unprocessable

from . import aggregates
from .aggregates import KIND_ACCEPT, KIND_DONE, bucket_hours
from .models import (
    COUNT_FIELDS,
    TYPE_COUNT_FIELDS,
    HistDay,
    HistMonth,
    HistYear,
    OpenDeadline,
    OrgDay,
    OrgMonth,
    TypeDay,
)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    kind: str = "custom"

    @property
    def label(self) -> str:
        d1, d2 = self.date_from, self.date_to
        if self.kind == "year":
            return _("Năm %(y)s") % {"y": d1.year}
        if self.kind == "quarter":
            return _("Quý %(q)s năm %(y)s") % {"q": ROMAN[(d1.month - 1) // 3 + 1], "y": d1.year}
        if self.kind == "month":
            return _("Tháng %(m)s/%(y)s") % {"m": d1.month, "y": d1.year}
        return _("Từ %(a)s đến %(b)s") % {"a": d1.strftime("%d/%m/%Y"), "b": d2.strftime("%d/%m/%Y")}

    def query(self) -> str:
        return f"date_from={self.date_from.isoformat()}&date_to={self.date_to.isoformat()}"

    def months(self) -> list[date]:
        out, m = [], self.date_from.replace(day=1)
        while m <= self.date_to:
            out.append(m)
            m = _next_month(m)
        return out


def _next_month(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _month_end(m: date) -> date:
    return m.replace(day=calendar.monthrange(m.year, m.month)[1])


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return Period(start, _month_end(date(year, 3 * quarter, 1)), "quarter")


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(start, _month_end(start), "month")


def make_period(date_from: date | None = None, date_to: date | None = None, *, year: int | None = None,
                quarter: int | None = None, month: int | None = None) -> Period:
    """A period from explicit dates, or a year, a quarter or a month of a year (default: this year)."""
    if date_from or date_to:
        if not (date_from and date_to):
            raise Unprocessable(_("Cần cả ngày bắt đầu và ngày kết thúc."), code="period_incomplete", details={"field": "date_to" if date_from else "date_from"})
        if date_to < date_from:
            raise Unprocessable(_("Ngày kết thúc phải sau ngày bắt đầu."), code="period_reversed", details={"field": "date_to"})
        if (date_to - date_from).days > 366 * 10:
            raise Unprocessable(_("Khoảng thời gian quá dài (tối đa 10 năm)."), code="period_too_long", details={"field": "date_to"})
        for kind, p in _named_periods(date_from.year):
            if (p.date_from, p.date_to) == (date_from, date_to):
                return Period(date_from, date_to, kind)
        return Period(date_from, date_to)
    year = timezone.localdate().year if year is None else year  # 0 is a bad year, not "this year"
    if not 2000 <= year <= 2100:
        raise Unprocessable(_("Năm không hợp lệ."), code="invalid_year", details={"field": "year"})
    if quarter is not None:
        if quarter not in ROMAN:
            raise Unprocessable(_("Quý phải từ 1 đến 4."), code="invalid_quarter", details={"field": "quarter"})
        return quarter_period(year, quarter)
    if month is not None:
        if not 1 <= month <= 12:
            raise Unprocessable(_("Tháng phải từ 1 đến 12."), code="invalid_month", details={"field": "month"})
        return month_period(year, month)
    return year_period(year)


def _named_periods(year: int):
    yield "year", year_period(year)
    for q in range(1, 5):
        yield "quarter", quarter_period(year, q)
    for m in range(1, 13):
        yield "month", month_period(year, m)


def split(period: Period) -> tuple[list[date], list[date], list[tuple[date, date]]]:
    """Whole years, whole months (outside those years) and the day ranges left at the ends."""
    months, ranges = [], []
    d1, d2 = period.date_from, period.date_to
    for m in period.months():
        start, end = max(m, d1), min(_month_end(m), d2)
        if start == m and end == _month_end(m):
            months.append(m)
        else:
            ranges.append((start, end))
    years = sorted({m.replace(month=1) for m in months if all(date(m.year, k, 1) in months for k in range(1, 13))})
    months = [m for m in months if m.replace(month=1) not in years]
    return years, months, ranges


# --- figures ---------------------------------------------------------------------------------

def _share(num: int, den: int) -> float | None:
    return None if not den else num / den


def percentile_hours(hist: Counter, p: float) -> float | None:
    """Nearest-rank percentile of the durations in `hist` (bucket → count), in hours."""
    n = sum(hist.values())
    if not n:
        return None
    rank = max(1, math.ceil(p * n))
    seen = 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return round(bucket_hours(b), 2)
    return None  # pragma: no cover - unreachable


@dataclass
class Figures:
    counts: Counter = field(default_factory=Counter)
    hist: dict[int, Counter] = field(default_factory=lambda: {KIND_ACCEPT: Counter(), KIND_DONE: Counter()})
    late_open: int = 0

    def merge(self, other: Figures) -> None:
        self.counts.update(other.counts)
        for k, h in other.hist.items():
            self.hist[k].update(h)
        self.late_open += other.late_open

    def __getattr__(self, name: str) -> Any:
        if name in COUNT_FIELDS:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    @property
    def late(self) -> int:
        return self.counts.get("late_done", 0) + self.late_open

    @property
    def electronic_share(self) -> float | None:
        return _share(self.received_electronic, self.received)

    @property
    def authenticated_share(self) -> float | None:
        # Unknown verdicts make the share unknown: never count them as authenticated.
        if self.auth_unknown:
            return None
        return _share(self.auth_yes, self.received)

    @property
    def late_share(self) -> float | None:
        return _share(self.late, self.with_deadline)

    @property
    def on_time_share(self) -> float | None:
        late = self.late_share
        return None if late is None else 1 - late

    @property
    def at_arrived_share(self) -> float | None:
        return _share(self.at_arrived, self.received)

    @property
    def sent_at_arrived_share(self) -> float | None:
        return _share(self.sent_at_arrived, self.sent_deliveries)

    def hours(self, kind: int, p: float) -> float | None:
        return percentile_hours(self.hist[kind], p)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent, "received": self.received,
            "received_electronic": self.received_electronic, "received_paper": self.received_paper,
            "received_authenticated": self.auth_yes, "received_authentication_unknown": self.auth_unknown,
            "accepted": self.accepted, "rejected": self.rejected, "done": self.done,
            "with_deadline": self.with_deadline, "late": self.late, "late_done": self.late_done, "late_open": self.late_open,
            "never_past_arrived": self.at_arrived, "sent_deliveries": self.sent_deliveries,
            "sent_recipients_never_past_arrived": self.sent_at_arrived,
            "electronic_share": self.electronic_share, "authenticated_share": self.authenticated_share,
            "late_share": self.late_share, "on_time_share": self.on_time_share,
            "never_past_arrived_share": self.at_arrived_share,
            "sent_recipients_never_past_arrived_share": self.sent_at_arrived_share,
            "median_hours_to_accept": self.hours(KIND_ACCEPT, 0.5), "p90_hours_to_accept": self.hours(KIND_ACCEPT, 0.9),
            "median_hours_to_done": self.hours(KIND_DONE, 0.5), "p90_hours_to_done": self.hours(KIND_DONE, 0.9),
        }


def figures_by(org_ids: Iterable[int], period: Period, *, group: str = "org", with_hist: bool = True,
               today: date | None = None) -> dict[Any, Figures]:
    """Figures keyed by organisation id (`group="org"`) or by month (`group="month"`, all together).

    Durations are only merged by organisation (the trend shows counts and shares).
    """
    aggregates.fold_pending()  # never less than the records say
    ids = sorted(set(org_ids))
    today = today or timezone.localdate()
    out: dict[Any, Figures] = defaultdict(Figures)
    if not ids:
        return out
    years, months, ranges = split(period)
    whole = [date(y.year, k, 1) for y in years for k in range(1, 13)] + months
    by_org = group == "org"
    col = "organization_id" if by_org else "month"

    def key(org: int, day: date) -> Any:
        return org if by_org else day.replace(day=1)

    sums = {f: Sum(f) for f in COUNT_FIELDS}
    if whole:
        for row in OrgMonth.objects.filter(organization_id__in=ids, month__in=whole).values(col).annotate(**sums).values_list(col, *COUNT_FIELDS).order_by():
            out[row[0]].counts.update({f: v for f, v in zip(COUNT_FIELDS, row[1:], strict=True) if v})
    for d1, d2 in ranges:
        for row in OrgDay.objects.filter(organization_id__in=ids, day__range=(d1, d2)).values_list("organization_id", "day", *COUNT_FIELDS):
            out[key(row[0], row[1])].counts.update({f: v for f, v in zip(COUNT_FIELDS, row[2:], strict=True) if v})
    if with_hist and by_org:
        hist_sources = [(HistYear, "year", years), (HistMonth, "month", months)]
        for model, field_name, values in hist_sources:
            if values:
                qs = model.objects.filter(organization_id__in=ids, **{f"{field_name}__in": values})
                for org, kind, b, n in qs.values("organization_id", "kind", "bucket").annotate(t=Sum("n")).values_list("organization_id", "kind", "bucket", "t").order_by():
                    out[org].hist[kind][b] += n
        for d1, d2 in ranges:
            for org, kind, b, n in HistDay.objects.filter(organization_id__in=ids, day__range=(d1, d2)).values_list("organization_id", "kind", "bucket", "n"):
                out[org].hist[kind][b] += n
    # Open past the deadline = every open one with a deadline, minus those not due yet (few rows,
    # read through the deadline index).
    not_due = OpenDeadline.objects.filter(deadline__gte=today, organization_id__in=ids,
                                          day__range=(period.date_from, period.date_to), n__gt=0)
    pending: dict[Any, int] = defaultdict(int)
    if by_org:
        for org, n in not_due.values("organization_id").annotate(t=Sum("n")).values_list("organization_id", "t").order_by():
            pending[org] += n
    else:
        for day, n in not_due.values("day").annotate(t=Sum("n")).values_list("day", "t").order_by():
            pending[day.replace(day=1)] += n
    for k, fig in out.items():
        fig.late_open = fig.counts.get("open_deadline", 0) - pending.get(k, 0)
    return out


def figures_for(org_ids: Iterable[int], period: Period, *, today: date | None = None) -> Figures:
    """All the given organisations' figures together (an organisation with its subtree)."""
    total = Figures()
    for fig in figures_by(org_ids, period, today=today).values():
        total.merge(fig)
    return total


def per_org(org_ids: Iterable[int], period: Period, *, today: date | None = None) -> dict[int, Figures]:
    ids = list(org_ids)
    got = figures_by(ids, period, today=today)
    return {i: got.get(i, Figures()) for i in ids}


def trend(org_ids: Iterable[int], period: Period, *, today: date | None = None) -> list[tuple[date, Figures]]:
    """Month by month, every organisation together (counts and shares, without durations)."""
    by = figures_by(org_ids, period, group="month", with_hist=False, today=today)
    return [(m, by.get(m, Figures())) for m in period.months()]


def by_type(org_ids: Iterable[int], period: Period) -> list[dict[str, Any]]:
    """Counts per document type and urgency."""
    aggregates.fold_pending()
    rows = (
        TypeDay.objects.filter(organization_id__in=list(org_ids), day__range=(period.date_from, period.date_to))
        .values("doc_type_id", "urgency").annotate(**{f: Sum(f) for f in TYPE_COUNT_FIELDS}).order_by()
    )
    types = {t.id: t for t in DocumentType.objects.all()}
    out = []
    for row in rows:
        t = types.get(row["doc_type_id"])
        out.append({
            "doc_type": t.code if t else str(row["doc_type_id"]), "doc_type_name": t.name if t else "",
            "urgency": row["urgency"], "urgency_label": str(Urgency(row["urgency"]).label) if row["urgency"] in Urgency.values else row["urgency"],
            **{f: row[f] or 0 for f in TYPE_COUNT_FIELDS},
            "electronic_share": _share(row["received_electronic"] or 0, row["received"] or 0),
        })
    out.sort(key=lambda r: (-(r["sent"] + r["received"]), r["doc_type"], r["urgency"]))
    return out
