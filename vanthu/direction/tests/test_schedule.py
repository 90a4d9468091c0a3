"""The weekly work schedule (draft → approved → published, changes marked and told), each person's
view, the iCalendar feeds read by the `icalendar` library, and meeting invitations."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from vanthu.direction import schedule as sched
from vanthu.direction.models import Entry, FeedToken, Invitation, Schedule
from vanthu.errors import InvalidState, NotAllowed, Unprocessable
from vanthu.notifications.models import Notification
from vanthu.testing import factories as f


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def at(day, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def told(user, kind: str) -> list[str]:
    return list(Notification.objects.filter(user=user, notice__kind=kind).values_list("notice__title", flat=True))


@pytest.fixture
def week(dw):
    """Next week's schedule of the Bloc, drafted by its office: the secretary chairs a meeting."""
    monday = sched.monday(timezone.localdate()) + timedelta(days=7)
    s = sched.week_of(dw.clerk, dw.w.bloc, monday, create=True)
    e = sched.add_entry(s, user=dw.clerk, starts_at=at(monday, 8), ends_at=at(monday, 11, 30), place="Hội trường tầng 3",
                        content="Hội nghị Ban Thường vụ Đảng ủy Khối", chair="Đồng chí Bí thư", chair_user_id=dw.leader.id,
                        attendees="Các đồng chí Ủy viên Ban Thường vụ", attendee_user_ids=[dw.inspector.id], preparer="Văn phòng")
    sched.add_entry(s, user=dw.clerk, starts_at=at(monday + timedelta(days=2), 14), content="Làm việc với Đảng bộ Sở Tài chính",
                    place="Sở Tài chính", chair_user_id=dw.leader.id)
    return s, e


def test_the_office_drafts_a_leader_approves_and_the_week_is_published_to_the_organisations_below(dw, week):
    s, _e = week
    w = dw.w
    with pytest.raises(NotAllowed):
        sched.approve_schedule(s, user=dw.clerk)  # the office drafts; a leader approves
    with pytest.raises(InvalidState):
        sched.publish_schedule(s, user=dw.clerk)  # not approved yet
    # A draft is the Bloc's own business.
    html = signed_in(w.b.clerk).get("/direction/schedule/", {"org": w.bloc.id, "week": s.week_start.isoformat()}).content.decode()
    assert "Hội nghị Ban Thường vụ" not in html
    sched.approve_schedule(s, user=dw.leader)
    sched.publish_schedule(s, user=dw.clerk)
    assert Schedule.objects.get(id=s.id).state == "published"
    html = signed_in(w.b.clerk).get("/direction/schedule/", {"org": w.bloc.id, "week": s.week_start.isoformat()}).content.decode()
    assert "Hội nghị Ban Thường vụ Đảng ủy Khối" in html and "Hội trường tầng 3" in html
    # The people invited by name are labelled, not left after the chair as if they chaired too.
    assert f"Người tham dự: {dw.inspector.get_full_name()}." in html
    assert told(w.b.clerk, "schedule_published") and told(dw.inspector, "schedule_published")
    assert not told(w.b.specialist, "schedule_published")  # the organisations' offices and leaders, and the people in it


def test_a_change_after_publishing_is_marked_and_told_to_the_people_it_concerns(dw, week):
    s, e = week
    sched.approve_schedule(s, user=dw.leader)
    sched.publish_schedule(s, user=dw.clerk)
    Notification.objects.all().delete()
    moved = sched.update_entry(e, user=dw.clerk, starts_at=at(s.week_start, 14), ends_at=at(s.week_start, 16), place="Phòng họp số 1",
                               content="Hội nghị Ban Thường vụ Đảng ủy Khối", chair_user_id=dw.leader.id,
                               attendee_user_ids=[dw.inspector.id])
    assert moved.changed and moved.sequence == 1 and moved.uid == e.uid
    assert told(dw.leader, "schedule_changed") and told(dw.inspector, "schedule_changed")
    assert not told(dw.w.b.clerk, "schedule_changed")
    html = signed_in(dw.w.b.clerk).get("/direction/schedule/", {"org": dw.w.bloc.id, "week": s.week_start.isoformat()}).content.decode()
    assert "Thay đổi" in html and "Phòng họp số 1" in html


def test_a_change_to_an_approved_week_sends_it_back_to_draft(dw, week):
    s, e = week
    sched.approve_schedule(s, user=dw.leader)
    sched.cancel_entry(e, user=dw.clerk, reason="Lùi sang tuần sau")
    assert Schedule.objects.get(id=s.id).state == "draft" and not Entry.objects.get(id=e.id).changed


