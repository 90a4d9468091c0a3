"""The bell, the notification list, the preferences and the calendar page in a real browser, on a
desktop and a phone; screenshots of each are kept in test-results/ to be looked at."""

from __future__ import annotations

from playwright.sync_api import expect

from vanthu.notifications.actions import notify
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"calnotify-{name}.png"), full_page=True)


def test_the_bell_the_list_and_the_preferences(pages, world):
    b = world.b
    notify([b.specialist], kind="system", title="Lịch nghỉ lễ, Tết năm 2026 đã được cập nhật",
           body="Hạn xử lý tính theo ngày làm việc.", url="/notifications/")
    notify([b.specialist], kind="system", title="Bạn được giao chủ trì xử lý: 15-CV/ĐUK — Về việc tổng kết công tác năm",
           body="Hạn xử lý: 12/05/2026.\nÝ kiến chỉ đạo: Đồng chí chủ trì tham mưu.", url="/assignments/", org=b.org)
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(b.specialist, viewport=viewport, name=label).page
        bell = page.locator("#bell")
        expect(bell.locator(".bell-count")).to_have_text("2")
        shot(page, f"bell-{label}")
        bell.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
        expect(page.locator(".notification.is-unread")).to_have_count(2)
        shot(page, f"list-{label}")
        page.get_by_role("link", name="Cách nhận thông báo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cách nhận thông báo")
        shot(page, f"preferences-{label}")
    page.goto(f"{pages.url}/notifications/")
    page.get_by_role("link", name="Bạn được giao chủ trì xử lý: 15-CV/ĐUK — Về việc tổng kết công tác năm").click()
    page.wait_for_url("**/assignments/")
    expect(page.locator("#bell .bell-count")).to_have_text("1")
    page.goto(f"{pages.url}/notifications/")
    page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(page.locator("#bell .bell-count")).to_have_text("")
    expect(page.locator(".notification.is-unread")).to_have_count(0)


def test_the_calendar_page_for_the_installation_administrator(pages, world):
    admin = f.make_installation_admin(world.bloc)
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(admin, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/calendar/2026/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Lịch làm việc năm 2026")
        expect(page.locator("#day-2026-02-17")).to_contain_text("Tết Nguyên đán")
        shot(page, f"calendar-{label}")
    page.locator("#id_date").fill("07/03/2026")
    page.get_by_label("Loại ngày").select_option("makeup")
    page.get_by_label("Tên, lý do").fill("Làm bù cho thứ Sáu 20/02")
    page.get_by_role("button", name="Lưu ngày").click()
    expect(page.locator("#day-2026-03-07")).to_contain_text("Làm bù")
    shot(page, "calendar-after-edit-phone")
