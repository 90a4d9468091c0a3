"""Issue 16 §6–8 in a real browser, on desktop and on a phone: the main handler completes with the
reply document, which then shows on both documents (and to the sender with who handled it); the
leader's queue lists the most urgent first, then the oldest, with who submitted each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers

from .conftest import DESKTOP, PHONE, RESULTS

INSTRUCTION = "Đồng chí nắm tình hình, chưa báo cáo ra ngoài"


def _shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"replies-{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reply_document_shows_on_both_documents_and_to_the_sender(pages, live_server, world, viewport):
    a, b = world.a, world.b
    incoming = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org],
                        subject="Về việc rà soát tình hình thực hiện Nghị quyết năm 2026")
    d = actions.accept_delivery(f.delivery_to(incoming, b.org), user=b.clerk)
    assign_handlers(d, user=b.leader, main_handler_id=b.specialist.id, note=INSTRUCTION)
    reply = f.issued(b.org, specialist=b.specialist, leader=b.leader, clerk=b.clerk, recipients=[a.org],
                     subject="Báo cáo kết quả rà soát tình hình thực hiện Nghị quyết")
    name = "desktop" if viewport == DESKTOP else "phone"

    spec = pages(b.specialist, viewport=viewport).page
    spec.goto(f"{live_server.url}/documents/{incoming.id}/")
    spec.get_by_label("Kết quả xử lý").fill("Đã trả lời bằng báo cáo của Đảng ủy")
    spec.get_by_label("Văn bản trả lời").select_option(str(reply.id))
    spec.get_by_label("Tôi xác nhận đã xử lý xong văn bản này").check()
    spec.get_by_role("button", name="Hoàn thành").click()
    expect(spec.get_by_text("Đã báo cáo hoàn thành xử lý.")).to_be_visible()
    link = spec.locator(f"section.incoming a.reply-document[href='/documents/{reply.id}/']")
    expect(link).to_have_text(reply.symbol)
    _shot(spec, f"incoming-{name}")
    link.click()
    expect(spec.get_by_role("heading", name="Trả lời văn bản đến")).to_be_visible()
    back = spec.locator(f"ul.answers a[href='/documents/{incoming.id}/']")
    expect(back).to_have_text(incoming.symbol)
    _shot(spec, f"reply-{name}")

    sender = pages(a.clerk, viewport=viewport).page
    sender.goto(f"{live_server.url}/documents/{incoming.id}/")
    row = sender.locator(f"#recipient-{b.org.id}")
    expect(row.locator(".handler")).to_have_text(b.specialist.get_full_name())
    expect(row.locator(".result")).to_contain_text("Đã trả lời bằng báo cáo của Đảng ủy")
    expect(row.locator(f"a.reply-document[href='/documents/{reply.id}/']")).to_be_visible()
    expect(sender.get_by_text(INSTRUCTION)).to_have_count(0)
    _shot(sender, f"sender-{name}")
    # In English too: the columns and the reply read in the reader's language.
    sender.get_by_role("button", name="EN").click()
    expect(sender.locator("html")).to_have_attribute("lang", "en")
    expect(row.locator(".handler")).to_have_attribute("data-label", "Handled by")
    expect(row.locator(".result")).to_contain_text("Reply document")
    _shot(sender, f"sender-en-{name}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_leaders_queue_lists_the_most_urgent_first_then_the_oldest(pages, live_server, world, viewport):
    a = world.a
    plans = [("Về việc chuẩn bị hội nghị sơ kết công tác", "thuong", 300, a.specialist),
             ("Về việc báo cáo nhanh tình hình mưa lũ", "hoa_toc", 10, a.specialist2),
             ("Về việc góp ý dự thảo quy chế làm việc", "khan", 200, a.specialist),
             ("Về việc cử cán bộ dự lớp tập huấn", "khan", 400, a.specialist2)]
    docs = []
    for subject, urgency, minutes, author in plans:
        doc = f.draft(a.org, author, [world.b.org], subject=subject, signer=a.leader)
        Document.objects.filter(id=doc.id).update(urgency=urgency)
        actions.submit_document(Document.objects.get(id=doc.id), user=author)
        Document.objects.filter(id=doc.id).update(submitted_at=timezone.now() - timedelta(minutes=minutes))
        docs.append(doc)
    normal, flash, urgent_new, urgent_old = docs
    expected = [flash.subject, urgent_old.subject, urgent_new.subject, normal.subject]
    name = "desktop" if viewport == DESKTOP else "phone"

    leader = pages(a.leader, viewport=viewport).page
    leader.goto(f"{live_server.url}/")
    home = leader.locator("section[aria-labelledby='h-approve'] li > a")
    expect(home).to_have_count(4)
    assert [t.split(" — ", 1)[1] for t in home.all_inner_texts()] == expected
    expect(leader.locator(f"#approve-{flash.id} .submitter")).to_contain_text(f"Trình bởi {a.specialist2.get_full_name()}")
    _shot(leader, f"home-queue-{name}")

    leader.goto(f"{live_server.url}/documents/?status=submitted")
    rows = leader.locator("#outgoing-results tbody tr")
    expect(rows).to_have_count(4)
    assert [leader.locator(f"#doc-{d.id}").count() for d in docs] == [1, 1, 1, 1]
    order = [r.get_attribute("id") for r in rows.all()]
    assert order == [f"doc-{d.id}" for d in (flash, urgent_old, urgent_new, normal)]
    expect(leader.locator(f"#doc-{urgent_new.id} .submitter")).to_have_text(a.specialist.get_full_name())
    _shot(leader, f"outgoing-queue-{name}")

    # The leader approves the first with an opinion; it shows in the document's history.
    leader.locator(f"#doc-{flash.id} a").first.click()
    leader.get_by_label(re.compile("Ý kiến của lãnh đạo")).fill("Đồng ý, phát hành ngay trong sáng nay")
    leader.get_by_role("button", name="Duyệt văn bản").click()
    expect(leader.get_by_text("Đã duyệt văn bản.")).to_be_visible()
    expect(leader.locator(".doc-history")).to_contain_text("Đồng ý, phát hành ngay trong sáng nay")
    _shot(leader, f"approved-history-{name}")
    leader.get_by_role("button", name="EN").click()
    expect(leader.locator(".doc-history h2")).to_have_text("Drafting and approval history")
    expect(leader.locator(".doc-history")).to_contain_text("Approved")
    _shot(leader, f"approved-history-en-{name}")
