"""Administrators manage trust roots and certificates; signing follows the configured trust."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile

from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery, Document, FileRole
from vanthu.documents.storage import read_blob
from vanthu.signatures import ca
from vanthu.signatures.ca import load_or_create_demo_authority
from vanthu.signatures.keys import decrypt_private_key
from vanthu.signatures.models import SignatureReport, SigningCertificate, TrustRoot
from vanthu.signatures.verify import verify_pdf
from vanthu.testing import factories as f

from . import pki


def _admin(world):
    return f.make_installation_admin(world.bloc)


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _p12(auth, cn="Lê Văn Cường", org="Đảng ủy Khối các cơ quan Thành phố", password=b"matkhau"):
    cert, key = pki.leaf(auth, cn, org=org)
    return pkcs12.serialize_key_and_certificates(b"x", key, cert, [auth.certificate],
                                                 serialization.BestAvailableEncryption(password)), cert


def test_admin_adds_a_root_as_pem_body_or_file_and_others_may_not(world, api_as):
    auth = ca.make_root("Root A", kind="ec")
    admin = api_as(_admin(world))
    r = admin.client.post("/api/v1/trust-roots", _pem(auth.certificate), content_type="application/x-pem-file", headers=admin.headers)
    assert r.status_code == 201, r.content
    assert r.json()["items"][0]["kind"] == "root" and r.json()["items"][0]["is_enabled"] is True

    other = ca.make_root("Root B", kind="ec")
    der = other.certificate.public_bytes(serialization.Encoding.DER)
    r = admin.post("/api/v1/trust-roots", {"file": SimpleUploadedFile("b.cer", der)}, multipart=True)
    assert r.status_code == 201, r.content
    assert TrustRoot.objects.count() == 2

    r = admin.post("/api/v1/trust-roots", {"file": SimpleUploadedFile("junk.cer", b"not a certificate")}, multipart=True)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_certificate"

    clerk = api_as(world.a.clerk)
    r = clerk.client.post("/api/v1/trust-roots", _pem(auth.certificate), content_type="application/x-pem-file", headers=clerk.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "admin_only"

    root_id = admin.get("/api/v1/trust-roots").json()["items"][0]["id"]
    assert admin.post(f"/api/v1/trust-roots/{root_id}/disable").json()["is_enabled"] is False


def test_pkcs12_import_encrypts_the_key_and_the_leader_signs_with_it(world, api_as, settings):
    settings.VANTHU_KEY_ENCRYPTION_KEY = "khoa-ma-hoa-thu-nghiem"
    auth = ca.make_root("Ban Cơ yếu thử nghiệm", kind="ec")
    ca.ensure_trust_root(auth.certificate, "Ban Cơ yếu thử nghiệm")
    blob, cert = _p12(auth, cn=world.a.leader.get_full_name())
    admin = api_as(_admin(world))
    r = admin.post("/api/v1/signing-certificates", {"file": SimpleUploadedFile("a.p12", blob), "password": "sai",
                                                    "user_id": world.a.leader.id}, multipart=True)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_pkcs12"
    r = admin.post("/api/v1/signing-certificates", {"file": SimpleUploadedFile("a.p12", blob), "password": "matkhau",
                                                    "user_id": world.a.leader.id, "organization_id": world.a.org.id}, multipart=True)
    assert r.status_code == 201, r.content
    row = SigningCertificate.objects.get(id=r.json()["id"])
    raw = bytes(row.encrypted_key)
    assert b"PRIVATE" not in raw
    assert decrypt_private_key(raw).public_key().public_numbers() == cert.public_key().public_numbers()

    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.approve_document(doc, user=a.leader)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.authoritative_file.role == FileRole.SIGNED
    body = api_as(a.leader).get(f"/api/v1/documents/{doc.id}/signatures").json()
    assert body["status"] == "valid" and body["authenticated"] is False  # no organisation's signature yet
    assert [s["signer"] for s in body["signatures"]] == [world.a.leader.get_full_name()]


def test_an_invalid_seal_is_rejected_where_the_recipient_chose_so_and_held_elsewhere(signing_world):
    world = signing_world
    world.b.org.invalid_signature_policy = "reject"
    world.b.org.save(update_fields=["invalid_signature_policy"])
    # Organisation A's seal now comes from an authority nobody trusts.
    SigningCertificate.objects.filter(organization=world.a.org, user__isnull=True).update(is_active=False)
    stranger = ca.make_root("Stranger", kind="ec")
    cert, key = ca.issue(stranger, ca.organization_name(world.a.org), kind="ec")
    ca.save_signing_certificate(cert, key, [stranger.certificate], organization=world.a.org)

    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk,
                   recipients=[world.b.org, world.c.org])
    report = SignatureReport.objects.filter(document=doc).order_by("-id").first()
    assert report.status == "invalid"
    assert report.signatures[1]["reasons"] == ["untrusted_root"]
    b = Delivery.objects.get(document=doc, recipient=world.b.org)
    c = Delivery.objects.get(document=doc, recipient=world.c.org)
    assert b.status_code == "02" and "tin cậy" in b.reject_reason
    assert c.status_code == "01"


def test_b_t_with_a_timestamp_authority_on_loopback(signing_world, settings):

    world = signing_world
    with pki.tsa_server(load_or_create_demo_authority()) as (url, calls):
        settings.VANTHU_TSA_URL = url
        a = world.a
        doc = f.draft(a.org, a.specialist, [world.b.org])
        doc_actions.submit_document(doc, user=a.specialist)
        doc_actions.approve_document(doc, user=a.leader)
        assert calls, "the leader's signature asked the TSA for a timestamp"
        doc = Document.objects.get(pk=doc.pk)
        report = verify_pdf(read_blob(doc.authoritative_file.file_id))
    sig = report.signatures[0]
    assert sig.status == "valid", sig.reasons
    assert sig.timestamped is True and sig.signed_at.endswith("+07:00")
