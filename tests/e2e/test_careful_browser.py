"""Issue 16 §12 in a real browser, on desktop and on a phone: the clerk accepts several arrivals
with one button and reads which were accepted and which not; a paper document registered a
second time is stopped with a warning that links to the first, and goes in once confirmed; the
handler completes only with a result and a confirmation; a leader names a deputy who then signs
standing in."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vanthu.documents import actions
from vanthu.documents.models import Delivery, Document, Signatory
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers

from .conftest import DESKTOP, PHONE, RESULTS

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _shot(page, name: str, viewport) -> None:
    """Kept for a person to look at (test-results/), as the preamble asks."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"careful-{name}-{'phone' if viewport == PHONE else 'desktop'}.png"), full_page=True)


def _arrivals(world, subjects: list[str]) -> list[Delivery]:
    a = world.a
    return [f.delivery_to(f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                                   subject=s), world.b.org) for s in subjects]


@VIEWPORTS
def test_the_clerk_accepts_several_arrivals_with_one_button(pages, live_server, world, viewport):
    first, second, third = _arrivals(world, ["Về việc báo cáo sơ kết công tác quý IV năm 2026",
                                             "Về việc tổ chức hội nghị học tập nghị quyết",
                                             "Về việc rà soát hồ sơ đảng viên năm 2026"])
    # The third was already accepted by a colleague while this clerk's page was open.
    clerk = pages(world.b.clerk, viewport=viewport).page
    clerk.get_by_role("link", name="Văn bản đến").first.click()
    for d in (first, second, third):
        clerk.locator(f"#pick-{d.id}").check()
    _shot(clerk, "inbox-ticked", viewport)
    actions.accept_delivery(Delivery.objects.get(pk=third.pk), user=world.b.clerk)
    clerk.get_by_role("button", name="Tiếp nhận các văn bản đã chọn").click()
    summary = clerk.locator(".messages")
    expect(summary).to_contain_text("Đã tiếp nhận 2 văn bản")
    expect(summary).to_contain_text("không còn chờ tiếp nhận")
    _shot(clerk, "inbox-accepted", viewport)
    got = {d.id: d for d in Delivery.objects.filter(recipient=world.b.org)}
    # Numbered in the order they arrived, after the one the colleague took (1).
    assert (got[third.id].incoming_number, got[first.id].incoming_number, got[second.id].incoming_number) == (1, 2, 3)
    # Nothing left to tick: the checkboxes are only on arrivals still waiting.
    expect(clerk.locator("input[name=ids]")).to_have_count(0)


@VIEWPORTS
def test_a_paper_registered_twice_is_stopped_with_a_link_and_taken_once_confirmed(pages, live_server, world, tmp_path, viewport):
    b = world.b
    first = actions.register_paper_document(
        user=b.clerk, organization=b.org, sender_name="Sở Nội vụ Hà Nội", number_symbol="123/SNV-VP", issued_date=date(2026, 11, 2),
        doc_type="CV", subject="Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số", file=f.upload())
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(f.pdf_bytes("Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số"))
    clerk = pages(b.clerk, viewport=viewport).page
    clerk.get_by_role("link", name="Vào sổ văn bản giấy").first.click()

    def fill() -> None:
        clerk.get_by_role("textbox", name="Cơ quan gửi", exact=True).fill("Sở Nội vụ Hà Nội")
        clerk.get_by_label("Số và ký hiệu").fill("123/SNV-VP")
        clerk.get_by_label("Ngày ban hành").fill("02/11/2026")
        clerk.get_by_label("Loại văn bản").select_option("CV")
        clerk.get_by_label("Trích yếu").fill("Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số")
        clerk.get_by_label("Bản quét (PDF)").set_input_files(str(scan))
        clerk.get_by_label(re.compile("Tôi đã xem bản giấy")).check()

    fill()
    expect(clerk.get_by_label(re.compile("Vẫn vào sổ"))).to_have_count(0)
    clerk.get_by_role("button", name="Vào sổ").click()
    warning = clerk.locator(".duplicate-warning")
    expect(warning).to_contain_text("Văn bản này có thể đã vào sổ.")
    expect(warning).to_contain_text("123/SNV-VP ngày 02/11/2026 của Sở Nội vụ Hà Nội (số đến 1)")
    _shot(clerk, "paper-duplicate", viewport)
    assert Delivery.objects.filter(recipient=b.org).count() == 1
    link = warning.get_by_role("link", name="Xem văn bản đã vào sổ")
    assert link.get_attribute("href") == f"/documents/{first.document_id}/"
    # What was typed is kept; the scan is chosen again (a browser never keeps a file input).
    expect(clerk.get_by_label("Số và ký hiệu")).to_have_value("123/SNV-VP")
    clerk.get_by_label("Bản quét (PDF)").set_input_files(str(scan))
    clerk.get_by_label(re.compile("Tôi đã xem bản giấy")).check()
    clerk.get_by_label(re.compile("Vẫn vào sổ")).check()
    clerk.get_by_role("button", name="Vào sổ").click()
    expect(clerk.get_by_text("Đã vào sổ văn bản đến số 2: 123/SNV-VP.")).to_be_visible()
    assert Delivery.objects.filter(recipient=b.org).count() == 2


