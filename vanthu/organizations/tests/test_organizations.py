"""The organisation tree: identifier codes, the address book, and who may see the members."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.organizations.models import Organization, OrgKind, validate_org_code
from vanthu.testing import factories as f

# --- identifier codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["000.00.31.H26", "000.00.00.H26", "H26", "G12.34", "A" * 35, "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15"[:35].rstrip(".")])
def test_valid_identifier_codes_pass(code):
    validate_org_code(code)


@pytest.mark.parametrize("code", [
    "000.00.31.h26",        # lower case
    "000.00.31.H26" + "0" * 23,  # 36 characters
    "A" * 36,
    "000.00 31.H26",        # a space inside
    " 000.00.31.H26",       # a space before
    "000.00.31.H26 ",       # a space after
    "000-00-31-H26",        # other separators
    "ĐU.00.31",             # Vietnamese letter
    ".000.00.31.H26",       # dot first
    "000.00.31.H26.",       # dot last
    "000..31.H26",          # empty group
    "",
])
def test_invalid_identifier_codes_are_refused_with_a_vietnamese_message(code):
    with pytest.raises(ValidationError) as exc:
        validate_org_code(code)
    assert "chữ in hoa" in str(exc.value.messages[0])


def test_full_clean_refuses_a_bad_code_and_accepts_a_good_one(db):
    org = Organization(kind=OrgKind.GRASSROOTS_CELL, name="Chi bộ Văn phòng", short_name="CB", code="000.00.31.h26")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "code" in exc.value.message_dict
    org.code = "000.00.31.H26"
    org.full_clean()
    org.save()
    clash = Organization(kind=OrgKind.GRASSROOTS_CELL, name="Chi bộ khác", short_name="CB", code="000.00.31.H26")
    with pytest.raises(ValidationError) as exc:
        clash.full_clean()
    assert "code" in exc.value.message_dict


# --- the address book ----------------------------------------------------------------------------

def _names(r) -> list[str]:
    assert r.status_code == 200, r.content
    return [o["name"] for o in r.json()["items"]]


def test_every_signed_in_person_sees_the_address_book(world, api_as):
    r = api_as(world.outsider.specialist).get("/api/v1/organizations")
    body = r.json()
    assert body["count"] == 5 and len(body["items"]) == 5
    b = next(o for o in body["items"] if o["id"] == world.b.org.id)
    assert b["code"] == "000.00.12.H26" and b["parent_id"] == world.bloc.id and b["term_label"] == "2025-2030"


@pytest.mark.parametrize("q", ["Tài chính", "tài chính", "SỞ TÀI CHÍNH", "so tai chinh", "  Sở   Tài  ", "000.00.12", "000.00.12.h26"])
def test_search_finds_an_organisation_as_people_type_it(world, api_as, q):
    assert _names(api_as(world.a.clerk).get("/api/v1/organizations", q=q)) == ["Đảng bộ Sở Tài chính"]


def test_search_by_short_name_and_with_no_match(world, api_as):
    api = api_as(world.a.clerk)
    assert "Đảng ủy Khối các cơ quan Thành phố" in _names(api.get("/api/v1/organizations", q="ĐUK"))
    assert _names(api.get("/api/v1/organizations", q="không có đơn vị nào như vậy")) == []
    # A control character is refused like in any other text (vanthu/text.py), not searched for.
    assert api.get("/api/v1/organizations", q="Sở\x00").status_code == 422


def test_filter_by_parent(world, api_as):
    api = api_as(world.a.clerk)
    children = _names(api.get("/api/v1/organizations", parent_id=world.bloc.id))
    assert sorted(children) == sorted(["Đảng ủy Khối các cơ quan Thành phố", "Đảng bộ Sở Tài chính", "Đảng bộ Sở Xây dựng", "Đảng bộ Sở Y tế"])
    assert _names(api.get("/api/v1/organizations", parent_id=world.b.org.id)) == []
    assert _names(api.get("/api/v1/organizations", parent_id=world.bloc.id, q="xây dựng")) == ["Đảng bộ Sở Xây dựng"]


def test_pagination_keeps_the_total_count(world, api_as):
    api = api_as(world.a.clerk)
    first = api.get("/api/v1/organizations", limit=2).json()
    rest = api.get("/api/v1/organizations", limit=2, offset=2).json()
    assert first["count"] == rest["count"] == 5
    assert len(first["items"]) == 2 and not {o["id"] for o in first["items"]} & {o["id"] for o in rest["items"]}
    # Out-of-range paging is clamped, not an error.
    assert len(api.get("/api/v1/organizations", limit=0).json()["items"]) == 1
    assert api.get("/api/v1/organizations", offset=-5).json()["count"] == 5


def test_inactive_organisations_are_not_listed(world, api_as):
    Organization.objects.filter(id=world.c.org.id).update(is_active=False)
    assert "Đảng bộ Sở Xây dựng" not in _names(api_as(world.a.clerk).get("/api/v1/organizations"))


# --- members -------------------------------------------------------------------------------------

def test_members_see_their_organisations_people_and_roles(world, api_as):
    b = world.b
    f.make_user(b.org, "leader", "clerk", full_name="Phó Bí thư kiêm Văn phòng")
    r = api_as(b.specialist).get(f"/api/v1/organizations/{b.org.id}/members")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 5
    roles = {m["full_name"]: sorted(m["roles"]) for m in body["items"]}
    assert roles["Phó Bí thư kiêm Văn phòng"] == ["clerk", "leader"]
    assert roles[b.clerk.full_name] == ["clerk"]


def test_deactivated_people_are_not_listed(world, api_as):
    b = world.b
    b.specialist2.is_active = False
    b.specialist2.save()
    ids = {m["user_id"] for m in api_as(b.leader).get(f"/api/v1/organizations/{b.org.id}/members").json()["items"]}
    assert b.specialist2.id not in ids and b.specialist.id in ids


def test_administrators_see_any_organisations_members(world, api_as):
    admin = f.make_user(world.bloc, "admin")
    assert api_as(admin).get(f"/api/v1/organizations/{world.b.org.id}/members").json()["count"] == 4
    superuser = f.make_user(None)
    superuser.is_superuser = True
    superuser.save()
    assert api_as(superuser).get(f"/api/v1/organizations/{world.c.org.id}/members").json()["count"] == 4


def test_people_of_other_organisations_get_404_for_members(world, api_as):
    api = api_as(world.outsider.leader)
    for org_id in (world.b.org.id, world.bloc.id, 987654):
        assert_error(api.get(f"/api/v1/organizations/{org_id}/members"), 404, "organization_not_found")
    # An inspector of another organisation is not an administrator.
    inspector = f.make_user(world.bloc, "inspector")
    assert_error(api_as(inspector).get(f"/api/v1/organizations/{world.b.org.id}/members"), 404)
