"""The calendar page: installation administrators only; adding, changing and removing days."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from vanthu.calendar import workdays
from vanthu.calendar.models import SpecialDay
from vanthu.testing import factories as f


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def admin(db):
    return f.make_installation_admin(f.make_org("Đảng ủy Khối"))


def test_only_installation_administrators_open_the_calendar(db):
    org = f.make_org()
    for user in (f.make_user(org, "admin", "leader", "clerk"), f.make_user(org, "specialist")):
        c = signed_in(user)
        assert c.get("/calendar/2026/").status_code == 403
        assert c.post("/calendar/2026/days/", {"date": "07/03/2026", "kind": "makeup", "name": "Làm bù"}).status_code == 403
    assert not SpecialDay.objects.exists()
    assert Client().get("/calendar/2026/").status_code == 302  # to the login page


def test_the_year_page_shows_the_default_holidays_with_lunar_dates(admin):
    html = signed_in(admin).get("/calendar/2026/").content.decode()
    assert "Lịch làm việc năm 2026" in html and "Năm này đang theo lịch mặc định" in html
    assert "17/02/2026" in html and "Giỗ Tổ Hùng Vương (10/3 âm lịch)" in html and "10/3" in html
    assert "Nghỉ bù Giỗ Tổ Hùng Vương" in html  # 26/4/2026 is a Sunday: 27/4 off
    assert '<a href="/calendar/"' in html  # in the administrator's menu


def test_an_administrator_adds_a_make_up_saturday_and_removes_a_day(admin):
    c = signed_in(admin)
    assert workdays.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 10)
    r = c.post("/calendar/2025/days/", {"date": "08/02/2025", "kind": "makeup", "name": "Làm bù cho thứ Hai 27/01"})
    assert r.status_code == 302
    assert workdays.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    r = c.post("/calendar/2025/days/", {"date": "12/02/2025", "kind": "makeup", "name": "Làm bù"})  # a Wednesday
    assert r.status_code == 422 and "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật" in r.content.decode()
    r = c.post("/calendar/2025/days/2025-02-03/remove/")
    assert r.status_code == 302 and workdays.is_working_day(date(2025, 2, 3))
    assert c.post("/calendar/2025/days/2025-02-30/remove/").status_code == 404
    html = c.get("/calendar/2025/").content.decode()
    assert "Làm bù cho thứ Hai 27/01" in html and "Năm này đang theo lịch mặc định" not in html
