"""Issue 16 §1 and §2 in a real browser, on desktop and on a phone: the drafter chooses who signs,
another leader can only stand in (and says so), and the issued document names the certificate's
holder, its number, and signing times as people write them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vanthu.documents.models import Document, Signatory
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_chosen_leader_signs_and_the_issued_document_shows_who_and_its_number(pages, live_server, world, tmp_path, viewport):
    a = world.a
    a.leader.full_name = "Nguyễn Thanh Khánh"
    a.leader.save(update_fields=["full_name"])
    deputy = f.make_user(a.org, "leader", full_name="Trần Văn Bình")
    Signatory.objects.filter(user=deputy).update(form="K/T", on_behalf_of="BÍ THƯ", position="PHÓ BÍ THƯ")
    ensure_demo_ca()
    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(f.pdf_bytes("Về việc kiện toàn tổ chức bộ máy"))
    subject = "Về việc kiện toàn tổ chức bộ máy năm 2026"

    spec = pages(a.specialist, viewport=viewport).page
    spec.get_by_role("link", name="Soạn văn bản").first.click()
    spec.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    spec.get_by_label("Loại văn bản").select_option("CV")
    spec.get_by_label("Trích yếu").fill(subject)
    spec.get_by_label("Người ký").select_option(label="K/T BÍ THƯ · PHÓ BÍ THƯ · Trần Văn Bình")
    spec.get_by_label("Tìm tổ chức").fill("tai chinh")
    spec.get_by_label(world.b.org.name).check()
    spec.get_by_role("button", name="Lưu dự thảo").click()
    spec.get_by_role("button", name="Trình duyệt").click()
    expect(spec.get_by_text("Trình đồng chí Trần Văn Bình ký.")).to_be_visible()
    doc = Document.objects.get(subject=subject)
    url = f"{live_server.url}/documents/{doc.id}/"

    # The secretary was not chosen: no approval button, only "sign for".
    secretary = pages(a.leader, viewport=viewport).page
    secretary.goto(url)
    expect(secretary.get_by_role("button", name="Duyệt văn bản")).to_have_count(0)
    expect(secretary.get_by_role("button", name="Ký thay đồng chí Trần Văn Bình")).to_be_visible()

    chosen = pages(deputy, viewport=viewport).page
    chosen.goto(url)
    chosen.get_by_role("button", name="Duyệt văn bản").click()
    expect(chosen.get_by_text("Đã duyệt văn bản.")).to_be_visible()

    clerk = pages(a.clerk, viewport=viewport).page
    clerk.goto(url)
    clerk.get_by_role("button", name="Cấp số và phát hành").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("Số 01-CV/ĐUK")
    expect(clerk.locator("dd.signer")).to_have_text(re.compile(r"K/T BÍ THƯ\s+PHÓ BÍ THƯ\s+Trần Văn Bình"))
    badge = clerk.locator("details.sig-badge")
    expect(badge).to_contain_text("Đã xác thực điện tử")
    badge.locator("summary").click()
    expect(badge.locator("time").first).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    expect(badge).to_contain_text("Trần Văn Bình")
    expect(clerk.get_by_role("button", name="Kiểm tra lại chữ ký số")).to_be_visible()
