"""Deadlines in working days: weekends, 1/1, Tết, make-up Saturdays, the administrator's edits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanthu.audit.models import AuditEntry
from vanthu.calendar import actions, workdays
from vanthu.calendar.defaults import DayKind, TetRule, default_days
from vanthu.calendar.models import CalendarYear, SpecialDay
from vanthu.errors import NotAllowed, Unprocessable
from vanthu.testing import factories as f

add, between, working = workdays.add_working_days, workdays.working_days_between, workdays.is_working_day


@pytest.fixture
def admin(db):
    return f.make_installation_admin()


def test_the_office_reading_of_n_working_days_from_the_day_received(db):
    # "Hạn 5 ngày làm việc kể từ ngày nhận": the day received does not count.
    assert add(date(2026, 5, 4), 5) == date(2026, 5, 11)  # received Monday → Monday a week later
    assert add(date(2026, 5, 2), 5) == date(2026, 5, 8)  # received on a Saturday → Friday
    assert add(date(2026, 5, 4), 0) == date(2026, 5, 4)
    assert between(date(2026, 5, 4), date(2026, 5, 11)) == 5
    assert between(date(2026, 5, 11), date(2026, 5, 4)) == -5


def test_a_deadline_skips_the_weekend_and_new_years_day(db):
    # 31/12/2025 is a Wednesday; 1/1/2026 (Thursday) is a holiday.
    assert not working(date(2026, 1, 1))
    assert add(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert add(date(2025, 12, 31), 2) == date(2026, 1, 5)  # over Saturday and Sunday
    assert between(date(2025, 12, 30), date(2026, 1, 5)) == 3


def test_a_deadline_skips_tet(db):
    # Tết Bính Ngọ: 17/2/2026; by default 29 Chạp (16/2) to mùng 4 (20/2) are off.
    assert [d.date for d in default_days(2026) if "Tết Nguyên đán" in d.name] == [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]
    assert add(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_holidays_on_a_weekend_give_a_compensatory_day_off(db):
    # 2022: 30/4 and 1/5 fell on Saturday and Sunday; 2/5 and 3/5 were off.
    days = {d.date: d.kind for d in default_days(2022)}
    assert days[date(2022, 5, 2)] == DayKind.DAY_OFF and days[date(2022, 5, 3)] == DayKind.DAY_OFF
    assert add(date(2022, 4, 29), 1) == date(2022, 5, 4)
    # The day next to 2/9: 3/9/2024 (2/9 a Monday), 1/9/2025 (2/9 a Tuesday).
    assert not working(date(2024, 9, 3)) and not working(date(2025, 9, 1))


def test_a_make_up_saturday_counts_and_a_swapped_monday_does_not(admin):
    """Tết Ất Tỵ 2025 as the Government announced it: Monday 27/1 off, worked on Saturday 8/2."""
    actions.set_day(2025, user=admin, day=date(2025, 1, 27), kind=DayKind.DAY_OFF, name="Nghỉ hoán đổi (làm bù 08/02)")
    actions.set_day(2025, user=admin, day=date(2025, 2, 8), kind=DayKind.MAKEUP, name="Làm bù cho thứ Hai 27/01")
    actions.remove_day(2025, user=admin, day=date(2025, 2, 3))  # no compensatory day that year
    assert not working(date(2025, 1, 27))
    assert working(date(2025, 2, 8))
    assert add(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert add(date(2025, 2, 7), 1) == date(2025, 2, 8)  # the make-up Saturday
    assert add(date(2025, 2, 7), 2) == date(2025, 2, 10)
    assert between(date(2025, 1, 24), date(2025, 2, 10)) == 7


def test_a_deadline_spans_years(db):
    assert add(date(2025, 12, 1), 300).year == 2027
    start = date(2025, 12, 1)
    assert between(start, add(start, 300)) == 300


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), n=st.integers(min_value=0, max_value=400))
def test_adding_and_counting_agree(db, start, n):
    due = add(start, n)
    assert between(start, due) == n
    if n:
        assert working(due)
        assert between(start, due - timedelta(days=1)) == n - 1


def test_a_loop_of_deadlines_makes_no_query(db):
    add(date(2026, 3, 2), 10)  # the year is cached
    with CaptureQueriesContext(connection) as queries:
        for i in range(2000):
            add(date(2026, 3, 2) + timedelta(days=i % 200), i % 20)
            working(date(2026, 6, 1) + timedelta(days=i % 100))
    assert len(queries) == 0


def test_another_process_s_edit_is_seen_at_the_next_request(admin):
    assert working(date(2026, 3, 6))
    # Another process edits the year: the rows and the stamp change, this process's cache does not know.
    row = CalendarYear.objects.create(year=2026, stamp="other-process", updated_at="2026-01-01T00:00Z")
    SpecialDay.objects.create(year=row, date=date(2026, 3, 6), kind=DayKind.DAY_OFF, name="Nghỉ đột xuất")
    assert working(date(2026, 3, 6))  # within the same request: the cached year
    workdays.recheck_soon()  # what the start of the next request does
    assert not working(date(2026, 3, 6))


def test_only_installation_administrators_edit_the_calendar(db, admin):
    org = f.make_org()
    org_admin = f.make_user(org, "admin", "leader", "clerk")
    with pytest.raises(NotAllowed):
        actions.set_day(2026, user=org_admin, day=date(2026, 3, 7), kind=DayKind.MAKEUP, name="Làm bù")
    with pytest.raises(NotAllowed):
        actions.seed_year(2026, user=org_admin)
    assert not CalendarYear.objects.exists()


def test_edits_are_audited_and_checked(admin):
    actions.seed_year(2027, user=admin, tet_rule=TetRule.LAST_DAY)
    assert SpecialDay.objects.filter(year_id=2027, date=date(2027, 2, 5)).exists()  # 30 Tết Bính Ngọ... the eve
    with pytest.raises(Unprocessable) as e:
        actions.set_day(2027, user=admin, day=date(2027, 3, 3), kind=DayKind.MAKEUP, name="Làm bù")  # a Wednesday
    assert e.value.code == "makeup_on_weekday"
    with pytest.raises(Unprocessable):
        actions.set_day(2027, user=admin, day=date(2028, 3, 4), kind=DayKind.MAKEUP, name="Làm bù")
    actions.set_day(2027, user=admin, day=date(2027, 3, 6), kind=DayKind.MAKEUP, name="Làm bù cho 5/2")
    actions.remove_day(2027, user=admin, day=date(2027, 3, 6))
    logged = list(AuditEntry.objects.filter(action__startswith="calendar_").values_list("action", flat=True))
    assert logged == ["calendar_year_seeded", "calendar_day_set", "calendar_day_removed"]


def test_the_api_counts_working_days_and_refuses_bad_input(db, api_as):
    client = api_as(f.make_user(f.make_org(), "specialist"))
    r = client.get("/api/v1/calendar/add-working-days", start="2025-12-31", days=2)
    assert r.status_code == 200 and r.json() == {"date": "2026-01-05"}
    for bad in ({"start": "2025-13-01", "days": 1}, {"start": "2025-12-31", "days": -1}, {"start": "2025-12-31"},
                {"start": "2025-12-31", "days": "năm"}):
        r = client.get("/api/v1/calendar/add-working-days", **bad)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", bad
    r = client.get("/api/v1/calendar/add-working-days", start="2199-12-30", days=5)
    assert r.status_code == 422 and r.json()["error"]["code"] == "date_out_of_range"
    r = client.get("/api/v1/calendar/holidays", year=2026)
    assert r.status_code == 200
    body = r.json()
    assert body["edited"] is False and {"date": "2026-04-26", "kind": "holiday", "kind_label": "Nghỉ lễ, Tết",
                                         "name": "Giỗ Tổ Hùng Vương (10/3 âm lịch)"} in body["items"]
    assert client.get("/api/v1/calendar/working-days-between", start="2026-05-04", end="2026-05-11").json() == {"days": 5}
    assert api_as().get("/api/v1/calendar/add-working-days", start="2026-01-01", days=1).status_code == 401
