"""The document pages through Django's test client: inbox, document, compose, registers, paper."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from vanthu.documents import actions
from vanthu.documents.models import Delivery, DocStatus, Document
from vanthu.documents.sharing import share_document
from vanthu.testing import factories as f


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def issued(world, recipients=None, **kw):
    return f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk,
                    recipients=recipients or [world.b.org, world.c.org], **kw)


def htmx(**extra):
    return {"HX-Request": "true", **extra}


# --- inbox ---------------------------------------------------------------------------------------

def test_inbox_lists_arrived_documents_with_status_and_filters(world):
    doc = issued(world)
    other = issued(world, subject="Về việc tổng kết công tác kiểm tra")
    Document.objects.filter(id=other.id).update(urgency="hoa_toc")
    c = signed_in(world.b.clerk)
    page = c.get("/inbox/").content.decode()
    assert doc.symbol in page and other.symbol in page and "badge-s01" in page
    only_flash = c.get("/inbox/", {"urgency": "hoa_toc"}).content.decode()
    assert other.symbol in only_flash and f"<b>{doc.symbol}</b>" not in only_flash
    by_sender = c.get("/inbox/", {"sender": "không có ai"}).content.decode()
    assert "Không có văn bản nào phù hợp" in by_sender
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert doc.symbol in c.get("/inbox/", {"date_from": today, "date_to": today}).content.decode()


def test_inbox_filter_by_htmx_returns_the_list_alone_and_varies_on_it(world):
    issued(world)
    c = signed_in(world.b.clerk)
    r = c.get("/inbox/", {"status": "01"}, headers=htmx())
    body = r.content.decode()
    assert "<html" not in body and 'class="table responsive inbox"' in body
    assert "HX-Request" in r["Vary"]
    # The back button's history restore asks for the whole page.
    r = c.get("/inbox/", {"status": "01"}, headers=htmx(**{"HX-History-Restore-Request": "true"}))
    assert "<html" in r.content.decode()


def test_accept_in_place_gives_the_incoming_number(world):
    doc = issued(world)
    d = f.delivery_to(doc, world.b.org)
    r = signed_in(world.b.clerk).post(f"/inbox/{d.id}/accept/", headers=htmx())
    body = r.content.decode()
    assert r.status_code == 200 and body.strip().startswith(f'<tr id="delivery-{d.id}"')
    assert "Đã tiếp nhận, số đến 1." in body and "badge-s03" in body
    d.refresh_from_db()
    assert d.status_code == "03" and d.incoming_number == 1


def test_reject_needs_a_reason_shown_next_to_the_field(world):
    doc = issued(world)
    d = f.delivery_to(doc, world.b.org)
    c = signed_in(world.b.clerk)
    form = c.get(f"/inbox/{d.id}/reject/", headers=htmx()).content.decode()
    assert 'name="reason"' in form and '<label for="id_reason">' in form
    r = c.post(f"/inbox/{d.id}/reject/", {"reason": "  "}, headers=htmx()).content.decode()
    assert 'class="error" id="id_reason_error"' in r
    r = c.post(f"/inbox/{d.id}/reject/", {"reason": "Gửi nhầm đơn vị"}, headers=htmx()).content.decode()
    assert "badge-s02" in r
    d.refresh_from_db()
    assert d.status_code == "02" and d.reject_reason == "Gửi nhầm đơn vị"


def test_a_specialist_cannot_accept(world):
    d = f.delivery_to(issued(world), world.b.org)
    # Shared with them, so they see it (need to know); accepting is still the clerk's.
    share_document(d.document, user=world.b.clerk, person_id=world.b.specialist.id, organization_id=world.b.org.id)
    r = signed_in(world.b.specialist).post(f"/inbox/{d.id}/accept/")
    assert r.status_code == 403 and "Chỉ văn thư" in r.content.decode()


def test_inbox_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    for _ in range(3):
        issued(world, recipients=[world.b.org])
    c = signed_in(world.b.clerk)
    c.get("/inbox/")
    with django_assert_max_num_queries(12) as small:
        c.get("/inbox/")
    for _ in range(8):
        issued(world, recipients=[world.b.org])
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/inbox/")


# --- the document page and isolation --------------------------------------------------------------

def test_sender_sees_every_recipient_with_status_and_history(world):
    doc = issued(world)

    actions.accept_delivery(f.delivery_to(doc, world.b.org), user=world.b.clerk)
    page = signed_in(world.a.leader).get(f"/documents/{doc.id}/").content.decode()
    assert f"Số {doc.symbol}" in page
    assert f'id="recipient-{world.b.org.id}" data-status="03"' in page
    assert f'id="recipient-{world.c.org.id}" data-status="01"' in page
    assert 'class="timeline"' in page
    main = doc.files.get(role="main")
    assert f'src="/api/v1/files/{main.file_id}' in page


def test_recipient_sees_its_own_record_but_not_the_other_recipients(world):
    doc = issued(world)
    page = signed_in(world.b.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert world.b.org.name in page and "Tiếp nhận" in page
    assert f'id="recipient-{world.c.org.id}"' not in page and world.c.org.name not in page


def test_another_organisation_gets_404_for_the_document_and_its_file(world):
    doc = issued(world)
    c = signed_in(world.outsider.clerk)
    r = c.get(f"/documents/{doc.id}/")
    assert r.status_code == 404 and "Không tìm thấy trang này" in r.content.decode()
    assert c.get(f"/api/v1/files/{doc.files.get(role='main').file_id}").status_code == 404
    d = f.delivery_to(doc, world.b.org)
    assert c.post(f"/inbox/{d.id}/accept/").status_code == 404
    assert c.get(f"/incoming/{d.id}/assign/").status_code == 404
    d.refresh_from_db()
    assert d.status_code == "01"


def test_compose_with_a_whole_group_then_submit_approve_issue(world):
    c = signed_in(world.a.specialist)
    page = c.get("/documents/new/").content.decode()
    assert world.b.org.name in page and 'value="grassroots"' in page and 'id="org-search"' in page
    r = c.post("/documents/new/", {
        "doc_type": "CV", "subject": "Về việc báo cáo chuyển đổi số", "urgency": "khan",
        "groups": ["grassroots"], "file": SimpleUploadedFile("cv.pdf", f.pdf_bytes(), content_type="application/pdf"),
        "due_date": "31/12/2099",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = Document.objects.get(subject="Về việc báo cáo chuyển đổi số")
    assert {o.id for o in doc.recipients.all()} == {world.b.org.id, world.c.org.id, world.outsider.org.id}
    assert doc.due_date.year == 2099
    assert "Trình duyệt" in c.get(r.url).content.decode()
    c.post(f"/documents/{doc.id}/submit/")
    # A specialist may not approve: the 403 page, and nothing changes.
    assert c.post(f"/documents/{doc.id}/approve/").status_code == 403
    leader = signed_in(world.a.leader)
    assert "Duyệt văn bản" in leader.get(f"/documents/{doc.id}/").content.decode()
    leader.post(f"/documents/{doc.id}/approve/")
    clerk = signed_in(world.a.clerk)
    r = clerk.post(f"/documents/{doc.id}/issue/", follow=True)
    doc.refresh_from_db()
    assert doc.status == DocStatus.ISSUED and doc.symbol == "01-CV/ĐUK"
    assert "Đã cấp số 01-CV/ĐUK" in r.content.decode()
    assert Delivery.objects.filter(document=doc).count() == 3


def test_compose_errors_appear_next_to_their_fields(world):
    c = signed_in(world.a.specialist)
    r = c.post("/documents/new/", {"doc_type": "CV", "subject": "Về việc thử", "recipient_ids": [world.b.org.id]})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="id_file_error"' in page and "Chưa chọn tệp văn bản" in page
    r = c.post("/documents/new/", {"doc_type": "CV", "subject": "Về việc thử", "recipient_ids": [world.b.org.id],
                                   "file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert 'id="id_file_error"' in r.content.decode()
    assert f'value="{world.b.org.id}" id="r-{world.b.org.id}" checked' in r.content.decode()
    assert not Document.objects.filter(subject="Về việc thử").exists()


# --- registers -----------------------------------------------------------------------------------

def test_registers_list_issued_and_accepted_documents_of_my_organisation_only(world):
    doc = issued(world)

    actions.accept_delivery(f.delivery_to(doc, world.b.org), user=world.b.clerk)
    out = signed_in(world.a.clerk).get("/registers/outgoing/").content.decode()
    assert doc.symbol in out and "Nhiệm kỳ 2025-2030" in out and "register=t2025-2030" in out
    assert doc.symbol in signed_in(world.a.clerk).get("/registers/outgoing/", {"doc_type": "CV"}).content.decode()
    assert doc.subject not in signed_in(world.a.clerk).get("/registers/outgoing/", {"doc_type": "NQ"}).content.decode()
    inc = signed_in(world.b.clerk).get("/registers/incoming/").content.decode()
    assert doc.symbol in inc and doc.subject in inc
    assert doc.subject not in signed_in(world.c.clerk).get("/registers/incoming/").content.decode()
    assert doc.subject not in signed_in(world.outsider.clerk).get("/registers/outgoing/").content.decode()


# --- paper documents -----------------------------------------------------------------------------

def test_paper_form_is_ready_for_the_keyboard(world):
    page = signed_in(world.b.clerk).get("/incoming/paper/").content.decode()
    assert 'name="sender_name"' in page and "autofocus" in page
    assert f'value="{timezone.localdate().strftime("%d/%m/%Y")}"' in page
    assert page.index('name="sender_name"') < page.index('name="number_symbol"') < page.index('name="issued_date"') < page.index('name="doc_type"')
    assert ">CV – Công văn</option>" in page


def test_paper_document_is_registered_with_an_incoming_number(world):
    c = signed_in(world.b.clerk)
    r = c.post("/incoming/paper/", {
        "sender_name": "Sở Nội vụ Hà Nội", "number_symbol": "123/SNV-VP", "issued_date": "02/11/2026",
        "doc_type": "CV", "subject": "Về việc cử cán bộ dự tập huấn", "urgency": "thuong", "unmarked": "on",
        "file": SimpleUploadedFile("scan.pdf", f.pdf_bytes(), content_type="application/pdf"),
    }, follow=True)
    page = r.content.decode()
    assert "Đã vào sổ văn bản đến số 1: 123/SNV-VP." in page
    d = Delivery.objects.get(recipient=world.b.org, source="paper")
    assert d.incoming_number == 1 and d.document.issued_date.isoformat() == "2026-11-02"


def test_paper_form_errors_are_next_to_the_field(world):
    c = signed_in(world.b.clerk)
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    page = c.post("/incoming/paper/", {
        "sender_name": "Sở Nội vụ", "number_symbol": "1/SNV", "issued_date": tomorrow, "doc_type": "CV",
        "subject": "Thử", "urgency": "thuong", "unmarked": "on", "file": SimpleUploadedFile("scan.pdf", f.pdf_bytes()),
    }).content.decode()
    assert 'id="id_issued_date_error"' in page and "Ngày ban hành không thể sau hôm nay" in page
    page = c.post("/incoming/paper/", {"sender_name": "", "issued_date": "31/02/2026"}).content.decode()
    assert 'id="id_sender_name_error"' in page and 'id="id_issued_date_error"' in page
    assert not Delivery.objects.filter(source="paper").exists()


def test_only_clerks_register_paper(world):
    assert signed_in(world.b.specialist).get("/incoming/paper/").status_code == 403


def test_document_page_queries_do_not_grow_with_recipients(world, django_assert_max_num_queries):
    few = issued(world, recipients=[world.b.org])
    many = issued(world, recipients=[world.b.org, world.c.org, world.outsider.org, world.bloc])
    c = signed_in(world.a.clerk)
    c.get(f"/documents/{few.id}/")
    # 22: the sharing panel (who it is shared with, whom it may be shared with) adds two; 23: whether
    # the organisation handed it over to its archive (then recall and update are refused).
    with django_assert_max_num_queries(23) as base:
        c.get(f"/documents/{few.id}/")
    with django_assert_max_num_queries(len(base.captured_queries)):
        c.get(f"/documents/{many.id}/")
