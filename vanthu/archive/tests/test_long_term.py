"""Long-term signatures against real PKI services on the loopback: a CA with a CRL and an OCSP
responder, and a TSA. Validated ten years on (every certificate expired) and after the signer's
revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from vanthu.archive import ltv
from vanthu.archive.evidence import renew_due
from vanthu.archive.models import LongTermEvidence
from vanthu.archive.package import export_package, verify_package
from vanthu.audit.models import AuditEntry
from vanthu.documents.models import StoredFile
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import read_blob, write_blob
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_trust_root, save_signing_certificate
from vanthu.signatures.signing import sign_pdf
from vanthu.testing import factories as f

from .pki_services import pki_services


@pytest.fixture
def pki():
    with pki_services() as p:
        yield p


def _roots(pki):
    return [C.to_asn1(C.der(pki.root.certificate))]


def _signed(pki) -> bytes:
    """Signed as VanThu signs with a TSA configured: PAdES B-T (a signature timestamp)."""
    data = make_pdf(["Nghị quyết về công tác lưu trữ năm 2026"])
    with override_settings(VANTHU_TSA_URL=pki.tsa_url):
        return sign_pdf(data, pki.signer(), field_name="ChuKyToChuc")


def test_a_signature_with_its_evidence_stays_valid_ten_years_on_and_after_revocation(pki, db):
    signed = _signed(pki)
    ts = RequestsHTTPTimeStamper(pki.tsa_url)
    stamped = ltv.secure(signed, ts=ts, roots=_roots(pki))
    assert stamped.data.startswith(signed)  # the signed revision is left byte for byte
    assert "/crl" in pki.requests or "/ocsp" in pki.requests  # revocation data was gathered
    later = timezone.now() + dt.timedelta(days=3653)
    [result] = ltv.validate(stamped.data, at=later, roots=_roots(pki))
    assert result.valid, result
    # Without the evidence, the same signature ten years on cannot be shown valid.
    [bare] = ltv.validate(signed, at=later, roots=_roots(pki))
    assert not bare.valid
    # The signer's certificate is revoked after it signed: the signature made before stays valid.
    pki.revoke(pki.signer_cert)
    [after] = ltv.validate(stamped.data, at=timezone.now() + dt.timedelta(minutes=1), roots=_roots(pki), fetch=True)
    assert after.valid, after


def test_evidence_is_added_at_issue_renewed_before_expiry_and_exported(pki, world, tmp_path):
    a = world.a
    # The organisation seals with a certificate of the test authority (its CRL and OCSP are live).
    ensure_trust_root(pki.root.certificate, "Gốc thử nghiệm")
    save_signing_certificate(pki.signer_cert, pki.signer_key, [pki.root.certificate], organization=a.org)
    with override_settings(VANTHU_TSA_URL=pki.tsa_url), f.background_done():
        doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                       subject="Quyết định ban hành quy chế lưu trữ")
    doc.refresh_from_db()
    evidence = LongTermEvidence.objects.get(source_id=doc.authoritative_file.file_id)

    first_sha = evidence.current_id
    sealed, first = read_blob(evidence.source_id), read_blob(first_sha)
    assert first.startswith(sealed) and evidence.timestamps == 1
    [now] = [r for r in ltv.validate(first, at=timezone.now() + dt.timedelta(days=3653)) if r.field == "ChuKyToChuc"]
    assert now.valid, now
    # The nightly renewal: nothing is due today; ten years on the TSA certificate nears its end.
    with override_settings(VANTHU_TSA_URL=pki.tsa_url):
        assert renew_due(ts=RequestsHTTPTimeStamper(pki.tsa_url)) == {"renewed": 0, "failed": 0}
        assert renew_due(ts=RequestsHTTPTimeStamper(pki.tsa_url), now=timezone.now() + dt.timedelta(days=365 * 19)) == {
            "renewed": 1, "failed": 0}
    evidence.refresh_from_db()
    renewed = read_blob(evidence.current_id)
    assert evidence.timestamps == 2 and renewed.startswith(first)
    # The renewed file still proves the seal ten years on, and the log says what replaced what.
    [later] = [r for r in ltv.validate(renewed, at=timezone.now() + dt.timedelta(days=3653)) if r.field == "ChuKyToChuc"]
    assert later.valid, later
    entry = AuditEntry.objects.get(action="long_term_evidence_renewed", object_id=evidence.source_id)
    assert (entry.data["previous"], entry.data["current"]) == (first_sha, evidence.current_id)
    package = tmp_path / "goi"
    export_package(a.org, package)
    lta = [p for p in package.rglob("*-lta.pdf")]
    assert [p.read_bytes() for p in lta] == [renewed]
    assert verify_package(package)["problems"] == []


def test_a_file_whose_last_timestamp_no_longer_matches_is_not_renewed(pki, db):
    """Chaining a new timestamp over one that does not validate would only hide the damage: the
    file is left as it is and counted as failed, for the archivist to look at."""
    ts = RequestsHTTPTimeStamper(pki.tsa_url)
    good = ltv.secure(_signed(pki), ts=ts, roots=_roots(pki))
    # One digit of the seal's padding changed: the file still parses, but the bytes the document
    # timestamp covers are no longer those it was given.
    start = good.data.index(b"/Contents <") + len(b"/Contents <")
    end = good.data.index(b">", start)
    at = good.data.rindex(b"00", start, end)
    damaged = good.data[:at] + b"10" + good.data[at + 2:]
    with pytest.raises(ltv.LastTimestampInvalid):
        ltv.renew(damaged, ts=ts, roots=_roots(pki))
    ensure_trust_root(pki.root.certificate, "Gốc thử nghiệm")
    sha = write_blob(damaged)
    StoredFile.objects.create(sha256=sha, size=len(damaged), page_count=1)
    evidence = LongTermEvidence.objects.create(source_id=sha, current_id=sha, timestamp_at=good.timestamp_at,
                                               timestamp_expires=good.timestamp_expires, timestamps=1)
    with override_settings(VANTHU_TSA_URL=pki.tsa_url):
        assert renew_due(ts=ts, now=timezone.now() + dt.timedelta(days=365 * 19)) == {"renewed": 0, "failed": 1}
    evidence.refresh_from_db()
    assert (evidence.current_id, evidence.timestamps) == (sha, 1)
    assert not AuditEntry.objects.filter(action="long_term_evidence_renewed").exists()
