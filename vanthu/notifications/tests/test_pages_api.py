"""The bell, the list, the preferences, in pages and the API; and no one sees another's notifications."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vanthu.audit.models import AuditEntry
from vanthu.notifications.actions import notify
from vanthu.notifications.models import Notification, Preference
from vanthu.testing import factories as f


@pytest.fixture
def two(db):
    org, other_org = f.make_org("Đảng bộ Sở Tài chính"), f.make_org("Đảng bộ Sở Y tế")
    mine = f.make_user(org, "specialist", full_name="Nguyễn Thị Lan")
    theirs = f.make_user(other_org, "clerk", full_name="Trần Văn Hùng")
    notify([mine], kind="test_event", title="Văn bản đến: 15-CV/ĐUK — Về việc của Lan", url="/documents/1/", org=org)
    notify([mine], kind="test_event", title="Lịch họp chi bộ tháng 5")
    notify([theirs], kind="test_event", title="Bí mật của Sở Y tế", url="/documents/2/", org=other_org)
    return mine, theirs


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_bell_shows_the_unread_count_on_every_page(two):
    mine, _theirs = two
    c = signed_in(mine)
    html = c.get("/notifications/").content.decode()
    assert re.search(r'class="bell-count" data-unread="2">2<', html)
    assert 'hx-get="/notifications/bell/"' in html
    c.post(f"/notifications/{Notification.objects.filter(user=mine).first().id}/read/")
    assert 'data-unread="1">1<' in c.get("/notifications/bell/").content.decode()
    c.post("/notifications/read-all/")
    assert 'data-unread="0"><' in c.get("/notifications/bell/").content.decode()


def test_the_list_shows_ones_own_and_opening_one_reads_it(two):
    mine, theirs = two
    c = signed_in(mine)
    html = c.get("/notifications/").content.decode()
    assert "Về việc của Lan" in html and "Lịch họp chi bộ tháng 5" in html and "Bí mật của Sở Y tế" not in html
    n = Notification.objects.get(user=mine, notice__url="/documents/1/")
    r = c.get(f"/notifications/{n.id}/")
    assert r.status_code == 302 and r["Location"] == "/documents/1/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert "Lịch họp chi bộ tháng 5" in c.get("/notifications/?unread=1").content.decode()
    assert "Về việc của Lan" not in c.get("/notifications/?unread=1").content.decode()


def test_no_one_reaches_anothers_notification(two, api_as):
    mine, theirs = two
    foreign = Notification.objects.get(user=theirs)
    c = signed_in(mine)
    for r in (c.get(f"/notifications/{foreign.id}/"), c.post(f"/notifications/{foreign.id}/read/")):
        assert r.status_code == 404
    api = api_as(mine)
    r = api.post(f"/api/v1/notifications/{foreign.id}/read")
    assert r.status_code == 404 and r.json()["error"]["code"] == "notification_not_found"
    body = api.get("/api/v1/notifications").content.decode()
    assert "Bí mật của Sở Y tế" not in body and f'"id": {foreign.id},' not in body
    api.post("/api/v1/notifications/read-all")
    foreign.refresh_from_db()
    assert foreign.read_at is None  # "all" is one's own
    assert api_as(theirs).get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert api_as().get("/api/v1/notifications").status_code == 401


def test_the_api_lists_counts_and_marks_read(two, api_as):
    mine, _theirs = two
    api = api_as(mine)
    body = api.get("/api/v1/notifications").json()
    assert body["count"] == 2 and body["unread"] == 2
    first = body["items"][0]
    assert first["title"] == "Lịch họp chi bộ tháng 5" and first["kind_label"] == "Sự kiện thử nghiệm" and not first["read"]
    r = api.post(f"/api/v1/notifications/{first['id']}/read")
    assert r.status_code == 200 and r.json()["read"] is True
    assert api.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert [i["title"] for i in api.get("/api/v1/notifications", unread="true").json()["items"]] == [
        "Văn bản đến: 15-CV/ĐUK — Về việc của Lan"]
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert api.get("/api/v1/notifications", limit=500).status_code == 422


def test_preferences_by_api_and_page_are_checked_and_audited(two, api_as):
    mine, _theirs = two
    api = api_as(mine)
    prefs = {i["kind"]: i["channel"] for i in api.get("/api/v1/notifications/preferences").json()["items"]}
    assert prefs["test_event"] == "app" and prefs["test_urgent"] == "email"
    r = api.put("/api/v1/notifications/preferences", {"channels": {"test_event": "digest"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "email_missing"  # no address yet
    # Without an address one may still change other kinds, the form sending every kind's current choice.
    r = api.put("/api/v1/notifications/preferences", {"channels": {"test_event": "app", "test_urgent": "email"}})
    assert r.status_code == 200
    mine.email = "lan@sotaichinh.test"
    mine.save(update_fields=["email"])
    assert api.put("/api/v1/notifications/preferences", {"channels": {"khong_co": "app"}}).status_code == 422
    assert api.put("/api/v1/notifications/preferences", {"channels": {"test_event": "fax"}}).status_code == 422
    r = api.put("/api/v1/notifications/preferences", {"channels": {"test_event": "digest"}})
    assert r.status_code == 200
    assert {i["kind"]: i["channel"] for i in r.json()["items"]}["test_event"] == "digest"
    assert AuditEntry.objects.filter(action="notification_preferences_changed", actor_id=mine.id).count() == 1
    # The page: the same choice, changed back.
    c = signed_in(mine)
    html = c.get("/notifications/preferences/").content.decode()
    assert "Sự kiện thử nghiệm" in html and "Gửi thư tổng hợp mỗi ngày một lần" in html
    data = {k: "app" for k in prefs}
    r = c.post("/notifications/preferences/", data)
    assert r.status_code == 302
    assert Preference.objects.get(user=mine, kind="test_event").channel == "app"
    assert "/notifications/preferences/" in c.get("/account/").content.decode()  # linked from the account page
