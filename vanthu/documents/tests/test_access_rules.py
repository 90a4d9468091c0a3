"""The rules of documents/access.py that the pages and the API ask alike: who accepts an
organisation's arrivals at once (its own clerk, not a clerk of the organisation under it, not a
person of another), and who reads and ends delegations of signing (the organisation's members;
the delegating leader; a deputy outside the period stands in for nobody)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vanthu.documents import access, actions, delegations
from vanthu.documents.models import Delegation, Delivery, Signatory, StatusCode
from vanthu.testing import factories as f


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _arrival(world) -> Delivery:
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                   subject="Về việc báo cáo kết quả thực hiện nhiệm vụ năm 2026")
    return f.delivery_to(doc, world.b.org)


@pytest.fixture
def child(world):
    """A party cell under B, with its own clerk: B's arrivals are not theirs."""
    org = f.make_org("Chi bộ Phòng Ngân sách", parent=world.b.org)
    return org, f.make_user(org, "clerk", full_name="Văn thư Chi bộ Ngân sách")


# --- accepting arrivals at once ------------------------------------------------------------------

def test_the_rule_is_the_organisations_own_clerk(world, child):
    org, child_clerk = child
    assert access.may_accept_for(world.b.clerk, world.b.org.id)
    assert not access.may_accept_for(child_clerk, world.b.org.id)
    assert not access.may_accept_for(world.b.specialist, world.b.org.id)
    assert not access.may_accept_for(world.c.clerk, world.b.org.id)
    assert not access.may_accept_for(world.b.clerk, org.id)  # nor the other way down


def test_a_clerk_of_a_child_organisation_cannot_accept_the_parents_arrivals(world, child, api_as):
    org, child_clerk = child
    d = _arrival(world)
    page = signed_in(child_clerk).post("/inbox/accept/", {"ids": [d.id]}, follow=True).content.decode()
    assert "không tìm thấy" in page
    r = api_as(child_clerk).post("/api/v1/inbox/accept", {"organization_id": world.b.org.id, "delivery_ids": [d.id]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "organization_not_found"
    r = api_as(child_clerk).post("/api/v1/inbox/accept", {"organization_id": org.id, "delivery_ids": [d.id]})
    assert r.status_code == 200
    assert r.json() == {"accepted": [], "failed": [{"delivery_id": d.id, "code": "delivery_not_found", "message": "Không tìm thấy văn bản đến."}]}
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED


def test_a_person_of_another_organisation_learns_nothing_of_the_arrivals(world, api_as):
    d = _arrival(world)
    r = api_as(world.c.clerk).post("/api/v1/inbox/accept", {"organization_id": world.b.org.id, "delivery_ids": [d.id]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "organization_not_found"
    r = api_as(world.c.clerk).post("/api/v1/inbox/accept", {"organization_id": world.c.org.id, "delivery_ids": [d.id]})
    assert [x["code"] for x in r.json()["failed"]] == ["delivery_not_found"]
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED


def test_a_member_who_is_not_the_clerk_is_refused_alike_on_the_page_and_the_api(world, api_as):
    d = _arrival(world)
    for person in (world.b.specialist, world.b.leader):
        assert signed_in(person).post("/inbox/accept/", {"ids": [d.id]}).status_code == 403
        r = api_as(person).post("/api/v1/inbox/accept", {"organization_id": world.b.org.id, "delivery_ids": [d.id]})
        assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED


# --- delegations of signing ----------------------------------------------------------------------

@pytest.fixture
def delegation(world) -> tuple[Delegation, object]:
    a = world.a
    deputy = f.make_user(a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).delete()
    today = timezone.localdate()
    d = delegations.create_delegation(user=a.leader, organization=a.org, deputy_id=deputy.id, form="K/T",
                                      starts_on=today, ends_on=today + timedelta(days=6),
                                      reason="Đồng chí Bí thư đi học tập kinh nghiệm tại Đà Nẵng")
    return d, deputy


def test_delegations_are_read_by_the_organisations_members_only(world, child, delegation, api_as):
    d, deputy = delegation
    _org, child_clerk = child
    insiders = (world.a.clerk, world.a.specialist, deputy)
    outsiders = (world.b.clerk, world.b.leader, child_clerk)
    for person in insiders:
        assert access.sees_delegations_of(person, world.a.org.id)
        r = api_as(person).get("/api/v1/delegations", organization_id=world.a.org.id)
        assert [x["id"] for x in r.json()["items"]] == [d.id]
    for person in outsiders:
        assert not access.sees_delegations_of(person, world.a.org.id)
        r = api_as(person).get("/api/v1/delegations", organization_id=world.a.org.id)
        assert r.status_code == 404 and r.json()["error"]["code"] == "organization_not_found"
        assert "Đà Nẵng" not in signed_in(person).get("/delegations/").content.decode()
        assert signed_in(person).post(f"/delegations/{d.id}/revoke/").status_code == 404
        assert api_as(person).post(f"/api/v1/delegations/{d.id}/revoke").status_code == 404
    assert "Đà Nẵng" in signed_in(world.a.specialist).get("/delegations/").content.decode()
    d.refresh_from_db()
    assert d.revoked_at is None


def test_only_the_delegating_leader_ends_it(world, delegation, api_as):
    d, deputy = delegation
    assert access.may_revoke_delegation(world.a.leader, d)
    for person in (deputy, world.a.clerk):
        assert not access.may_revoke_delegation(person, d)
        assert signed_in(person).post(f"/delegations/{d.id}/revoke/").status_code == 403
        r = api_as(person).post(f"/api/v1/delegations/{d.id}/revoke")
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_the_delegator"
    d.refresh_from_db()
    assert d.revoked_at is None


def test_only_a_leader_with_signing_authority_may_delegate(world, delegation):
    _d, deputy = delegation
    assert access.may_delegate_signing(world.a.leader, world.a.org.id)
    assert not access.may_delegate_signing(deputy, world.a.org.id)  # a leader who signs only by delegation
    assert not access.may_delegate_signing(world.a.clerk, world.a.org.id)
    assert not access.may_delegate_signing(world.b.leader, world.a.org.id)
    assert 'name="deputy"' in signed_in(world.a.leader).get("/delegations/").content.decode()
    assert 'name="deputy"' not in signed_in(deputy).get("/delegations/").content.decode()


@pytest.mark.parametrize("shift", [-30, 30])
def test_a_deputy_outside_the_period_reads_the_delegation_but_stands_in_for_nobody(world, delegation, shift):
    d, deputy = delegation
    today = timezone.localdate()
    Delegation.objects.filter(id=d.id).update(starts_on=today + timedelta(days=shift), ends_on=today + timedelta(days=shift + 6))
    a = world.a
    doc = actions.submit_document(f.draft(a.org, a.specialist, [world.b.org], signer=a.leader), user=a.specialist)
    assert delegations.active_delegation(doc, deputy) is None
    assert delegations.active_delegation(doc, deputy, day=today + timedelta(days=shift)) is not None
    assert access.get_delegation(deputy, d.id).id == d.id
    page = signed_in(deputy).get(f"/documents/{doc.id}/").content.decode()
    assert "(theo ủy quyền)" not in page and "Ký thay" not in page and "Duyệt văn bản" not in page
