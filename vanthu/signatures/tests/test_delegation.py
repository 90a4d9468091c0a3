"""A leader going away delegates approval to a named deputy for a period: while it is in force
the deputy approves and signs the documents submitted for that leader, in their own name and
with their own certificate, and the document records that they stood in, K/T or Q., by which
delegation. Before, after, or once cancelled, the deputy is refused as any other leader is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions, delegations
from vanthu.documents.models import Delegation, Document, Signatory
from vanthu.documents.storage import read_blob
from vanthu.errors import InvalidState, NotAllowed, Unprocessable
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f

from .stamps import shown_signatures


@pytest.fixture
def office(world):
    """The secretary signs (T/M BAN THƯỜNG VỤ, BÍ THƯ); the deputy secretary is a leader without
    signing authority of their own (only through a delegation)."""
    a = world.a
    a.leader.full_name = "Nguyễn Thanh Khánh"
    a.leader.save(update_fields=["full_name"])
    deputy = f.make_user(a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).delete()
    ensure_demo_ca()
    return world, deputy


def _submitted(world) -> Document:
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org], signer=a.leader)
    return actions.submit_document(doc, user=a.specialist)


def _delegate(world, deputy, *, form="K/T", start=0, days=7) -> Delegation:
    today = timezone.localdate()
    return delegations.create_delegation(
        user=world.a.leader, organization=world.a.org, deputy_id=deputy.id, form=form,
        starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=start + days - 1),
        reason="Đồng chí Bí thư đi công tác tại Thành phố Hồ Chí Minh", position="PHÓ BÍ THƯ")


def test_without_a_delegation_the_deputy_may_not_approve(office):
    world, deputy = office
    doc = _submitted(world)
    with pytest.raises(NotAllowed):
        actions.approve_document(doc, user=deputy, stand_in=True)
    assert Document.objects.get(pk=doc.pk).status == "submitted"


def test_the_deputy_signs_k_t_in_their_own_name_and_the_document_records_it(office, api_as):
    world, deputy = office
    a = world.a
    delegation = _delegate(world, deputy)
    doc = _submitted(world)
    actions.approve_document(doc, user=deputy)
    actions.issue_document(Document.objects.get(pk=doc.pk), user=a.clerk)
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.signer_id, doc.stood_in_for_id, doc.delegation_id) == (deputy.id, a.leader.id, delegation.id)
    assert (doc.signer_authority, doc.signer_position, doc.signer_name) == ("K/T BÍ THƯ", "PHÓ BÍ THƯ", "Trần Văn Bình")
    leader_sig, _seal = shown_signatures(read_blob(doc.authoritative_file.file_id))
    assert leader_sig.holder == "Trần Văn Bình"
    assert leader_sig.stamp.splitlines()[:2] == ["Ký bởi: Trần Văn Bình", "K/T BÍ THƯ PHÓ BÍ THƯ"]
    entry = AuditEntry.objects.filter(action="document_approved", object_id=str(doc.id)).get()
    assert entry.data["stood_in_for"] == a.leader.id and entry.data["delegation"] == delegation.id and entry.data["form"] == "K/T"
    body = api_as(a.clerk).get(f"/api/v1/documents/{doc.id}").json()
    assert (body["signer_name"], body["stood_in_for"], body["stood_in_form"], body["delegation_id"]) == (
        "Trần Văn Bình", "Nguyễn Thanh Khánh", "K/T", delegation.id)
    c = Client()
    c.force_login(a.clerk)
    page = c.get(f"/documents/{doc.id}/").content.decode()
    assert "K/T đồng chí Nguyễn Thanh Khánh, theo ủy quyền từ" in page


def test_an_acting_deputy_signs_q_with_no_second_line(office):
    world, deputy = office
    _delegate(world, deputy, form="Q.")
    doc = actions.approve_document(_submitted(world), user=deputy)
    assert (doc.signer_authority, doc.signer_position) == ("Q. BÍ THƯ", "")


def test_the_document_page_offers_the_deputy_to_sign_by_the_delegation(office):
    world, deputy = office
    _delegate(world, deputy)
    doc = _submitted(world)
    c = Client()
    c.force_login(deputy)
    page = c.get(f"/documents/{doc.id}/").content.decode()
    assert "Duyệt và ký K/T đồng chí Nguyễn Thanh Khánh (theo ủy quyền)" in page
    assert c.post(f"/documents/{doc.id}/approve/", {"stand_in": "1"}).status_code == 302
    assert Document.objects.get(pk=doc.pk).status == "approved"


@pytest.mark.parametrize("when", ["not_yet", "cancelled"])
def test_outside_the_period_or_once_cancelled_the_deputy_is_refused(office, when):
    world, deputy = office
    d = _delegate(world, deputy, start=3 if when == "not_yet" else 0)
    if when == "cancelled":
        delegations.revoke_delegation(d, user=world.a.leader)
        assert AuditEntry.objects.filter(action="delegation_revoked", object_id=str(d.id)).exists()
    doc = _submitted(world)
    with pytest.raises(NotAllowed):
        actions.approve_document(doc, user=deputy)


def test_a_delegation_for_another_leader_does_not_let_the_deputy_sign_for_this_one(office):
    world, deputy = office
    a = world.a
    other = f.make_user(a.org, "leader", full_name="Lê Thị Hoa")
    today = timezone.localdate()
    delegations.create_delegation(user=other, organization=a.org, deputy_id=deputy.id, form="K/T", starts_on=today, ends_on=today)
    with pytest.raises(NotAllowed):
        actions.approve_document(_submitted(world), user=deputy)


def test_what_a_delegation_must_be(office):
    world, deputy = office
    a, b = world.a, world.b
    today = timezone.localdate()

    def make(user=None, **kw):
        args = {"user": a.leader, "organization": a.org, "deputy_id": deputy.id, "form": "K/T", "starts_on": today,
                "ends_on": today, **kw}
        if user is not None:
            args["user"] = user
        return delegations.create_delegation(**args)

    for kw, code in [({"deputy_id": b.leader.id}, "unknown_deputy"), ({"deputy_id": a.specialist.id}, "unknown_deputy"),
                     ({"deputy_id": a.leader.id}, "delegation_to_self"), ({"form": "T/M"}, "invalid_delegation_form"),
                     ({"ends_on": today - timedelta(days=1)}, "delegation_period_reversed"),
                     ({"starts_on": today - timedelta(days=5), "ends_on": today - timedelta(days=1)}, "delegation_in_past"),
                     ({"ends_on": today + timedelta(days=400)}, "delegation_too_long")]:
        with pytest.raises(Unprocessable) as exc:
            make(**kw)
        assert exc.value.code == code, kw
    with pytest.raises(NotAllowed):
        make(user=a.specialist)
    make()
    with pytest.raises(InvalidState) as exc:  # one deputy at a time
        make(ends_on=today + timedelta(days=2))
    assert exc.value.code == "delegation_overlaps"
    assert Delegation.objects.count() == 1
    assert AuditEntry.objects.filter(action="delegation_created").count() == 1


def test_the_leader_delegates_on_a_page_and_the_api(office, api_as):
    world, deputy = office
    a = world.a
    c = Client()
    c.force_login(a.leader)
    page = c.get("/delegations/").content.decode()
    assert 'name="deputy"' in page and "Trần Văn Bình" in page
    today = timezone.localdate()
    r = c.post("/delegations/", {"deputy": deputy.id, "form": "K/T", "starts_on": today.strftime("%d/%m/%Y"),
                                 "ends_on": (today + timedelta(days=4)).strftime("%d/%m/%Y"), "reason": "Đi học lớp bồi dưỡng"},
               follow=True)
    page = r.content.decode()
    assert "Đã ủy quyền cho đồng chí Trần Văn Bình" in page and "Đang có hiệu lực" in page
    d = Delegation.objects.get()
    assert d.position == ""  # no signing authority of their own: nothing to print under K/T
    # A specialist sees who stands in, but may not delegate.
    spec = Client()
    spec.force_login(a.specialist)
    assert 'name="deputy"' not in spec.get("/delegations/").content.decode()
    assert spec.post("/delegations/", {"deputy": deputy.id}).status_code == 403
    # Through the API: listed, refused for an outsider, cancelled by the leader only.
    body = api_as(a.specialist).get("/api/v1/delegations", organization_id=a.org.id).json()
    assert body["count"] == 1 and body["items"][0]["deputy_name"] == "Trần Văn Bình"
    assert api_as(world.b.leader).get("/api/v1/delegations", organization_id=a.org.id).status_code == 404
    assert api_as(deputy).post(f"/api/v1/delegations/{d.id}/revoke").status_code == 403
    r = api_as(a.leader).post(f"/api/v1/delegations/{d.id}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = api_as(a.leader).post("/api/v1/delegations", {"organization_id": a.org.id, "deputy_id": deputy.id, "form": "Q.",
                                                      "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert r.status_code == 201 and r.json()["form"] == "Q."
    r = api_as(a.leader).post("/api/v1/delegations", {"organization_id": a.org.id, "deputy_id": deputy.id, "form": "Q.",
                                                      "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert r.status_code == 409 and r.json()["error"]["code"] == "delegation_overlaps"
