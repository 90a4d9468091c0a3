"""Every bad input gets its own reason code and is never "valid". Each test builds its own case."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from vanthu.documents.models import StoredFile
from vanthu.signatures import ca
from vanthu.signatures.models import TrustRoot
from vanthu.signatures.verify import verify_pdf
from vanthu.testing.factories import pdf_bytes

from . import pki


@pytest.fixture
def root(db):
    auth = ca.make_root("Test Root CA", kind="ec")
    ca.ensure_trust_root(auth.certificate, "Test Root CA")
    return auth


def _only(report):
    assert len(report.signatures) == 1
    return report.signatures[0]


def test_a_good_signature_is_valid(root):
    report = verify_pdf(pki.signed_pdf(root))
    sig = _only(report)
    assert report.status == "valid" and sig.status == "valid" and sig.reasons == []
    assert sig.signer == "Trần Thị Bình" and sig.organization == "Đảng bộ Sở Tài chính"
    assert sig.signed_at.endswith("+07:00")


def test_bytes_changed_inside_the_signed_range(root):
    data = bytearray(pki.signed_pdf(root))
    # Change one character of the page's text stream-independent header comment: inside range 1.
    first_range_end = int(re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", bytes(data)).group(1))
    pos = bytes(data).index(b"Creator") if b"Creator" in data else 12
    assert pos < first_range_end
    data[pos] = ord("X") if data[pos] != ord("X") else ord("Y")
    sig = _only(verify_pdf(bytes(data)))
    assert sig.status == "invalid" and "content_altered" in sig.reasons


def test_an_incremental_update_that_changes_a_page(root):
    signed = pki.signed_pdf(root)
    w = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    extra = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (DA SUA) Tj ET")
    contents = page["/Contents"]
    existing = list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    page["/Contents"] = generic.ArrayObject([*existing, w.add_object(extra)])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue())
    sig = _only(report)
    assert sig.status == "invalid" and sig.reasons == ["modified_after_signing"]


def test_a_chain_to_an_untrusted_root(root):
    stranger = ca.make_root("Stranger Root", kind="ec")
    cert, key = pki.leaf(stranger)
    sig = _only(verify_pdf(pki.signed_pdf(stranger, cert, key)))
    assert sig.status == "invalid" and sig.reasons == ["untrusted_root"]


def test_a_disabled_root_is_not_trusted(root):

    TrustRoot.objects.update(is_enabled=False)
    sig = _only(verify_pdf(pki.signed_pdf(root)))
    assert sig.status == "invalid" and sig.reasons == ["untrusted_root"]


def test_an_expired_certificate(root):
    past = timezone.now() - dt.timedelta(days=400)
    cert, key = pki.leaf(root, not_before=past, not_after=past + dt.timedelta(days=30))
    sig = _only(verify_pdf(pki.signed_pdf(root, cert, key)))
    assert sig.status == "invalid" and sig.reasons == ["certificate_expired"]


def test_a_revoked_certificate_by_crl_on_loopback(root):
    holder = {}
    with pki.http_server(lambda path, body: ("application/pkix-crl", holder["crl"])) as url:
        cert, key = pki.leaf(root, crl_url=f"{url}/root.crl")
        holder["crl"] = pki.crl_for(root, [cert])
        sig = _only(verify_pdf(pki.signed_pdf(root, cert, key)))
    assert sig.status == "invalid" and sig.reasons == ["certificate_revoked"]


def test_a_certificate_on_a_crl_that_does_not_list_it_is_valid(root):
    holder = {}
    with pki.http_server(lambda path, body: ("application/pkix-crl", holder["crl"])) as url:
        cert, key = pki.leaf(root, crl_url=f"{url}/root.crl")
        holder["crl"] = pki.crl_for(root, [])
        sig = _only(verify_pdf(pki.signed_pdf(root, cert, key)))
    assert sig.status == "valid", sig.reasons


def test_unreachable_revocation_is_indeterminate_never_valid(root):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    cert, key = pki.leaf(root, crl_url=f"http://127.0.0.1:{port}/root.crl")
    sig = _only(verify_pdf(pki.signed_pdf(root, cert, key)))
    assert sig.status == "indeterminate" and sig.reasons == ["revocation_unavailable"]


def test_a_certificate_without_the_signing_key_usage(root):
    cert, key = pki.leaf(root, key_usage={"key_encipherment": True})
    sig = _only(verify_pdf(pki.signed_pdf(root, cert, key)))
    assert sig.status == "invalid" and sig.reasons == ["key_usage_not_allowed"]


def test_a_byte_range_pointing_outside_the_file(root):
    data = pki.signed_pdf(root)
    m = re.search(rb"/ByteRange\s*\[\s*0\s+\d+\s+(\d+)\s+(\d+)\s*\]", data)
    # Same length, so nothing else moves: the last range now runs past the end of the file.
    start, length = m.start(2), len(m.group(2))
    tampered = data[:start] + b"9" * length + data[start + length:]
    assert int(m.group(1)) + int(b"9" * length) > len(tampered)
    report = verify_pdf(tampered)
    sig = _only(report)
    assert report.status == "invalid" and sig.reasons == ["byte_range_outside_file"]


def test_a_pdf_with_no_signature_is_unsigned(db):
    report = verify_pdf(pdf_bytes())
    assert report.status == "unsigned" and report.signatures == []


def test_verify_api_reports_and_stores_nothing(root, world, api_as):

    before = StoredFile.objects.count()
    client = api_as(world.b.specialist)
    r = client.post("/api/v1/verify", {"file": SimpleUploadedFile("a.pdf", pki.signed_pdf(root), "application/pdf")}, multipart=True)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "valid"
    assert [(s["signer"], s["organization"], s["status"], s["reasons"]) for s in body["signatures"]] == [
        ("Trần Thị Bình", "Đảng bộ Sở Tài chính", "valid", [])]
    assert body["signatures"][0]["signed_at"].endswith("+07:00")
    r = client.post("/api/v1/verify", {"file": SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")}, multipart=True)
    assert r.json() == {"status": "unsigned", "signatures": []}
    assert StoredFile.objects.count() == before


def test_verify_api_refuses_what_is_not_a_pdf(world, api_as):
    r = api_as(world.b.specialist).post("/api/v1/verify", {"file": SimpleUploadedFile("a.pdf", b"PK\x03\x04 not a pdf", "application/pdf")}, multipart=True)
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "not_pdf"


def test_verify_api_says_a_broken_pdf_is_broken(world, api_as):
    junk = b"%PDF-1.7\n" + b"\x00garbage" * 50
    r = api_as(world.b.specialist).post("/api/v1/verify", {"file": SimpleUploadedFile("a.pdf", junk, "application/pdf")}, multipart=True)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "corrupt_pdf"


def test_verify_api_needs_a_signed_in_person(db):
    from django.test import Client

    r = Client().post("/api/v1/verify", {"file": SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")})
    assert r.status_code == 401
