"""Issue 16 §11 in a real browser, on a desktop and a phone: a specialist does not see an incoming
document nobody assigned to them (not in the inbox, its page not found), and sees it once the
leader assigns it; another one the clerk shares with them from the document page. Screenshots of
each step are kept in test-results/ to be looked at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vanthu.documents import actions
from vanthu.documents.models import Delivery
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers

from .conftest import DESKTOP, PHONE, RESULTS


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"need-to-know-{name}.png"), full_page=True)


def arrived(world, subject: str) -> Delivery:
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], subject=subject)
    d = f.delivery_to(doc, world.b.org)
    actions.accept_delivery(d, user=world.b.clerk)
    return Delivery.objects.get(pk=d.pk)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_specialist_sees_an_incoming_document_once_assigned_or_shared(pages, live_server, world, viewport):
    b = world.b
    to_assign = arrived(world, "Về việc kiểm tra việc thực hiện quy chế dân chủ ở cơ sở năm 2026")
    to_share = arrived(world, "Về việc chuẩn bị hội nghị sơ kết giữa nhiệm kỳ 2025-2030")
    size = "desktop" if viewport == DESKTOP else "phone"

    w = pages(b.specialist, viewport=viewport)
    spec = w.page
    spec.goto(f"{live_server.url}/inbox/")
    expect(spec.get_by_role("heading", level=1)).to_be_visible()
    expect(spec.get_by_text("quy chế dân chủ ở cơ sở")).to_have_count(0)
    expect(spec.get_by_text("hội nghị sơ kết giữa nhiệm kỳ")).to_have_count(0)
    shot(spec, f"{size}-1-inbox-empty")
    w.expect_status(rf"/documents/{to_assign.document_id}/$", 404)
    spec.goto(f"{live_server.url}/documents/{to_assign.document_id}/")
    expect(spec.get_by_text("quy chế dân chủ ở cơ sở")).to_have_count(0)

    # The leader assigns it to them: now it is in their inbox, and it opens.
    assign_handlers(Delivery.objects.get(pk=to_assign.pk), user=b.leader, main_handler_id=b.specialist.id,
                    co_handler_ids=[], informed_ids=[])
    spec.goto(f"{live_server.url}/inbox/")
    expect(spec.get_by_text("quy chế dân chủ ở cơ sở").first).to_be_visible()
    expect(spec.get_by_text("hội nghị sơ kết giữa nhiệm kỳ")).to_have_count(0)
    shot(spec, f"{size}-2-inbox-assigned")
    spec.get_by_role("link", name=to_assign.document.symbol).click()
    expect(spec.get_by_role("heading", level=1)).to_contain_text(to_assign.document.symbol)

    # The clerk shares the other one with them from the document page.
    clerk = pages(b.clerk, viewport=viewport, name="clerk").page
    clerk.goto(f"{live_server.url}/documents/{to_share.document_id}/")
    clerk.get_by_label("Người được chia sẻ").select_option(label=b.specialist.get_full_name())
    clerk.get_by_label("Ghi chú").fill("Đồng chí nghiên cứu, chuẩn bị tham luận")
    shot(clerk, f"{size}-3-share-form")
    clerk.get_by_role("button", name="Chia sẻ", exact=True).click()
    expect(clerk.get_by_text(f"Đã chia sẻ văn bản với đồng chí {b.specialist.get_full_name()}.")).to_be_visible()
    expect(clerk.locator(".share-list")).to_contain_text(b.specialist.get_full_name())
    shot(clerk, f"{size}-4-shared")

    spec.goto(f"{live_server.url}/inbox/")
    expect(spec.get_by_text("hội nghị sơ kết giữa nhiệm kỳ").first).to_be_visible()
    shot(spec, f"{size}-5-inbox-shared")
