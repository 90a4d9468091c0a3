"""Drafts can be edited by their drafter while draft or returned (issue 16 §4); a returned draft
shows who returned it, when and why, on its page and on the drafter's home page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Document, FileRole
from vanthu.documents.sharing import share_document
from vanthu.documents.tests import party_pdfs
from vanthu.errors import Classified, InvalidState, NotAllowed
from vanthu.testing import factories as f


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f.pdf_bytes(text), content_type="application/pdf")


def test_a_returned_draft_says_who_returned_it_and_why_then_the_drafter_edits_it(world, client):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(doc, user=a.specialist)
    actions.return_document(Document.objects.get(pk=doc.pk), user=a.leader, note="Trích yếu chưa rõ; bổ sung Sở Xây dựng.")

    client.force_login(a.specialist)
    home = client.get("/").content.decode()
    assert 'id="count-returned"' in home and "Bị trả lại bởi Bí thư ĐUK lúc" in home and "Trích yếu chưa rõ" in home
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert re.search(r"Bị trả lại bởi Bí thư ĐUK lúc \d\d/\d\d/\d{4} \d\d:\d\d", page)
    assert "Trích yếu chưa rõ; bổ sung Sở Xây dựng." in page and f"/documents/{doc.id}/edit/" in page

    form = client.get(f"/documents/{doc.id}/edit/").content.decode()
    assert "Về việc báo cáo kết quả thực hiện nhiệm vụ quý IV" in form and "Trích yếu chưa rõ" in form
    r = client.post(f"/documents/{doc.id}/edit/", {
        "doc_type": "KH", "subject": "Kế hoạch tổng kết công tác năm 2026", "urgency": "khan", "confidentiality": "thuong",
        "due_date": "31/12/2099", "recipient_ids": [world.b.org.id, world.c.org.id],
        "file": _pdf("ke-hoach.pdf", "Kế hoạch tổng kết"), "attachments": [_pdf("phu-luc.pdf", "Phụ lục")],
    })
    assert r.status_code == 302, r.content.decode()[-2000:]
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.doc_type.code, doc.subject, doc.urgency, doc.due_date.year) == ("KH", "Kế hoạch tổng kết công tác năm 2026", "khan", 2099)
    assert set(doc.recipients.values_list("id", flat=True)) == {world.b.org.id, world.c.org.id}
    assert [f.name for f in doc.files.order_by("position")] == ["ke-hoach.pdf", "phu-luc.pdf"]
    assert "Kế hoạch tổng kết" in doc.files.get(role=FileRole.MAIN).file.text
    entry = AuditEntry.objects.filter(action="document_edited", object_id=str(doc.id)).get()
    assert {"subject", "doc_type", "recipients", "file", "attachments"} <= set(entry.data["changed"])
    assert client.post(f"/documents/{doc.id}/submit/").status_code == 302
    assert Document.objects.get(pk=doc.pk).status == "submitted"
    assert "count-returned" not in client.get("/").content.decode()


def test_only_the_drafter_edits_and_only_while_it_is_a_draft(world, client):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    kwargs = {"doc_type": "CV", "subject": "Về việc khác", "recipient_ids": [world.b.org.id]}
    with pytest.raises(NotAllowed):
        actions.update_draft(doc, user=a.specialist2, **kwargs)
    # A colleague asked to review it reads it but does not edit it; one not asked does not see it.
    client.force_login(a.specialist2)
    assert client.get(f"/documents/{doc.id}/edit/").status_code == 404
    share_document(doc, user=a.specialist, person_id=a.specialist2.id, purpose="review")
    assert client.get(f"/documents/{doc.id}/edit/").status_code == 403
    assert "Sửa dự thảo" not in client.get(f"/documents/{doc.id}/").content.decode()
    client.force_login(world.b.specialist)
    assert client.get(f"/documents/{doc.id}/edit/").status_code == 404
    actions.submit_document(doc, user=a.specialist)
    with pytest.raises(InvalidState):
        actions.update_draft(Document.objects.get(pk=doc.pk), user=a.specialist, **kwargs)
    assert Document.objects.get(pk=doc.pk).subject != "Về việc khác"


def test_a_refused_edit_changes_nothing(world):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    files_before = list(doc.files.values_list("file_id", flat=True))
    stamped = actions.Upload("mat.pdf", party_pdfs.pdf(party_pdfs.first_page("MẬT")))
    with pytest.raises(Classified):
        actions.update_draft(doc, user=a.specialist, doc_type="CV", subject="Về việc đổi", recipient_ids=[world.c.org.id],
                             main_file=stamped)
    with pytest.raises(Classified):
        actions.update_draft(doc, user=a.specialist, doc_type="CV", subject="Về việc đổi", recipient_ids=[world.c.org.id],
                             confidentiality="mat")
    doc = Document.objects.get(pk=doc.pk)
    assert doc.subject == "Về việc báo cáo kết quả thực hiện nhiệm vụ quý IV"
    assert list(doc.recipients.values_list("id", flat=True)) == [world.b.org.id]
    assert list(doc.files.values_list("file_id", flat=True)) == files_before
