"""Issue 16 §4 in a real browser, on desktop and on a phone: the leader returns a draft saying
why; the drafter finds it under "Bị trả lại" on the home page, reads who returned it, when and
why, edits it and submits it again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_returned_draft_is_read_edited_and_submitted_again(pages, live_server, world, viewport):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(doc, user=a.specialist)

    leader = pages(a.leader, viewport=viewport).page
    leader.goto(f"{live_server.url}/documents/{doc.id}/")
    leader.get_by_text("Trả lại", exact=True).click()
    leader.get_by_label("Lý do trả lại").fill("Trích yếu chưa rõ, sửa lại cho cụ thể.")
    leader.get_by_role("button", name="Trả lại người soạn").click()
    expect(leader.get_by_text("Đã trả lại dự thảo cho người soạn.")).to_be_visible()

    spec = pages(a.specialist, viewport=viewport).page
    spec.goto(f"{live_server.url}/")
    expect(spec.locator("#count-returned .n")).to_have_text("1")
    expect(spec.get_by_text(re.compile(r"Bị trả lại bởi Bí thư ĐUK lúc \d\d/\d\d/\d{4} \d\d:\d\d")).first).to_be_visible()
    spec.get_by_role("link", name=re.compile("Về việc báo cáo kết quả")).first.click()
    expect(spec.locator(".return-note")).to_have_text("Trích yếu chưa rõ, sửa lại cho cụ thể.")
    spec.get_by_role("link", name="Sửa dự thảo").click()
    spec.get_by_label("Trích yếu").fill("Về việc báo cáo kết quả chuyển đổi số quý IV năm 2026")
    spec.get_by_role("button", name="Lưu dự thảo").click()
    expect(spec.get_by_text("Đã lưu dự thảo")).to_be_visible()
    spec.get_by_role("button", name="Trình duyệt").click()
    expect(spec.get_by_text("Đã trình lãnh đạo duyệt.")).to_be_visible()
    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == "submitted" and doc.subject == "Về việc báo cáo kết quả chuyển đổi số quý IV năm 2026"