def test_bad_entries_are_refused_with_a_clear_message(dw, week):
    s, _e = week
    for kwargs, code in (({"starts_at": at(s.week_start + timedelta(days=9), 8), "content": "Ngoài tuần"}, "outside_week"),
                         ({"starts_at": at(s.week_start, 8), "ends_at": at(s.week_start, 7), "content": "Ngược giờ"}, "ends_before_start"),
                         ({"starts_at": at(s.week_start, 8), "content": "  "}, "content_required"),
                         ({"starts_at": at(s.week_start, 8), "content": "Người lạ", "attendee_user_ids": [f.make_user().id]}, "unknown_person")):
        with pytest.raises(Unprocessable) as err:
            sched.add_entry(s, user=dw.clerk, **kwargs)
        assert err.value.code == code
    with pytest.raises(NotAllowed):
        sched.add_entry(s, user=dw.w.b.leader, starts_at=at(s.week_start, 8), content="Không phải văn phòng Khối")


def test_each_person_sees_their_own_events_and_reads_them_in_a_calendar_feed(dw, week):
    s, e = week
    sched.approve_schedule(s, user=dw.leader)
    sched.publish_schedule(s, user=dw.clerk)
    c = signed_in(dw.inspector)
    html = c.get("/direction/schedule/mine/").content.decode()
    assert "Hội nghị Ban Thường vụ Đảng ủy Khối" in html and "Làm việc với Đảng bộ Sở Tài chính" not in html
    c.post("/direction/schedule/feeds/")
    token = FeedToken.objects.get(user=dw.inspector).token
    assert f"/direction/ics/{token}.ics" in c.get("/direction/schedule/mine/").content.decode()

    def events(client_token: str) -> dict:
        r = Client().get(f"/direction/ics/{client_token}.ics")  # no sign-in: the address is the key
        assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
        cal = Calendar.from_ical(r.content)
        return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}

    first = events(token)
    ev = first[e.uid]
    assert str(ev["SUMMARY"]) == "Hội nghị Ban Thường vụ Đảng ủy Khối" and str(ev["LOCATION"]) == "Hội trường tầng 3"
    assert ev.decoded("DTSTART") == at(s.week_start, 8) and int(ev["SEQUENCE"]) == 0
    assert "Đồng chí Bí thư" in str(ev["DESCRIPTION"])
    sched.update_entry(e, user=dw.clerk, starts_at=at(s.week_start, 9), content="Hội nghị Ban Thường vụ Đảng ủy Khối (mở rộng)",
                       place="Hội trường tầng 3", chair_user_id=dw.leader.id, attendee_user_ids=[dw.inspector.id])
    after = events(token)
    assert list(after) == [e.uid]  # the same event, updated: same UID, higher SEQUENCE
    assert int(after[e.uid]["SEQUENCE"]) == 1 and after[e.uid].decoded("DTSTART") == at(s.week_start, 9)
    sched.cancel_entry(Entry.objects.get(id=e.id), user=dw.clerk, reason="Hoãn")
    assert str(events(token)[e.uid]["STATUS"]) == "CANCELLED" and int(events(token)[e.uid]["SEQUENCE"]) == 2
    # The organisation's feed holds the whole published week.
    org_feed = sched.feed_for_organization(dw.w.bloc, user=dw.clerk)
    assert len(events(org_feed.token)) == 2
    # A renewed address replaces the old one; a made-up one is nothing.
    sched.renew_feed(FeedToken.objects.get(user=dw.inspector), user=dw.inspector)
    assert Client().get(f"/direction/ics/{token}.ics").status_code == 404
    assert Client().get("/direction/ics/khong-co.ics").status_code == 404


def test_a_meeting_invitation_is_answered_and_the_inviting_side_sees_the_attendance(dw):
    w = dw.w
    day = sched.monday(timezone.localdate()) + timedelta(days=8)
    meeting = sched.create_meeting(user=dw.clerk, organization=w.bloc, title="Hội nghị sơ kết công tác chuyển đổi số",
                                   starts_at=at(day, 8), ends_at=at(day, 11), place="Hội trường Đảng ủy Khối",
                                   invited_ids=[w.a.org.id, w.b.org.id, w.c.org.id])
    assert Invitation.objects.filter(meeting=meeting).count() == 3
    assert Entry.objects.get(meeting=meeting).content == "Hội nghị sơ kết công tác chuyển đổi số"  # on the Bloc's week
    assert told(w.b.clerk, "meeting_invitation") and not told(w.outsider.clerk, "meeting_invitation")
    b = signed_in(w.b.leader)
    r = b.post(f"/direction/meetings/{meeting.id}/", {"state": "attending", "attendees": ""})
    assert r.status_code == 422 and "Hãy ghi họ tên" in r.content.decode()
    r = b.post(f"/direction/meetings/{meeting.id}/", {"state": "substitute", "attendees": "Đồng chí Phó Bí thư Đảng ủy"})
    assert r.status_code == 302
    sched.answer_invitation(meeting, user=w.c.clerk, organization_id=w.c.org.id, state="absent", note="Trùng lịch làm việc với Thành ủy")
    html = signed_in(dw.clerk).get(f"/direction/meetings/{meeting.id}/").content.decode()
    assert "Đồng chí Phó Bí thư Đảng ủy" in html and "Trùng lịch làm việc với Thành ủy" in html
    assert "0 tham dự, 1 cử người dự thay, 1 vắng, 1 chưa xác nhận" in html
    assert told(dw.clerk, "meeting_answered")
    # An invited organisation sees its own answer only; an outsider sees nothing.
    html = signed_in(w.a.clerk).get(f"/direction/meetings/{meeting.id}/").content.decode()
    assert "Trùng lịch" not in html and w.a.org.name in html
    assert signed_in(w.outsider.leader).get(f"/direction/meetings/{meeting.id}/").status_code == 404
    assert signed_in(w.outsider.leader).get(f"/direction/schedule/entries/{Entry.objects.get(meeting=meeting).id}/").status_code == 404


