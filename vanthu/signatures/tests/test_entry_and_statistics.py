"""Every PDF that enters is verified and its report kept; statistics count authenticated documents."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Document
from vanthu.signatures import ca
from vanthu.signatures.actions import signature_report
from vanthu.signatures.models import SignatureReport, authenticated_documents
from vanthu.testing import factories as f

from . import pki


def _register_paper(world, data: bytes):
    b = world.b
    with f.background_done():  # the scan's signatures are checked in the background
        return doc_actions.register_paper_document(
            user=b.clerk, organization=b.org, sender_name="Sở Nội vụ Hà Nội", number_symbol="12/SNV-VP",
            issued_date=timezone.localdate(), doc_type="CV", subject="Về việc tuyển dụng công chức",
            file=f.upload("scan.pdf", data),
        )


def test_a_registered_scan_with_a_tampered_signature_keeps_an_invalid_report(world):
    root = ca.make_root("Entry Root", kind="ec")
    ca.ensure_trust_root(root.certificate, "Entry Root")
    data = bytearray(pki.signed_pdf(root))
    pos = bytes(data).index(b"Creator")
    data[pos] = ord("X")
    delivery = _register_paper(world, bytes(data))
    report = SignatureReport.objects.get(document=delivery.document)
    assert report.status == "invalid"
    assert report.signatures[0]["reasons"] == ["content_altered"]
    assert report.document_file.role == "main"


def test_a_draft_uploaded_already_signed_is_verified_on_entry(world):
    root = ca.make_root("Entry Root", kind="ec")
    ca.ensure_trust_root(root.certificate, "Entry Root")
    a = world.a
    with f.background_done():
        doc = doc_actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject="Văn bản đã ký sẵn",
                                       recipient_ids=[world.b.org.id], main_file=f.upload("ky.pdf", pki.signed_pdf(root)))
    report = signature_report(doc)
    assert report.status == "valid" and report.authenticated is False  # a person's signature only


def test_statistics_count_only_documents_with_every_signature_valid_and_an_organisations(signing_world):
    world = signing_world
    a = world.a
    sealed = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    only_leader = f.draft(a.org, a.specialist, [world.b.org])
    doc_actions.submit_document(only_leader, user=a.specialist)
    doc_actions.approve_document(only_leader, user=a.leader)
    with f.background_done():
        unsigned = f.draft(a.org, a.specialist, [world.b.org])
    ids = set(authenticated_documents(Document.objects.all()).values_list("id", flat=True))
    assert ids == {sealed.id}
    assert only_leader.id not in ids and unsigned.id not in ids

    html = render_to_string("signatures/badge.html", {"report": signature_report(Document.objects.get(pk=sealed.pk))})
    assert "Đã xác thực điện tử" in html and world.a.leader.get_full_name() in html and "+07:00" in html
    html = render_to_string("signatures/badge.html", {"report": signature_report(unsigned)})
    assert "chỉ có giá trị tham khảo" in html
