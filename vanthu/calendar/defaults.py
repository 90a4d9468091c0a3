"""The default days off of a year, before an administrator adjusts them to the Government's notice.

The rules (Labour Code 2019, art. 112; the Prime Minister fixes the exact days of Tết and of the
second National Day holiday each year, and swaps days by notice, so the table stays editable):
- 1/1; Tết: five days (see `TetRule`); Hùng Kings' day, 10/3 lunar; 30/4; 1/5; 2/9 and one day
  next to it.
- Tết's five days, by default from 29 tháng Chạp (the old year's 29th, whether or not it has a
  30th): the rule the notices of 2023 (20–24/1), 2024 (8–12/2), 2025 (28/1–1/2) and 2026 (16–20/2)
  followed. Other rules: from the old year's last day (29 or 30 Tết) through 4 Tết, or from
  28 Chạp.
- The day next to 2/9: 1/9 when it is a weekday, but 3/9 when 2/9 is a Thursday (a Friday off
  joins the weekend) — what the notices of 2021 (3/9), 2022 (1/9), 2023 (1/9), 2024 (3/9) and
  2025 (1/9) did.
- A holiday on a Saturday or Sunday gives a compensatory day off (nghỉ bù) on the next working
  day (art. 111(3)); e.g. 2022: 30/4 and 1/5 on a weekend → 2/5 and 3/5 off.
- Make-up working days (ngày làm bù) come only with a swap the Government announces: none by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import lunar


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Nghỉ lễ, Tết")
    DAY_OFF = "day_off", _("Nghỉ bù, nghỉ hoán đổi")
    MAKEUP = "makeup", _("Làm bù")


class TetRule(models.TextChoices):
    FROM_29 = "from_29", _("Từ 29 tháng Chạp, 5 ngày")
    LAST_DAY = "last_day", _("Từ ngày cuối năm âm lịch (29 hoặc 30 Tết) đến hết mùng 4")
    FROM_28 = "from_28", _("Từ 28 tháng Chạp, 5 ngày")


TET_DAYS = 5


@dataclass(frozen=True)
class Day:
    date: date
    kind: str
    name: str


def is_weekend(d: date) -> bool:
    return d.weekday() >= 5


def tet_days(year: int, rule: str = TetRule.FROM_29) -> list[date]:
    first_day = lunar.tet(year)
    if rule == TetRule.LAST_DAY:
        start = first_day - timedelta(days=1)
    else:
        # Day 28 or 29 of the month before Tết (tháng Chạp), whatever its length.
        chap = lunar.from_jdn(lunar.month_start_before(lunar.jdn(first_day)))
        start = chap + timedelta(days=(29 if rule == TetRule.FROM_29 else 28) - 1)
    return [start + timedelta(days=i) for i in range(TET_DAYS)]


def national_day_extra(year: int) -> date:
    national = date(year, 9, 2)
    before = national - timedelta(days=1)
    if national.weekday() == 3 or is_weekend(before):
        return national + timedelta(days=1)
    return before


def default_days(year: int, tet_rule: str = TetRule.FROM_29) -> list[Day]:
    """The year's days off by the rules above, compensatory days included, in date order."""
    holidays: list[Day] = [Day(date(year, 1, 1), DayKind.HOLIDAY, str(_("Tết Dương lịch")))]
    for i, d in enumerate(tet_days(year, tet_rule)):
        holidays.append(Day(d, DayKind.HOLIDAY, str(_("Tết Nguyên đán (ngày %(n)s/%(total)s)") % {"n": i + 1, "total": TET_DAYS})))
    holidays.append(Day(lunar.to_solar(year, 3, 10), DayKind.HOLIDAY, str(_("Giỗ Tổ Hùng Vương (10/3 âm lịch)"))))
    holidays.append(Day(date(year, 4, 30), DayKind.HOLIDAY, str(_("Ngày Chiến thắng (30/4)"))))
    holidays.append(Day(date(year, 5, 1), DayKind.HOLIDAY, str(_("Ngày Quốc tế Lao động (1/5)"))))
    holidays.append(Day(date(year, 9, 2), DayKind.HOLIDAY, str(_("Quốc khánh (2/9)"))))
    holidays.append(Day(national_day_extra(year), DayKind.HOLIDAY, str(_("Quốc khánh (ngày liền kề 2/9)"))))
    # Two holidays may share a day (Hùng Kings' day on 30/4): keep the first name.
    by_date: dict[date, Day] = {}
    for h in holidays:
        by_date.setdefault(h.date, h)
    taken = set(by_date)
    out = list(by_date.values())
    for h in sorted(by_date.values(), key=lambda h: h.date):
        if not is_weekend(h.date):
            continue
        comp = h.date + timedelta(days=1)
        while is_weekend(comp) or comp in taken:
            comp += timedelta(days=1)
        taken.add(comp)
        out.append(Day(comp, DayKind.DAY_OFF, str(_("Nghỉ bù %(name)s") % {"name": h.name})))
    # A compensatory day of a late-December holiday may fall in the next year: it belongs there.
    return sorted((d for d in out if d.date.year == year), key=lambda d: d.date)