def test_the_schedule_pages_add_approve_and_publish(dw):
    w = dw.w
    monday = sched.monday(timezone.localdate())
    office, leader = signed_in(dw.clerk), signed_in(dw.leader)
    r = office.post(f"/direction/schedule/orgs/{w.bloc.id}/entries/", {
        "day": monday.strftime("%d/%m/%Y"), "start": "08:00", "end": "10:00", "content": "Giao ban Thường trực Đảng ủy Khối",
        "place": "Phòng họp tầng 2", "chair_user": dw.leader.id})
    assert r.status_code == 302
    r = office.post(f"/direction/schedule/orgs/{w.bloc.id}/entries/", {"day": "99/99/2026", "start": "25:00", "content": "x"})
    assert r.status_code == 422 and "Ngày không hợp lệ" in r.content.decode()
    s = Schedule.objects.get(organization=w.bloc, week_start=monday)
    assert office.post(f"/direction/schedule/{s.id}/approve/").status_code == 403
    assert leader.post(f"/direction/schedule/{s.id}/approve/").status_code == 302
    assert office.post(f"/direction/schedule/{s.id}/publish/").status_code == 302
    assert Schedule.objects.get(id=s.id).state == "published"
    html = signed_in(w.c.specialist).get("/direction/schedule/").content.decode()  # the nearest published week above
    assert "Giao ban Thường trực Đảng ủy Khối" in html
    assert signed_in(w.b.leader).post(f"/direction/schedule/orgs/{w.bloc.id}/entries/", {}).status_code == 404


def test_the_schedule_and_meetings_through_the_api(dw, api_as):
    w = dw.w
    office, leader = api_as(dw.clerk), api_as(dw.leader)
    monday = sched.monday(timezone.localdate())
    r = office.post("/api/v1/schedules", {"organization_id": w.bloc.id, "week": monday.isoformat()})
    assert r.status_code == 201 and r.json()["state"] == "draft"
    sid = r.json()["id"]
    r = office.post(f"/api/v1/schedules/{sid}/entries", {"starts_at": at(monday, 8).isoformat(), "content": "Giao ban",
                                                          "place": "Phòng họp tầng 2", "chair_user_id": dw.leader.id})
    assert r.status_code == 201 and r.json()["sequence"] == 0
    eid, uid = r.json()["id"], r.json()["uid"]
    assert office.post(f"/api/v1/schedules/{sid}/publish").status_code == 409
    assert leader.post(f"/api/v1/schedules/{sid}/approve").json()["state"] == "approved"
    assert office.post(f"/api/v1/schedules/{sid}/publish").json()["state"] == "published"
    r = office.client.put(f"/api/v1/schedule-entries/{eid}", {"starts_at": at(monday, 9).isoformat(), "content": "Giao ban (lùi giờ)"},
                          content_type="application/json", headers=office.headers)
    assert r.status_code == 200 and r.json()["uid"] == uid and r.json()["sequence"] == 1 and r.json()["changed"]
    assert [s["id"] for s in api_as(w.b.clerk).get("/api/v1/schedules").json()["items"]] == [sid]  # published below
    assert api_as(f.make_user(f.make_org())).get(f"/api/v1/schedules/{sid}").status_code == 404
    r = office.post("/api/v1/meetings", {"organization_id": w.bloc.id, "title": "Hội nghị sơ kết", "place": "Hội trường",
                                         "starts_at": at(monday + timedelta(days=8), 8).isoformat(), "invited_ids": [w.a.org.id]})
    assert r.status_code == 201 and len(r.json()["invitations"]) == 1
    mid = r.json()["id"]
    r = api_as(w.a.clerk).post(f"/api/v1/meetings/{mid}/answer", {"organization_id": w.a.org.id, "state": "attending",
                                                                   "attendees": "Đồng chí Bí thư"})
    assert r.status_code == 200 and r.json()["state"] == "attending"
    assert api_as(w.b.clerk).get(f"/api/v1/meetings/{mid}").status_code == 404
    r = api_as(w.b.clerk).post(f"/api/v1/meetings/{mid}/answer", {"organization_id": w.b.org.id, "state": "absent", "note": "x"})
    assert r.status_code == 404
