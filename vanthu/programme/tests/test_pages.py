"""The programme's pages: the office's course page, the inspection form, an organisation's evidence."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from vanthu.programme import actions, inspecting, training
from vanthu.programme.measures import SOURCES
from vanthu.programme.models import Enrolment, Inspection, Inventory, Recommendation
from vanthu.reports.models import Criterion
from vanthu.testing import factories as f

YEAR = timezone.localdate().year


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def office(world):
    return f.make_user(world.bloc, "inspector", full_name="Nguyễn Thị Kiểm")


def test_the_office_runs_a_course_from_its_page(world, office):
    w, c = world, signed_in(office)
    r = c.post("/programme/courses/new/", {"title": "Tập huấn văn thư điện tử", "audience": "clerks", "starts": f"10/03/{YEAR}",
                                           "ends": f"11/03/{YEAR}", "quota": "2", "invite_org_ids": [w.a.org.id, w.b.org.id]})
    assert r.status_code == 302, r.content.decode()[:2000]
    course_url = r["Location"]
    course = training.Course.objects.get()
    c.post(course_url, {"do": "enrol", "user_id": w.a.clerk.id})
    signed_in(w.b.clerk).post(course_url, {"do": "nominate", "user_id": w.b.specialist.id, "organization_id": w.b.org.id})
    assert set(Enrolment.objects.values_list("user_id", flat=True)) == {w.a.clerk.id, w.b.specialist.id}
    c.post(course_url, {"do": "attendance", "user_id": w.a.clerk.id, "day": f"10/03/{YEAR}", "status": "present"})
    c.post(course_url, {"do": "result", "user_id": w.a.clerk.id, "attended": "on", "score": "8.5", "passed": "on"})
    bad = c.post(course_url, {"do": "result", "user_id": w.b.specialist.id, "attended": "on", "score": "12", "passed": "on"}, follow=True)
    assert "Điểm phải từ 0 đến 10." in bad.content.decode()
    html = c.get(course_url).content.decode()
    e = Enrolment.objects.get(user=w.a.clerk)
    assert e.passed and e.certificate_code in html and "Tập huấn văn thư điện tử" in html
    pdf = c.get(f"/programme/courses/{course.id}/certificates/{e.id}/")
    assert pdf["Content-Type"] == "application/pdf" and hashlib.sha256(pdf.content).hexdigest() == e.certificate_sha256
    # B's clerk sees B's part of the course, not A's people; an outsider sees nothing.
    b_html = signed_in(w.b.clerk).get(course_url).content.decode()
    assert w.b.specialist.get_full_name() in b_html and w.a.clerk.get_full_name() not in b_html
    assert signed_in(w.b.clerk).get(f"/programme/courses/{course.id}/certificates/{e.id}/").status_code == 404
    assert signed_in(w.outsider.clerk).get(course_url).status_code == 404


def test_the_inspection_form_scores_both_sides_and_follows_up(world, office):
    w, c = world, signed_in(office)
    r = c.post("/programme/inspections/new/", {"organization_id": w.a.org.id, "planned_on": f"02/06/{YEAR}",
                                               "content": "Kiểm tra ứng dụng CNTT năm"})
    assert r.status_code == 302
    insp = Inspection.objects.get()
    url = r["Location"]
    items = inspecting.checklist(YEAR)
    signed_in(w.a.leader).post(url, {"do": "self", **{f"score-{i.code}": str(i.max_score) for i in items}})
    out_of_range = c.post(url, {"do": "scores", "score-trao-doi": "99"}, follow=True).content.decode()
    assert "phải từ 0 đến 20" in out_of_range
    c.post(url, {"do": "scores", "findings": "Chưa ký số văn bản đi", **{f"score-{i.code}": str(i.max_score - 1) for i in items}})
    html = c.get(url).content.decode()
    assert 'id="score-trao-doi"' in html and 'value="19"' in html and "Tự đánh giá" in html
    c.post(url, {"do": "sign"})
    c.post(url, {"do": "recommend", "text": "Ký số toàn bộ văn bản đi", "deadline": (timezone.localdate() + timedelta(days=7)).strftime("%d/%m/%Y")})
    rec = Recommendation.objects.get()
    signed_in(w.a.clerk).post(url, {"do": "report", "recommendation_id": rec.id, "report": "Đã ký số từ tháng 7"})
    c.post(url, {"do": "close", "recommendation_id": rec.id})
    insp.refresh_from_db()
    rec.refresh_from_db()
    assert insp.status == "signed" and insp.findings == "Chưa ký số văn bản đi" and rec.status == "closed"
    assert signed_in(w.b.leader).get(url).status_code == 404


def test_an_organisation_page_shows_the_evidence_and_takes_its_inventory(world, office):
    w = world
    reg = actions.publish_regulation(user=office, title="Quy định về sử dụng thư điện tử công vụ", year=YEAR,
                                     due_date=date(YEAR, 12, 31), target_org_ids=[w.a.org.id])
    actions.acknowledge_regulation(reg, user=w.a.clerk)
    c = signed_in(w.a.clerk)
    page = c.get(f"/programme/org/{w.a.org.id}/?year={YEAR}").content.decode()
    assert 'id="regulations"' in page and "Quy định về sử dụng thư điện tử công vụ" in page and "1/4" in page
    r = c.post(f"/programme/org/{w.a.org.id}/inventory/?year={YEAR}", {
        "computers_under_5": "5", "computers_5_to_8": "1", "computers_over_8": "0", "clerks": "4", "wan_connected": "on",
        "wan_speed_mbps": "50", "security_software": "on", "backup": "regular", "it_staff_dedicated": "0", "it_staff_part_time": "1",
        "it_staff_trained": "1", "software": "VanThu"})
    assert r.status_code == 302 and Inventory.objects.get(organization=w.a.org).computers_under_5 == 5
    assert signed_in(w.b.clerk).get(f"/programme/org/{w.a.org.id}/").status_code == 404
    # The office's overview links each organisation's figures to this page.
    overview = signed_in(office).get(f"/programme/?year={YEAR}").content.decode()
    assert f"/programme/org/{w.a.org.id}/?year={YEAR}#regulations" in overview
    # The evaluation page links each measured value to this evidence.
    Criterion.objects.filter(source__in=list(SOURCES)).update(is_active=True)
    evaluation = signed_in(office).get(f"/reports/evaluation/{w.bloc.id}/?year={YEAR}").content.decode()
    assert f'href="/programme/org/{w.a.org.id}/?year={YEAR}#regulations"' in evaluation
    assert f'href="/reports/org/{w.a.org.id}/documents/?year={YEAR}&amp;metric=electronic"' in evaluation
    xlsx = signed_in(office).get(f"/reports/export/criteria.xlsx?organization_id={w.bloc.id}&year={YEAR}")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("nghiên cứu quy chế" in c for c in cells) and w.a.org.name in cells
    # Someone else's regulation page: not found; one's own: the button to acknowledge.
    assert signed_in(w.b.clerk).get(f"/programme/regulations/{reg.id}/").status_code == 404
    assert "Đã đọc, nghiên cứu" in signed_in(w.a.leader).get(f"/programme/regulations/{reg.id}/").content.decode()


def test_the_administrator_edits_the_years_checklist_and_standard(world):
    admin = f.make_installation_admin(world.bloc)
    inspecting.checklist(YEAR, create=True)
    c = signed_in(admin)
    assert "trao-doi" in c.get(f"/admin/programme/checklistitem/?year={YEAR}").content.decode()
    assert c.get("/admin/programme/minimumstandard/").status_code == 200
    assert signed_in(world.a.clerk).get("/admin/programme/checklistitem/").status_code in (302, 403, 404)


def test_lists_of_regulations_cost_the_same_queries_whatever_their_number(world, office, api_as, django_assert_max_num_queries):
    w = world
    api = api_as(w.a.clerk)
    for i in range(6):
        reg = actions.publish_regulation(user=office, title=f"Hướng dẫn số {i + 1} về an toàn thông tin", year=YEAR,
                                         due_date=date(YEAR, 12, 31), target_org_ids=[w.a.org.id, w.b.org.id])
        actions.acknowledge_regulation(reg, user=w.a.clerk)
    api.get("/api/v1/regulations", organization_id=w.a.org.id)  # warm: the token's sign-in, sessions
    with django_assert_max_num_queries(14):
        body = api.get("/api/v1/regulations", organization_id=w.a.org.id).json()
    assert body["count"] == 6 and all(r["completion"][0]["acknowledged"] == 1 for r in body["items"])
    assert all([c["organization_id"] for c in r["completion"]] == [w.a.org.id] for r in body["items"])
