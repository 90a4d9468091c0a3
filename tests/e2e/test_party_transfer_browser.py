"""The receiving records officer's page for a member transferred from another installation, in a
real browser on a desktop and a phone, in Vietnamese and English. Screenshots go to test-results/."""

from __future__ import annotations

import datetime as dt
import json

from playwright.sync_api import expect

from vanthu.exchange import edxml as E
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.peers import REMOTE, REMOTE_SITE, register_unreachable_peer
from vanthu.exchange.tests.test_edxml import _package
from vanthu.membership import actions
from vanthu.membership.models import IncomingTransfer, PartyMember
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


def _arrives(org) -> IncomingTransfer:
    peer, key, cert = register_unreachable_peer()
    record = {"format": "vanthu-party-member", "version": 1, "site": REMOTE_SITE, "transfer_id": 12, "member_id": 3,
              "note": "Đồng chí được điều động về công tác tại Sở Tài chính từ ngày 01/12/2026.", "profile": {
                  "full_name": "Lê Thị Hồng Nhung", "gender": "female", "birth_date": "1990-08-02", "birth_place": "Hà Đông, Hà Nội",
                  "card_number": "20000002", "admitted_on": "2015-02-03", "official_on": "2016-02-03", "id_number": "001190054321",
                  "ethnicity": "Kinh", "qualification": "master", "theory_level": "intermediate", "job": "Chuyên viên",
                  "position": "Phó Trưởng phòng", "awards": "Giấy khen của Ban Thường vụ Thành ủy năm 2024"}}
    extra = E.FilePart("vanthu-extra-party-member-12.json", json.dumps(record).encode(), content_type="application/json", content_id="pm")
    pkg = _package(sender=E.Party(REMOTE, "Thành ủy Hà Nội"), recipient=E.Party(org.code, org.name), code_number="27",
                   code_notation="GGT/VPTU", issued_date=dt.date.today(), type_code="GGT", type_name="Giấy giới thiệu",
                   subject="Giới thiệu sinh hoạt đảng đồng chí Lê Thị Hồng Nhung")
    pkg.files = pkg.files[:1] + [extra]
    answer = receive(E.sign(E.build_package(pkg), key, cert), peer=peer)
    assert answer.http_status == 200, answer.body
    return IncomingTransfer.objects.get()


def test_the_receiving_officer_sees_the_record_and_accepts(pages, world):
    admin = f.make_installation_admin(world.bloc)
    office = f.make_user(world.b.org, "specialist", full_name="Phạm Văn Phòng")
    actions.grant_records_role(user=admin, person=office, organization=world.b.org, kind="office")
    incoming = _arrives(world.b.org)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(office, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/members/transfers/")
        expect(page.locator("#incoming")).to_contain_text("Lê Thị Hồng Nhung")
        page.screenshot(path=str(RESULTS / f"party-transfer-list-{label}.png"), full_page=True)
        page.locator("#incoming").get_by_role("link", name="Lê Thị Hồng Nhung").click()
        expect(page.locator("#incoming-record")).to_contain_text("*********321")
        expect(page.locator("#incoming-record")).not_to_contain_text("001190054321")
        page.screenshot(path=str(RESULTS / f"party-transfer-incoming-{label}-vi.png"), full_page=True)
        # The language switch of the top bar (a form: submitted as its EN button does, whatever the width shows).
        with page.expect_navigation():
            page.evaluate("""() => { const f = document.querySelector('form.lang-switch');
                                     const b = f.querySelector("button[value='en']"); f.requestSubmit(b); }""")
        expect(page.get_by_role("heading", name="The member's record sent with the transfer letter")).to_be_visible()
        page.screenshot(path=str(RESULTS / f"party-transfer-incoming-{label}-en.png"), full_page=True)
    desk = pages(office, viewport=DESKTOP, name="accept").page
    desk.goto(f"{pages.url}/members/transfers/incoming/{incoming.id}/")
    desk.get_by_role("button", name="Tiếp nhận đảng viên").click()
    expect(desk.locator("#incoming-status")).to_contain_text("Đã tiếp nhận")
    desk.screenshot(path=str(RESULTS / "party-transfer-accepted-desktop.png"), full_page=True)
    assert PartyMember.objects.get(card_number="20000002").organization_id == world.b.org.id