@VIEWPORTS
def test_completing_asks_for_the_result_and_a_confirmation(pages, live_server, world, viewport):
    b = world.b
    (d,) = _arrivals(world, ["Về việc báo cáo kết quả thực hiện Chỉ thị 05"])
    actions.accept_delivery(d, user=b.clerk)
    assign_handlers(Delivery.objects.get(pk=d.pk), user=b.leader, main_handler_id=b.specialist.id)
    spec = pages(b.specialist, viewport=viewport).page
    spec.get_by_role("link", name="Việc được giao").first.click()
    row = spec.locator(f"#assignment-{d.id}")
    row.get_by_label("Kết quả xử lý").fill("Đã tham mưu báo cáo, trình lãnh đạo ký ngày 05/12")
    row.get_by_label("Tôi xác nhận đã xử lý xong văn bản này").check()
    _shot(spec, "complete-confirm", viewport)
    row.get_by_role("button", name="Hoàn thành").click()
    expect(spec.get_by_text("Đã báo cáo hoàn thành xử lý.")).to_be_visible()
    assert Delivery.objects.get(pk=d.pk).status_code == "06"


@VIEWPORTS
def test_a_leader_names_a_deputy_who_then_signs_standing_in(pages, live_server, world, viewport):
    a = world.a
    a.leader.full_name = "Nguyễn Thanh Khánh"
    a.leader.save(update_fields=["full_name"])
    deputy = f.make_user(a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).delete()  # no authority of their own: only by the delegation
    doc = f.draft(a.org, a.specialist, [world.b.org], signer=a.leader)
    actions.submit_document(doc, user=a.specialist)

    leader = pages(a.leader, viewport=viewport).page
    leader.get_by_role("link", name="Ủy quyền ký").first.click()
    leader.get_by_role("combobox", name=re.compile("^Người được ủy quyền")).select_option(label="Trần Văn Bình")
    leader.get_by_label("Từ ngày").fill(timezone.localdate().strftime("%d/%m/%Y"))
    leader.get_by_label("Đến ngày").fill((timezone.localdate() + timedelta(days=6)).strftime("%d/%m/%Y"))
    leader.get_by_label("Chức vụ người được ủy quyền").fill("PHÓ BÍ THƯ")
    leader.get_by_label("Lý do").fill("Đi công tác tại Thành phố Hồ Chí Minh")
    leader.get_by_role("button", name="Ủy quyền", exact=True).click()
    expect(leader.get_by_text("Đã ủy quyền cho đồng chí Trần Văn Bình")).to_be_visible()
    _shot(leader, "delegations", viewport)

    page = pages(deputy, viewport=viewport).page
    page.goto(f"{live_server.url}/documents/{doc.id}/")
    page.get_by_role("button", name="Duyệt và ký K/T đồng chí Nguyễn Thanh Khánh (theo ủy quyền)").click()
    expect(page.get_by_text("Đã duyệt văn bản.")).to_be_visible()
    expect(page.locator("dd.signer")).to_contain_text("K/T BÍ THƯ PHÓ BÍ THƯ Trần Văn Bình")
    expect(page.locator("dd.signer")).to_contain_text("K/T đồng chí Nguyễn Thanh Khánh, theo ủy quyền")
    _shot(page, "signed-by-deputy", viewport)
    doc = Document.objects.get(pk=doc.pk)
    assert (doc.signer_id, doc.stood_in_for_id) == (deputy.id, a.leader.id)
