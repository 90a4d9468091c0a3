"""Administration is scoped: an organisation's administrator administers that organisation and its
subtree on VanThu's own pages (/manage/, the API); installation-wide powers (trust roots, certificates,
peers, the whole audit log, the sign-in policy, Django's admin site) are the installation administrator's."""
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

def test_the_admin_site_lets_in_the_installation_administrator_only(world, scope):
    """Organisations' administrators have VanThu's own pages under /manage/; Django's admin is the installation's."""
    assert signed_in(scope.root).get("/admin/").status_code == 200
    for org_admin in (scope.admin, f.make_user(world.bloc, "admin")):
        r = signed_in(org_admin).get("/admin/")
        assert r.status_code == 302 and r["Location"] == reverse("manage:people")
        assert signed_in(org_admin).get(r["Location"]).status_code == 200
    r = signed_in(world.b.leader).get("/admin/")
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize("label", sorted(m._meta.label for m in admin.site._registry))
def test_no_admin_page_opens_to_an_organisations_administrator(world, scope, label):
    """Generated from the admin site's registry: a model added later is covered the day it is registered."""
    model = next(m for m in admin.site._registry if m._meta.label == label)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert signed_in(scope.root).get(changelist).status_code == 200
    cell_admin = signed_in(scope.admin)
    before = model._default_manager.count()
    for r in (cell_admin.get(changelist), cell_admin.get(add), cell_admin.post(add, {})):
        assert r.status_code == 302 and r["Location"] == reverse("manage:people")
    assert model._default_manager.count() == before


def test_an_organisations_administrator_changes_nothing_through_the_admin_site(world, scope):
    c = signed_in(scope.admin)
    before = (scope.cell.name, scope.member.full_name, Membership.objects.count(), User.objects.count())
    c.post(f"/admin/organizations/organization/{scope.cell.id}/change/", {"name": "Đổi tên", "parent": world.b.org.id})
    c.post(f"/admin/accounts/user/{scope.member.id}/change/", {"full_name": "Đổi tên", "is_superuser": "on"})
    c.post("/admin/organizations/membership/add/", {"user": scope.member.id, "organization": scope.cell.id, "role": "clerk"})
    strong = "Chi-bo-Tong-hop-2026"
    c.post("/admin/accounts/user/add/", {"username": "dangvien.moi", "password1": strong, "password2": strong})
    scope.cell.refresh_from_db()
    scope.member.refresh_from_db()
    assert (scope.cell.name, scope.member.full_name, Membership.objects.count(), User.objects.count()) == before
    assert not scope.member.is_superuser


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
