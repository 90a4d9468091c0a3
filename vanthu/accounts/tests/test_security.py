"""Two-factor sign-in, lockout, token revocation, sign-out everywhere, idle sessions, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from vanthu.accounts import actions
from vanthu.accounts.models import ApiToken, RecoveryCode, SecurityPolicy, SignInFailure, TwoFactor
from vanthu.audit.chain import verify
from vanthu.audit.models import AuditEntry
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.errors import NotFound
from vanthu.testing import factories as f


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def enrol(user) -> TwoFactor:
    """Two-factor set up the way a person does it, returning the device."""
    device = actions.start_two_factor(user=user)
    actions.confirm_two_factor(user=user, code=pyotp.TOTP(device.secret).now())
    device.refresh_from_db()
    return device


def next_code(device: TwoFactor) -> str:
    """A valid code not yet used (the one of the next 30-second step)."""
    return pyotp.TOTP(device.secret).at(timezone.now() + timedelta(seconds=30))


def wrong_code(device: TwoFactor) -> str:
    good = {pyotp.TOTP(device.secret).at(timezone.now() + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


def login_password(client: Client, username: str, password: str = "demo"):
    return client.post("/login/", {"username": username, "password": password})


def token(client, username, password="demo", otp=None):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_a_leader_with_two_factor_is_asked_for_the_code_after_the_password(world, client):
    device = enrol(world.a.leader)
    r = login_password(client, world.a.leader.username)
    assert r.status_code == 302 and r["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    r = client.post("/login/code/", {"code": next_code(device)})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(world.a.leader.pk)
    assert AuditEntry.objects.filter(action="signed_in", actor=world.a.leader, data__method="totp").exists()


def test_a_leader_typing_the_wrong_code_five_times_is_locked_out_and_told_why(world, client):
    device = enrol(world.a.leader)
    login_password(client, world.a.leader.username)
    for _i in range(4):
        r = client.post("/login/code/", {"code": wrong_code(device)})
        assert r.status_code == 200
        assert "Mã xác thực không đúng" in r.content.decode()
    r = client.post("/login/code/", {"code": wrong_code(device)})
    page = r.content.decode()
    assert r.status_code == 403
    assert "Tài khoản tạm bị khóa đến" in page and "5 lần" in page and "mã xác thực" in page
    assert "_auth_user_id" not in client.session
    # Even the right password and the right code are refused while locked.
    r = login_password(client, world.a.leader.username)
    assert r.status_code == 403 and "tạm bị khóa" in r.content.decode()
    assert_error(token(client, world.a.leader.username, otp=next_code(device)), 403, "account_locked")
    assert SignInFailure.objects.filter(username=world.a.leader.username, reason="wrong_otp").count() == 5
    assert AuditEntry.objects.filter(action="sign_in_failed", data__reason="wrong_otp").count() == 5
    assert verify().ok


def test_an_administrator_unlocks_a_locked_account(world, client):
    for _i in range(5):
        login_password(client, world.a.clerk.username, "sai-mat-khau")
    assert login_password(client, world.a.clerk.username).status_code == 403
    # Neither a leader nor the administrator of another organisation may; the clerk's may.
    for stranger in (world.a.leader, f.make_user(world.b.org, "admin")):
        with pytest.raises(NotFound):
            actions.unlock_account(user=stranger, target_username=world.a.clerk.username)
    assert login_password(client, world.a.clerk.username).status_code == 403
    actions.unlock_account(user=f.make_user(world.a.org, "admin"), target_username=world.a.clerk.username)
    assert login_password(client, world.a.clerk.username).status_code == 302


def test_the_admin_unlock_action_lifts_the_lock(world, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri", password="demo-Quan-tri-2026")
    for _i in range(5):
        login_password(client, world.a.clerk.username, "sai")
    admin_client = Client()
    admin_client.force_login(admin)
    r = admin_client.post("/admin/accounts/user/", {"action": "unlock_users", "_selected_action": [world.a.clerk.pk]})
    assert r.status_code == 302
    assert login_password(client, world.a.clerk.username).status_code == 302
    assert AuditEntry.objects.filter(action="sign_in_unlocked", actor=admin).exists()


def test_the_lock_expires_after_the_window(world, client, settings):
    for _i in range(5):
        login_password(client, world.a.clerk.username, "sai")
    assert login_password(client, world.a.clerk.username).status_code == 403
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=settings.VANTHU_LOCKOUT_MINUTES + 1))
    assert login_password(client, world.a.clerk.username).status_code == 302


def test_many_failures_from_one_address_lock_that_address(world, client, settings):
    settings.VANTHU_LOCKOUT_ADDRESS_FAILURES = 6
    for i in range(6):
        login_password(client, f"nguoi_la_{i}", "sai")
    r = login_password(client, world.a.clerk.username)
    assert r.status_code == 403 and "Địa chỉ máy của bạn" in r.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert login_password(other, world.a.clerk.username).status_code == 302


def test_the_api_token_needs_the_code_for_people_with_two_factor(world, client):
    device = enrol(world.a.leader)
    assert_error(token(client, world.a.leader.username), 401, "otp_required")
    assert_error(token(client, world.a.leader.username, otp=wrong_code(device)), 401, "invalid_otp")
    r = token(client, world.a.leader.username, otp=next_code(device))
    assert r.status_code == 200, r.content
    # The same code is not accepted twice.
    assert_error(token(client, world.a.leader.username, otp=next_code(device)), 401, "invalid_otp")


def test_a_recovery_code_works_once(world, client):
    device = actions.start_two_factor(user=world.a.leader)
    codes = actions.confirm_two_factor(user=world.a.leader, code=pyotp.TOTP(device.secret).now())
    assert len(codes) == 10 and not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # stored hashed
    assert token(client, world.a.leader.username, otp=codes[0]).status_code == 200
    assert_error(token(client, world.a.leader.username, otp=codes[0]), 401, "invalid_otp")


def test_enrolment_page_shows_a_qr_code_and_turns_two_factor_on(world, client):
    client.force_login(world.a.clerk)
    page = client.get("/account/2fa/").content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page).group(1)
    r = client.post("/account/2fa/", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert "Mã xác thực không đúng" in r.content.decode()
    r = client.post("/account/2fa/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200 and len(re.findall(r"<li><code>[0-9a-f]{6}-[0-9a-f]{6}</code></li>", r.content.decode())) == 10
    assert TwoFactor.objects.get(user=world.a.clerk).confirmed_at is not None


def test_a_required_role_without_two_factor_is_sent_to_enrolment(world, client):
    SecurityPolicy.objects.create(id=1, two_factor_roles="leader,clerk,admin")
    r = login_password(client, world.a.leader.username)
    assert r.status_code == 302 and r["Location"] == "/account/2fa/"
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/account/2fa/"
    # The API cannot enrol anyone: the token is refused with a clear code.
    assert_error(token(Client(), world.a.leader.username), 403, "two_factor_setup_required")
    # A specialist is not required to.
    assert token(Client(), world.a.specialist.username).status_code == 200


def test_a_revoked_token_gets_401(world, client):
    raw = token(client, world.a.clerk.username).json()["token"]
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    r = client.post("/api/v1/auth/token/revoke", headers=auth, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert_error(client.get("/api/v1/me", headers=auth), 401, "not_authenticated")
    assert AuditEntry.objects.filter(action="api_token_revoked").exists()


def test_sign_out_everywhere_ends_other_sessions_and_tokens(world):
    laptop, phone = Client(), Client()
    assert login_password(laptop, world.a.clerk.username).status_code == 302
    assert login_password(phone, world.a.clerk.username).status_code == 302
    raw = token(Client(), world.a.clerk.username).json()["token"]
    r = laptop.post("/account/sign-out-everywhere/")
    assert r.status_code == 302
    assert phone.get("/").status_code == 302  # back to the login page
    assert laptop.get("/").status_code == 302
    assert_error(Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)
    assert not ApiToken.objects.live().filter(user=world.a.clerk).exists()


def test_an_idle_session_ends(world, client, settings):
    assert login_password(client, world.a.clerk.username).status_code == 302
    assert client.get("/").status_code == 200
    session = client.session
    session["_vanthu_seen"] = int(timezone.now().timestamp()) - settings.VANTHU_SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_sign_in_is_rate_limited_per_address(world, client, settings):
    settings.VANTHU_SIGNIN_RATE_PER_MINUTE = 3
    for _i in range(3):
        assert token(client, world.a.clerk.username).status_code == 200
    assert_error(token(client, world.a.clerk.username), 429, "rate_limited")
    assert login_password(client, world.a.clerk.username).status_code == 429


def test_the_admin_login_goes_through_the_site_login(client):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_chosen_password_follows_the_policy(world):
    from django.contrib.auth.forms import SetPasswordForm

    form = SetPasswordForm(world.a.clerk, {"new_password1": "demo", "new_password2": "demo"})
    assert not form.is_valid()
    strong = "Van-thu-Ha-Noi-2026"
    form = SetPasswordForm(world.a.clerk, {"new_password1": strong, "new_password2": strong})
    assert form.is_valid(), form.errors


def test_sign_ins_and_failures_are_in_the_audit_chain(world, client):
    login_password(client, world.a.clerk.username, "sai")
    login_password(client, world.a.clerk.username)
    actions_seen = list(AuditEntry.objects.values_list("action", flat=True))
    assert "sign_in_failed" in actions_seen and "signed_in" in actions_seen
    assert verify().ok
