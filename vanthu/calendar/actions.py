"""Editing a year's calendar: installation administrators only, each change audited."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import NotAllowed, NotFound, Unprocessable
from vanthu.organizations.access import is_installation_admin

from . import workdays
from .defaults import DayKind, TetRule, default_days, is_weekend
from .models import CalendarYear, SpecialDay


def _require_admin(user) -> None:
    if not is_installation_admin(user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được sửa lịch làm việc."), code="not_installation_admin")


def _check_year(year: int) -> None:
    try:
        workdays.check_year(year)
    except ValueError:
        raise Unprocessable(_("Năm không hợp lệ."), code="invalid_year", details={"field": "year"}) from None


def _touch(row: CalendarYear, user) -> None:
    """A new stamp: every process drops its cached copy of the year (workdays.py)."""
    row.stamp = uuid.uuid4().hex
    row.updated_at = timezone.now()
    row.updated_by = user
    row.save(update_fields=["stamp", "updated_at", "updated_by", "tet_rule"])
    workdays.forget(row.year)
    transaction.on_commit(partial(workdays.forget, row.year))


def _write_defaults(row: CalendarYear) -> int:
    days = default_days(row.year, row.tet_rule)
    SpecialDay.objects.bulk_create([SpecialDay(year=row, date=d.date, kind=d.kind, name=d.name) for d in days])
    return len(days)


def _ensure_year(year: int, user) -> CalendarYear:
    """The year's row, locked; a year that followed the defaults gets them written first."""
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        row = CalendarYear.objects.create(year=year, stamp="", updated_at=timezone.now(), updated_by=user)
        _write_defaults(row)
    return row


@transaction.atomic
def seed_year(year: int, *, user, tet_rule: str = TetRule.FROM_29, replace: bool = False) -> CalendarYear:
    """Write the year's default days off (see defaults.py). With `replace`, an edited year
    starts over from the defaults (what was there is in the audit entry)."""
    _require_admin(user)
    _check_year(year)
    if tet_rule not in TetRule.values:
        raise Unprocessable(_("Cách tính ngày Tết không hợp lệ."), code="invalid_tet_rule", details={"field": "tet_rule"})
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = []
    if row is None:
        row = CalendarYear(year=year, tet_rule=tet_rule, stamp="", updated_at=timezone.now(), updated_by=user)
        row.save(force_insert=True)
    elif replace:
        before = [(d.date.isoformat(), d.kind, d.name) for d in SpecialDay.objects.filter(year=row)]
        SpecialDay.objects.filter(year=row).delete()
        row.tet_rule = tet_rule
    else:
        return row  # already written out: seeding again changes nothing
    n = _write_defaults(row)
    _touch(row, user)
    record("calendar_year_seeded", actor=user, obj=row, data={"year": year, "tet_rule": tet_rule, "days": n, "replaced": before})
    return row


def _clean_day(year: int, day: date, kind: str, name: str) -> str:
    if day is None or day.year != year:
        raise Unprocessable(_("Ngày phải thuộc năm %(year)s.") % {"year": year}, code="date_outside_year", details={"field": "date"})
    if kind not in DayKind.values:
        raise Unprocessable(_("Loại ngày không hợp lệ."), code="invalid_kind", details={"field": "kind"})
    if kind == DayKind.MAKEUP and not is_weekend(day):
        raise Unprocessable(_("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật (ngày thường vốn là ngày làm việc)."),
                            code="makeup_on_weekday", details={"field": "date"})
    name = " ".join((name or "").split())[:128]
    if not name:
        raise Unprocessable(_("Hãy ghi tên ngày (ví dụ: Làm bù cho ngày 27/01)."), code="name_required", details={"field": "name"})
    return name


@transaction.atomic
def set_day(year: int, *, user, day: date, kind: str, name: str) -> SpecialDay:
    """Add a day off or a make-up day, or change the one already on that date."""
    _require_admin(user)
    _check_year(year)
    name = _clean_day(year, day, kind, name)
    row = _ensure_year(year, user)
    existing = SpecialDay.objects.filter(year=row, date=day).first()
    before = (existing.kind, existing.name) if existing else None
    if existing is None:
        existing = SpecialDay.objects.create(year=row, date=day, kind=kind, name=name)
    else:
        existing.kind, existing.name = kind, name
        existing.save(update_fields=["kind", "name"])
    _touch(row, user)
    record("calendar_day_set", actor=user, obj=existing, data={"date": day.isoformat(), "kind": kind, "name": name, "before": before})
    return existing


@transaction.atomic
def remove_day(year: int, *, user, day: date) -> None:
    """The date becomes an ordinary day again (a working day from Monday to Friday)."""
    _require_admin(user)
    _check_year(year)
    row = _ensure_year(year, user)
    existing = SpecialDay.objects.filter(year=row, date=day).first()
    if existing is None:
        raise NotFound(_("Không có ngày này trong lịch năm %(year)s.") % {"year": year}, code="day_not_found")
    data = {"date": day.isoformat(), "kind": existing.kind, "name": existing.name}
    existing.delete()
    _touch(row, user)
    record("calendar_day_removed", actor=user, obj=row, data=data)
