"""The direction pages: the leader's follow-up (overdue first, filters, drill-down, exports), the
task page's actions, the organisation's tasks; outsiders get 404."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from vanthu.direction import actions, tallies
from vanthu.direction.models import Directive, Task
from vanthu.testing import factories as f

from .conftest import in_days


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def directive(dw, title: str, orgs, due_in: int = 20) -> Directive:
    return actions.create_directive(
        user=dw.leader, organization=dw.w.bloc, title=title, content="Nội dung chỉ đạo",
        tasks=[actions.TaskSpec(organization_id=o.id, content=f"Thực hiện {title}", due=in_days(due_in)) for o in orgs])


@pytest.fixture
def two(dw):
    w = dw.w
    calm = directive(dw, "Kết luận về công tác tuyên truyền", [w.a.org, w.b.org])
    late = directive(dw, "Chỉ thị về kiểm tra, giám sát năm 2026", [w.a.org, w.b.org, w.c.org])
    Task.objects.filter(directive=late, organization=w.c.org).update(due=timezone.localdate() - timedelta(days=4))
    Directive.objects.filter(id=late.id).update(open_due=timezone.localdate() - timedelta(days=4))
    tallies.rebuild([dw.w.bloc.id])  # the deadline moved behind the actions' back
    return calm, late


def test_the_follow_up_screen_lists_directives_overdue_first_with_their_figures(dw, two):
    calm, late = two
    html = signed_in(dw.leader).get("/direction/").content.decode()
    assert html.index(late.title) < html.index(calm.title)
    row = html[html.index(f'id="directive-{late.id}"'):]
    assert 'class="overdue"' in row[:60] and "dr-late\">1<" in row.replace(" ", "")[:2000].replace("dr-numdr-late", "dr-late")
    assert "Chỉ đạo, điều hành" in html  # in the main navigation


def test_filters_narrow_by_organisation_period_and_text(dw, two):
    w, (calm, late) = dw.w, two
    c = signed_in(dw.leader)
    html = c.get("/direction/", {"q": "tuyên truyền"}).content.decode()
    assert calm.title in html and late.title not in html
    html = c.get("/direction/", {"organization": w.c.org.id}).content.decode()
    assert late.title in html and calm.title not in html
    # The filter chosen stays chosen, and only that option is.
    select = html[html.index('id="id_organization"'):]
    select = select[:select.index("</select>")]
    assert f'<option value="{w.c.org.id}" selected>' in select and select.count(" selected>") == 1
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    html = c.get("/direction/", {"start": tomorrow}).content.decode()
    assert late.title not in html and calm.title not in html
    html = c.get("/direction/", {"start": "31/02/2026"}).content.decode()
    assert "Ngày không hợp lệ" in html


def test_the_organisations_view_puts_the_most_overdue_first(dw, two):
    w = dw.w
    html = signed_in(dw.leader).get("/direction/", {"view": "organizations"}).content.decode()
    assert html.index(w.c.org.name) < html.index(w.a.org.name)


def test_drill_down_to_a_directive_and_a_task_s_reports(dw, two):
    w, (_calm, late) = dw.w, two
    task = Task.objects.get(directive=late, organization=w.b.org)
    actions.report_progress(task, user=w.b.specialist, progress=60, content="Đã kiểm tra 6/10 chi bộ trực thuộc.")
    c = signed_in(dw.leader)
    html = c.get(f"/direction/{late.id}/").content.decode()
    assert w.c.org.name in html and w.b.org.name in html and "60%" in html
    html = c.get(f"/direction/tasks/{task.id}/").content.decode()
    assert "Đã kiểm tra 6/10 chi bộ trực thuộc." in html and "Báo cáo tiến độ" in html


def test_the_follow_up_screen_takes_a_fixed_number_of_queries(dw):
    w = dw.w
    for i in range(3):
        directive(dw, f"Kết luận số {i}", [w.a.org, w.b.org])
    c = signed_in(dw.leader)
    c.get("/direction/")  # the first request of a session reads a few things once
    with CaptureQueriesContext(connection) as few:
        assert c.get("/direction/").status_code == 200
    for i in range(12):
        directive(dw, f"Kết luận bổ sung số {i}", [w.a.org, w.b.org, w.c.org])
    with CaptureQueriesContext(connection) as many:
        assert c.get("/direction/").status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_exports_hold_the_table_in_xlsx_and_pdf(dw, two):
    calm, late = two
    c = signed_in(dw.leader)
    r = c.get("/direction/", {"format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    titles = [row[1] for row in rows[4:]]
    assert titles == [late.title, calm.title] and rows[4][7] == 1  # overdue first, one overdue task
    r = c.get("/direction/", {"format": "pdf", "view": "organizations"})
    assert r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "THEO DÕI THỰC HIỆN NHIỆM VỤ THEO ĐƠN VỊ" in text and dw.w.c.org.name in text


def test_the_follow_up_workbook_holds_numbers_and_dates_excel_can_compute_with(dw, two):
    c = signed_in(dw.leader)
    ws = load_workbook(io.BytesIO(c.get("/direction/", {"format": "xlsx"}).content)).active
    head = [cell.value for cell in ws[4]]
    row = ws[5]
    progress, count = row[head.index("Tiến độ TB")], row[head.index("Số nhiệm vụ")]
    assert progress.data_type == "n" and 0 <= progress.value <= 1 and progress.number_format == "0.0%"
    assert isinstance(count.value, int) and count.number_format == "#,##0"
    dated = [cell for cell in (row[head.index("Ngày")], row[head.index("Hạn gần nhất")]) if cell.value is not None]
    assert dated and all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in dated)


def test_the_organisation_reports_and_the_leader_confirms_through_the_pages(dw, two):
    w, (_calm, late) = dw.w, two
    task = Task.objects.get(directive=late, organization=w.a.org)
    org_side, leader = signed_in(w.a.clerk), signed_in(dw.leader)
    assert org_side.post(f"/direction/tasks/{task.id}/accept/").status_code == 302
    r = org_side.post(f"/direction/tasks/{task.id}/report/", {"progress": "120", "content": "Xong"})
    assert r.status_code == 422 and "100" in r.content.decode()
    r = org_side.post(f"/direction/tasks/{task.id}/report/", {"progress": "100", "content": "Đã hoàn thành.", "done": "on"})
    assert r.status_code == 302
    r = leader.post(f"/direction/tasks/{task.id}/review/", {"decision": "send_back", "note": ""}, follow=True)
    assert "Lý do trả lại: chưa nhập." in r.content.decode() and Task.objects.get(id=task.id).state == "reported_done"
    assert leader.post(f"/direction/tasks/{task.id}/review/", {"decision": "confirm", "note": "Tốt"}).status_code == 302
    task.refresh_from_db()
    assert task.state == "done"
    # Extension through the pages: asked by the organisation, granted by the leader.
    other = Task.objects.get(directive=late, organization=w.b.org)
    r = signed_in(w.b.leader).post(f"/direction/tasks/{other.id}/extension/",
                                   {"due": in_days(60).strftime("%d/%m/%Y"), "reason": "Chờ kết quả khảo sát."})
    assert r.status_code == 302
    assert "Chờ kết quả khảo sát." in leader.get(f"/direction/tasks/{other.id}/").content.decode()
    assert leader.post(f"/direction/tasks/{other.id}/decide/", {"grant": "1", "note": ""}).status_code == 302
    other.refresh_from_db()
    assert other.due == in_days(60) and other.extended


def test_a_leader_records_a_directive_for_many_organisations_from_the_page(dw):
    w = dw.w
    c = signed_in(dw.leader)
    assert c.get("/direction/").status_code == 302  # nothing followed yet: to the form
    html = c.get("/direction/new/").content.decode()
    assert w.a.org.name in html and w.outsider.org.name in html
    r = c.post("/direction/new/", {"kind": "conclusion", "title": "Kết luận về sơ kết 6 tháng", "task_content": "Báo cáo sơ kết",
                                   "working_days": "5", "cycle": "once", "organizations": [w.a.org.id, w.b.org.id]})
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Directive.objects.get()
    assert d.task_count == 2
    r = c.post("/direction/new/", {"kind": "conclusion", "title": "Thiếu hạn", "task_content": "Việc", "cycle": "once",
                                   "organizations": [w.a.org.id]})
    assert r.status_code == 422 and "chưa có hạn hoàn thành" in r.content.decode()


def test_the_organisation_s_page_shows_what_is_due_this_week(dw, two):
    w = dw.w
    html = signed_in(w.c.clerk).get("/direction/tasks/").content.decode()
    assert "Chỉ thị về kiểm tra, giám sát năm 2026" in html and "quá hạn" in html
    assert "Kết luận về công tác tuyên truyền" not in html  # not C's


def test_outsiders_get_404_on_the_pages(dw, two):
    w, (_calm, late) = dw.w, two
    task = Task.objects.get(directive=late, organization=w.b.org)
    c = signed_in(w.outsider.leader)
    assert c.get(f"/direction/{late.id}/").status_code == 404
    assert c.get(f"/direction/tasks/{task.id}/").status_code == 404
    assert c.post(f"/direction/tasks/{task.id}/report/", {"progress": "10", "content": "x"}).status_code == 404
    assert c.post(f"/direction/tasks/{task.id}/review/", {"decision": "confirm"}).status_code == 404
    assert late.title not in c.get("/direction/", follow=True).content.decode()
    assert signed_in(w.a.specialist).get("/direction/new/").status_code == 403
    assert signed_in(f.make_user()).get(f"/direction/{late.id}/").status_code == 404


def test_the_pages_speak_english_from_the_app_s_own_catalogue(dw, two):
    c = signed_in(dw.leader)
    c.post("/i18n/setlang/", {"language": "en", "next": "/direction/"})
    html = c.get("/direction/").content.decode()
    assert "Follow-up of directives" in html and "Export to Excel (XLSX)" in html and ">Direction<" in html
    # The directives' column is "Directive", not the project catalogue's "Instructions" (a leader's on a document).
    assert '<th scope="col">Directive</th>' in html and ">Instructions</th>" not in html
    assert "Weekly work schedule" in c.get("/direction/schedule/").content.decode()
    r = c.post("/api/v1/directives", {"title": "x", "tasks": [{"organization_id": dw.w.a.org.id, "content": "y"}],
                                      "organization_id": dw.w.bloc.id}, content_type="application/json")
    assert r.json()["error"]["message"] == "Task 1: no deadline (a date, or a number of working days)."


def test_a_directive_is_recorded_from_a_document_the_leader_sees(dw):
    w = dw.w
    doc = f.issued(w.bloc, specialist=f.make_user(w.bloc, "specialist"), leader=dw.leader, clerk=dw.clerk, recipients=[w.a.org],
                   subject="Về việc triển khai Nghị quyết Đại hội Đảng bộ Khối")
    c = signed_in(dw.leader)
    html = c.get("/direction/new/", {"document": doc.id}).content.decode()
    assert 'id="source-document"' in html and "Về việc triển khai Nghị quyết Đại hội Đảng bộ Khối" in html
    r = c.post("/direction/new/", {"kind": "conclusion", "title": "Kết luận triển khai Nghị quyết", "task_content": "Quán triệt",
                                   "working_days": "10", "cycle": "once", "organizations": [w.a.org.id], "source_document_id": doc.id})
    assert r.status_code == 302 and Directive.objects.get().source_document_id == doc.id
    other = f.issued(w.c.org, specialist=w.c.specialist, leader=w.c.leader, clerk=w.c.clerk, recipients=[w.b.org])
    assert c.get("/direction/new/", {"document": other.id}).status_code == 404  # not one the Bloc's leader sees
