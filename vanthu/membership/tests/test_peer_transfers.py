"""Transfers to and from an organisation at another installation: the member's record travels in the
letter's edXML package, and the answer comes back as the letter's status (through the real
receiving path, signed with the peer organisation's key). The two real processes are in
tests/e2e/test_party_transfer.py."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery, StatusCode
from vanthu.exchange import edxml as E
from vanthu.exchange.extras import EXTRA_PREFIX
from vanthu.exchange.models import OutboxMessage
from vanthu.exchange.packages import document_id_of, message_bytes, split_symbol
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.peers import REMOTE, REMOTE_SITE, register_unreachable_peer
from vanthu.exchange.tests.test_edxml import _package
from vanthu.membership.models import IncomingTransfer, MemberVersion, PartyMember, Transfer
from vanthu.notifications.models import Notification
from vanthu.testing import factories as f
from vanthu.web.i18n import compile_all

from .conftest import api, member

JSON = "application/json"


@pytest.fixture
def peer(world):
    peer, key, cert = register_unreachable_peer()
    remote = peer.organizations.get().organization
    leader = f.make_user(world.a, "leader", full_name="Trần Quốc Bảo")
    return peer, remote, key, cert, leader


def _letter(w, leader, remote):
    return f.draft(w.a, w.specialist_a, [remote], signer=leader, subject="Giấy giới thiệu sinh hoạt đảng")


def _status(w, doc, key, cert, code: str, note: str = "") -> int:
    number, notation = split_symbol(doc)
    msg = E.StatusMessage(message_id=E.new_message_id(), sender=E.Party(REMOTE, "Thành ủy"), recipient=E.Party(w.a.code),
                          document_id=document_id_of(doc), code_number=number, code_notation=notation, issued_date=doc.issued_date,
                          status_code=code, description=note, timestamp=timezone.now(), staff_name="Nguyễn Thị Hà")
    return receive(E.sign(E.build_status(msg), key, cert), peer=None).http_status


def _issue_letter(w, leader, doc):
    doc_actions.submit_document(doc, user=w.specialist_a)
    doc_actions.approve_document(doc, user=leader)
    return doc_actions.issue_document(doc, user=w.clerk_a)


def test_the_record_travels_in_the_letters_package_and_only_the_peers_acceptance_moves_the_member(world, peer):
    w = world
    the_peer, remote, key, cert, leader = peer
    an = member(w, w.a1, "Nguyễn Văn An", "10000001", id_number="001085012345", job="Chuyên viên")
    doc = _letter(w, leader, remote)
    url = f"/api/v1/party-members/{an.id}/transfers"
    # Without a letter addressed to that organisation it is refused: the record needs something to travel with.
    r = api(w.office_a).post(url, {"to_organization_id": remote.id}, content_type=JSON)
    assert r.status_code == 422 and r.json()["error"]["code"] == "letter_required"
    other = f.draft(w.a, w.specialist_a, [w.b], signer=leader)
    assert api(w.office_a).post(url, {"to_organization_id": remote.id, "letter_id": other.id}, content_type=JSON).status_code == 422
    r = api(w.office_a).post(url, {"to_organization_id": remote.id, "letter_id": doc.id, "note": "Chuyển công tác"}, content_type=JSON)
    assert r.status_code == 201, r.content
    t = Transfer.objects.get(pk=r.json()["id"])
    assert (t.status, t.letter_id) == ("issued", doc.id)
    # Nobody here can accept it.
    assert api(w.board).post(f"/api/v1/transfers/{t.id}/accept").status_code in (404, 409)

    doc = _issue_letter(w, leader, doc)
    row = OutboxMessage.objects.get(delivery__document=doc, delivery__recipient=remote, kind="package")
    files: dict[str, bytes] = {}
    pkg = E.read_package(E.parse(message_bytes(row), payloads=files), files)
    extra = [p for p in pkg.files if p.name.startswith(EXTRA_PREFIX)]
    assert [p.name for p in extra] == [f"{EXTRA_PREFIX}party-member-{t.id}.json"]
    record = json.loads(extra[0].data)
    assert record["format"] == "vanthu-party-member" and record["transfer_id"] == t.id and record["note"] == "Chuyển công tác"
    assert record["profile"]["card_number"] == "10000001" and record["profile"]["full_name"] == "Nguyễn Văn An"
    assert record["profile"]["birth_date"] == "1985-03-15" and "organization" not in record["profile"]
    # The letter has gone with the record: the sender can no longer withdraw on its own.
    assert api(w.office_a).post(f"/api/v1/transfers/{t.id}/cancel").status_code == 409

    # The peer's clerk accepting (03) and even closing the letter (06 without the officer's marker) moves nothing.
    assert _status(w, doc, key, cert, "03") == 200
    assert _status(w, doc, key, cert, "06", "Đã xử lý xong văn bản.") == 200
    assert PartyMember.objects.get(pk=an.pk).status == "active" and Transfer.objects.get(pk=t.pk).status == "issued"
    # The peer's records officer accepts: only now is the member transferred out here.
    assert _status(w, doc, key, cert, "05") == 200
    assert _status(w, doc, key, cert, "06", f"Đã tiếp nhận đảng viên chuyển sinh hoạt đến. [vanthu-transfer:{t.id}:accepted]") == 200
    an.refresh_from_db()
    t.refresh_from_db()
    today = timezone.localdate()
    assert (an.status, an.status_date, an.organization_id) == ("transferred_out", today, w.a1.id)
    assert (t.status, t.effective_on) == ("accepted", today)
    assert list(MemberVersion.objects.filter(member=an).order_by("id").values_list("status", "valid_to")) == [
        ("active", today), ("transferred_out", None)]
    told = Notification.objects.filter(notice__kind="party_transfer_accepted").values_list("user_id", flat=True)
    assert set(told) == {w.office_a.id, w.board.id}
    assert PartyMember.objects.filter(card_number="10000001").count() == 1


def test_a_refusal_leaves_the_member_active_at_the_sender_and_tells_its_officers(world, peer):
    w = world
    _peer, remote, key, cert, leader = peer
    an = member(w, w.a1, "Nguyễn Văn An", "10000001")
    doc = _letter(w, leader, remote)
    t = api(w.office_a).post(f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": remote.id, "letter_id": doc.id},
                             content_type=JSON).json()
    doc = _issue_letter(w, leader, doc)
    assert _status(w, doc, key, cert, "02", "Đồng chí chưa có quyết định điều động về Thành ủy.") == 200
    out = api(w.office_a).get("/api/v1/transfers").json()["items"][0]
    assert (out["id"], out["status"], out["answer_note"]) == (t["id"], "refused", "Đồng chí chưa có quyết định điều động về Thành ủy.")
    assert PartyMember.objects.get(pk=an.pk).status == "active"
    assert Notification.objects.filter(user=w.office_a, notice__kind="party_transfer_refused").exists()
    # A new transfer may be issued now.
    assert api(w.office_a).post(f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": w.b.id},
                                content_type=JSON).status_code == 201


def _arriving(w, key, cert, **kw) -> bytes:
    return _arriving_at(w.a, key, cert, **kw)


def _arriving_at(org, key, cert, *, transfer_id: int = 41, number: str = "27", profile: dict | None = None, **record) -> bytes:
    """The letter from the City Party Committee's office, with a member's record, as the peer's installation packages it."""
    body = {"format": "vanthu-party-member", "version": 1, "site": REMOTE_SITE, "transfer_id": transfer_id, "member_id": 7,
            "note": "Đồng chí được điều động về công tác tại Sở Tài chính.", "from": {"code": REMOTE}, "to": {"code": org.code},
            "profile": profile or {"full_name": "Lê Thị Hồng Nhung", "gender": "female", "birth_date": "1990-08-02",
                                   "card_number": "20000002", "admitted_on": "2015-02-03", "official_on": "2016-02-03",
                                   "id_number": "001190054321", "ethnicity": "Kinh", "qualification": "master"}, **record}
    extra = E.FilePart(f"{EXTRA_PREFIX}party-member-{transfer_id}.json", json.dumps(body).encode(), content_type=JSON, content_id="pm")
    pkg = _package(sender=E.Party(REMOTE, "Thành ủy Hà Nội"), recipient=E.Party(org.code, org.name), code_number=number,
                   code_notation="GGT/TU", type_code="GGT", type_name="Giấy giới thiệu", subject="Giới thiệu sinh hoạt đảng")
    pkg.files = pkg.files[:1] + [extra]
    return E.sign(E.build_package(pkg), key, cert)


