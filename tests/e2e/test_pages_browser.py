"""The pages in a real browser: the whole life of a document across six people, isolation,
the paper form by keyboard, the language switch, and the back button after htmx filtering."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from vanthu.documents.models import Delivery, Document
from vanthu.testing import factories as f

from .conftest import PHONE


def test_whole_life_of_a_document_across_people_and_organisations(pages, world, tmp_path):
    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(f.pdf_bytes("Về việc triển khai chuyển đổi số trong các tổ chức đảng"))
    subject = "Về việc triển khai chuyển đổi số năm 2026"

    # 1. A specialist of the sender drafts and submits.
    spec = pages(world.a.specialist).page
    spec.get_by_role("link", name="Soạn văn bản").first.click()
    spec.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    spec.get_by_label("Loại văn bản").select_option("CV")
    spec.get_by_label("Trích yếu").fill(subject)
    spec.get_by_label("Độ khẩn").select_option("khan")
    spec.get_by_label("Tìm tổ chức").fill("tai chinh")  # search folds Vietnamese diacritics
    expect(spec.get_by_label(world.c.org.name)).to_be_hidden()
    spec.get_by_label(world.b.org.name).check()
    spec.get_by_label("Tìm tổ chức").fill("")
    spec.get_by_label(world.c.org.name).check()
    spec.get_by_role("button", name="Lưu dự thảo").click()
    expect(spec.get_by_text("Đã lưu dự thảo")).to_be_visible()
    spec.get_by_role("button", name="Trình duyệt").click()
    expect(spec.get_by_text("Đã trình lãnh đạo duyệt.")).to_be_visible()
    doc = Document.objects.get(subject=subject)

    # 2. The leader sees it waiting on the home page and approves.
    leader = pages(world.a.leader).page
    expect(leader.locator("#count-approve .n")).to_have_text("1")
    leader.get_by_role("link", name=re.compile(re.escape(subject[:40]))).first.click()
    leader.get_by_role("button", name="Duyệt văn bản").click()
    expect(leader.get_by_text("Đã duyệt văn bản.")).to_be_visible()

    # 3. The clerk numbers and issues it to the two organisations: the number appears.
    clerk = pages(world.a.clerk).page
    clerk.locator("#count-issue").click()
    clerk.get_by_role("link", name=re.compile(re.escape(subject[:40]))).first.click()
    clerk.get_by_role("button", name="Cấp số và phát hành").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("Số 01-CV/ĐUK")
    expect(clerk.locator(f"#recipient-{world.b.org.id}")).to_have_attribute("data-status", "01")
    expect(clerk.locator(f"#recipient-{world.c.org.id}")).to_have_attribute("data-status", "01")

    # 4. The recipient's clerk accepts in place, in the inbox (htmx), and gets the incoming number.
    d = Delivery.objects.get(document=doc, recipient=world.b.org)
    b_clerk = pages(world.b.clerk).page
    b_clerk.get_by_role("link", name="Văn bản đến").first.click()
    row = b_clerk.locator(f"#delivery-{d.id}")
    expect(row).to_contain_text("01-CV/ĐUK")
    row.get_by_role("button", name="Tiếp nhận").click()
    expect(b_clerk.locator(f"#delivery-{d.id}")).to_contain_text("Đã tiếp nhận, số đến 1.")
    expect(b_clerk.locator(f"#delivery-{d.id} .badge-s03")).to_be_visible()

    # 5. Its leader assigns a main handler, a co-handler and a deadline.
    b_leader = pages(world.b.leader).page
    b_leader.locator("#count-assign").click()
    b_leader.locator(f"#delivery-{d.id}").get_by_role("link", name="Phân công").click()
    b_leader.get_by_label("Người chủ trì").select_option(str(world.b.specialist.id))
    b_leader.locator("fieldset", has_text="Người phối hợp").get_by_label(world.b.specialist2.get_full_name()).check()
    b_leader.get_by_label("Hạn xử lý").fill("31/12/2099")
    b_leader.get_by_label("Ý kiến chỉ đạo").fill("Đồng chí chủ trì, báo cáo trước hạn.")
    b_leader.get_by_role("button", name="Phân công").click()
    expect(b_leader.get_by_text("Đã phân công xử lý văn bản.")).to_be_visible()

    # 6. The specialist starts and completes it from "My assignments", on a phone.
    b_spec = pages(world.b.specialist, viewport=PHONE).page
    b_spec.get_by_role("link", name="Việc được giao").first.click()
    b_spec.get_by_role("button", name="Bắt đầu xử lý").click()
    expect(b_spec.get_by_text("Đã bắt đầu xử lý.")).to_be_visible()
    b_spec.get_by_label("Kết quả xử lý").fill("Đã triển khai tại các chi bộ.")
    b_spec.get_by_label("Tôi xác nhận đã xử lý xong văn bản này").check()
    b_spec.get_by_role("button", name="Hoàn thành").click()
    expect(b_spec.get_by_text("Đã báo cáo hoàn thành xử lý.")).to_be_visible()

    # 7. The sender sees 06 for that recipient, 01 for the other.
    clerk.reload()
    expect(clerk.locator(f"#recipient-{world.b.org.id}")).to_have_attribute("data-status", "06")
    expect(clerk.locator(f"#recipient-{world.b.org.id} .badge-s06").first).to_be_visible()
    expect(clerk.locator(f"#recipient-{world.c.org.id}")).to_have_attribute("data-status", "01")


def test_another_organisation_gets_the_404_page_for_the_document_address(pages, world):
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    w = pages(world.outsider.clerk)
    w.expect_status(rf"/documents/{doc.id}/$", 404)
    response = w.page.goto(f"{pages.url}/documents/{doc.id}/")
    assert response.status == 404
    expect(w.page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang này")
    expect(w.page.get_by_text(doc.subject)).to_have_count(0)


def test_paper_document_registered_with_the_keyboard_alone(pages, world, tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(f.pdf_bytes("Giấy mời dự hội nghị"))
    page = pages(world.b.clerk).page
    page.goto(f"{pages.url}/incoming/paper/")
    expect(page.get_by_role("textbox", name="Cơ quan gửi", exact=True)).to_be_focused()
    kb = page.keyboard
    kb.type("Sở Nội vụ Hà Nội")
    kb.press("Tab")
    kb.type("245/SNV-VP")
    kb.press("Tab")
    expect(page.get_by_label("Ngày ban hành")).to_be_focused()
    kb.press("Control+A")
    kb.type("20/11/2026")
    kb.press("Tab")
    expect(page.get_by_label("Loại văn bản")).to_be_focused()
    kb.type("CV")  # the select's type-ahead
    expect(page.get_by_label("Loại văn bản")).to_have_value("CV")
    kb.press("Tab")
    kb.type("Về việc cử cán bộ dự tập huấn chuyển đổi số")
    kb.press("Tab")  # urgency: keep "Thường"
    kb.press("Tab")  # confidentiality: keep "Thường"
    expect(page.get_by_label("Độ mật")).to_have_value("thuong")
    kb.press("Tab")  # deadline
    kb.type("30/11/2099")
    kb.press("Tab")  # sender code: none
    kb.press("Tab")
    expect(page.get_by_label("Bản quét (PDF)")).to_be_focused()
    # Choosing the scan opens the system file dialog, which the browser test cannot drive.
    page.get_by_label("Bản quét (PDF)").set_input_files(str(scan))
    kb.press("Tab")
    # The clerk confirms what the stamp check cannot see on a scanned image.
    expect(page.get_by_role("checkbox", name="không có dấu Mật")).to_be_focused()
    kb.press("Space")
    kb.press("Tab")
    expect(page.get_by_role("button", name="Vào sổ")).to_be_focused()
    kb.press("Enter")
    expect(page.get_by_text("Đã vào sổ văn bản đến số 1: 245/SNV-VP.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Cơ quan gửi", exact=True)).to_be_focused()  # ready for the next one
    d = Delivery.objects.get(recipient=world.b.org, source="paper")
    assert d.document.doc_type.code == "CV" and d.document.issued_date.isoformat() == "2026-11-20"
    assert d.deadline.isoformat() == "2099-11-30"


def test_language_switch_in_the_header(pages, world):
    page = pages(world.a.clerk, viewport=PHONE).page
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("To do")
    page.get_by_role("link", name="Incoming documents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incoming documents")
    page.get_by_role("button", name="VI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến")


def test_filtering_the_inbox_in_place_keeps_the_address_and_the_back_button(pages, world):
    for _ in range(2):
        f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    from vanthu.documents import actions

    first = Delivery.objects.filter(recipient=world.b.org).order_by("id").first()
    actions.accept_delivery(first, user=world.b.clerk)
    page = pages(world.b.clerk).page
    page.goto(f"{pages.url}/inbox/")
    expect(page.locator(".count-line")).to_have_text("2 văn bản")
    page.get_by_label("Trạng thái").select_option("03")
    expect(page).to_have_url(re.compile(r"/inbox/\?.*status=03"))
    expect(page.locator(".count-line")).to_have_text("1 văn bản")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator(".count-line")).to_have_text("2 văn bản")
    page.go_forward()
    expect(page.locator(".count-line")).to_have_text("1 văn bản")
