"""The Lotus Notes migration in a real browser, on a desktop and a phone: the administrator
uploads an export and reads the report; a member of the organisation finds a legacy record typed
without diacritics and sees it as Notes showed it (items, rich text with its table and picture,
attachments). Screenshots are kept in test-results/."""

from __future__ import annotations

from django.test import override_settings
from playwright.sync_api import expect

from vanthu.documents.doctypes import ensure_document_types
from vanthu.migration import samples as s
from vanthu.migration.tests.conftest import MAPPING, office_notes
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"migration-{name}.png"), full_page=True)


def test_an_export_uploaded_read_and_its_records_found(pages, world, tmp_path):
    ensure_document_types()
    export = tmp_path / "vanphong-2011.dxl"
    with export.open("wb") as fh:
        s.write_export(fh, office_notes())
    admin = f.make_installation_admin(world.a.org)
    with override_settings(TASKS=f.IMMEDIATE_TASKS):  # the worker's import runs as the upload commits
        page = pages(admin, viewport=DESKTOP, name="admin").page
        page.goto(f"{pages.url}/migration/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Chuyển dữ liệu từ Lotus Notes")
        page.get_by_label("Tệp xuất DXL từ Lotus Notes").set_input_files(str(export))
        page.get_by_label("Nhập cho tổ chức").select_option(label=world.a.org.name)
        page.get_by_label("Bảng ánh xạ (TOML)").fill(MAPPING)
        page.get_by_role("button", name="Tải lên và nhập").click()
        page.wait_for_url("**/migration/runs/*/")
        expect(page.locator("#report-summary")).to_contain_text("Số văn bản (document) trong tệp")
        expect(page.locator("#report-skipped")).to_contain_text(s.unid(3))
        shot(page, "report-desktop")
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(world.a.specialist, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/migration/records/")
        page.get_by_label("Tìm hồ sơ cũ").fill("ke hoach to chuc hoi nghi")
        page.locator("#legacy-q").press("Enter")
        expect(page.locator("#legacy-records tbody tr")).to_have_count(1)
        shot(page, f"records-{label}")
        page.get_by_role("link", name="Kế hoạch tổ chức hội nghị sơ kết 6 tháng đầu năm 2011").click()
        expect(page.locator("#legacy-richtext table")).to_be_visible()
        expect(page.locator("#legacy-richtext img")).to_have_count(1)
        expect(page.locator("#legacy-files")).to_contain_text("du-thao.docx")
        expect(page.locator("#legacy-items")).to_contain_text("SoKyHieu")
        shot(page, f"record-{label}")
