"""Who is told when a document arrives or is assigned, deadlines in working days, the daily reminders."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from vanthu.calendar.workdays import add_working_days
from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery
from vanthu.notifications.models import Notice, Notification
from vanthu.testing import factories as f
from vanthu.workflow import actions
from vanthu.workflow.notices import send_deadline_reminders


def told(user, kind: str | None = None) -> list[str]:
    qs = Notification.objects.filter(user=user).select_related("notice").order_by("id")
    if kind:
        qs = qs.filter(notice__kind=kind)
    return [n.notice.title for n in qs]


@pytest.fixture
def issued(world):
    a = world.a
    return f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org, world.c.org],
                    subject="Về việc tổng kết công tác năm")


def test_the_recipients_clerks_are_told_a_document_arrived(world, issued):
    for side in (world.b, world.c):
        assert told(side.clerk, "document_arrived") == [f"Văn bản đến: {issued.symbol} — Về việc tổng kết công tác năm"]
        assert told(side.leader) == [] and told(side.specialist) == []
    assert told(world.outsider.clerk) == [] and told(world.a.clerk) == []
    notice = Notice.objects.get(kind="document_arrived")
    assert notice.url == f"/documents/{issued.id}/"


def test_handlers_are_told_their_part_of_an_assignment(world, issued, api_as):
    b = world.b
    d = doc_actions.accept_delivery(f.delivery_to(issued, b.org), user=b.clerk)
    r = api_as(b.leader).post(f"/api/v1/incoming/{d.id}/assign", {
        "main_handler_id": b.specialist.id, "co_handler_ids": [b.specialist2.id], "informed_ids": [b.clerk.id],
        "working_days": 5, "note": "Đồng chí chủ trì tham mưu báo cáo"})
    assert r.status_code == 200, r.content
    due = add_working_days(actions.received_day(d), 5)
    assert r.json()["deadline"] == due.isoformat()
    label = f"{issued.symbol} — Về việc tổng kết công tác năm"
    assert told(b.specialist, "assigned") == [f"Bạn được giao chủ trì xử lý: {label}"]
    assert told(b.specialist2, "assigned") == [f"Bạn được giao phối hợp xử lý: {label}"]
    assert told(b.clerk, "assigned") == [f"Văn bản gửi bạn để biết: {label}"]
    assert told(b.leader) == []  # the one who assigned
    body = Notice.objects.get(kind="assigned", copies__user=b.specialist).body
    assert f"Hạn xử lý: {due:%d/%m/%Y}." in body and "Ý kiến chỉ đạo: Đồng chí chủ trì tham mưu báo cáo" in body


def test_a_deadline_given_twice_is_refused(world, issued, api_as):
    b = world.b
    d = doc_actions.accept_delivery(f.delivery_to(issued, b.org), user=b.clerk)
    r = api_as(b.leader).post(f"/api/v1/incoming/{d.id}/assign", {
        "main_handler_id": b.specialist.id, "working_days": 3, "deadline": "2099-01-01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "deadline_twice"
    assert not Notification.objects.filter(notice__kind="assigned").exists()


def test_the_assignment_form_counts_working_days_and_shows_how(world, issued):
    b = world.b
    d = doc_actions.accept_delivery(f.delivery_to(issued, b.org), user=b.clerk)
    c = Client()
    c.force_login(b.leader)
    html = c.get(f"/incoming/{d.id}/assign/").content.decode()
    assert "Hoặc: số ngày làm việc" in html and "không tính ngày nhận, thứ Bảy, Chủ nhật" in html
    preview = c.get("/calendar/preview/", {"start": "31/12/2025", "working_days": 2}).content.decode()
    assert "05/01/2026" in preview and "Thứ Hai" in preview
    r = c.post(f"/incoming/{d.id}/assign/", {"main_handler": b.specialist.id, "working_days": 10})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.deadline == add_working_days(actions.received_day(d), 10)


@pytest.fixture
def assigned(world, issued):
    b = world.b
    d = doc_actions.accept_delivery(f.delivery_to(issued, b.org), user=b.clerk)
    actions.assign_handlers(d, user=b.leader, main_handler_id=b.specialist.id, co_handler_ids=[b.specialist2.id])
    return d


def _deadline(d, day: date) -> None:
    Delivery.objects.filter(pk=d.pk).update(deadline=day)


def test_handlers_are_reminded_the_working_day_before_the_deadline(world, assigned):
    b = world.b
    _deadline(assigned, date(2026, 2, 23))  # the Monday after Tết's five days off (16–20/2)
    assert send_deadline_reminders(date(2026, 2, 12))["deadline_soon"] == 0  # Thursday: two working days before
    assert send_deadline_reminders(date(2026, 2, 13))["deadline_soon"] == 2  # Friday: the last working day before
    assert send_deadline_reminders(date(2026, 2, 13))["deadline_soon"] == 0  # a second run tells nobody twice
    assert send_deadline_reminders(date(2026, 2, 16)) == {"deadline_soon": 0, "overdue": 0, "overdue_head": 0}  # Tết
    assert told(b.specialist, "deadline_soon") == [f"Sắp đến hạn xử lý (23/02/2026): {assigned.document.symbol} — Về việc tổng kết công tác năm"]
    assert told(b.specialist2, "deadline_soon") and not told(b.leader, "deadline_soon")


def test_overdue_goes_to_the_handlers_then_to_the_head_on_the_second_working_day(world, assigned):
    b = world.b
    _deadline(assigned, date(2026, 1, 30))  # a Friday
    counts = send_deadline_reminders(date(2026, 2, 2))  # Monday: one working day late
    assert counts == {"deadline_soon": 0, "overdue": 2, "overdue_head": 0}
    assert told(b.specialist, "overdue") and not told(b.leader, "overdue_head")
    counts = send_deadline_reminders(date(2026, 2, 3))  # Tuesday: the second working day late
    assert counts == {"deadline_soon": 0, "overdue": 0, "overdue_head": 1}
    assert told(b.leader, "overdue_head") == [
        f"Văn bản của {b.org.name} quá hạn xử lý: {assigned.document.symbol} — Về việc tổng kết công tác năm"]
    assert "đã quá 2 ngày làm việc" in Notice.objects.get(kind="overdue_head").body
    doc_actions_done = actions.complete_handling(assigned, user=b.specialist)
    assert doc_actions_done.status_code == "06"
    assert send_deadline_reminders(date(2026, 2, 4)) == {"deadline_soon": 0, "overdue": 0, "overdue_head": 0}
