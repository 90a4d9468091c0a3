"""A party member transferred between two VanThu installations: real processes, real network.

The Bloc (site A) transfers a member to the City Party Committee (site B): the records officer
issues the transfer with its letter, the clerk issues the letter, the member's record travels in
the letter's edXML package, B's records officer accepts it, and only then does A record the member
as transferred out. A second transfer is refused at B and the member stays active at A. The two
installations, their databases (of the engine the suite runs on), servers and workers are those
of test_exchange.py (the `sites` fixture of conftest.py, made once for both modules).
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from .test_exchange import A_ORG, B_ORG, PDF, ROOT, Site, wait_for

pytestmark = pytest.mark.slow
GRANT = ("from vanthu.accounts.models import User; from vanthu.organizations.models import Organization; "
         "from vanthu.membership.models import RecordsOfficer; "
         "RecordsOfficer.objects.get_or_create(user=User.objects.get(username='{user}'), "
         "organization=Organization.objects.get(code='{code}'), defaults={{'kind': 'office'}})")


@pytest.fixture(scope="module")
def officers(sites):
    """The committee office's specialist on each side holds the records role (given by the installation's
    administrator in practice; here straight in each installation's database)."""
    a, b = sites
    for site, user, code in ((a, "cv1.dukhoi", A_ORG), (b, "cv1.thanhuy", B_ORG)):
        # The data dir comes from the site's environment (Django's shell takes no --data-dir).
        subprocess.run([sys.executable, "-m", "vanthu.cli", "manage", "shell", "-c", GRANT.format(user=user, code=code)],
                       env=site.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return a, b


def _member(a: Site, name: str) -> dict:
    card = str(uuid.uuid4().int)[:8]
    return a.api("POST", "/party-members", "cv1.dukhoi", json={
        "organization_id": a.org_id(A_ORG), "full_name": name, "gender": "male", "birth_date": "1986-09-12", "card_number": card,
        "admitted_on": "2012-03-26", "official_on": "2013-03-26", "id_number": "001086012345", "job": "Chuyên viên",
        "qualification": "master", "theory_level": "intermediate"})


def _transfer_with_letter(a: Site, member: dict, subject: str) -> tuple[dict, int]:
    """The office drafts the letter to the City Party Committee, issues the transfer with it; the
    secretary approves and the clerk issues the letter."""
    to = a.org_id(B_ORG)
    leader = a.api("GET", "/me", "bt.dukhoi")["id"]
    signatory = next(s["id"] for s in a.api("GET", "/signatories", "cv1.dukhoi", params={"organization_id": a.org_id(A_ORG)})["items"]
                     if s["user_id"] == leader)
    doc = a.api("POST", "/documents", "cv1.dukhoi", data={"organization_id": a.org_id(A_ORG), "doc_type": "CV", "subject": subject,
                                                           "recipient_ids": [to], "signatory_id": signatory},
                files={"file": ("giaygioithieu.pdf", PDF, "application/pdf")})
    transfer = a.api("POST", f"/party-members/{member['id']}/transfers", "cv1.dukhoi",
                     json={"to_organization_id": to, "letter_id": doc["id"], "note": "Điều động về công tác tại Văn phòng Thành ủy"})
    a.api("POST", f"/documents/{doc['id']}/submit", "cv1.dukhoi")
    a.api("POST", f"/documents/{doc['id']}/approve", "bt.dukhoi")
    a.api("POST", f"/documents/{doc['id']}/issue", "vt.dukhoi")
    return transfer, doc["id"]


def _arrived(b: Site, name: str) -> dict:
    return wait_for(lambda: [t for t in b.api("GET", "/incoming-transfers", "cv1.thanhuy")["items"] if t["record"]["full_name"] == name],
                    what=f"the transfer of {name} at B")[0]


def _a_transfer(a: Site, transfer_id: int) -> dict:
    return next(t for t in a.api("GET", "/transfers", "cv1.dukhoi", params={"limit": 200})["items"] if t["id"] == transfer_id)


def test_a_member_moves_to_the_other_installation_only_when_its_officer_accepts(officers):
    a, b = officers
    name = f"Nguyễn Đức Thắng {uuid.uuid4().hex[:4]}"
    member = _member(a, name)
    transfer, _doc = _transfer_with_letter(a, member, f"Giới thiệu sinh hoạt đảng đồng chí {name}")
    incoming = _arrived(b, name)
    assert incoming["status"] == "waiting" and incoming["record"]["card_number"] == member["card_number"]
    assert incoming["record"]["id_number"] == "*********345"  # masked, as everywhere
    assert incoming["note"] == "Điều động về công tác tại Văn phòng Thành ủy"
    # The record is no file of the letter at B: its clerks read the letter, not the record.
    assert b.sql("SELECT count(*) FROM documents_documentfile WHERE name LIKE ?", "vanthu-extra%")[0][0] == 0
    assert b.sql("SELECT count(*) FROM documents_documentfile WHERE document_id = ?", incoming["document_id"])[0][0] >= 1
    # Nothing moves at A before B's officer accepts.
    assert _a_transfer(a, transfer["id"])["status"] == "issued"
    assert a.api("GET", f"/party-members/{member['id']}", "cv1.dukhoi")["status"] == "active"

    accepted = b.api("POST", f"/incoming-transfers/{incoming['id']}/accept", "cv1.thanhuy")
    assert accepted["status"] == "accepted" and accepted["member_id"]
    there = b.api("GET", f"/party-members/{accepted['member_id']}", "cv1.thanhuy")
    assert (there["full_name"], there["status"], there["organization_id"]) == (name, "active", b.org_id(B_ORG))
    wait_for(lambda: _a_transfer(a, transfer["id"])["status"] == "accepted", what="the acceptance back at A")
    here = a.api("GET", f"/party-members/{member['id']}", "cv1.dukhoi")
    assert here["status"] == "transferred_out"
    # One member on each side, never two: the card number once at B, the record kept (transferred out) at A.
    assert b.sql("SELECT count(*) FROM membership_partymember WHERE card_number = ?", member["card_number"])[0][0] == 1
    assert a.sql("SELECT count(*) FROM membership_partymember WHERE card_number = ?", member["card_number"])[0][0] == 1
    assert b.sql("SELECT count(*) FROM membership_incomingtransfer WHERE origin_transfer_id = ?", transfer["id"])[0][0] == 1


def test_a_refusal_at_the_other_installation_leaves_the_member_active(officers):
    a, b = officers
    name = f"Trần Minh Khôi {uuid.uuid4().hex[:4]}"
    member = _member(a, name)
    transfer, _doc = _transfer_with_letter(a, member, f"Giới thiệu sinh hoạt đảng đồng chí {name}")
    incoming = _arrived(b, name)
    refused = b.api("POST", f"/incoming-transfers/{incoming['id']}/refuse", "cv1.thanhuy",
                    json={"reason": "Chưa có quyết định điều động của Ban Thường vụ Thành ủy."})
    assert refused["status"] == "refused"
    back = wait_for(lambda: (t := _a_transfer(a, transfer["id"]))["status"] == "refused" and t, what="the refusal back at A")
    assert back["answer_note"] == "Chưa có quyết định điều động của Ban Thường vụ Thành ủy."
    assert a.api("GET", f"/party-members/{member['id']}", "cv1.dukhoi")["status"] == "active"
    assert b.sql("SELECT count(*) FROM membership_partymember WHERE card_number = ?", member["card_number"])[0][0] == 0
