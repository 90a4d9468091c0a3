"""What the sender sees of a recipient, the reply attached on completion, and who is never late.

Issue 16 §6–7: the sender reads the status, the incoming number, who handles it and the result,
never the recipient leader's instructions unless the leader shares them; a re-assignment reads as
one. Completing can attach the answer (an outgoing document, a PDF), shown on both documents.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery, StoredFile
from vanthu.documents.tests.test_bad_input import assert_error, pdf_upload
from vanthu.testing import factories as f
from vanthu.workflow import actions
from vanthu.workflow.models import Assignment

INSTRUCTION = "Đồng chí Hùng nắm tình hình, báo cáo miệng trước, chưa trả lời bằng văn bản"


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _record(world, **kw):
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], **kw)
    return doc, doc_actions.accept_delivery(f.delivery_to(doc, world.b.org), user=world.b.clerk)


def _reply_from_b(world, subject="Báo cáo kết quả rà soát theo đề nghị của Đảng ủy Khối"):
    b = world.b
    return f.issued(b.org, specialist=b.specialist, leader=b.leader, clerk=b.clerk, recipients=[world.a.org], subject=subject)


# --- §6 what the sender sees -----------------------------------------------------------------------

def test_the_leaders_instructions_stay_inside_the_recipient_unless_shared(world, api_as):
    doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id, note=INSTRUCTION)
    sender_page = signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert INSTRUCTION not in sender_page
    history = api_as(world.a.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()["items"][0]["history"]
    assert [h["note"] for h in history if h["status_code"] == "04"] == [""]
    # The recipient itself still reads them, on the page and in the API.
    assert INSTRUCTION in signed_in(world.b.specialist).get(f"/documents/{doc.id}/").content.decode()
    own = api_as(world.b.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()["items"][0]["history"]
    assert [h["note"] for h in own if h["status_code"] == "04"] == [INSTRUCTION]


def test_a_leader_may_share_the_instructions_with_the_sender(world):
    doc, d = _record(world)
    r = signed_in(world.b.leader).post(f"/incoming/{d.id}/assign/", {
        "main_handler": world.b.specialist.id, "note": INSTRUCTION, "share_note": "on"})
    assert r.status_code == 302
    assert Assignment.objects.get(delivery=d, is_current=True).share_note
    assert INSTRUCTION in signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()


def test_the_sender_sees_who_handles_it_and_the_result(world, api_as):
    doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id, note=INSTRUCTION)
    actions.complete_handling(d, user=world.b.specialist, note="Đã rà soát, không có vướng mắc")
    page = signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    row = page[page.index(f'id="recipient-{world.b.org.id}"'):]
    row = row[:row.index("</tr>")]
    assert world.b.specialist.get_full_name() in row[row.index('class="handler"'):]
    assert "Đã rà soát, không có vướng mắc" in row[row.index('class="result"'):]
    item = api_as(world.a.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()["items"][0]
    assert item["handler_name"] == world.b.specialist.get_full_name()


def test_a_reassignment_reads_as_a_reassignment(world, api_as):
    doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist2.id)
    history = api_as(world.a.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()["items"][0]["history"]
    assert [(h["status_code"], h["status_label"]) for h in history][-2:] == [("04", "Đã phân công"), ("04", "Phân công lại")]
    page = signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert "Phân công lại" in page
    # And the sender's "who handles it" follows the new main handler.
    assert Delivery.objects.get(id=d.id).handler_name == world.b.specialist2.get_full_name()


# --- §7 the reply ----------------------------------------------------------------------------------

def test_completing_with_a_reply_document_shows_it_on_both_documents(world, api_as):
    doc, d = _record(world)
    reply = _reply_from_b(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    r = api_as(world.b.specialist).post(f"/api/v1/incoming/{d.id}/complete",
                                         {"note": "Đã trả lời bằng văn bản", "reply_document_id": reply.id})
    assert r.status_code == 200, r.content
    assert r.json()["reply_document"] == {"id": reply.id, "symbol": reply.symbol, "subject": reply.subject}
    # The incoming document's page (at the recipient) links to the reply …
    incoming_page = signed_in(world.b.specialist).get(f"/documents/{doc.id}/").content.decode()
    assert f'class="reply-document" href="/documents/{reply.id}/"' in incoming_page
    # … the reply's page names the incoming document it answers …
    reply_page = signed_in(world.b.specialist).get(f"/documents/{reply.id}/").content.decode()
    assert f'href="/documents/{doc.id}/"' in reply_page and "Trả lời văn bản đến" in reply_page
    answers = api_as(world.b.specialist).get(f"/api/v1/documents/{reply.id}").json()["answers"]
    assert [(x["document_id"], x["incoming_number"]) for x in answers] == [(doc.id, d.incoming_number)]
    # … and the sender, to whom the reply was addressed, sees it as the result.
    sender_page = signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert f'class="reply-document" href="/documents/{reply.id}/"' in sender_page


def test_a_reply_must_be_an_issued_outgoing_document_of_the_recipient(world, api_as):
    _doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    spec = api_as(world.b.specialist)
    # Another organisation's document (here the sender's own) is not this recipient's answer.
    theirs = f.issued(world.c.org, specialist=world.c.specialist, leader=world.c.leader, clerk=world.c.clerk, recipients=[world.a.org])
    assert_error(spec.post(f"/api/v1/incoming/{d.id}/complete", {"reply_document_id": theirs.id}), 422, "reply_document_not_found")
    draft = f.draft(world.b.org, world.b.specialist, [world.a.org])
    assert_error(spec.post(f"/api/v1/incoming/{d.id}/complete", {"reply_document_id": draft.id}), 422, "reply_document_not_issued")
    d.refresh_from_db()
    assert d.status_code == "04" and d.reply_document_id is None  # nothing half-written


def test_a_reply_file_is_stored_and_readable_by_recipient_and_sender(world):
    doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    pdf = f.pdf_bytes("Báo cáo kết quả rà soát của Đảng bộ Sở Tài chính")
    r = signed_in(world.b.specialist).post(f"/incoming/{d.id}/complete/", {
        "note": "Gửi kèm báo cáo", "confirmed": "on", "reply_file": SimpleUploadedFile("bao-cao.pdf", pdf, "application/pdf")})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status_code == "06" and d.reply_file_name == "bao-cao.pdf"
    for user in (world.b.specialist, world.a.clerk):
        got = signed_in(user).get(f"/incoming/{d.id}/reply-file/")
        assert got.status_code == 200 and b"".join(got.streaming_content) == pdf
    assert "bao-cao.pdf" in signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    # Another organisation neither reads the file nor learns it exists.
    assert signed_in(world.c.clerk).get(f"/incoming/{d.id}/reply-file/").status_code == 404


def test_a_reply_file_that_is_not_a_pdf_is_refused_and_nothing_completes(world):
    _doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    r = signed_in(world.b.specialist).post(f"/incoming/{d.id}/complete/", {
        "note": "Gửi kèm báo cáo", "confirmed": "on",
        "reply_file": SimpleUploadedFile("bao-cao.docx", b"PK\x03\x04 not a pdf", "application/octet-stream")}, follow=True)
    assert "không phải là tệp PDF" in r.content.decode()
    d.refresh_from_db()
    assert d.status_code == "04" and not d.reply_file_id


def test_people_informed_are_never_overdue(world, api_as):
    _doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id, informed_ids=[world.b.specialist2.id],
                            deadline=timezone.localdate() + timedelta(days=2))
    Assignment.objects.filter(delivery=d).update(deadline=timezone.localdate() - timedelta(days=3))
    mine = api_as(world.b.specialist2).get("/api/v1/assignments/mine").json()["items"]
    assert [(x["role"], x["overdue"]) for x in mine] == [("informed", False)]
    assert [x["overdue"] for x in api_as(world.b.specialist).get("/api/v1/assignments/mine").json()["items"]] == [True]
    page = signed_in(world.b.specialist2).get("/assignments/").content.decode()
    assert "Quá hạn" not in page
    home = signed_in(world.b.specialist2).get("/").content.decode()
    assert "quá hạn" not in home and "Quá hạn" not in home


def test_the_inbox_shows_the_senders_deadline_before_any_assignment(world):
    a, b = world.a, world.b
    doc = f.draft(a.org, a.specialist, [b.org], signer=a.leader)
    doc.due_date = timezone.localdate() + timedelta(days=10)
    doc.save(update_fields=["due_date"])
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.approve_document(doc, user=a.leader)
    doc_actions.issue_document(doc, user=a.clerk)
    c = signed_in(b.clerk)
    c.post("/org/", {"organization_id": b.org.id})
    page = c.get("/inbox/").content.decode()
    row = page[page.index(f'id="delivery-{f.delivery_to(doc, b.org).id}"'):]
    assert f'<span class="deadline">{doc.due_date:%d/%m/%Y}</span>' in row[:row.index("</tr>")]


def test_the_api_completes_with_a_reply_file_and_serves_it_to_the_sender(world, api_as):
    _doc, d = _record(world)
    actions.assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    spec = api_as(world.b.specialist)
    files_before = StoredFile.objects.count()
    # A refused reply document: nothing completes and no file row is left behind.
    refused = spec.post(f"/api/v1/incoming/{d.id}/complete-with-file",
                        {"reply_file": pdf_upload("bao-cao.pdf"), "reply_document_id": 999999}, multipart=True)
    assert_error(refused, 422, "reply_document_not_found")
    assert StoredFile.objects.count() == files_before and Delivery.objects.get(id=d.id).status_code == "04"
    r = spec.post(f"/api/v1/incoming/{d.id}/complete-with-file", {"note": "Gửi kèm báo cáo", "reply_file": pdf_upload("bao-cao.pdf")},
                  multipart=True)
    assert r.status_code == 200, r.content
    assert r.json()["reply_file"] == {"name": "bao-cao.pdf", "url": f"/api/v1/incoming/{d.id}/reply-file"}
    got = api_as(world.a.clerk).get(f"/api/v1/incoming/{d.id}/reply-file")
    assert got.status_code == 200 and b"".join(got.streaming_content)[:5] == b"%PDF-"
    assert_error(api_as(world.c.clerk).get(f"/api/v1/incoming/{d.id}/reply-file"), 404)
