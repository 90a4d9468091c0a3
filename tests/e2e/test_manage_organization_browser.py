"""An organisation's administrator changes its own settings in VanThu's pages, on desktop and on a
phone: the need-to-know widening, which used to live in the Django admin (now the installation's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vanthu.audit.models import AuditEntry
from vanthu.organizations.models import Organization, Role
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_cells_administrator_lets_every_member_see_its_correspondence(pages, live_server, world, viewport):
    tag = "phone" if viewport is PHONE else "desktop"
    cell = f.make_org(f"Chi bộ Phòng Tổng hợp {tag}", short_name="CBTH", parent=world.b.org)
    admin = f.make_user(cell, Role.ADMIN, full_name="Quản trị chi bộ Phòng Tổng hợp")
    page = pages(admin, viewport=viewport).page
    page.goto(f"{live_server.url}/manage/organizations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổ chức")
    row = page.get_by_role("row").filter(has_text=cell.name)
    expect(row).to_contain_text("Theo phân công, chia sẻ")
    row.get_by_role("link", name=cell.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cell.name)
    page.get_by_label("mọi thành viên xem toàn bộ văn bản đi, đến").check()
    page.locator("#id_term_label").fill("2025-2030")
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"manage-organization-{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu thông tin tổ chức.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=cell.name)).to_contain_text("Mọi thành viên xem toàn bộ")
    cell = Organization.objects.get(pk=cell.pk)
    assert cell.all_members_see_correspondence and cell.term_label == "2025-2030"
    assert AuditEntry.objects.filter(action="organization_settings_changed", actor_id=admin.id).count() == 1
