"""Administration is scoped: an organisation's administrator administers that organisation and its
subtree; installation-wide powers (trust roots, certificates, peers, the whole audit log, the
sign-in policy, every other model of the admin site) are the installation administrator's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.audit.models import AuditEntry
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.errors import NotAllowed
from vanthu.exchange.actions import register_peer
from vanthu.exchange.models import Peer
from vanthu.exchange.tests.test_edxml import _key_and_cert
from vanthu.organizations.models import Membership, Organization, OrgKind
from vanthu.signatures import ca
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.signatures.models import SigningCertificate, TrustRoot
from vanthu.testing import factories as f

# The admin site's pages an organisation's administrator sees, scoped; every other model is the installation's.
SCOPED_MODELS = {"organizations.Organization", "organizations.Membership", "accounts.User"}


@dataclass
class Scope:
    cell: Organization  # a small cell under world.b
    sub: Organization  # a sub-cell of it
    admin: User  # the cell's administrator
    member: User  # belongs to the sub-cell only: the cell's administrator administers them
    shared: User  # belongs to the sub-cell and to world.c: beyond the cell administrator's reach
    root: User  # the installation's administrator


@pytest.fixture
def scope(world) -> Scope:
    cell = f.make_org("Chi bộ Phòng Ngân sách", short_name="CB", parent=world.b.org, kind=OrgKind.GRASSROOTS_CELL)
    sub = f.make_org("Chi bộ trực thuộc Tổ Tổng hợp", short_name="CB", parent=cell, kind=OrgKind.SUB_CELL)
    shared = f.make_user(sub, "clerk", full_name="Văn thư kiêm nhiệm")
    Membership.objects.create(user=shared, organization=world.c.org, role="specialist")
    return Scope(
        cell=cell, sub=sub, admin=f.make_user(cell, "admin", full_name="Quản trị chi bộ"),
        member=f.make_user(sub, "specialist", full_name="Đảng viên Tổ Tổng hợp"), shared=shared,
        root=f.make_installation_admin(world.bloc),
    )


def signed_in(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def admin_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _pem() -> bytes:
    return ca.make_root("Root của quản trị chi bộ", kind="ec").certificate.public_bytes(serialization.Encoding.PEM)


# --- the site itself ------------------------------------------------------------------------------

def test_the_admin_site_lets_in_administrators_only(world, scope):
    assert signed_in(scope.admin).get("/admin/").status_code == 200
    assert signed_in(scope.root).get("/admin/").status_code == 200
    r = signed_in(world.b.leader).get("/admin/")
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize("label", sorted(m._meta.label for m in admin.site._registry))
def test_every_installation_wide_admin_page_refuses_an_organisations_administrator(world, scope, label):
    """Generated from the admin site's registry: a model added later is covered the day it is registered."""
    model = next(m for m in admin.site._registry if m._meta.label == label)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert signed_in(scope.root).get(changelist).status_code == 200
    if label in SCOPED_MODELS:
        assert signed_in(scope.admin).get(changelist).status_code == 200
        return
    cell_admin = signed_in(scope.admin)
    assert cell_admin.get(changelist).status_code == 403
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    if signed_in(scope.root).get(add).status_code == 200:
        before = model._default_manager.count()
        assert cell_admin.get(add).status_code == 403
        assert cell_admin.post(add, {}).status_code == 403
        assert model._default_manager.count() == before


# --- the audit log --------------------------------------------------------------------------------

def test_only_the_installation_administrator_reads_the_whole_audit_log(world, scope):
    record("document_issued", actor=world.c.clerk, data={"subject": "Về việc của Sở Xây dựng"})
    for path in ("/audit/", "/audit/export.csv"):
        assert signed_in(scope.admin).get(path).status_code == 403
        assert signed_in(scope.root).get(path).status_code == 200
    # The bloc's own administrator administers the whole tree, but the log is the installation's.
    assert signed_in(f.make_user(world.bloc, "admin")).get("/audit/").status_code == 403


# --- members -------------------------------------------------------------------------------------

