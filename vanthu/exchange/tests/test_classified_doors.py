"""Classified documents are refused at the exchange's doors (ARCHITECTURE invariant 5): a peer
posting over HTTP (acknowledged at the door, refused by the worker, which tells the sender with
a status 02 and keeps nothing of the package), `vanthu edxml import` run as a command, and the
issuer's update/replace upload.

A validly signed package from a registered peer whose SecurityLevel is decomposed "MẬT",
"Tuyệt mật", or a marking the rule does not know ("4", "Confidential") is refused with the
cipher-channel message; so is a marking hidden where a check of one element's first 32
characters did not look. Each refusal is logged (Refusal) and writes nothing else. The other
doors are in vanthu/documents/tests/test_classified_doors.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from vanthu import cli
from vanthu.audit.models import AuditEntry
from vanthu.documents import storage
from vanthu.documents.models import Delivery, DeliveryEvent, Document, DocumentFile, StoredFile
from vanthu.documents.tests.party_pdfs import STAMPED, first_page, nfd, pdf
from vanthu.documents.tests.test_bad_input import stored_blobs
from vanthu.exchange import edxml as E
from vanthu.exchange.models import (
    InboundMessage,
    OutboxMessage,
    RecallRequest,
    Refusal,
    StagedPackage,
)
from vanthu.exchange.tests.peers import REMOTE, as_the_peer_posts, run_worker
from vanthu.exchange.tests.test_edxml import _package
from vanthu.exchange.tests.test_permanent_errors import peer_answering
from vanthu.signatures.actions import organization_certificate
from vanthu.testing import factories as f

CIPHER = "kênh cơ yếu"
MARKINGS = {"decomposed-mat": nfd("MẬT"), "decomposed-tuyet-mat": nfd("Tuyệt mật"), "code-4": "4", "confidential": "Confidential"}


def _q(name: str) -> str:
    return f"{{{E.NS}}}{name}"


def _element(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(_q(name), attrs)
    el.text = text
    return el


# Where else another system may put its marking, each missed by a check of the first
# SecurityLevel's first 32 characters.
HIDDEN = {
    "second-element": lambda: [_element("SecurityLevel", "0"), _element("Confidentiality", "Tuyệt mật")],
    "nested": lambda: [_nested("SecurityLevel", _element("Name", "Mật"))],
    "attribute": lambda: [_element("SecurityLevel", code="3")],
    "padded": lambda: [_element("SecurityLevel", "Thường" + " " * 40 + "Tuyệt mật")],
}


def _nested(name: str, child: etree._Element) -> etree._Element:
    el = _element(name)
    el.append(child)
    return el


def marked(peer_world, markings: list[etree._Element], **kw) -> bytes:
    """A package from the peer's organisation to B, with `markings` in its OtherInfo, signed with
    the peer's registered key: valid in every way but its marking."""
    world, _peer, _remote, key, cert = peer_world
    pkg = _package(sender=E.Party(REMOTE, "Thành ủy Hà Nội"), recipient=E.Party(world.b.org.code, world.b.org.name), **kw)
    root = E.build_package(pkg)
    other = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}/{_q('MessageHeader')}/{_q('OtherInfo')}")
    for m in markings:
        other.append(m)
    return E.sign(root, key, cert)


def level(text: str) -> list[etree._Element]:
    return [_element("SecurityLevel", text)]


def written() -> dict:
    """Everything receiving a package, or an update, may write (the refusal log apart)."""
    return {
        "documents": Document.objects.count(), "files": DocumentFile.objects.count(), "stored": StoredFile.objects.count(),
        "deliveries": Delivery.objects.count(), "events": DeliveryEvent.objects.count(), "inbound": InboundMessage.objects.count(),
        "outbox": OutboxMessage.objects.count(), "requests": RecallRequest.objects.count(),
        "audit": AuditEntry.objects.exclude(action="permission_denied").count(), "blobs": stored_blobs(),
        "delivery_states": sorted(Delivery.objects.values_list("id", "status_code")),
        "authoritative": sorted(Document.objects.values_list("id", "authoritative_file_id")),
    }


# --- a peer posting over HTTP to this installation's server ------------------------------------

@pytest.fixture
def post_to_inbox(transactional_db, peer_world, live_server):
    """POST /exchange/inbox on a real loopback server, as the registered peer does."""
    _world, peer, *_ = peer_world

    def post(body: bytes) -> requests.Response:
        # The peer's site id and MAC, as its installation sends them: only the marking is wrong.
        mac = as_the_peer_posts(body, from_site=peer.site_id)["HTTP_X_VANTHU_MAC"]
        return requests.post(f"{live_server.url}/exchange/inbox", data=body, timeout=60,
                             headers={"X-VanThu-Site": peer.site_id, "X-VanThu-MAC": mac,
                                      "Content-Type": "application/xml"})

    return post


