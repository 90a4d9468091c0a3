"""Working days: Monday to Friday, less the year's days off, plus its make-up days (làm bù).

Every deadline in VanThu counts with these three functions:

- `is_working_day(d)`.
- `add_working_days(start, n)`: the n-th working day *after* `start`; `start` itself never
  counts, whatever day it is. So "hạn 5 ngày làm việc kể từ ngày nhận" for a document received
  on Monday 4 May 2026 is Monday 11 May; received on Saturday 2 May, it is Friday 8 May.
  `n = 0` gives `start` unchanged.
- `working_days_between(d1, d2)`: the working days after `d1` up to and including `d2`
  (negative when `d2` is before `d1`), so that `add_working_days(d, n) == e` implies
  `working_days_between(d, e) == n`.

They read a per-process cache: each year's working days as a sorted tuple of ordinals, built
once from the year's rows (or its defaults, for a year nobody edited). A loop of calls makes no
query. An edit in this process drops the year at once; other processes notice it by the year's
`stamp`, compared once at the start of each request that uses the calendar, and at most
`RECHECK_SECONDS` later in long-running work (the worker).
"""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass
from datetime import date

from .defaults import DayKind, default_days
from .models import FIRST_YEAR, LAST_YEAR, CalendarYear, SpecialDay

RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class _Year:
    stamp: str  # "" for a year that follows the defaults (no row)
    working: tuple[int, ...]  # ordinals of the working days, ascending


_cache: dict[int, _Year] = {}
_lock = threading.Lock()
_state = {"recheck": False, "checked_at": 0.0}


def recheck_soon(**_signal) -> None:
    """On every request's start (wired in apps.py): compare the cached years' stamps once."""
    _state["recheck"] = True


def forget(year: int | None = None) -> None:
    """Drop a cached year (or all): after an edit in this process, and between tests."""
    with _lock:
        if year is None:
            _cache.clear()
        else:
            _cache.pop(year, None)


def _check_stamps() -> None:
    now = time.monotonic()
    if not _cache or (not _state["recheck"] and now - _state["checked_at"] < RECHECK_SECONDS):
        return
    _state["recheck"] = False
    _state["checked_at"] = now
    stamps = dict(CalendarYear.objects.filter(year__in=list(_cache)).values_list("year", "stamp"))
    with _lock:
        for year, cached in list(_cache.items()):
            if stamps.get(year, "") != cached.stamp:
                _cache.pop(year, None)


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the working-day calendar covers {FIRST_YEAR}–{LAST_YEAR}, not {year}")


def _build(year: int) -> _Year:
    row = CalendarYear.objects.filter(year=year).values_list("stamp", flat=True).first()
    if row is None:
        special = {d.date.toordinal(): d.kind for d in default_days(year)}
        stamp = ""
    else:
        special = {d.toordinal(): k for d, k in SpecialDay.objects.filter(year_id=year).values_list("date", "kind")}
        stamp = row
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    working = []
    for o in range(first, last + 1):
        kind = special.get(o)
        weekday = (o - 1) % 7 < 5  # date.fromordinal(1) is a Monday
        if kind == DayKind.MAKEUP or (weekday and kind is None):
            working.append(o)
    return _Year(stamp, tuple(working))


def _working(year: int) -> tuple[int, ...]:
    check_year(year)
    _check_stamps()
    cached = _cache.get(year)
    if cached is None:
        cached = _build(year)
        with _lock:
            _cache[year] = cached
    return cached.working


def is_working_day(d: date) -> bool:
    days = _working(d.year)
    o = d.toordinal()
    i = bisect.bisect_left(days, o)
    return i < len(days) and days[i] == o


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (n ≥ 0; `start` never counts; n = 0 gives `start`)."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if n == 0:
        return start
    year = start.year
    days = _working(year)
    left = n + bisect.bisect_right(days, start.toordinal())  # counted from the year's first working day
    while left > len(days):
        left -= len(days)
        year += 1
        days = _working(year)
    return date.fromordinal(days[left - 1])


def _rank(d: date) -> tuple[int, int]:
    """(year, how many of its working days are on or before d)."""
    return d.year, bisect.bisect_right(_working(d.year), d.toordinal())


def working_days_between(d1: date, d2: date) -> int:
    """Working days after d1 up to and including d2; negative when d2 is before d1."""
    if d2 < d1:
        return -working_days_between(d2, d1)
    (y1, r1), (y2, r2) = _rank(d1), _rank(d2)
    if y1 == y2:
        return r2 - r1
    return len(_working(y1)) - r1 + sum(len(_working(y)) for y in range(y1 + 1, y2)) + r2


@dataclass(frozen=True)
class YearView:
    """A year's special days as the pages and the API show them."""

    year: int
    edited: bool  # written out (seeded or edited) rather than the defaults
    tet_rule: str
    days: list  # of SpecialDay rows, or defaults.Day for a year that follows the defaults


def year_view(year: int) -> YearView:
    check_year(year)
    row = CalendarYear.objects.filter(year=year).first()
    if row is None:
        return YearView(year, False, "from_29", default_days(year))
    return YearView(year, True, row.tet_rule, list(SpecialDay.objects.filter(year=row)))