def test_an_organisations_administrator_lists_members_of_its_subtree_only(world, scope, api_as):
    api = api_as(scope.admin)
    for org in (scope.cell, scope.sub):
        assert api.get(f"/api/v1/organizations/{org.id}/members").status_code == 200
    names = {m["full_name"] for m in api.get(f"/api/v1/organizations/{scope.sub.id}/members").json()["items"]}
    assert names == {"Văn thư kiêm nhiệm", "Đảng viên Tổ Tổng hợp"}
    for org in (world.b.org, world.c.org, world.bloc, world.outsider.org):
        assert_error(api.get(f"/api/v1/organizations/{org.id}/members"), 404, "organization_not_found")
    root = api_as(scope.root)
    for org in (world.c.org, scope.sub, world.outsider.org):
        assert root.get(f"/api/v1/organizations/{org.id}/members").status_code == 200


def test_the_admin_pages_show_an_organisations_administrator_its_subtree_only(world, scope):
    c = signed_in(scope.admin)
    page = c.get("/admin/organizations/organization/")
    assert set(page.context["cl"].result_list) == {scope.cell, scope.sub}
    page = c.get("/admin/organizations/membership/")
    assert {m.organization for m in page.context["cl"].result_list} == {scope.cell, scope.sub}
    page = c.get("/admin/accounts/user/")
    assert set(page.context["cl"].result_list) == {scope.admin, scope.member}
    assert not c.get("/admin/accounts/user/", {"q": world.c.clerk.username}).context["cl"].result_list
    # Beyond reach looks like nothing at all.
    other_role = Membership.objects.get(user=world.c.clerk)
    for path in (f"/admin/organizations/organization/{world.b.org.id}/change/",
                 f"/admin/organizations/organization/{world.c.org.id}/change/",
                 f"/admin/organizations/membership/{other_role.id}/change/",
                 f"/admin/accounts/user/{world.c.clerk.id}/change/",
                 f"/admin/accounts/user/{scope.shared.id}/change/",
                 f"/admin/accounts/user/{scope.root.id}/change/",
                 f"/admin/accounts/user/{world.c.clerk.id}/password/"):
        assert c.get(path).status_code == 404, path
    auto = c.get("/admin/autocomplete/", {"app_label": "organizations", "model_name": "membership", "field_name": "user",
                                          "term": world.c.clerk.username})
    assert auto.status_code == 200 and auto.json()["results"] == []


# --- what an organisation's administrator may do in its subtree -------------------------------------