def assert_refused_over_http(post, peer_world, body: bytes) -> None:
    """The door acknowledges the package (it only stores it); the worker then refuses it: logged
    for the administrator, nothing of it kept (its stored bytes deleted), and the sender told by
    a status 02, signed by our organisation, about its document, with the reason."""
    world, peer, *_ = peer_world
    before, refusals = written(), Refusal.objects.count()
    with peer_answering(peer) as sender_got:  # the sender's own inbox, where the status goes
        r = post(body)
        assert r.status_code == 200 and r.json()["status"] == "staged", r.text
        run_worker()
    staged = StagedPackage.objects.get(pk=r.json()["staged_id"])
    assert staged.state == "refused" and staged.code == "classified_document" and CIPHER in staged.detail
    assert not storage.exists(staged.body_sha256)
    after = written()
    assert after.pop("outbox") == before.pop("outbox") + 1  # the status back, sent
    assert after.pop("audit") == before.pop("audit") + 2  # the refusal, and the status sent
    assert after == before
    assert Refusal.objects.count() == refusals + 1 and Refusal.objects.latest("id").code == "classified_document"
    assert AuditEntry.objects.filter(action="exchange_package_refused").count() == 1
    [status] = sender_got
    root = E.parse(status)
    E.verify(root, x509.load_der_x509_certificate(bytes(organization_certificate(world.b.org.id).certificate_der)))
    msg = E.read_status(root)
    assert msg.status_code == "02" and CIPHER in msg.description and msg.sender.code == world.b.org.code
    assert msg.document_id == E.read_header(E.parse(body)).document_id == staged.document_id_text


@pytest.mark.parametrize("marking", MARKINGS.values(), ids=MARKINGS.keys())
def test_a_peer_package_marked_classified_or_unknown_is_refused(peer_world, post_to_inbox, marking):
    assert_refused_over_http(post_to_inbox, peer_world, marked(peer_world, level(marking)))


@pytest.mark.parametrize("hidden", sorted(HIDDEN))
def test_a_marking_hidden_in_the_header_is_still_seen(peer_world, post_to_inbox, hidden):
    assert_refused_over_http(post_to_inbox, peer_world, marked(peer_world, HIDDEN[hidden]()))


@pytest.mark.parametrize("variant", ["on-the-number-line", "on-page-two"])
def test_a_peer_package_with_a_stamped_attachment_is_refused(peer_world, post_to_inbox, variant):
    files = [E.FilePart("congvan.pdf", pdf(first_page())), E.FilePart("phuluc.pdf", STAMPED[variant](), content_id="file2")]
    assert_refused_over_http(post_to_inbox, peer_world, marked(peer_world, level("Thường"), files=files))


def test_a_received_document_keeps_its_ordinary_marking(peer_world, post_to_inbox):
    r = post_to_inbox(marked(peer_world, [_element("SecurityLevel", nfd("THƯỜNG")), _element("Confidentiality", "0")]))
    assert r.status_code == 200 and r.json()["status"] == "staged", r.text
    run_worker()
    staged = StagedPackage.objects.get(pk=r.json()["staged_id"])
    assert staged.state == "accepted", (staged.code, staged.detail)
    assert staged.delivery.document.confidentiality == "thuong"


# --- `vanthu edxml import` ----------------------------------------------------------------------
# The command's own entry point (argument parsing, the command, its output and exit status) in
# this process; tests/e2e/test_exchange.py runs it as a separate process at a second installation.

def edxml_import(path: Path, capsys) -> tuple[int, dict]:
    code = cli.main(["edxml", "import", str(path)])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("marking", MARKINGS.values(), ids=MARKINGS.keys())
def test_edxml_import_refuses_a_package_marked_classified_or_unknown(peer_world, tmp_path, capsys, marking):
    path = tmp_path / "goitin.edxml"
    path.write_bytes(marked(peer_world, level(marking)))
    before, refusals = written(), Refusal.objects.count()
    code, answer = edxml_import(path, capsys)
    assert code == 1 and answer["error"]["code"] == "classified_document" and CIPHER in answer["error"]["message"], answer
    assert written() == before and Refusal.objects.count() == refusals + 1


def test_edxml_import_lets_an_ordinary_package_in(peer_world, tmp_path, capsys):
    # Control: the same package marked "0" is received by the same command.
    path = tmp_path / "goitin.edxml"
    path.write_bytes(marked(peer_world, level("0")))
    code, answer = edxml_import(path, capsys)
    assert code == 0 and answer["status"] == "accepted", answer
    assert Delivery.objects.get(pk=answer["delivery_id"]).document.confidentiality == "thuong"


# --- the issuer's update (2) or replacement (3) with a new file ----------------------------------

@pytest.fixture
def update(peer_world, api_as):
    """POST /api/v1/documents/{id}/update as the issuer's clerk, for a document issued to B and the peer."""
    world, _peer, remote, *_ = peer_world
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org, remote])
    api = api_as(world.a.clerk)

    def post(data: bytes, business_type: int):
        return api.post(f"/api/v1/documents/{doc.id}/update", {
            "reason": "Sửa lỗi chính tả ở trang 1", "business_type": business_type,
            "file": SimpleUploadedFile("congvan-sua.pdf", data, content_type="application/pdf")}, multipart=True)

    return post


@pytest.mark.parametrize("variant,business_type", [(v, 2) for v in sorted(STAMPED)] + [("top-secret-on-the-number-line", 3)],
                         ids=[f"update-{v}" for v in sorted(STAMPED)] + ["replace-top-secret-on-the-number-line"])
def test_an_update_or_replacement_with_a_stamped_file_is_refused(update, variant, business_type):
    before = written()
    r = update(STAMPED[variant](), business_type)
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "classified_document" and CIPHER in error["message"]
    assert written() == before


def test_an_update_with_an_ordinary_file_goes_out(update):
    # Control: the same party document without a stamp is sent as the update.
    r = update(pdf(first_page()), 2)
    assert r.status_code == 200, r.content
    assert {row["status_code"] for row in r.json()["items"]} == {"13"}
