"""Issue 16 §19: a person's own account. A password an administrator chose must be replaced at
the first sign-in; the refusals of a weak password are plain Vietnamese; recovery codes can be
renewed (the old ones die); the installation chooses which roles must use two-factor sign-in."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client

from vanthu.accounts import actions
from vanthu.accounts.models import SecurityPolicy, User
from vanthu.accounts.security import two_factor_required
from vanthu.accounts.tests.test_security import enrol, login_password, next_code, token
from vanthu.audit.models import AuditEntry
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.errors import Unprocessable
from vanthu.testing import factories as f

MINE = "Hoa-sen-Tay-Ho-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_password_set_by_an_administrator_must_be_changed_at_first_sign_in(world, client):
    admin = f.make_user(world.a.org, "admin")
    clerk = world.a.clerk
    actions.change_password(user=admin, target=clerk, password="Tam-thoi-8421-xyz")
    assert User.objects.get(pk=clerk.pk).must_change_password

    r = login_password(client, clerk.username, "Tam-thoi-8421-xyz")
    assert r.status_code == 302
    for path in ("/", "/account/", "/documents/inbox/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/account/password/", path
    # The bell polling in the background is sent to the whole page, not given the form as a fragment.
    r = client.get("/notifications/bell/", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Redirect"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "do quản trị đặt tạm" in page
    # The API gives no token on a temporary password either.
    assert_error(token(Client(), clerk.username, "Tam-thoi-8421-xyz"), 403, "password_change_required")

    # Typing the temporary one again is not a change.
    r = client.post("/account/password/", {"old_password": "Tam-thoi-8421-xyz", "new_password1": "Tam-thoi-8421-xyz",
                                           "new_password2": "Tam-thoi-8421-xyz"})
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in r.content.decode()
    r = client.post("/account/password/", {"old_password": "Tam-thoi-8421-xyz", "new_password1": MINE, "new_password2": MINE})
    assert r.status_code == 302 and r["Location"] == "/account/"
    assert not User.objects.get(pk=clerk.pk).must_change_password
    assert client.get("/").status_code == 200
    assert token(Client(), clerk.username, MINE).status_code == 200


def test_a_person_changing_their_own_password_is_never_made_to_change_it_again(world, client):
    client.force_login(world.a.specialist)
    r = client.post("/account/password/", {"old_password": "demo", "new_password1": MINE, "new_password2": MINE})
    assert r.status_code == 302
    assert not User.objects.get(pk=world.a.specialist.pk).must_change_password
    entry = AuditEntry.objects.filter(action="password_changed").latest("seq")
    assert entry.data["by"] == "self"


@pytest.mark.parametrize(("new", "message"), [
    ("Ab-3", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
    ("48213957604", "Mật khẩu không được chỉ gồm chữ số: hãy thêm chữ cái."),
    ("password123", "Mật khẩu này quá phổ biến, người khác dễ đoán ra."),
])
def test_a_weak_new_password_is_refused_in_plain_vietnamese(world, client, new, message):
    client.force_login(world.a.specialist)
    r = client.post("/account/password/", {"old_password": "demo", "new_password1": new, "new_password2": new})
    page = r.content.decode()
    assert r.status_code == 200 and message in page
    assert "This password" not in page and "password_too" not in page
    assert User.objects.get(pk=world.a.specialist.pk).check_password("demo")


def test_a_wrong_current_password_or_a_mismatch_is_said_plainly(world, client):
    client.force_login(world.a.specialist)
    r = client.post("/account/password/", {"old_password": "sai", "new_password1": MINE, "new_password2": MINE})
    assert "Mật khẩu hiện tại không đúng. Hãy nhập lại." in r.content.decode()
    r = client.post("/account/password/", {"old_password": "demo", "new_password1": MINE, "new_password2": MINE + "x"})
    assert "Hai lần nhập mật khẩu mới không giống nhau." in r.content.decode()


def test_recovery_codes_can_be_renewed_and_the_old_ones_stop_working(world, client):
    leader = world.a.leader
    device = actions.start_two_factor(user=leader)
    old = actions.confirm_two_factor(user=leader, code=pyotp.TOTP(device.secret).now())
    device.refresh_from_db()
    client.force_login(leader)
    page = client.get("/account/").content.decode()
    assert "Còn 10 mã dự phòng chưa dùng." in page

    r = client.post("/account/recovery-codes/", {"code": "12"})
    assert r.status_code == 302
    r = client.post("/account/recovery-codes/", {"code": next_code(device)})
    page = r.content.decode()
    assert r.status_code == 200 and "Mọi mã dự phòng cũ đã hết hiệu lực." in page
    new = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)

    assert_error(token(Client(), leader.username, otp=old[0]), 401, "invalid_otp")
    assert token(Client(), leader.username, otp=new[0]).status_code == 200
    assert AuditEntry.objects.filter(action="recovery_codes_regenerated", object_id=str(leader.pk)).exists()


def test_renewing_recovery_codes_needs_a_current_code_from_the_app(world):
    device = enrol(world.a.leader)
    with pytest.raises(Unprocessable):
        actions.regenerate_recovery_codes(user=world.a.leader, code="")
    code = next_code(device)
    actions.regenerate_recovery_codes(user=world.a.leader, code=code)
    with pytest.raises(Unprocessable):  # the same code twice (replay)
        actions.regenerate_recovery_codes(user=world.a.leader, code=code)
    with pytest.raises(Unprocessable):
        actions.regenerate_recovery_codes(user=world.a.specialist, code=code)


def test_the_installation_chooses_the_roles_that_must_use_two_factor(world):
    root = f.make_installation_admin(world.a.org)
    admin = Client()
    admin.force_login(root)
    page = admin.get("/account/two-factor-policy/").content.decode()
    assert "Chính sách xác thực hai lớp" in page
    r = admin.post("/account/two-factor-policy/", {"roles": ["leader", "clerk"]})
    assert r.status_code == 302
    assert SecurityPolicy.objects.get(id=1).roles() == {"leader", "clerk"}
    assert two_factor_required(world.a.leader) and not two_factor_required(world.a.specialist)
    entry = AuditEntry.objects.filter(action="two_factor_policy_changed").latest("seq")
    assert entry.data == {"roles": ["clerk", "leader"]}

    # An organisation's administrator does not set the installation's policy.
    org_admin = Client()
    org_admin.force_login(f.make_user(world.a.org, "admin"))
    assert org_admin.get("/account/two-factor-policy/").status_code == 404
    assert org_admin.post("/account/two-factor-policy/", {"roles": []}).status_code == 404
    assert SecurityPolicy.objects.get(id=1).roles() == {"leader", "clerk"}


def test_the_account_page_links_from_every_page_under_a_short_name_for_phones(world, client):
    client.force_login(world.a.clerk)
    page = client.get("/").content.decode()
    assert '<a class="who" href="/account/"' in page and '<span class="who-short">Tài khoản</span>' in page
    page = client.get("/account/").content.decode()
    assert world.a.clerk.username in page and "Văn thư" in page and world.a.org.name in page