def test_an_organisations_administrator_changes_its_organisations_and_adds_under_them(world, scope):
    c = signed_in(scope.admin)
    url = f"/admin/organizations/organization/{scope.cell.id}/change/"
    data = admin_form_data(c.get(url)) | {"name": "Chi bộ Phòng Ngân sách nhà nước", "parent": world.c.org.id, "is_active": ""}
    assert c.post(url, data).status_code == 302
    scope.cell.refresh_from_db()
    # Details change; the top of its reach neither moves nor closes.
    assert scope.cell.name == "Chi bộ Phòng Ngân sách nhà nước"
    assert scope.cell.parent_id == world.b.org.id and scope.cell.is_active
    new = {"kind": OrgKind.SUB_CELL, "name": "Chi bộ trực thuộc Tổ Kế toán", "short_name": "CB", "code": "000.00.99.H26",
           "numbering_style": "party", "place": "Hà Nội", "is_active": "on", "invalid_signature_policy": "hold",
           "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    assert c.post("/admin/organizations/organization/add/", new | {"parent": scope.cell.id}).status_code == 302
    assert Organization.objects.get(code="000.00.99.H26").parent_id == scope.cell.id
    # Not under an organisation it does not administer, nor at the top of the tree.
    for parent in (world.b.org.id, ""):
        r = c.post("/admin/organizations/organization/add/", new | {"code": "000.00.98.H26", "parent": parent})
        assert r.status_code == 200 and r.context["adminform"].form.errors.get("parent")
    assert not Organization.objects.filter(code="000.00.98.H26").exists()
    # Nor delete one, nor make a loop.
    assert c.post(f"/admin/organizations/organization/{scope.sub.id}/delete/", {"post": "yes"}).status_code == 403
    url = f"/admin/organizations/organization/{scope.sub.id}/change/"
    r = c.post(url, admin_form_data(c.get(url)) | {"parent": scope.sub.id})
    assert r.status_code == 200 and r.context["adminform"].form.errors.get("parent")
    scope.sub.refresh_from_db()
    assert scope.sub.parent_id == scope.cell.id


def test_an_organisations_administrator_gives_roles_in_its_subtree_only(world, scope):
    c = signed_in(scope.admin)
    add = "/admin/organizations/membership/add/"
    assert c.post(add, {"user": scope.member.id, "organization": scope.cell.id, "role": "clerk"}).status_code == 302
    assert Membership.objects.filter(user=scope.member, organization=scope.cell, role="clerk").exists()
    before = Membership.objects.count()
    for data in ({"user": scope.member.id, "organization": world.b.org.id, "role": "admin"},  # above its reach
                 {"user": scope.admin.id, "organization": world.bloc.id, "role": "admin"},
                 {"user": world.c.clerk.id, "organization": scope.cell.id, "role": "admin"}):  # a stranger
        r = c.post(add, data)
        assert r.status_code == 200 and r.context["adminform"].form.errors, data
    assert Membership.objects.count() == before


def test_an_organisations_administrator_creates_people_with_a_role_and_cannot_raise_them(world, scope):
    c = signed_in(scope.admin)
    strong = "Chi-bo-Tong-hop-2026"
    person = {"username": "dangvien.moi", "usable_password": "true", "password1": strong, "password2": strong,
              "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "1",
              "memberships-0-organization": scope.sub.id, "memberships-0-role": "specialist"}
    assert c.post("/admin/accounts/user/add/", person).status_code == 302
    created = User.objects.get(username="dangvien.moi")
    assert list(created.memberships.values_list("organization_id", flat=True)) == [scope.sub.id]
    # Without a role in one of its organisations, nobody is created.
    r = c.post("/admin/accounts/user/add/", person | {"username": "nguoi.la", "memberships-TOTAL_FORMS": "0"})
    assert r.status_code == 200 and not User.objects.filter(username="nguoi.la").exists()
    r = c.post("/admin/accounts/user/add/", person | {"username": "nguoi.la", "memberships-0-organization": world.c.org.id})
    assert r.status_code == 200 and not User.objects.filter(username="nguoi.la").exists()
    # Staff and superuser flags are not on its page: posting them changes nothing.
    url = f"/admin/accounts/user/{scope.member.id}/change/"
    data = admin_form_data(c.get(url)) | {"full_name": "Đảng viên Tổ Tổng hợp (mới)", "is_superuser": "on", "is_staff": "on"}
    assert c.post(url, data).status_code == 302
    scope.member.refresh_from_db()
    assert scope.member.full_name == "Đảng viên Tổ Tổng hợp (mới)"
    assert not scope.member.is_superuser and not scope.member.is_staff
    # Nor may it delete anyone.
    assert c.post(f"/admin/accounts/user/{scope.member.id}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(id=scope.member.id).exists()


def test_an_organisations_administrator_resets_passwords_of_its_people_only(world, scope, api_as):
    api = api_as(scope.admin)
    strong = {"new_password": "Mat-khau-moi-2026"}
    assert api.post(f"/api/v1/people/{scope.member.id}/password", strong).status_code == 200
    for person in (scope.shared, world.c.clerk, world.b.clerk, scope.root):
        assert_error(api.post(f"/api/v1/people/{person.id}/password", strong), 404, "person_not_found")
        person.refresh_from_db()
        assert person.check_password("demo")
    assert_error(api_as(world.b.leader).post(f"/api/v1/people/{scope.member.id}/password", strong), 404, "person_not_found")
    root = api_as(scope.root)
    assert root.post(f"/api/v1/people/{scope.shared.id}/password", strong).status_code == 200


# --- installation-wide powers ------------------------------------------------------------------------

def test_only_the_installation_administrator_adds_trust_roots_and_certificates(world, scope, api_as):
    for person in (scope.admin, f.make_user(world.bloc, "admin")):
        api = api_as(person)
        r = api.client.post("/api/v1/trust-roots", _pem(), content_type="application/x-pem-file", headers=api.headers)
        assert_error(r, 403, "admin_only")
        assert_error(api.get("/api/v1/trust-roots"), 403, "admin_only")
        r = api.post("/api/v1/signing-certificates", {"file": SimpleUploadedFile("x.p12", b"x"), "organization_id": scope.cell.id},
                     multipart=True)
        assert_error(r, 403, "admin_only")
    assert not TrustRoot.objects.exists() and not SigningCertificate.objects.exists()
    root = api_as(scope.root)
    r = root.client.post("/api/v1/trust-roots", _pem(), content_type="application/x-pem-file", headers=root.headers)
    assert r.status_code == 201 and TrustRoot.objects.count() == 1


def test_only_the_installation_administrator_registers_peers(world, scope):
    ensure_demo_ca()
    _key, cert = _key_and_cert()
    identity = {"site_id": "thanh-uy-ha-noi", "name": "Thành ủy Hà Nội", "endpoint": "http://127.0.0.1:9/exchange/inbox",
                "organizations": [{"code": "000.00.01.H26", "name": "Thành ủy Hà Nội", "short_name": "TU",
                                   "certificate": C.b64(C.der(cert))}]}
    for person in (scope.admin, f.make_user(world.bloc, "admin"), f.make_user(None)):
        with pytest.raises(NotAllowed):
            register_peer(identity, user=person, base_url="http://127.0.0.1:9")
    assert not Peer.objects.exists()
    assert register_peer(identity, user=scope.root, base_url="http://127.0.0.1:9").site_id == "thanh-uy-ha-noi"


def test_the_installation_administrator_administers_everyone_everywhere(world, scope):
    c = signed_in(scope.root)
    assert set(c.get("/admin/accounts/user/").context["cl"].result_list) >= {scope.shared, world.c.clerk, scope.admin}
    url = f"/admin/organizations/organization/{world.b.org.id}/change/"
    assert c.post(url, admin_form_data(c.get(url)) | {"short_name": "ĐU-TC"}).status_code == 302
    world.b.org.refresh_from_db()
    assert world.b.org.short_name == "ĐU-TC"
    assert c.get("/audit/").status_code == 200


def test_me_says_what_one_administers(world, scope, api_as):
    me = api_as(scope.admin).get("/api/v1/me").json()
    assert me["is_admin"] is True and me["is_installation_admin"] is False
    me = api_as(scope.root).get("/api/v1/me").json()
    assert me["is_admin"] is True and me["is_installation_admin"] is True
    me = api_as(world.b.leader).get("/api/v1/me").json()
    assert me["is_admin"] is False and me["is_installation_admin"] is False


def test_refusals_write_nothing_but_the_refusal(world, scope, api_as):
    """A refused request changes no row; the audit log gains only the permission_denied note."""
    before = {m: m.objects.count() for m in (Organization, Membership, User, TrustRoot, Peer)}
    seq = AuditEntry.objects.count()
    c = signed_in(scope.admin)
    c.post(f"/admin/organizations/organization/{world.c.org.id}/change/", {"name": "x"})
    c.post(f"/admin/accounts/user/{world.c.clerk.id}/password/", {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"})
    c.post("/admin/exchange/peer/add/", {"name": "x"})
    c.get("/audit/")
    api = api_as(scope.admin)
    api.client.post("/api/v1/trust-roots", _pem(), content_type="application/x-pem-file", headers=api.headers)
    assert {m: m.objects.count() for m in before} == before
    world.c.clerk.refresh_from_db()
    assert world.c.clerk.check_password("demo")
    assert set(AuditEntry.objects.order_by("seq")[seq:].values_list("action", flat=True)) <= {"permission_denied", "signed_in", "api_token_issued"}
