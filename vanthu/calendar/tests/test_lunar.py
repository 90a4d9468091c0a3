"""The Vietnamese lunar calendar against dates known from the published calendars."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vanthu.calendar import lunar

# Tết Nguyên đán in Vietnam (the first day of the lunar year, reckoned at UTC+7).
TET_IN_VIETNAM = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2031: date(2031, 1, 23),
}

# Years where Vietnam's Tết is not China's (the Chinese calendar is reckoned at UTC+8):
# - 1968: the new moon of 29/1 16:29 UTC is 23:29 in Hanoi but 00:29 on 30/1 in Beijing; the North
#   celebrated Tết on 29/1, the South (then on UTC+8) on 30/1 — the eve of the Tết Offensive.
# - 1985: the winter solstice (21/12/1984 about 16:23 UTC) fell on 21 December in Hanoi but on
#   22 December in Beijing, the first day of a new month there: month 11 began on 23/11/1984 in
#   Vietnam and on 22/12/1984 in China, and the year after ran a month apart. Vietnam's Tết Ất Sửu
#   was 21/1/1985, China's Spring Festival 20/2/1985.
# - 2007: new moon 17/2 16:14 UTC — 23:14 in Hanoi, 00:14 on 18/2 in Beijing (China: 18/2).
# - 2030: new moon 2/2 16:07 UTC — 23:07 in Hanoi, 00:07 on 3/2 in Beijing (China: 3/2).
TET_DIFFERS_FROM_CHINA = {
    1968: (date(1968, 1, 29), date(1968, 1, 30)),
    1985: (date(1985, 1, 21), date(1985, 2, 20)),
    2007: (date(2007, 2, 17), date(2007, 2, 18)),
    2030: (date(2030, 2, 2), date(2030, 2, 3)),
}

# Giỗ Tổ Hùng Vương, 10/3 lunar (the public holidays of those years).
HUNG_KINGS = {2022: date(2022, 4, 10), 2023: date(2023, 4, 29), 2024: date(2024, 4, 18), 2025: date(2025, 4, 7),
              2026: date(2026, 4, 26)}

# Leap months: 2020 had a leap 4th month from 23/5, 2023 a leap 2nd month from 22/3, 2025 a
# leap 6th month from 25/7.
LEAP_MONTHS = {date(2020, 5, 23): (2020, 4), date(2023, 3, 22): (2023, 2), date(2025, 7, 25): (2025, 6)}


@pytest.mark.parametrize("year", sorted(TET_IN_VIETNAM))
def test_tet_falls_on_the_day_vietnam_celebrated_it(year):
    assert lunar.tet(year) == TET_IN_VIETNAM[year]
    assert lunar.to_lunar(TET_IN_VIETNAM[year]) == lunar.LunarDate(year, 1, 1)


@pytest.mark.parametrize("year", sorted(TET_DIFFERS_FROM_CHINA))
def test_tet_is_reckoned_at_utc_plus_7_not_beijing_time(year):
    vietnam, china = TET_DIFFERS_FROM_CHINA[year]
    assert lunar.tet(year) == vietnam
    assert lunar.tet(year) != china


@pytest.mark.parametrize("year", sorted(HUNG_KINGS))
def test_hung_kings_day_is_the_tenth_of_the_third_lunar_month(year):
    assert lunar.to_solar(year, 3, 10) == HUNG_KINGS[year]


@pytest.mark.parametrize("day", sorted(LEAP_MONTHS))
def test_leap_months_begin_where_the_calendar_puts_them(day):
    year, month = LEAP_MONTHS[day]
    assert lunar.to_lunar(day) == lunar.LunarDate(year, month, 1, leap=True)
    assert lunar.to_solar(year, month, 1, leap=True) == day
    assert lunar.to_lunar(day - timedelta(days=1)).month == month and not lunar.to_lunar(day - timedelta(days=1)).leap


def test_the_eve_of_tet_is_the_29th_or_30th_of_the_last_month():
    # 2024 and 2023 had a 30 Tết, 2025 and 2026 none (the last day of the year was the 29th).
    assert lunar.to_lunar(date(2024, 2, 9)) == lunar.LunarDate(2023, 12, 30)
    assert lunar.to_lunar(date(2023, 1, 21)) == lunar.LunarDate(2022, 12, 30)
    assert lunar.to_lunar(date(2025, 1, 28)) == lunar.LunarDate(2024, 12, 29)
    assert lunar.to_lunar(date(2026, 2, 16)) == lunar.LunarDate(2025, 12, 29)
    with pytest.raises(ValueError):
        lunar.to_solar(2024, 12, 30)


def test_conversion_round_trips_over_two_centuries():
    d = date(1901, 3, 1)
    while d < date(2100, 1, 1):
        ld = lunar.to_lunar(d)
        assert lunar.to_solar(ld.year, ld.month, ld.day, leap=ld.leap) == d
        d += timedelta(days=13)


def test_the_same_rules_at_beijing_time_give_chinas_dates(monkeypatch):
    """The difference is the meridian, nothing else: at UTC+8 the code finds China's Spring Festival."""
    cached = (lunar.new_moon_day, lunar.solar_sign, lunar.month_11_start, lunar.leap_offset)
    for fn in cached:
        fn.cache_clear()
    monkeypatch.setattr(lunar, "TZ_HOURS", 8.0)
    try:
        for year, (_vietnam, china) in TET_DIFFERS_FROM_CHINA.items():
            assert lunar.tet(year) == china
    finally:
        for fn in cached:
            fn.cache_clear()