def test_an_arrival_waits_for_the_receiving_officer_who_accepts_once(world, peer):
    w = world
    the_peer, remote, key, cert, _leader = peer
    data = _arriving(w, key, cert)
    assert receive(data, peer=the_peer).body["status"] == "accepted"
    assert receive(data, peer=the_peer).body["status"] == "duplicate"
    # The same transfer in another package (sent anew) is still one transfer.
    assert receive(_arriving(w, key, cert, number="28"), peer=the_peer).body["status"] == "accepted"
    incoming = IncomingTransfer.objects.get()
    delivery = incoming.delivery
    # The record is never a file of the letter: clerks read letters, not member records.
    assert [x.name for x in delivery.document.files.all()] == ["congvan.pdf"]
    assert incoming.status == "waiting" and incoming.to_org_id == w.a.id and incoming.from_org_id == remote.id
    assert set(Notification.objects.filter(notice__kind="party_transfer_in").values_list("user_id", flat=True)) == {w.office_a.id, w.board.id}
    # Only the receiving organisation's officers see it, the identity number masked.
    for outsider in (w.clerk_a, w.office_b, w.admin):
        assert api(outsider).get(f"/api/v1/incoming-transfers/{incoming.id}").status_code == 404
        assert api(outsider).post(f"/api/v1/incoming-transfers/{incoming.id}/accept").status_code == 404
    seen = api(w.office_a).get(f"/api/v1/incoming-transfers/{incoming.id}").json()
    assert seen["record"]["id_number"] == "*********321" and seen["record"]["full_name"] == "Lê Thị Hồng Nhung"
    assert not PartyMember.objects.filter(card_number="20000002").exists()

    r = api(w.office_a).post(f"/api/v1/incoming-transfers/{incoming.id}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.content
    m = PartyMember.objects.get(card_number="20000002")
    today = timezone.localdate()
    assert (m.organization_id, m.status, m.id_number, m.birth_date) == (w.a.id, "active", "001190054321", date(1990, 8, 2))
    assert list(MemberVersion.objects.filter(member=m).values_list("organization_id", "status", "valid_from", "reason")) == [
        (w.a.id, "active", today, "transfer_in")]
    moved = Transfer.objects.get(member=m)
    assert (moved.from_org_id, moved.to_org_id, moved.status, moved.effective_on) == (remote.id, w.a.id, "accepted", today)
    # The answer goes back as the letter's 06, with the marker the sender reads.
    delivery.refresh_from_db()
    assert delivery.status_code == StatusCode.DONE
    back = OutboxMessage.objects.get(kind="status", delivery=delivery, status_code="06")
    assert "[vanthu-transfer:41:accepted]" in back.description
    assert api(w.office_a).post(f"/api/v1/incoming-transfers/{incoming.id}/accept").status_code == 409
    assert PartyMember.objects.filter(card_number="20000002").count() == 1


def test_a_refusal_goes_back_as_02_and_a_duplicate_member_is_not_accepted(world, peer):
    w = world
    the_peer, _remote, key, cert, _leader = peer
    member(w, w.b, "Lê Thị Hồng Nhung", "20000002", born=date(1990, 8, 2), admitted=date(2015, 2, 3), gender="female")
    receive(_arriving(w, key, cert), peer=the_peer)
    incoming = IncomingTransfer.objects.get()
    r = api(w.office_a).post(f"/api/v1/incoming-transfers/{incoming.id}/accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "member_exists"
    assert api(w.office_a).post(f"/api/v1/incoming-transfers/{incoming.id}/refuse", {"reason": ""}, content_type=JSON).status_code == 422
    r = api(w.office_a).post(f"/api/v1/incoming-transfers/{incoming.id}/refuse", {"reason": "Đảng viên đã có hồ sơ tại Đảng bộ Sở Y tế."},
                             content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert Delivery.objects.get(pk=incoming.delivery_id).status_code == StatusCode.REJECTED
    assert OutboxMessage.objects.get(kind="status", status_code="02").description == "Đảng viên đã có hồ sơ tại Đảng bộ Sở Y tế."
    assert PartyMember.objects.filter(card_number="20000002").count() == 1


def test_a_clerk_rejecting_the_letter_closes_the_waiting_transfer(world, peer):
    w = world
    the_peer, *_rest = peer
    receive(_arriving(w, peer[2], peer[3]), peer=the_peer)
    incoming = IncomingTransfer.objects.get()
    doc_actions.reject_delivery(Delivery.objects.get(pk=incoming.delivery_id), user=w.clerk_a, reason="Gửi nhầm nơi nhận.")
    incoming.refresh_from_db()
    assert incoming.status == "refused"


def test_a_record_that_breaks_the_rules_refuses_the_whole_package(world, peer):
    w = world
    the_peer, _remote, key, cert, _leader = peer
    bad = {"full_name": "Lê Thị Hồng Nhung", "gender": "female", "birth_date": "1990-02-31", "card_number": "20000002",
           "admitted_on": "2015-02-03"}
    answer = receive(_arriving(w, key, cert, profile=bad), peer=the_peer)
    assert answer.http_status == 422 and answer.body["error"]["code"] == "bad_party_member_record"
    assert not IncomingTransfer.objects.exists() and not Delivery.objects.filter(recipient=w.a).exists()
    answer = receive(_arriving(w, key, cert, site="another-site"), peer=the_peer)
    assert answer.http_status == 422 and not IncomingTransfer.objects.exists()


def test_the_receiving_officer_accepts_on_the_page_in_vietnamese_or_english(world, peer):
    w = world
    the_peer, _remote, key, cert, _leader = peer
    receive(_arriving(w, key, cert), peer=the_peer)
    incoming = IncomingTransfer.objects.get()
    clerk = Client()
    clerk.force_login(w.clerk_a)
    assert clerk.get("/members/transfers/").status_code == 404
    assert clerk.get(f"/members/transfers/incoming/{incoming.id}/").status_code == 404
    c = Client()
    c.force_login(w.office_a)
    listed = c.get("/members/transfers/").content.decode()
    assert "Chuyển đến từ hệ thống khác, chờ tiếp nhận" in listed and f"/members/transfers/incoming/{incoming.id}/" in listed
    page = c.get(f"/members/transfers/incoming/{incoming.id}/")
    html = page.content.decode()
    assert page["Cache-Control"].count("no-store") and "Lê Thị Hồng Nhung" in html and "*********321" in html
    assert "001190054321" not in html and "Thạc sĩ" in html and "02/08/1990" in html
    # A refusal without a reason is said, and changes nothing.
    c.post(f"/members/transfers/incoming/{incoming.id}/", {"refuse": "1", "reason": ""})
    assert IncomingTransfer.objects.get().status == "waiting"
    done = c.post(f"/members/transfers/incoming/{incoming.id}/", {"accept": "1"}, follow=True).content.decode()
    assert "Đã tiếp nhận đảng viên" in done and IncomingTransfer.objects.get().status == "accepted"
    compile_all(force=True)
    c.post("/i18n/setlang/", {"language": "en", "next": "/members/"})
    english = c.get(f"/members/transfers/incoming/{incoming.id}/").content.decode()
    assert "The member's record sent with the transfer letter" in english and "Hồ sơ đảng viên kèm theo" not in english


def test_the_sender_picks_the_letter_on_the_members_page(world, peer):
    w = world
    _peer, remote, _key, _cert, leader = peer
    an = member(w, w.a1, "Nguyễn Văn An", "10000001")
    doc = _letter(w, leader, remote)
    c = Client()
    c.force_login(w.office_a)
    html = c.get(f"/members/{an.id}/").content.decode()
    assert "Giấy giới thiệu sinh hoạt đảng" in html and f'value="{doc.id}"' in html and "Thành ủy Hà Nội (hệ thống khác)" in html
    # Without the letter the page says why, and nothing is issued.
    page = c.post(f"/members/{an.id}/transfer/", {"to_organization": remote.id}, follow=True).content.decode()
    assert "cần kèm giấy giới thiệu" in page and not Transfer.objects.exists()
    c.post(f"/members/{an.id}/transfer/", {"to_organization": remote.id, "letter": doc.id, "note": "Chuyển công tác"})
    assert Transfer.objects.get().letter_id == doc.id
