"""The sender's clerk revokes an issued document with the page's button (desktop); a recipient's
clerk agrees on a phone; the sender's page then says every recipient has answered."""

from __future__ import annotations

from playwright.sync_api import expect

from vanthu.documents.actions import accept_delivery
from vanthu.documents.models import Delivery
from vanthu.testing import factories as f

from .conftest import PHONE


def test_revoke_and_answer_with_the_pages_buttons(pages, world):
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                   subject="Về việc tổ chức hội nghị sơ kết công tác quý III")
    accept_delivery(f.delivery_to(doc, world.b.org), user=world.b.clerk)

    sender = pages(a.clerk)
    sender.page.goto(f"{pages.url}/documents/{doc.id}/")
    sender.page.get_by_text("Thu hồi / cập nhật / thay thế văn bản").click()
    sender.page.get_by_label("Thu hồi", exact=True).check()
    sender.page.get_by_label("Lý do").fill("Ban hành nhầm thời gian hội nghị")
    sender.page.get_by_role("button", name="Gửi yêu cầu tới các nơi nhận").click()
    expect(sender.page.get_by_text("Đã gửi yêu cầu thu hồi tới 1 nơi nhận")).to_be_visible()
    expect(sender.page.get_by_text("Còn 1 nơi nhận chưa trả lời.")).to_be_visible()

    recipient = pages(world.b.clerk, viewport=PHONE)
    recipient.page.goto(f"{pages.url}/documents/{doc.id}/")
    expect(recipient.page.get_by_text("Nơi gửi yêu cầu thu hồi văn bản này.")).to_be_visible()
    recipient.page.get_by_role("button", name="Đồng ý").click()
    expect(recipient.page.get_by_text("Đã đồng ý yêu cầu của nơi gửi.")).to_be_visible()
    assert Delivery.objects.get(document=doc).status_code == "15"

    sender.page.reload()
    expect(sender.page.get_by_text("Mọi nơi nhận đã trả lời.")).to_be_visible()
