"""The working-day calendar in the API: deadlines counted in working days, a year's days off."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from vanthu.errors import Unprocessable

from . import workdays
from .defaults import DayKind
from .models import FIRST_YEAR, LAST_YEAR

router = Router(tags=["calendar"])


class AddWorkingDaysIn(Schema):
    start: date
    days: int = Field(ge=0, le=3660)


class DateOut(Schema):
    date: date


class BetweenIn(Schema):
    start: date
    end: date


class DaysOut(Schema):
    days: int


class SpecialDayOut(Schema):
    date: date
    kind: str
    kind_label: str
    name: str


class YearOut(Schema):
    year: int
    edited: bool
    items: list[SpecialDayOut]
    count: int


def _out_of_range() -> Unprocessable:
    return Unprocessable(_("Lịch làm việc chỉ tính cho các năm %(first)s–%(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                         code="date_out_of_range")


@router.get("/calendar/add-working-days", response=DateOut, summary="Ngày sau N ngày làm việc")
def add_working_days(request, params: Query[AddWorkingDaysIn]):
    """The `days`-th working day after `start` (start itself not counted; 0 gives start)."""
    try:
        return {"date": workdays.add_working_days(params.start, params.days)}
    except ValueError:
        raise _out_of_range() from None


@router.get("/calendar/working-days-between", response=DaysOut, summary="Số ngày làm việc giữa hai ngày")
def working_days_between(request, params: Query[BetweenIn]):
    """Working days after `start` up to and including `end` (negative if `end` is before `start`)."""
    try:
        return {"days": workdays.working_days_between(params.start, params.end)}
    except ValueError:
        raise _out_of_range() from None


@router.get("/calendar/holidays", response=YearOut, summary="Ngày nghỉ lễ, nghỉ bù, làm bù của một năm")
def holidays(request, year: int):
    try:
        view = workdays.year_view(year)
    except ValueError:
        raise _out_of_range() from None
    items = [{"date": d.date, "kind": d.kind, "kind_label": str(DayKind(d.kind).label), "name": d.name} for d in view.days]
    return {"year": year, "edited": view.edited, "items": items, "count": len(items)}
