"""The member pages in a real browser, on a desktop and a phone: the list with its filters, the
record (identity number masked until asked), the transfer flow, the import page showing each bad
row, and the statistics dashboard. Screenshots are kept in test-results/ to be looked at."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from playwright.sync_api import expect

from vanthu.membership import actions
from vanthu.membership.importing import COLUMNS
from vanthu.membership.models import PartyMember
from vanthu.organizations.models import OrgKind
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"membership-{name}.png"), full_page=True)


def _officers(world):
    admin = f.make_installation_admin(world.bloc)
    board = f.make_user(world.bloc, "specialist", full_name="Trịnh Thị Thanh Huyền")
    office = f.make_user(world.b.org, "specialist", full_name="Phạm Văn Phòng")
    receiver = f.make_user(world.c.org, "specialist", full_name="Đỗ Thị Tiếp Nhận")
    actions.grant_records_role(user=admin, person=board, organization=world.bloc, kind="board")
    actions.grant_records_role(user=admin, person=office, organization=world.b.org, kind="office")
    actions.grant_records_role(user=admin, person=receiver, organization=world.c.org, kind="office")
    return board, office, receiver


def _members(world, board, n: int = 30):
    cell = f.make_org("Chi bộ Phòng Quản lý ngân sách", code="000.00.15.H26", parent=world.b.org, kind=OrgKind.SUB_CELL)
    people = []
    for i in range(n):
        female = i % 2 == 1
        name = (f"Nguyễn Thị Hương {i:02d}" if female else f"Trần Văn Hùng {i:02d}")
        people.append(actions.create_member(user=board, organization=cell if i % 3 else world.b.org, values={
            "full_name": name, "gender": "female" if female else "male", "birth_date": date(1955 + i % 25, 1 + i % 12, 1 + i % 27),
            "card_number": f"0{i:07d}", "admitted_on": date(2000 + i % 24, 3, 3), "official_on": date(2001 + i % 24, 3, 3),
            "id_number": f"0010850{i:05d}", "ethnicity": "Kinh" if i % 5 else "Tày"}))
    return people


def test_the_list_the_record_and_the_transfer_flow(pages, world):
    board, office, receiver = _officers(world)
    people = _members(world, board)
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(office, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/")
        page.get_by_role("link", name="Đảng viên", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("30 đảng viên")
        page.get_by_label("Tìm theo tên hoặc số thẻ").fill("huong 07")
        page.get_by_role("button", name="Lọc").click()
        expect(page.locator("#members tbody tr")).to_have_count(1)
        shot(page, f"list-{label}")
        page.get_by_role("link", name="Nguyễn Thị Hương 07").click()
        expect(page.locator("#id-number")).to_contain_text("*********007")
        page.get_by_role("link", name="Hiện đầy đủ (ghi nhật ký)").click()
        expect(page.locator("#id-number")).to_contain_text("001085000007")
        shot(page, f"record-{label}")
    # The transfer: issued by B's office (on the phone page), accepted by C's.
    page.get_by_label("Chuyển đến tổ chức").select_option(label=world.c.org.name)
    page.get_by_label("Ghi chú").fill("Chuyển công tác về Sở Xây dựng theo Quyết định số 125/QĐ-UBND")
    page.get_by_role("button", name="Giới thiệu chuyển sinh hoạt").click()
    expect(page.locator(".msg-success")).to_contain_text("vẫn sinh hoạt tại đây")
    theirs = pages(receiver, name="receiver").page
    theirs.goto(f"{pages.url}/members/transfers/")
    expect(theirs.locator("#transfers")).to_contain_text("Nguyễn Thị Hương 07")
    shot(theirs, "transfers-desktop")
    theirs.get_by_role("button", name="Tiếp nhận").click()
    expect(theirs.locator(".msg-success")).to_contain_text("Đã tiếp nhận")
    moved = PartyMember.objects.get(pk=people[7].pk)
    assert moved.organization_id == world.c.org.id
    theirs.goto(f"{pages.url}/members/{moved.id}/")
    expect(theirs.locator("#history")).to_contain_text("Chuyển sinh hoạt đến")


def test_a_clerk_finds_no_member_page(pages, world):
    w = pages(world.b.clerk, name="clerk")
    w.expect_status(r"/members/$", 404)
    w.page.goto(f"{pages.url}/members/")
    expect(w.page.get_by_role("link", name="Đảng viên", exact=True)).to_have_count(0)


def _xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(list(COLUMNS))
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_import_page_shows_each_bad_row_then_imports_the_corrected_file(pages, world):
    board, _office, _receiver = _officers(world)
    code = world.b.org.code
    bad = _xlsx([["Lê Văn Tốt", "01/01/1980", "Nam", "70000001", "01/01/2005", "", code, "Kinh", "Đại học", "Sơ cấp"],
                 ["Lê Văn Sai", "01/01/1980", "Nam", "70000002", "01/01/2005", "01/01/2004", code, "Kinh", "Đại học", "Sơ cấp"],
                 ["Lê Thị Trẻ", "01/01/2000", "Nữ", "70000003", "01/01/2010", "", "999.99.99.H26", "Kinh", "Đại học", "Sơ cấp"]])
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        w = pages(board, viewport=viewport, name=label)
        w.expect_status(r"/members/import/$", 422)
        page = w.page
        page.goto(f"{pages.url}/members/import/")
        page.set_input_files("#id_file", files=[{"name": "dangvien.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": bad}])
        page.get_by_role("button", name="Kiểm tra và nhập").click()
        rows = page.locator("#import-errors tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("Ngày chính thức trước ngày vào Đảng")
        expect(page.locator("#import-errors")).to_contain_text("Mã tổ chức")
        shot(page, f"import-errors-{label}")
    assert PartyMember.objects.count() == 0
    good = _xlsx([["Lê Văn Tốt", "01/01/1980", "Nam", "70000001", "01/01/2005", "", code, "Kinh", "Đại học", "Sơ cấp"]])
    page.set_input_files("#id_file", files=[{"name": "dangvien.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": good}])
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.locator("#import-result")).to_contain_text("Thêm mới 1")


def test_the_statistics_dashboard(pages, world):
    board, _office, _receiver = _officers(world)
    _members(world, board, n=24)
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(board, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/members/statistics/")
        expect(page.locator('[data-figure="total"]')).to_have_text("24")
        expect(page.locator("#charts section")).to_have_count(5)
        expect(page.locator("#stats-rows")).to_contain_text("Chi bộ Phòng Quản lý ngân sách")
        shot(page, f"statistics-{label}")
        page.get_by_label("Đến ngày").fill("31/12/2010")
        page.get_by_role("button", name="Xem").click()
        expect(page.locator('[data-figure="total"]')).to_have_text(str(sum(1 for i in range(24) if 2000 + i % 24 <= 2010)))
