"""The signer is the person who signed: the drafter chooses the signing leader among the
organisation's signatories; only that leader (or one standing in, recorded) approves and signs;
the document's "Người ký" and the visible stamps come from the certificates' holders, as pyHanko
reads them from the issued PDF."""

from __future__ import annotations

import pytest

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Document, Signatory
from vanthu.documents.storage import read_blob
from vanthu.errors import NotAllowed, Unprocessable
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f

from .stamps import shown_signatures


@pytest.fixture
def two_leaders(world):
    """The sender has its secretary (T/M BAN THƯỜNG VỤ) and a deputy (K/T BÍ THƯ), both with certificates."""
    a = world.a
    a.leader.full_name = "Nguyễn Thanh Khánh"
    a.leader.save(update_fields=["full_name"])
    deputy = f.make_user(a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).update(form="K/T", on_behalf_of="BÍ THƯ", position="PHÓ BÍ THƯ")
    ensure_demo_ca()
    return world, deputy


def _issued_pdf(doc: Document) -> bytes:
    doc = Document.objects.get(pk=doc.pk)
    return read_blob(doc.authoritative_file.file_id)


def test_the_chosen_leader_signs_and_the_pdf_names_the_certificate_holder(two_leaders, api_as):
    world, deputy = two_leaders
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org], signer=deputy)
    actions.submit_document(doc, user=a.specialist)
    # The secretary was not chosen: approving without standing in is refused, and nothing changes.
    with pytest.raises(NotAllowed) as exc:
        actions.approve_document(doc, user=a.leader)
    assert exc.value.code == "not_the_signer" and "Trần Văn Bình" in exc.value.message
    assert Document.objects.get(pk=doc.pk).status == "submitted"
    r = api_as(a.leader).post(f"/api/v1/documents/{doc.id}/approve")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_the_signer"

    actions.approve_document(Document.objects.get(pk=doc.pk), user=deputy)
    actions.issue_document(Document.objects.get(pk=doc.pk), user=a.clerk)
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.signer_authority, doc.signer_position, doc.signer_name) == ("K/T BÍ THƯ", "PHÓ BÍ THƯ", "Trần Văn Bình")
    assert doc.stood_in_for_id is None

    leader_sig, seal = shown_signatures(_issued_pdf(doc))
    assert leader_sig.holder == doc.signer_name == "Trần Văn Bình"
    assert leader_sig.stamp.splitlines()[:2] == ["Ký bởi: Trần Văn Bình", "K/T BÍ THƯ PHÓ BÍ THƯ"]
    assert seal.holder == a.org.name and seal.stamp.splitlines()[0] == f"Ký bởi: {a.org.name}"
    assert "Khánh" not in leader_sig.stamp + seal.stamp
    body = api_as(world.b.clerk).get(f"/api/v1/documents/{doc.id}").json()
    assert body["signer_name"] == "Trần Văn Bình" and body["signer_authority"] == "K/T BÍ THƯ"


def test_a_leader_standing_in_signs_in_their_own_name_and_it_is_recorded(two_leaders, client):
    world, deputy = two_leaders
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org], signer=a.leader)
    actions.submit_document(doc, user=a.specialist)
    client.force_login(deputy)
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert "Ký thay đồng chí Nguyễn Thanh Khánh" in page and 'name="stand_in"' in page
    assert client.post(f"/documents/{doc.id}/approve/", {"stand_in": "1"}).status_code == 302
    actions.issue_document(Document.objects.get(pk=doc.pk), user=a.clerk)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == "issued" and doc.stood_in_for_id == a.leader.id
    assert (doc.signer_id, doc.signer_name, doc.signer_authority) == (deputy.id, "Trần Văn Bình", "K/T BÍ THƯ")
    entry = AuditEntry.objects.filter(action="document_approved", object_id=str(doc.id)).get()
    assert entry.data["stood_in_for"] == a.leader.id and entry.data["signer"] == "Trần Văn Bình"
    leader_sig, _seal = shown_signatures(_issued_pdf(doc))
    assert leader_sig.holder == "Trần Văn Bình" and leader_sig.stamp.startswith("Ký bởi: Trần Văn Bình")
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert "ký thay đồng chí Nguyễn Thanh Khánh" in page


def test_the_name_shown_is_the_certificates_even_when_the_account_name_differs(two_leaders):
    """An account renamed after its certificate was issued: the certificate's name is what signed."""
    world, deputy = two_leaders
    a = world.a
    deputy.full_name = "Bình"
    deputy.save(update_fields=["full_name"])
    doc = f.issued(a.org, specialist=a.specialist, leader=deputy, clerk=a.clerk, recipients=[world.b.org])
    doc = Document.objects.get(pk=doc.pk)
    leader_sig, _seal = shown_signatures(_issued_pdf(doc))
    assert doc.signer_name == leader_sig.holder == "Trần Văn Bình"


def test_the_signer_must_be_one_of_the_organisations_signatories(two_leaders):
    world, _deputy = two_leaders
    a, b = world.a, world.b
    elsewhere = Signatory.objects.get(user=b.leader)
    with pytest.raises(Unprocessable) as exc:
        actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject="Về việc thử",
                             recipient_ids=[b.org.id], signatory_id=elsewhere.id, main_file=f.upload())
    assert exc.value.code == "unknown_signatory"
    # Two signatories and no choice: the draft is kept, but it cannot be submitted unsigned.
    doc = actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject="Về việc thử",
                               recipient_ids=[b.org.id], main_file=f.upload())
    with pytest.raises(Unprocessable) as exc:
        actions.submit_document(doc, user=a.specialist)
    assert exc.value.code == "signatory_required"
    # A specialist is not a signatory: never offered, never accepted as a stand-in.
    doc = f.draft(a.org, a.specialist, [b.org], signer=a.leader)
    actions.submit_document(doc, user=a.specialist)
    with pytest.raises(NotAllowed):
        actions.approve_document(doc, user=a.specialist, stand_in=True)


def test_the_compose_page_offers_the_signatories_with_their_authority(two_leaders, client):
    world, deputy = two_leaders
    client.force_login(world.a.specialist)
    page = client.get("/documents/new/").content.decode()
    assert "T/M BAN THƯỜNG VỤ · BÍ THƯ · Nguyễn Thanh Khánh" in page and "K/T BÍ THƯ · PHÓ BÍ THƯ · Trần Văn Bình" in page
    assert 'name="signer_name"' not in page


def test_the_api_lists_the_signatories_to_choose_from(two_leaders, api_as):
    world, deputy = two_leaders
    body = api_as(world.a.specialist).get("/api/v1/signatories", organization_id=world.a.org.id).json()
    assert [(s["name"], s["authority"], s["position"]) for s in body["items"]] == [
        ("Nguyễn Thanh Khánh", "T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("Trần Văn Bình", "K/T BÍ THƯ", "PHÓ BÍ THƯ")]
    assert api_as(world.b.specialist).get("/api/v1/signatories", organization_id=world.a.org.id).status_code == 404
