"""Authentication is measured for every document: each issued and each received electronic
document gets its verdict in the background; one still waiting shows as waiting; documents that
missed their check (a lost task, a bulk import such as the demo's) are caught up by the worker;
a clerk can check again after the trust roots change."""

from __future__ import annotations

from django.test import override_settings

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.signatures import tasks
from vanthu.signatures.actions import awaiting_verdict, set_trust_root_enabled, verify_waiting
from vanthu.signatures.models import SignatureReport, SigningCertificate, TrustRoot
from vanthu.signatures.verdict import documents_authenticated
from vanthu.testing import factories as f


def _issue_signed_by_the_leader_only(world) -> Document:
    """The organisation has no seal: the leader's signed copy is the file that counts."""
    a = world.a
    SigningCertificate.objects.filter(organization=a.org, user__isnull=True).delete()
    with f.background_done():
        doc = f.draft(a.org, a.specialist, [world.b.org], signer=a.leader)
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    with f.background_done():
        actions.issue_document(Document.objects.get(pk=doc.pk), user=a.clerk)
    return Document.objects.get(pk=doc.pk)


def test_a_document_issued_without_a_seal_gets_the_verdict_of_its_signed_copy(signing_world):
    doc = _issue_signed_by_the_leader_only(signing_world)
    assert doc.authoritative_file_id, "the leader's signed copy counts"
    report = SignatureReport.objects.filter(document=doc, document_file_id=doc.authoritative_file_id).get()
    assert report.status == "valid" and report.authenticated is False  # a person's signature, no organisation's
    assert documents_authenticated([doc.id]) == {doc.id: False}
    assert not awaiting_verdict(Document.objects.filter(pk=doc.pk)).exists()


def test_a_document_waiting_shows_as_waiting_and_the_worker_catches_it_up(signing_world, client):
    world = signing_world
    a = world.a
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org]) for _ in range(3)]
    ids = [d.id for d in docs]
    SignatureReport.objects.filter(document_id__in=ids).delete()  # as if their checks were lost
    assert documents_authenticated(ids) == dict.fromkeys(ids)
    assert set(awaiting_verdict(Document.objects.all()).values_list("id", flat=True)) >= set(ids)

    client.force_login(world.b.clerk)
    page = client.get(f"/documents/{ids[0]}/").content.decode()
    assert "Đang chờ kiểm tra chữ ký số" in page and "Không có chữ ký số" not in page

    with override_settings(TASKS=f.IMMEDIATE_TASKS):
        tasks.on_worker_start()  # the worker, when it starts, checks what waits
    assert documents_authenticated(ids) == dict.fromkeys(ids, True)
    assert not awaiting_verdict(Document.objects.all()).exists()
    page = client.get(f"/documents/{ids[0]}/").content.decode()
    assert "Đã xác thực điện tử" in page and "Đang chờ kiểm tra" not in page
    assert verify_waiting() == 0


def test_drafts_and_paper_never_wait_for_a_verdict(signing_world):
    world = signing_world
    draft = f.draft(world.a.org, world.a.specialist, [world.b.org])
    paper = actions.register_paper_document(
        user=world.b.clerk, organization=world.b.org, sender_name="Sở Nội vụ", number_symbol="125/SNV-VP",
        issued_date=draft.created_at.date(), doc_type="CV", subject="Về việc rà soát", file=f.upload()).document
    assert not awaiting_verdict(Document.objects.filter(id__in=[draft.id, paper.id])).exists()


def test_a_clerk_checks_again_after_the_trust_roots_change(signing_world, client):
    world = signing_world
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    assert documents_authenticated([doc.id]) == {doc.id: True}

    client.force_login(world.b.leader)  # sees the document (a specialist would not, unless assigned)
    assert "Kiểm tra lại chữ ký số" not in client.get(f"/documents/{doc.id}/").content.decode()
    assert client.post(f"/signatures/documents/{doc.id}/verify/").status_code == 403
    client.force_login(world.outsider.clerk)
    assert client.post(f"/signatures/documents/{doc.id}/verify/").status_code == 404

    admin = f.make_installation_admin()
    for root in TrustRoot.objects.all():  # the administrator stops trusting the demo root
        set_trust_root_enabled(root, user=admin, enabled=False)
    client.force_login(world.b.clerk)
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert "Kiểm tra lại chữ ký số" in page
    r = client.post(f"/signatures/documents/{doc.id}/verify/", follow=True)
    assert r.status_code == 200 and "Đã kiểm tra lại chữ ký số" in r.content.decode()
    assert documents_authenticated([doc.id]) == {doc.id: False}
    assert SignatureReport.objects.filter(document=doc).order_by("-checked_at", "-id").first().status == "invalid"
    assert AuditEntry.objects.filter(action="signatures_verified", object_id=str(doc.id), actor=world.b.clerk).exists()
