"""A year in the life of the programme, through the API; then its figures, computed again here from
what the test entered, compared with what VanThu measures."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery
from vanthu.notifications.models import Notification
from vanthu.programme import actions, tallies, training
from vanthu.programme import measures as M
from vanthu.programme.models import (
    Acknowledgement,
    AcknowledgementTally,
    Enrolment,
    Inspection,
    Recommendation,
)
from vanthu.reports.models import Criterion
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers, complete_handling, start_handling

YEAR = timezone.localdate().year


@pytest.fixture
def office(world):
    return f.make_user(world.bloc, "inspector", full_name="Nguyễn Thị Kiểm")


def people(side) -> list:
    return [side.clerk, side.leader, side.specialist, side.specialist2]


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def refused(r, status=422, code=None):
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body


def test_a_year_in_the_life_measures_what_was_entered(world, office, api_as):
    w, api = world, api_as(office)
    orgs = [w.a, w.b, w.c]
    today = timezone.localdate()

    # 1. A regulation published to three organisations; acknowledgements partly done.
    reg = ok(api.post("/api/v1/regulations", {
        "title": "Quy chế bảo đảm an toàn thông tin trên hệ thống thông tin điều hành", "kind": "quy_che", "year": YEAR,
        "due_date": (today + timedelta(days=30)).isoformat(), "target_org_ids": [s.org.id for s in orgs],
        "quiz": [{"question": "Văn bản mật có được đưa lên hệ thống không?", "options": ["Có", "Không"], "answer": 1}],
        "pass_mark": 1}), 201)
    assert Notification.objects.filter(notice__kind="programme_regulation").count() == 12
    for person in people(w.a) + [w.b.clerk, w.b.leader]:
        ok(api_as(person).post(f"/api/v1/regulations/{reg['id']}/acknowledgements", {"answers": [1]}), 201)
    refused(api_as(w.c.clerk).post(f"/api/v1/regulations/{reg['id']}/acknowledgements", {"answers": [0]}), code="quiz_failed")
    refused(api_as(w.outsider.clerk).post(f"/api/v1/regulations/{reg['id']}/acknowledgements", {"answers": [1]}), 404)
    ok(api_as(w.b.leader).post(f"/api/v1/regulations/{reg['id']}/study-sessions",
                               {"organization_id": w.b.org.id, "held_on": today.isoformat(), "attendees": 18}), 201)
    seen = ok(api_as(w.b.clerk).get(f"/api/v1/regulations/{reg['id']}"))
    assert [c["organization_id"] for c in seen["completion"]] == [w.b.org.id]  # one's own organisation only
    assert seen["completion"][0]["acknowledged"] == 2 and seen["completion"][0]["session_attendees"] == 18
    assert ok(api.post(f"/api/v1/regulations/{reg['id']}/reminders"))["reminded"] == 6

    # 2. A course: nominations within the quota, attendance, results, certificates.
    course = ok(api.post("/api/v1/training/courses", {
        "title": "Tập huấn sử dụng chữ ký số trong văn bản điện tử", "audience": "clerks",
        "starts": date(YEAR, 3, 10).isoformat(), "ends": date(YEAR, 3, 12).isoformat(), "quota": 2,
        "invite_org_ids": [s.org.id for s in orgs]}), 201)
    cid = course["id"]
    ok(api_as(w.b.clerk).post(f"/api/v1/training/courses/{cid}/nominations", {"organization_id": w.b.org.id, "user_id": w.b.specialist.id}), 201)
    ok(api_as(w.b.clerk).post(f"/api/v1/training/courses/{cid}/nominations", {"organization_id": w.b.org.id, "user_id": w.b.specialist2.id}), 201)
    refused(api_as(w.b.clerk).post(f"/api/v1/training/courses/{cid}/nominations",
                                   {"organization_id": w.b.org.id, "user_id": w.b.leader.id}), code="quota_exceeded")
    ok(api.post(f"/api/v1/training/courses/{cid}/enrolments", {"user_id": w.a.clerk.id}), 201)
    ok(api.post(f"/api/v1/training/courses/{cid}/enrolments", {"user_id": w.a.leader.id}), 201)
    ok(api_as(w.c.leader).post(f"/api/v1/training/courses/{cid}/nominations", {"organization_id": w.c.org.id, "user_id": w.c.clerk.id}), 201)
    assert Enrolment.objects.filter(course_id=cid).count() == 5
    ok(api.post(f"/api/v1/training/courses/{cid}/attendance", {"user_id": w.a.clerk.id, "day": date(YEAR, 3, 10).isoformat(), "status": "present"}))
    ok(api.post(f"/api/v1/training/courses/{cid}/attendance", {"user_id": w.c.clerk.id, "day": date(YEAR, 3, 10).isoformat(), "status": "absent"}))
    results = {w.a.clerk: (True, 8, True), w.a.leader: (True, 4, False), w.b.specialist: (True, 9.5, True),
               w.b.specialist2: (True, 7, True), w.c.clerk: (False, 0, False)}
    codes = {}
    for person, (attended, score, passed) in results.items():
        out = ok(api.post(f"/api/v1/training/courses/{cid}/results",
                          {"user_id": person.id, "attended": attended, "score": score, "passed": passed}))
        assert (out["certificate_code"] is not None) == passed
        codes[person] = out["certificate_code"]
    for s, planned in ((w.a, 2), (w.b, 4), (w.c, 2)):
        ok(api.put("/api/v1/training/plans", {"organization_id": s.org.id, "year": YEAR, "planned": planned}))

    # Certificates verified by code (the digest is that of the PDF as issued); a forged code refused.
    e = Enrolment.objects.get(course_id=cid, user=w.b.specialist)
    cert = ok(api_as(w.outsider.clerk).get(f"/api/v1/training/certificates/{codes[w.b.specialist]}"))
    assert cert["person"] == w.b.specialist.get_full_name() and cert["passed"] and cert["score"] == 9.5
    assert cert["sha256"] == hashlib.sha256(bytes(e.certificate_pdf)).hexdigest()
    refused(api.get("/api/v1/training/certificates/26FFFFFFFFFFFF"), 404, "certificate_not_found")

    # 3. Inspections with findings followed up, one late.
    checklist = ok(api.get("/api/v1/inspections/checklist", year=YEAR))["items"]
    assert {i["code"] for i in checklist} >= {"trao-doi", "ky-so", "an-toan", "ha-tang", "can-bo", "quy-che"}
    scores = {"a": {i["code"]: i["max_score"] for i in checklist}, "b": {i["code"]: i["max_score"] // 2 for i in checklist}}
    recs = {}
    for key, side in (("a", w.a), ("b", w.b)):
        insp = ok(api.post("/api/v1/inspections", {"organization_id": side.org.id, "year": YEAR,
                                                   "planned_on": date(YEAR, 6, 1).isoformat(), "content": "Kiểm tra ứng dụng CNTT năm"}), 201)
        ok(api_as(side.leader).put(f"/api/v1/inspections/{insp['id']}/self-assessment", {"scores": {"trao-doi": 20}}))
        ok(api.put(f"/api/v1/inspections/{insp['id']}/scores", {"scores": scores[key], "findings": "Đã trao đổi văn bản điện tử"}))
        shown = ok(api.get(f"/api/v1/inspections/{insp['id']}"))
        row = next(r for r in shown["scores"] if r["code"] == "trao-doi")
        assert row["self_assessed"] == 20 and row["inspector"] == scores[key]["trao-doi"]  # side by side
        ok(api.post(f"/api/v1/inspections/{insp['id']}/sign-off", {}))
        deadline = today + timedelta(days=10) if key == "a" else today - timedelta(days=5)
        recs[key] = ok(api.post(f"/api/v1/inspections/{insp['id']}/recommendations",
                                {"text": "Trang bị phần mềm phòng chống mã độc", "deadline": deadline.isoformat()}), 201)
    ok(api_as(w.a.clerk).post(f"/api/v1/inspections/recommendations/{recs['a']['id']}/report", {"report": "Đã cài đặt cho 12 máy"}))
    closed = ok(api.post(f"/api/v1/inspections/recommendations/{recs['a']['id']}/close"))
    assert closed["status"] == "closed" and not closed["late"]
    assert ok(api.get(f"/api/v1/inspections/{recs['b']['inspection_id']}"))["recommendations"][0]["late"]

    # 4. Inventories: A meets the standard, B has one gap, C has not answered.
    full = {"year": YEAR, "computers_under_5": 6, "clerks": 4, "wan_connected": True, "wan_speed_mbps": 100,
            "security_software": True, "backup": "regular", "it_staff_part_time": 1}
    ok(api_as(w.a.clerk).put(f"/api/v1/infrastructure/{w.a.org.id}", full))
    b_inv = ok(api_as(w.b.clerk).put(f"/api/v1/infrastructure/{w.b.org.id}", {**full, "security_software": False}))
    assert [g["metric"] for g in b_inv["gaps"] if not g["met"]] == ["security"]

    # What VanThu measures, against what the test entered.
    got = M.measures([s.org.id for s in orgs], YEAR)
    items = len(checklist)
    max_total = sum(i["max_score"] for i in checklist)
    expected = {
        w.a.org.id: {M.REGULATIONS: 4 / 4, M.TRAINING: 1 / 2, M.INSPECTION: 1.0, M.RECOMMENDATIONS: 1.0, M.INFRASTRUCTURE: 1.0},
        w.b.org.id: {M.REGULATIONS: 2 / 4, M.TRAINING: 2 / 4, M.INSPECTION: sum(scores["b"].values()) / max_total,
                     M.RECOMMENDATIONS: 0.0, M.INFRASTRUCTURE: 5 / 6},
        w.c.org.id: {M.REGULATIONS: 0.0, M.TRAINING: 0.0, M.INSPECTION: None, M.RECOMMENDATIONS: None, M.INFRASTRUCTURE: None},
    }
    assert items == 6
    for oid, want in expected.items():
        for source, value in want.items():
            have = got[oid][source].value
            assert (have is None and value is None) or have == pytest.approx(value), (oid, source, have, value)
            assert got[oid][source].url.startswith(f"/programme/org/{oid}/?year={YEAR}#")
    assert Acknowledgement.objects.count() == 6 and Inspection.objects.count() == 2 and Recommendation.objects.count() == 2
    assert AuditEntry.objects.filter(action="course_result_recorded").count() == 5

    # The yearly evaluation (reports), with the programme's criteria turned on: each score, computed
    # here from what was entered (the three have no documents: those criteria count 0).
    Criterion.objects.filter(source__in=list(M.SOURCES)).update(is_active=True)
    weights = {c.code: (c.source, float(c.weight)) for c in Criterion.objects.filter(is_active=True, weight__gt=0)}
    assert {src for src, _w in weights.values()} >= set(M.SOURCES)
    ranking = ok(api.get("/api/v1/reports/ranking", year=YEAR, organization_id=w.bloc.id))
    by_org = {i["organization"]["id"]: i for i in ranking["items"]}
    total = sum(wt for _s, wt in weights.values())
    for oid, want in expected.items():
        points = sum(wt * (want.get(src) or 0.0) for src, wt in weights.values())
        assert by_org[oid]["score"] == pytest.approx(round(100 * points / total, 2)), oid
        assert by_org[oid]["evidence"]["kiem-tra"] == f"/programme/org/{oid}/?year={YEAR}#inspections"
    assert by_org[w.a.org.id]["rank"] < by_org[w.b.org.id]["rank"] < by_org[w.c.org.id]["rank"]


def test_bad_input_is_a_clear_422_and_writes_nothing(world, office, api_as):
    w, api = world, api_as(office)
    course = ok(api.post("/api/v1/training/courses", {"title": "Bồi dưỡng kỹ năng văn thư điện tử", "audience": "clerks",
                                                      "starts": date(YEAR, 4, 1).isoformat(), "ends": date(YEAR, 4, 2).isoformat()}), 201)
    cid = course["id"]
    ok(api.post(f"/api/v1/training/courses/{cid}/enrolments", {"user_id": w.a.clerk.id}), 201)
    before = (Enrolment.objects.filter(passed__isnull=False).count(), AuditEntry.objects.count())
    # A result for a person not enrolled; a score outside 0–10; a pass for someone who failed.
    refused(api.post(f"/api/v1/training/courses/{cid}/results", {"user_id": w.b.clerk.id, "attended": True, "score": 8, "passed": True}),
            code="not_enrolled")
    body = refused(api.post(f"/api/v1/training/courses/{cid}/results", {"user_id": w.a.clerk.id, "attended": True, "score": 11, "passed": True}))
    assert body["details"]["errors"][0]["field"] == "score"
    refused(api.post(f"/api/v1/training/courses/{cid}/results", {"user_id": w.a.clerk.id, "attended": True, "score": 3, "passed": True}),
            code="inconsistent_result")
    refused(api.post(f"/api/v1/training/courses/{cid}/attendance", {"user_id": w.b.clerk.id, "day": date(YEAR, 4, 1).isoformat(),
                                                                     "status": "present"}), code="not_enrolled")
    assert (Enrolment.objects.filter(passed__isnull=False).count(), AuditEntry.objects.count()) == before
    # A score outside the checklist's range: nothing of the request written.
    insp = ok(api.post("/api/v1/inspections", {"organization_id": w.a.org.id, "year": YEAR, "planned_on": date(YEAR, 5, 5).isoformat(),
                                               "content": "Kiểm tra chuyên đề an toàn thông tin"}), 201)
    body = refused(api.put(f"/api/v1/inspections/{insp['id']}/scores", {"scores": {"trao-doi": 15, "ky-so": 99}}), code="score_out_of_range")
    assert body["details"]["code"] == "ky-so"
    assert ok(api.get(f"/api/v1/inspections/{insp['id']}"))["inspector_total"] is None
    refused(api.post(f"/api/v1/inspections/{insp['id']}/sign-off", {}), 409, "criteria_unscored")


def test_organisations_see_and_edit_only_their_own(world, office, api_as):
    w, api = world, api_as(office)
    ok(api_as(w.a.clerk).put(f"/api/v1/infrastructure/{w.a.org.id}", {"year": YEAR, "clerks": 3}))
    refused(api_as(w.b.clerk).get(f"/api/v1/infrastructure/{w.a.org.id}"), 404)
    refused(api_as(w.b.clerk).put(f"/api/v1/infrastructure/{w.a.org.id}", {"year": YEAR, "clerks": 9}), 404)
    # The office sees every inventory but does not fill an organisation's own.
    assert ok(api.get(f"/api/v1/infrastructure/{w.a.org.id}", year=YEAR))["clerks"] == 3
    refused(api.put(f"/api/v1/infrastructure/{w.a.org.id}", {"year": YEAR, "clerks": 9}), 403)
    # A specialist studies regulations but does not speak for the organisation.
    refused(api_as(w.a.specialist).put(f"/api/v1/infrastructure/{w.a.org.id}", {"year": YEAR, "clerks": 9}), 403)
    # Someone who is no inspector runs nothing.
    refused(api_as(w.a.leader).post("/api/v1/training/courses", {"title": "Lớp tự mở", "audience": "clerks",
                                                                  "starts": "2026-05-01", "ends": "2026-05-01"}), 403)
    insp = ok(api.post("/api/v1/inspections", {"organization_id": w.a.org.id, "year": YEAR, "planned_on": date(YEAR, 5, 5).isoformat(),
                                               "content": "Kiểm tra"}), 201)
    refused(api_as(w.b.leader).get(f"/api/v1/inspections/{insp['id']}"), 404)
    refused(api_as(w.a.leader).put(f"/api/v1/inspections/{insp['id']}/scores", {"scores": {"trao-doi": 20}}), 403)
    assert ok(api_as(w.b.leader).get("/api/v1/inspections", organization_id=w.b.org.id))["count"] == 0
    refused(api_as(w.b.leader).get("/api/v1/inspections", organization_id=w.a.org.id), 404)


def test_the_acknowledgement_tallies_kept_by_the_action_match_a_rebuild(world, office):
    w = world
    reg = actions.publish_regulation(user=office, title="Quy chế sử dụng thư điện tử công vụ", year=YEAR,
                                     due_date=timezone.localdate(), target_org_ids=[w.a.org.id, w.b.org.id])
    for person in (w.a.clerk, w.a.leader, w.b.clerk, w.a.clerk):  # twice is once
        actions.acknowledge_regulation(reg, user=person)
    kept = sorted(AcknowledgementTally.objects.values_list("organization_id", "year", "n"))
    assert kept == sorted([(w.a.org.id, YEAR, 2), (w.b.org.id, YEAR, 1)])
    AcknowledgementTally.objects.update(n=99)
    tallies.rebuild()
    assert sorted(AcknowledgementTally.objects.values_list("organization_id", "year", "n")) == kept


def test_training_is_linked_to_use_before_and_after_the_course(world, office, api_as):
    w, today = world, timezone.localdate()
    course = training.create_course(user=office, title="Tập huấn xử lý văn bản đến trên hệ thống", audience="clerks",
                                    starts=today - timedelta(days=10), ends=today - timedelta(days=8))
    for person in (w.b.specialist, w.b.specialist2):
        training.enrol(course, user=office, person_id=person.id)
        training.record_result(course, user=office, person_id=person.id, attended=True, score=8, passed=True)
    # After the course: B's specialist handles an incoming document and drafts one; the other does nothing.
    doc = f.issued(w.a.org, specialist=w.a.specialist, leader=w.a.leader, clerk=w.a.clerk, recipients=[w.b.org])
    d = f.delivery_to(doc, w.b.org)
    doc_actions.accept_delivery(d, user=w.b.clerk)
    assign_handlers(Delivery.objects.get(pk=d.pk), user=w.b.leader, main_handler_id=w.b.specialist.id)
    d = start_handling(Delivery.objects.get(pk=d.pk), user=w.b.specialist)
    complete_handling(d, user=w.b.specialist, note="Đã tham mưu trả lời")
    f.draft(w.b.org, w.b.specialist, [w.a.org])
    out = ok(api_as(office).get(f"/api/v1/training/courses/{course.id}/use"))
    by = {i["user_id"]: i for i in out["items"]}
    assert by[w.b.specialist.id]["after"]["handled"] == 1 and by[w.b.specialist.id]["after"]["drafted"] == 1
    assert by[w.b.specialist.id]["after"]["median_hours_to_complete"] is not None
    assert by[w.b.specialist.id]["before"] == {"handled": 0, "drafted": 0, "median_hours_to_complete": None, "active": False}
    assert not by[w.b.specialist2.id]["after"]["active"]
    assert (out["passed"], out["active_after"], out["active_after_share"]) == (2, 1, 0.5)
    refused(api_as(w.c.clerk).get(f"/api/v1/training/courses/{course.id}/use"), 404)
