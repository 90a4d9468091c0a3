"""Issue 16 §20: an organisation's administrator manages its people, their roles and who signs
for it in VanThu's own pages; every change is audited, and nobody of another organisation can be
seen or touched (404)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from vanthu.accounts.models import ApiToken, User
from vanthu.audit.models import AuditEntry
from vanthu.documents.models import Signatory
from vanthu.organizations.models import Membership
from vanthu.testing import factories as f


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(world):
    # Names that are not part of each other's ("Văn thư ĐU" is inside "Văn thư ĐUK").
    for user, name in ((world.b.clerk, "Hoàng Thị Lan"), (world.b.leader, "Đỗ Quang Vinh")):
        user.full_name = name
        user.save(update_fields=["full_name"])
    return f.make_user(world.a.org, "admin", full_name="Lê Thị Quản Trị")


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_administrator_lists_the_people_of_their_organisation_and_nobody_elses(world, admin):
    page = signed_in(admin).get("/manage/people/").content.decode()
    assert world.a.clerk.get_full_name() in page and world.a.leader.get_full_name() in page
    assert world.b.clerk.get_full_name() not in page
    assert 'href="/manage/people/"' in signed_in(admin).get("/").content.decode()  # in the main navigation
    # Not an administrator: the pages do not exist for them.
    assert signed_in(world.a.leader).get("/manage/people/").status_code == 404
    assert signed_in(world.a.leader).get("/manage/signatories/").status_code == 404
    assert 'href="/manage/people/"' not in signed_in(world.a.leader).get("/").content.decode()


def test_a_person_of_another_organisation_cannot_be_seen_or_touched(world, admin):
    c = signed_in(admin)
    other = world.b.clerk
    assert c.get(f"/manage/people/{other.pk}/").status_code == 404
    assert c.post(f"/manage/people/{other.pk}/", {"organization": world.a.org.pk, "roles": ["clerk"]}).status_code == 404
    assert c.post(f"/manage/people/{other.pk}/active/", {"active": "0"}).status_code == 404
    assert c.post(f"/manage/people/{other.pk}/password/").status_code == 404
    assert c.post(f"/manage/people/{other.pk}/two-factor/").status_code == 404
    other.refresh_from_db()
    assert other.is_active and other.check_password("demo") and not other.must_change_password
    assert not Membership.objects.filter(user=other, organization=world.a.org).exists()
    # Nor can a role in another organisation be given to one's own people.
    r = c.post(f"/manage/people/{world.a.clerk.pk}/", {"organization": world.b.org.pk, "roles": ["admin"]})
    assert r.status_code == 200 and "Hãy chọn một tổ chức bạn quản trị." in r.content.decode()
    assert not Membership.objects.filter(user=world.a.clerk, organization=world.b.org).exists()


def test_adding_a_person_gives_a_temporary_password_they_must_change(world, admin):
    c = signed_in(admin)
    r = c.post("/manage/people/new/", {"full_name": "Phạm Minh Châu", "username": "phamminhchau", "email": "chau@dukhoi.vn",
                                       "organization": world.a.org.pk, "roles": ["specialist"], "position": "Chuyên viên Ban Tổ chức"})
    page = r.content.decode()
    assert r.status_code == 200 and "Đã thêm người dùng" in page
    temporary = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', page).group(1)
    person = User.objects.get(username="phamminhchau")
    assert person.check_password(temporary) and person.must_change_password and person.full_name == "Phạm Minh Châu"
    assert set(Membership.objects.filter(user=person).values_list("organization_id", "role", "position")) == {
        (world.a.org.pk, "specialist", "Chuyên viên Ban Tổ chức")}
    entry = AuditEntry.objects.get(action="person_created", object_id=str(person.pk))
    assert entry.actor_id == admin.pk and entry.data["roles"] == ["specialist"]

    newcomer = Client()
    newcomer.post("/login/", {"username": "phamminhchau", "password": temporary})
    r = newcomer.get("/")
    assert r.status_code == 302 and r["Location"] == "/account/password/"

    # A name already taken is refused plainly, and nothing is written.
    r = c.post("/manage/people/new/", {"full_name": "Phạm Minh Châu", "username": "PhamMinhChau",
                                       "organization": world.a.org.pk, "roles": ["clerk"]})
    assert "Tên đăng nhập này đã có người dùng. Hãy chọn tên khác." in r.content.decode()
    assert User.objects.filter(username__iexact="phamminhchau").count() == 1


def test_roles_are_changed_and_a_last_role_is_never_taken(world, admin):
    c = signed_in(admin)
    target = world.a.specialist
    r = c.post(f"/manage/people/{target.pk}/", {"organization": world.a.org.pk, "roles": ["specialist", "clerk"],
                                                  "position": "Phó Chánh Văn phòng"})
    assert r.status_code == 302
    assert set(Membership.objects.filter(user=target).values_list("role", "position")) == {
        ("specialist", "Phó Chánh Văn phòng"), ("clerk", "Phó Chánh Văn phòng")}
    entry = AuditEntry.objects.filter(action="person_roles_changed").latest("seq")
    assert entry.data["before"] == ["specialist"] and entry.data["after"] == ["clerk", "specialist"]

    r = c.post(f"/manage/people/{target.pk}/", {"organization": world.a.org.pk})
    assert "Không thể bỏ vai trò cuối cùng của một người" in r.content.decode()
    assert Membership.objects.filter(user=target).count() == 2


def test_deactivating_a_person_ends_their_sessions_and_tokens(world, admin):
    target = world.a.clerk
    theirs = Client()
    theirs.post("/login/", {"username": target.username, "password": "demo"})
    r = Client().post("/api/v1/auth/token", {"username": target.username, "password": "demo"}, content_type="application/json")
    assert r.status_code == 200
    r = signed_in(admin).post(f"/manage/people/{target.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not ApiToken.objects.live().filter(user=target).exists()
    assert theirs.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="person_deactivated", object_id=str(target.pk)).exists()
    signed_in(admin).post(f"/manage/people/{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert target.is_active and AuditEntry.objects.filter(action="person_reactivated").exists()
    # One's own account is not locked from here.
    r = signed_in(admin).post(f"/manage/people/{admin.pk}/active/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active


def test_resetting_a_password_ends_sessions_and_forces_a_change(world, admin):
    target = world.a.leader
    theirs = Client()
    theirs.post("/login/", {"username": target.username, "password": "demo"})
    assert theirs.get("/").status_code == 200
    r = signed_in(admin).post(f"/manage/people/{target.pk}/password/")
    temporary = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', r.content.decode()).group(1)
    target.refresh_from_db()
    assert target.check_password(temporary) and target.must_change_password
    assert theirs.get("/").status_code == 302  # the old session is over
    entry = AuditEntry.objects.filter(action="password_changed", object_id=str(target.pk)).latest("seq")
    assert entry.data["by"] == "administrator" and entry.actor_id == admin.pk


def test_the_administrator_gives_and_ends_signing_authority(world, admin):
    c = signed_in(admin)
    deputy = f.make_user(world.a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).delete()
    page = c.get("/manage/signatories/").content.decode()
    assert world.a.leader.get_full_name() in page and world.b.leader.get_full_name() not in page

    r = c.post("/manage/signatories/new/", {"organization": world.a.org.pk, "person": deputy.pk, "form": "K/T",
                                            "on_behalf_of": "", "position": "PHÓ BÍ THƯ", "sort_order": 20, "is_active": "on"})
    assert "cần ghi rõ thay mặt hoặc ký thay cho ai" in r.content.decode()
    r = c.post("/manage/signatories/new/", {"organization": world.a.org.pk, "person": deputy.pk, "form": "K/T",
                                            "on_behalf_of": "BÍ THƯ", "position": "PHÓ BÍ THƯ", "sort_order": 20, "is_active": "on"})
    assert r.status_code == 302
    row = Signatory.objects.get(user=deputy)
    assert (row.organization_id, row.authority, row.position, row.is_active) == (world.a.org.pk, "K/T BÍ THƯ", "PHÓ BÍ THƯ", True)
    assert AuditEntry.objects.get(action="signatory_added", object_id=str(row.pk)).data["signer"] == "Trần Văn Bình"

    # Only a leader of that organisation can sign for it.
    r = c.post("/manage/signatories/new/", {"organization": world.a.org.pk, "person": world.a.specialist.pk, "form": "",
                                            "sort_order": 10, "is_active": "on"})
    assert r.status_code == 200 and not Signatory.objects.filter(user=world.a.specialist).exists()

    r = c.post(f"/manage/signatories/{row.pk}/", {"organization": world.a.org.pk, "person": deputy.pk, "form": "K/T",
                                                  "on_behalf_of": "BÍ THƯ", "position": "PHÓ BÍ THƯ", "sort_order": 20})
    assert r.status_code == 302
    row.refresh_from_db()
    assert not row.is_active
    change = AuditEntry.objects.get(action="signatory_changed", object_id=str(row.pk))
    assert change.data["changes"] == {"active": [True, False]}

    # Another organisation's signing authority is not found.
    theirs = Signatory.objects.get(user=world.b.leader)
    assert c.get(f"/manage/signatories/{theirs.pk}/").status_code == 404
    assert c.post(f"/manage/signatories/{theirs.pk}/", {"organization": world.a.org.pk, "person": deputy.pk,
                                                        "form": "", "sort_order": 1}).status_code == 404
    assert Signatory.objects.get(pk=theirs.pk).organization_id == world.b.org.pk


def test_signing_authority_holds_only_within_its_period(world, admin):
    c = signed_in(admin)
    deputy = f.make_user(world.a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).delete()
    r = c.post("/manage/signatories/new/", {"organization": world.a.org.pk, "person": deputy.pk, "form": "K/T",
                                            "on_behalf_of": "BÍ THƯ", "position": "PHÓ BÍ THƯ", "sort_order": 20,
                                            "is_active": "on", "valid_from": "01/01/2026", "valid_to": "31/12/2025"})
    assert "Ngày kết thúc thẩm quyền không được trước ngày bắt đầu." in r.content.decode()
    assert not Signatory.objects.filter(user=deputy).exists()
    # A term that ended yesterday: the row is kept, but drafters no longer see the deputy.
    r = c.post("/manage/signatories/new/", {"organization": world.a.org.pk, "person": deputy.pk, "form": "K/T",
                                            "on_behalf_of": "BÍ THƯ", "position": "PHÓ BÍ THƯ", "sort_order": 20,
                                            "is_active": "on", "valid_from": "01/01/2021", "valid_to": "01/01/2022"})
    assert r.status_code == 302
    row = Signatory.objects.get(user=deputy)
    assert not Signatory.objects.of_organization(world.a.org.pk).filter(pk=row.pk).exists()
    compose = signed_in(world.a.specialist).get("/documents/new/").content.decode()
    assert "Trần Văn Bình" not in compose and world.a.leader.get_full_name() in compose
    assert "từ 01/01/2021" in c.get("/manage/signatories/").content.decode()
