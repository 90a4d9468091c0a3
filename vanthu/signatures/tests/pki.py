"""Test PKI: roots, leaves with whatever flaw a case needs, loopback CRL and RFC 3161 servers."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

from vanthu.documents.pdfgen import make_pdf
from vanthu.signatures import ca
from vanthu.signatures import certs as C
from vanthu.signatures.signers import LoadedKeySigner
from vanthu.signatures.signing import sign_pdf


def name(cn: str, org: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def leaf(auth: ca.DemoAuthority, cn: str = "Trần Thị Bình", *, org: str = "Đảng bộ Sở Tài chính",
         not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
         key_usage: dict | None = None, crl_url: str = "") -> tuple[x509.Certificate, object]:
    key = ca.new_key("ec")  # P-256: quick to make, and signing works the same
    now = timezone.now()
    cert = ca.build_certificate(
        subject=name(cn, org), public_key=key.public_key(), issuer=auth.certificate.subject, issuer_key=auth.key,
        not_before=not_before or now - dt.timedelta(days=1), not_after=not_after or now + dt.timedelta(days=365),
        key_usage=key_usage, crl_url=crl_url, issuer_cert=auth.certificate,
    )
    return cert, key


def signer(auth: ca.DemoAuthority, cert: x509.Certificate, key) -> LoadedKeySigner:
    return LoadedKeySigner(C.to_asn1(C.der(cert)), key, [C.to_asn1(C.der(auth.certificate))])


def signed_pdf(auth: ca.DemoAuthority, cert=None, key=None, *, pages: int = 1) -> bytes:
    if cert is None:
        cert, key = leaf(auth)
    data = make_pdf([[f"Công văn thử nghiệm — trang {i + 1}"] for i in range(pages)])
    return sign_pdf(data, signer(auth, cert, key), field_name="ChuKy")


def crl_for(auth: ca.DemoAuthority, revoked: list[x509.Certificate]) -> bytes:
    now = timezone.now()
    b = x509.CertificateRevocationListBuilder().issuer_name(auth.certificate.subject) \
        .last_update(now - dt.timedelta(hours=1)).next_update(now + dt.timedelta(days=7))
    for cert in revoked:
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
            .revocation_date(now - dt.timedelta(minutes=30)).build())
    return b.sign(auth.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@contextmanager
def http_server(handler_fn):
    """A loopback HTTP server answering every request with handler_fn(path, body) -> (type, bytes),
    or (status, type, bytes) for another status than 200."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = handler_fn(self.path, body)
            status, ctype, payload = answer if len(answer) == 3 else (200, *answer)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args):  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def tsa_authority(auth: ca.DemoAuthority) -> tuple[x509.Certificate, object]:
    """A timestamping certificate from the given root (critical EKU time_stamping)."""
    key = ca.new_key("rsa")  # pyHanko's in-process timestamper signs with RSA only
    now = timezone.now()
    cert = (
        x509.CertificateBuilder().subject_name(name("VanThu Test TSA")).issuer_name(auth.certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(auth.certificate.public_key()), critical=False)
        .sign(auth.key, hashes.SHA256())
    )
    return cert, key


@contextmanager
def tsa_server(auth: ca.DemoAuthority):
    """An RFC 3161 responder on loopback, built from pyHanko's in-process timestamper."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    cert, key = tsa_authority(auth)
    pki = asn1_keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    stamper = DummyTimeStamper(tsa_cert=C.to_asn1(C.der(cert)), tsa_key=pki)
    calls = []

    def answer(path, body):
        req = tsp.TimeStampReq.load(body)
        calls.append(req)
        resp = stamper.request_tsa_response(req)
        return "application/timestamp-reply", resp.dump()

    with http_server(answer) as url:
        yield url, calls
