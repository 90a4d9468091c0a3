"""Issue 16 §19 and §20 in a real browser, on desktop and on a phone: an administrator adds a
person, who must choose their own password at the first sign-in; the account page is one tap
away; a leader whose role requires two-factor sets it up before anything else."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vanthu.accounts.models import SecurityPolicy, User
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


def _fits(page) -> bool:
    """Nothing makes the page wider than the screen (no sideways scrolling on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@VIEWPORTS
def test_a_person_added_by_the_administrator_chooses_their_own_password_at_first_sign_in(pages, live_server, world, viewport):
    admin = f.make_user(world.a.org, "admin", full_name="Lê Thị Quản Trị")
    tag = "phone" if viewport is PHONE else "desktop"
    a = pages(admin, viewport=viewport).page
    a.goto(f"{live_server.url}/")
    a.get_by_role("link", name="Quản trị tổ chức").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Người dùng")
    expect(a.get_by_role("link", name=world.a.clerk.get_full_name())).to_be_visible()
    assert _fits(a)
    _shot(a, f"manage-people-{tag}")
    a.get_by_role("link", name="Thêm người dùng").click()
    a.get_by_label("Họ và tên").fill("Phạm Minh Châu")
    a.get_by_label("Tên đăng nhập").fill("phamminhchau")
    a.get_by_label("Chuyên viên", exact=True).check()
    a.get_by_label("Chức vụ").fill("Chuyên viên Ban Tổ chức")
    a.get_by_role("button", name="Thêm người dùng").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Đã thêm người dùng")
    temporary = a.locator(".temporary-password code").inner_text()
    assert _fits(a)

    p = pages(viewport=viewport, name="newcomer").page
    _sign_in(p, live_server.url, "phamminhchau", temporary)
    expect(p).to_have_url(re.compile(r"/account/password/$"))
    expect(p.get_by_text("do quản trị đặt tạm")).to_be_visible()
    p.goto(f"{live_server.url}/")  # nothing else opens until the password is their own
    expect(p).to_have_url(re.compile(r"/account/password/$"))
    p.get_by_label("Mật khẩu hiện tại").fill(temporary)
    p.locator("#id_new_password1").fill("12345")
    p.get_by_label("Nhập lại mật khẩu mới").fill("12345")
    p.get_by_role("button", name="Đổi mật khẩu").click()
    expect(p.get_by_text("Mật khẩu quá ngắn: cần ít nhất 10 ký tự.")).to_be_visible()
    _shot(p, f"forced-password-change-{tag}")
    p.get_by_label("Mật khẩu hiện tại").fill(temporary)
    p.locator("#id_new_password1").fill("Hoa-sen-Tay-Ho-2026")
    p.get_by_label("Nhập lại mật khẩu mới").fill("Hoa-sen-Tay-Ho-2026")
    p.get_by_role("button", name="Đổi mật khẩu").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
    expect(p.get_by_text("Chuyên viên (Chuyên viên Ban Tổ chức)")).to_be_visible()
    assert not User.objects.get(username="phamminhchau").must_change_password
    p.goto(f"{live_server.url}/")
    expect(p).to_have_url(re.compile(r"/$"))


@VIEWPORTS
def test_the_account_page_is_reachable_and_fits_on_the_screen(pages, live_server, world, viewport):
    clerk = world.a.clerk
    page = pages(clerk, viewport=viewport).page
    name = "Tài khoản" if viewport is PHONE else clerk.get_full_name()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
    expect(page.get_by_text(clerk.username, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Đổi mật khẩu")).to_be_visible()
    assert _fits(page)
    _shot(page, f"account-{'phone' if viewport is PHONE else 'desktop'}")
    page.get_by_role("link", name="Đổi mật khẩu").click()
    page.get_by_label("Mật khẩu hiện tại").fill("demo")
    page.locator("#id_new_password1").fill("Sen-Ho-Tay-Mua-Ha-2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Sen-Ho-Tay-Mua-Ha-2026")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    assert User.objects.get(pk=clerk.pk).check_password("Sen-Ho-Tay-Mua-Ha-2026")


@VIEWPORTS
def test_a_leader_must_set_up_two_factor_before_anything_else_and_can_renew_recovery_codes(pages, live_server, world, viewport):
    SecurityPolicy.objects.create(id=1, two_factor_roles="leader")
    leader = world.a.leader
    tag = "phone" if viewport is PHONE else "desktop"
    page = pages(viewport=viewport, name="leader").page
    _sign_in(page, live_server.url, leader.username, "demo")
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    expect(page.get_by_text("Vai trò của bạn bắt buộc xác thực hai lớp.").first).to_be_visible()
    for path in ("/", "/account/", "/documents/new/"):
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    assert _fits(page)
    _shot(page, f"two-factor-required-{tag}")
    secret = page.locator(".qr + p code").inner_text()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật xác thực hai lớp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã bật xác thực hai lớp")
    old_codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(old_codes) == 10
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_text("Còn 10 mã dự phòng chưa dùng.")).to_be_visible()
    # The code just used at enrolment is spent: the next step's code renews the recovery codes.
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30)))
    page.get_by_role("button", name="Tạo mã dự phòng mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã dự phòng mới")
    new_codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert _fits(page)
